"""The train reviews a model was trained on, kept as fingerprints in its warm-start record, so
that a warm start knows how much of its window is new to the base model (docs/warm_start.md).

A base model that has seen K-1 of a window's K spans needs a fraction of the steps; one that has
seen none of it (the window has moved past the spans it was trained on: its successors were not
blessed) needs all of them, or it is left short of the data (docs/warm_start.md has the case).
The record is each distinct cleaned train text's Fingerprint64 (8 bytes a review: 200 KB for the
25,000 IMDB train reviews), compared by value: reviews, not files or spans, so the share is right
however the window was resolved, and a review that two spans share counts as seen.
"""
from __future__ import annotations

import io
import os

import numpy as np

from components import features
from components.paths import read_if_exists

FILE = "train_reviews.npy"


def fingerprints(batches) -> np.ndarray:
    """The sorted distinct fingerprints of the texts in ({TEXT: [batch]}, label) batches."""
    import tensorflow as tf

    parts = [tf.strings.to_hash_bucket_fast(tf.reshape(batch[features.TEXT], [-1]), 2**63 - 1).numpy()
             for batch, _ in batches]
    return np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)


def unseen_share(reviews: np.ndarray, seen: np.ndarray) -> float:
    """The share of `reviews` (fingerprints) not among `seen`; 0 for no reviews."""
    if not reviews.size:
        return 0.0
    return float(1.0 - np.isin(reviews, seen, assume_unique=True).mean())


def write(directory: str, reviews: np.ndarray) -> None:
    import io

    import tensorflow as tf

    buffer = io.BytesIO()  # GFile cannot seek for writing
    np.save(buffer, np.asarray(reviews, np.int64))
    with tf.io.gfile.GFile(os.path.join(directory, FILE), "wb") as f:
        f.write(buffer.getvalue())


def read(directory: str) -> np.ndarray | None:
    """The record's fingerprints, or None (a model exported before they were recorded); the
    directory may be remote (gs://: a Kubeflow run's base model)."""
    found = read_if_exists(os.path.join(directory, FILE))
    return None if found is None else np.load(io.BytesIO(found))
