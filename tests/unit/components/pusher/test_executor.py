"""components/pusher/executor.py: a version directory appears complete or not at all, versions
only grow, and what a dead push left is removed."""
import os
import signal

import pytest

from components.pusher import executor


def model(tmp_path):
    path = tmp_path / "model"
    (path / "variables").mkdir(parents=True, exist_ok=True)
    (path / "variables" / "variables.index").write_bytes(b"index")
    (path / "saved_model.pb").write_bytes(b"graph")
    return str(path)


def test_publish_renames_a_complete_copy_into_the_next_version(tmp_path):
    serving = tmp_path / "serving"
    target, version = executor.publish(model(tmp_path), str(serving))
    assert os.listdir(serving) == [version] and target == str(serving / version)
    assert (serving / version / "saved_model.pb").read_bytes() == b"graph"
    assert (serving / version / "variables" / "variables.index").read_bytes() == b"index"
    # Pushed again within the same second: a higher version, not a skipped push.
    _, second = executor.publish(model(tmp_path), str(serving))
    assert int(second) > int(version)
    assert sorted(os.listdir(serving), key=int) == [version, second]


def test_next_version_is_above_every_version_there(tmp_path):
    (tmp_path / "99999999999").mkdir()
    assert executor.next_version(str(tmp_path)) == 100000000000


def test_a_killed_copy_leaves_no_version_and_is_cleared_by_the_next_push(tmp_path, monkeypatch):
    """A push killed mid-copy (SIGKILL in a forked child, when it copies saved_model.pb) leaves
    only its hidden staging directory; the next push removes it."""
    serving = tmp_path / "serving"
    source = model(tmp_path)
    monkeypatch.setattr(executor.io_utils, "copy_file", lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL))
    child = os.fork()
    if child == 0:
        try:
            executor.publish(source, str(serving))
        finally:
            os._exit(0)  # not reached: the copy kills the child
    _, wait_status = os.waitpid(child, 0)
    assert os.WIFSIGNALED(wait_status) and os.WTERMSIG(wait_status) == signal.SIGKILL
    left = os.listdir(serving)
    assert len(left) == 1 and executor.STAGING.match(left[0]), left
    assert (serving / left[0] / "variables" / "variables.index").exists()  # killed half-way through
    monkeypatch.undo()
    _, version = executor.publish(source, str(serving))
    assert os.listdir(serving) == [version]


def test_a_live_push_staging_directory_is_left_alone(tmp_path):
    live = tmp_path / f".123.{os.getppid()}.incomplete"
    live.mkdir()
    assert executor.remove_dead_staging(str(tmp_path)) == []
    assert live.exists()


@pytest.mark.parametrize("name", ["123", ".123.incomplete", "notes.txt"])
def test_other_entries_are_not_staging(tmp_path, name):
    (tmp_path / name).mkdir()
    assert executor.remove_dead_staging(str(tmp_path)) == []


def test_an_object_store_gets_the_model_straight_into_its_version_saved_model_pb_last(tmp_path, monkeypatch):
    """gs:// (here TF's ram://, through the same API): no staging directory to rename (GCS renames
    object by object, saved_model.pb before variables/); saved_model.pb is the last file written."""
    import tensorflow as tf
    from tfx.dsl.io import fileio

    written = []
    copy = fileio.copy
    monkeypatch.setattr(fileio, "copy", lambda src, dst, *a, **k: (written.append(os.path.basename(dst)),
                                                                   copy(src, dst, *a, **k)))
    serving = "ram://pusher_remote/serving"
    tf.io.gfile.makedirs(f"{serving}/99999999999")  # a version there: the next one is above it
    target, version = executor.publish(model(tmp_path), serving)
    assert version == "100000000000" and target == f"{serving}/{version}"
    assert sorted(tf.io.gfile.listdir(serving)) == ["100000000000", "99999999999"]  # no staging directory
    with tf.io.gfile.GFile(f"{target}/saved_model.pb", "rb") as f:
        assert f.read() == b"graph"
    with tf.io.gfile.GFile(f"{target}/variables/variables.index", "rb") as f:
        assert f.read() == b"index"
    assert sorted(written) == ["saved_model.pb", "variables.index"] and written[-1] == "saved_model.pb"


def test_versions_listed_as_gcs_lists_folders(monkeypatch):
    """GCS lists a folder as "name/": still a version the next one must be above."""
    import tensorflow as tf

    serving = "ram://pusher_gcs_listing/serving"
    tf.io.gfile.makedirs(f"{serving}/99999999999")
    listdir = tf.io.gfile.listdir
    monkeypatch.setattr(tf.io.gfile, "listdir", lambda path: [n + "/" for n in listdir(path)])
    assert executor.next_version(serving) == 100000000000
