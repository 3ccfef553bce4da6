"""The wide model's n-gram table: which n-gram ids it keeps and their naive-Bayes log-count
ratios (the fixed weights r), counted on the train split.

Transform gives each review its distinct n-gram ids (hashed, or from a vocabulary:
components/transform/text_features.py). The Trainer counts, for every id, the positive and
the negative train reviews that contain it, keeps the ids that at least `min_count` reviews
contain (the min-count cut a vocabulary would make; SparseRows.collect makes it) and computes
their ratios.
"""
from __future__ import annotations

import numpy as np

from components.trainer.lbfgs import SparseRows

NO_NGRAM = -1  # the key of an empty table's only row: no id (hashed or not) is negative


def log_count_ratios(pos: np.ndarray, neg: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """r = log((p/|p|_1) / (q/|q|_1)) with p (q) = alpha + the positive (negative) review counts."""
    p = np.asarray(pos, np.float64) + alpha
    q = np.asarray(neg, np.float64) + alpha
    return np.log(p / p.sum()) - np.log(q / q.sum())


def ngram_table(data, min_count: int = 1, alpha: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(kept ids sorted, their NB log-count ratios): the ids that at least `min_count` rows of
    `data` contain: the train split as a finite dataset of ({NGRAMS: SparseTensor of each row's
    distinct ids}, label) batches, or as SparseRows already collected with that min_count (the
    cut is made there). Never empty: with no id kept, one row NO_NGRAM, ratio 0."""
    rows = data if isinstance(data, SparseRows) else SparseRows.collect(data, min_count)
    if not rows.keys.size:
        return np.array([NO_NGRAM], np.int64), np.zeros(1)
    return rows.keys, log_count_ratios(*rows.review_counts(), alpha)
