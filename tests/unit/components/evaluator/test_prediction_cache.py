"""The Evaluator reuses a baseline's predictions and transformed features from the evaluation
that made them (components/evaluator/prediction_cache.py, cached_extractors.py): the same
results as running the baseline, without running, or loading, it where an earlier evaluation
covers the examples. Tiny SavedModels with the exported model's serving_default (and
transform_features) (tests/helpers/models.py), the production eval config."""

import os
import shutil

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_model_analysis as tfma

from components.evaluator import cached_extractors, prediction_cache
from components.evaluator.eval_config import eval_config
from tests.helpers.evaluations import differences, evaluate_counted, read_examples, written
from tests.helpers.models import build_model

WORDS = "good bad film plot acting dull great boring fine awful superb weak".split()


def _examples(path: str, n: int, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    with tf.io.TFRecordWriter(path) as out:
        for i in range(n):
            example = tf.train.Example()
            f = example.features.feature
            f["text"].bytes_list.value.append(" ".join(rng.choice(WORDS, 3 + i % 9)).encode())
            f["label"].int64_list.value.append(int(rng.integers(0, 2)))
            f["rating"].int64_list.value.append(int(rng.choice([1, 3, 8, 10])))
            f["length_bucket"].bytes_list.value.append(rng.choice([b"000-099", b"100-199"]))
            out.write(example.SerializeToString())
    return path


REUSED, COMPUTED = prediction_cache.counter_names()
TRANSFORMED_REUSED, TRANSFORMED_COMPUTED = TRANSFORMED = prediction_cache.counter_names(
    prediction_cache.TRANSFORMED_DIRECTORY)


def _config(models: int, transform: bool):
    config = eval_config(0.0, 0.5)
    if not transform:
        config.model_specs[0].ClearField("preprocessing_function_names")  # the features are in the examples
    return tfma.utils.update_eval_config_with_defaults(config, has_baseline=models == 2, rubber_stamp=models == 1)


def _evaluate(examples: str, model_paths: list[str], output: str, transform: bool = False) -> dict:
    """Evaluates the candidate (and baseline) into `output`; the prediction cache's counters of
    predictions (and with `transform`, of transformed features: the models' transform_features)."""
    config = _config(len(model_paths), transform)
    models = [tfma.default_eval_shared_model(eval_saved_model_path=p, model_name=s.name, eval_config=config)
              for p, s in zip(model_paths, config.model_specs)]
    _, counts = evaluate_counted(read_examples([examples], batch_size=50), config,
                                 models if len(models) > 1 else models[0], output, prediction_cache.COUNTERS)
    names = (REUSED, COMPUTED, *(TRANSFORMED if transform else ()))
    return {name: counts.get(name, 0) for name in names}


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    return {name: build_model(str(root / name), seed, examples=True) for name, seed in (("a", 0), ("b", 1))}


@pytest.fixture(scope="module")
def transform_models(tmp_path_factory):
    root = tmp_path_factory.mktemp("transform_models")
    return {name: build_model(str(root / name), seed, examples=True, transform=True) for name, seed in (("a", 0), ("b", 1))}


def test_the_baselines_predictions_come_from_its_own_evaluation_and_give_the_same_results(tmp_path, models):
    examples = _examples(str(tmp_path / "test.tfrecord"), 300)
    evaluations = tmp_path / "Evaluator" / "evaluation"
    # the run that trained A evaluated it alone: its predictions are kept in that evaluation
    assert _evaluate(examples, [models["a"]], str(evaluations / "1")) == {REUSED: 0,
                                                                           COMPUTED: 0}
    key = prediction_cache.model_key(models["a"], "serving_default")
    assert tf.io.gfile.glob(str(evaluations / "1" / prediction_cache.DIRECTORY / key / "part-*.npz"))
    # the next run: B against A, beside that evaluation: A is not run on any example
    counts = _evaluate(examples, [models["b"], models["a"]], str(evaluations / "2"))
    assert counts == {REUSED: 300, COMPUTED: 0}
    # the same evaluation with no earlier one: A is run, and everything written is the same
    elsewhere = _evaluate(examples, [models["b"], models["a"]], str(tmp_path / "other" / "evaluation" / "2"))
    assert elsewhere == {REUSED: 0, COMPUTED: 300}
    reused, computed = written(str(evaluations / "2")), written(str(tmp_path / "other" / "evaluation" / "2"))
    assert ("metrics", "rating:8") in computed and differences(reused, computed) == []
    # the comparison is of two models: B's accuracy differs from A's, so the baseline's values are A's
    assert any("diff" in field.lower() for fields in computed.values() for field in fields)


def test_a_baseline_every_batch_finds_is_never_loaded_and_gives_the_same_results(tmp_path, transform_models):
    """The models' transform_features disagree on the length bucket of 4-word texts, so the
    slices depend on the baseline's own transformed features, which must be read back exactly."""
    examples = _examples(str(tmp_path / "test.tfrecord"), 300)
    baseline = str(tmp_path / "a")
    shutil.copytree(transform_models["a"], baseline)
    evaluations = tmp_path / "Evaluator" / "evaluation"
    assert _evaluate(examples, [baseline], str(evaluations / "1"), transform=True) == dict.fromkeys(
        (REUSED, COMPUTED, *TRANSFORMED), 0)
    key = prediction_cache.model_key(baseline, "transform_features")
    assert tf.io.gfile.glob(str(evaluations / "1" / prediction_cache.TRANSFORMED_DIRECTORY / key / "part-*.npz"))
    alone = str(tmp_path / "alone" / "evaluation" / "2")  # the baseline run
    assert _evaluate(examples, [transform_models["b"], baseline], alone, transform=True) == {
        REUSED: 0, COMPUTED: 300,
        TRANSFORMED_REUSED: 0, TRANSFORMED_COMPUTED: 300}
    # the baseline can no longer be loaded (its variables gone; its key, of its graph and index, the same)
    for data in tf.io.gfile.glob(os.path.join(baseline, "variables", "variables.data-*")):
        os.remove(data)
    counts = _evaluate(examples, [transform_models["b"], baseline], str(evaluations / "2"), transform=True)
    assert counts == {REUSED: 300, COMPUTED: 0,
                      TRANSFORMED_REUSED: 300, TRANSFORMED_COMPUTED: 0}
    reused, computed = written(str(evaluations / "2")), written(alone)
    assert ("metrics", "length_bucket:100-199") in computed and differences(reused, computed) == []


def test_each_examples_key_is_made_once_for_both_extractors(tmp_path, transform_models, monkeypatch):
    keyed = []

    def counted(serialized):
        keyed.append(len(serialized))
        return prediction_cache.example_keys(serialized)

    monkeypatch.setattr(cached_extractors, "example_keys", counted)
    examples = _examples(str(tmp_path / "test.tfrecord"), 300)
    _evaluate(examples, [transform_models["b"], transform_models["a"]], str(tmp_path / "evaluation" / "1"), transform=True)
    assert sum(keyed) == 300  # by the first extractor of each batch; the second reads them from the batch


def test_examples_an_earlier_evaluation_lacks_are_run_through_the_baseline(tmp_path, models):
    examples = _examples(str(tmp_path / "test.tfrecord"), 300)
    first = _examples(str(tmp_path / "first.tfrecord"), 150)  # the same generator: the first 150 examples
    evaluations = tmp_path / "evaluation"
    _evaluate(first, [models["a"]], str(evaluations / "1"))
    counts = _evaluate(examples, [models["b"], models["a"]], str(evaluations / "2"))
    # batches of 50: the first three are all known, the others are run
    assert counts == {REUSED: 150, COMPUTED: 150}
    alone = tmp_path / "alone" / "evaluation" / "2"
    _evaluate(examples, [models["b"], models["a"]], str(alone))
    assert differences(written(str(evaluations / "2")), written(str(alone))) == []


def test_a_model_is_known_by_its_content_not_its_path(tmp_path):
    path = str(tmp_path / "model")
    build_model(path, seed=0, examples=True)
    key = prediction_cache.model_key(path, "serving_default")
    assert prediction_cache.model_key(path, "serving_default") == key  # the same files: the same key
    assert prediction_cache.model_key(path, "predict_text") != key
    build_model(path, seed=2, examples=True)  # another model written at that path
    assert prediction_cache.model_key(path, "serving_default") != key


def test_known_rows_only_when_every_key_is_there():
    known = prediction_cache.Known(np.array([5, 1, 9], np.uint64), {"": np.array([[0.5], [0.1], [0.9]])})
    rows = known.rows(np.array([9, 1], np.uint64))
    assert np.array_equal(known.value(rows), [[0.9], [0.1]])
    assert known.rows(np.array([9, 2], np.uint64)) is None and known.rows(np.array([10], np.uint64)) is None

def test_an_examples_key_is_its_content_whatever_the_order_its_features_were_written_in():
    from google.protobuf.internal.encoder import _VarintBytes

    def example(order):  # the map's entries written in this order (wire format: Example.features = 1)
        entries = b"".join(tf.train.Features(feature={name: tf.train.Feature(
            bytes_list=tf.train.BytesList(value=[name.encode()]))}).SerializeToString() for name in order)
        return b"\x0a" + _VarintBytes(len(entries)) + entries

    one, other = example(["text", "label", "rating"]), example(["rating", "text", "label"])
    assert one != other and tf.train.Example.FromString(one) == tf.train.Example.FromString(other)
    keys = prediction_cache.example_keys([one, other, example(["text", "label"])])
    assert keys.dtype == np.uint64 and keys[0] == keys[1] != keys[2]


def test_the_counters_are_named_as_documented():
    """docs/training.md names them (a user reads them off Beam's metrics)."""
    assert (REUSED, COMPUTED, *TRANSFORMED) == ("baseline_predictions_reused", "baseline_predictions_computed",
                                                "baseline_transformed_features_reused",
                                                "baseline_transformed_features_computed")
