"""One run at a time per metadata store and pipeline root.

A run holds an exclusive lock (fcntl.flock) on `<store>.lock` and `<root>.lock` for as long as
it lasts. The kernel releases it when the process exits, however it exits (a killed run leaves
no stale lock); the file keeps the holder's pid, host, start time and command for the message a
second run prints while it waits, or the error it gives with wait=False.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import sys
import time

from components.paths import is_number, is_remote


class RunLockedError(RuntimeError):
    """Another run holds the lock (and the caller would not wait)."""


class LockFileError(ValueError):
    """The lock file cannot be made: the store's or root's directory is read-only or not a directory."""


# Lock files this process holds: taking one again (the CLI around a runner that locks too) is a
# no-op, where a second flock on a new descriptor would wait for ourselves.
_HELD: set[str] = set()


def lock_paths(metadata_path: str, pipeline_root: str) -> list[str]:
    """The lock files of a run: its store's and its root's (local paths only), in a fixed order."""
    paths = {os.path.abspath(p.rstrip("/")) + ".lock" for p in (metadata_path, pipeline_root) if p and not is_remote(p)}
    return sorted(paths)


def _holder(path: str) -> str:
    try:
        with open(path) as f:
            info = json.load(f)
        started = time.strftime("%H:%M:%S", time.localtime(info["started"]))
        return f"pid {info['pid']} on {info['host']}, started {started}: {info['command']}"
    except (OSError, ValueError, KeyError):
        return "another run"


def _locked(path: str, holder: str) -> RunLockedError:
    return RunLockedError(f"{path[:-len('.lock')]} is in use by {holder}: one run at a time per store and "
                          "pipeline root (without --no-wait, this run would wait)")


def check_not_locked(metadata_path: str, pipeline_root: str) -> None:
    """RunLockedError at once when another run holds one of the run's locks (`--no-wait`, before
    a run writes its first line or its log); creates nothing. The run still takes its locks."""
    for path in lock_paths(metadata_path, pipeline_root):
        if path in _HELD or not os.path.exists(path):
            continue
        _a_file(path)
        try:
            f = open(path, "a")  # neither truncated nor created
        except OSError:
            continue  # taking the lock will say why
        with f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise _locked(path, _holder(path)) from None


@contextlib.contextmanager
def _one(path: str, wait: bool, stream, poll_s: float):
    if path in _HELD:
        yield
        return
    _a_file(path)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        f = open(path, "a+")
    except OSError as e:
        raise LockFileError(f"{path}: cannot write the run lock ({e.strerror}): the directory of the metadata "
                            "store and of the pipeline root must be writable") from None
    try:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(path)
            if not wait:
                raise _locked(path, holder) from None
            stream.write(f"imdb-tfx: waiting for {holder} to finish with {path[:-len('.lock')]}\n")
            stream.flush()
            while True:
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    time.sleep(poll_s)
        try:
            f.seek(0)
            f.truncate()
            json.dump({"pid": os.getpid(), "host": socket.gethostname(), "started": time.time(),
                       "command": " ".join(sys.argv)}, f)
            f.flush()
        except OSError as e:  # a full disk: the run would fail to write anything else either
            raise LockFileError(f"{path}: cannot write the run lock ({e.strerror})") from None
        _HELD.add(path)
        try:
            yield
        finally:
            _HELD.discard(path)
    finally:
        try:
            f.close()  # releases the lock
        except OSError:  # what a full disk kept in the buffer: the lock is released all the same
            pass


def check_lock_files(metadata_path: str, pipeline_root: str) -> None:
    """LockFileError when a run lock's path is taken by something other than a file."""
    for path in lock_paths(metadata_path, pipeline_root):
        _a_file(path)


def _a_file(path: str) -> None:
    """LockFileError for a lock path that is something other than a file (opening a FIFO would
    wait for a writer for ever)."""
    if os.path.exists(path) and not os.path.isfile(path):
        what = "a directory" if os.path.isdir(path) else "not a regular file"
        raise LockFileError(f"{path}: the run lock's path is {what}: remove it (a run writes its lock there)")


@contextlib.contextmanager
def run_lock(metadata_path: str, pipeline_root: str, *, wait: bool = True, stream=None,
             poll_s: float = 0.5):
    """Holds the run's locks (see lock_paths) while the block runs; waits for another run to
    finish, or with wait=False raises RunLockedError at once."""
    with contextlib.ExitStack() as stack:
        for path in lock_paths(metadata_path, pipeline_root):
            stack.enter_context(_one(path, wait, stream or sys.stderr, poll_s))
        yield


class StoreRootError(ValueError):
    """The metadata store holds the runs of another pipeline root."""


def check_store_root(metadata_path: str, pipeline_root: str) -> None:
    """Refuses a run into `pipeline_root` on a store that holds another root's runs: TFX's cache
    key has no pipeline root in it, so such a run would silently reuse the other root's outputs
    (and compare with, and push after, that root's models). One store per root (the default:
    ROOT.metadata.sqlite beside each root); docs/errors.md. The store is read with sqlite3
    (MLMD's `Artifact` table), read-only; a store with no artifacts yet is any root's."""
    import sqlite3

    if is_remote(pipeline_root) or not os.path.isfile(metadata_path) or not os.path.getsize(metadata_path):
        return
    try:
        with contextlib.closing(sqlite3.connect(f"file:{os.path.abspath(metadata_path)}?mode=ro", uri=True)) as db:
            uris = [row[0] for row in db.execute("SELECT uri FROM Artifact ORDER BY id DESC LIMIT 200")]
    except sqlite3.Error:
        return  # not an MLMD store (yet): the run's own store checks say so
    roots = set()
    for uri in uris:  # a component's output: <root>/<node>/<output key>/<execution id>
        if uri and not is_remote(uri) and is_number(os.path.basename(uri.rstrip("/"))):
            roots.add(os.path.normpath(os.path.abspath(uri.rstrip("/") + "/../../..")))
    root = os.path.normpath(os.path.abspath(pipeline_root))
    if roots and root not in roots:
        other = sorted(roots)[0]
        raise StoreRootError(f"{metadata_path}: this metadata store holds the runs of pipeline root {other}; a run "
                             f"into {pipeline_root} would reuse that root's outputs from the cache: give "
                             f"--pipeline-root {other}, or a --metadata-path of its own (by default each root "
                             "has its own store beside it)")
