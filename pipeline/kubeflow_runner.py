"""Compiles the pipeline for Kubeflow Pipelines v2 / Vertex AI with KubeflowV2DagRunner.

    imdb-tfx compile --image IMAGE --data gs://BUCKET/aclImdb_v1.tar.gz \
        --pipeline-root gs://BUCKET/root --serving-dir gs://BUCKET/serving

writes a PipelineJob JSON for Vertex AI (its `pipelineSpec` is KFP's PipelineSpec) or, for an
output ending in .yaml, the PipelineSpec alone, as the KFP client takes it: see docs/scale_out.md. Every
component runs in the project image (Dockerfile), its code named by module path; there is no
metadata store to configure (the cluster's own is used).

Runtime parameters, set when submitting a run:
  data_root   ExampleGen's input_base: the folder holding aclImdb_v1.tar.gz (an archive
              keeps the compiled file name), or an aclImdb/ directory;
  train_args  Trainer's TrainArgs as JSON, e.g. {"splits": ["train"], "num_steps": 5000};
  range_config  with data in spans (`--data gs://BUCKET/data/span-{SPAN}`: docs/spans.md), the
              span ExampleGen reads, as TFX's RangeConfig in JSON: {} for the newest span,
              {"static_range": {"start_span_number": 3, "end_span_number": 3}} for span 3
              (the default: `compile --span N`, else {}). A compiled pipeline reads one span
              (no window: KubeflowV2DagRunner compiles no span resolver); its drift check
              compares the span with the training data of the latest blessed model, which
              the model records (components/training_data_record.py), as `--drift-action` says.
The Trainer starts from the latest blessed model (TFX's LatestBlessedModelStrategy:
pipeline/base_model.py), the Evaluator compares with it.
"""
from __future__ import annotations

import dataclasses
import json
import os

from components.paths import is_url
from pipeline import configs

DATA_ROOT = "data_root"
TRAIN_ARGS = "train_args"
RANGE_CONFIG = "range_config"


def kubeflow_pipeline(config: configs.PipelineConfig, kubeflow: configs.KubeflowConfig):
    """The pipeline of `config` as the containers run it, with its runtime parameters wired."""
    from tfx.orchestration import data_types

    from data.dataset import check_span_flags, resolve_data
    from pipeline import node_ids
    from pipeline.production import create_pipeline

    for name in ("pipeline_root", "serving_dir"):
        path = getattr(config, name)
        if not is_url(path) and not os.path.isabs(path):
            raise ValueError(f"{name} {path!r} is relative: the containers need a gs:// (or absolute) path")
    config = dataclasses.replace(config, metadata_path="", schema_path=kubeflow.schema_path)
    source = resolve_data(config.data, download=False)
    check_span_flags(source, config.span, config.window, config.drift_action_flags())  # meaningless on one archive
    if config.window != 1:  # not silently a window of one
        from data.dataset import DataError

        raise DataError(f"--window {config.window}: a compiled pipeline reads one span, with no window "
                        "(KubeflowV2DagRunner compiles no span resolver: docs/spans.md); leave --window out")
    tfx_pipeline = create_pipeline(config, source)

    # create_pipeline takes concrete values, which every runner can use; turning two of them
    # into parameters of a compiled pipeline is this runner's business.
    components = {c.id: c for c in tfx_pipeline.components}
    gen = components[node_ids.EXAMPLE_GEN].exec_properties
    trainer = components[node_ids.TRAINER].exec_properties
    gen["input_base"] = data_types.RuntimeParameter(name=DATA_ROOT, ptype=str, default=gen["input_base"])
    trainer["train_args"] = data_types.RuntimeParameter(
        name=TRAIN_ARGS, ptype=str, default=json.dumps(json.loads(trainer["train_args"])))
    if source.has_spans:  # the span: TFX's RangeConfig, read by ExampleGen's driver when the run starts
        gen["range_config"] = data_types.RuntimeParameter(
            name=RANGE_CONFIG, ptype=str,
            default=json.dumps(json.loads(gen["range_config"])) if gen.get("range_config") else "{}")
    return tfx_pipeline


def compile_pipeline(config: configs.PipelineConfig, kubeflow: configs.KubeflowConfig) -> dict:
    """Writes the compiled pipeline to `kubeflow.output` (any TFX filesystem) and returns it.

    KFP pipeline spec schema 2.1, as KFP 2 and Vertex AI take it; the runtime parameters'
    defaults are set in the spec, so a run needs no arguments.
    """
    import yaml
    from tfx.dsl.io import fileio
    from tfx.orchestration import data_types
    from tfx.orchestration.kubeflow.v2 import kubeflow_v2_dag_runner as kfv2

    tfx_pipeline = kubeflow_pipeline(config, kubeflow)
    runner = kfv2.KubeflowV2DagRunner(kfv2.KubeflowV2DagRunnerConfig(
        display_name=kubeflow.display_name or None, default_image=kubeflow.image, use_pipeline_spec_2_1=True))
    job = runner.run(tfx_pipeline, write_out=False)
    parameters = job["pipelineSpec"]["root"]["inputDefinitions"]["parameters"]
    for component in tfx_pipeline.components:
        for value in component.exec_properties.values():
            if isinstance(value, data_types.RuntimeParameter):
                parameters[value.name]["defaultValue"] = value.default

    if os.path.dirname(kubeflow.output):
        fileio.makedirs(os.path.dirname(kubeflow.output))
    with fileio.open(kubeflow.output, "w") as f:
        if kubeflow.output.endswith((".yaml", ".yml")):
            yaml.safe_dump(job["pipelineSpec"], f, sort_keys=True)
        else:
            json.dump(job, f, sort_keys=True, indent=1)
    return job
