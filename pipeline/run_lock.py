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


class RunLockedError(RuntimeError):
    """Another run holds the lock (and the caller would not wait)."""


# Lock files this process holds: taking one again (the CLI around a runner that locks too) is a
# no-op, where a second flock on a new descriptor would wait for ourselves.
_HELD: set[str] = set()


def lock_paths(metadata_path: str, pipeline_root: str) -> list[str]:
    """The lock files of a run: its store's and its root's (local paths only), in a fixed order."""
    paths = {os.path.abspath(p.rstrip("/")) + ".lock" for p in (metadata_path, pipeline_root) if p and "://" not in p}
    return sorted(paths)


def _holder(path: str) -> str:
    try:
        with open(path) as f:
            info = json.load(f)
        started = time.strftime("%H:%M:%S", time.localtime(info["started"]))
        return f"pid {info['pid']} on {info['host']}, started {started}: {info['command']}"
    except (OSError, ValueError, KeyError):
        return "another run"


@contextlib.contextmanager
def _one(path: str, wait: bool, stream, poll_s: float):
    if path in _HELD:
        yield
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    f = open(path, "a+")
    try:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(path)
            if not wait:
                raise RunLockedError(f"{path[:-len('.lock')]} is in use by {holder}: one run at a time "
                                     "per store and pipeline root (without --no-wait, this run would wait)") from None
            stream.write(f"imdb-tfx: waiting for {holder} to finish with {path[:-len('.lock')]}\n")
            stream.flush()
            while True:
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    time.sleep(poll_s)
        f.seek(0)
        f.truncate()
        json.dump({"pid": os.getpid(), "host": socket.gethostname(), "started": time.time(),
                   "command": " ".join(sys.argv)}, f)
        f.flush()
        _HELD.add(path)
        try:
            yield
        finally:
            _HELD.discard(path)
    finally:
        f.close()  # releases the lock


@contextlib.contextmanager
def run_lock(metadata_path: str, pipeline_root: str, *, wait: bool = True, stream=None,
             poll_s: float = 0.5):
    """Holds the run's locks (see lock_paths) while the block runs; waits for another run to
    finish, or with wait=False raises RunLockedError at once."""
    with contextlib.ExitStack() as stack:
        for path in lock_paths(metadata_path, pipeline_root):
            stack.enter_context(_one(path, wait, stream or sys.stderr, poll_s))
        yield
