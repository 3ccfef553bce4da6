"""Generated review-like texts from known distributions, for the drift checks' unit tests."""
from __future__ import annotations

import numpy as np

from components import features
from components.drift import TextSample

COMMON = [f"word{i}" for i in range(2000)]  # a Zipf vocabulary shared by every "site"
OTHER = [f"menu{i}" for i in range(500)]  # another topic's words


def texts(n: int, seed: int, vocabulary=COMMON, mean_words: int = 120, other_share: float = 0.0) -> list[str]:
    """`n` texts of Zipf-distributed words (lengths ~ 20 + Poisson(mean_words)); a share
    `other_share` of each text's words drawn from OTHER instead."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, len(vocabulary) + 1)
    weights /= weights.sum()
    found = []
    for _ in range(n):
        size = 20 + rng.poisson(mean_words)
        words = rng.choice(vocabulary, size=size, p=weights)
        if other_share:
            swap = rng.random(size) < other_share
            words[swap] = rng.choice(OTHER, size=int(swap.sum()))
        found.append(" ".join(words) + ". It was fine!")
    return found


def sample(n: int, seed: int, name: str = "", positive_share: float = 0.5, **kwargs) -> TextSample:
    """A TextSample of texts(...) with labels (positive_share of 1s), ratings 1-4 / 7-10 and
    scores near the label."""
    rng = np.random.default_rng(seed + 7919)
    labels = (rng.random(n) < positive_share).astype(int)
    ratings = np.where(labels == 1, rng.integers(7, 11, n), rng.integers(1, 5, n))
    scores = np.clip(rng.normal(0.25 + 0.5 * labels, 0.15), 0, 1)
    return TextSample(texts(n, seed, **kwargs), labels, ratings, scores, name or f"sample {seed}")


def write_split(folder, rows) -> None:
    """An ExampleGen split folder (Split-<name>) of gzipped tf.Examples: rows of (text, label,
    rating); label None: an unlabelled example (no label or rating feature)."""
    import tensorflow as tf

    folder.mkdir(parents=True)
    with tf.io.TFRecordWriter(str(folder / "data_tfrecord-00000-of-00001.gz"), "GZIP") as writer:
        for text, label, rating in rows:
            example = tf.train.Example()
            example.features.feature[features.TEXT].bytes_list.value.append(text.encode())
            if label is not None:
                example.features.feature[features.LABEL].int64_list.value.append(int(label))
                example.features.feature[features.RATING].int64_list.value.append(int(rating))
            writer.write(example.SerializeToString())
