"""Why a model was blessed or not: each threshold of the Evaluator, the candidate's value, the
baseline's value and model, and which check failed (from the Evaluator's TFMA output)."""
from __future__ import annotations

import os
import re


def metric_name(class_name: str, module: str = "") -> str:
    """TFMA's metric key of a metric class: BinaryAccuracy -> binary_accuracy; a class of a
    custom `module` (components/evaluator/histogram_metrics.py) names itself."""
    if module:
        import importlib

        return getattr(importlib.import_module(module), class_name)().name
    return re.sub(r"(?<!^)(?=[A-Z])", "_", class_name).lower()


def _holds(value: float, op: str, bound: float) -> bool:
    return value >= bound if op == ">=" else value <= bound


def explain(evaluation_uri: str) -> dict:
    """{"blessed", "baseline_model", "checks": [{"metric", "check", "op", "threshold",
    "candidate", "baseline", "passed"}]} for the overall-slice thresholds of the evaluation at `evaluation_uri`
    (with guard sets: those of the slice `dataset: imdb`, and each guard set's, whose checks
    have "dataset": its name)."""
    import tensorflow_model_analysis as tfma
    from tensorflow_model_analysis.proto import config_pb2
    from tensorflow_model_analysis.writers.eval_config_writer import load_eval_run

    from app.eval_results import slicing_metrics
    from app.runs import DATASET, IMDB, dataset_view, number

    config, _, _, model_locations = load_eval_run(evaluation_uri)
    baseline = next((s.name for s in config.model_specs if s.is_baseline), None)
    imdb, guard = dataset_view(slicing_metrics(evaluation_uri))
    flat = lambda by_output: {name: number(v) for output in by_output.values() for name, v in output[""].items()}  # noqa: E731
    values_of = {None: flat(imdb.get((), {})), **{n: flat(m) for n, m in guard.items()}}
    checks = []
    for spec in config.metrics_specs:
        for metric in spec.metrics:
            thresholds = [(None, metric.threshold)] if metric.HasField("threshold") else []
            for t in metric.per_slice_thresholds:
                for s in t.slicing_specs:
                    dataset = dict(s.feature_values).get(DATASET) if not s.feature_keys else None
                    if not s.feature_keys and not s.feature_values or dataset == IMDB:
                        thresholds.append((None, t.threshold))
                    elif dataset is not None and len(s.feature_values) == 1:
                        thresholds.append((dataset, t.threshold))
            name = metric_name(metric.class_name, metric.module)
            for dataset, threshold in thresholds:
                overall = values_of.get(dataset, {})
                candidate = overall.get(name)
                first = len(checks)
                value = threshold.value_threshold
                for bound_field, op, kind in (("lower_bound", ">=", "lower bound"), ("upper_bound", "<=", "upper bound")):
                    if value.HasField(bound_field):
                        bound = getattr(value, bound_field).value
                        checks.append({"metric": name, "check": f"candidate {op} {kind}", "op": op, "threshold": bound,
                                       "candidate": candidate, "baseline": None,
                                       "passed": candidate is not None and _holds(candidate, op, bound)})
                change = threshold.change_threshold
                if change.HasField("absolute"):
                    op = ">=" if change.direction == config_pb2.MetricDirection.HIGHER_IS_BETTER else "<="
                    bound, diff = change.absolute.value, overall.get(f"{name}_diff")
                    check = {"metric": name, "check": f"candidate - baseline {op} threshold", "op": op,
                             "threshold": bound, "candidate": candidate}
                    if baseline is None or diff is None:
                        check.update(baseline=None, passed=True, note="no blessed baseline: not applied")
                    else:
                        check.update(baseline=candidate - diff, passed=_holds(diff, op, bound))
                    checks.append(check)
                if dataset is not None:
                    for check in checks[first:]:
                        check["dataset"] = dataset
    location = model_locations.get(baseline) if baseline else None
    if location and os.path.basename(location.rstrip("/")) == "Format-Serving":
        location = os.path.dirname(location.rstrip("/"))  # the Model artifact, as the store names it
    examples = values_of[None].get("example_count")
    return {"blessed": bool(tfma.load_validation_result(evaluation_uri).validation_ok),
            "baseline_model": location, "examples": int(examples) if examples is not None else None, "checks": checks}


def sentence(explanation: dict) -> str:
    """One line: blessed or not, and each check with its values."""
    parts = []
    for c in explanation["checks"]:
        value = "n/a" if c["candidate"] is None else f"{c['candidate']:.4f}"
        if c.get("dataset"):
            c = {**c, "metric": f"{c['dataset']}: {c['metric']}"}
        if c["check"].startswith("candidate - baseline"):
            if c["baseline"] is None:
                parts.append(f"{c['metric']} against a baseline: not applied (no blessed model before)")
                continue
            op = c["op"]
            parts.append(f"{c['metric']} {value} - baseline {c['baseline']:.4f} = {c['candidate'] - c['baseline']:+.4f} "
                         f"{op} {c['threshold']:g}: {'passed' if c['passed'] else 'FAILED'}")
        else:
            parts.append(f"{c['metric']} {value} {c['op']} {c['threshold']:g}: {'passed' if c['passed'] else 'FAILED'}")
    verdict = "blessed" if explanation["blessed"] else "NOT blessed"
    baseline = f" (baseline {explanation['baseline_model']})" if explanation.get("baseline_model") else ""
    return f"{verdict}{baseline}: " + "; ".join(parts) + _few_examples(explanation)


SMALL_TEST = 500  # test examples below which the blessing line gives the accuracy's standard error


def _few_examples(explanation: dict) -> str:
    """On a small test set (a small span's held-out part) a threshold decides on noise: say how much."""
    n = explanation.get("examples")
    accuracy = next((c["candidate"] for c in explanation["checks"]
                     if c["metric"] == "binary_accuracy" and c["candidate"] is not None and not c.get("dataset")), None)
    if not n or n >= SMALL_TEST or accuracy is None:
        return ""
    error = 100 * (max(accuracy * (1 - accuracy), 0.25 / n) / n) ** 0.5  # at 0 or 1: as if one example differed
    return (f" (on {n} test example{'s' if n != 1 else ''} only: one standard error of the accuracy is about "
            f"{error:.1f} points; --test-data gives a fixed, larger set)")
