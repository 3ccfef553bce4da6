"""The Evaluator executor: TFX's, with TFMA's per-example metric computation replaced by
batched_metrics.BatchedMetricsEvaluator where the eval config allows it (every metric this
project configures does), and TFMA's PredictionsExtractor and TransformedFeaturesExtractor by
cached_extractors', which take the baseline's predictions and transformed features from an
earlier evaluation that made them on the same examples (prediction_cache.py); TFMA's other
extractors, derived metrics, validation and writers as before.

TFX's Executor.Do builds its Beam pipeline around one call of
`tfma.ExtractEvaluateAndWriteResults`, with no way to pass evaluators; for the length of `Do`
its module's `tfma` is a view of TFMA whose ExtractEvaluateAndWriteResults passes this
project's extractors and evaluator (the same pattern as components/transform/executor.py).

TFMA calls the model's signatures with the batch as a positional argument; TensorFlow first
tries the keyword-only structured call and formats the whole batch (hundreds of reviews) into
the message of the TypeError it then catches, before it makes the flat call that works. For
the length of `Do` numpy prints arrays abridged, so that message costs nothing.
"""
from __future__ import annotations

import logging
import types

import numpy as np
import tensorflow_model_analysis as tfma
from tfx.components.evaluator import executor as tfx_evaluator

from components.evaluator import batched_metrics, cached_extractors, tfma_private


def extract_evaluate_and_write(*, eval_shared_model=None, eval_config=None, extractors=None, evaluators=None,
                               tensor_adapter_config=None, **kwargs):
    """tfma.ExtractEvaluateAndWriteResults, with the batched evaluator when `eval_config` allows
    it and no extractors or evaluators are given."""
    if eval_config is not None and not extractors and not evaluators:
        eval_config = tfma_private.update_eval_config_with_defaults(eval_config, eval_shared_model)
        if batched_metrics.supports(eval_config):
            extractors = [e for e in tfma.default_extractors(
                eval_shared_model=eval_shared_model, eval_config=eval_config,
                tensor_adapter_config=tensor_adapter_config)
                if e.stage_name not in batched_metrics.PER_EXAMPLE_EXTRACTORS]
            if eval_shared_model and kwargs.get("output_path"):  # the baseline's outputs, if made before
                cached = cached_extractors.BY_STAGE
                extractors = [cached[e.stage_name](eval_config, eval_shared_model, kwargs["output_path"])
                              if e.stage_name in cached else e for e in extractors]
            evaluators = [batched_metrics.BatchedMetricsEvaluator(eval_config)]
        else:
            logging.info("Evaluator: TFMA's per-example evaluator (the eval config has metrics the batched one lacks)")
    return tfma.ExtractEvaluateAndWriteResults(
        eval_shared_model=eval_shared_model, eval_config=eval_config, extractors=extractors,
        evaluators=evaluators, tensor_adapter_config=tensor_adapter_config, **kwargs)


def abridged_printing():
    """numpy printing arrays abridged (see the module docstring)."""
    return np.printoptions(threshold=16, edgeitems=2)


class _TFMA(types.ModuleType):
    """TFMA as TFX's executor sees it: the module, but ExtractEvaluateAndWriteResults."""

    def __getattr__(self, name):
        return getattr(tfma, name)


_VIEW = _TFMA("tensorflow_model_analysis")
_VIEW.ExtractEvaluateAndWriteResults = extract_evaluate_and_write


class Executor(tfx_evaluator.Executor):
    def Do(self, input_dict, output_dict, exec_properties):
        with tfma_private.tfma_swapped(_VIEW), abridged_printing():
            return super().Do(input_dict, output_dict, exec_properties)
