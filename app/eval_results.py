"""Reading a TFMA output directory (the Evaluator's evaluation) back: the candidate model's
results (the evaluated one, when there is a baseline too)."""
from __future__ import annotations

import os

from components.paths import is_remote


def candidate(evaluation_uri: str) -> str | None:
    """The candidate's model name in the evaluation (None: the evaluation has one unnamed model)."""
    from tensorflow_model_analysis.writers.eval_config_writer import load_eval_run

    config = load_eval_run(evaluation_uri)[0]
    if config is None:  # TFMA's loader finds no eval_config.json there
        where = ("" if os.path.isabs(evaluation_uri) or is_remote(evaluation_uri) else
                 f" (a path relative to the directory its run was started in, not {os.getcwd()}: read it from there)")
        raise FileNotFoundError(f"{evaluation_uri}: no Evaluator output there{where}")
    return next((s.name for s in config.model_specs if not s.is_baseline), "") or None


def load_eval_result(evaluation_uri: str):
    """TFMA's EvalResult of the candidate: metrics, plots, config (the report, the notebook)."""
    import tensorflow_model_analysis as tfma

    return tfma.load_eval_result(evaluation_uri, model_name=candidate(evaluation_uri))


def slicing_metrics(evaluation_uri: str) -> list:
    """The candidate's [(slice key, metrics)], as EvalResult.slicing_metrics has them, without
    reading the plots, which cost a run's summary most of the time load_eval_result takes."""
    import tensorflow_model_analysis as tfma
    from tensorflow_model_analysis.view import util

    name = candidate(evaluation_uri)
    found = (util.convert_metrics_proto_to_dict(m, model_name=name) for m in tfma.load_metrics(evaluation_uri))
    return [m for m in found if m is not None]
