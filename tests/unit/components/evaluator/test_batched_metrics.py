"""The batched evaluator writes what TFMA's own evaluator writes: every metric and plot of every
slice and the validation result. Here without a model (TFMA's model-agnostic mode: the
predictions are a feature), so without a baseline, which TFMA allows only with models;
tests/e2e/test_local_runner.py compares the two on a pipeline's real model and its baseline."""
import numpy as np
import pytest
import tensorflow_model_analysis as tfma

from components.evaluator import batched_metrics
from components.evaluator.eval_config import eval_config
from tests.helpers.evaluations import differences, read_examples, run_both, written


def _config(accuracy_lower_bound: float, guard_floor: float):
    """The production config (guard set `short`, snippet set `first`), model-agnostic: the
    predictions are a feature; no baseline, so TFMA drops the change thresholds (as on a first run)."""
    config = eval_config(accuracy_lower_bound, 0.0, guard_sets=("short",), guard_floors={"short": guard_floor},
                         snippet_sets=("first",))
    del config.model_specs[:]
    config.model_specs.add(label_key="label", prediction_key="prediction")
    return tfma.utils.update_eval_config_with_defaults(config, has_baseline=False, rubber_stamp=True)


def _examples(n: int, seed: int):
    rng = np.random.default_rng(seed)
    label = rng.integers(0, 2, n)
    prediction = np.clip(label * 0.3 + rng.random(n) * 0.7, 0, 1).astype(np.float32)
    prediction[:8] = [0.0, 1.0, 0.5, 0.49999, 0.50001, 0.99999, 1e-7, 0.75]  # bucket edges
    return {
        "label": label,
        "prediction": prediction,
        "rating": np.where(label == 1, rng.integers(7, 11, n), rng.integers(1, 5, n)),
        "length_bucket": rng.choice(["000-099", "100-199", "200-399"], n),
        "dataset": rng.choice(["imdb", "imdb", "short", "first"], n),
    }


def _read(columns: dict, path: str):
    """Writes the columns as tf.Examples to a TFRecord file; the reader of its batches."""
    import tensorflow as tf

    with tf.io.TFRecordWriter(path) as out:
        for i in range(len(columns["label"])):
            example = tf.train.Example()
            for name, values in columns.items():
                value = values[i].item() if hasattr(values[i], "item") else values[i]
                feature = example.features.feature[name]
                if isinstance(value, str):
                    feature.bytes_list.value.append(value.encode())
                elif isinstance(value, float):
                    feature.float_list.value.append(value)
                else:
                    feature.int64_list.value.append(value)
            out.write(example.SerializeToString())
    return read_examples([path], batch_size=97)


@pytest.mark.parametrize("lower_bound,floor", [(0.5, 0.5), (0.9, 0.99)])
def test_same_output_as_tfma(tmp_path, lower_bound, floor):
    config = _config(lower_bound, floor)
    assert batched_metrics.supports(config)
    outputs = run_both(_read(_examples(700, seed=3), str(tmp_path / "examples.tfrecord")), config, None,
                       str(tmp_path))
    ours, theirs = written(outputs["batched"]), written(outputs["tfma"])
    assert {("metrics", "dataset:short"), ("plots", "dataset:imdb"), ("metrics", "dataset_X_rating:imdb_X_7"),
            ("metrics", "dataset:first")} <= set(theirs), sorted(theirs)
    assert differences(ours, theirs) == []
    # the two cases differ in what the gate decides: the comparison covers a pass and two failures
    assert theirs[("validation", "")].get("/validationOk", False) == (lower_bound == 0.5)


def test_other_configs_keep_tfma():
    config = _config(0.5, 0.5)
    config.options.compute_confidence_intervals.value = True
    assert not batched_metrics.supports(config)
    config = _config(0.5, 0.5)
    config.metrics_specs[0].metrics.add(class_name="MeanSquaredError")
    assert not batched_metrics.supports(config)
    with pytest.raises(ValueError, match="calibration histograms"):
        batched_metrics.BatchedMetricsEvaluator(config)
