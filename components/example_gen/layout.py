"""The aclImdb layout: where reviews are, how their files are named, what folder means what."""
from __future__ import annotations

import re

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar")
FILE_NAME = re.compile(r"^(\d+)_(\d+)\.txt$", re.ASCII)
RATINGS = {"pos": range(7, 11), "neg": range(1, 5), "unsup": range(0, 1)}
LABELS = {"pos": 1, "neg": 0}
LABELLED_PARTS = [("train", "pos"), ("train", "neg"), ("test", "pos"), ("test", "neg")]


def review_location(path: str) -> tuple[str, str, str] | None:
    """(official split, folder, file name) of a review path, or None for other files."""
    parts = path.replace("\\", "/").split("/")
    if len(parts) < 3 or parts[-3] not in ("train", "test") or parts[-2] not in RATINGS:
        return None
    return parts[-3], parts[-2], parts[-1]


def wanted(path: str, include_unsup: bool) -> bool:
    location = review_location(path)
    return location is not None and (include_unsup or location[1] != "unsup")
