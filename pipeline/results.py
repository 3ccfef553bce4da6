"""Reads what a run produced back from the metadata store (evaluation, blessing, push)."""
from __future__ import annotations

import os


def _store(metadata_path: str):
    from ml_metadata.metadata_store import metadata_store
    from tfx.orchestration import metadata

    if not os.path.exists(metadata_path):
        raise FileNotFoundError(f"{metadata_path}: no metadata store (has the pipeline run?)")
    return metadata_store.MetadataStore(metadata.sqlite_metadata_connection_config(metadata_path))


def latest_artifact(store, type_name: str):
    artifacts = store.get_artifacts_by_type(type_name)
    return max(artifacts, key=lambda a: a.id) if artifacts else None


def _custom(artifact, key: str):
    value = artifact.custom_properties.get(key)
    if value is None:
        return None
    return value.string_value or value.int_value


def overall_metrics(evaluation_uri: str) -> dict[str, float]:
    """The candidate model's metrics on the whole test split."""
    import tensorflow_model_analysis as tfma

    result = tfma.load_eval_result(evaluation_uri)
    for slice_key, metrics in result.slicing_metrics:
        if not slice_key:
            values = next(iter(next(iter(metrics.values())).values()))
            return {name: v.get("doubleValue", v) for name, v in values.items()
                    if not name.endswith("_diff") and isinstance(v, dict) and "doubleValue" in v}
    return {}


def run_summary(metadata_path: str) -> dict:
    """Accuracy, blessing and push of the latest run recorded in `metadata_path`."""
    store = _store(metadata_path)
    summary: dict = {}
    evaluation = latest_artifact(store, "ModelEvaluation")
    if evaluation is not None:
        summary["evaluation_uri"] = evaluation.uri
        summary["test_metrics"] = overall_metrics(evaluation.uri)
    blessing = latest_artifact(store, "ModelBlessing")
    if blessing is not None:
        summary["blessed"] = bool(_custom(blessing, "blessed"))
    pushed = latest_artifact(store, "PushedModel")
    if pushed is not None:
        summary["pushed"] = bool(_custom(pushed, "pushed"))
        summary["pushed_model"] = _custom(pushed, "pushed_destination")
    return summary
