"""The request log (components/serving/request_log.py): its lines, rotation, flushing within a
second, nothing lost or written twice, and a real server that logs every answered prediction
of V1 and V2 requests and still has them all after a SIGTERM under load, having answered
every request until it stopped."""
import concurrent.futures
import datetime
import errno
import http.client
import json
import os
import time
import urllib.request

import pytest

from components.serving.request_log import RequestLog, format_time, log_files, request_id
from tests.helpers import models
from tests.unit.components.serving.server_process import start_server


def read_lines(directory) -> list[dict]:
    return [json.loads(line) for path in log_files(str(directory)) for line in open(path, encoding="utf-8")]


def answers(n, version=3):
    return [(version, {"probability": 0.25 + i / (4 * n), "label": "negative"}) for i in range(n)]


def test_lines_have_every_field_and_close_writes_everything_once(tmp_path):
    log = RequestLog(str(tmp_path))
    for r in range(200):
        log.record(f"r{r}", [f"text {r} a", f"text {r} b é"], answers(2))
    log.record("model-dir", ["one \ud800"], [(None, {"probability": 0.9, "label": "positive", "rating": 8.1})])
    log.close()
    lines = read_lines(tmp_path)
    assert len(lines) == 401 == log.lines == log.written and log.error is None
    assert len({(x["request_id"], x["instance"]) for x in lines}) == 401
    first = lines[0]
    assert set(first) == {"time", "request_id", "instance", "model_version", "text", "probability", "label"}
    assert (first["request_id"], first["instance"], first["model_version"], first["text"]) == ("r0", 0, "3", "text 0 a")
    assert first["time"].endswith("Z") and first["time"][:2] == "20"
    assert lines[1]["text"] == "text 0 b é" and lines[1]["instance"] == 1
    assert lines[-1]["model_version"] is None and lines[-1]["rating"] == 8.1


def test_lines_a_full_disk_did_not_take_are_not_counted_as_written(tmp_path):
    """A flush that fails (ENOSPC: the file swapped for /dev/full, which refuses every write) is
    said once in `error`, and the lines it held are not counted as written (the server's last
    line reports both counts)."""
    log = RequestLog(str(tmp_path), flush_seconds=0.05)
    log.record("a", ["written"], answers(1))
    deadline = time.time() + 10
    while log.written < 1 and time.time() < deadline:
        time.sleep(0.05)
    log._file = open("/dev/full", "ab", buffering=1024 * 1024)  # the disk is full from here on
    for r in range(5):
        log.record(f"r{r}", ["lost"], answers(1))
    for r in range(2000):  # past the file's 1 MiB buffer: writes themselves fail
        log.record(f"big{r}", ["x" * 1000], answers(1))
    log.close()
    assert (log.lines, log.written) == (2006, 1)  # every answered prediction counted, one written
    assert isinstance(log.error, OSError) and log.error.errno == errno.ENOSPC
    assert [x["request_id"] for x in read_lines(tmp_path)] == ["a"]


def test_times_are_formatted_as_datetime_formats_them_within_a_second_and_across_seconds():
    # format_time keeps each second's date and time (the writer formats every line's time)
    starts = [1_800_000_000.0, 1_799_999_999.9999996, 951_782_399.0, 0.0, 4_102_444_799.5]
    times = [start + i * 0.0000013 + j * 0.37 for start in starts for j in range(4) for i in range(400)]
    for seconds in times + list(reversed(times)):
        expected = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        assert format_time(seconds) == expected, seconds


def test_drawn_request_ids_are_distinct_and_given_ones_are_kept():
    drawn = [request_id(None, None) for _ in range(10_000)] + [request_id("", {}) for _ in range(10)]
    assert len(set(drawn)) == len(drawn)
    assert all(len(x) == 32 and int(x, 16) >= 0 for x in drawn)
    assert request_id("v2-id", {"x-request-id": "h"}) == "v2-id"
    assert request_id(None, {"x-request-id": "h"}) == "h"


def test_files_rotate_by_size_and_numbers_continue_after_a_restart(tmp_path):
    log = RequestLog(str(tmp_path), max_bytes=2000)
    for r in range(100):
        log.record(f"r{r}", ["x" * 50], answers(1))
    log.close()
    files = log_files(str(tmp_path))
    assert len(files) >= 5
    assert all(os.path.getsize(f) < 2000 + 300 for f in files)  # at most one line over
    again = RequestLog(str(tmp_path), max_bytes=2000)
    again.record("after", ["restart"], answers(1))
    again.close()
    assert os.path.basename(again.files[0]) > os.path.basename(files[-1])
    lines = read_lines(tmp_path)
    assert [x["request_id"] for x in lines] == [f"r{r}" for r in range(100)] + ["after"]


def test_lines_reach_the_file_within_a_second_without_close(tmp_path):
    log = RequestLog(str(tmp_path))
    log.record("r", ["a", "b"], answers(2))
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline and len(read_lines(tmp_path)) < 2:
        time.sleep(0.02)
    assert len(read_lines(tmp_path)) == 2  # flushed, not closed: a killed server keeps these
    log.close()


def test_records_from_many_threads_are_each_written_once(tmp_path):
    log = RequestLog(str(tmp_path), max_bytes=50_000)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda r: log.record(f"r{r}", [f"t{r}"] * 3, answers(3)), range(2000)))
    log.close()
    keys = [(x["request_id"], x["instance"]) for x in read_lines(tmp_path)]
    assert len(keys) == 6000 and len(set(keys)) == 6000


@pytest.fixture(scope="module")
def serving_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("serving")
    models.push(models.build_model(str(tmp_path_factory.mktemp("model") / "m"), seed=3), str(path), 1700000001)
    return path


def test_a_server_logs_every_answered_prediction_and_keeps_them_after_sigterm_under_load(tmp_path, serving_dir):
    log_dir = tmp_path / "requests"
    server = start_server(tmp_path, "--serving-dir", str(serving_dir), "--request-log", str(log_dir),
                          "--request-log-max-bytes", "20000")
    answered, refused, stop = [], [], False

    def v2(i, given_id=True, headers=None):  # the answer's id
        body = json.dumps({**({"id": f"v2-{i}"} if given_id else {}),
                           "inputs": [{"name": "text", "datatype": "BYTES", "shape": [1],
                                       "data": [f"v2 review {i}"]}]}).encode()
        request = urllib.request.Request(f"{server.url}/v2/models/imdb/infer", body,
                                         {"Content-Type": "application/json", **(headers or {})})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)["id"]

    def load(worker):  # on one kept-alive connection, as load balancers and clients keep them
        connection = http.client.HTTPConnection(server.url[len("http://"):], timeout=30)
        i = 0
        while not stop:
            text = f"worker {worker} review {i}"
            try:
                connection.request("POST", "/v1/models/imdb:predict", json.dumps({"instances": [text, text + " again"]}),
                                   {"Content-Type": "application/json"})
                response = connection.getresponse()
                body = response.read()
            except Exception:  # noqa: BLE001  (refused or cut by the stop: not answered)
                break
            if response.status != 200:  # an answer, but not the model's: the stop must not give one
                refused.append((response.status, body[:200]))
                break
            answered.extend([text, text + " again"])
            i += 1
        connection.close()

    assert v2(0) == "v2-0"
    no_id, header_id = v2(1, given_id=False), v2(2, given_id=False, headers={"X-Request-ID": "from-header"})
    assert header_id == "from-header"
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(load, w) for w in range(8)]
        time.sleep(3)
        assert server.stop() == 0, server.log()[-3000:]
        stop = True
        concurrent.futures.wait(futures)
    lines = read_lines(log_dir)
    assert len(answered) > 50
    assert refused == []  # until the server stopped, every request was answered by the model (no 404)
    v2_ids = {"v2-0": "v2 review 0", no_id: "v2 review 1", "from-header": "v2 review 2"}  # answered as logged
    assert {x["request_id"]: x["text"] for x in lines if x["request_id"] in v2_ids} == v2_ids
    logged = [x["text"] for x in lines if x["request_id"] not in v2_ids]
    assert set(answered) <= set(logged)  # every answered prediction is there ...
    assert len(logged) == len(set(logged))  # ... once
    assert len(set(logged) - set(answered)) <= 16  # at most the requests cut by the stop after their answer
    (v2_line,) = [x for x in lines if x["request_id"] == "v2-0"]
    assert v2_line["text"] == "v2 review 0" and v2_line["model_version"] == "1700000001"
    assert len(log_files(str(log_dir))) > 1  # rotated by size


def test_a_request_log_that_is_a_file_is_refused_before_the_server_starts(tmp_path, serving_dir):
    import subprocess
    import sys

    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = subprocess.run([sys.executable, "-m", "components.serving", "--serving-dir", str(serving_dir),
                             "--request-log", str(blocker)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"{blocker}: not a directory (--request-log)" in result.stderr


def test_a_request_log_that_cannot_be_made_is_refused_by_the_check(tmp_path):
    """Before the model loads: a path that passes an access check (/proc, for root) but cannot
    be made a directory."""
    from components.serving.settings import Settings

    if not os.access("/proc", os.W_OK):  # not root: such a path fails the access check already
        pytest.skip("needs a path that passes os.access and cannot be made (root and /proc)")
    with pytest.raises(ValueError, match=r"^/proc/imdb_tfx_request_log: cannot make the directory: .* \(--request-log\)$"):
        Settings(serving_dir=str(tmp_path), request_log="/proc/imdb_tfx_request_log").check()
    made = tmp_path / "made" / "log"
    Settings(serving_dir=str(tmp_path), request_log=str(made)).check()
    assert made.is_dir()

