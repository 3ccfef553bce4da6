"""sample_from_examples: a TextSample of the project's Examples artifacts (ExampleGen's gzipped
TFRecords of tf.Example under <uri>/Split-<split>/, components/example_gen/write.py)."""
from __future__ import annotations

import os

import numpy as np

from components import features
from components.drift.sample import TextSample, subsample


def split_files(uri: str, split: str) -> list[str]:
    """The TFRecord files of one split of an Examples artifact; FileNotFoundError when none."""
    import tensorflow as tf

    folder = os.path.join(uri, f"Split-{split}")
    found = sorted(tf.io.gfile.glob(os.path.join(folder, "*")))
    if not found:
        raise FileNotFoundError(f"{folder}: no examples (is split {split!r} in this Examples artifact?)")
    return found


def read_examples(files: list[str]) -> tuple[list[str], list[int], list[int]]:
    """Texts, labels (-1 when absent) and ratings (0 when absent) of gzipped tf.Example files."""
    import tensorflow as tf

    texts, labels, ratings = [], [], []
    for record in tf.data.TFRecordDataset(files, compression_type="GZIP").as_numpy_iterator():
        feature = tf.train.Example.FromString(record).features.feature
        texts.append(feature[features.TEXT].bytes_list.value[0].decode("utf-8"))
        label = feature[features.LABEL].int64_list.value if features.LABEL in feature else []
        rating = feature[features.RATING].int64_list.value if features.RATING in feature else []
        labels.append(int(label[0]) if label else -1)
        ratings.append(int(rating[0]) if rating else 0)
    return texts, labels, ratings


def sample_from_examples(uris: list[str], splits: list[str], name: str, limit: int | None = None,
                         seed: int = 0) -> TextSample:
    """The texts, labels and ratings of splits `splits` of the Examples artifacts at `uris`, at
    most `limit` texts (a deterministic random sample)."""
    files = [f for uri in uris for split in splits for f in split_files(uri, split)]
    texts, labels, ratings = read_examples(files)
    sample = TextSample(texts, np.array(labels, dtype=np.int64), np.array(ratings, dtype=np.int64), name=name)
    return subsample(sample, limit, seed)
