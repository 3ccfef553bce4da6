"""pipeline.run_lock: a second run on the same store or root waits, or refuses at once; a run
that dies (even killed) leaves no lock behind."""
import io
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from pipeline import run_lock

HOLD = textwrap.dedent("""
    import sys, time
    from pipeline.run_lock import run_lock
    with run_lock(sys.argv[1], sys.argv[2]):
        print("locked", flush=True)
        time.sleep(float(sys.argv[3]))
""")


def holder(tmp_path, seconds: float, root: str = "root"):
    """A process that holds the lock of tmp_path/m.sqlite and tmp_path/<root> for `seconds`."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path / "m.sqlite"), str(tmp_path / root),
                             str(seconds)], stdout=subprocess.PIPE, text=True,
                            cwd=os.path.dirname(os.path.dirname(run_lock.__file__)))
    assert proc.stdout.readline().strip() == "locked"
    proc.locked_at = time.time()
    return proc


def test_a_second_run_refuses_or_waits(tmp_path):
    proc = holder(tmp_path, 2.0)
    with pytest.raises(run_lock.RunLockedError, match=rf"m.sqlite is in use by pid {proc.pid} on .*one run at a time"):
        with run_lock.run_lock(str(tmp_path / "m.sqlite"), str(tmp_path / "other"), wait=False):
            pass
    stream = io.StringIO()
    with run_lock.run_lock(str(tmp_path / "m.sqlite"), str(tmp_path / "root"), stream=stream, poll_s=0.05):
        acquired = time.time()
    proc.wait(timeout=30)
    assert acquired - proc.locked_at > 1.0  # only once the first run had let go, after its 2 s
    assert f"imdb-tfx: waiting for pid {proc.pid}" in stream.getvalue()


def test_the_same_root_with_another_store_is_locked_too(tmp_path):
    proc = holder(tmp_path, 2.0)
    with pytest.raises(run_lock.RunLockedError, match="root is in use"):
        with run_lock.run_lock(str(tmp_path / "other.sqlite"), str(tmp_path / "root"), wait=False):
            pass
    proc.wait()


def test_a_killed_run_leaves_no_lock(tmp_path):
    proc = holder(tmp_path, 60.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with run_lock.run_lock(str(tmp_path / "m.sqlite"), str(tmp_path / "root"), wait=False):
        pass


def test_taking_a_held_lock_again_in_the_same_process_does_not_wait(tmp_path):
    store, root = str(tmp_path / "m.sqlite"), str(tmp_path / "root")
    refuse = "import sys; from pipeline.run_lock import run_lock\nwith run_lock(sys.argv[1], sys.argv[2], wait=False): pass"
    with run_lock.run_lock(store, root, wait=False):
        with run_lock.run_lock(store, root, wait=False):  # the CLI around a runner that locks too
            other = subprocess.run([sys.executable, "-c", refuse, store, root], capture_output=True, text=True,
                                   timeout=60, cwd=os.path.dirname(os.path.dirname(run_lock.__file__)))
            assert other.returncode != 0 and "RunLockedError" in other.stderr  # still held for other processes
    with run_lock.run_lock(store, root, wait=False):  # released after the outer block
        pass


def test_a_store_refuses_a_run_into_another_pipeline_root(tmp_path):
    """TFX's cache key has no pipeline root: a store that holds root A's runs refuses a run into
    root B (which would silently reuse A's outputs); A itself, and a new store, are fine."""
    import pytest
    from ml_metadata.metadata_store import metadata_store
    from ml_metadata.proto import metadata_store_pb2

    from pipeline.run_lock import StoreRootError, check_store_root

    path = str(tmp_path / "metadata.sqlite")
    check_store_root(path, str(tmp_path / "b"))  # no store yet
    config = metadata_store_pb2.ConnectionConfig()
    config.sqlite.filename_uri = path
    config.sqlite.connection_mode = metadata_store_pb2.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
    store = metadata_store.MetadataStore(config)
    check_store_root(path, str(tmp_path / "b"))  # a store with no artifacts yet: any root's
    type_id = store.put_artifact_type(metadata_store_pb2.ArtifactType(name="Examples"))
    store.put_artifacts([metadata_store_pb2.Artifact(type_id=type_id, uri=str(tmp_path / "a" / "ExampleGen" / "examples" / "1"))])
    check_store_root(path, str(tmp_path / "a"))
    check_store_root(path, str(tmp_path / "a") + "/")
    with pytest.raises(StoreRootError, match=f"holds the runs of pipeline root {tmp_path / 'a'}; a run into "
                                             f"{tmp_path / 'b'} would reuse that root's outputs"):
        check_store_root(path, str(tmp_path / "b"))


def test_a_read_only_store_directory_is_one_error_naming_the_lock_file(tmp_path):
    """A directory that cannot hold the lock file (here /sys, read-only even for root; a file in
    the way for anyone): LockFileError (status 2), naming the lock file."""
    import pytest

    from pipeline.run_lock import LockFileError, run_lock

    (tmp_path / "file").write_text("x")
    for store in ("/sys/imdb-tfx-test/metadata.sqlite", str(tmp_path / "file" / "metadata.sqlite")):
        with pytest.raises(LockFileError, match=f"{store}.lock: cannot write the run lock"):
            with run_lock(store, str(tmp_path / "root")):
                pass


def test_no_wait_is_refused_in_one_line_before_the_run_writes_anything(tmp_path):
    """`imdb-tfx run --no-wait` while another run holds the store: one line, status 2, no log
    file (the check comes before the run's first line); check_not_locked creates no lock file."""
    from tests.helpers import corpus

    assert run_lock.check_not_locked(str(tmp_path / "none.sqlite"), str(tmp_path / "none")) is None
    assert not os.path.exists(tmp_path / "none.sqlite.lock") and not os.path.exists(tmp_path / "none.lock")
    archive = corpus.write_archive(str(tmp_path / "a.tar.gz"), corpus.corpus_files(n_train=2, n_test=2))
    proc = holder(tmp_path, 60.0)
    try:
        done = subprocess.run([sys.executable, "-m", "app", "run", "--data", archive, "--no-wait",
                               "--pipeline-root", str(tmp_path / "root"), "--metadata-path", str(tmp_path / "m.sqlite")],
                              capture_output=True, text=True, timeout=120,
                              cwd=os.path.dirname(os.path.dirname(run_lock.__file__)))
    finally:
        proc.kill()
        proc.wait()
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert lines[0].startswith("imdb-tfx: error: ") and f"in use by pid {proc.pid}" in lines[0]
    assert not os.path.exists(tmp_path / "root" / "logs")


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_a_lock_path_that_is_not_a_file_is_one_error_not_a_hang(tmp_path, kind):
    """A directory or a FIFO where a run writes its lock: opening a FIFO would wait for a writer
    for ever (even with --no-wait); both are named, at start-up (check_lock_files) and by the lock."""
    root, store = str(tmp_path / "root"), str(tmp_path / "m.sqlite")
    lock = root + ".lock"
    os.mkdir(lock) if kind == "directory" else os.mkfifo(lock)
    what = "a directory" if kind == "directory" else "not a regular file"
    for attempt in (lambda: run_lock.check_lock_files(store, root), lambda: run_lock.check_not_locked(store, root)):
        with pytest.raises(run_lock.LockFileError, match=f"^{lock}: the run lock's path is {what}: remove it"):
            attempt()
    with pytest.raises(run_lock.LockFileError, match=f"^{lock}: the run lock's path is {what}"):
        with run_lock.run_lock(store, root, wait=False, stream=io.StringIO()):
            pass


def test_a_lock_that_cannot_be_written_is_one_error(tmp_path, monkeypatch):
    """A full disk when the lock records its holder: LockFileError naming the lock, the lock released."""
    root, store = str(tmp_path / "root"), str(tmp_path / "m.sqlite")

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(run_lock.json, "dump", full)
    with pytest.raises(run_lock.LockFileError, match=r"m.sqlite.lock: cannot write the run lock \(No space left"):
        with run_lock.run_lock(store, root, wait=False, stream=io.StringIO()):
            pass
    monkeypatch.undo()
    with run_lock.run_lock(store, root, wait=False, stream=io.StringIO()):  # not held by the failed attempt
        pass
