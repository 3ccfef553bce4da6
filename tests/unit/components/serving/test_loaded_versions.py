"""components/serving/loaded_versions.py: which versions are kept loaded for /versions/<N>,
with the real version manager and a loader that records what it loads (no TensorFlow)."""
import os
import time

import pytest

from components.serving.loaded_versions import KeptVersions
from components.serving.manager import VersionManager
from components.serving.served_model import ModelLoadError
from components.serving.protocol import BadRequest


def make_versions(serving_dir, *numbers):
    for number in numbers:
        path = serving_dir / str(number)
        (path / "variables").mkdir(parents=True)
        (path / "saved_model.pb").write_bytes(b"x")
        past = time.time() - 60
        for p in (path / "variables", path / "saved_model.pb", path):
            os.utime(p, (past, past))


def setup(serving_dir, keep, broken=()):
    loaded = []

    def loader(path):
        if int(os.path.basename(path)) in broken:
            raise ModelLoadError(f"{path}: failed its canary: NaN")
        loaded.append(int(os.path.basename(path)))
        return object()

    manager = VersionManager(loader, serving_dir=str(serving_dir), poll_seconds=0.1)
    manager.update()
    kept = KeptVersions(manager, loader, keep)
    kept.update()
    return manager, kept, loaded


def test_the_k_newest_are_kept_and_labelled(tmp_path):
    make_versions(tmp_path, 1, 2, 3)
    manager, kept, loaded = setup(tmp_path, keep=2)
    assert manager.current.version == 3 and kept.versions() == [3, 2] and loaded == [3, 2]
    assert kept.get(2).version == 2 and kept.get(3) is manager.current
    assert (kept.label("stable"), kept.label("previous")) == (3, 2)
    with pytest.raises(BadRequest, match="version 1 is not loaded; the versions this server holds: 3, 2") as e:
        kept.get(1)
    assert e.value.status == 404
    with pytest.raises(BadRequest, match="the labels are stable, previous"):
        kept.label("canary")


def test_one_kept_is_the_served_one_only(tmp_path):
    make_versions(tmp_path, 1, 2)
    _, kept, loaded = setup(tmp_path, keep=1)
    assert kept.versions() == [2] and loaded == [2]
    with pytest.raises(BadRequest, match="names no version now"):
        kept.label("previous")


def test_a_swap_keeps_the_old_version_without_a_reload_and_removal_drops_it(tmp_path):
    make_versions(tmp_path, 1, 2)
    manager, kept, loaded = setup(tmp_path, keep=2)
    before = manager.current
    make_versions(tmp_path, 3)
    manager.update()
    kept.remember(before)
    kept.update()
    assert kept.versions() == [3, 2] and loaded == [2, 1, 3]  # 2 kept as it was served, 1 dropped
    os.rename(tmp_path / "2", tmp_path / ".2.removed")
    kept.update()
    assert kept.versions() == [3, 1]


def test_a_version_that_fails_is_not_kept_and_the_404_says_why(tmp_path):
    make_versions(tmp_path, 1, 2)
    _, kept, _ = setup(tmp_path, keep=2, broken=(1,))
    assert kept.versions() == [2]
    with pytest.raises(BadRequest, match="version 1 is not loaded \\(refused: .*failed its canary: NaN\\)"):
        kept.get(1)


def test_a_model_directory_server_says_it_has_no_versions(tmp_path):
    """--model-dir: one model with no version number; /versions/N and the labels say so, rather
    than "versions held: none" and "--keep-versions sets how many" while a model is served."""
    (tmp_path / "model").mkdir()
    manager = VersionManager(lambda path: object(), model_dir=str(tmp_path / "model"))
    manager.start()
    kept = KeptVersions(manager, lambda path: object(), keep=2)
    for ask in (lambda: kept.get(3), lambda: kept.label("stable")):
        with pytest.raises(BadRequest, match=r"serves one model directory \(--model-dir\), which has no versions"):
            ask()
    with pytest.raises(BadRequest, match="unknown version label 'canary'"):
        kept.label("canary")
