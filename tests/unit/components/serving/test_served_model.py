"""components.serving.served_model and manager, in-process: loading, the canary, and which version
is served (refusing broken ones, falling back, waiting for half-written ones)."""
import os
import shutil
import time

import pytest

from components.serving import canary, versions
from components.serving.manager import VersionManager
from components.serving.served_model import ModelLoadError, ServedModel
from tests.helpers import models


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    return {"good": models.build_model(str(root / "good"), seed=1),
            "other": models.build_model(str(root / "other"), seed=2),
            "regression": models.build_model(str(root / "regression"), seed=1, regression=True),
            "nan": models.build_model(str(root / "nan"), kind="nan"),
            "out_of_range": models.build_model(str(root / "oor"), kind="out_of_range"),
            "corrupt": models.build_corrupt_model(str(root / "corrupt")),
            "no_signature": models.build_model_without_predict_text(str(root / "nosig"))}


def test_predictions_are_predict_text_with_labels(built):
    texts = ["A wonderful film.", "", "Dull.", "x" * 100000]
    model = ServedModel.load(built["good"])
    expected = models.in_process(built["good"], texts)["probability"]
    answers = model.predict(texts)
    assert [a["probability"] for a in answers] == pytest.approx(expected, abs=1e-7)
    assert [a["label"] for a in answers] == ["positive" if p > 0.5 else "negative" for p in expected]
    assert not model.regression and "rating" not in answers[0]
    regression = ServedModel.load(built["regression"])
    expected = models.in_process(built["regression"], texts)
    assert regression.regression
    assert [a["rating"] for a in regression.predict(texts)] == pytest.approx(expected["rating"], abs=1e-6)


@pytest.mark.parametrize("kind,why", [
    ("nan", "failed its canary: the canary batch: probability is nan (not a finite number)"),
    ("out_of_range", "failed its canary: the canary batch: probability 1."),
    ("corrupt", "cannot load the SavedModel: "),
    ("no_signature", "the model has no predict_text signature (has: serving_default)"),
])
def test_a_model_that_cannot_be_served_is_one_line_naming_it(built, kind, why):
    with pytest.raises(ModelLoadError) as error:
        ServedModel.load(built[kind])
    message = str(error.value)
    assert message.startswith(built[kind] + ": ") and why in message and "\n" not in message


def test_a_missing_saved_model(tmp_path):
    with pytest.raises(ModelLoadError, match=f"{tmp_path}: no SavedModel"):
        ServedModel.load(str(tmp_path))


def test_the_canary_catches_batch_dependent_and_short_answers():
    def batch_dependent(texts):
        return {"probability": [0.5 + 0.01 * len(texts)] * len(texts)}

    with pytest.raises(canary.CanaryError, match="depends on the batch"):
        canary.check(batch_dependent)
    with pytest.raises(canary.CanaryError, match="1 probability values for 5 texts"):
        canary.check(lambda texts: {"probability": [0.5]})
    with pytest.raises(canary.CanaryError, match="no probability output"):
        canary.check(lambda texts: {"rating": [5.0] * len(texts)})
    canary.check(lambda texts: {"probability": [0.3] * len(texts)})  # a constant model is a valid model


def test_the_manager_serves_the_newest_loadable_version_and_says_why_others_are_refused(tmp_path, built):
    serving = str(tmp_path)
    models.push(built["good"], serving, 1)
    models.push(built["nan"], serving, 3)
    manager = VersionManager(ServedModel.load, serving_dir=serving, settle_seconds=0)
    manager.start()  # 3 is refused; falls back to 1
    assert manager.current.version == 1 and list(manager.refused) == [3]
    models.push(built["other"], serving, 2)  # older than a refused version, newer than the served one
    manager.update()
    assert manager.current.version == 2
    models.push(built["corrupt"], serving, 4)
    manager.update()
    assert manager.current.version == 2 and sorted(manager.refused) == [3, 4]
    status = manager.status()
    assert status["version"] == "2" and "cannot load" in status["refused"]["4"]
    assert [(e["version"], e["state"]) for e in status["model_version_status"]] == [("2", "AVAILABLE"), ("4", "END"),
                                                                                    ("3", "END")]
    shutil.rmtree(os.path.join(serving, "4"))
    shutil.rmtree(os.path.join(serving, "2"))  # rollback
    manager.update()
    assert manager.current.version == 1 and list(manager.refused) == [3]


def test_the_manager_waits_for_a_version_being_written(tmp_path, built):
    serving = str(tmp_path)
    models.push(built["good"], serving, 1)
    manager = VersionManager(ServedModel.load, serving_dir=serving, settle_seconds=30)
    for folder, dirs, files in os.walk(os.path.join(serving, "1")):  # pushed a minute ago
        for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
            os.utime(name, (time.time() - 60,) * 2)
    shutil.copytree(built["other"], os.path.join(serving, "2"), copy_function=shutil.copyfile)  # written now
    manager.start()
    assert manager.current.version == 1 and not manager.refused  # 2 is passed over, not refused
    manager.settle_seconds = 0
    manager.update()
    assert manager.current.version == 2


def test_nothing_to_serve(tmp_path, built):
    with pytest.raises(ModelLoadError, match="no such serving directory"):
        VersionManager(ServedModel.load, serving_dir=str(tmp_path / "missing")).start()
    models.push(built["nan"], str(tmp_path), 5)
    with pytest.raises(ModelLoadError, match=r"no version can be served \(version 5: .*failed its canary"):
        VersionManager(ServedModel.load, serving_dir=str(tmp_path), settle_seconds=0).start()
    empty = tmp_path / "empty"
    empty.mkdir()
    manager = VersionManager(ServedModel.load, serving_dir=str(empty))
    manager.start()  # waits for a first version
    assert manager.current is None and manager.status()["ready"] is False


def test_a_serving_directory_on_an_object_store_is_polled_like_a_local_one(built, monkeypatch):
    """gs:// as TF Serving's model_base_path takes it (here TF's ram://, through the same API):
    the newest complete version served, a new one swapped in, an incomplete one passed over,
    a removed one rolled back."""
    import tensorflow as tf

    from tests.helpers.remote_files import copy_tree

    serving = "ram://served_model_remote/serving"
    copy_tree(built["good"], f"{serving}/1")
    manager = VersionManager(ServedModel.load, serving_dir=serving, settle_seconds=0)
    manager.start()
    assert manager.current.version == 1 and manager.current.path == f"{serving}/1"
    copy_tree(built["other"], f"{serving}/2")
    tf.io.gfile.makedirs(f"{serving}/3/variables")  # a copy under way: no saved_model.pb yet
    manager.update()
    assert manager.current.version == 2 and not manager.refused
    assert versions.all_versions(serving) == [1, 2, 3] and versions.complete_versions(serving) == [1, 2]
    assert versions.settled(f"{serving}/2", 0)
    tf.io.gfile.rmtree(f"{serving}/2")  # rollback
    manager.update()
    assert manager.current.version == 1
    # an object's time is its last write (ram:// keeps none: GCS's, as tf.io.gfile.stat gives it)
    written = {"saved_model.pb": time.time() - 60, "variables.index": time.time() - 1}
    stat = tf.io.gfile.stat
    monkeypatch.setattr(tf.io.gfile, "stat", lambda path: type("Stat", (), {"mtime_nsec": int(
        written.get(os.path.basename(path), time.time() - 120) * 1e9)})() if path.startswith(serving) else stat(path))
    assert not versions.settled(f"{serving}/1", 5.0) and versions.settled(f"{serving}/1", 0.5)
