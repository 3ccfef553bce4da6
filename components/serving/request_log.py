"""The request log: every prediction the server answers, as JSON lines, written off the request path.

`imdb-tfx serve --request-log DIR` records, per review it answers, one line
    {"time": "2026-12-03T17:25:01.123456Z", "request_id": "...", "instance": 0,
     "model_version": "3", "text": "...", "probability": 0.93, "label": "positive"}
(and "rating" for a regression model). `instance` is the review's place in its request (a V1
request may carry many); `request_id` is the V2 request's id, else the X-Request-ID header,
else one the server draws; `model_version` is the version that answered (null for a
--model-dir model). This is what KServe's payload logger and TF Serving's PredictionLog record,
in a form `imdb-tfx monitor` (app/monitor/) reads back without TensorFlow.

The request path only puts one tuple per request on a queue (`record`); a writer thread
drains the queue every DRAIN_INTERVAL (0.2 s), encodes and writes the lines and flushes them
to the operating system, so a line is in the file within a second of its answer and survives
the server process being killed. Files are `requests-000001.jsonl`,
`requests-000002.jsonl`, ... (numbers continue after the ones already in DIR, so a restarted
server appends new files and two servers given the same DIR never write the same file); a
file is closed and the next one opened once it holds `max_bytes`. `close()` (the server calls
it after a clean stop, SIGTERM or SIGINT: the requests in flight have been answered by then)
writes what is queued, fsyncs and closes: every answered prediction is in the log, once.

On an object store (`--request-log gs://BUCKET/DIR`), where a file cannot be appended to,
each file is written locally and copied there whole once closed (components/serving/log_upload.py),
named by its closing time; files are then also closed by age (`max_seconds`, default
DEFAULT_REMOTE_MAX_SECONDS), so the bucket is about that far behind, and a server killed
without a stop (SIGKILL, a lost node) loses about that much (and what waits for a copy while
the bucket cannot be reached). A local log can be rotated by age too.

Written by hand: Python's logging handlers (RotatingFileHandler behind a QueueHandler) would
format a LogRecord per line and rename files on rotation, which a reader tailing the log trips
over; the writer here is ~100 lines of plain file I/O.
"""
from __future__ import annotations

import datetime
import itertools
import math
import os
import queue
import re
import threading
import time
from typing import Optional

import json

from components import paths

try:
    import orjson
except ImportError:  # pragma: no cover  (orjson comes with kserve)
    orjson = None


def _dumps(value) -> bytes:
    if orjson is not None:
        try:
            return orjson.dumps(value)
        except TypeError:  # a lone surrogate in a text: orjson refuses it, json escapes it
            pass
    return json.dumps(value).encode()

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_REMOTE_MAX_SECONDS = 60.0  # an object-store log's files are closed (and copied) at least this often
# The writer drains the queue at most this often: woken by every record instead, it took the
# GIL from the event loop once per request (at ~2,000 requests/s, a cost in throughput).
DRAIN_INTERVAL = 0.2
# requests-000001.jsonl (a local log's numbers) or requests-<16-digit closing time>-<hex>.jsonl
# (an object store's: log_upload.closed_file_name)
FILE = re.compile(r"^requests-(\d{6,})(-[0-9a-f]{8})?\.jsonl$", re.ASCII)
_STOP = object()


def log_files(directory: str) -> list[str]:
    """The request log files in `directory` (local or remote), oldest first."""
    names = [(int(m.group(1)), name) for name in paths.listdir(directory) if (m := FILE.match(name))]
    return [f"{directory.rstrip('/')}/{name}" if paths.is_remote(directory) else os.path.join(directory, name)
            for _, name in sorted(names)]


def closing_time(path: str) -> Optional[float]:
    """The closing time (seconds) in the name of an object store's log file, None for a local
    log's numbered file."""
    match = FILE.match(os.path.basename(path))
    return int(match.group(1)) / 1_000_000 if match and match.group(2) else None


# A drawn request id: this process's random 64 bits, then a count (32 hex digits, as a uuid4's
# hex): unique across servers and restarts, and 0.5 µs on the request path against uuid4's 4-5.
_ID_PREFIX = os.urandom(8).hex()
_id_count = itertools.count()


def request_id(v2_id: Optional[str], headers: Optional[dict]) -> str:
    """The V2 request's id, else the X-Request-ID header, else a new one."""
    if v2_id:
        return str(v2_id)
    if headers:
        given = headers.get("x-request-id") or headers.get("X-Request-ID")
        if given:
            return str(given)
    return f"{_ID_PREFIX}{next(_id_count):016x}"


_second = (None, "")  # (a whole second, its formatted date and time): one strftime a second, not a line


def format_time(seconds: float) -> str:
    """`seconds` as 2026-12-03T17:25:01.123456Z (UTC), rounded to the microsecond as datetime
    rounds it. The writer formats every line's time: datetime's strftime was half its time."""
    global _second
    fraction, whole = math.modf(seconds)
    micro = round(fraction * 1e6)
    if micro >= 1_000_000:
        whole, micro = whole + 1, micro - 1_000_000
    elif micro < 0:  # before 1970
        whole, micro = whole - 1, micro + 1_000_000
    cached, text = _second
    if cached != whole:
        text = datetime.datetime.fromtimestamp(whole, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        _second = (whole, text)
    return f"{text}.{micro:06d}Z"


class RequestLog:
    """`record(...)` from the request path; `close()` once the server has stopped. `max_seconds`:
    close a file once it is that old (None: by size only; on an object store by default
    DEFAULT_REMOTE_MAX_SECONDS)."""

    def __init__(self, directory: str, max_bytes: int = DEFAULT_MAX_BYTES, flush_seconds: float = 1.0,
                 max_seconds: Optional[float] = None):
        if max_bytes < 1:
            raise ValueError(f"max_bytes must be at least 1 (got {max_bytes})")
        self.remote = paths.is_remote(directory)
        if max_seconds is None and self.remote:
            max_seconds = DEFAULT_REMOTE_MAX_SECONDS
        if max_seconds is not None and max_seconds <= 0:
            raise ValueError(f"max_seconds must be above 0 (got {max_seconds})")
        self.directory = directory
        self.max_bytes = max_bytes
        self.max_seconds = max_seconds
        self.flush_seconds = flush_seconds
        self.lines = 0  # answered predictions recorded so far (counted on the request path)
        self.written = 0  # of those, flushed to the file (on gs://: to the staging file, uploader says the rest)
        self._unflushed = 0
        self._counting = threading.Lock()
        self._next_number = None  # a local log's next file number (the directory is listed once)
        self.files: list[str] = []  # local files written (a remote log's: uploader.uploaded)
        self.error: Optional[BaseException] = None
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._file = None
        self._path = ""
        self._size = 0
        self._opened = 0.0
        self.uploader = None
        if self.remote:
            from components.serving.log_upload import Uploader

            self.uploader = Uploader(directory)  # files opened at their first line
        else:
            os.makedirs(directory, exist_ok=True)
            self._open_next()
        self._thread = threading.Thread(target=self._write_forever, name="request-log", daemon=True)
        self._thread.start()

    def record(self, request_id: str, texts: list, versioned: list, when: Optional[float] = None) -> None:
        """One request's answers: `versioned` is [(model version, {"probability", "label"(, "rating")})]
        per text, as the batcher returns them. Cheap: one queue put."""
        with self._counting:
            self.lines += len(texts)
        self._queue.put((time.time() if when is None else when, request_id, texts, versioned))

    def close(self, timeout: float = 60.0) -> None:
        """Writes everything recorded so far, fsyncs and closes the file (on an object store:
        copies it there)."""
        if not self._thread.is_alive():
            return
        self._queue.put(_STOP)
        self._thread.join(timeout)
        if self._thread.is_alive() and self.error is None:  # what it had not written is lost with the process
            self.error = TimeoutError(f"the writer had not written everything {timeout:.0f} s after the stop")

    def _open_next(self) -> None:
        if self.uploader is not None:
            self._path = self.uploader.local_path()
            fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
        else:
            if self._next_number is None:  # listed once: a rotation per listing grew with the directory
                existing = log_files(self.directory)
                self._next_number = int(FILE.match(os.path.basename(existing[-1])).group(1)) + 1 if existing else 1
            number = self._next_number
            while True:
                self._path = os.path.join(self.directory, f"requests-{number:06d}.jsonl")
                try:
                    fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
                    break
                except FileExistsError:  # another server writes the same directory
                    number += 1
            self._next_number = number + 1
            self.files.append(self._path)
        self._file = os.fdopen(fd, "ab", buffering=1024 * 1024)
        self._size = 0

    def _close_file(self) -> None:
        """The open file flushed, fsynced and closed; on an object store copied there (or, empty,
        removed). A flush that fails leaves the file open with its lines, tried again at the next
        rotation or the stop (as before any file was closed)."""
        if self._file is None:
            return
        self._flush()
        os.fsync(self._file.fileno())
        closing, self._file = self._file, None
        try:
            closing.close()
        except OSError:  # flushed above: nothing is left in its buffer
            pass
        if self.uploader is not None:
            if self._size:
                self.uploader.ship(self._path)
            else:
                os.remove(self._path)

    def _rotate(self) -> None:
        self._close_file()
        if self.uploader is None:
            self._open_next()  # a local log has its next file at once (a remote one at its first line)

    def _write_forever(self) -> None:
        stop = False
        while not stop:
            try:
                items = [self._queue.get(timeout=self.flush_seconds)]
            except queue.Empty:
                items = []
            while items:  # everything queued now goes out in one flush
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            for item in items:
                if item is _STOP:
                    stop = True
                    continue
                self._guarded(self._write, item)
            if self._file is not None:
                self._guarded(self._flush)  # a full disk: said once, and the lines not counted as written
            if (not stop and self.max_seconds is not None and self._size
                    and time.time() - self._opened >= self.max_seconds):
                self._guarded(self._rotate)
            if not stop and items:
                time.sleep(min(DRAIN_INTERVAL, self.flush_seconds))  # let records gather: one wake-up for many
        self._guarded(self._close_file)
        if self.uploader is not None:
            if self._file is not None:  # it could not be closed: what reached the disk, copied or kept
                self._guarded(self.uploader.ship, self._path)
            self.uploader.close()

    def _flush(self) -> None:
        self._file.flush()
        self.written += self._unflushed
        self._unflushed = 0

    def _guarded(self, write, *args) -> None:
        try:
            write(*args)
        except Exception as e:  # noqa: BLE001  (a full disk must not stop the server answering)
            if self.error is None:
                self.error = e
                import logging

                logging.getLogger("components.serving").error("request log: cannot write to %s: %s",
                                                              self.directory, e)

    def _write(self, item) -> None:
        when, rid, texts, versioned = item
        stamp = format_time(when)
        for i, (text, (version, answer)) in enumerate(zip(texts, versioned)):
            line = _dumps({"time": stamp, "request_id": rid, "instance": i,
                           "model_version": None if version is None else str(version), "text": text,
                           **answer}) + b"\n"
            if self._file is None:
                self._open_next()
            if not self._size:
                self._opened = time.time()  # a file's age counts from its first line
            self._file.write(line)
            self._size += len(line)
            self._unflushed += 1
            if self._size >= self.max_bytes:
                self._rotate()
