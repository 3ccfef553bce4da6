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

Written by hand: Python's logging handlers (RotatingFileHandler behind a QueueHandler) would
format a LogRecord per line and rename files on rotation, which a reader tailing the log trips
over; the writer here is ~100 lines of plain file I/O.
"""
from __future__ import annotations

import datetime
import os
import queue
import re
import threading
import time
import uuid
from typing import Optional

import json

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
# The writer drains the queue at most this often: woken by every record instead, it took the
# GIL from the event loop once per request (at ~2,000 requests/s, a cost in throughput).
DRAIN_INTERVAL = 0.2
FILE = re.compile(r"^requests-(\d{6,})\.jsonl$")
_STOP = object()


def log_files(directory: str) -> list[str]:
    """The request log files in `directory`, oldest first."""
    names = [(int(m.group(1)), name) for name in os.listdir(directory) if (m := FILE.match(name))]
    return [os.path.join(directory, name) for _, name in sorted(names)]


def request_id(v2_id: Optional[str], headers: Optional[dict]) -> str:
    """The V2 request's id, else the X-Request-ID header, else a new one."""
    if v2_id:
        return str(v2_id)
    if headers:
        given = headers.get("x-request-id") or headers.get("X-Request-ID")
        if given:
            return str(given)
    return uuid.uuid4().hex


def format_time(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class RequestLog:
    """`record(...)` from the request path; `close()` once the server has stopped."""

    def __init__(self, directory: str, max_bytes: int = DEFAULT_MAX_BYTES, flush_seconds: float = 1.0):
        if max_bytes < 1:
            raise ValueError(f"max_bytes must be at least 1 (got {max_bytes})")
        os.makedirs(directory, exist_ok=True)
        self.directory = directory
        self.max_bytes = max_bytes
        self.flush_seconds = flush_seconds
        self.lines = 0  # written so far
        self.files: list[str] = []
        self.error: Optional[BaseException] = None
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._file = None
        self._size = 0
        self._open_next()
        self._thread = threading.Thread(target=self._write_forever, name="request-log", daemon=True)
        self._thread.start()

    def record(self, request_id: str, texts: list, versioned: list, when: Optional[float] = None) -> None:
        """One request's answers: `versioned` is [(model version, {"probability", "label"(, "rating")})]
        per text, as the batcher returns them. Cheap: one queue put."""
        self._queue.put((time.time() if when is None else when, request_id, texts, versioned))

    def close(self, timeout: float = 60.0) -> None:
        """Writes everything recorded so far, fsyncs and closes the file."""
        if not self._thread.is_alive():
            return
        self._queue.put(_STOP)
        self._thread.join(timeout)

    def _open_next(self) -> None:
        existing = log_files(self.directory)
        number = int(FILE.match(os.path.basename(existing[-1])).group(1)) + 1 if existing else 1
        while True:
            path = os.path.join(self.directory, f"requests-{number:06d}.jsonl")
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
                break
            except FileExistsError:  # another server writes the same directory
                number += 1
        self._file = os.fdopen(fd, "ab", buffering=1024 * 1024)
        self._size = 0
        self.files.append(path)

    def _rotate(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._open_next()

    def _write_forever(self) -> None:
        stop = False
        while not stop:
            try:
                item = self._queue.get(timeout=self.flush_seconds)
            except queue.Empty:
                continue
            items = [item]
            while True:  # everything queued now goes out in one flush
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            for item in items:
                if item is _STOP:
                    stop = True
                    continue
                try:
                    self._write(item)
                except Exception as e:  # noqa: BLE001  (a full disk must not stop the server answering)
                    if self.error is None:
                        self.error = e
                        import logging

                        logging.getLogger("components.serving").error("request log: cannot write to %s: %s",
                                                                      self.directory, e)
            try:
                self._file.flush()
            except OSError:
                pass
            if not stop:
                time.sleep(min(DRAIN_INTERVAL, self.flush_seconds))  # let records gather: one wake-up for many
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
        finally:
            self._file.close()

    def _write(self, item) -> None:
        when, rid, texts, versioned = item
        stamp = format_time(when)
        for i, (text, (version, answer)) in enumerate(zip(texts, versioned)):
            line = _dumps({"time": stamp, "request_id": rid, "instance": i,
                           "model_version": None if version is None else str(version), "text": text,
                           **answer}) + b"\n"
            self._file.write(line)
            self._size += len(line)
            self.lines += 1
            if self._size >= self.max_bytes:
                self._rotate()
