"""`create_pipeline`: the one definition of the pipeline that every runner uses.

ExampleGen (aclImdb files) -> StatisticsGen -> ImportSchemaGen -> ExampleValidator ->
AnomaliesGate -> Transform -> Trainer -> Evaluator (vs. the latest blessed model) -> Pusher.

TFX is imported module by module here (not through `tfx.v1`, which pulls in Google
Cloud AI Platform and takes ~40 s to import on 2 cores).
"""
from __future__ import annotations

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

from tfx.components.evaluator.component import Evaluator  # noqa: E402
from tfx.components.example_gen.component import FileBasedExampleGen  # noqa: E402
from tfx.components.example_validator.component import ExampleValidator  # noqa: E402
from tfx.components.pusher.component import Pusher  # noqa: E402
from tfx.components.schema_gen.import_schema_gen.component import ImportSchemaGen  # noqa: E402
from tfx.components.statistics_gen.component import StatisticsGen  # noqa: E402
from tfx.components.trainer.component import Trainer  # noqa: E402
from tfx.components.transform.component import Transform  # noqa: E402
from tfx.dsl.components.base import executor_spec  # noqa: E402
from tfx.dsl.components.common.resolver import Resolver  # noqa: E402
from tfx.dsl.input_resolution.strategies.latest_blessed_model_strategy import (  # noqa: E402
    LatestBlessedModelStrategy)
from tfx.orchestration import metadata  # noqa: E402
from tfx.orchestration import pipeline as tfx_pipeline  # noqa: E402
from tfx.proto import example_gen_pb2, pusher_pb2, trainer_pb2, transform_pb2  # noqa: E402
from tfx.types import Channel, standard_artifacts  # noqa: E402
from tfx.utils import import_utils  # noqa: E402

from components import evaluation  # noqa: E402
from components.validation import AnomaliesGate  # noqa: E402
from data.dataset import DataSource  # noqa: E402
from pipeline import configs  # noqa: E402


def example_gen(source: DataSource, eval_percent: int = 10, include_unsup: bool = False) -> FileBasedExampleGen:
    patterns = source.split_patterns(include_unsup)
    return FileBasedExampleGen(
        input_base=source.input_base,
        input_config=example_gen_pb2.Input(
            splits=[example_gen_pb2.Input.Split(name=name, pattern=p) for name, p in patterns.items()]),
        custom_config={"eval_percent": eval_percent, "include_unsup": include_unsup,
                       "code_version": configs.code_fingerprint("example_gen")},
        custom_executor_spec=executor_spec.BeamExecutorSpec(
            import_utils.import_class_by_path(configs.EXAMPLE_GEN_EXECUTOR)),
    )


def create_pipeline(config: configs.PipelineConfig, source: DataSource,
                    metadata_connection_config=None) -> tfx_pipeline.Pipeline:
    """The whole pipeline for `config`, reading the aclImdb data at `source`."""
    gen = example_gen(source, config.eval_percent, config.include_unsup)
    unlabelled = ["unsup"] if config.include_unsup else []
    statistics = StatisticsGen(examples=gen.outputs["examples"])
    schema = ImportSchemaGen(schema_file=config.schema_path)
    validator = ExampleValidator(statistics=statistics.outputs["statistics"], schema=schema.outputs["schema"],
                                 exclude_splits=unlabelled)
    gate = AnomaliesGate(anomalies=validator.outputs["anomalies"])

    transform = Transform(
        examples=gen.outputs["examples"],
        schema=schema.outputs["schema"],
        preprocessing_fn=configs.PREPROCESSING_FN,
        custom_config={"code_version": configs.code_fingerprint("transform")},
        splits_config=transform_pb2.SplitsConfig(analyze=["train"], transform=["train", "eval"]),
    )
    transform.add_upstream_node(gate)

    training = config.training
    trainer = Trainer(
        run_fn=configs.RUN_FN,
        examples=transform.outputs["transformed_examples"],
        transform_graph=transform.outputs["transform_graph"],
        schema=schema.outputs["schema"],
        train_args=trainer_pb2.TrainArgs(splits=["train"], num_steps=training.train_steps),
        eval_args=trainer_pb2.EvalArgs(splits=["eval"]),
        custom_config=training.to_custom_config(),
    )

    baseline = Resolver(
        strategy_class=LatestBlessedModelStrategy,
        model=Channel(type=standard_artifacts.Model),
        model_blessing=Channel(type=standard_artifacts.ModelBlessing),
    ).with_id("latest_blessed_model_resolver")

    evaluator = Evaluator(
        examples=gen.outputs["examples"],
        model=trainer.outputs["model"],
        baseline_model=baseline.outputs["model"],
        example_splits=["test"],
        eval_config=evaluation.eval_config(config.accuracy_lower_bound, config.accuracy_change_tolerance),
    )

    pusher = Pusher(
        model=trainer.outputs["model"],
        model_blessing=evaluator.outputs["blessing"],
        push_destination=pusher_pb2.PushDestination(
            filesystem=pusher_pb2.PushDestination.Filesystem(base_directory=config.serving_dir)),
    )

    if metadata_connection_config is None and config.metadata_path:
        metadata_connection_config = metadata.sqlite_metadata_connection_config(config.metadata_path)
    return tfx_pipeline.Pipeline(
        pipeline_name=config.pipeline_name,
        pipeline_root=config.pipeline_root,
        components=[gen, statistics, schema, validator, gate, transform, trainer, baseline, evaluator, pusher],
        enable_cache=config.enable_cache,
        metadata_connection_config=metadata_connection_config,
        beam_pipeline_args=list(config.beam_pipeline_args),
    )
