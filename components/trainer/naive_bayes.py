"""The wide model's n-gram table: which n-gram ids it keeps and their naive-Bayes log-count
ratios (the fixed weights r), counted on the train split.

Transform gives each review its distinct n-gram ids (hashed, or from a vocabulary:
components/transform/text_features.py). The Trainer counts, for every id, the positive and
the negative train reviews that contain it, keeps the ids that at least `min_count` reviews
contain (the min-count cut a vocabulary would make) and computes their ratios.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from components import features

NO_NGRAM = -1  # the key of an empty table's only row: no id (hashed or not) is negative


def log_count_ratios(pos: np.ndarray, neg: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """r = log((p/|p|_1) / (q/|q|_1)) with p (q) = alpha + the positive (negative) review counts."""
    p = np.asarray(pos, np.float64) + alpha
    q = np.asarray(neg, np.float64) + alpha
    return np.log(p / p.sum()) - np.log(q / q.sum())


def review_counts(dataset: tf.data.Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ids sorted, positive review count, negative review count) of every n-gram id in a finite
    dataset of ({NGRAMS: SparseTensor of each review's distinct ids}, label) batches."""
    values, positive = [], []
    for batch, label in dataset:
        ids = batch[features.NGRAMS]
        values.append(ids.values.numpy())
        positive.append(tf.gather(label, ids.indices[:, 0]).numpy() > 0.5)
    if not values:
        return np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
    keys, inverse = np.unique(np.concatenate(values), return_inverse=True)
    total = np.bincount(inverse, minlength=keys.size)
    pos = np.bincount(inverse, weights=np.concatenate(positive), minlength=keys.size)
    return keys, pos, total - pos


def ngram_table(dataset: tf.data.Dataset, min_count: int = 1, alpha: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(kept ids sorted, their NB log-count ratios): the ids that at least `min_count` reviews of
    `dataset` (the train split) contain. Never empty: with no id kept, one row NO_NGRAM, ratio 0."""
    keys, pos, neg = review_counts(dataset)
    keep = pos + neg >= min_count
    if not keep.any():
        return np.array([NO_NGRAM], np.int64), np.zeros(1)
    return keys[keep], log_count_ratios(pos[keep], neg[keep], alpha)
