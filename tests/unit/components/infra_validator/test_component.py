"""The InfraValidator component with every artifact on an object store (TF's ram:// file system,
through the same API as gs:// on a cluster): the candidate is served from a local copy, and the
verdict, the results and the server's log are written into the artifact."""
import json
import os
import tempfile

from tests.unit.components.drift.synthetic import sample, write_split
from tests.helpers.remote_files import copy_tree


def test_a_candidate_on_an_object_store_is_served_and_blessed(tmp_path):
    import tensorflow as tf
    from tfx.types import standard_artifacts

    from components.infra_validator import canary
    from components.infra_validator.component import InfraValidator
    from tests.helpers.models import build_model

    remote = "ram://infra_validator_remote"
    build_model(str(tmp_path / "model" / "Format-Serving"))
    rows = list(zip(*[getattr(sample(20, 0), k) for k in ("texts", "labels", "ratings")]))
    write_split(tmp_path / "examples" / "Split-test", rows)
    copy_tree(tmp_path / "model", f"{remote}/model")
    copy_tree(tmp_path / "examples", f"{remote}/examples")
    model, examples = standard_artifacts.Model(), standard_artifacts.Examples()
    model.uri, examples.uri = f"{remote}/model", f"{remote}/examples"
    model_blessing, blessing = standard_artifacts.ModelBlessing(), standard_artifacts.InfraBlessing()
    model_blessing.set_int_custom_property("blessed", 1)
    blessing.uri = f"{remote}/blessing"
    tf.io.gfile.makedirs(blessing.uri)
    InfraValidator.EXECUTOR_SPEC.executor_class().Do(
        {"model": [model], "model_blessing": [model_blessing], "examples": [examples]}, {"blessing": [blessing]},
        {"canary_reviews": 4, "timeout_s": 120, "protocols": "rest"})
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
    import tensorflow as tf
    from tfx.types import standard_artifacts

    from components.infra_validator.component import InfraValidator

    remote = "ram://infra_validator_missing"
    write_split(tmp_path / "examples" / "Split-test", [("a fine film", 1, 9)])
    copy_tree(tmp_path / "examples", f"{remote}/examples")
    model, examples = standard_artifacts.Model(), standard_artifacts.Examples()
    model.uri, examples.uri = f"{remote}/model", f"{remote}/examples"  # no model there
    model_blessing, blessing = standard_artifacts.ModelBlessing(), standard_artifacts.InfraBlessing()
    model_blessing.set_int_custom_property("blessed", 1)
    blessing.uri = f"{remote}/blessing"
    tf.io.gfile.makedirs(blessing.uri)
    InfraValidator.EXECUTOR_SPEC.executor_class().Do(
        {"model": [model], "model_blessing": [model_blessing], "examples": [examples]}, {"blessing": [blessing]},
        {"canary_reviews": 1, "timeout_s": 60, "protocols": "rest"})
    reason = blessing.get_string_custom_property("reason")
    assert blessing.get_int_custom_property("blessed") == 0 and f"{remote}/model" in reason, reason
    assert "imdb-tfx-canary-" not in reason
