"""Which raw examples a model was trained on, recorded along the way, for orchestrators whose
executors cannot read the metadata store's lineage (Kubeflow Pipelines / Vertex AI).

Transform writes, into each transformed Examples artifact, `source_examples.json`: the
ExampleGen Examples it read (URI, span, splits). The Trainer gathers those of the transformed
examples it trained on into the exported model's `assets.extra/training_data.json` (a folder
the SavedModel loader and the model server ignore; the Pusher copies it with the model). The
drift check then compares a new span with the data of the model in service without a span
resolver (components/drift_check/executor.py: docs/drift.md). Every read and write goes
through tf.io.gfile, so gs:// paths work as local ones.
"""
from __future__ import annotations

import json
import os

from components.paths import is_remote, read_if_exists, write_text

SOURCE_FILE = "source_examples.json"
MODEL_FILE = os.path.join("assets.extra", "training_data.json")


def _entry(artifact) -> dict:
    from tfx.types import artifact_utils

    try:
        span = artifact.span
    except Exception:  # noqa: BLE001  (an artifact type without the span property)
        span = None
    splits = artifact_utils.decode_split_names(artifact.split_names) if artifact.split_names else []
    # absolute: a relative pipeline root (the default output/pipeline_root) means the run's directory
    uri = artifact.uri if is_remote(artifact.uri) else os.path.abspath(artifact.uri)
    return {"uri": uri, "span": span, "splits": splits}


def write_sources(examples: list, transformed_uri: str) -> None:
    """Records the ExampleGen `examples` artifacts that Transform read into `transformed_uri`."""
    write_text(os.path.join(transformed_uri, SOURCE_FILE),
               json.dumps({"examples": [_entry(a) for a in examples]}, indent=2))


def _examples_in(path: str) -> list[dict] | None:
    """The "examples" of a record file, or None when there is none."""
    written = read_if_exists(path)
    return None if written is None else json.loads(written)["examples"]


def sources_of_files(file_patterns: list[str]) -> list[dict]:
    """The raw examples behind the Trainer's split file patterns (`<transformed>/Split-x/*`), in
    order, each once; [] when a transformed artifact has no record (made before it existed)."""
    entries = {}
    for folder in dict.fromkeys(os.path.dirname(os.path.dirname(p.rstrip("/"))) for p in file_patterns):
        recorded = _examples_in(os.path.join(folder, SOURCE_FILE))
        if recorded is None:
            return []
        for entry in recorded:
            entries.setdefault(entry["uri"], entry)
    return list(entries.values())


def write_model_record(serving_model_dir: str, entries: list[dict]) -> None:
    """`entries` (sources_of_files) as the exported model's training_data.json; none: no file."""
    import tensorflow as tf

    if not entries:
        return
    path = os.path.join(serving_model_dir, MODEL_FILE)
    tf.io.gfile.makedirs(os.path.dirname(path))
    write_text(path, json.dumps({"examples": entries}, indent=2))


def read_model_record(model_dir: str) -> list[dict] | None:
    """The raw examples a model was trained on (its training_data.json), or None without one."""
    return _examples_in(os.path.join(model_dir, MODEL_FILE))


def as_artifacts(entries: list[dict]) -> list:
    """The recorded entries as Examples artifacts (URI, splits, span), as a resolver gives them."""
    from tfx.types import artifact_utils, standard_artifacts

    artifacts = []
    for entry in entries:
        artifact = standard_artifacts.Examples()
        artifact.uri = entry["uri"]
        artifact.split_names = artifact_utils.encode_split_names(list(entry["splits"]))
        if entry.get("span") is not None:
            artifact.span = int(entry["span"])
        artifacts.append(artifact)
    return artifacts
