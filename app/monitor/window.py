"""Reading a window of the model server's request log (components/serving/request_log.py) back.

`read_window(directory, since, last)` returns the logged predictions at or after `since` (a
UTC time), the last `last` of them when given, oldest first. Files are read newest first and
reading stops once the window is full, so the cost follows the window, not the log's size. A
last line without its newline in the newest file is one the server is still writing: skipped.
Any other line that is not a logged prediction is an input error naming the file and line.
A log on an object store (gs://) holds files named by their closing time, from any number of
servers (components/serving/log_upload.py): every line of one is at or before that time, so
reading stops at a file closed before the window, or once the window's `last` lines are all
newer than the next file's closing time; the lines are put in time order. A local log's files
are taken newest first by the time of their last line (read from each file's end), the same
rule: numbered in the order they were opened, two servers' files in one folder overlap in time.
"""
from __future__ import annotations

import dataclasses
import heapq
import datetime
import json
import os
import re

from components import paths
from components.serving.request_log import closing_time, format_time, log_files

FIELDS = ("time", "request_id", "instance", "text", "probability")
READ_AHEAD = 16  # a remote log's files read at once
RELATIVE = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$", re.ASCII)
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
LINE_TIME = re.compile(rb'^\{"time":\s*"([^"]+)"')  # the writer's first field


class LogError(ValueError):
    """A request log that cannot be read; the message names the file (and line)."""


@dataclasses.dataclass
class Prediction:
    time: str  # ISO 8601, UTC ("...Z"): compares as text
    request_id: str
    instance: int
    model_version: str | None
    text: str
    probability: float
    label: str


def parse_since(value: str, now: datetime.datetime | None = None) -> str:
    """`--since`: an ISO 8601 time (UTC unless it says otherwise: 2026-12-03T10:00,
    2026-12-03 10:00:00+01:00, 2026-12-03) or an age (30m, 2h, 1d, 1w); the log's time format back.
    ValueError naming the flag."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    match = RELATIVE.match(value.strip().lower())
    try:
        if match:
            when = now - datetime.timedelta(seconds=float(match.group(1)) * UNIT_SECONDS[match.group(2)])
        else:
            try:
                when = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                raise ValueError(f"--since {value!r}: not a time (e.g. 2026-12-03T10:00, in UTC unless an offset "
                                 "is given) or an age (30m, 2h, 1d)") from None
            if when.tzinfo is None:
                when = when.replace(tzinfo=datetime.timezone.utc)
        when = when.astimezone(datetime.timezone.utc)  # the year padded: times compare as strings
        return f"{when.year:04d}" + when.strftime("-%m-%dT%H:%M:%S.%fZ")
    except OverflowError:  # an age before year 1, a time whose offset takes it out of years 1-9999
        raise ValueError(f"--since {value!r}: out of the range of dates (years 1-9999, in UTC)") from None


def _parse(path: str, number: int, line: str) -> Prediction:
    try:
        row = json.loads(line)
    except ValueError as e:
        raise LogError(f"{path}:{number}: not a JSON line ({e.msg})") from None
    if not isinstance(row, dict) or any(key not in row for key in FIELDS):
        missing = [k for k in FIELDS if not isinstance(row, dict) or k not in row]
        raise LogError(f"{path}:{number}: not a logged prediction (lacks {', '.join(missing)})")
    if not isinstance(row["text"], str) or not isinstance(row["probability"], (int, float)):
        raise LogError(f"{path}:{number}: not a logged prediction (text must be a string, probability a number)")
    version = row.get("model_version")
    return Prediction(str(row["time"]), str(row["request_id"]), int(row["instance"]),
                      None if version is None else str(version), row["text"], float(row["probability"]),
                      str(row.get("label", "")))


def read_bytes(path: str) -> bytes:
    """A log file's bytes; a remote one's through tf.io.gfile (its errors: LogError naming the file)."""
    if not paths.is_remote(path):
        with open(path, "rb") as f:
            return f.read()
    import tensorflow as tf

    try:
        return paths.read_if_exists(path) or b""
    except tf.errors.OpError as e:
        raise LogError(f"{path}: cannot read it: {e.message.strip().splitlines()[0]}") from None


def read_file(path: str, content: bytes | None = None) -> list[Prediction]:
    """The file's predictions. The server ends every line with a newline, so a last line without
    one is half written (still being written in the newest file, or cut by a crash or a full
    disk in a closed one): it is left out, before decoding (it may end inside a character)."""
    content = read_bytes(path) if content is None else content
    content = content[:content.rfind(b"\n") + 1]
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as e:
        line = content.count(b"\n", 0, e.start) + 1
        column = e.start - (content.rfind(b"\n", 0, e.start) + 1) + 1
        raise LogError(f"{path}:{line}: invalid UTF-8 (byte {column} of the line)") from None
    return [_parse(path, i, line) for i, line in enumerate(text.split("\n"), 1) if line.strip()]


def _last_time(path: str, chunk: int = 1 << 16) -> str:
    """The time of a local log file's last whole line ("" for a file with none): read from its
    end, a chunk at a time until a whole line is found."""
    with open(path, "rb") as f:
        end = f.seek(0, os.SEEK_END)
        start = end
        while start > 0:
            start = max(0, start - chunk)
            f.seek(start)
            tail = f.read(end - start)
            lines = tail[:tail.rfind(b"\n")].split(b"\n")  # whole lines (the last may be half written)
            for line in reversed(lines[1:] if start else lines):  # a chunk's first line may be cut
                match = LINE_TIME.search(line)
                if match:
                    return match.group(1).decode()
    return ""


def _listed(directory: str) -> list[str]:
    """The directory's log files, oldest first; FileNotFoundError / LogError naming it."""
    if not paths.is_remote(directory):
        if not os.path.isdir(directory):
            what = "not a directory" if os.path.exists(directory) else "no such directory"
            raise FileNotFoundError(f"{directory}: {what} (--request-log)")
        return log_files(directory)
    import tensorflow as tf

    try:  # exists() raises for a bucket it may not read (listdir would say "not found")
        if not tf.io.gfile.exists(directory):
            raise FileNotFoundError(f"{directory}: no such directory (--request-log)")
        return log_files(directory)
    except tf.errors.OpError as e:
        raise LogError(f"{directory}: cannot list it: {e.message.strip().splitlines()[0]} (--request-log)") from None


def _contents(files: list[str]):
    """(path, bytes) of `files` in order; a remote log's read READ_AHEAD at a time, in parallel
    (a file closed every minute by each server: a day of traffic is thousands of objects)."""
    if not files or not paths.is_remote(files[0]):
        yield from ((path, None) for path in files)  # read when parsed
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(READ_AHEAD) as pool:
        for start in range(0, len(files), READ_AHEAD):
            chunk = files[start:start + READ_AHEAD]
            yield from zip(chunk, pool.map(read_bytes, chunk))


def read_window(directory: str, since: str | None = None, last: int | None = None) -> list[Prediction]:
    """The logged predictions of the window, oldest first (see the module doc)."""
    files = _listed(directory)
    if not files:
        raise LogError(f"{directory}: no request log files (requests-NNNNNN.jsonl, written by "
                       "`imdb-tfx serve --request-log DIR`)")
    # Each file's closing time as the log writes times (None: not known, read it).
    if paths.is_remote(directory):  # named by their closing time
        ends = {p: None if (c := closing_time(p)) is None else format_time(c) for p in files}
        newest_first = list(reversed(files))
    else:  # by their last line's time, in the log's own clock
        ends = {p: _last_time(p) for p in files}
        newest_first = sorted(files, key=ends.get, reverse=True)
    if since is not None:  # files closed before the window: none of their lines is in it
        newest_first = [p for p in newest_first if ends[p] is None or ends[p] >= since]
    by_file: list[list[Prediction]] = []  # newest file first
    count = 0
    newest: list[str] = []  # a min-heap of the `last` newest times read so far
    for i, (path, content) in enumerate(_contents(newest_first)):
        closed = ends[path]
        if closed is not None and last and len(newest) >= last and newest[0] >= closed:
            break  # the window's `last` lines are all newer than this file's newest
        every = read_file(path, content=content)
        rows = every if since is None else [r for r in every if r.time >= since]
        by_file.append(rows)
        count += len(rows)
        for row in rows if last else ():
            (heapq.heappush if len(newest) < last else heapq.heappushpop)(newest, row.time)
        if closed is None and ((last is not None and count >= last) or len(rows) < len(every)):
            break  # the window is full, or this file starts before it: so do the ones before it
    # In time order; stable, from the files in order: one server's lines (a request's split over
    # two files, its instances at one time) keep theirs.
    window = sorted((r for rows in reversed(by_file) for r in rows), key=lambda r: r.time)
    return window[-last:] if last is not None and last > 0 else window
