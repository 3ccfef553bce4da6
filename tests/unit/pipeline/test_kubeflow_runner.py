"""Compiling the default pipeline for Kubeflow Pipelines v2 / Vertex AI (no cluster needed).

The compiled spec parses as KFP's PipelineSpec; every component runs in the configured
image with its code named by module path and the right upstream tasks; the runtime
parameters are wired (the data in spans: the span is TFX's RangeConfig, a runtime parameter).
tests/unit/pipeline/golden/kubeflow_pipeline.json holds the normalised compiled
pipeline, so that any change to it shows up as a diff; after an intended change,
regenerate it and review the diff:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit/pipeline/test_kubeflow_runner.py
"""
import copy
import difflib
import json
import os
import re

import pytest
import yaml
from google.protobuf import json_format
from kfp.pipeline_spec import pipeline_spec_pb2

from pipeline import configs, kubeflow_runner
from tests.helpers.paths import ROOT as REPO


IMAGE = "us-docker.pkg.dev/example-project/imdb/imdb-tfx:test"


BUCKET = "gs://imdb-tfx-example"


RUN_EXECUTOR = ["python", "-m", "tfx.orchestration.kubeflow.v2.container.kubeflow_v2_run_executor"]


# one Resolver of the latest blessed model: the Trainer's base model and the Evaluator's baseline
RESOLVER_TASKS = {f"{node}-{part}-resolver" for part in ("model-blessing", "model")
                  for node in ("latest_blessed_model_resolver", "drift_model_resolver")}


CONTAINER_TASKS = {"FileBasedExampleGen", "StatisticsGen", "ImportSchemaGen", "ExampleValidator", "AnomaliesGate",
                   "Transform", "DriftCheck", "Trainer", "Evaluator", "InfraValidator", "Pusher"}


GOLDEN = os.path.join(os.path.dirname(__file__), "golden", "kubeflow_pipeline.json")


def remote_config(**kwargs) -> configs.PipelineConfig:
    return configs.PipelineConfig(**{"data": f"{BUCKET}/data/span-{{SPAN}}", "pipeline_root": f"{BUCKET}/root",
                                     "serving_dir": f"{BUCKET}/serving", **kwargs})


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """The PipelineJob JSON, as written."""
    output = str(tmp_path_factory.mktemp("kubeflow") / "pipeline.json")
    kubeflow_runner.compile_pipeline(remote_config(), configs.KubeflowConfig(image=IMAGE, output=output))
    with open(output) as f:
        return json.load(f)


@pytest.fixture(scope="module")
def spec(compiled):
    return json_format.ParseDict(compiled["pipelineSpec"], pipeline_spec_pb2.PipelineSpec())


def executors(spec) -> dict:
    """Task name -> its executor (deployment spec)."""
    deployment = json_format.MessageToDict(spec.deployment_spec)["executors"]
    return {name: deployment[spec.components[task.component_ref.name].executor_label]
            for name, task in spec.root.dag.tasks.items()}


def parameter(task, name):
    return json_format.MessageToDict(task.inputs.parameters[name])


def test_every_component_runs_in_the_image(spec):
    tasks = executors(spec)
    assert set(tasks) == CONTAINER_TASKS | RESOLVER_TASKS
    for name in CONTAINER_TASKS:
        container = tasks[name]["container"]
        assert (container["image"], container["command"]) == (IMAGE, RUN_EXECUTOR), name
        beam_args = list(configs.PipelineConfig().beam_pipeline_args)
        assert container["args"][-len(beam_args):] == beam_args, name
    for name in RESOLVER_TASKS:
        assert "resolver" in tasks[name]


def test_module_code_is_named_by_module_path(spec):
    tasks, dag = executors(spec), spec.root.dag.tasks
    class_path = {name: tasks[name]["container"]["args"][1] for name in ("FileBasedExampleGen", "AnomaliesGate")}
    assert class_path == {"FileBasedExampleGen": configs.EXAMPLE_GEN_EXECUTOR,
                          "AnomaliesGate": "components.anomalies_gate.component.AnomaliesGate_Executor"}
    constant = lambda task, name: parameter(dag[task], name)["runtimeValue"]["constant"]  # noqa: E731
    assert constant("Transform", "preprocessing_fn") == configs.PREPROCESSING_FN
    assert constant("Trainer", "run_fn") == configs.RUN_FN
    assert constant("ImportSchemaGen", "schema_file") == configs.IMAGE_SCHEMA_PATH
    assert json.loads(constant("Pusher", "push_destination"))["filesystem"]["base_directory"] == f"{BUCKET}/serving"


def test_dependencies(spec):
    upstream = {name: set(task.dependent_tasks) for name, task in spec.root.dag.tasks.items()}
    assert upstream["AnomaliesGate"] == {"ExampleValidator"}
    assert upstream["Transform"] == {"FileBasedExampleGen", "ImportSchemaGen", "AnomaliesGate"}
    # warm start: the Trainer's base_model from TFX's LatestBlessedModelStrategy, the same task
    # that gives the Evaluator its baseline
    resolver = "latest_blessed_model_resolver-model-resolver"
    assert upstream["Trainer"] == {"Transform", "ImportSchemaGen", resolver, "DriftCheck"}
    # the drift check: this span against the training data the model in service records
    assert upstream["DriftCheck"] == {"FileBasedExampleGen", "drift_model_resolver-model-resolver"}
    assert set(spec.root.dag.tasks["DriftCheck"].inputs.artifacts) == {"examples", "model"}
    drift_action = json.loads(parameter(spec.root.dag.tasks["DriftCheck"], "drift_action")["runtimeValue"]["constant"])
    assert drift_action == {"*": "warn"}
    assert upstream["Evaluator"] == {"FileBasedExampleGen", "Trainer", resolver}
    inputs = {(task, key): json_format.MessageToDict(spec.root.dag.tasks[task].inputs.artifacts[key])
              for task, key in (("Trainer", "base_model"), ("Evaluator", "baseline_model"))}
    assert {i["taskOutputArtifact"]["producerTask"] for i in inputs.values()} == {resolver}
    assert upstream["InfraValidator"] == {"FileBasedExampleGen", "Trainer", "Evaluator"}
    assert upstream["Pusher"] == {"Trainer", "Evaluator", "InfraValidator"}


def test_without_warm_start_the_resolver_gives_the_baseline_alone():
    from pipeline import node_ids

    pipeline = kubeflow_runner.kubeflow_pipeline(remote_config(training=configs.TrainingConfig(warm_start=False)),
                                                 configs.KubeflowConfig(image=IMAGE))
    nodes = {c.id: c for c in pipeline.components}
    assert node_ids.BASE_MODEL_RESOLVER not in nodes and "base_model" not in nodes["Trainer"].inputs
    assert nodes["Evaluator"].inputs["baseline_model"].producer_component_id == node_ids.BASELINE_RESOLVER


def test_runtime_parameters_are_wired(compiled, spec):
    inputs = json_format.MessageToDict(spec.root.input_definitions)["parameters"]
    assert inputs[kubeflow_runner.DATA_ROOT] == {"parameterType": "STRING", "defaultValue": f"{BUCKET}/data"}
    assert json.loads(inputs[kubeflow_runner.TRAIN_ARGS]["defaultValue"]) == {"splits": ["train"], "num_steps": 1000}
    dag = spec.root.dag.tasks
    assert parameter(dag["FileBasedExampleGen"], "input_base") == {"componentInputParameter": kubeflow_runner.DATA_ROOT}
    assert parameter(dag["Trainer"], "train_args") == {"componentInputParameter": kubeflow_runner.TRAIN_ARGS}
    assert compiled["runtimeConfig"]["gcsOutputDirectory"] == f"{BUCKET}/root"
    # the span: the newest by default (TFX's driver resolves span-{SPAN}/*)
    assert inputs[kubeflow_runner.RANGE_CONFIG] == {"parameterType": "STRING", "defaultValue": "{}"}
    assert parameter(dag["FileBasedExampleGen"], "range_config") == {
        "componentInputParameter": kubeflow_runner.RANGE_CONFIG}
    input_config = json.loads(parameter(dag["FileBasedExampleGen"], "input_config")["runtimeValue"]["constant"])
    assert {s["pattern"] for s in input_config["splits"]} == {"span-{SPAN}/*"}


def test_span_parameter_defaults_to_the_span_given_and_an_archive_has_none():
    from tfx.orchestration import data_types

    kubeflow = configs.KubeflowConfig(image=IMAGE)
    gen = kubeflow_runner.kubeflow_pipeline(remote_config(span=3), kubeflow).components[0].exec_properties
    assert isinstance(gen["range_config"], data_types.RuntimeParameter)
    assert json.loads(gen["range_config"].default) == {"static_range": {"start_span_number": 3, "end_span_number": 3}}
    archive = remote_config(data=f"{BUCKET}/data/aclImdb_v1.tar.gz")
    gen = kubeflow_runner.kubeflow_pipeline(archive, kubeflow).components[0].exec_properties
    assert not gen.get("range_config")
    from data.dataset import DataError

    for flags, message in (({"span": 3}, "--span 3: "), ({"window": 3}, "--window 3: "),
                           ({"drift_action": "block"}, "--drift-action block: "),
                           ({"drift_check_actions": (("length", "block"),)}, "--drift-action length=block: ")):
        with pytest.raises(DataError, match=f"^{message}{BUCKET}/data/aclImdb_v1.tar.gz has no span folders"):
            kubeflow_runner.kubeflow_pipeline(remote_config(data=f"{BUCKET}/data/aclImdb_v1.tar.gz", **flags), kubeflow)


def test_the_drift_action_is_compiled_and_data_without_spans_has_no_drift_check():
    from pipeline import node_ids

    kubeflow = configs.KubeflowConfig(image=IMAGE)
    nodes = {c.id: c for c in kubeflow_runner.kubeflow_pipeline(
        remote_config(drift_action="block", drift_check_actions=(("length", "warn"),)), kubeflow).components}
    assert json.loads(nodes[node_ids.DRIFT_CHECK].exec_properties["drift_action"]) == {"*": "block", "length": "warn"}
    assert "baseline_examples" not in nodes[node_ids.DRIFT_CHECK].inputs  # no span resolver compiled
    assert nodes[node_ids.DRIFT_CHECK].exec_properties["reference_from_model"] == 1
    archive = kubeflow_runner.kubeflow_pipeline(remote_config(data=f"{BUCKET}/data/aclImdb_v1.tar.gz"), kubeflow)
    assert node_ids.DRIFT_CHECK not in {c.id for c in archive.components}


def test_the_test_and_guard_files_are_the_clusters_not_read_at_compile_time():
    """A compiled pipeline names its --test-data and --guard-set files (read where ExampleGen
    runs); reading them while compiling tried GCS from the compiling machine."""
    kubeflow = configs.KubeflowConfig(image=IMAGE)
    config = remote_config(test_data=f"{BUCKET}/labelled/test.jsonl", guard_sets=(("tweets", f"{BUCKET}/tweets.jsonl"),))
    gen = kubeflow_runner.kubeflow_pipeline(config, kubeflow).components[0]
    custom = json.loads(gen.exec_properties["custom_config"])
    assert custom["test_data"] == f"{BUCKET}/labelled/test.jsonl"
    assert custom["guard_sets"] == [["tweets", f"{BUCKET}/tweets.jsonl"]]
    assert "test_data_fingerprint" not in custom and "guard_fingerprint" not in custom


def test_a_window_is_refused_not_ignored():
    from data.dataset import DataError

    with pytest.raises(DataError, match="^--window 3: a compiled pipeline reads one span, with no window"):
        kubeflow_runner.kubeflow_pipeline(remote_config(window=3), configs.KubeflowConfig(image=IMAGE))


def test_yaml_output_is_the_pipeline_spec_alone(tmp_path, spec):
    output = str(tmp_path / "pipeline.yaml")
    kubeflow_runner.compile_pipeline(remote_config(), configs.KubeflowConfig(image=IMAGE, output=output))
    with open(output) as f:
        assert json_format.ParseDict(yaml.safe_load(f), pipeline_spec_pb2.PipelineSpec()) == spec


def test_no_metadata_store_and_no_relative_paths():
    kubeflow = configs.KubeflowConfig(image=IMAGE)
    assert kubeflow_runner.kubeflow_pipeline(remote_config(), kubeflow).metadata_connection_config is None
    with pytest.raises(ValueError, match="pipeline_root 'output/pipeline_root' is relative"):
        kubeflow_runner.kubeflow_pipeline(remote_config(pipeline_root="output/pipeline_root"), kubeflow)


def normalise(job: dict) -> str:
    """The compiled pipeline as sorted JSON text, less what changes without a change to it:
    tfx version labels, code and schema fingerprints, this checkout's path."""
    job = copy.deepcopy(job)
    del job["labels"], job["pipelineSpec"]["sdkVersion"]
    text = json.dumps(job, indent=1, sort_keys=True)
    text = re.sub(r'(code_version\\": \\")[0-9a-f]+', r"\1<CODE_VERSION>", text)
    for name, placeholder in (("schema_fingerprint", "<SCHEMA_FINGERPRINT>"), ("code_version", "<CODE_VERSION>")):
        # the same fingerprints as a component's own parameter (ImportSchemaGen, InfraValidator)
        text = re.sub(rf'("{name}": \{{\s*"runtimeValue": \{{\s*"constant": ")[0-9a-f]+', rf"\1{placeholder}", text)
    return text.replace(REPO, "<REPO>") + "\n"


def test_matches_golden(compiled):
    actual = normalise(compiled)
    if os.environ.get("UPDATE_GOLDEN"):
        os.makedirs(os.path.dirname(GOLDEN), exist_ok=True)
        with open(GOLDEN, "w") as f:
            f.write(actual)
    with open(GOLDEN) as f:
        golden = f.read()
    diff = "".join(difflib.unified_diff(golden.splitlines(True), actual.splitlines(True), GOLDEN, "compiled"))
    assert not diff, f"The compiled pipeline changed (UPDATE_GOLDEN=1 to accept):\n{diff[:5000]}"
