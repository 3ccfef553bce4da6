"""TFMA evaluation config: metrics, slices and the blessing thresholds."""
from __future__ import annotations

import tensorflow_model_analysis as tfma

try:  # the MiniLM module's WordPiece ops, for a model that contains it (loaded in this process)
    import tensorflow_text  # noqa: F401
except ImportError:
    pass

from components import features

SLICES = ((), (features.RATING,), (features.LENGTH_BUCKET,))
HISTOGRAM_METRICS = "components.evaluator.histogram_metrics"
IMDB_DATASET = features.IMDB_DATASET


def slicing_specs(crossed: bool) -> list[tfma.SlicingSpec]:
    """Overall, by rating and by length; `crossed` (guard or snippet sets: the Evaluator reads the
    test and guard splits pooled, as TFX's Evaluator flattens its example_splits), every example
    in the slice of its `dataset` (`dataset: imdb` is the IMDB test split, what "overall" means
    without them), and the IMDB test split's examples also by rating and by length, with keys
    such as `dataset: imdb, rating: 7`. A guard or snippet set is not sliced further: each slice
    an example falls in costs TFMA a pass of every metric over it, and a snippet's length bucket
    is always the shortest."""
    if not crossed:
        return [tfma.SlicingSpec(feature_keys=list(keys)) for keys in SLICES]
    return [tfma.SlicingSpec(feature_keys=[features.DATASET])] + [
        tfma.SlicingSpec(feature_keys=list(keys), feature_values={features.DATASET: IMDB_DATASET})
        for keys in SLICES if keys]


def dataset_slice(name: str) -> tfma.SlicingSpec:
    return tfma.SlicingSpec(feature_values={features.DATASET: name})


def guard_thresholds(guard_sets, tolerance: float, floors=None) -> list[tfma.PerSliceMetricThreshold]:
    """Accuracy on each guard set `dataset: NAME` not below the baseline's by more than
    `tolerance` (absolute), and at least `floors[NAME]` where given."""
    floors = dict(floors or {})
    unknown = set(floors) - set(guard_sets)
    if unknown:
        raise ValueError(f"guard floor for {', '.join(sorted(unknown))}: no guard set of that name")
    out = []
    for name in guard_sets:
        threshold = tfma.MetricThreshold(change_threshold=tfma.GenericChangeThreshold(
            direction=tfma.MetricDirection.HIGHER_IS_BETTER, absolute={"value": -tolerance}))
        if name in floors:
            threshold.value_threshold.lower_bound.value = floors[name]
        out.append(tfma.PerSliceMetricThreshold(slicing_specs=[dataset_slice(name)], threshold=threshold))
    return out


def eval_config(accuracy_lower_bound: float = 0.7, accuracy_change_tolerance: float = 1e-10, *,
                task: str = "classification", thresholds: bool = True, transformed: bool = False,
                guard_sets: tuple[str, ...] = (), guard_tolerance: float = 0.02,
                guard_floors=None, snippet_sets: tuple[str, ...] = ()) -> tfma.EvalConfig:
    """Accuracy, AUC, precision, recall, example count, mean label and prediction,
    confusion-matrix and calibration plots on the test split, overall and sliced by rating and
    review length.

    A model is blessed only if its accuracy is at least `accuracy_lower_bound` and, when a
    blessed baseline exists, not lower than the baseline's by more than the tolerance.
    Without `thresholds` (experiments) nothing is validated and no model is ever blessed.
    With `transformed` the examples are Transform's output, read by the `serving_transformed`
    signature (experiments); otherwise raw examples go through `transform_features` first.
    A regression model (task "regression") is measured on both of its outputs: the
    predicted rating (MSE, MAE against `rating`) and the probability of a positive review
    derived from it, sigmoid(rating - 5.5), so that accuracy means thresholding at 5.5.
    With `guard_sets` (names of the guard split's datasets) the slices are crossed with
    `dataset` (slicing_specs), the thresholds above apply to the slice `dataset: imdb`, and
    each guard set has its own (guard_thresholds). With `snippet_sets` (the snippet sets in the
    guard split: components/example_gen/snippet_sets.py) the slices are crossed the same way;
    a snippet set's slice `dataset: NAME` is measured only, with no threshold, so the gate is
    the same as without it.
    """
    accuracy_threshold = tfma.MetricThreshold(
        value_threshold=tfma.GenericValueThreshold(lower_bound={"value": accuracy_lower_bound}),
        change_threshold=tfma.GenericChangeThreshold(
            direction=tfma.MetricDirection.HIGHER_IS_BETTER,
            absolute={"value": -accuracy_change_tolerance}),
    )
    # The blessing gate looks at the whole test split; per-slice accuracy is reported.
    crossed = bool(guard_sets or snippet_sets)
    imdb = dataset_slice(IMDB_DATASET) if crossed else tfma.SlicingSpec()
    gate = [tfma.PerSliceMetricThreshold(slicing_specs=[imdb], threshold=accuracy_threshold)]
    if guard_sets:
        gate += guard_thresholds(guard_sets, guard_tolerance, guard_floors)
    # All read off AUC's calibration histogram: one pass over the examples (histogram_metrics.py).
    histogram = lambda name, **kw: tfma.MetricConfig(class_name=name, module=HISTOGRAM_METRICS, **kw)  # noqa: E731
    classification = tfma.MetricsSpec(metrics=[
        histogram("HistogramExampleCount"),
        histogram("HistogramBinaryAccuracy", per_slice_thresholds=gate if thresholds else []),
        tfma.MetricConfig(class_name="AUC"),
        histogram("HistogramPrecision"),
        histogram("HistogramRecall"),
        histogram("HistogramMeanLabel"),
        histogram("HistogramMeanPrediction"),
    ])
    # The plots for the candidate only: a baseline's plots were made when it was the candidate.
    # (With no baseline, TFMA renames the single model "" and this spec follows it.)
    plots = tfma.MetricsSpec(model_names=[tfma.CANDIDATE_KEY], metrics=[
        tfma.MetricConfig(class_name="ConfusionMatrixPlot"),
        tfma.MetricConfig(class_name="CalibrationPlot"),
    ])
    if task == "regression":
        classification.output_names.append(features.PROBABILITY)
        plots.output_names.append(features.PROBABILITY)
        regression = tfma.MetricsSpec(output_names=[features.PREDICTED_RATING], metrics=[
            tfma.MetricConfig(class_name="MeanSquaredError"),
            tfma.MetricConfig(class_name="MeanAbsoluteError"),
        ])
        model_spec = tfma.ModelSpec(
            label_keys={features.PROBABILITY: features.LABEL, features.PREDICTED_RATING: features.RATING})
        metrics_specs = [classification, plots, regression]
    else:
        model_spec = tfma.ModelSpec(label_key=features.LABEL, prediction_key=features.PROBABILITY)
        metrics_specs = [classification, plots]
    # The Trainer's models are Keras models. Said here, TFMA does not load each model as a Keras
    # model to find out (model_util.get_model_type: 0.5-1 s a model, before its evaluation loads it).
    model_spec.model_type = tfma.TF_KERAS
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
        slicing_specs=slicing_specs(crossed),
        metrics_specs=metrics_specs,
    )
