"""The versions of a serving directory, as TF Serving reads them: `<serving dir>/<version>/`.

A version is a directory whose name is all digits (the Pusher names them by Unix time; other
entries, such as the Pusher's hidden staging directories `.<version>.<pid>.incomplete` or
stray files, are not versions). It is complete when it holds `saved_model.pb`, a
`variables/` directory and, if the variables are sharded, every shard: the Pusher renames a
whole staging directory into place, so a visible version is normally complete, but a copy by
other means (`cp -r`, `gsutil cp`) shows the directory before its files, and an interrupted
copy leaves it half-written; such a directory is passed over, never loaded.

`settled` is the server's extra guard for copies that are not renames: a version none of
whose files changed in the last few seconds is not being written any more.

A serving directory on an object store (gs://, as TF Serving's model_base_path takes one: where
a pipeline compiled for Kubeflow pushes) is read through tf.io.gfile; a local one through os.
"""
from __future__ import annotations

import os
import re
import time

from components.paths import is_number, is_remote, isdir, isfile, listdir

SHARD = re.compile(r"^variables\.data-(\d+)-of-(\d+)$", re.ASCII)


def is_complete(version_dir: str) -> bool:
    """saved_model.pb, variables/ and every variables shard the shard names promise."""
    variables = os.path.join(version_dir, "variables")
    if not (isfile(os.path.join(version_dir, "saved_model.pb")) and isdir(variables)):
        return False
    names = set(listdir(variables))
    counts = {int(m.group(2)) for m in map(SHARD.match, names) if m}
    return all(f"variables.data-{i:05d}-of-{n:05d}" in names for n in counts for i in range(n))


def all_versions(serving_dir: str) -> list[int]:
    """Every version directory under serving_dir (complete or not), oldest first; [] when
    serving_dir does not exist."""
    if not isdir(serving_dir):
        return []
    # On a bucket each isdir is a request, at every poll, per version ever pushed: not asked there
    # (a number that is an object, not a folder, fails is_complete like any incomplete version).
    remote = is_remote(serving_dir)
    # A version's folder is its number as written (no leading zeros): its path is rebuilt from it.
    return sorted(int(name) for name in listdir(serving_dir)
                  if is_number(name) and name == str(int(name)) and (remote or isdir(os.path.join(serving_dir, name))))


# A bucket's serving_dir -> the versions found complete at its last listing: a pushed version is
# not written again (the Pusher's move is atomic), so it is not checked again at every poll (there
# is_complete is 4 requests, per version ever pushed, every 2 s); a version no longer listed is
# forgotten, so a number removed and pushed again is checked again. A local directory is checked
# every time (a few stat calls), so a version whose files were removed is seen at once.
_found_complete: dict[str, set[int]] = {}


def complete_versions(serving_dir: str) -> list[int]:
    """The complete versions under serving_dir, oldest first."""
    remote = is_remote(serving_dir)
    known = _found_complete.get(serving_dir, set()) if remote else set()
    found = [v for v in all_versions(serving_dir) if v in known or is_complete(version_path(serving_dir, v))]
    if remote:
        _found_complete[serving_dir] = set(found)
    return found


def version_path(serving_dir: str, version: int) -> str:
    return os.path.join(serving_dir, str(version))


def latest(serving_dir: str) -> str:
    """The newest complete version's directory; FileNotFoundError (saying how many incomplete
    ones there are) when there is none."""
    complete = complete_versions(serving_dir)
    if not complete:
        versions = all_versions(serving_dir)
        incomplete = (f" ({len(versions)} incomplete version(s) without saved_model.pb and variables/)"
                      if versions else "")
        raise FileNotFoundError(f"{serving_dir}: no pushed model{incomplete} (was a model blessed and pushed?)")
    return version_path(serving_dir, complete[-1])


def last_modified(path: str) -> float:
    """The newest modification time of path and everything under it (on an object store, of
    the files under it: its folders are names, not objects with times)."""
    if is_remote(path):
        import tensorflow as tf

        newest = 0.0
        for folder, _, files in tf.io.gfile.walk(path):
            for name in files:
                try:
                    newest = max(newest, tf.io.gfile.stat(os.path.join(folder, name)).mtime_nsec / 1e9)
                except tf.errors.NotFoundError:  # removed while we looked: it is being changed
                    return time.time()
        return newest
    newest = os.stat(path).st_mtime
    for folder, dirs, files in os.walk(path):
        for name in dirs + files:
            try:
                newest = max(newest, os.stat(os.path.join(folder, name)).st_mtime)
            except FileNotFoundError:  # removed while we looked: it is being changed
                return time.time()
    return newest


def settled(path: str, quiet_seconds: float, now: float | None = None) -> bool:
    """True when nothing under path was modified in the last quiet_seconds."""
    return (time.time() if now is None else now) - last_modified(path) >= quiet_seconds
