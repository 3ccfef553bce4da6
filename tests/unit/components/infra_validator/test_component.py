"""The InfraValidator component with every artifact on an object store (TF's ram:// file system,
through the same API as gs:// on a cluster): the candidate is served from a local copy, and the
verdict, the results and the server's log are written into the artifact."""
import json
import os
import tempfile

from tests.helpers.remote_files import copy_tree
from tests.unit.components.drift.synthetic import sample, write_split


def validate(tmp_path, remote: str, rows, canary_reviews: int):
    """Runs the component on `remote`/model (whatever is there), `remote`/examples (`rows` as the
    test split), the Evaluator's blessing given; returns the InfraBlessing artifact."""
    import tensorflow as tf
    from tfx.types import standard_artifacts

    from components.infra_validator.component import InfraValidator

    write_split(tmp_path / "examples" / "Split-test", rows)
    copy_tree(tmp_path / "examples", f"{remote}/examples")
    model, examples = standard_artifacts.Model(), standard_artifacts.Examples()
    model.uri, examples.uri = f"{remote}/model", f"{remote}/examples"
    model_blessing, blessing = standard_artifacts.ModelBlessing(), standard_artifacts.InfraBlessing()
    model_blessing.set_int_custom_property("blessed", 1)
    blessing.uri = f"{remote}/blessing"
    tf.io.gfile.makedirs(blessing.uri)
    InfraValidator.EXECUTOR_SPEC.executor_class().Do(
        {"model": [model], "model_blessing": [model_blessing], "examples": [examples]}, {"blessing": [blessing]},
        {"canary_reviews": canary_reviews, "timeout_s": 120, "protocols": "rest"})
    return blessing


def test_a_candidate_on_an_object_store_is_served_and_blessed(tmp_path):
    import tensorflow as tf

    from components.infra_validator import canary
    from tests.helpers.models import build_model

    remote = "ram://infra_validator_remote"
    build_model(str(tmp_path / "model" / "Format-Serving"))
    copy_tree(tmp_path / "model", f"{remote}/model")
    drift_sample = sample(20, 0)
    blessing = validate(tmp_path, remote, list(zip(drift_sample.texts, drift_sample.labels, drift_sample.ratings)), 4)
    assert blessing.get_int_custom_property("blessed") == 1, blessing.get_string_custom_property("reason")
    assert sorted(tf.io.gfile.listdir(blessing.uri)) == ["INFRA_BLESSED", "canary_results.json", "server.log"]
    with tf.io.gfile.GFile(f"{blessing.uri}/canary_results.json") as f:
        results = json.load(f)
    assert results["blessed"] and results["texts"] == 4 + len(canary.EDGE_CASES)
    with tf.io.gfile.GFile(f"{blessing.uri}/server.log") as f:
        assert f.read().strip()  # the server's own log, copied from local disk
    scratch = tempfile.gettempdir()
    assert not [d for d in os.listdir(scratch) if d.startswith("imdb-tfx-canary-")]  # the local copies removed


def test_a_remote_candidate_not_served_is_named_by_its_own_path(tmp_path):
    """The reason names the candidate's artifact, not the local copy it was served from (removed)."""
    remote = "ram://infra_validator_missing"
    blessing = validate(tmp_path, remote, [("a fine film", 1, 9)], 1)  # no model there
    reason = blessing.get_string_custom_property("reason")
    assert blessing.get_int_custom_property("blessed") == 0 and f"{remote}/model" in reason, reason
    assert "imdb-tfx-canary-" not in reason
