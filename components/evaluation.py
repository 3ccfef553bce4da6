"""TFMA evaluation config: metrics, slices and the blessing thresholds."""
from __future__ import annotations

import tensorflow_model_analysis as tfma

from components import transform
from components.trainer import OUTPUT_KEY

SLICES = ((), (transform.RATING_KEY,), (transform.LENGTH_BUCKET_KEY,))


def eval_config(accuracy_lower_bound: float = 0.7, accuracy_change_tolerance: float = 1e-10) -> tfma.EvalConfig:
    """Accuracy, AUC, precision, recall, confusion-matrix and calibration plots on the test
    split, overall and sliced by rating and review length.

    A model is blessed only if its accuracy is at least `accuracy_lower_bound` and, when a
    blessed baseline exists, not lower than the baseline's by more than the tolerance.
    """
    accuracy_threshold = tfma.MetricThreshold(
        value_threshold=tfma.GenericValueThreshold(lower_bound={"value": accuracy_lower_bound}),
        change_threshold=tfma.GenericChangeThreshold(
            direction=tfma.MetricDirection.HIGHER_IS_BETTER,
            absolute={"value": -accuracy_change_tolerance}),
    )
    return tfma.EvalConfig(
        # Only the metrics below: the Keras model's compiled metrics would repeat them (and its
        # loss, summed over each batch, means nothing per example).
        options=tfma.Options(include_default_metrics={"value": False}),
        model_specs=[tfma.ModelSpec(
            signature_name="serving_default",
            label_key=transform.LABEL_KEY,
            prediction_key=OUTPUT_KEY,
            preprocessing_function_names=["transform_features"],
        )],
        slicing_specs=[tfma.SlicingSpec(feature_keys=list(keys)) for keys in SLICES],
        metrics_specs=[tfma.MetricsSpec(metrics=[
            tfma.MetricConfig(class_name="ExampleCount"),
            # The blessing gate looks at the whole test split; per-slice accuracy is reported.
            tfma.MetricConfig(class_name="BinaryAccuracy", per_slice_thresholds=[
                tfma.PerSliceMetricThreshold(slicing_specs=[tfma.SlicingSpec()], threshold=accuracy_threshold)]),
            tfma.MetricConfig(class_name="AUC"),
            tfma.MetricConfig(class_name="Precision"),
            tfma.MetricConfig(class_name="Recall"),
            tfma.MetricConfig(class_name="MeanLabel"),
            tfma.MetricConfig(class_name="MeanPrediction"),
            tfma.MetricConfig(class_name="ConfusionMatrixPlot"),
            tfma.MetricConfig(class_name="CalibrationPlot"),
        ])],
    )
