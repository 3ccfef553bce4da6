"""The libraries' messages out of the terminal, for the subcommands that are not `run`.

Importing TensorFlow, TFX and TFMA and loading a model print lines a user reads as failures:
TensorFlow's C++ log ("Unable to register cuDNN factory", oneDNN notices), deprecation
warnings, absl's warnings. `imdb-tfx run` sends everything into its run's log file
(app/cli/console.py); `imdb-tfx predict` and `report` keep stdout for their output and send
file descriptor 2 (and sys.stderr), where all of those go, into a log file of their own under
the cache directory for the command's duration. The command's own lines ("imdb-tfx: ...")
go to the terminal through the stream this yields; the error line of a failure is printed by
app/cli/main.py after the block, on the restored stderr. With `verbose` nothing is redirected.
"""
from __future__ import annotations

import contextlib
import os
import sys
import time

from app.cli.console import writer_for


def log_file(command: str) -> str:
    """`<cache>/logs/<command>-<UTC time>.log` (components/paths.py: the cache directory)."""
    from components.paths import cache_dir

    folder = os.path.join(cache_dir(), "logs")
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, time.strftime(f"{command}-%Y%m%d-%H%M%S.log", time.gmtime()))


@contextlib.contextmanager
def quiet_stderr(command: str, verbose: bool = False):
    """fd 2 and sys.stderr into log_file(command) for the block; yields the terminal's stderr
    for the command's own lines. The log file is removed when nothing was written to it."""
    if verbose:
        yield sys.stderr
        return
    path = log_file(command)
    sys.stderr.flush()
    terminal = writer_for(sys.stderr)  # keeps writing to the terminal once fd 2 is redirected
    saved_stream, saved_fd = sys.stderr, os.dup(2)
    log_fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    # Not closed afterwards: a logging handler created in the block may still hold it.
    sys.stderr = os.fdopen(os.dup(2), "w", buffering=1, encoding="utf-8", errors="replace")
    try:
        yield terminal
    finally:
        sys.stderr.flush()
        sys.stderr = saved_stream
        os.dup2(saved_fd, 2)
        os.close(saved_fd)
        if terminal is not saved_stream:
            terminal.close()
        if os.path.exists(path) and os.path.getsize(path) == 0:
            os.remove(path)
