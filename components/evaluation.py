"""TFMA evaluation config: metrics, slices and the blessing thresholds."""
from __future__ import annotations

import tensorflow_model_analysis as tfma

try:  # the MiniLM module's WordPiece ops, for a model that contains it (loaded in this process)
    import tensorflow_text  # noqa: F401
except ImportError:
    pass

from components import transform
from components.trainer import OUTPUT_KEY, RATING_OUTPUT_KEY

SLICES = ((), (transform.RATING_KEY,), (transform.LENGTH_BUCKET_KEY,))


def eval_config(accuracy_lower_bound: float = 0.7, accuracy_change_tolerance: float = 1e-10, *,
                task: str = "classification", thresholds: bool = True, transformed: bool = False) -> tfma.EvalConfig:
    """Accuracy, AUC, precision, recall, confusion-matrix and calibration plots on the test
    split, overall and sliced by rating and review length.

    A model is blessed only if its accuracy is at least `accuracy_lower_bound` and, when a
    blessed baseline exists, not lower than the baseline's by more than the tolerance.
    Without `thresholds` (experiments) nothing is validated and no model is ever blessed.
    With `transformed` the examples are Transform's output, read by the `serving_transformed`
    signature (experiments); otherwise raw examples go through `transform_features` first.
    A regression model (task "regression") is measured on both of its outputs: the
    predicted rating (MSE, MAE against `rating`) and the probability of a positive review
    derived from it, sigmoid(rating - 5.5), so that accuracy means thresholding at 5.5.
    """
    accuracy_threshold = tfma.MetricThreshold(
        value_threshold=tfma.GenericValueThreshold(lower_bound={"value": accuracy_lower_bound}),
        change_threshold=tfma.GenericChangeThreshold(
            direction=tfma.MetricDirection.HIGHER_IS_BETTER,
            absolute={"value": -accuracy_change_tolerance}),
    )
    # The blessing gate looks at the whole test split; per-slice accuracy is reported.
    gate = [tfma.PerSliceMetricThreshold(slicing_specs=[tfma.SlicingSpec()], threshold=accuracy_threshold)]
    classification = tfma.MetricsSpec(metrics=[
        tfma.MetricConfig(class_name="ExampleCount"),
        tfma.MetricConfig(class_name="BinaryAccuracy", per_slice_thresholds=gate if thresholds else []),
        tfma.MetricConfig(class_name="AUC"),
        tfma.MetricConfig(class_name="Precision"),
        tfma.MetricConfig(class_name="Recall"),
        tfma.MetricConfig(class_name="MeanLabel"),
        tfma.MetricConfig(class_name="MeanPrediction"),
        tfma.MetricConfig(class_name="ConfusionMatrixPlot"),
        tfma.MetricConfig(class_name="CalibrationPlot"),
    ])
    if task == "regression":
        classification.output_names.append(OUTPUT_KEY)
        regression = tfma.MetricsSpec(output_names=[RATING_OUTPUT_KEY], metrics=[
            tfma.MetricConfig(class_name="MeanSquaredError"),
            tfma.MetricConfig(class_name="MeanAbsoluteError"),
        ])
        model_spec = tfma.ModelSpec(
            label_keys={OUTPUT_KEY: transform.LABEL_KEY, RATING_OUTPUT_KEY: transform.RATING_KEY})
        metrics_specs = [classification, regression]
    else:
        model_spec = tfma.ModelSpec(label_key=transform.LABEL_KEY, prediction_key=OUTPUT_KEY)
        metrics_specs = [classification]
    if transformed:
        model_spec.signature_name = "serving_transformed"
    else:
        model_spec.signature_name = "serving_default"
        model_spec.preprocessing_function_names.append("transform_features")
    return tfma.EvalConfig(
        # Only the metrics below: the Keras model's compiled metrics would repeat them (and its
        # loss, summed over each batch, means nothing per example).
        options=tfma.Options(include_default_metrics={"value": False}),
        model_specs=[model_spec],
        slicing_specs=[tfma.SlicingSpec(feature_keys=list(keys)) for keys in SLICES],
        metrics_specs=metrics_specs,
    )
