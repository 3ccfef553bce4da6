"""End to end with LocalDagRunner on a generated corpus and a tiny embedding module.

Every component runs, the model is blessed and pushed, the pushed model classifies raw
text, and a second identical run reuses every upstream artifact from the cache.
"""
import json
import os

import pytest
import tensorflow as tf
from ml_metadata.proto import metadata_store_pb2

from app import runs
from pipeline import local_runner, node_ids
from tests.helpers.pipelines import PRODUCTION_COMPONENTS as COMPONENTS

pytestmark = pytest.mark.e2e


def test_every_component_ran(small_run):
    _, progress = small_run
    assert set(progress.durations()) == COMPONENTS


def test_model_blessed_and_pushed(small_run):
    config, _ = small_run
    summary = runs.run_summary(config.metadata_path)
    assert summary["test_metrics"]["binary_accuracy"] >= 0.8
    assert summary["test_metrics"]["example_count"] == 120
    assert summary["blessed"] and summary["pushed"]
    assert summary["pushed_model"].startswith(config.serving_dir)
    assert os.path.exists(os.path.join(summary["pushed_model"], "saved_model.pb"))


def test_guard_set_is_its_own_slice_and_blessing_check(small_run):
    """The guard set is evaluated as the slice `dataset: short` beside the IMDB test split
    (whose 120 reviews alone make the test metrics), with its floor checked; the Trainer and
    the test split never see its rows. Production's Transform materialises train and eval alone
    (the experiments' own Transform, test and guard too: tests/e2e/test_experiment.py)."""
    from app import blessing

    config, _ = small_run
    summary = runs.run_summary(config.metadata_path)
    assert set(summary["guard_sets"]) == {"short"}
    short = summary["guard_sets"]["short"]
    assert short["examples"] == 40 and short["accuracy"] >= 0.5 and short["baseline_accuracy"] is None
    checks = [c for c in blessing.explain(summary["evaluation_uri"])["checks"] if c.get("dataset") == "short"]
    # The first run has no baseline: TFMA keeps no change thresholds then, only the floor.
    assert "candidate >= lower bound" in {c["check"] for c in checks}
    assert all(c["passed"] for c in checks)
    assert "short: binary_accuracy" in blessing.sentence(blessing.explain(summary["evaluation_uri"]))
    store = runs.open_store(config.metadata_path)
    examples = runs.node_output(store, node_ids.EXAMPLE_GEN, "examples")
    transformed = runs.node_output(store, node_ids.TRANSFORM, "transformed_examples")
    assert "guard" in examples.properties["split_names"].string_value
    assert sorted(json.loads(transformed.properties["split_names"].string_value)) == ["eval", "train"]
    rows = [tf.train.Example.FromString(r.numpy()) for r in tf.data.TFRecordDataset(
        tf.io.gfile.glob(os.path.join(examples.uri, "Split-guard", "*")), compression_type="GZIP")]
    assert len([r for r in rows if r.features.feature["dataset"].bytes_list.value == [b"short"]]) == 40
    assert len(rows) == 40 + 3 * 50  # the guard set and the snippet sets


def test_snippet_sets_are_measured_beside_the_test_split_without_a_threshold(small_run):
    """Each snippet set holds one example per sampled test review (50 of 120) as the slice
    `dataset: NAME`; it has no blessing check and leaves the test metrics the IMDB split's."""
    from app import blessing
    from components.snippets import SNIPPETS

    config, _ = small_run
    summary = runs.run_summary(config.metadata_path)
    assert set(summary["snippets"]) == set(SNIPPETS) and set(summary["guard_sets"]) == {"short"}
    for name, snippet in summary["snippets"].items():
        assert snippet["examples"] == config.snippet_reviews == 50, name
        # (TFMA's AUC of a perfectly ranked set can come out as 1.0000000000000002: a CI run saw it)
        assert 0 <= snippet["accuracy"] <= 1 and 0 <= snippet["auc"] <= 1 + 1e-9 and snippet["baseline_accuracy"] is None
    assert summary["test_metrics"]["example_count"] == 120
    checked = {c.get("dataset") for c in blessing.explain(summary["evaluation_uri"])["checks"]}
    assert checked == {None, "short"}  # the IMDB gate and the guard set's: none on a snippet set


def test_pushed_model_classifies_raw_text_and_examples(small_run):
    config, _ = small_run
    model = tf.saved_model.load(runs.run_summary(config.metadata_path)["pushed_model"])
    texts = ["A great, excellent film.<br />Loved it!", "Awful and boring, the worst waste.", ""]
    prob = model.signatures["predict_text"](text=tf.constant(texts))["probability"].numpy()[:, 0]
    assert prob[0] > 0.5 > prob[1]
    assert prob.shape == (3,)

    serialized = [tf.train.Example(features=tf.train.Features(feature={
        "text": tf.train.Feature(bytes_list=tf.train.BytesList(value=[t.encode()]))})).SerializeToString()
        for t in texts]
    from_examples = model.signatures["serving_default"](examples=tf.constant(serialized))["probability"]
    assert from_examples.numpy()[:, 0] == pytest.approx(prob, abs=1e-6)

    labelled = tf.train.Example.FromString(serialized[0])
    for key, value in (("label", 1), ("rating", 9)):
        labelled.features.feature[key].int64_list.value.append(value)
    labelled.features.feature["review_id"].bytes_list.value.append(b"test/pos/1")
    transformed = model.signatures["transform_features"](examples=tf.constant([labelled.SerializeToString()]))
    assert transformed["text"].numpy()[0] == b"A great, excellent film. Loved it!"
    assert transformed["length_bucket"].numpy()[0] == b"000-099"
    assert transformed["label"].numpy()[0] == 1


def test_rerun_is_served_from_cache(small_run):
    config, _ = small_run
    from app.runs import open_store

    store = open_store(config.metadata_path)
    models_before = len(store.get_artifacts_by_type("Model"))
    executions_before = {e.id for e in store.get_executions()}

    progress = local_runner.run(config)

    assert set(progress.durations()) == COMPONENTS
    new = [e for e in store.get_executions() if e.id not in executions_before]
    types = {t.id: t.name.split(".")[-1] for t in store.get_execution_types()}
    states = {types[e.type_id]: e.last_known_state for e in new}
    # Everything is reused: the baseline leaves the candidate out (components/evaluator/baseline.py),
    # so the Evaluator has the first run's inputs (no baseline) and it and the Pusher come from the cache.
    # The base-model resolver leaves out the models trained on the same examples
    # (components/trainer/base_model.py): the Trainer has the first run's inputs too.
    cached = COMPONENTS - {node_ids.BASELINE_RESOLVER, node_ids.BASE_MODEL_RESOLVER}
    assert {n: s for n, s in states.items() if n in cached} == dict.fromkeys(cached, metadata_store_pb2.Execution.CACHED)
    summary = runs.run_summary(config.metadata_path)
    assert summary["blessed"]
    assert summary["test_metrics"]["example_count"] == 120  # the candidate's metrics, not the baseline's
    assert len(store.get_artifacts_by_type("Model")) == models_before


def test_the_store_tells_how_long_each_component_took(small_run):
    from app import history

    config, progress = small_run
    durations = history.last_durations(config.metadata_path)
    assert {"FileBasedExampleGen", "Transform", "Trainer", "Evaluator", "InfraValidator"} <= set(durations)
    for component, seconds in durations.items():  # the store's times, within the progress lines' times
        assert 0 < seconds <= progress.durations()[component] + 1, (component, seconds, progress.durations())
    assert history.last_durations(str(config.metadata_path) + ".missing") == {}


def test_batched_evaluator_writes_what_tfma_writes(small_run, tmp_path):
    """The run's Evaluator config (guard set with its floor, snippet sets, accuracy thresholds)
    with the run's model as candidate and as baseline: TFMA's own evaluator and the batched one
    (components/evaluator/batched_metrics.py) write the same metrics, diffs, plots and
    validation result for every slice, through the model's transform and serving signatures."""
    import glob

    import tensorflow_model_analysis as tfma

    from components.evaluator import batched_metrics
    from components.evaluator.eval_config import eval_config
    from components.example_gen.snippet_sets import NAMES
    from tests.helpers.evaluations import differences, read_examples, run_both, written

    config, _ = small_run
    store = runs.open_store(config.metadata_path)
    examples = runs.node_output(store, node_ids.EXAMPLE_GEN, "examples").uri
    model = os.path.join(runs.node_output(store, node_ids.TRAINER, "model").uri, "Format-Serving")
    cfg = tfma.utils.update_eval_config_with_defaults(
        eval_config(config.accuracy_lower_bound, config.accuracy_change_tolerance, guard_sets=("short",),
                    guard_floors=dict(config.guard_floors), snippet_sets=NAMES),
        has_baseline=True, rubber_stamp=False)
    assert batched_metrics.supports(cfg)
    models = [tfma.default_eval_shared_model(eval_saved_model_path=model, model_name=spec.name, eval_config=cfg)
              for spec in cfg.model_specs]
    patterns = [os.path.join(examples, f"Split-{split}", "*") for split in ("test", "guard")]
    assert all(glob.glob(p) for p in patterns)

    outputs = run_both(read_examples(patterns), cfg, models, str(tmp_path))
    ours, theirs = written(outputs["batched"]), written(outputs["tfma"])
    assert ("metrics", "dataset:short") in theirs and ("metrics", "dataset_X_rating:imdb_X_1") in theirs
    diffs = [f for f in theirs[("metrics", "dataset:imdb")] if "isDiff" in f]
    assert diffs, "the baseline's diffs are compared too"
    assert theirs[("validation", "")]["/validationOk"] is True
    assert differences(ours, theirs) == []
