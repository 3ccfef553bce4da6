"""Guard sets: extra labelled sets (`imdb-tfx run --guard-set NAME=PATH`) that the Evaluator
measures beside the IMDB test split, each as its own slice `dataset: NAME`.

A guard file is JSON lines (`{"text": ..., "label": 0 or 1}`, 1 = positive) or, for a name
ending in `.csv`, CSV with a header that has `text` and `label` columns (read by
labelled_files.py, as a span's labelled files and --test-data are). Each row becomes a
tf.Example of split `guard` with text, label, review_id `guard/NAME/LINE` and dataset NAME
(the IMDB reviews have dataset "imdb"; the snippet sets, snippet_sets.py, share the split,
and their names, starting with "snippet_", are not guard set names). A broken file raises
ImdbDataError naming the file and line, at start-up in the CLI (check_guard_sets) and again
in ExampleGen.
"""
from __future__ import annotations

import hashlib
import re

from components import features
from components.example_gen import labelled_files
from components.example_gen.errors import ImdbDataError
from components.example_gen.snippet_sets import PREFIX as SNIPPET_PREFIX

SPLIT = features.GUARD_SPLIT
IMDB = features.IMDB_DATASET  # the dataset of the aclImdb reviews
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
    return labelled_files.read_bytes(path, "guard set")


def read_guard_file(path: str) -> list[tuple[str, int, int]]:
    """[(text, label, line number)] of a guard file (labelled_files.py's rules: a `rating`, if
    any, is checked but a guard row carries none); ImdbDataError for a broken one."""
    return [(row.text, row.label, row.line) for row in labelled_files.read_rows(path, "guard set")]


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
