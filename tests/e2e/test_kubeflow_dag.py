"""The pipeline as compiled for Kubeflow (pipeline/kubeflow_runner.py: no span resolvers, the
drift check against the training data the latest blessed model records), its DAG run here by
LocalDagRunner on local paths (no cluster here): span 1 trains and pushes with nothing to
compare its drift with; span 2 (JSON lines of the same distribution) passes the drift check
against the data span 1's model records, trains warm from that model and is pushed; span 3
(short off-topic texts, 90% negative), with --drift-action block, is compared with the data
span 2's model records (span 2: a compiled pipeline has no window) and stopped before the
Trainer, nothing pushed. Transform's record, the Trainer's and the drift check's reading of
it, through the resolver KubeflowV2DagRunner compiles."""
import dataclasses
import glob
import json
import os
import pathlib

import pytest

from tests.e2e.test_spans import labelled_rows, write_jsonl
from tests.helpers import corpus
from tests.helpers.pipelines import small_config

pytestmark = pytest.mark.e2e


def kubeflow_dag(tmp_path, data, module, span):
    from tfx.orchestration import metadata

    from pipeline import configs, kubeflow_runner

    config = dataclasses.replace(small_config(tmp_path, data, module), span=span, drift_action="block",
                                 snippet_reviews=0, accuracy_lower_bound=0.7)
    tfx_pipeline = kubeflow_runner.kubeflow_pipeline(config, configs.KubeflowConfig(
        image="unused", schema_path=configs.SCHEMA_PATH))  # the schema as this machine has it
    assert tfx_pipeline.metadata_connection_config is None  # as compiled; a local store to run it here
    tfx_pipeline.metadata_connection_config = metadata.sqlite_metadata_connection_config(config.metadata_path)
    return config, tfx_pipeline


def test_the_compiled_dag_checks_drift_against_the_served_models_recorded_data(tmp_path, small_corpus):
    from tfx.orchestration.local.local_dag_runner import LocalDagRunner

    from components import training_data_record
    from components.drift_check.errors import DriftBlockedError

    _, module = small_corpus
    data = str(tmp_path / "data")
    corpus.write_directory(os.path.join(data, "span-1"), corpus.corpus_files(n_train=120, n_test=50, seed=11))
    write_jsonl(os.path.join(data, "span-2", "reviews.jsonl"), labelled_rows(320, seed=12))
    write_jsonl(os.path.join(data, "span-3", "reviews.jsonl"), labelled_rows(320, seed=13, shifted=True))

    config, first = kubeflow_dag(pathlib.Path(tmp_path), data, module, 1)
    LocalDagRunner().run(first)
    served = os.listdir(config.serving_dir)
    assert len(served) == 1
    recorded = training_data_record.read_model_record(os.path.join(config.serving_dir, served[0]))
    assert [e["span"] for e in recorded] == [1] and "FileBasedExampleGen" in recorded[0]["uri"]

    _, second = kubeflow_dag(pathlib.Path(tmp_path), data, module, 2)
    LocalDagRunner().run(second)
    served = sorted(os.listdir(config.serving_dir), key=int)
    assert len(served) == 2, "span 2 pushed"
    newest = os.path.join(config.serving_dir, served[-1])
    assert [e["span"] for e in training_data_record.read_model_record(newest)] == [2]
    with open(os.path.join(newest, "assets.extra", "warm_start", "origin.json")) as f:
        assert json.load(f)["from"], "span 2's Trainer started from span 1's model (the resolver's base model)"
    drift = [json.load(open(p)) for p in glob.glob(os.path.join(config.pipeline_root, "DriftCheck", "*", "*",
                                                                 "drift.json"))]
    assert [(d["reference"]["name"], d["detected"]) for d in drift if d["reference"]] == [
        ("span 1 (train+eval)", False)]

    _, third = kubeflow_dag(pathlib.Path(tmp_path), data, module, 3)
    with pytest.raises(DriftBlockedError, match=r"^drift blocked the run before training \(") as blocked:
        LocalDagRunner().run(third)
    assert blocked.value.drift["reference"]["name"] == "span 2 (train+eval)"
    assert blocked.value.drift["current"]["name"] == "span 3 (train+eval)"
    assert sorted(os.listdir(config.serving_dir), key=int) == served  # nothing pushed
