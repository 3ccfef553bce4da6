"""components.trainer.warm_start and base_model: a model exported with its warm-start record and
used as the base of the next (weights carried over, n-gram weights mapped by id), a mismatch
trained from scratch with a reason, L-BFGS from a warm start, and the base-model resolver."""
import json

import numpy as np
import pytest

from components.modules.word_embedding import build_word_embedding_module
from components.trainer import lbfgs, warm_start
from components.trainer.models import build_model
from components.training_config import TrainingConfig
from tests.helpers import corpus


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return build_word_embedding_module(*corpus.embedding_words(dim=8), str(tmp_path_factory.mktemp("m") / "m"),
                                       num_oov_buckets=4)


def dnn(module, **overrides):
    return TrainingConfig(**{"module": module, "hidden_units": (4,), **overrides})


def trained_dnn(config):
    model = build_model(config)
    texts = np.array([" ".join(corpus.POSITIVE[:3]), " ".join(corpus.NEGATIVE[:3])] * 8)
    model.fit(texts, np.array([1, 0] * 8), epochs=2, verbose=0)
    return model


@pytest.mark.parametrize("trainable", [False, True])
def test_dnn_weights_carried_over(module, tmp_path, trainable):
    config = dnn(module, trainable=trainable)
    base = trained_dnn(config)
    warm_start.export(base, config, str(tmp_path), {"from": None, "reason": "first"})
    assert json.loads((tmp_path / warm_start.DIRECTORY / "architecture.json").read_text())["hidden_units"] == [4]

    plan = warm_start.plan(config, str(tmp_path))
    assert plan.origin["from"] == str(tmp_path) and "same architecture" in plan.reason
    assert plan.steps(0, 1000) == 250 and plan.steps(0, 10) == 3
    fresh = build_model(config)
    assert warm_start.apply(fresh, plan.weights[0])
    # the head (and a trainable embedding's table) as trained; a frozen module is not in the record
    assert len(fresh.trainable_weights) == (5 if trainable else 4)
    for new, old in zip(fresh.trainable_weights, base.trainable_weights):
        np.testing.assert_array_equal(new.numpy(), old.numpy())
    texts = np.array(["great excellent", "awful boring"])
    np.testing.assert_allclose(fresh.predict(texts, verbose=0), base.predict(texts, verbose=0), rtol=1e-6)
    assert warm_start.read_origin(str(tmp_path)) == {"from": None, "reason": "first"}


def test_mismatch_trains_from_scratch_and_says_why(module, tmp_path):
    config = dnn(module)
    warm_start.export(trained_dnn(config), config, str(tmp_path), {"from": None, "reason": ""})
    cases = {
        "other hidden units (4 -> 8)": dnn(module, hidden_units=(8,)),
        "other trainable embedding (False -> True)": dnn(module, trainable=True),
        "other embedding module": dnn(module + "/other"),
        "other model family (dnn -> wide)": TrainingConfig(head="wide"),
        "other task (classification -> regression)": dnn(module, task="regression"),
    }
    for reason, other in cases.items():
        plan = warm_start.plan(other, str(tmp_path))
        assert plan.weights == [None] and plan.origin["from"] is None
        assert reason in plan.reason and "trained from scratch" in plan.reason
    assert warm_start.plan(config, None).reason == "no blessed model to start from: trained from scratch"
    off = warm_start.plan(dnn(module, warm_start=False), str(tmp_path))
    assert off.origin == {"from": None, "reason": "warm start is off (--no-warm-start)"}
    assert "no architecture record" in warm_start.plan(config, str(tmp_path / "old_model")).reason


def wide(keys, kernel, bias, **overrides):
    config = TrainingConfig(head="wide", optimizer="lbfgs", **overrides)
    model = build_model(config, ngram_keys=np.asarray(keys, np.int64), nb_ratios=np.ones(len(keys)))
    layer = model.get_layer("nb_logistic")
    layer.kernel.assign(np.asarray(kernel, np.float32))
    layer.bias.assign(bias)
    return config, model


def test_ngram_weights_mapped_by_id_and_hashing_must_match(tmp_path):
    config, base = wide([3, 7, 11], [0.5, -1.0, 2.0], 0.25)
    warm_start.export(base, config, str(tmp_path), {"from": None, "reason": ""})
    plan = warm_start.plan(config, str(tmp_path))
    _, fresh = wide([1, 7, 11, 20], [0, 0, 0, 0], 0.0)  # the new window keeps other n-grams
    assert warm_start.apply(fresh, plan.weights[0])
    layer = fresh.get_layer("nb_logistic")
    np.testing.assert_array_equal(layer.kernel.numpy(), [0.0, -1.0, 2.0, 0.0])
    assert float(layer.bias.numpy()) == 0.25
    assert "other hash buckets (4294967296 -> 1024)" in warm_start.plan(
        TrainingConfig(head="wide", optimizer="lbfgs", ngram_buckets=1024), str(tmp_path)).reason
    assert "other n-gram size (3 -> 2)" in warm_start.plan(
        TrainingConfig(head="wide", optimizer="lbfgs", ngram_size=2), str(tmp_path)).reason


def test_ensemble_members_match_one_by_one(module, tmp_path):
    members = ({"head": "wide", "optimizer": "lbfgs"}, {"head": "majority"})
    config = TrainingConfig(head="ensemble", members=members)
    _, member = wide([3, 7], [1.0, 2.0], 0.5)

    class Ensemble:  # what training._train_ensemble returns, as far as export reads it
        member_models = type("Members", (), {"models": [member, None]})

    warm_start.export(Ensemble(), config, str(tmp_path), {"from": None, "reason": ""})
    plan = warm_start.plan(config, str(tmp_path))
    assert plan.weights[0] is not None and plan.weights[1] is None
    assert "member 0 warm" in plan.reason and "member 1 from scratch: the majority baseline" in plan.reason
    other = TrainingConfig(head="ensemble", members=({"head": "wide", "optimizer": "lbfgs", "ngram_size": 2},
                                                      {"head": "majority"}))
    assert warm_start.plan(other, str(tmp_path)).origin["from"] is None
    assert "another model family (dnn -> ensemble)" in warm_start.plan(config, _dnn_base(module, tmp_path)).reason


def _dnn_base(module, tmp_path):
    config = dnn(module)
    path = str(tmp_path / "dnn")
    warm_start.export(trained_dnn(config), config, path, {"from": None, "reason": ""})
    return path


def test_lbfgs_from_its_optimum_stops_at_once():
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    x = sp.random(300, 40, density=0.2, random_state=0, format="csr")
    y = (x @ rng.normal(size=40) + rng.logistic(size=300) > 0).astype(float)
    w, b, cold = lbfgs.fit(x, y, 0.01)
    w2, b2, warm = lbfgs.fit(x, y, 0.01, initial=np.append(w, b))
    assert warm["iterations"] <= 2 < cold["iterations"]
    np.testing.assert_allclose(w2, w, atol=1e-4)


def test_fraction_is_validated():
    with pytest.raises(ValueError, match="--warm-start-fraction"):
        TrainingConfig(warm_start_fraction=0)


def test_resolver_gives_a_rerun_the_base_of_the_run_it_repeats_and_other_examples_the_latest():
    """The base-model resolver: the latest blessed model, except for examples a Trainer already
    read, exactly: then that Trainer's base (an identical rerun comes from the cache). Model 3
    was trained on a window of two spans' examples, from model 2; another window over the same
    spans is new examples (it once resolved no base: its newest span was model 3's)."""
    import ml_metadata as mlmd
    from ml_metadata.proto import metadata_store_pb2 as pb
    from tfx.types import standard_artifacts

    from components.trainer.base_model import BLESSING, EXAMPLES, MODEL, LatestBlessedModelOfOtherExamplesStrategy
    from tests.helpers.artifacts import artifact

    config = pb.ConnectionConfig()
    config.fake_database.SetInParent()
    store = mlmd.MetadataStore(config)
    type_id = store.put_artifact_type(pb.ArtifactType(name="Any"))
    trainer = store.put_execution_type(pb.ExecutionType(name="Trainer"))
    evaluator = store.put_execution_type(pb.ExecutionType(name="Evaluator"))
    examples_1, examples_2, examples_3, model_1, model_2, model_3 = store.put_artifacts(
        [pb.Artifact(type_id=type_id) for _ in range(6)])

    def execution(type_id, inputs, outputs, warm_start=True):
        execution = pb.Execution(type_id=type_id)
        execution.custom_properties["custom_config"].string_value = json.dumps({"head": "dnn", "warm_start": warm_start})
        execution_id = store.put_executions([execution])[0]
        events = []
        for kind, pairs in ((pb.Event.INPUT, inputs), (pb.Event.OUTPUT, outputs)):
            for key, artifact_id in pairs:
                events.append(pb.Event(artifact_id=artifact_id, execution_id=execution_id, type=kind))
                events[-1].path.steps.add().key = key
        store.put_events(events)

    execution(trainer, [(EXAMPLES, examples_1)], [("model", model_1)])
    execution(trainer, [(EXAMPLES, examples_2), ("base_model", model_1)], [("model", model_2)])
    execution(trainer, [(EXAMPLES, examples_2), (EXAMPLES, examples_3), ("base_model", model_2)], [("model", model_3)])
    execution(evaluator, [(EXAMPLES, examples_1), ("model", model_3)], [])  # reads examples, trains nothing
    # a later run on model 3's examples with --no-warm-start: no base, and none to repeat
    no_warm = store.put_artifacts([pb.Artifact(type_id=type_id)])[0]
    execution(trainer, [(EXAMPLES, examples_2), (EXAMPLES, examples_3)], [("model", no_warm)], warm_start=False)

    models = [artifact(standard_artifacts.Model, i) for i in (model_1, model_2, model_3)]
    blessings = [artifact(standard_artifacts.ModelBlessing, 100 + i, current_model_id=m, blessed=1)
                 for i, m in enumerate((model_1, model_2, model_3))]
    strategy = LatestBlessedModelOfOtherExamplesStrategy()

    def base(*examples_ids):
        inputs = {MODEL: list(models), BLESSING: list(blessings),
                  EXAMPLES: [artifact(standard_artifacts.Examples, i) for i in examples_ids]}
        return [m.id for m in strategy.resolve_artifacts(store, inputs)[MODEL]]

    assert base(999) == [model_3]  # new examples: the latest blessed model
    assert base(examples_2, examples_3) == [model_2]  # the rerun of the run that trained model 3
    assert base(examples_2) == [model_1]  # the rerun of model 2's run
    assert base(examples_1) == []  # the rerun of model 1's run, which had no base
    assert base(examples_3) == [model_3]  # another window over spans models were trained on
    assert base(examples_1, examples_2) == [model_3]
    asked = []
    strategy.left_out = lambda store, models, passed: asked.extend(m.id for m in models) or (
        {m.id for m in models} & {model_3, model_2})
    assert base(999) == [model_1] and asked == [model_3, model_2, model_1]  # newest first, until one stays
    asked.clear()
    blessings[1].set_int_custom_property("blessed", 0)  # model 2 not blessed: its lineage is not read
    assert base(999) == [model_1] and asked == [model_3, model_1]
    assert [b.id for b in strategy.resolve_artifacts(store, {MODEL: list(models), BLESSING: list(blessings),
                                                             EXAMPLES: []})[BLESSING]] == [100]


def test_steps_grow_with_the_share_of_train_reviews_new_to_the_base(tmp_path):
    """A base that has seen most of the window trains warm_start_fraction of the steps; one that
    has seen little of it, that share of new reviews; a base without the record, the fraction."""
    import tensorflow as tf

    from components.trainer import seen_reviews

    texts = [f"review number {i}" for i in range(12)]

    def reviews(selected):
        return seen_reviews.fingerprints([({"text": tf.constant(selected[i:i + 5])}, None) for i in range(0, len(selected), 5)])

    assert reviews(texts).size == 12 and reviews(texts + texts[:3]).size == 12  # distinct
    config, base = wide([3, 7], [0.5, -1.0], 0.0)
    warm_start.export(base, config, str(tmp_path / "base"), {"from": None, "reason": ""}, reviews(texts[:8]))
    overlapping = warm_start.plan(config, str(tmp_path / "base"), reviews(texts[:10]))  # 2 of 10 new
    assert overlapping.fraction == 0.25 and overlapping.steps(0, 1000) == 250
    assert "20% of this window's 10 train reviews new to it" in overlapping.reason
    moved_on = warm_start.plan(config, str(tmp_path / "base"), reviews(texts[6:]))  # 4 of 6 new
    assert moved_on.fraction == pytest.approx(4 / 6) and moved_on.steps(0, 1000) == 667
    assert "67% of this window's 6 train reviews new to it" in moved_on.reason
    warm_start.export(base, config, str(tmp_path / "old"), {"from": None, "reason": ""})  # no record of reviews
    assert warm_start.plan(config, str(tmp_path / "old"), reviews(texts)).fraction == 0.25
    assert "records no train reviews" in warm_start.plan(config, str(tmp_path / "old"), reviews(texts)).reason


def test_a_base_model_on_another_file_system_is_read_as_a_local_one():
    """A Kubeflow run's base model is on gs://: the record is read through tf.io.gfile (here
    TensorFlow's in-memory ram:// file system), weights, reviews and origin alike."""
    import tensorflow as tf

    config, base = wide([3, 7], [0.5, -1.0], 0.25)
    remote = "ram://warm_start_test/base"
    tf.io.gfile.makedirs(remote)
    warm_start.export(base, config, remote, {"from": None, "reason": "first"}, np.array([5, 9], np.int64))
    plan = warm_start.plan(config, remote, np.array([5, 9, 11, 13], np.int64))  # 2 of 4 new
    assert plan.origin["from"] == remote and plan.fraction == 0.5
    _, fresh = wide([3, 7], [0, 0], 0.0)
    assert warm_start.apply(fresh, plan.weights[0])
    np.testing.assert_array_equal(fresh.get_layer("nb_logistic").kernel.numpy(), [0.5, -1.0])
    assert warm_start.read_origin(remote) == {"from": None, "reason": "first"}
    assert "no architecture record" in warm_start.plan(config, "ram://warm_start_test/none").reason
