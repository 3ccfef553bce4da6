"""Reading runs back from the metadata store: evaluations, blessings, pushes, lineage.

The one module the application reads MLMD through (the report, the experiment table,
`imdb-tfx run`'s summary, the notebook). Node ids come from pipeline/node_ids.py.
"""
from __future__ import annotations

import os

from app import eval_results
from app.metadata_store import StoreError, open_store  # noqa: F401  (this module's API: runs.open_store)
from pipeline.store_queries import executions, node_contexts, node_executions  # noqa: F401  (runs.node_executions, ...)
from components import features
from components.trainer import warm_start
from pipeline import node_ids


def _experiment_artifact_ids(store) -> set[int]:
    """Artifacts that experiment runs' own nodes produced (pipeline/experiment.py)."""
    contexts = [c for n in node_ids.EXPERIMENT_NODES for c in node_contexts(store, n)]
    return {a.id for c in contexts for a in store.get_artifacts_by_context(c.id)}


def production_artifacts(store, type_name: str) -> list:
    """The artifacts of a type, without those of experiment runs."""
    experiment = _experiment_artifact_ids(store)
    return [a for a in store.get_artifacts_by_type(type_name) if a.id not in experiment]


def latest_artifact(store, type_name: str):
    """The newest artifact of a type from a production run (`imdb-tfx run`), not an experiment."""
    artifacts = production_artifacts(store, type_name)
    return max(artifacts, key=lambda a: a.id) if artifacts else None


def custom_property(artifact, key: str):
    value = artifact.custom_properties.get(key)
    if value is None:
        return None
    return value.string_value or value.int_value


def number(value) -> float | None:
    """A TFMA metric value as a float (None for non-scalar values such as matrices)."""
    return float(value["doubleValue"]) if isinstance(value, dict) and "doubleValue" in value else None


DATASET = features.DATASET
IMDB = features.IMDB_DATASET


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def dataset_view(slicing_metrics) -> tuple[dict, dict]:
    """(IMDB slices, other datasets) of TFMA slicing metrics [(slice key, metrics)]. Without guard
    or snippet sets the IMDB slices are the slices as they are. With them (the slices crossed with
    `dataset`: components/evaluator/eval_config.py) the `dataset` column is taken off the keys of
    the `dataset: imdb` slices, so that () is the IMDB test split again, and the other datasets
    (guard and snippet sets) are {name: metrics of the slice `dataset: name`}."""
    keys = [tuple(k) for k, _ in slicing_metrics]
    if not any(k and k[0][0] == DATASET for k in keys):
        return {tuple(k): m for k, m in slicing_metrics}, {}
    imdb, guard = {}, {}
    for key, metrics in slicing_metrics:
        key = tuple(key)
        if not key or key[0][0] != DATASET:
            continue
        name = _text(key[0][1])
        if name == IMDB:
            imdb[key[1:]] = metrics
        elif len(key) == 1:
            guard[name] = metrics
    return imdb, guard


def _flat(by_output, with_diff: bool = False) -> dict[str, float]:
    values = {name: number(v) for output in by_output.values() for name, v in output[""].items()
              if with_diff or not name.endswith("_diff")}
    return {name: v for name, v in values.items() if v is not None}


def overall_metrics(evaluation_uri: str) -> dict[str, float]:
    """The candidate model's metrics on the whole IMDB test split (no `*_diff` against a baseline).

    A model with several outputs (regression: rating and probability) has its metrics of
    every output in one dict (their names differ)."""
    imdb, _ = dataset_view(eval_results.slicing_metrics(evaluation_uri))
    return _flat(imdb[()]) if () in imdb else {}


def dataset_metrics(evaluation_uri: str) -> tuple[dict[str, dict], dict[str, dict]]:
    """(guard sets, snippet sets) of an evaluation, each {name: {"accuracy", "baseline_accuracy"
    (None without a baseline), "examples"}}, the snippet sets' with "auc" too. A snippet set is a
    dataset named snippet_... (components/example_gen/snippet_sets.py; no guard set is)."""
    from components.example_gen.snippet_sets import is_snippet_set

    _, datasets = dataset_view(eval_results.slicing_metrics(evaluation_uri))
    guard, snippets = {}, {}
    for name, by_output in sorted(datasets.items()):
        m = _flat(by_output, with_diff=True)
        accuracy, diff = m.get("binary_accuracy"), m.get("binary_accuracy_diff")
        row = {"accuracy": accuracy, "examples": m.get("example_count"),
               "baseline_accuracy": accuracy - diff if accuracy is not None and diff is not None else None}
        if is_snippet_set(name):
            snippets[name] = {**row, "auc": m.get("auc")}
        else:
            guard[name] = row
    return guard, snippets


def linked(store, artifact_id: int, event_type: int, execution_type: str, key: str | None = None) -> list:
    """The executions of component type `execution_type` (a TFX class name, e.g. "Evaluator")
    that had the artifact as an input (event_type INPUT) or
    output (OUTPUT): their artifacts on the other side (named `key`, if given), oldest first."""
    from ml_metadata.proto import metadata_store_pb2

    Event = metadata_store_pb2.Event
    types = {t.id: t.name for t in store.get_execution_types()}
    execution_ids = [e.execution_id for e in store.get_events_by_artifact_ids([artifact_id]) if e.type == event_type]
    execution_ids = [e.id for e in store.get_executions_by_id(execution_ids)
                     if types[e.type_id].split(".")[-1] == execution_type]
    other = Event.INPUT if event_type == Event.OUTPUT else Event.OUTPUT
    artifact_ids = {e.artifact_id for e in store.get_events_by_execution_ids(execution_ids)
                    if e.type == other and (key is None or e.path.steps[0].key == key)}
    return sorted(store.get_artifacts_by_id(list(artifact_ids)), key=lambda a: a.id)


def produced_with(store, artifact_id: int, key: str) -> list:
    """The `key` outputs of the executions that output the artifact (e.g. the Evaluator's blessing
    beside its evaluation), oldest first."""
    from ml_metadata.proto import metadata_store_pb2

    Event = metadata_store_pb2.Event
    execution_ids = [e.execution_id for e in store.get_events_by_artifact_ids([artifact_id]) if e.type == Event.OUTPUT]
    ids = {e.artifact_id for e in store.get_events_by_execution_ids(execution_ids)
           if e.type == Event.OUTPUT and e.path.steps[0].key == key}
    return sorted(store.get_artifacts_by_id(list(ids)), key=lambda a: a.id)


def run_artifacts(metadata_path: str, evaluation_uri: str | None = None) -> dict[str, tuple[str, list[str]]]:
    """The latest evaluation (or the one at `evaluation_uri`) and, traced through the store's
    lineage, StatisticsGen's statistics and ExampleValidator's anomalies of the examples it
    evaluated, and the InfraValidator's verdict on the model it blessed:
    {"evaluation"|"statistics"|"anomalies"|"infra_blessing": (uri, split names)}."""
    import json

    from ml_metadata.proto import metadata_store_pb2

    Event = metadata_store_pb2.Event
    store = open_store(metadata_path)
    evaluations = store.get_artifacts_by_type("ModelEvaluation")
    if not evaluation_uri:
        evaluations = production_artifacts(store, "ModelEvaluation")
    else:
        evaluations = [a for a in evaluations if os.path.normpath(a.uri) == os.path.normpath(evaluation_uri)]
    if not evaluations:
        raise FileNotFoundError(f"{metadata_path}: no evaluation{' at ' + evaluation_uri if evaluation_uri else ''}")
    found = {"evaluation": max(evaluations, key=lambda a: a.id)}
    examples = linked(store, found["evaluation"].id, Event.OUTPUT, "Evaluator", "examples")
    statistics = linked(store, examples[-1].id, Event.INPUT, "StatisticsGen") if examples else []
    if statistics:
        found["statistics"] = statistics[-1]
        anomalies = linked(store, statistics[-1].id, Event.INPUT, "ExampleValidator")
        if anomalies:
            found["anomalies"] = anomalies[-1]
    blessing = produced_with(store, found["evaluation"].id, "blessing")
    infra = linked(store, blessing[-1].id, Event.INPUT, node_ids.INFRA_VALIDATOR, "blessing") if blessing else []
    if infra:
        found["infra_blessing"] = infra[-1]
    return {name: (a.uri, json.loads(a.properties["split_names"].string_value or "[]")
                   if "split_names" in a.properties else [])
            for name, a in found.items()}


def run_summary(metadata_path: str) -> dict:
    """Accuracy, blessing and push of the latest run recorded in `metadata_path`."""
    store = open_store(metadata_path)
    summary: dict = {}
    evaluation = latest_artifact(store, "ModelEvaluation")
    if evaluation is not None:
        summary["evaluation_uri"] = evaluation.uri
        summary["test_metrics"] = overall_metrics(evaluation.uri)
        guard, snippets = dataset_metrics(evaluation.uri)
        if guard:
            summary["guard_sets"] = guard
        if snippets:
            summary["snippets"] = snippets
    blessing = latest_artifact(store, "ModelBlessing")
    if blessing is not None:
        summary["blessed"] = bool(custom_property(blessing, "blessed"))
    infra = latest_artifact(store, "InfraBlessing")
    if infra is not None:
        summary["infra_validation"] = infra_validation(infra)
    pushed = latest_artifact(store, "PushedModel")
    if pushed is not None:
        summary["pushed"] = bool(custom_property(pushed, "pushed"))
        summary["pushed_model"] = custom_property(pushed, "pushed_destination")
    model = latest_artifact(store, "Model")
    if model is not None:  # what the Trainer started from (components/trainer/warm_start.py)
        summary["warm_start"] = warm_start.model_origin(model.uri)
    return summary


def canary_results(uri: str) -> dict:
    """The InfraValidator's canary_results.json in its InfraBlessing artifact at `uri` ({} if none)."""
    import json

    from components.infra_validator.canary import RESULTS_FILE

    path = os.path.join(uri, RESULTS_FILE)
    if not os.path.isfile(path):
        return {}
    with open(path) as f:
        return json.load(f)


def infra_validation(infra_blessing) -> dict:
    """The InfraValidator's verdict (components/infra_validator/): blessed, why, and its canary
    results and server log (files in the artifact)."""
    results = canary_results(infra_blessing.uri)
    return {"blessed": bool(custom_property(infra_blessing, "blessed")),
            "reason": custom_property(infra_blessing, "reason") or results.get("reason", ""),
            "startup_s": results.get("startup_s"), "max_abs_diff": results.get("max_abs_diff"),
            "server_log": os.path.join(infra_blessing.uri, "server.log"), "uri": infra_blessing.uri}


def latest_blessed_model(metadata_path: str) -> str | None:
    """The URI of the model the next production run compares against (what the Resolver's
    LatestBlessedModelStrategy finds: the newest Model with a blessed ModelBlessing), or None
    (no store yet: none, or an empty file, which ML Metadata makes a store of)."""
    if not os.path.isfile(metadata_path) or not os.path.getsize(metadata_path):
        return None
    store = open_store(metadata_path)
    blessed_ids = {custom_property(b, "current_model_id") for b in production_artifacts(store, "ModelBlessing")
                   if custom_property(b, "blessed")}
    models = [m for m in production_artifacts(store, "Model") if m.id in blessed_ids]
    return max(models, key=lambda m: m.id).uri if models else None


def node_output(store, node_id: str, key: str, execution_id_floor: int = 0):
    """The `key` output artifact of the newest execution (id above the floor) of node `node_id`."""
    from ml_metadata.proto import metadata_store_pb2

    found = node_executions(store, node_id, after=execution_id_floor, newest=1)
    if not found:
        return None
    ids = [e.artifact_id for e in store.get_events_by_execution_ids([found[0].id])
           if e.type == metadata_store_pb2.Event.OUTPUT and e.path.steps[0].key == key]
    return store.get_artifacts_by_id(ids)[0] if ids else None


def cached_nodes(metadata_path: str, execution_id_floor: int) -> list[str]:
    """The nodes whose executions above the floor TFX took from its cache (state CACHED: the
    outputs of an earlier execution with the same inputs, code and settings), in run order; of
    the newest pipeline run above the floor only (not of the window's spans ingested before it,
    pipeline/window_backfill.py), where the store has TFX's pipeline_run contexts."""
    store = open_store(metadata_path)
    types = {t.name: t.id for t in store.get_context_types()}
    cached = sorted(e.id for e in executions(store, after=execution_id_floor, states=("CACHED",)))
    contexts = {i: store.get_contexts_by_execution(i) for i in cached}
    if cached and "pipeline_run" in types:
        newest = executions(store, after=execution_id_floor, newest=1)[0].id
        run = {c.id for c in store.get_contexts_by_execution(newest) if c.type_id == types["pipeline_run"]}
        if run:
            cached = [i for i in cached if run & {c.id for c in contexts[i]}]
    return [c.name.rsplit(".", 1)[-1] for i in cached for c in contexts[i] if c.type_id == types.get("node")]


def max_execution_id(metadata_path: str) -> int:
    """The newest execution's id in the store (0 for none, or no store yet: none, or an empty
    file), read through the read-only store as every read-back here is."""
    if not os.path.isfile(metadata_path) or not os.path.getsize(metadata_path):
        return 0
    newest = executions(open_store(metadata_path), newest=1)
    return newest[0].id if newest else 0
