"""Spans: data that arrives in folders `span-<N>/` under one root (N a non-negative integer,
increasing, gaps allowed), each read by ExampleGen as one Examples artifact with TFX's `span`.

TFX does the span bookkeeping: ExampleGen's input pattern is `span-{SPAN}/*` (SPAN_PATTERN),
its driver (tfx.components.example_gen.driver, FileBasedDriver) finds the newest span (or the
one a RangeConfig's static_range names), puts its number in the pattern the executor gets and
records it on the Examples artifact. This module only tells what a span folder holds:

- an aclImdb tree: `train/pos`, `train/neg`, optional `train/unsup`, optional `test/` (also
  inside an `aclImdb/` folder) -> "aclimdb";
- one archive of such a tree (`*.tar.gz`, `*.tgz`, `*.tar`) -> "archive";
- labelled files `*.jsonl` / `*.csv` (`text`, `label` 0/1, optional `rating` 1-10:
  labelled_files.py) -> "labelled".

Imports nothing heavy (the CLI checks the data at start-up with it); paths go through
TensorFlow's gfile only when they are remote.
"""
from __future__ import annotations

import os
import re

from components.example_gen.errors import ImdbDataError
from components.example_gen.layout import ARCHIVE_SUFFIXES
from components.paths import isdir, listdir

SPAN_PREFIX = "span-"
SPAN_FOLDER = re.compile(r"^span-(\d+)$", re.ASCII)
MAX_SPAN = 2 ** 63 - 1
SPAN_PATTERN = "span-{SPAN}/*"  # ExampleGen's input pattern (every split the same)
LABELLED_SUFFIXES = (".jsonl", ".csv")
ACLIMDB, ARCHIVE, LABELLED = "aclimdb", "archive", "labelled"


def span_folder_number(name: str) -> int | None:
    """N for a folder name `span-N`, None for a name that is not a span folder."""
    match = SPAN_FOLDER.match(name)
    return int(match.group(1)) if match else None


def list_spans(root: str) -> dict[int, str]:
    """{span number: folder} of the span folders under `root` ({} when it has none).

    ImdbDataError for a folder named `span-...` that is not `span-<N>` (TFX's driver would stop
    on it), for a number with leading zeros or over int64 (the driver would fail on it later),
    and for two folders of the same number."""
    spans: dict[int, str] = {}
    for name in sorted(listdir(root)):
        if not name.startswith(SPAN_PREFIX) or not isdir(os.path.join(root, name)):
            continue
        number = span_folder_number(name)
        if number is None:
            raise ImdbDataError(f"{os.path.join(root, name)}: a span folder is named span-<N>, "
                                "N a non-negative integer")
        digits = name[len(SPAN_PREFIX):]
        if digits != str(number):  # TFX's driver finds span-01 as span 1, then reads span-1
            raise ImdbDataError(f"{os.path.join(root, name)}: a span number has no leading zeros "
                                f"(name it {SPAN_PREFIX}{number})")
        if number > MAX_SPAN:
            raise ImdbDataError(f"{os.path.join(root, name)}: span number {number} is over {MAX_SPAN} "
                                "(TFX keeps a span as a 64-bit integer)")
        if number in spans:
            raise ImdbDataError(f"{root}: span {number} is in two folders, {os.path.basename(spans[number])} "
                                f"and {name}")
        spans[number] = os.path.join(root, name)
    return spans


def is_span_root(path: str) -> bool:
    """Whether `path` is a folder holding span folders."""
    return isdir(path) and any(span_folder_number(n) is not None for n in listdir(path))


def aclimdb_root(span_dir: str) -> str | None:
    """The folder holding `train/` in a span folder (itself, or its `aclImdb/`), or None."""
    for root in (span_dir, os.path.join(span_dir, "aclImdb")):
        if isdir(os.path.join(root, "train")):
            return root
    return None


def span_kind(span_dir: str) -> tuple[str, list[str]]:
    """What a span folder holds: (ACLIMDB, [aclImdb root]), (ARCHIVE, [archive]) or
    (LABELLED, [*.jsonl and *.csv files, sorted]); ImdbDataError for anything else."""
    root = aclimdb_root(span_dir)
    names = sorted(n for n in listdir(span_dir) if not n.startswith("."))
    archives = [n for n in names if n.endswith(ARCHIVE_SUFFIXES)]
    labelled = [n for n in names if n.lower().endswith(LABELLED_SUFFIXES)]
    if root is not None and labelled:  # they would be left unread (an archive beside its tree: the same data)
        tree = os.path.relpath(os.path.join(root, "train"), span_dir) + "/"
        raise ImdbDataError(f"{span_dir}: a span holds an aclImdb tree or labelled files, not both "
                            f"({tree}, {labelled[0]})")
    if root is not None:  # an archive beside it (the tree extracted from it) is not read
        return ACLIMDB, [root]
    if archives and labelled:
        raise ImdbDataError(f"{span_dir}: a span holds an archive or labelled files, not both "
                            f"({archives[0]}, {labelled[0]})")
    if len(archives) > 1:
        raise ImdbDataError(f"{span_dir}: a span holds one archive, not {len(archives)} ({', '.join(archives)})")
    if archives:
        return ARCHIVE, [os.path.join(span_dir, archives[0])]
    if labelled:
        return LABELLED, [os.path.join(span_dir, n) for n in labelled]
    what = f"no reviews in it (it holds {', '.join(names[:3])}{', ...' if len(names) > 3 else ''})" if names \
        else "an empty span"
    raise ImdbDataError(f"{span_dir}: {what}: expected an aclImdb tree (train/pos, train/neg), "
                        "an archive of one (.tar.gz), or labelled files (.jsonl, .csv)")


def span_dir_of_pattern(input_base: str, pattern: str) -> str | None:
    """The span folder of a resolved ExampleGen pattern (`span-3/*` -> input_base/span-3), or None
    for a pattern that is not a span's."""
    head, _, tail = pattern.rstrip("/").rpartition("/")
    if tail != "*" or span_folder_number(os.path.basename(head)) is None:
        return None
    return os.path.join(input_base, head)


def choose_span(root: str, span: int | None) -> tuple[int, str]:
    """(number, folder) of the span a run reads: `span`, or the newest; ImdbDataError if there is none."""
    spans = list_spans(root)
    if not spans:
        raise ImdbDataError(f"{root}: no span folders (span-<N>/)")
    if span is None:
        number = max(spans)
        return number, spans[number]
    if span not in spans:
        raise ImdbDataError(f"--span {span}: {root} has no span-{span}/ (spans: "
                            f"{', '.join(str(n) for n in sorted(spans))})")
    return span, spans[span]
