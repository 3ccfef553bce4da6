"""The histogram-derived metrics equal TFMA's own on the same labels and predictions."""
import numpy as np
import pandas as pd
import pytest
import tensorflow_model_analysis as tfma

from components.evaluator import histogram_metrics
from components.evaluator.eval_config import HISTOGRAM_METRICS

PAIRS = {"BinaryAccuracy": "HistogramBinaryAccuracy", "Precision": "HistogramPrecision",
         "Recall": "HistogramRecall", "ExampleCount": "HistogramExampleCount",
         "MeanLabel": "HistogramMeanLabel", "MeanPrediction": "HistogramMeanPrediction"}


def metrics_by_slice(frame: pd.DataFrame, configs: list) -> dict:
    config = tfma.EvalConfig(
        model_specs=[tfma.ModelSpec(label_key="label", prediction_key="prediction")],
        slicing_specs=[tfma.SlicingSpec(), tfma.SlicingSpec(feature_keys=["group"])],
        metrics_specs=[tfma.MetricsSpec(metrics=configs)],
        options=tfma.Options(include_default_metrics={"value": False}))
    result = tfma.analyze_raw_data(frame, config)
    return {key: {name: v.get("doubleValue") for name, v in m[""][""].items()}
            for key, m in result.slicing_metrics}


def test_equal_to_tfma_metrics_per_slice():
    rng = np.random.default_rng(7)
    n = 600
    frame = pd.DataFrame({
        "label": rng.integers(0, 2, n).astype(np.int64),
        # away from 0.5 exactly (the one prediction where the two differ: see the module)
        "prediction": np.clip(rng.random(n), 0, 1).astype(np.float32),
        "group": rng.choice(["a", "b", "c"], n),
    })
    frame.loc[frame.prediction == 0.5, "prediction"] = 0.4
    frame.loc[:9, "prediction"] = [0.0, 1.0, 0.49999, 0.50001, 0.99999, 1e-6, 0.5001, 0.4999, 0.25, 0.75]
    ours = metrics_by_slice(frame, [tfma.MetricConfig(class_name=c, module=HISTOGRAM_METRICS) for c in PAIRS.values()])
    theirs = metrics_by_slice(frame, [tfma.MetricConfig(class_name=c) for c in PAIRS])
    assert set(ours) == set(theirs) and len(ours) == 4
    for key in theirs:
        assert set(ours[key]) == set(theirs[key]) == {"binary_accuracy", "precision", "recall", "example_count",
                                                      "mean_label", "mean_prediction"}
        for name, value in theirs[key].items():
            assert ours[key][name] == pytest.approx(value, rel=1e-6, abs=1e-9), (key, name)


def test_counts_and_empty_ratios():
    Bucket = histogram_metrics.calibration_histogram.Bucket
    # bucket 5000 is [0.4999, 0.5): negative; 5001 is [0.5, 0.5001): positive
    counts = histogram_metrics.Counts.of([Bucket(5000, 1.0, 0.4999, 3.0), Bucket(5001, 2.0, 1.0, 2.0)])
    assert (counts.tp, counts.fp, counts.fn, counts.tn, counts.examples) == (2.0, 0.0, 1.0, 2.0, 5.0)
    empty = histogram_metrics.Counts.of([Bucket(10, 0.0, 0.0, 4.0)])
    assert np.isnan(histogram_metrics.VALUES["precision"](empty))
    assert histogram_metrics.VALUES["binary_accuracy"](empty) == 1.0
