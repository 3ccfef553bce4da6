"""The report's view across runs: each production evaluation's span, test accuracy, blessing and
push (read back from the metadata store), and the newest drift check (DriftCheck's drift.json)."""
from __future__ import annotations

from app import runs


def _span(artifact) -> int | None:
    """The span TFX recorded on an Examples artifact (a property and a custom property)."""
    if "span" in artifact.properties:
        return int(artifact.properties["span"].int_value)
    value = runs.custom_property(artifact, "span")
    return int(value) if value not in (None, "") else None


def model_history(metadata_path: str) -> list[dict]:
    """One row per production evaluation, oldest first: {"evaluation", "span", "accuracy",
    "blessed", "pushed_version"} (None where the store does not say)."""
    from ml_metadata.proto import metadata_store_pb2

    output = metadata_store_pb2.Event.OUTPUT
    store = runs.open_store(metadata_path)
    rows = []
    for evaluation in sorted(runs.production_artifacts(store, "ModelEvaluation"), key=lambda a: a.id):
        examples = runs.linked(store, evaluation.id, output, "Evaluator", "examples")
        blessing = runs.produced_with(store, evaluation.id, "blessing")
        pushed = runs.linked(store, blessing[-1].id, metadata_store_pb2.Event.INPUT, "Pusher",
                             "pushed_model") if blessing else []
        pushed = [p for p in pushed if runs.custom_property(p, "pushed")]
        try:
            accuracy = runs.overall_metrics(evaluation.uri).get("binary_accuracy")
        except (OSError, ValueError):  # an evaluation whose files are gone: the row says so
            accuracy = None
        rows.append({"evaluation": evaluation.uri,
                     "span": _span(examples[-1]) if examples else None,
                     "accuracy": accuracy,
                     "blessed": bool(runs.custom_property(blessing[-1], "blessed")) if blessing else None,
                     "pushed_version": runs.custom_property(pushed[-1], "pushed_version") if pushed else None})
    return rows


def latest_drift(metadata_path: str) -> dict | None:
    """The newest DriftCheck's drift.json in the store, or None (no spans, or no check yet)."""
    from app.span_runs import drift_of_run

    return drift_of_run(metadata_path, 0)
