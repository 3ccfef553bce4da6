"""`imdb-tfx monitor`'s reading of the request log (app/monitor/window.py), its export, and its
input errors: each one line naming the file or flag, status 2; too little traffic: said, status 0.
(The checks against a pushed model's training data: tests/e2e/test_monitor.py.)"""
import datetime
import json
import re

import pytest

from app.cli.main import main
from app.monitor import window
from app.monitor.export import export
from components.serving.request_log import RequestLog


def write_log(directory, n: int, version="7", max_bytes: int = 10_000, start: float = 1_800_000_000.0) -> None:
    log = RequestLog(str(directory), max_bytes=max_bytes)
    for i in range(n):
        log.record(f"r{i}", [f"review number {i}"], [(version, {"probability": (i % 10) / 10, "label": "negative"})],
                   when=start + i)
    log.close()


def run(capsys, *argv):
    code = main(["monitor", "--verbose", *argv])  # --verbose: stderr stays the test's to read
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def store(tmp_path):
    """An empty metadata store (MLMD's tables, no runs)."""
    from ml_metadata.metadata_store import metadata_store
    from ml_metadata.proto import metadata_store_pb2

    config = metadata_store_pb2.ConnectionConfig()
    config.sqlite.filename_uri = str(tmp_path / "metadata.sqlite")
    config.sqlite.connection_mode = metadata_store_pb2.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
    metadata_store.MetadataStore(config)
    return str(tmp_path / "metadata.sqlite")


def test_the_window_reads_rotated_files_with_since_and_last(tmp_path):
    write_log(tmp_path, 300)
    assert len(list(tmp_path.iterdir())) > 2
    every = window.read_window(str(tmp_path))
    assert [p.request_id for p in every] == [f"r{i}" for i in range(300)]
    assert [p.request_id for p in window.read_window(str(tmp_path), last=5)] == [f"r{i}" for i in range(295, 300)]
    from components.serving.request_log import format_time

    since = format_time(1_800_000_000.0 + 250)
    assert [p.request_id for p in window.read_window(str(tmp_path), since=since)] == [f"r{i}" for i in range(250, 300)]
    assert [p.request_id for p in window.read_window(str(tmp_path), since=since, last=3)] == ["r297", "r298", "r299"]
    first = every[0]
    assert (first.model_version, first.text, first.probability, first.instance) == ("7", "review number 0", 0.0, 0)


def test_since_takes_times_and_ages():
    now = datetime.datetime(2026, 12, 3, 12, 0, tzinfo=datetime.timezone.utc)
    assert window.parse_since("2h", now) == "2026-12-03T10:00:00.000000Z"
    assert window.parse_since("2026-12-03T10:30", now) == "2026-12-03T10:30:00.000000Z"
    assert window.parse_since("2026-12-03 11:30:00+01:00", now) == "2026-12-03T10:30:00.000000Z"
    with pytest.raises(ValueError, match="--since 'yesterday'"):
        window.parse_since("yesterday", now)
    assert window.parse_since("0999-01-01", now) == "0999-01-01T00:00:00.000000Z"  # before every logged time
    for far in ("99999999d", "0001-01-01T00:00+05:00", "9999-12-31T23:59-05:00"):
        with pytest.raises(ValueError, match=re.escape(f"--since '{far}': out of the range of dates")):
            window.parse_since(far, now)


def test_a_line_being_written_is_skipped_a_broken_one_is_an_error(tmp_path):
    write_log(tmp_path, 3, max_bytes=10**6)
    (path,) = tmp_path.iterdir()
    with open(path, "a") as f:
        f.write('{"time": "2026-12-03T10:00:00Z", "request_id": "half')  # no newline yet
    assert len(window.read_window(str(tmp_path))) == 3
    with open(path, "ab") as f:
        f.write(b'", "text": "caf\xc3')  # cut inside a character (a full disk cuts at a block's end)
    assert len(window.read_window(str(tmp_path))) == 3
    write_log(tmp_path, 2, max_bytes=10**6)  # a newer file: the cut line is now a closed file's last
    assert len(window.read_window(str(tmp_path))) == 5
    (tmp_path / "requests-000000.jsonl").write_text('{"time": "x"}\n')  # an older file, broken
    with pytest.raises(window.LogError, match=r"requests-000000.jsonl:1: not a logged prediction \(lacks request_id"):
        window.read_window(str(tmp_path))


@pytest.mark.parametrize("content, message", [
    ("not json\n", "requests-000001.jsonl:1: not a JSON line"),
    ('{"time": "t", "request_id": "r", "instance": 0, "text": 3, "probability": 0.5}\n', "text must be a string"),
    (b'{"text": "ok"}\n{"text": "caf\xe9"}\n', "requests-000001.jsonl:2: invalid UTF-8 (byte 14 of the line)"),
])
def test_a_broken_log_is_status_2_naming_the_file_and_line(tmp_path, capsys, store, content, message):
    (tmp_path / "requests-000001.jsonl").write_bytes(content if isinstance(content, bytes) else content.encode())
    (tmp_path / "requests-000002.jsonl").write_text("")
    code, out, err = run(capsys, "--request-log", str(tmp_path), "--metadata-path", store)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_bad_inputs_are_status_2_with_one_line(tmp_path, capsys, store):
    def monitor(*argv):
        return run(capsys, "--metadata-path", store, *argv)

    code, _, err = monitor("--request-log", str(tmp_path / "nowhere"))
    assert code == 2 and f"{tmp_path / 'nowhere'}: no such directory (--request-log)" in err
    (tmp_path / "empty").mkdir()
    code, _, err = monitor("--request-log", str(tmp_path / "empty"))
    assert code == 2 and "no request log files" in err
    write_log(tmp_path / "log", 150)
    for since in ("last tuesday", ""):  # an empty --since is an error too, not "no --since"
        code, _, err = monitor("--request-log", str(tmp_path / "log"), "--since", since)
        assert code == 2 and f"--since {since!r}: not a time" in err, err
    code, _, err = monitor("--request-log", str(tmp_path / "log"), "--last", "0")
    assert code == 2 and "--last must be at least 1" in err
    (tmp_path / "afile").write_text("x")
    code, _, err = monitor("--request-log", str(tmp_path / "log"), "--export", str(tmp_path / "afile" / "x.jsonl"))
    assert code == 2 and f"--export {tmp_path / 'afile' / 'x.jsonl'}: {tmp_path / 'afile'} is a file" in err, err
    code, out, err = monitor("--request-log", str(tmp_path / "log"), "--output", str(tmp_path / "afile" / "p.html"))
    assert code == 2 and f"--output {tmp_path / 'afile' / 'p.html'}: {tmp_path / 'afile'} is a file" in err
    assert out == "" and len(err.strip().splitlines()) == 1
    write_log(tmp_path / "model_dir", 150, version=None)
    code, _, err = monitor("--request-log", str(tmp_path / "model_dir"))
    assert code == 2 and "--model-dir model (no version)" in err


@pytest.mark.parametrize("traffic", [40, 150])
def test_a_missing_or_broken_store_is_status_2_whatever_the_traffic(tmp_path, capsys, traffic):
    """Also with too little traffic to judge: a mistyped store does not pass as a quiet day."""
    write_log(tmp_path / "log", traffic)
    code, out, err = run(capsys, "--request-log", str(tmp_path / "log"), "--metadata-path", str(tmp_path / "none.sqlite"))
    assert code == 2 and f"{tmp_path / 'none.sqlite'}: no metadata store" in err and out == ""
    (tmp_path / "junk.sqlite").write_text("junk")
    code, _, err = run(capsys, "--request-log", str(tmp_path / "log"), "--metadata-path", str(tmp_path / "junk.sqlite"))
    assert code == 2 and "junk.sqlite: not a metadata store" in err


def test_output_and_export_directories_are_made(tmp_path, capsys, store):
    write_log(tmp_path / "log", 40)
    code, out, err = run(capsys, "--request-log", str(tmp_path / "log"), "--metadata-path", store,
                         "--output", str(tmp_path / "new" / "page.html"), "--export", str(tmp_path / "new2" / "x.jsonl"))
    assert code == 0, err
    assert (tmp_path / "new" / "page.html").is_file() and len((tmp_path / "new2" / "x.jsonl").read_text().splitlines()) == 40


def test_too_little_traffic_is_said_and_status_0(tmp_path, capsys, store):
    write_log(tmp_path / "log", 40)
    code, out, err = run(capsys, "--request-log", str(tmp_path / "log"), "--metadata-path", store)
    assert code == 0
    drift = json.loads(out)["drift"]
    assert drift["insufficient"] and not drift["detected"] and drift["checks"] == []
    assert "too little traffic to judge: 40 distinct texts" in err


def test_export_writes_each_distinct_text_once_unlabelled(tmp_path):
    write_log(tmp_path / "log", 4)
    predictions = window.read_window(str(tmp_path / "log"))
    predictions += predictions[:2]  # asked again
    path = tmp_path / "out.jsonl"
    assert export(predictions, str(path)) == 4
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["text"] for r in rows] == [f"review number {i}" for i in range(4)]
    assert rows[1] == {"text": "review number 1", "label": None, "request_id": "r1", "instance": 0,
                       "model_version": "7", "probability": 0.1}


def test_serving_dir_instead_of_a_store_needs_the_version_and_its_record(tmp_path, capsys, store):
    """--serving-dir (no metadata store: a pipeline compiled for Kubeflow): the served version's
    directory must hold it, and it must record its training data; each failure one line, status 2."""
    from tests.helpers.models import build_model

    write_log(tmp_path / "log", 150, version="7")
    code, _, err = run(capsys, "--request-log", str(tmp_path / "log"), "--serving-dir", str(tmp_path / "serving"),
                       "--metadata-path", store)
    assert code == 2 and "give --metadata-path or --serving-dir, not both" in err
    code, _, err = run(capsys, "--request-log", str(tmp_path / "log"), "--serving-dir", str(tmp_path / "none"))
    assert code == 2 and f"--serving-dir {tmp_path / 'none'}: no such directory" in err
    write_log(tmp_path / "quiet", 40, version="7")  # too little traffic: still an error (not a quiet day)
    code, _, err = run(capsys, "--request-log", str(tmp_path / "quiet"), "--serving-dir", "ram://monitor/none")
    assert code == 2 and "--serving-dir ram://monitor/none: no such directory" in err
    (tmp_path / "serving").mkdir()
    code, _, err = run(capsys, "--request-log", str(tmp_path / "log"), "--serving-dir", str(tmp_path / "serving"))
    assert code == 2 and f"{tmp_path / 'serving' / '7'}: no SavedModel of version 7 there" in err
    build_model(str(tmp_path / "serving" / "7"))
    code, out, err = run(capsys, "--request-log", str(tmp_path / "log"), "--serving-dir", str(tmp_path / "serving"))
    assert code == 2 and out == "" and "version 7 records no training data" in err
    assert len(err.strip().splitlines()) == 1


def test_a_log_on_an_object_store_from_two_servers_reads_in_time_order_and_stops_at_older_files(capsys, store):
    """gs:// (TF's ram:// here): the files of two servers, named by their closing times, read back
    in time order; `since` and `last` as for a local log; a file closed before the window is not
    read (a broken one there is no error); the CLI reads such a log."""
    import time
    import uuid

    import tensorflow as tf

    from components.serving.request_log import format_time

    directory = f"ram://monitor_{uuid.uuid4().hex[:8]}/log"
    start = time.time() - 100
    tf.io.gfile.makedirs(directory)
    with tf.io.gfile.GFile(f"{directory}/requests-{int((start - 50) * 1e6):016d}-0badf11e.jsonl", "w") as f:
        f.write("not a logged prediction\n")  # closed 50 s before the first line
    servers = [RequestLog(directory, max_bytes=2_000) for _ in range(2)]
    for i in range(120):  # request i answered by server i % 2, one second apart
        servers[i % 2].record(f"r{i}", [f"review number {i}"], [("7", {"probability": 0.5, "label": "positive"})],
                              when=start + i * 0.5)
    for server in servers:
        server.close()
    since = format_time(start - 10)
    every = window.read_window(directory, since=since)
    assert [p.request_id for p in every] == [f"r{i}" for i in range(120)]
    assert [p.request_id for p in window.read_window(directory, last=7)] == [f"r{i}" for i in range(113, 120)]
    middle = format_time(start + 30)
    assert [p.request_id for p in window.read_window(directory, since=middle, last=200)] == \
        [f"r{i}" for i in range(60, 120)]
    with pytest.raises(window.LogError, match="0badf11e.jsonl:1: not a JSON line"):
        window.read_window(directory)  # no `since`: the old file is read, and is broken
    code, out, err = run(capsys, "--request-log", directory, "--since", since, "--metadata-path", store,
                         "--min-size", "500")
    assert code == 0, err
    assert json.loads(out)["window"]["predictions"] == 120
    assert "too little traffic to judge" in err


def test_a_bucket_log_of_servers_closing_files_as_they_go_gives_the_same_window_as_reading_it_all():
    """Real times, files closed by age while the other server writes (their times overlap): the
    stopping rules give what reading every file and filtering would."""
    import time
    import uuid

    directory = f"ram://monitor_{uuid.uuid4().hex[:8]}/log"
    servers = [RequestLog(directory, max_seconds=0.15, flush_seconds=0.02) for _ in range(2)]
    for i in range(60):
        servers[i % 3 % 2].record(f"r{i}", [f"review {i}"], [("7", {"probability": 0.5, "label": "positive"})])
        time.sleep(0.02)
    for server in servers:
        server.close()
    every = window.read_window(directory)
    assert len(window.log_files(directory)) >= 6 and sorted(p.request_id for p in every) == sorted(f"r{i}" for i in range(60))
    assert [p.time for p in every] == sorted(p.time for p in every)
    for last in (1, 7, 25, 60, 100):
        assert window.read_window(directory, last=last) == every[-last:], last
    for i in (0, 17, 41, 59):
        since = every[i].time
        assert window.read_window(directory, since=since) == [p for p in every if p.time >= since], i
        assert window.read_window(directory, since=since, last=5) == [p for p in every if p.time >= since][-5:], i


def test_a_bucket_that_is_not_there_or_cannot_be_listed_is_one_line(capsys, store):
    with pytest.raises(FileNotFoundError, match=r"^ram://monitor_nothing_here/log: no such directory \(--request-log\)$"):
        window.read_window("ram://monitor_nothing_here/log")
    with pytest.raises(window.LogError, match=r"^s3://bucket/log: cannot list it: File system scheme 's3' not "
                                              r"implemented .*\(--request-log\)$"):
        window.read_window("s3://bucket/log")  # (no s3 file system in this TensorFlow)
    code, _, err = run(capsys, "--request-log", "s3://bucket/log", "--metadata-path", store)
    assert code == 2 and err.strip().splitlines()[-1].startswith("imdb-tfx: error: s3://bucket/log: cannot list it")


def test_a_local_log_of_two_servers_gives_the_same_window_as_reading_it_all(tmp_path):
    """Two servers' files in one folder, numbered as opened, overlap in time (file n+1 can end
    before file n): the window is what reading every file and filtering gives (it read by number
    and stopped early: lines of the window were left out, older ones taken)."""
    servers = [RequestLog(str(tmp_path), max_bytes=600, flush_seconds=0.02) for _ in range(2)]
    start = 1_800_000_000.0
    for i in range(120):  # server 0 writes long lines, server 1 short ones: their files rotate out of step
        text = f"review {i}" + (" long" * 20 if i % 2 == 0 else "")
        servers[i % 2].record(f"r{i}", [text], [("7", {"probability": 0.5, "label": "positive"})], when=start + i)
    for server in servers:
        server.close()
    every = window.read_window(str(tmp_path))
    assert [p.request_id for p in every] == [f"r{i}" for i in range(120)]
    for last in (1, 7, 25, 60, 119):
        assert window.read_window(str(tmp_path), last=last) == every[-last:], last
    for i in (0, 17, 41, 99):
        since = every[i].time
        assert window.read_window(str(tmp_path), since=since) == every[i:], i
        assert window.read_window(str(tmp_path), since=since, last=5) == every[i:][-5:], i
