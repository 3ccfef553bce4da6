"""The report's data: finding a run in the metadata store and loading what it produced."""
from __future__ import annotations

import csv
import glob
import io
import json
import math
import os

from components import features as feature_keys
from components.paths import is_number


def locate(metadata_path: str, pipeline_root: str | None = None, evaluation_uri: str | None = None) -> dict:
    """{"evaluation"|"statistics"|"anomalies": (uri, split names)} for the report: the latest
    evaluation (or `evaluation_uri`) and its data, traced through the metadata store's lineage;
    without a store, the newest outputs under `pipeline_root` (or `evaluation_uri` alone)."""
    from app import runs

    if os.path.exists(metadata_path):
        try:
            return runs.run_artifacts(metadata_path, evaluation_uri)
        except FileNotFoundError:
            if not evaluation_uri:
                raise
    if evaluation_uri:
        return {"evaluation": (evaluation_uri, [])}
    found = {}
    for name, path in (("evaluation", "Evaluator/evaluation"), ("statistics", "StatisticsGen/statistics"),
                       ("anomalies", "ExampleValidator/anomalies"), ("infra_blessing", "InfraValidator/blessing")):
        runs = [d for d in glob.glob(os.path.join(pipeline_root or "", path, "*")) if is_number(os.path.basename(d))]
        if runs:
            uri = max(runs, key=lambda d: int(os.path.basename(d)))
            found[name] = (uri, sorted(d[len("Split-"):] for d in os.listdir(uri) if d.startswith("Split-")))
    if "evaluation" not in found:
        raise FileNotFoundError(f"no evaluation found in {metadata_path} or under {pipeline_root}")
    return found


def load_evaluation(uri: str) -> dict:
    """Metrics per slice, overall plots, validation and the models of a TFMA output directory."""
    import tensorflow_model_analysis as tfma
    from tensorflow_model_analysis.writers.eval_config_writer import load_eval_run

    from app.eval_results import load_eval_result
    from app.runs import dataset_view, number
    from components.example_gen.snippet_sets import is_snippet_set

    result = load_eval_result(uri)
    baseline = next((s.name for s in result.config.model_specs if s.is_baseline), None)

    def values(by_output) -> dict:
        found = {name: number(v) for name, v in by_output[""][""].items()}
        return {name: v for name, v in found.items() if v is not None}

    # With guard or snippet sets: the IMDB test split's slices under their usual keys, the sets apart.
    imdb, datasets = dataset_view(result.slicing_metrics)
    imdb_plots, _ = dataset_view(result.plots)
    return {"uri": uri, "config": result.config, "metrics": {k: values(m) for k, m in imdb.items()},
            "guard_sets": {name: values(m) for name, m in datasets.items() if not is_snippet_set(name)},
            "snippets": {name: values(m) for name, m in datasets.items() if is_snippet_set(name)},
            "candidate": result.model_location,
            "baseline": load_eval_run(uri)[3].get(baseline) if baseline is not None else None,
            "plots": imdb_plots.get((), {}).get("", {}).get("", {}),
            "validation": tfma.load_validation_result(uri)}


def load_infra_validation(uri: str) -> dict:
    """The InfraValidator's canary results (components/infra_validator/): blessed, reason, ..."""
    from app import runs

    results = runs.canary_results(uri)
    if not results:
        return {"blessed": os.path.isfile(os.path.join(uri, "INFRA_BLESSED")), "reason": "", "uri": uri}
    return {**results, "uri": uri}


def load_statistics(uri: str, splits: list[str]) -> dict[str, dict]:
    """Per split: example count and text/label/rating summaries from StatisticsGen's output."""
    import tensorflow_data_validation as tfdv

    summary = {}
    for split in splits:
        dataset = tfdv.load_stats_binary(os.path.join(uri, f"Split-{split}", "FeatureStats.pb")).datasets[0]
        features = {f.path.step[0]: f for f in dataset.features}
        row = {"examples": dataset.num_examples}
        if feature_keys.TEXT in features:
            text = features[feature_keys.TEXT].string_stats
            row.update(avg_chars=text.avg_length, distinct=text.unique,
                       missing=text.common_stats.num_missing)
        for name in (feature_keys.LABEL, feature_keys.RATING):
            if name in features:
                row[f"{name}_mean"] = features[name].num_stats.mean
        summary[split] = row
    return summary


def load_anomalies(uri: str, splits: list[str]) -> list[str]:
    from tfx.types import artifact_utils, standard_artifacts

    from components.anomalies_gate.anomalies import find_anomalies

    artifact = standard_artifacts.ExampleAnomalies()
    artifact.uri = uri
    artifact.split_names = artifact_utils.encode_split_names(splits)
    return find_anomalies(artifact)


def load_experiments(path: str) -> list[dict]:
    """Rows of an experiment table: a JSON list of objects, or CSV with a header (UTF-8, a byte
    order mark allowed); ValueError naming the file for one that is neither."""
    with open(path, "rb") as f:
        content = f.read()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: not a UTF-8 experiment table (byte {e.start}: {e.reason})") from None
    if path.endswith(".csv"):
        try:
            rows = list(csv.DictReader(io.StringIO(text, newline=""), strict=True))
        except csv.Error as e:
            raise ValueError(f"{path}: not a CSV experiment table ({e})") from None
    else:
        try:
            rows = json.loads(text)
        except ValueError as e:  # JSONDecodeError
            raise ValueError(f"{path}: not a JSON experiment table ({e})") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ValueError(f"{path}: expected a JSON list of objects (one per experiment)")
    if not rows:  # asked for, and nothing to show
        raise ValueError(f"{path}: an experiment table with no rows")
    return rows


def slice_auc(metrics: dict) -> float:
    """AUC, or NaN where the slice holds one class only (every rating slice: AUC is undefined)."""
    return metrics.get("auc", math.nan) if 0 < metrics.get("mean_label", 0.5) < 1 else math.nan
