"""Guard sets: extra labelled sets (`imdb-tfx run --guard-set NAME=PATH`) that the Evaluator
measures beside the IMDB test split, each as its own slice `dataset: NAME`.

A guard file is JSON lines (`{"text": ..., "label": 0 or 1}`, 1 = positive) or, for a name
ending in `.csv`, CSV with a header that has `text` and `label` columns. Each row becomes a
tf.Example of split `guard` with text, label, review_id `guard/NAME/LINE` and dataset NAME
(the IMDB reviews have dataset "imdb"; the snippet sets, snippet_sets.py, share the split,
and their names, starting with "snippet_", are not guard set names). A broken file raises
ImdbDataError naming the file and line, at start-up in the CLI (check_guard_sets) and again
in ExampleGen.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re

from components import features
from components.example_gen.errors import ImdbDataError
from components.example_gen.snippet_sets import PREFIX as SNIPPET_PREFIX

SPLIT = "guard"
IMDB = "imdb"  # the dataset of the aclImdb reviews
NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def check_name(name: str) -> None:
    if not NAME.match(name or ""):
        raise ImdbDataError(f"guard set name {name!r}: use 1-40 lower-case letters, digits or _, "
                            "starting with a letter")
    if name == IMDB:
        raise ImdbDataError(f"guard set name {name!r} is reserved for the IMDB test split")
    if name.startswith(SNIPPET_PREFIX):
        raise ImdbDataError(f"guard set name {name!r}: names starting with {SNIPPET_PREFIX!r} are "
                            "reserved for the snippet sets (--snippet-reviews)")


def _read(path: str) -> bytes:
    import tensorflow as tf  # here: checking guard sets at start-up must not import TensorFlow (errors.py)

    if not tf.io.gfile.exists(path):
        raise ImdbDataError(f"{path}: guard set file not found")
    with tf.io.gfile.GFile(path, "rb") as f:
        return f.read()


def _row(where: str, row) -> tuple[str, int]:
    if not isinstance(row, dict):
        raise ImdbDataError(f"{where}: expected an object with \"text\" and \"label\"")
    text, label = row.get("text"), row.get("label")
    if not isinstance(text, str) or not text.strip():
        raise ImdbDataError(f"{where}: missing or empty \"text\"")
    if isinstance(label, str) and label.strip() in ("0", "1"):
        label = int(label)
    if isinstance(label, bool) or label not in (0, 1):
        raise ImdbDataError(f"{where}: \"label\" must be 0 or 1 (1 = positive), got {label!r}")
    return text, int(label)


def read_guard_file(path: str) -> list[tuple[str, int, int]]:
    """[(text, label, line number)] of a guard file; ImdbDataError for a broken one."""
    content = _read(path)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ImdbDataError(f"{path}: invalid UTF-8 at byte {e.start}: {e.reason}") from None
    rows = []
    if path.lower().endswith(".csv"):
        reader = csv.DictReader(io.StringIO(text))
        missing = {"text", "label"} - set(reader.fieldnames or ())
        if reader.fieldnames and missing:
            raise ImdbDataError(f"{path}:1: CSV header lacks {', '.join(sorted(missing))} "
                                "(needs text,label)")
        try:
            for row in reader:
                rows.append((*_row(f"{path}:{reader.line_num}", row), reader.line_num))
        except csv.Error as e:
            raise ImdbDataError(f"{path}:{reader.line_num}: bad CSV: {e}") from None
    else:
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise ImdbDataError(f"{path}:{number}: not a JSON line: {e.msg}") from None
            rows.append((*_row(f"{path}:{number}", row), number))
    if not rows:
        raise ImdbDataError(f"{path}: guard set file has no rows")
    return rows


def check_guard_sets(guard_sets) -> dict[str, int]:
    """Validates [(name, path)]: names, duplicates and every file; {name: rows}."""
    counts = {}
    for name, path in guard_sets:
        check_name(name)
        if name in counts:
            raise ImdbDataError(f"guard set name {name!r} given twice")
        counts[name] = len(read_guard_file(path))
    return counts


def guard_example(name: str, text: str, label: int, line: int):
    import tensorflow as tf

    from components.example_gen.reviews import _bytes_feature, _int_feature

    return tf.train.Example(features=tf.train.Features(feature={
        features.TEXT: _bytes_feature(text.encode("utf-8")),
        features.LABEL: _int_feature(label),
        features.REVIEW_ID: _bytes_feature(f"{SPLIT}/{name}/{line}".encode()),
        features.DATASET: _bytes_feature(name.encode()),
    }))


def guard_examples(guard_sets) -> list:
    check_guard_sets(guard_sets)
    return [guard_example(name, text, label, line)
            for name, path in guard_sets for text, label, line in read_guard_file(path)]


def fingerprint(guard_sets) -> str:
    """A hash of the guard sets' names and file contents (for ExampleGen's cache key)."""
    digest = hashlib.sha256()
    for name, path in guard_sets:
        digest.update(f"{name}\0{path}\0".encode())
        digest.update(hashlib.sha256(_read(path)).digest())
    return digest.hexdigest()[:16]
