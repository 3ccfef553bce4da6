"""The request log on an object store (components/serving/log_upload.py), here TF's in-memory
ram:// file system, which like gs:// the os module cannot see: files written locally, copied
whole once closed (by size, by age, at the stop), named by their closing time, nothing left
behind; a failed copy retried; the start-up check of the bucket."""
import json
import os
import time
import uuid

import pytest
import tensorflow as tf

from components.serving import log_upload
from components.serving.request_log import FILE, RequestLog, closing_time, format_time, log_files


def answers(n, version=3):
    return [(version, {"probability": 0.5, "label": "positive"}) for _ in range(n)]


def remote_dir() -> str:
    return f"ram://request_log_{uuid.uuid4().hex[:8]}/log"


def remote_lines(directory) -> list[dict]:
    lines = []
    for path in log_files(directory):
        with tf.io.gfile.GFile(path, "rb") as f:
            lines += [json.loads(line) for line in f.read().splitlines()]
    return lines


def test_files_are_copied_whole_once_closed_named_by_their_closing_time_and_none_left_locally():
    directory = remote_dir()
    log = RequestLog(directory, max_bytes=3000)
    staging = log.uploader.staging
    start = time.time()
    for r in range(100):
        log.record(f"r{r}", ["x" * 50, "y"], answers(2))
    time.sleep(1.5)  # flushed locally by now, but not closed: nothing in the bucket yet besides full files
    before_close = len(remote_lines(directory))
    log.close()
    files = log_files(directory)
    assert len(files) >= 5 and all(FILE.match(os.path.basename(f)) for f in files)
    lines = remote_lines(directory)
    assert [(x["request_id"], x["instance"]) for x in lines] == [(f"r{r}", i) for r in range(100) for i in range(2)]
    assert before_close < 200 and log.lines == 200 and log.error is None and log.uploader.error is None
    for path in files:  # every line of a file at or before the time in its name
        with tf.io.gfile.GFile(path, "rb") as f:
            newest = max(json.loads(line)["time"] for line in f.read().splitlines())
        assert start - 1 <= closing_time(path) <= time.time() + 1
        assert newest <= format_time(closing_time(path))
    assert not os.path.exists(staging)  # every file copied: the staging directory removed


def test_a_file_is_closed_and_copied_once_it_is_max_seconds_old():
    directory = remote_dir()
    log = RequestLog(directory, max_seconds=0.5, flush_seconds=0.1)
    log.record("first", ["a"], answers(1))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not log_files(directory):
        time.sleep(0.05)
    assert [x["request_id"] for x in remote_lines(directory)] == ["first"]  # before any stop
    time.sleep(1.0)  # idle: no empty file is closed and copied
    assert len(log_files(directory)) == 1
    log.record("second", ["b"], answers(1))
    log.close()
    assert [x["request_id"] for x in remote_lines(directory)] == ["first", "second"]
    assert len(log_files(directory)) == 2


def test_a_local_log_rotates_by_age_too(tmp_path):
    log = RequestLog(str(tmp_path), max_seconds=0.3, flush_seconds=0.05)
    log.record("a", ["a"], answers(1))
    time.sleep(0.8)
    log.record("b", ["b"], answers(1))
    log.close()
    assert log.uploader is None and len(log_files(str(tmp_path))) >= 2


def failing_copies(monkeypatch):
    """tf.io.gfile.copy failing (the bucket unreachable) while the returned dict's "on" is set."""
    real_copy = tf.io.gfile.copy
    failing = {"on": True}

    def copy(src, dst, overwrite=False):
        if failing["on"]:
            raise tf.errors.UnavailableError(None, None, "the bucket is unreachable")
        return real_copy(src, dst, overwrite)

    monkeypatch.setattr(tf.io.gfile, "copy", copy)
    return failing


def test_copies_that_fail_wait_in_order_and_go_once_the_bucket_is_back(monkeypatch, caplog):
    directory = remote_dir()
    failing = failing_copies(monkeypatch)
    log = RequestLog(directory, max_bytes=500)
    for r in range(10):
        log.record(f"r{r}", ["x" * 100], answers(1))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len(log.uploader.pending) < 2:
        time.sleep(0.05)
    assert log_files(directory) == [] and len(log.uploader.pending) >= 2
    assert caplog.text.count("cannot copy") == 1  # said once for the outage, not per file
    failing["on"] = False  # back: the next file closed takes the waiting ones with it
    for r in range(10, 20):
        log.record(f"r{r}", ["x" * 100], answers(1))
    log.close()
    assert [x["request_id"] for x in remote_lines(directory)] == [f"r{r}" for r in range(20)]
    assert "copying to" in caplog.text and log.uploader.pending == []
    assert not os.path.exists(log.uploader.staging)


def test_what_never_copies_stays_in_staging_named_in_the_log(monkeypatch, caplog):
    directory = remote_dir()
    failing_copies(monkeypatch)
    log = RequestLog(directory, max_bytes=500)
    for r in range(10):
        log.record(f"r{r}", ["x" * 100], answers(1))
    log.close()
    staging = log.uploader.staging
    assert log_files(directory) == [] and len(os.listdir(staging)) == len(log.uploader.pending) >= 2
    assert f"not copied to {directory}, kept in {staging}" in caplog.text
    kept = sorted(os.listdir(staging))
    assert all(FILE.match(name) for name in kept)  # named as in the bucket: copy them by hand as they are
    lines = [json.loads(line) for name in kept for line in open(os.path.join(staging, name))]
    assert [x["request_id"] for x in lines] == [f"r{r}" for r in range(10)]
    for name in kept:
        os.remove(os.path.join(staging, name))
    os.rmdir(staging)


def test_a_file_that_fails_to_close_keeps_its_lines_and_the_log_goes_on(monkeypatch, tmp_path):
    """A full disk at a rotation (its fsync fails): the file stays open with its lines, the next
    rotation closes it; locally and on an object store, every line ends up in the log once."""
    real_fsync, calls = os.fsync, {"n": 0}

    def fsync(fd):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError(28, "No space left on device")
        return real_fsync(fd)

    for directory in (str(tmp_path / "local"), remote_dir()):
        calls["n"] = 0
        monkeypatch.setattr(os, "fsync", fsync)
        log = RequestLog(directory, max_bytes=300)
        for r in range(12):
            log.record(f"r{r}", ["x" * 100], answers(1))
        log.close()
        monkeypatch.setattr(os, "fsync", real_fsync)
        assert log.error is not None and calls["n"] > 1
        if log.uploader is None:
            lines = [json.loads(line) for path in log_files(directory) for line in open(path)]
        else:
            lines = remote_lines(directory)
        assert [x["request_id"] for x in lines] == [f"r{r}" for r in range(12)], directory


def test_the_start_up_check_writes_and_removes_one_object_and_names_the_flag():
    directory = remote_dir()
    log_upload.check_writable(directory, "--request-log")
    assert tf.io.gfile.listdir(directory) == []
    # A scheme this TensorFlow cannot write (no s3 file system without tensorflow-io): refused at start.
    with pytest.raises(ValueError, match=r"^s3://bucket/log: cannot write there: .*\(--request-log\)$"):
        log_upload.check_writable("s3://bucket/log", "--request-log")


def test_the_server_settings_check_a_remote_request_log_and_its_age_flag(tmp_path):
    from components.serving.settings import Settings

    with pytest.raises(ValueError, match=r"^s3://b/log: cannot write there: .*\(--request-log\)$"):
        Settings(serving_dir=str(tmp_path), request_log="s3://b/log").check()
    with pytest.raises(ValueError, match=r"--request-log-max-seconds must be above 0 \(got 0\)"):
        Settings(serving_dir=str(tmp_path), request_log=str(tmp_path / "log"), request_log_max_seconds=0).check()
    Settings(serving_dir=str(tmp_path), request_log=remote_dir()).check()
    import argparse

    from components.serving.settings import add_arguments, from_args

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--serving-dir", str(tmp_path), "--request-log", str(tmp_path / "log"),
                              "--request-log-max-seconds", "5"])
    assert from_args(args).request_log_max_seconds == 5.0
