"""A quiet console for `imdb-tfx run`: progress on the terminal, everything else in a log file.

While a run lasts, file descriptors 1 and 2 of the process point into a pipe, so that all the
components print (Keras' epochs, Beam's and TFMA's warnings, TensorFlow's C++ log lines such as
"Unable to register cuDNN factory", subprocesses' output) lands in the log file under the
pipeline root. The terminal gets the progress lines only (pipeline/progress.py writes them to
the stream this gives it), and on a terminal a status line that counts the seconds of the
running component and shows the Trainer's epochs as a bar (other components: their time
against how long they took last time, app/history.py). With `verbose`, everything is
streamed to the terminal as well.
"""
from __future__ import annotations

import contextlib
import os
import re
import sys
import threading
import time

from components.paths import is_remote

EPOCH = re.compile(rb"^Epoch (\d+)/(\d+)")
STARTED = re.compile(r"^\[\d+/\d+\] (\S+) \.\.\.$")
BAR = 20


def log_path(pipeline_root: str) -> str:
    """`<root>/logs/run-<UTC time>.log` for a local root; for a remote root (gs://...), the same
    name in the working directory's imdb-tfx-logs/."""
    base = os.path.join(pipeline_root, "logs") if not is_remote(pipeline_root) else "imdb-tfx-logs"
    os.makedirs(base, exist_ok=True)
    return os.path.join(base, time.strftime("run-%Y%m%d-%H%M%S.log", time.gmtime()))


class Terminal:
    """The progress stream: whole lines, and on a terminal one status line below them that is
    redrawn in place (the running component's seconds, the Trainer's epochs)."""

    def __init__(self, stream):
        self.stream, self.tty = stream, stream.isatty() if hasattr(stream, "isatty") else False
        self.lock = threading.Lock()
        self.component, self.started, self.epochs = None, 0.0, None
        # {component: seconds it took last time} (app/history.py): the bar of a component that
        # has no epochs to show is its elapsed time against that, as an estimate.
        self.estimates: dict[str, float] = {}
        self._status_shown = False

    def write(self, text: str) -> None:
        with self.lock:
            self._clear()
            self.stream.write(text)
            for line in text.splitlines():
                match = STARTED.match(line.strip())
                if match:
                    self.component, self.started, self.epochs = match.group(1), time.time(), None
                elif self.component and line.strip().startswith(f"{self.component} "):
                    self.component = None  # finished or skipped
            self._draw()
            self.stream.flush()

    def flush(self) -> None:
        self.stream.flush()

    def epoch(self, done: int, total: int) -> None:
        with self.lock:
            self.epochs = (done, total)
            self._redraw()

    def tick(self) -> None:
        with self.lock:
            self._redraw()

    def close(self) -> None:
        with self.lock:
            self._clear()
            self.component = None
            self.stream.flush()

    def _redraw(self) -> None:
        if self.tty and self.component:
            self._clear()
            self._draw()
            self.stream.flush()

    def _clear(self) -> None:
        if self._status_shown:
            self.stream.write("\r\033[K")
            self._status_shown = False

    def _draw(self) -> None:
        if not (self.tty and self.component):
            return
        elapsed = time.time() - self.started
        status = f"      {self.component} {elapsed:.0f} s"
        if self.epochs:
            done, total = self.epochs
            status += f"  epoch {done}/{total} {bar(done / max(total, 1))}"
        elif self.estimates.get(self.component):
            last = self.estimates[self.component]
            status += f"  {bar(min(elapsed / last, 0.99))} ~{min(elapsed / last, 0.99):.0%} of last run's {last:.0f} s"
        self.stream.write(status)
        self._status_shown = True


def bar(fraction: float) -> str:
    filled = int(BAR * max(0.0, min(fraction, 1.0)))
    return f"[{'#' * filled}{'.' * (BAR - filled)}]"


def writer_for(stream):
    """A line-buffered text stream to where `stream` writes now, that keeps writing there when
    fds 1 and 2 are redirected (a duplicate of its descriptor), or `stream` itself if it has
    none (pytest's capture)."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return stream
    return os.fdopen(os.dup(fd), "w", buffering=1, encoding="utf-8", errors="replace", closefd=True)


@contextlib.contextmanager
def quiet(log_file: str, verbose: bool = False):
    """Redirects fds 1 and 2 (and sys.stdout/sys.stderr) into `log_file` for the block; yields the
    Terminal to write progress to. With `verbose` the output is also copied to the terminal."""
    sys.stdout.flush()
    sys.stderr.flush()
    terminal = Terminal(writer_for(sys.stderr))
    saved_fds = os.dup(1), os.dup(2)
    saved_streams = sys.stdout, sys.stderr
    read_end, write_end = os.pipe()
    log = open(log_file, "ab", buffering=0)
    reader = threading.Thread(target=_copy, args=(read_end, log, terminal, verbose), daemon=True)
    reader.start()
    ticking = threading.Event()
    ticker = threading.Thread(target=_tick, args=(terminal, ticking), daemon=True)
    ticker.start()
    os.dup2(write_end, 1)
    os.dup2(write_end, 2)
    os.close(write_end)
    sys.stdout = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8", errors="replace")
    sys.stderr = os.fdopen(os.dup(2), "w", buffering=1, encoding="utf-8", errors="replace")
    try:
        yield terminal
    finally:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
            stream.close()
        sys.stdout, sys.stderr = saved_streams
        os.dup2(saved_fds[0], 1)
        os.dup2(saved_fds[1], 2)
        for fd in saved_fds:
            os.close(fd)
        ticking.set()
        reader.join(timeout=10)  # EOF once no process holds the pipe (a stray child may: then stop waiting)
        terminal.close()
        log.close()


def _copy(read_end: int, log, terminal: Terminal, verbose: bool) -> None:
    pending = b""
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        while True:
            chunk = pipe.read(65536)
            if not chunk:
                break
            log.write(chunk)
            if verbose:
                terminal.write(chunk.decode("utf-8", errors="replace"))
            lines = (pending + chunk).split(b"\n")
            pending = lines.pop()[-1000:]
            for line in lines:
                match = EPOCH.match(line.strip())
                if match:
                    terminal.epoch(int(match.group(1)), int(match.group(2)))


def _tick(terminal: Terminal, stop: threading.Event) -> None:
    while not stop.wait(1.0):
        terminal.tick()
