"""The helpers of the start-up checks (app/cli/validation.py): a flag's value against its range,
a path the user gave. Each names the flag and the value in its UsageError; none imports
TensorFlow or writes anything."""
from __future__ import annotations

import argparse

import math
import os

from components.paths import REMOTE_SCHEMES, is_remote  # os only: no TensorFlow


class UsageError(ValueError):
    """A flag's value or a path the user gave is not usable; the message names the flag and the value."""


# ---- value helpers: each reads args.<flag>, skips a flag the subcommand lacks ----

def value(args: argparse.Namespace, flag: str):
    return getattr(args, flag.lstrip("-").replace("-", "_"), None)


def _number(args, flag: str):
    v = value(args, flag)
    if v is not None and isinstance(v, float) and not math.isfinite(v):
        raise UsageError(f"{flag} {v}: not a finite number")
    return v


def at_least(args, flag: str, low, why: str = "") -> None:
    v = _number(args, flag)
    if v is not None and v < low:
        raise UsageError(f"{flag} {v}: must be {low} or more{why}")


def in_range(args, flag: str, low, high, *, low_open: bool = False, high_open: bool = False, why: str = "") -> None:
    """low <= value <= high (< with low_open / high_open)."""
    v = _number(args, flag)
    if v is None:
        return
    if (v <= low if low_open else v < low) or (v >= high if high_open else v > high):
        interval = f"{'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise UsageError(f"{flag} {v}: must be in {interval}{why}")


def fraction(args, flag: str) -> None:
    in_range(args, flag, 0, 1, why=" (an accuracy)")


def positive(args, flag: str) -> None:
    v = _number(args, flag)
    if v is not None and v <= 0:
        raise UsageError(f"{flag} {v}: must be more than 0")


def beam_options(flag: str, beam_args: list[str]) -> None:
    """Beam's own parse of the --beam-arg values (its options' types and choices), here rather
    than in the first component's Beam job (status 4, the reason in the log only). Beam's
    options module imports neither TensorFlow nor TFX (about 3 s, paid once: the run needs it)."""
    import contextlib
    import io
    import warnings

    with warnings.catch_warnings():  # google-auth's and api-core's notes on versions
        warnings.simplefilter("ignore")
        from apache_beam.options.pipeline_options import PipelineOptions

        said = io.StringIO()
        try:
            with contextlib.redirect_stderr(said):
                PipelineOptions(list(beam_args)).get_all_options()
        except SystemExit:  # argparse's exit, after its usage and error lines
            error = said.getvalue().strip().splitlines()[-1] if said.getvalue().strip() else "refused"
            raise UsageError(f"{flag}: Beam refuses {' '.join(beam_args)}: "
                             f"{error.split('error: ', 1)[-1]}") from None


# ---- path helpers ----


def existing_file(flag: str, path: str, what: str = "a file") -> None:
    if is_remote(path):
        return
    if not os.path.exists(path):
        raise UsageError(f"{flag} {path}: no such file")
    if os.path.isdir(path):
        raise UsageError(f"{flag} {path}: a directory, not {what}")
    if not os.access(path, os.R_OK):
        raise UsageError(f"{flag} {path}: not readable")


def existing_dir(flag: str, path: str, what: str = "a directory") -> None:
    if is_remote(path):
        return
    if not os.path.exists(path):
        raise UsageError(f"{flag} {path}: no such directory")
    if not os.path.isdir(path):
        raise UsageError(f"{flag} {path}: a file, not {what}")


def container_path(flag: str, path: str | None, relative: bool = False) -> None:
    """A compiled pipeline's path, read where its containers run: a remote one names a bucket,
    a local one is absolute (unless `relative`)."""
    if path and is_remote(path) and not path.startswith(REMOTE_SCHEMES):
        raise UsageError(f"{flag} {path}: not a path the containers read (gs://, s3://, hdfs://, az://, or absolute)")
    if path and is_remote(path) and not path.split("://", 1)[1].split("/", 1)[0]:
        raise UsageError(f"{flag} {path}: names no bucket (gs://BUCKET/...)")
    if path and not relative and not is_remote(path) and not os.path.isabs(path):
        raise UsageError(f"{flag} {path}: a relative path; the containers need a gs:// (or absolute) path")


def writable_dir(flag: str, path: str, shown: str | None = None) -> None:
    """`path` is a directory that can be made and written: it, or its nearest existing
    ancestor, is a writable directory (nothing is created here). `shown`: the path the user gave."""
    if not path or is_remote(path):
        return
    shown = shown or path
    probe = os.path.abspath(path)
    if os.path.exists(probe) and not os.path.isdir(probe):
        raise UsageError(f"{flag} {shown}: {probe} is a file, not a directory")
    while not os.path.exists(probe):
        probe = os.path.dirname(probe)
    if not os.path.isdir(probe):
        raise UsageError(f"{flag} {shown}: {probe} is a file, not a directory")
    if not _writable(probe):
        raise UsageError(f"{flag} {shown}: {probe} is read-only (cannot write there)")


def writable_file(flag: str, path: str) -> None:
    """`path` is a file that can be written: not a directory, and its directory can be made."""
    if not path or is_remote(path):
        return
    if os.path.isdir(path):
        raise UsageError(f"{flag} {path}: a directory, not a file")
    writable_dir(flag, os.path.dirname(os.path.abspath(path)), path)
    if os.path.exists(path) and not _writable(path):
        raise UsageError(f"{flag} {path}: read-only (cannot write it)")


def _writable(path: str) -> bool:
    """Whether this process may write `path`. os.access alone says yes to root on a read-only
    file system or a kernel one (/sys, /proc), so the file system's flags are asked too, and in a
    directory an anonymous file (O_TMPFILE: never visible, gone when closed) is tried."""
    if not os.access(path, os.W_OK):
        return False
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return False
    except OSError:
        pass
    if os.path.isdir(path):
        import tempfile

        try:
            tempfile.TemporaryFile(dir=path).close()
        except OSError:
            return False
    return True
