"""The training data of a served model version: what the model records, else the metadata
store's lineage (ML Metadata).

A model records the ExampleGen Examples (raw texts, labels and ratings, what the drift checks
compare) of its whole window in `assets.extra/training_data.json`
(components/training_data_record.py): read from the served version's directory, with or
without a store (`monitor --serving-dir`: a pipeline compiled for Kubeflow has no local store).

Through the store, for a model exported before that record: the Pusher records each push as a
PushedModel artifact with `pushed_version` (the serving directory's version, what the request
log's `model_version` holds) and `pushed_destination`. From it the lineage goes: the Pusher
execution's input `model` -> the Trainer execution that output that Model -> the `examples` it
read; those are Transform's transformed examples, so on up through each producer's input
`examples` to the Examples an ExampleGen wrote (the newest span's only, with a window).
"""
from __future__ import annotations

import dataclasses
import json
import os

from app import runs
from components import paths


class LineageError(ValueError):
    """The store does not say what the version was trained on; the message names the store."""


@dataclasses.dataclass
class Trained:
    version: str
    pushed_uri: str  # the PushedModel artifact (the Pusher's own copy of the SavedModel)
    destination: str  # the version directory in the serving directory
    model_uri: str  # the Trainer's Model artifact ("" when read from the serving directory alone)
    examples_uris: list[str]  # ExampleGen's Examples the Trainer read (through Transform)
    splits: list[str]  # the splits every one of them has

    def saved_model(self) -> str | None:
        """A directory holding the pushed SavedModel: the served version, else the Pusher's copy."""
        for path in (self.destination, self.pushed_uri):  # gs:// serving directories too
            if path and paths.isfile(os.path.join(path, "saved_model.pb")):
                return path
        return None


def _recorded(saved_model: str | None) -> tuple[list[str], list[str]] | None:
    """(Examples URIs, their common splits) that the SavedModel records it was trained on, or None."""
    from components.training_data_record import read_model_record

    entries = read_model_record(saved_model) if saved_model else None
    if not entries:
        return None
    common = [s for s in entries[0]["splits"] if all(s in e["splits"] for e in entries)]
    return [e["uri"] for e in entries], common


def trained_from_serving_dir(serving_dir: str, version: str) -> Trained:
    """The served `version` under `serving_dir` and the Examples it records (no metadata store);
    LineageError when the version is not there or records nothing."""
    trained = Trained(version, "", os.path.join(serving_dir, version), "", [], [])
    if trained.saved_model() is None:
        raise LineageError(f"{trained.destination}: no SavedModel of version {version} there; give the "
                           "--serving-dir the server serves")
    recorded = _recorded(trained.destination)
    if recorded is None:
        raise LineageError(f"{trained.destination}: version {version} records no training data (exported "
                           "before models recorded it): give --metadata-path, the store of the pipeline that pushed it")
    trained.examples_uris, trained.splits = recorded
    return trained


def _producer_type(store, artifact_id: int) -> str | None:
    from ml_metadata.proto import metadata_store_pb2

    ids = [e.execution_id for e in store.get_events_by_artifact_ids([artifact_id])
           if e.type == metadata_store_pb2.Event.OUTPUT]
    if not ids:
        return None
    types = {t.id: t.name for t in store.get_execution_types()}
    return types[store.get_executions_by_id(ids[:1])[0].type_id].split(".")[-1]


def pushed_versions(store) -> dict[str, object]:
    """{pushed version: PushedModel artifact} of the store's production pushes."""
    found = {}
    for artifact in runs.production_artifacts(store, "PushedModel"):
        version = runs.custom_property(artifact, "pushed_version")
        if runs.custom_property(artifact, "pushed") and version not in (None, ""):
            found[str(version)] = artifact
    return found


def trained_on(metadata_path: str, version: str) -> Trained:
    """The pushed model of `version` and the Examples its Trainer read; FileNotFoundError /
    runs.StoreError for a missing or broken store, LineageError when the store has no such push
    or its lineage is incomplete."""
    from ml_metadata.proto import metadata_store_pb2

    OUTPUT = metadata_store_pb2.Event.OUTPUT
    store = runs.open_store(metadata_path)
    pushes = pushed_versions(store)
    if version not in pushes:
        known = ", ".join(sorted(pushes)) or "none"
        raise LineageError(f"{metadata_path}: no push of version {version} recorded (pushed versions: {known}); "
                           "give the --metadata-path of the pipeline that pushed it")
    pushed = pushes[version]
    models = runs.linked(store, pushed.id, OUTPUT, "Pusher", "model")
    trainer_inputs = runs.linked(store, models[-1].id, OUTPUT, "Trainer", "examples") if models else []
    if not trainer_inputs:
        raise LineageError(f"{metadata_path}: the lineage of pushed version {version} does not reach the "
                           "Trainer's examples")
    trained = Trained(version, pushed.uri, str(runs.custom_property(pushed, "pushed_destination") or ""),
                      models[-1].uri, [], [])
    recorded = _recorded(trained.saved_model())
    if recorded is not None:  # the whole window's Examples
        trained.examples_uris, trained.splits = recorded
        return trained
    examples = trainer_inputs[-1]
    for _ in range(10):  # up through Transform (and any other step) to ExampleGen's Examples
        producer = _producer_type(store, examples.id)
        if producer is None or producer.endswith("ExampleGen"):
            break
        upstream = runs.linked(store, examples.id, OUTPUT, producer, "examples")
        if not upstream:
            break
        examples = upstream[-1]
    trained.splits = json.loads(examples.properties["split_names"].string_value or "[]") \
        if "split_names" in examples.properties else []
    trained.examples_uris = [examples.uri]
    return trained
