"""TFMA's metrics, plots and validations computed from whole batches of examples.

TFMA's own evaluator unbatches the model's batched predictions into one extract per example,
finds each example's slice keys, fans each example out to every slice it is in, and feeds it,
one at a time, to the combiner of each metric computation: per example and slice, Python code
of TFMA and Beam. For this project's eval configs (components/evaluator/eval_config.py) every
metric is derived from one combiner per model, TFMA's calibration histogram (10,000 buckets of
the prediction, holding label, prediction and example sums); AUC, accuracy, precision, recall,
the means and both plots are computed from it by TFMA's derived computations.

`BatchedMetricsEvaluator` replaces only that per-example part: for each batch it finds the
slice keys of each distinct combination of the slicing features' values (TFMA's slicer, on one
example per combination: batch_slices.py) and adds the batch's examples to each slice's histogram with numpy
(np.bincount, the bucket formula of TFMA's `_CalibrationHistogramCombiner`). What comes after
the combiner is TFMA's: derived metrics, diffs against the baseline, the removal of private
metrics, the validation of thresholds, and the writers. The histograms equal TFMA's up to the
order of floating-point sums (tests/unit/components/evaluator/test_batched_metrics.py compares
every metric and plot of every slice with TFMA's own evaluator).

It reuses TFMA 0.47's own pieces, some of them private (the evaluator's derived-metric, diff
and filter steps, the histogram combiner's parameters), all through tfma_private.py, whose test
names any that a TFMA upgrade changes; the tests' comparison with TFMA's evaluator checks the
results.

`supports(eval_config)` says whether a config is of that kind; for any other (other combiners,
example weights, confidence intervals, cross slices, query keys, SQL slices, a minimum slice
size, the Keras model's own metrics) the executor keeps TFMA's evaluator.
"""
from __future__ import annotations

import apache_beam as beam
import numpy as np
from tensorflow_model_analysis import constants
from tensorflow_model_analysis.evaluators import evaluator
from tensorflow_model_analysis.evaluators import metrics_validator
from tensorflow_model_analysis.extractors import extractor
from tensorflow_model_analysis.metrics import calibration_histogram, metric_specs, metric_types

from components.evaluator import tfma_private
from components.evaluator.batch_slices import SliceFinder, batch_size

STAGE_NAME = "EvaluateMetricsAndPlotsBatched"
# TFMA's per-example stages, which this evaluator does without.
PER_EXAMPLE_EXTRACTORS = ("ExtractUnbatchedInputs", "ExtractSliceKeys")


def _computations(eval_config):
    return tfma_private.filter_and_separate_computations(  # TFMA's de-duplication of computations
        metric_specs.to_computations(eval_config.metrics_specs, eval_config=eval_config))


def _histogram_combiners(computations) -> list | None:
    """The calibration-histogram combiners' parameters (tfma_private.Histogram) of `computations`,
    or None if any combiner computation is something else or needs what this evaluator does not
    do (class weights, example weights, an aggregation, a sub key, bucketing by label, a
    preprocessor)."""
    combiners = []
    for computation in computations.non_derived_computations:
        histogram = tfma_private.plain_histogram(computation.combiner)
        if histogram is None or computation.preprocessors:
            return None
        combiners.append(histogram)
    return combiners


def supports(eval_config) -> bool:
    """Whether this evaluator computes exactly what TFMA's would for `eval_config`."""
    options = eval_config.options
    if (any(spec.query_key for spec in eval_config.metrics_specs)
            or eval_config.cross_slicing_specs
            or any(spec.slice_keys_sql for spec in eval_config.slicing_specs)
            or options.min_slice_size.value > 1
            or options.compute_confidence_intervals.value
            or not options.HasField("include_default_metrics")
            or options.include_default_metrics.value
            or any(spec.example_weight_key or spec.example_weight_keys for spec in eval_config.model_specs)):
        return False
    return bool(_histogram_combiners(_computations(eval_config)))


def _per_model(value, model_name: str, model_names: list):
    if isinstance(value, dict) and len(model_names) > 1:
        value = value[model_name]
    return value


def _output(value, output_name: str):
    if isinstance(value, dict):
        if output_name not in value:
            raise ValueError(f"batched evaluation: output {output_name!r} not among {sorted(value)}")
        value = value[output_name]
    return value


def _vector(value, what: str, size: int) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    if array.shape not in ((size,), (size, 1)):
        raise ValueError(f"batched evaluation: {what} of shape {array.shape}, expected one value per example "
                         f"({size}); use TFMA's evaluator for this model")
    return array.reshape(size)


class _HistogramsCombineFn(beam.CombineFn):
    """Batches of extracts -> {slice key: [one dense histogram per combiner]}, each histogram an
    array [3, num_buckets + 2] of label, prediction and example sums (TFMA's Bucket fields)."""

    def __init__(self, eval_config, combiners):
        self._eval_config = eval_config
        self._combiners = combiners
        self._model_names = [spec.name for spec in eval_config.model_specs]
        self._finder = None

    def create_accumulator(self):
        return {}

    def _histograms(self, extracts, rows_by_slice):
        size = batch_size(extracts)
        per_combiner = []
        for c in self._combiners:
            key = c.key
            labels = _vector(_output(_per_model(extracts[constants.LABELS_KEY], key.model_name, self._model_names),
                                     key.output_name), "labels", size)
            predictions = _vector(_output(_per_model(extracts[constants.PREDICTIONS_KEY], key.model_name,
                                                     self._model_names), key.output_name), "predictions", size)
            if c.fractional_labels and (labels.min(initial=0.0) < 0.0 or labels.max(initial=0.0) > 1.0):
                raise ValueError("batched evaluation: fractional labels must be in [0, 1]")
            if np.isnan(predictions).any():
                raise ValueError("batched evaluation: the model predicted NaN")
            index = (predictions - c.left) / c.range * c.num_buckets + 1
            # TFMA: below 0 -> 0, from num_buckets + 1 -> num_buckets + 1, else int() (truncation)
            buckets = np.clip(np.trunc(index), 0, c.num_buckets + 1).astype(np.int64)
            per_combiner.append((buckets, labels, predictions))
        out = {}
        width = [c.num_buckets + 2 for c in self._combiners]
        for slice_key, rows in rows_by_slice.items():
            hists = []
            for (buckets, labels, predictions), n in zip(per_combiner, width):
                b = buckets[rows]
                hists.append(np.stack([np.bincount(b, labels[rows], n), np.bincount(b, predictions[rows], n),
                                       np.bincount(b, None, n).astype(np.float64)]))
            out[slice_key] = hists
        return out

    def add_input(self, accumulator, extracts):
        if self._finder is None:
            self._finder = SliceFinder(self._eval_config)
        if not batch_size(extracts):
            return accumulator
        for slice_key, hists in self._histograms(extracts, self._finder.slices(extracts)).items():
            if slice_key in accumulator:
                for total, hist in zip(accumulator[slice_key], hists):
                    total += hist
            else:
                accumulator[slice_key] = hists
        return accumulator

    def merge_accumulators(self, accumulators):
        result = {}
        for acc in accumulators:
            for slice_key, hists in acc.items():
                if slice_key in result:
                    result[slice_key] = [a + b for a, b in zip(result[slice_key], hists)]
                else:
                    result[slice_key] = list(hists)
        return result

    def extract_output(self, accumulator):
        out = []
        for slice_key, hists in accumulator.items():
            metrics = {}
            for c, hist in zip(self._combiners, hists):
                present = np.flatnonzero(hist[2])  # TFMA keeps only the buckets an example fell in
                metrics[c.key] = [calibration_histogram.Bucket(int(i), float(hist[0, i]), float(hist[1, i]),
                                                                float(hist[2, i])) for i in present]
            out.append((slice_key, metrics))
        return out


@beam.ptransform_fn
def _Evaluate(extracts, eval_config, computations, combiners):  # noqa: N802 (a Beam PTransform)
    baseline = next((spec.name for spec in eval_config.model_specs if spec.is_baseline), None)
    sliced = (extracts
              | "CombineHistogramsPerSlice" >> beam.CombineGlobally(_HistogramsCombineFn(eval_config, combiners))
              | "PerSlice" >> beam.FlatMap(lambda items: items)
              | "AddDerivedCrossSliceAndDiffMetrics" >> tfma_private.AddDerivedCrossSliceAndDiffMetrics(
                  computations.derived_computations, computations.cross_slice_computations, [], baseline)
              | "AddCIDerivedMetrics" >> beam.Map(tfma_private.add_ci_derived_metrics,
                                                  computations.ci_derived_computations)
              | "RemovePrivateMetrics" >> beam.MapTuple(tfma_private.remove_private_metrics))
    metrics = sliced | "FilterByMetrics" >> beam.Map(tfma_private.filter_by_key_type, metric_types.MetricKey)
    plots = sliced | "FilterByPlots" >> beam.Map(tfma_private.filter_by_key_type, metric_types.PlotKey)
    attributions = sliced | "FilterByAttributions" >> beam.Map(tfma_private.filter_by_key_type,
                                                               metric_types.AttributionsKey)
    validations = metrics | "ValidateMetrics" >> beam.Map(metrics_validator.validate_metrics, eval_config)
    return {constants.METRICS_KEY: metrics, constants.PLOTS_KEY: plots,
            constants.ATTRIBUTIONS_KEY: attributions, constants.VALIDATIONS_KEY: validations}


def BatchedMetricsEvaluator(eval_config) -> evaluator.Evaluator:  # noqa: N802 (TFMA's naming)
    """The evaluator for a config that `supports`; it reads batched extracts, so the extractors
    must leave out PER_EXAMPLE_EXTRACTORS."""
    computations = _computations(eval_config)
    combiners = _histogram_combiners(computations)
    if not combiners:
        raise ValueError("BatchedMetricsEvaluator: the eval config has other metric combiners than "
                         "calibration histograms; use TFMA's evaluator")
    return evaluator.Evaluator(stage_name=STAGE_NAME, run_after=extractor.LAST_EXTRACTOR_STAGE_NAME,
                               ptransform=_Evaluate(eval_config, computations, combiners))  # pylint: disable=no-value-for-parameter
