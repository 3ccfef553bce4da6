"""TFMA's and TFX's private Evaluator API as components/evaluator/tfma_private.py uses it: an
upgrade that changes it fails here with one line naming the hook."""
import pytest

from components.evaluator import tfma_private
from components.private_api import changed


def test_tfma_private_hooks_are_as_used():
    problems = changed(tfma_private.HOOKS)
    if problems:
        pytest.fail("; ".join(problems), pytrace=False)


def test_a_plain_histogram_combiner_gives_its_parameters_and_another_none():
    import tensorflow_model_analysis as tfma
    from tensorflow_model_analysis.metrics import metric_specs

    config = tfma.EvalConfig(model_specs=[tfma.ModelSpec(label_key="label")],
                             metrics_specs=metric_specs.specs_from_metrics([tfma.metrics.AUC(num_thresholds=100)]))
    computations = tfma_private.filter_and_separate_computations(
        metric_specs.to_computations(config.metrics_specs, eval_config=config))
    histograms = [tfma_private.plain_histogram(c.combiner) for c in computations.non_derived_computations]
    [histogram] = [h for h in histograms if h is not None]  # AUC's; the example counts are other combiners
    assert histogram.num_buckets == 10000 and (histogram.left, histogram.range) == (0.0, 1.0)
    assert tfma_private.plain_histogram(object()) is None
