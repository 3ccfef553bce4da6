"""Where the IMDB data comes from: the official archive, an extracted directory, or the URL.

`resolve_data(spec)` turns what a user passes to `--data` into a `DataSource` that the
ExampleGen executor (components/example_gen.py) reads:

- a `.tar.gz` archive (local or on any Beam filesystem such as `gs://`), read directly
  without extracting its 100,000 files;
- an extracted `aclImdb/` directory, or a directory that contains one;
- the official URL, downloaded once into a cache (sha256 checked, progress on stderr).
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import sys
import tarfile
import tempfile
import urllib.request

from components.example_gen.layout import ARCHIVE_SUFFIXES
from components.paths import REMOTE_SCHEMES, WEB_SCHEMES, cache_dir

OFFICIAL_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
OFFICIAL_SHA256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"
# The copy of the dataset beside a checkout of this project (see README).
SHARED_ARCHIVE = os.path.join("..", "shared", "data", "aclImdb_v1.tar.gz")


class DataError(ValueError):
    """The data source is missing or not in the aclImdb layout."""


@dataclasses.dataclass(frozen=True)
class DataSource:
    """An aclImdb dataset: `kind` is "archive" (uri = the archive) or "directory" (uri = aclImdb/)."""

    kind: str
    uri: str

    @property
    def input_base(self) -> str:
        """ExampleGen's input_base: the archive's folder, or the aclImdb/ directory."""
        return os.path.dirname(self.uri) if self.kind == "archive" else self.uri

    def split_patterns(self, include_unsup: bool = False) -> dict[str, str]:
        """ExampleGen input splits -> file pattern under input_base.

        `train` and `eval` both come from the official train set (the executor partitions
        them by a hash of the review id); `test` is the official test set. The patterns
        also give TFX the files whose sizes and mtimes fingerprint the input for caching.
        """
        if self.kind == "archive":
            name = os.path.basename(self.uri)
            patterns = {"train": name, "eval": name, "test": name}
            if include_unsup:
                patterns["unsup"] = name
        else:
            patterns = {"train": "train/*/*.txt", "eval": "train/*/*.txt", "test": "test/*/*.txt"}
            if include_unsup:
                patterns["unsup"] = "train/unsup/*.txt"
        return patterns


def default_data() -> str:
    """The data `--data` defaults to: $IMDB_TFX_DATA, ../shared's copy, a cached download, else the URL."""
    candidates = [os.environ.get("IMDB_TFX_DATA"), SHARED_ARCHIVE,
                  os.path.join(cache_dir(), "data", "aclImdb_v1.tar.gz")]
    for candidate in candidates:
        if candidate and os.path.exists(candidate):
            return os.path.abspath(candidate)
    return OFFICIAL_URL


def resolve_data(spec: str, *, download: bool = True) -> DataSource:
    """Turns a `--data` value into a DataSource, downloading the URL once if needed."""
    if spec.startswith(WEB_SCHEMES):
        if not download:
            raise DataError(f"{spec}: downloading is disabled")
        return DataSource("archive", download_archive(spec))
    if spec.startswith(REMOTE_SCHEMES):
        kind = "archive" if spec.endswith(ARCHIVE_SUFFIXES) else "directory"
        return DataSource(kind, spec.rstrip("/"))

    path = os.path.abspath(os.path.expanduser(spec))
    if not os.path.exists(path):
        raise DataError(f"{spec}: no such file or directory (expected aclImdb_v1.tar.gz or an aclImdb/ directory)")
    if os.path.isfile(path):
        if not tarfile.is_tarfile(path):
            raise DataError(f"{path}: not a tar archive (expected aclImdb_v1.tar.gz)")
        return DataSource("archive", path)
    for root in (path, os.path.join(path, "aclImdb")):
        missing = [d for d in ("train", "test") if not os.path.isdir(os.path.join(root, d))]
        if not missing:
            return DataSource("directory", root)
    raise DataError(f"{path}: not an aclImdb directory: it has no train/ and test/ folders "
                    "(nor an aclImdb/ folder holding them)")


def download_archive(url: str = OFFICIAL_URL, *, dest_dir: str | None = None) -> str:
    """Downloads `url` once into the cache and returns the local path.

    The official archive's sha256 is checked; a mismatch deletes the download and raises.
    """
    dest_dir = dest_dir or os.path.join(cache_dir(), "data")
    dest = os.path.join(dest_dir, os.path.basename(url.split("?")[0]) or "aclImdb_v1.tar.gz")
    if os.path.exists(dest):
        return dest
    os.makedirs(dest_dir, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest_dir, suffix=".part")
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url) as response, os.fdopen(fd, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            while chunk := response.read(1 << 20):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                _progress(f"Downloading {url}", done, total)
        sys.stderr.write("\n")
        if url == OFFICIAL_URL and digest.hexdigest() != OFFICIAL_SHA256:
            raise DataError(f"{url}: sha256 {digest.hexdigest()} does not match the official {OFFICIAL_SHA256}")
        os.replace(tmp, dest)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return dest


def _progress(label: str, done: int, total: int) -> None:
    mib = done / 2**20
    if total:
        width = 30
        filled = int(width * done / total)
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {mib:.1f}/{total / 2**20:.1f} MiB")
    else:
        sys.stderr.write(f"\r{label} {mib:.1f} MiB")
    sys.stderr.flush()
