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


# Node ids of an experiment run's own components (pipeline/experiment.py): kept apart from the
# production Trainer/Evaluator, so that reports and the blessing history see only the latter.
EXPERIMENT_IDS = {"Tuner": "ExperimentTuner", "Trainer": "ExperimentTrainer", "Evaluator": "ExperimentEvaluator"}


def create_pipeline(config: configs.PipelineConfig, source: DataSource,
                    metadata_connection_config=None, *, experiment: bool = False) -> tfx_pipeline.Pipeline:
    """The whole pipeline for `config`, reading the aclImdb data at `source`.

    With `experiment`, the same pipeline (same name, so everything up to Transform is reused
    from the cache) ends with its own Trainer and an Evaluator without thresholds: the model
    is measured, never blessed, compared or pushed.
    """
    gen = example_gen(source, config.eval_percent, config.include_unsup)
    unlabelled = ["unsup"] if config.include_unsup else []
    statistics = StatisticsGen(examples=gen.outputs["examples"])
    schema = ImportSchemaGen(schema_file=config.schema_path)
    validator = ExampleValidator(statistics=statistics.outputs["statistics"], schema=schema.outputs["schema"],
                                 exclude_splits=unlabelled)
    gate = AnomaliesGate(anomalies=validator.outputs["anomalies"])

    transform_options = config.training.transform_options()
    transform = Transform(
        examples=gen.outputs["examples"],
        schema=schema.outputs["schema"],
        preprocessing_fn=configs.PREPROCESSING_FN,
        custom_config={"code_version": configs.code_fingerprint("transform"),
                       **transform_options},
        # Analysed on train only; test is transformed too, for the experiments' Evaluator (a
        # frozen module applied here then costs one forward pass per test review as well).
        splits_config=transform_pb2.SplitsConfig(analyze=["train"], transform=["train", "eval", "test"]),
        # Statistics of millions of n-gram ids or 384-d vectors cost minutes and say little;
        # StatisticsGen has described the raw data already.
        disable_statistics=bool(transform_options),
    )
    if "embed_module" in transform_options:  # fixed batches, for an expensive module (its docstring)
        transform.executor_spec = executor_spec.BeamExecutorSpec(
            import_utils.import_class_by_path(configs.EMBEDDING_TRANSFORM_EXECUTOR))
    transform.add_upstream_node(gate)

    training = config.training
    node_id = (lambda name: EXPERIMENT_IDS[name]) if experiment else (lambda name: name)
    tuner = None
    if training.tune:
        from tfx.components.tuner.component import Tuner

        tuner = Tuner(
            tuner_fn=configs.TUNER_FN,
            examples=transform.outputs["transformed_examples"],
            transform_graph=transform.outputs["transform_graph"],
            schema=schema.outputs["schema"],
            train_args=trainer_pb2.TrainArgs(splits=["train"], num_steps=training.tuner_steps or training.train_steps),
            eval_args=trainer_pb2.EvalArgs(splits=["eval"]),  # selection never sees the test split
            custom_config=training.to_custom_config(),
        ).with_id(node_id("Tuner"))
    trainer = Trainer(
        run_fn=configs.RUN_FN,
        examples=transform.outputs["transformed_examples"],
        transform_graph=transform.outputs["transform_graph"],
        schema=schema.outputs["schema"],
        hyperparameters=tuner.outputs["best_hyperparameters"] if tuner else None,
        train_args=trainer_pb2.TrainArgs(splits=["train"], num_steps=training.train_steps),
        eval_args=trainer_pb2.EvalArgs(splits=["eval"]),
        custom_config=training.to_custom_config(),
    ).with_id(node_id("Trainer"))

    eval_config = evaluation.eval_config(config.accuracy_lower_bound, config.accuracy_change_tolerance,
                                         task=training.task, thresholds=not experiment, transformed=experiment)
    if experiment:
        # Reads Transform's test split (features computed once) through the model's
        # `serving_transformed` signature.
        evaluator = Evaluator(examples=transform.outputs["transformed_examples"], model=trainer.outputs["model"],
                              example_splits=["test"], eval_config=eval_config).with_id(node_id("Evaluator"))
        components = [gen, statistics, schema, validator, gate, transform, tuner, trainer, evaluator]
    else:
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
            eval_config=eval_config,
        )

        pusher = Pusher(
            model=trainer.outputs["model"],
            model_blessing=evaluator.outputs["blessing"],
            push_destination=pusher_pb2.PushDestination(
                filesystem=pusher_pb2.PushDestination.Filesystem(base_directory=config.serving_dir)),
        )
        components = [gen, statistics, schema, validator, gate, transform, tuner, trainer, baseline, evaluator,
                      pusher]

    if metadata_connection_config is None and config.metadata_path:
        metadata_connection_config = metadata.sqlite_metadata_connection_config(config.metadata_path)
    return tfx_pipeline.Pipeline(
        pipeline_name=config.pipeline_name,
        pipeline_root=config.pipeline_root,
        components=[c for c in components if c is not None],
        enable_cache=config.enable_cache,
        metadata_connection_config=metadata_connection_config,
        beam_pipeline_args=list(config.beam_pipeline_args),
    )
