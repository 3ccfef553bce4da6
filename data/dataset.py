"""Where the IMDB data comes from: the official archive, an extracted directory, or the URL.

`resolve_data(spec)` turns what a user passes to `--data` into a `DataSource` that the
ExampleGen executor (components/example_gen.py) reads:

- a `.tar.gz` archive (local or on any Beam filesystem such as `gs://`), read directly
  without extracting its 100,000 files;
- an extracted `aclImdb/` directory, or a directory that contains one;
- the official URL, downloaded once into a cache (sha256 checked, progress on stderr);
- a folder of spans `span-<N>/` (components/example_gen/spans.py: each an aclImdb tree, an
  archive of one, or labelled *.jsonl / *.csv files), or, for a remote folder that cannot be
  listed at compile time, `ROOT/span-{SPAN}`: ExampleGen reads one span per run (TFX's
  `{SPAN}` pattern; the newest, or `--span N`). A single archive or aclImdb directory is one
  span (span 0 on its Examples artifact).
"""
from __future__ import annotations

import dataclasses
import hashlib
import http.client
import os
import sys
import tarfile
import tempfile
import urllib.request

from components import features
from components.example_gen import spans
from components.example_gen.errors import ImdbDataError
from components.example_gen.layout import ARCHIVE_SUFFIXES
from components.paths import REMOTE_SCHEMES, WEB_SCHEMES, cache_dir, is_remote

OFFICIAL_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
OFFICIAL_SHA256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"
# The copy of the dataset beside a checkout of this project (see README).
SHARED_ARCHIVE = os.path.join("..", "shared", "data", "aclImdb_v1.tar.gz")


class DataError(ValueError):
    """The data source is missing or not in the aclImdb layout."""


@dataclasses.dataclass(frozen=True)
class DataSource:
    """An aclImdb dataset: `kind` is "archive" (uri = the archive), "directory" (uri = aclImdb/)
    or "spans" (uri = the folder holding span-<N>/ folders)."""

    kind: str
    uri: str

    @property
    def input_base(self) -> str:
        """ExampleGen's input_base: the archive's folder, the aclImdb/ directory or the spans' folder."""
        return os.path.dirname(self.uri) if self.kind == "archive" else self.uri

    @property
    def has_spans(self) -> bool:
        return self.kind == "spans"

    def split_patterns(self, include_unsup: bool = False) -> dict[str, str]:
        """ExampleGen input splits -> file pattern under input_base.

        `train` and `eval` both come from the official train set (the executor partitions
        them by a hash of the review id); `test` is the official test set. The patterns
        also give TFX the files whose sizes and mtimes fingerprint the input for caching.
        """
        if self.kind == "spans":  # TFX's driver puts the span's number in
            names = [features.TRAIN_SPLIT, features.EVAL_SPLIT, features.TEST_SPLIT] + ([features.UNSUP_SPLIT] if include_unsup else [])
            return {name: spans.SPAN_PATTERN for name in names}
        if self.kind == "archive":
            name = os.path.basename(self.uri)
            patterns = {"train": name, "eval": name, "test": name}
            if include_unsup:
                patterns["unsup"] = name
        else:
            # Every file of the label folders, as an archive's members are read: a misnamed one is
            # an error naming it, a hidden one skipped and counted (docs/data.md), not left out
            # unseen by a *.txt pattern.
            patterns = {"train": "train/*/*", "eval": "train/*/*", "test": "test/*/*"}
            if include_unsup:  # the train pattern's folders hold unsup/: the executor reads it once
                patterns["unsup"] = "train/*/*"
        return patterns


def default_data() -> str:
    """The data `--data` defaults to: $IMDB_TFX_DATA, ../shared's copy, a cached download, else the URL."""
    candidates = [os.environ.get("IMDB_TFX_DATA"), SHARED_ARCHIVE,
                  os.path.join(cache_dir(), "data", "aclImdb_v1.tar.gz")]
    for candidate in candidates:
        if candidate and os.path.exists(candidate):
            return os.path.abspath(candidate)
    return OFFICIAL_URL


def check_url(url: str) -> None:
    """Only the official URL is downloaded (its sha256 is known); DataError for any other."""
    if url != OFFICIAL_URL:
        raise DataError(f"{url}: only the official URL ({OFFICIAL_URL}) is downloaded; download another "
                        "archive yourself and give --data its path")


def check_spec(spec: str) -> None:
    """Checks a `--data` value without downloading or reading more than an archive's first block:
    DataError naming it when it cannot be read (resolve_data's errors, and a URL other than the
    official one)."""
    if spec.startswith(WEB_SCHEMES):
        check_url(spec)
    elif not spec.startswith(REMOTE_SCHEMES):
        resolve_data(spec)


def resolve_data(spec: str, *, download: bool = True) -> DataSource:
    """Turns a `--data` value into a DataSource, downloading the URL once if needed."""
    if spec.startswith(WEB_SCHEMES):
        check_url(spec)
        if not download:
            raise DataError(f"{spec}: downloading is disabled")
        return DataSource("archive", download_archive(spec))
    if spec.rstrip("/").endswith("/" + spans.SPAN_PATTERN.split("/")[0]):  # ROOT/span-{SPAN}
        return DataSource("spans", spec.rstrip("/")[: -len(spans.SPAN_PATTERN.split("/")[0]) - 1])
    if spec.startswith(REMOTE_SCHEMES):
        kind = "archive" if spec.endswith(ARCHIVE_SUFFIXES) else "directory"
        return DataSource(kind, spec.rstrip("/"))

    path = os.path.abspath(os.path.expanduser(spec))
    if not os.path.exists(path):
        raise DataError(f"{spec}: no such file or directory (expected aclImdb_v1.tar.gz or an aclImdb/ directory)")
    if os.path.isfile(path):
        if not tarfile.is_tarfile(path):
            hint = (f"; a labelled file is a span's: put it in a folder DIR/span-0/ and give --data DIR (docs/spans.md)"
                    if path.lower().endswith(spans.LABELLED_SUFFIXES) else "")
            raise DataError(f"{path}: not a tar archive (expected aclImdb_v1.tar.gz){hint}")
        return DataSource("archive", path)
    try:
        if spans.is_span_root(path):
            spans.list_spans(path)  # every span-* folder named span-<N>
            return DataSource("spans", path)
    except ImdbDataError as e:
        raise DataError(str(e)) from None
    for root in (path, os.path.join(path, "aclImdb")):
        missing = [d for d in ("train", "test") if not os.path.isdir(os.path.join(root, d))]
        if not missing:
            return DataSource("directory", root)
    raise DataError(f"{path}: not an aclImdb directory: it has no train/ and test/ folders "
                    "(nor an aclImdb/ folder holding them), nor span folders span-<N>/")


def check_span_flags(source: DataSource, span: int | None, window: int = 1, drift_action: str | None = None) -> None:
    """DataError when --span, --window or a --drift-action (`drift_action`: as given, None for
    the default) is given for data without spans: one archive or aclImdb directory is one span,
    with no window and no spans before it to check drift against."""
    if not source.has_spans:
        for flag, value, default in (("--span", span, None), ("--window", window, 1),
                                     ("--drift-action", drift_action, None)):
            if value != default:
                raise DataError(f"{flag} {value}: {source.uri} has no span folders (span-<N>/)")


def check_span(source: DataSource, span: int | None, window: int = 1,
               drift_action: str | None = None) -> tuple[int, str] | None:
    """The (number, folder) of the span a run reads (`span`, or the newest), its contents checked
    (spans.span_kind; labelled files read whole, with ExampleGen's reader: a broken line stops
    the run before it starts, as a broken --test-data file does); None for data without spans (then neither `span` nor `window` may be
    given: check_span_flags) or remote spans (which TFX's driver finds at run time). DataError
    naming the folder or flag."""
    check_span_flags(source, span, window, drift_action)
    if not source.has_spans:
        return None
    if is_remote(source.uri):
        return None
    try:
        number, folder = spans.choose_span(source.uri, span)
        kind, files = spans.span_kind(folder)
        if kind == spans.LABELLED:
            from components.example_gen import labelled_files

            for path in files:
                labelled_files.read_rows(path)
    except ImdbDataError as e:
        raise DataError(str(e)) from None
    return number, folder


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
    except (OSError, http.client.HTTPException) as e:  # no network, unknown host, HTTP error, cut connection
        _remove(tmp)
        reason = getattr(e, "reason", None) or e
        raise DataError(f"{url}: cannot download it ({type(e).__name__}: {reason}); without a network, give "
                        f"--data a local copy of aclImdb_v1.tar.gz or an extracted aclImdb/ directory") from None
    except BaseException:
        _remove(tmp)
        raise
    return dest


def _remove(path: str) -> None:
    if os.path.exists(path):
        os.remove(path)


def _progress(label: str, done: int, total: int) -> None:
    mib = done / 2**20
    if total:
        width = 30
        filled = int(width * done / total)
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {mib:.1f}/{total / 2**20:.1f} MiB")
    else:
        sys.stderr.write(f"\r{label} {mib:.1f} MiB")
    sys.stderr.flush()
