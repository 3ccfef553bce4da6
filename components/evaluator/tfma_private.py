"""The private TFMA (0.47) and TFX Evaluator API the Evaluator executor uses, in one place.

The batched evaluator (batched_metrics.py) replaces only TFMA's per-example combining; what
comes before and after it is TFMA's own, reached through names TFMA does not export. The
hooks, and why each is still private:

- `metrics_plots_and_validations_evaluator._filter_and_separate_computations`: TFMA's
  de-duplication and split of metric computations (non-derived, derived, cross-slice, CI);
  the public `metric_specs.to_computations` gives them unsplit.
- `calibration_histogram._CalibrationHistogramCombiner` and its attributes (`_key`,
  `_num_buckets`, `_left`, `_range`, `_fractional_labels`, `_class_weights`,
  `_aggregation_type`, `_example_weighted`, `_prediction_based_bucketing`): the combiner whose
  histograms the batched evaluator computes with numpy; its parameters exist only on it.
- `_AddDerivedCrossSliceAndDiffMetrics`, `_add_ci_derived_metrics`, `_remove_private_metrics`,
  `_filter_by_key_type` (same module): the steps TFMA's evaluator runs after its combiners;
  TFMA has no public API to run them on combiner outputs computed elsewhere.
- `model_eval_lib._update_eval_config_with_defaults`: the eval config as TFMA completes it
  inside `ExtractEvaluateAndWriteResults`, needed to choose the evaluator before that call.
- `model_util.ModelSignaturesDoFn` and its `_batch_reducible_process` (the DoFn of TFMA's
  PredictionsExtractor and TransformedFeaturesExtractor, subclassed by cached_extractors.py): how
  it runs each loaded model on a batch (`self._loaded_models`) and gives one model's outputs as
  they are, several by name; TFMA has no public way to give a model's outputs for some batches
  and run it on others. And `DoFnWithModels.setup`, which loads every model
  (`self._model_loaders`, `_set_model_load_seconds`): the subclass loads a model when a batch
  first needs it. TransformedFeaturesExtractor's stage name and default signature names
  (`transformed_features_extractor._TRANSFORMED_FEATURES_EXTRACTOR_STAGE_NAME`,
  `_DEFAULT_SIGNATURE_NAMES`): the subclass replaces that stage and calls what it calls.
- `tfx.components.evaluator.executor.tfma` (the module attribute, swapped by `tfma_swapped`):
  TFX's Evaluator calls `tfma.ExtractEvaluateAndWriteResults` with no way to pass evaluators.

tests/unit/components/evaluator/test_private_hooks.py checks each against the installed TFMA and
TFX; tests/unit/components/evaluator/test_batched_metrics.py compares the results with TFMA's own.
"""
from __future__ import annotations

import dataclasses

from tensorflow_model_analysis.api import model_eval_lib as _model_eval_lib
from tensorflow_model_analysis.evaluators import metrics_plots_and_validations_evaluator as _evaluator
from tensorflow_model_analysis.extractors import transformed_features_extractor as _transformed
from tensorflow_model_analysis.metrics import calibration_histogram as _calibration_histogram
from tensorflow_model_analysis.utils import model_util as _model_util
from tfx.components.evaluator import executor as _tfx_evaluator

from components.private_api import Hook, swapped

_EVALUATOR = "tensorflow_model_analysis.evaluators.metrics_plots_and_validations_evaluator"
_TRANSFORMED = "tensorflow_model_analysis.extractors.transformed_features_extractor"
_COMBINER = "tensorflow_model_analysis.metrics.calibration_histogram:_CalibrationHistogramCombiner"
_COMBINER_ATTRIBUTES = ("_key", "_num_buckets", "_left", "_range", "_fractional_labels", "_class_weights",
                        "_aggregation_type", "_example_weighted", "_prediction_based_bucketing")

HOOKS = [
    Hook(f"{_EVALUATOR}:_filter_and_separate_computations", "no public split", params=("computations",)),
    Hook(_COMBINER, "the histogram's parameters live only on it",
         params=("key", "eval_config", "aggregation_type", "class_weights", "example_weighted", "num_buckets",
                 "left", "right", "prediction_based_bucketing", "fractional_labels"),
         source_has=tuple(f"self.{a} =" for a in _COMBINER_ATTRIBUTES), check=lambda cls: _same_buckets(cls)),
    Hook(f"{_EVALUATOR}:_AddDerivedCrossSliceAndDiffMetrics", "no public post-combiner step",
         params=("derived_computations", "cross_slice_computations", "cross_slice_specs", "baseline_model_name")),
    Hook(f"{_EVALUATOR}:_add_ci_derived_metrics", "no public post-combiner step",
         params=("sliced_metrics", "computations")),
    Hook(f"{_EVALUATOR}:_remove_private_metrics", "no public post-combiner step", params=("slice_key", "metrics")),
    Hook(f"{_EVALUATOR}:_filter_by_key_type", "no public post-combiner step",
         params=("sliced_metrics_plots_attributions", "key_type")),
    Hook("tensorflow_model_analysis.api.model_eval_lib:_update_eval_config_with_defaults",
         "the config as TFMA completes it", params=("eval_config", "eval_shared_model")),
    Hook("tensorflow_model_analysis.utils.model_util:ModelSignaturesDoFn.__init__", "subclassed",
         params=("model_specs", "eval_shared_models", "output_keypath", "signature_names")),
    Hook(f"{_TRANSFORMED}:_TRANSFORMED_FEATURES_EXTRACTOR_STAGE_NAME", "the stage replaced",
         check=lambda name: None if isinstance(name, str) else "not a stage name"),
    Hook(f"{_TRANSFORMED}:_DEFAULT_SIGNATURE_NAMES", "the signatures it calls",
         check=lambda names: None if all(isinstance(n, str) for n in names) else "not signature names"),
    Hook("tensorflow_model_analysis.utils.model_util:DoFnWithModels.setup", "no public lazy load",
         source_has=("self._model_loaders.items()", "model_load_time_callback=self._set_model_load_seconds")),
    Hook("tensorflow_model_analysis.utils.model_util:ModelSignaturesDoFn._batch_reducible_process",
         "no public way to give some batches' predictions", params=("batched_extract",),
         source_has=("self._loaded_models.items()", "if len(outputs_per_model) == 1:",
                     "util.copy_and_set_by_keys(")),
    Hook("tfx.components.evaluator.executor:Executor.Do", "TFX takes no evaluators",
         source_has=("tfma.ExtractEvaluateAndWriteResults",)),
]

def _same_buckets(combiner_class) -> str | None:
    """Whether TFMA's combiner puts predictions in the buckets the batched evaluator computes."""
    import numpy as np
    from tensorflow_model_analysis.metrics import metric_types

    combiner = combiner_class(metric_types.PlotKey("h"), None, None, None, False, 10, 0.0, 1.0, True, False)
    predictions = np.array([-0.5, 0.0, 0.05, 0.1, 0.55, 0.999, 1.0, 1.5])
    ours = np.clip(np.trunc((predictions - combiner._left) / combiner._range * combiner._num_buckets + 1), 0, 11)
    theirs = [combiner._bucket_index(float(p)) for p in predictions]
    return None if ours.astype(int).tolist() == theirs else f"buckets {theirs}, the batched evaluator's {ours.tolist()}"


filter_and_separate_computations = _evaluator._filter_and_separate_computations
AddDerivedCrossSliceAndDiffMetrics = _evaluator._AddDerivedCrossSliceAndDiffMetrics  # a Beam PTransform
add_ci_derived_metrics = _evaluator._add_ci_derived_metrics
remove_private_metrics = _evaluator._remove_private_metrics
filter_by_key_type = _evaluator._filter_by_key_type
update_eval_config_with_defaults = _model_eval_lib._update_eval_config_with_defaults
ModelSignaturesDoFn = _model_util.ModelSignaturesDoFn  # a Beam DoFn
TRANSFORMED_FEATURES_STAGE_NAME = _transformed._TRANSFORMED_FEATURES_EXTRACTOR_STAGE_NAME
TRANSFORM_SIGNATURES = list(_transformed._DEFAULT_SIGNATURE_NAMES)


@dataclasses.dataclass(frozen=True)
class Histogram:
    """A calibration-histogram combiner's parameters: its key (model, output), buckets and labels."""

    key: object  # metric_types.PlotKey
    num_buckets: int
    left: float
    range: float
    fractional_labels: bool


def plain_histogram(combiner) -> Histogram | None:
    """The parameters of a calibration-histogram combiner of the plain kind (no class or example
    weights, no aggregation, no sub key, bucketed by prediction), or None for any other combiner."""
    c = combiner
    if (type(c) is not _calibration_histogram._CalibrationHistogramCombiner  # noqa: E721
            or c._class_weights or c._aggregation_type or c._example_weighted or c._key.sub_key is not None
            or not c._prediction_based_bucketing):
        return None
    return Histogram(c._key, c._num_buckets, c._left, c._range, c._fractional_labels)


def tfma_swapped(view):
    """TFX's Evaluator executor module seeing `view` as `tfma` for the block."""
    return swapped(_tfx_evaluator, "tfma", view)
