"""Labelled review files: JSON lines (`{"text": ..., "label": 0 or 1, "rating": 1-10}`) or, for a
name ending in `.csv`, CSV with a header that has `text` and `label` columns (and optionally
`rating`). `rating` may be left out (or empty); `label` is 1 for a positive review.

One reader, one set of rules and errors, for the guard sets (guard.py), a span of the user's
own reviews (spans.py: a span folder of *.jsonl / *.csv) and the fixed test set
(`imdb-tfx run --test-data`). A broken file raises ImdbDataError naming the file and line.
"""
from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import os

from components import features
from components.example_gen.errors import ImdbDataError
from components.paths import is_number, is_remote


@dataclasses.dataclass(frozen=True)
class Row:
    text: str
    label: int
    rating: int | None
    line: int


def read_bytes(path: str, what: str = "labelled") -> bytes:
    if not is_remote(path):  # a local file: no TensorFlow (start-up checks run before it is imported)
        if not os.path.exists(path):
            raise ImdbDataError(f"{path}: {what} file not found")
        if os.path.isdir(path):
            raise ImdbDataError(f"{path}: {what} file is a directory")
        try:
            with open(path, "rb") as f:
                return f.read()
        except OSError as e:
            raise ImdbDataError(f"{path}: {what} file cannot be read: {e.strerror}") from None
    import tensorflow as tf  # here: checking files at start-up must not import TensorFlow first

    if not tf.io.gfile.exists(path):
        raise ImdbDataError(f"{path}: {what} file not found")
    if tf.io.gfile.isdir(path):
        raise ImdbDataError(f"{path}: {what} file is a directory")
    try:
        with tf.io.gfile.GFile(path, "rb") as f:
            return f.read()
    except (OSError, tf.errors.OpError) as e:
        raise ImdbDataError(f"{path}: {what} file cannot be read: {e}") from None


def _rating(where: str, value) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and is_number(value.strip()):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10:
        raise ImdbDataError(f"{where}: \"rating\" must be an integer 1-10 (or left out), got {value!r}")
    return value


def parse_row(where: str, row, line: int) -> Row:
    if not isinstance(row, dict):
        raise ImdbDataError(f"{where}: expected an object with \"text\" and \"label\"")
    text, label = row.get("text"), row.get("label")
    if not isinstance(text, str) or not text.strip():
        raise ImdbDataError(f"{where}: missing or empty \"text\"")
    if isinstance(label, str) and label.strip() in ("0", "1"):
        label = int(label)
    if isinstance(label, bool) or label not in (0, 1):
        raise ImdbDataError(f"{where}: \"label\" must be 0 or 1 (1 = positive), got {label!r}")
    return Row(text, int(label), _rating(where, row.get("rating")), line)


def read_rows(path: str, what: str = "labelled") -> list[Row]:
    """The rows of a labelled file; ImdbDataError for a broken one (or one without rows)."""
    content = read_bytes(path, what)
    if content[:2] == b"\x1f\x8b" or content[257:262] == b"ustar":  # gzip or tar: an archive, not rows
        raise ImdbDataError(f"{path}: an archive, not a labelled file: expected JSON lines or CSV "
                            "(text, label 0/1, optional rating)")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ImdbDataError(f"{path}: invalid UTF-8 at byte {e.start}: {e.reason} (expected a UTF-8 text file "
                            "of JSON lines or CSV)") from None
    rows = []
    if path.lower().endswith(".csv"):
        # newline="": a line may end in \r\n, \n or a bare \r (old Mac and some spreadsheet
        # exports), and a quoted text may hold line breaks; strict: an unclosed quote is an error,
        # not a text that runs to the end of the file.
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        last = 0  # the line the last row read ended on (the header's: 1)
        try:
            missing = {"text", "label"} - set(reader.fieldnames or ())
            if reader.fieldnames and missing:
                raise ImdbDataError(f"{path}:1: CSV header lacks {', '.join(sorted(missing))} "
                                    "(needs text,label)")
            last = reader.line_num
            for row in reader:
                rows.append(parse_row(f"{path}:{reader.line_num}", row, reader.line_num))
                last = reader.line_num
        except csv.Error as e:  # the row starting after the last one read (blank lines skipped, as csv does)
            lines = text.splitlines()
            start = next((n for n in range(last, len(lines)) if lines[n].strip()), last) + 1
            raise ImdbDataError(f"{path}:{start}: bad CSV: {e}") from None
    else:
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise ImdbDataError(f"{path}:{number}: not a JSON line: {e.msg}") from None
            rows.append(parse_row(f"{path}:{number}", row, number))
    if not rows:
        raise ImdbDataError(f"{path}: {what} file has no rows")
    return rows


def file_id(path: str) -> str:
    """The file's name as a review id part (no '/': review ids are SPLIT/FOLDER/NAME)."""
    return os.path.basename(path).replace("/", "_")


def labelled_example(row: Row, split: str, path: str, dataset: str = features.IMDB_DATASET):
    """The tf.Example of a row: text, label, rating (when given), review_id SPLIT/pos|neg/FILE:LINE
    (routed like an official review of that split: reviews.route) and dataset."""
    import tensorflow as tf

    example = tf.train.Example()
    feature = example.features.feature
    feature[features.TEXT].bytes_list.value.append(row.text.encode("utf-8"))
    feature[features.LABEL].int64_list.value.append(row.label)
    if row.rating is not None:
        feature[features.RATING].int64_list.value.append(row.rating)
    folder = "pos" if row.label else "neg"
    feature[features.REVIEW_ID].bytes_list.value.append(f"{split}/{folder}/{file_id(path)}:{row.line}".encode())
    feature[features.DATASET].bytes_list.value.append(dataset.encode())
    return example


def file_examples(path: str, split: str = "train", what: str = "labelled") -> list:
    """The tf.Examples of every row of a labelled file, as reviews of official split `split`."""
    return [labelled_example(row, split, path) for row in read_rows(path, what)]


def fingerprint(paths) -> str:
    """A hash of the files' names and contents (for ExampleGen's cache key)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(f"{path}\0".encode())
        digest.update(hashlib.sha256(read_bytes(path)).digest())
    return digest.hexdigest()[:16]
