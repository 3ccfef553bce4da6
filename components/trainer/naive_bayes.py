"""Naive-Bayes log-count ratios of the n-gram features (the wide model's fixed weights r)."""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from components import features


def nb_ratios(dataset: tf.data.Dataset, vocab_size: int, alpha: float = 1.0) -> np.ndarray:
    """Naive-Bayes log-count ratios r = log((p/|p|_1) / (q/|q|_1)) of binary n-gram features, with
    p (q) = alpha + the number of positive (negative) reviews that contain each n-gram."""
    pos = np.full(vocab_size, alpha, np.float64)
    neg = np.full(vocab_size, alpha, np.float64)
    for batch, label in dataset:
        ids = batch[features.NGRAMS]
        positive = tf.gather(label, ids.indices[:, 0]).numpy() > 0.5
        values = ids.values.numpy()
        pos += np.bincount(values[positive], minlength=vocab_size)
        neg += np.bincount(values[~positive], minlength=vocab_size)
    return np.log(pos / pos.sum()) - np.log(neg / neg.sum())
