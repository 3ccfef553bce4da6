"""One review file -> one tf.Example (or the reason it is skipped), and its output split."""
from __future__ import annotations

import codecs
import hashlib

import tensorflow as tf

from components import features
from components.example_gen.errors import ImdbDataError
from components.example_gen.layout import FILE_NAME, LABELS, RATINGS, review_location


def parse_review(path: str, content: bytes, source: str) -> tf.train.Example | str:
    """Builds the Example of one review file, or returns the reason it is skipped.

    Raises ImdbDataError, naming `source` and `path`, for a review that is broken.
    """
    split, folder, name = review_location(path)
    where = path if path.startswith(source) else f"{source}: {path}"
    if name.startswith("."):
        return "hidden file"
    match = FILE_NAME.match(name)
    if not match:
        raise ImdbDataError(f"{where}: file name is not <id>_<rating>.txt")
    review_num, rating = match.group(1), int(match.group(2))
    if rating not in RATINGS[folder]:
        allowed = RATINGS[folder]
        raise ImdbDataError(f"{where}: rating {rating} contradicts folder {folder}/, "
                            f"which holds ratings {allowed.start}..{allowed.stop - 1}")
    content = content.removeprefix(codecs.BOM_UTF8)  # a byte order mark (a Windows editor's) is not the review's
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ImdbDataError(f"{where}: invalid UTF-8 at byte {e.start}: {e.reason}") from None
    if not text.strip():
        return "empty review"
    # Filled in place: a third of the time of nested Feature/BytesList constructors.
    example = tf.train.Example()
    feature = example.features.feature
    feature[features.TEXT].bytes_list.value.append(content)  # valid UTF-8, as decoded above
    feature[features.REVIEW_ID].bytes_list.value.append(f"{split}/{folder}/{review_num}".encode())
    feature[features.DATASET].bytes_list.value.append(features.IMDB_DATASET.encode())
    if folder in LABELS:
        feature[features.LABEL].int64_list.value.append(LABELS[folder])
        feature[features.RATING].int64_list.value.append(rating)
    return example


def _bytes_feature(value: bytes) -> tf.train.Feature:
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=[value]))


def _int_feature(value: int) -> tf.train.Feature:
    return tf.train.Feature(int64_list=tf.train.Int64List(value=[value]))


def review_id(example: tf.train.Example) -> str:
    return example.features.feature[features.REVIEW_ID].bytes_list.value[0].decode()


DROPPED = "dropped"  # route() of an official test review when the test split comes from elsewhere


def route(rid: str, eval_percent: int, held_out_test_percent: int = 0, official_test: bool = True) -> str:
    """Output split of a review id: unsup, test (an official test review, when `official_test`;
    else DROPPED), or by a stable hash of the id train, eval (the first `eval_percent` of 100
    buckets) or test (the next `held_out_test_percent`: the held-out test of a span without an
    official test)."""
    split, folder, _ = rid.split("/")
    if folder == "unsup":
        return features.UNSUP_SPLIT
    if split == "test":
        return features.TEST_SPLIT if official_test else DROPPED
    bucket = int.from_bytes(hashlib.sha256(rid.encode()).digest()[:8], "big") % 100
    if bucket < eval_percent:
        return features.EVAL_SPLIT
    return features.TEST_SPLIT if bucket < eval_percent + held_out_test_percent else features.TRAIN_SPLIT
