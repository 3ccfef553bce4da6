"""Reading a TFMA output directory (the Evaluator's evaluation) back."""
from __future__ import annotations

import types


def load_eval_result(evaluation_uri: str, plots: bool = True):
    """TFMA's EvalResult of the candidate model (the evaluated one, when there is a baseline too);
    without `plots`, its slicing_metrics alone (the plots cost 1.5 s of a run's summary)."""
    import tensorflow_model_analysis as tfma
    from tensorflow_model_analysis.view import util
    from tensorflow_model_analysis.writers.eval_config_writer import load_eval_run

    config = load_eval_run(evaluation_uri)[0]
    candidate = next((s.name for s in config.model_specs if not s.is_baseline), "") or None
    if plots:
        return tfma.load_eval_result(evaluation_uri, model_name=candidate)
    found = (util.convert_metrics_proto_to_dict(m, model_name=candidate) for m in tfma.load_metrics(evaluation_uri))
    return types.SimpleNamespace(slicing_metrics=[m for m in found if m is not None])
