"""app.eval_results: the candidate's slicing metrics read alone equal those of TFMA's whole EvalResult."""
import os

import tensorflow as tf
from tensorflow_model_analysis.proto import config_pb2, metrics_for_slice_pb2
from tensorflow_model_analysis.writers import eval_config_writer

from app.eval_results import load_eval_result, slicing_metrics


def _evaluation(path: str) -> None:
    """A TFMA output directory of two models (candidate and baseline), two slices, one plot."""
    config = config_pb2.EvalConfig(model_specs=[config_pb2.ModelSpec(name="candidate"),
                                                config_pb2.ModelSpec(name="baseline", is_baseline=True)])
    with open(os.path.join(path, "eval_config.json"), "w") as f:
        f.write(eval_config_writer._serialize_eval_run(config, "data", "tfrecords",  # noqa: SLF001
                                                       {"candidate": "m/2", "baseline": "m/1"}))
    with tf.io.TFRecordWriter(os.path.join(path, "metrics-00000-of-00001.tfrecord")) as writer:
        for feature, value in (None, 0.9), ("length_bucket", 0.8):
            metrics = metrics_for_slice_pb2.MetricsForSlice()
            if feature:
                metrics.slice_key.single_slice_keys.add(column=feature, bytes_value=b"short")
            for model, shift in ("candidate", 0.0), ("baseline", -0.1):
                item = metrics.metric_keys_and_values.add()
                item.key.name, item.key.model_name = "binary_accuracy", model
                item.value.double_value.value = value + shift
            writer.write(metrics.SerializeToString())
    with tf.io.TFRecordWriter(os.path.join(path, "plots-00000-of-00001.tfrecord")) as writer:
        plots = metrics_for_slice_pb2.PlotsForSlice()
        item = plots.plot_keys_and_values.add()
        item.key.model_name = "candidate"
        item.value.calibration_histogram_buckets.buckets.add(num_weighted_examples={"value": 3.0})
        writer.write(plots.SerializeToString())


def test_the_metrics_alone_are_the_whole_results_metrics_of_the_candidate(tmp_path):
    _evaluation(str(tmp_path))
    whole = load_eval_result(str(tmp_path))
    alone = slicing_metrics(str(tmp_path))
    assert alone == whole.slicing_metrics and len(whole.plots) == 1
    overall = dict(alone)[()]
    assert overall[""][""]["binary_accuracy"] == {"doubleValue": 0.9}  # the candidate's, not the baseline's


def test_a_missing_evaluation_is_one_error_naming_it(tmp_path, monkeypatch):
    """A store written by a run given a relative root holds relative paths: read from another
    directory they name nothing there, and the error says so (it was an AttributeError)."""
    import pytest

    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"^root/Evaluator/evaluation/7: no Evaluator output there \(a path "
                                                r"relative to the directory its run was started in"):
        slicing_metrics("root/Evaluator/evaluation/7")
    with pytest.raises(FileNotFoundError, match=r"/gone: no Evaluator output there$"):
        load_eval_result(str(tmp_path / "gone"))
