"""components.serving.versions: which directories of a serving directory are complete versions."""
import os
import time

import pytest

from components.serving import versions


def make_version(root, name, files=("saved_model.pb",), variables=("variables.index", "variables.data-00000-of-00001")):
    path = root / name
    path.mkdir(parents=True)
    for f in files:
        (path / f).write_bytes(b"x")
    if variables is not None:
        (path / "variables").mkdir()
        for f in variables:
            (path / "variables" / f).write_bytes(b"x")
    return path


def test_complete_versions_are_all_digit_directories_with_a_whole_saved_model(tmp_path):
    make_version(tmp_path, "100")
    make_version(tmp_path, "300")
    make_version(tmp_path, "20")  # numeric order, not string order: 20 < 100
    make_version(tmp_path, "400", files=())  # no saved_model.pb yet
    make_version(tmp_path, "500", variables=None)  # no variables/ yet
    make_version(tmp_path, "600", variables=("variables.index", "variables.data-00000-of-00002"))  # a shard missing
    make_version(tmp_path, ".700.123.incomplete")  # the Pusher's staging directory
    make_version(tmp_path, "v800")
    make_version(tmp_path, "²")  # a digit to str.isdigit, not to int(): a stray folder, not a version
    make_version(tmp_path, "١٢")  # Arabic-Indic digits, which int() would read as 12
    make_version(tmp_path, "0050")  # not a version's name (its path is rebuilt from the number: 50)
    (tmp_path / "900").write_bytes(b"a file, not a directory")
    (tmp_path / "__autograph_generated_file1.py").write_text("")
    assert versions.all_versions(str(tmp_path)) == [20, 100, 300, 400, 500, 600]
    assert versions.complete_versions(str(tmp_path)) == [20, 100, 300]
    assert versions.latest(str(tmp_path)) == os.path.join(str(tmp_path), "300")
    (tmp_path / "600" / "variables" / "variables.data-00001-of-00002").write_bytes(b"x")
    assert versions.latest(str(tmp_path)) == os.path.join(str(tmp_path), "600")


def test_a_version_found_complete_on_a_bucket_is_not_checked_again_until_it_is_no_longer_listed(monkeypatch):
    """On an object store (TF's ram:// here), each poll lists and checks only the versions not seen
    complete before (there each check is several requests, per version ever pushed); a local
    directory is checked every time."""
    import uuid

    import tensorflow as tf

    root = f"ram://versions_{uuid.uuid4().hex[:8]}"
    for v in (1, 2):
        tf.io.gfile.makedirs(f"{root}/{v}/variables")
        tf.io.gfile.GFile(f"{root}/{v}/variables/variables.index", "w").write("x")
        tf.io.gfile.GFile(f"{root}/{v}/saved_model.pb", "w").write("x")
    checked = []
    original = versions.is_complete
    monkeypatch.setattr(versions, "is_complete", lambda path: checked.append(path) or original(path))
    assert versions.complete_versions(root) == [1, 2] and len(checked) == 2
    assert versions.complete_versions(root) == [1, 2] and len(checked) == 2  # not asked again
    tf.io.gfile.rmtree(f"{root}/2")
    assert versions.complete_versions(root) == [1]
    tf.io.gfile.makedirs(f"{root}/2")  # the same number again, incomplete: checked, not taken from before
    assert versions.complete_versions(root) == [1] and len(checked) == 3


def test_no_complete_version_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no pushed model \(was a model"):
        versions.latest(str(tmp_path / "missing"))
    make_version(tmp_path, "100", files=())
    with pytest.raises(FileNotFoundError, match=r"no pushed model \(1 incomplete version"):
        versions.latest(str(tmp_path))


def test_settled_means_nothing_changed_lately(tmp_path):
    path = make_version(tmp_path, "100")
    now = time.time()
    assert not versions.settled(str(path), 5.0, now=now)
    assert versions.settled(str(path), 5.0, now=now + 6)
    old = now - 60
    for folder, dirs, files in os.walk(path):
        for name in dirs + files:
            os.utime(os.path.join(folder, name), (old, old))
    os.utime(path, (old, old))
    assert versions.settled(str(path), 5.0)
    (path / "variables" / "variables.index").write_bytes(b"rewritten")  # a file still being written
    assert not versions.settled(str(path), 5.0)


def test_a_version_asked_for_is_ascii_digits():
    from components.serving.loaded_versions import pinned_version
    from components.serving.protocol import BadRequest

    assert pinned_version("17") == 17
    for asked in ("²", "١", "-1", "1.0", ""):
        with pytest.raises(BadRequest, match="is not a number"):
            pinned_version(asked)
