"""Accuracy, precision, recall, example count, mean label and mean prediction, all read off the
calibration histogram that TFMA builds for AUC and the plots.

TFMA runs each distinct metric computation over every example in every slice it falls in, in
Python: its own BinaryAccuracy/Precision/Recall share a confusion matrix at 0.5, MeanLabel and
MeanPrediction a sum of labels and predictions, ExampleCount a counter, and AUC, the
confusion-matrix plot and the calibration plot a 10,000-bucket histogram of the predictions:
four passes, where the histogram alone holds all of it. These metrics derive their values from
that histogram, so the Evaluator makes one pass (scripts/benchmark_evaluator.py measures both).

The histogram's bucket i >= 1 holds the predictions in [(i - 1) / 10000, i / 10000), so here a
prediction counts as positive when it is >= 0.5; TFMA's own metrics and the served label
(components/serving/served_model.py) say > 0.5. The two differ only for a prediction of exactly 0.5
(a logit of exactly 0). Names and
values are otherwise TFMA's (`binary_accuracy`, `precision`, `recall`, `example_count`,
`mean_label`, `mean_prediction`); a ratio with nothing to divide is NaN, as in TFMA.
Referenced by module path in the eval config (components/evaluator/eval_config.py).
"""
from __future__ import annotations

import dataclasses
from typing import Callable, Optional

from tensorflow_model_analysis.metrics import calibration_histogram, metric_types, metric_util

THRESHOLD = 0.5
NUM_BUCKETS = calibration_histogram.DEFAULT_NUM_BUCKETS


@dataclasses.dataclass
class Counts:
    """The histogram summed: weighted true/false positives and negatives at THRESHOLD, and sums."""

    tp: float = 0.0
    fp: float = 0.0
    tn: float = 0.0
    fn: float = 0.0
    labels: float = 0.0
    predictions: float = 0.0
    examples: float = 0.0

    @classmethod
    def of(cls, histogram) -> "Counts":
        first_positive = int(THRESHOLD * NUM_BUCKETS) + 1  # bucket of [0.5, 0.5001)
        c = cls()
        for b in histogram:
            negatives = b.weighted_examples - b.weighted_labels
            if b.bucket_id >= first_positive:
                c.tp += b.weighted_labels
                c.fp += negatives
            else:
                c.fn += b.weighted_labels
                c.tn += negatives
            c.labels += b.weighted_labels
            c.predictions += b.weighted_predictions
            c.examples += b.weighted_examples
        return c


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


VALUES: dict[str, Callable[[Counts], float]] = {
    "binary_accuracy": lambda c: _ratio(c.tp + c.tn, c.examples),
    "precision": lambda c: _ratio(c.tp, c.tp + c.fp),
    "recall": lambda c: _ratio(c.tp, c.tp + c.fn),
    "example_count": lambda c: c.examples,
    "mean_label": lambda c: _ratio(c.labels, c.examples),
    "mean_prediction": lambda c: _ratio(c.predictions, c.examples),
}


def _computations(name: str, eval_config=None, model_name: str = "", output_name: str = "",
                  sub_key: Optional[metric_types.SubKey] = None, aggregation_type=None,
                  class_weights=None, example_weighted: bool = False) -> metric_types.MetricComputations:
    key = metric_types.MetricKey(name=name, model_name=model_name, output_name=output_name,
                                 sub_key=sub_key, example_weighted=example_weighted)
    # The same arguments as the calibration plot's histogram, so that TFMA computes it once.
    computations = calibration_histogram.calibration_histogram(
        eval_config=eval_config, model_name=model_name, output_name=output_name, sub_key=sub_key,
        left=0.0, right=1.0, aggregation_type=aggregation_type, class_weights=class_weights,
        example_weighted=example_weighted)
    histogram_key = computations[-1].keys[-1]
    value = VALUES[name]

    def result(metrics):
        return {key: value(Counts.of(metrics[histogram_key]))}

    computations.append(metric_types.DerivedMetricComputation(keys=[key], result=result))
    return computations


class _HistogramMetric(metric_types.Metric):
    NAME = ""

    def __init__(self, name: str = ""):
        super().__init__(metric_util.merge_per_key_computations(_computations), name=name or self.NAME)


class HistogramBinaryAccuracy(_HistogramMetric):
    NAME = "binary_accuracy"


class HistogramPrecision(_HistogramMetric):
    NAME = "precision"


class HistogramRecall(_HistogramMetric):
    NAME = "recall"


class HistogramExampleCount(_HistogramMetric):
    NAME = "example_count"


class HistogramMeanLabel(_HistogramMetric):
    NAME = "mean_label"


class HistogramMeanPrediction(_HistogramMetric):
    NAME = "mean_prediction"
