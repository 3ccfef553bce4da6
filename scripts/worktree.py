"""A commit's code beside this tree's, for the benchmarks that compare them in one invocation: a
detached git worktree, removed afterwards."""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class WorktreeError(ValueError):
    """git could not make the worktree (the message names the commit)."""


@contextlib.contextmanager
def commit_tree(commit: str, path: str):
    """A worktree of `commit` at `path` (emptied first), removed on leaving; WorktreeError naming
    the commit when git cannot make it."""
    shutil.rmtree(path, ignore_errors=True)
    added = subprocess.run(["git", "-C", ROOT, "worktree", "add", "--detach", "-f", path, commit],
                           capture_output=True, text=True)
    if added.returncode:
        said = added.stderr.strip().splitlines() or [f"git worktree add failed (status {added.returncode})"]
        raise WorktreeError(f"--commit {commit}: {said[-1]}")
    try:
        yield path
    finally:
        subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", path], capture_output=True)
