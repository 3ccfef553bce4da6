"""DriftCheck's executor on tiny Examples artifacts: first span, same data, a blocked shift, scores."""
import json
import os

import pytest

from tests.helpers.remote_files import copy_tree
from tests.unit.components.drift.synthetic import sample, write_split


def examples_artifact(root, span, drift_sample, eval_share=0.2):
    from tfx.types import artifact_utils, standard_artifacts

    artifact = standard_artifacts.Examples()
    artifact.uri = str(root / f"span-{span}")
    artifact.span = span
    artifact.split_names = artifact_utils.encode_split_names(["train", "eval"])
    rows = list(zip(drift_sample.texts, drift_sample.labels, drift_sample.ratings))
    cut = int(len(rows) * (1 - eval_share))
    write_split(root / f"span-{span}" / "Split-train", rows[:cut])
    write_split(root / f"span-{span}" / "Split-eval", rows[cut:])
    return artifact


def run_component(examples, baseline, action='{"*": "warn"}', model=None, out=None, reference_from_model=0):
    from components.drift_check.artifact import DriftReport
    from components.drift_check.component import DriftCheck

    drift = DriftReport()
    drift.uri = str(out)
    os.makedirs(drift.uri, exist_ok=True)
    inputs = {"examples": [examples]}
    if baseline:
        inputs["baseline_examples"] = baseline
    if model is not None:
        inputs["model"] = [model]
    executor = DriftCheck.EXECUTOR_SPEC.executor_class()
    try:
        executor.Do(inputs, {"drift": [drift]}, {"drift_action": action, "reference_from_model": reference_from_model})
    finally:
        with open(os.path.join(drift.uri, "drift.json")) as f:
            run_component.last = json.load(f), drift
    return run_component.last


def test_a_first_span_has_nothing_to_compare_with(tmp_path):
    found, artifact = run_component(examples_artifact(tmp_path, 1, sample(50, 0)), [], out=tmp_path / "out")
    assert found["explanation"] == "no earlier span in the store: nothing to compare with" and not found["detected"]
    assert found["one_line"] == "drift: not checked: no earlier span in the store: nothing to compare with"
    assert artifact.get_int_custom_property("detected") == 0


def test_same_data_passes_and_a_blocked_shift_stops_after_writing_drift_json(tmp_path):
    from components.drift_check.errors import DriftBlockedError

    baseline = [examples_artifact(tmp_path, 1, sample(150, 0)), examples_artifact(tmp_path, 2, sample(150, 1))]
    same = examples_artifact(tmp_path, 3, sample(200, 2))
    found, _ = run_component(same, baseline, '{"*": "block"}', out=tmp_path / "same")
    assert not found["detected"] and found["reference"]["size"] == 300 and found["current"]["size"] == 200
    assert found["reference"]["name"] == "span 1, 2 (train+eval)" and found["current"]["name"] == "span 3 (train+eval)"
    shifted = examples_artifact(tmp_path, 4, sample(200, 3, mean_words=15))
    with pytest.raises(DriftBlockedError, match=r"^drift blocked the run before training \(length [\d.]+ >= threshold"):
        run_component(shifted, baseline, '{"*": "warn", "length": "block"}', out=tmp_path / "shifted")
    found, artifact = run_component.last
    assert found["blocked"] and found["actions"]["length"] == "block" and found["actions"]["token_js"] == "warn"
    assert artifact.get_int_custom_property("blocked") == 1
    warned, _ = run_component(shifted, baseline, '{"*": "warn"}', out=tmp_path / "warned")
    assert warned["detected"] and not warned["blocked"]


def test_the_model_scores_the_baselines_eval_split_and_the_new_span(tmp_path):
    from tfx.types import standard_artifacts

    from tests.helpers.models import build_model

    model = standard_artifacts.Model()
    model.uri = str(tmp_path / "model")
    build_model(os.path.join(model.uri, "Format-Serving"))
    baseline = [examples_artifact(tmp_path, 1, sample(600, 0), eval_share=0.5)]
    found, _ = run_component(examples_artifact(tmp_path, 2, sample(300, 1)), baseline, model=model,
                             out=tmp_path / "out")
    scores = {c["name"]: c for c in found["checks"]}["model_scores"]
    assert not scores["detected"] and found["skipped"] == []
    assert sum(found["details"]["scores"]["reference"]) == 300  # the eval split only
    assert sum(found["details"]["scores"]["current"]) == 300


def test_a_bad_action_is_one_clear_line():
    from components.drift_check.actions import parse_actions

    with pytest.raises(ValueError, match="unknown check 'lenght'"):
        parse_actions('{"lenght": "block"}')
    with pytest.raises(ValueError, match="'stop' is not one of warn, block"):
        parse_actions('{"*": "stop"}')
    assert parse_actions('{"*": "block", "rating": "warn"}')["rating"] == "warn"


def test_from_the_model_the_reference_is_the_training_data_it_records(tmp_path):
    """A compiled Kubeflow pipeline resolves no spans (reference_from_model): the reference is
    what the model in service records; elsewhere no baseline stays "nothing to compare with"."""
    from tfx.types import standard_artifacts

    from components import training_data_record
    from tests.helpers.models import build_model

    model = standard_artifacts.Model()
    model.uri = str(tmp_path / "model")
    serving = os.path.join(model.uri, "Format-Serving")
    build_model(serving)
    new_span = examples_artifact(tmp_path, 3, sample(200, 2))
    found, _ = run_component(new_span, [], out=tmp_path / "no_model", reference_from_model=1)
    assert found["explanation"] == "no model in service (none blessed yet): nothing to compare with"
    found, _ = run_component(new_span, [], model=model, out=tmp_path / "none", reference_from_model=1)
    assert found["explanation"] == "the model in service records no training data: nothing to compare with"
    assert not found["checks"]
    trained_on = [examples_artifact(tmp_path, 1, sample(300, 0), eval_share=0.5),
                  examples_artifact(tmp_path, 2, sample(300, 1), eval_share=0.5)]
    training_data_record.write_model_record(serving, [training_data_record._entry(a) for a in trained_on])
    found, _ = run_component(new_span, [], model=model, out=tmp_path / "local")  # a local run: spans only
    assert found["explanation"] == "no earlier span in the store: nothing to compare with"
    found, _ = run_component(new_span, [], model=model, out=tmp_path / "same", reference_from_model=1)
    assert found["reference"]["name"] == "span 1, 2 (train+eval)" and found["reference"]["size"] == 600
    assert not found["detected"] and {c["name"] for c in found["checks"]} >= {"length", "token_js", "model_scores"}
    assert sum(found["details"]["scores"]["reference"]) == 300  # the recorded eval splits only
    shifted = examples_artifact(tmp_path, 4, sample(200, 3, mean_words=15))
    found, _ = run_component(shifted, [], model=model, out=tmp_path / "shifted", reference_from_model=1)
    assert found["detected"] and found["reference"]["name"] == "span 1, 2 (train+eval)"


def test_on_a_remote_file_system_as_on_a_cluster(tmp_path):
    """Every path on TF's ram:// file system (gs:// on Vertex AI goes through the same API)."""
    import tensorflow as tf
    from tfx.types import standard_artifacts

    from components import training_data_record
    from components.drift_check.artifact import DriftReport
    from components.drift_check.component import DriftCheck
    from tests.helpers.models import build_model

    remote = "ram://drift_check_remote"
    trained_on = examples_artifact(tmp_path, 1, sample(300, 0), eval_share=0.5)
    new_span = examples_artifact(tmp_path, 2, sample(200, 1))
    build_model(str(tmp_path / "model" / "Format-Serving"))
    for artifact in (trained_on, new_span):
        copy_tree(artifact.uri, f"{remote}/{os.path.basename(artifact.uri)}")
        artifact.uri = f"{remote}/{os.path.basename(artifact.uri)}"
    copy_tree(tmp_path / "model", f"{remote}/model")
    training_data_record.write_model_record(f"{remote}/model/Format-Serving", [training_data_record._entry(trained_on)])
    model = standard_artifacts.Model()
    model.uri = f"{remote}/model"
    drift = DriftReport()
    drift.uri = f"{remote}/drift"
    tf.io.gfile.makedirs(drift.uri)
    DriftCheck.EXECUTOR_SPEC.executor_class().Do({"examples": [new_span], "model": [model]}, {"drift": [drift]},
                                                 {"drift_action": '{"*": "warn"}', "reference_from_model": 1})
    with tf.io.gfile.GFile(f"{remote}/drift/drift.json") as f:
        found = json.load(f)
    assert found["reference"]["name"] == "span 1 (train+eval)" and not found["detected"]
    assert "model_scores" in {c["name"] for c in found["checks"]}
    assert drift.get_int_custom_property("detected") == 0 and drift.get_string_custom_property("one_line")
