"""The stage functions both pipelines (production.py, experiment.py) are built from.

ExampleGen (aclImdb files) -> StatisticsGen -> ImportSchemaGen -> ExampleValidator ->
AnomaliesGate -> Transform [-> Tuner] -> Trainer; each pipeline adds its own evaluation.

TFX is imported module by module here (not through `tfx.v1`, which pulls in Google
Cloud AI Platform and is slow to import: docs/results.md).
"""
from __future__ import annotations

import dataclasses
import os

from tfx.components.example_gen.component import FileBasedExampleGen
from tfx.components.example_validator.component import ExampleValidator
from tfx.components.schema_gen.import_schema_gen.component import ImportSchemaGen
from tfx.components.statistics_gen.component import StatisticsGen
from tfx.components.trainer.component import Trainer
from tfx.components.transform.component import Transform
from tfx.dsl.components.base import executor_spec
from tfx.orchestration import metadata
from tfx.orchestration import pipeline as tfx_pipeline
from tfx.proto import example_gen_pb2, trainer_pb2, transform_pb2
from tfx.utils import import_utils

from components.anomalies_gate.component import AnomaliesGate
from components.example_gen.guard import SPLIT as GUARD_SPLIT
from components.example_gen.guard import fingerprint as guard_fingerprint
from components.features import UNSUP_SPLIT
from components.example_gen.snippet_sets import NAMES as SNIPPET_SETS
from data.dataset import DataSource
from pipeline import base_model, configs, fingerprint, node_ids, span_stages, tfx_private

# ImportSchemaGen's extra exec property: the schema file's content hash (pipeline/fingerprint.py).
SCHEMA_FINGERPRINT = "schema_fingerprint"
CODE_VERSION = "code_version"  # the Evaluator's exec property (with_evaluator_executor)


def schema_file(config: configs.PipelineConfig) -> str:
    """The schema file to fingerprint: config.schema_path, or where it is not on this machine
    (a path inside the image), the packaged copy it was built from."""
    return config.schema_path if os.path.isfile(config.schema_path) else configs.SCHEMA_PATH


def beam_executor(path: str) -> executor_spec.BeamExecutorSpec:
    """The spec of the Beam executor class at dotted `path` (for components whose constructor
    takes no custom_executor_spec: Transform, Evaluator)."""
    return executor_spec.BeamExecutorSpec(import_utils.import_class_by_path(path))


def with_evaluator_executor(config: configs.PipelineConfig, evaluator):
    """`evaluator` running the project's executor (TFMA's metrics from whole batches:
    components/evaluator/executor.py), with that code's fingerprint among its exec properties so
    that a change of it is a cache miss (TFX's Evaluator takes no custom_config)."""
    tfx_private.set_executor(evaluator, beam_executor(configs.EVALUATOR_EXECUTOR))
    tfx_private.add_exec_property(evaluator, CODE_VERSION, code_version(config, configs.EVALUATOR_EXECUTOR))
    return evaluator


def code_version(config: configs.PipelineConfig, *paths: str) -> str:
    """The code fingerprint of the executors' module code at `paths` (dotted paths to a
    function or class), and of the schema."""
    return fingerprint.code_fingerprint(*(configs.module_of(p) for p in paths), files=(schema_file(config),))


@dataclasses.dataclass
class DataStages:
    """The examples and their validation: ExampleGen -> ... -> AnomaliesGate."""

    example_gen: FileBasedExampleGen
    statistics: StatisticsGen
    schema: ImportSchemaGen
    validator: ExampleValidator
    gate: object  # AnomaliesGate
    # What production's Transform reads: ExampleGen's examples, or the window of the last K spans
    # (pipeline/span_stages.py: window_examples)
    window: object = None
    # Whether Transform transforms this span alone, for the Trainer's window (span_stages.trained_examples)
    spans_alone: bool = False

    @property
    def components(self) -> list:
        return [self.example_gen, self.statistics, self.schema, self.validator, self.gate]


def has_guard_split(config: configs.PipelineConfig) -> bool:
    """Whether ExampleGen writes split `guard`: for guard sets or snippet sets, or both."""
    return bool(config.guard_sets or config.snippet_reviews)


def data_stages(config: configs.PipelineConfig, source: DataSource) -> DataStages:
    include_unsup = config.reads_unsup()
    patterns = source.split_patterns(include_unsup)
    custom_config = {"eval_percent": config.eval_percent, "include_unsup": include_unsup,
                     "code_version": code_version(config, configs.EXAMPLE_GEN_EXECUTOR)}
    if has_guard_split(config):
        # Split `guard` (components/example_gen/guard.py, snippet_sets.py); its pattern (the test
        # split's) only gives TFX's driver a file to fingerprint.
        patterns = {**patterns, GUARD_SPLIT: patterns["test"]}
    # TFX's cache key has exec properties, not the guard and test files: their content hash goes
    # in too, or an edited file would come from the cache. Not in a compiled pipeline (no local
    # store): its paths are the cluster's, read where ExampleGen runs, not where it is compiled
    # (docs/scale_out.md: a changed file there needs a new path, or --no-cache).
    read_here = bool(config.metadata_path)
    if config.guard_sets:
        custom_config.update(guard_sets=[list(g) for g in config.guard_sets])
        if read_here:
            custom_config.update(guard_fingerprint=guard_fingerprint(config.guard_sets))
    if config.snippet_reviews:
        custom_config.update(snippet_reviews=config.snippet_reviews, snippet_sets=list(SNIPPET_SETS))
    if config.test_data:  # the fixed test set (docs/spans.md)
        from components.example_gen import labelled_files

        custom_config.update(test_data=config.test_data)
        if read_here:
            custom_config.update(test_data_fingerprint=labelled_files.fingerprint([config.test_data]))
    gen = FileBasedExampleGen(
        input_base=source.input_base,
        range_config=span_stages.range_config(config) if source.has_spans else None,
        input_config=example_gen_pb2.Input(splits=[
            example_gen_pb2.Input.Split(name=name, pattern=p) for name, p in patterns.items()]),
        custom_config=custom_config,
        custom_executor_spec=executor_spec.BeamExecutorSpec(
            import_utils.import_class_by_path(configs.EXAMPLE_GEN_EXECUTOR)),
    ).with_id(node_ids.EXAMPLE_GEN)
    # Statistics of the splits the ExampleValidator checks: the guard split (guard rows are checked
    # when read, snippet rows are cut from checked test reviews) would cost a sixth of
    # StatisticsGen's time (docs/results.md); the Evaluator's slices count its sets.
    # Nor split unsup, which it does not check either (no labels).
    excluded = ([UNSUP_SPLIT] if include_unsup else []) + ([GUARD_SPLIT] if has_guard_split(config) else [])
    statistics = StatisticsGen(examples=gen.outputs["examples"], exclude_splits=excluded or None,
                               ).with_id(node_ids.STATISTICS_GEN)
    schema = ImportSchemaGen(schema_file=config.schema_path).with_id(node_ids.SCHEMA_GEN)
    # TFX's cache key has the schema's path, not its content: without this, a schema edited
    # in place would come from the cache unchanged.
    tfx_private.add_exec_property(schema, SCHEMA_FINGERPRINT, fingerprint.file_fingerprint(schema_file(config)))
    validator = ExampleValidator(statistics=statistics.outputs["statistics"], schema=schema.outputs["schema"],
                                 # unsup has no labels, guard sets no ratings (their rows are checked when
                                 # read; snippet rows are cut from checked test reviews)
                                 exclude_splits=excluded,
                                 ).with_id(node_ids.EXAMPLE_VALIDATOR)
    gate = AnomaliesGate(anomalies=validator.outputs["anomalies"],
                         code_version=code_version(config, configs.ANOMALIES_GATE)).with_id(node_ids.ANOMALIES_GATE)
    return DataStages(gen, statistics, schema, validator, gate, span_stages.window_examples(config, source, gen),
                      span_stages.transforms_spans_alone(config, source))


def transform_stage(config: configs.PipelineConfig, data: DataStages, *, for_evaluation: bool = False) -> Transform:
    """Transform after the gate, analysed on train. Production transforms train and eval, what
    the Trainer reads (its Evaluator reads the raw examples through the model's
    transform_features); `for_evaluation` (the experiments) also test, and split `guard` where
    there is one, which the experiments' Evaluator reads through serving_transformed, so that a
    frozen module applied here costs one forward pass per test review and guard or snippet text
    rather than one per row. The experiments' Transform is then its own execution, shared by
    every row of a grid with the same features (docs/results.md has what each costs)."""
    custom_config, splits = transform_config(config, for_evaluation=for_evaluation,
                                             spans_alone=data.spans_alone and not for_evaluation)
    transform = Transform(
        # production: this run's span or dataset (the window of spans for a preprocessing with an
        # analyser: span_stages.window_examples); the experiments: this run's
        examples=data.example_gen.outputs["examples"] if for_evaluation or data.window is None else data.window,
        schema=data.schema.outputs["schema"],
        preprocessing_fn=configs.PREPROCESSING_FN,
        custom_config=custom_config,
        # Split guard's rows may have no rating: the schema gives it a default when read
        # (pipeline/schema/schema.pbtxt); the analysis never sees them.
        splits_config=transform_pb2.SplitsConfig(analyze=["train"], transform=splits),
        # Statistics of millions of n-gram ids or 384-d vectors cost minutes and say little;
        # StatisticsGen has described the raw data already.
        disable_statistics=bool(config.training.transform_options()),
    ).with_id(node_ids.TRANSFORM)
    # gzip level 1, and fixed batches for an embedding module (components/transform/executor.py)
    tfx_private.set_executor(transform, beam_executor(configs.TRANSFORM_EXECUTOR))
    transform.add_upstream_node(data.gate)
    return transform


def transform_config(config: configs.PipelineConfig, *, for_evaluation: bool = False,
                     spans_alone: bool = False) -> tuple[dict, list[str]]:
    """Transform's custom_config (code version, options; with `spans_alone`, the window key its
    transformed examples join later windows by: span_stages.window_key) and the splits it transforms."""
    splits = ["train", "eval"] + (["test"] + ([GUARD_SPLIT] if has_guard_split(config) else [])
                                  if for_evaluation else []) + ([UNSUP_SPLIT] if config.uses_unsup() else [])
    custom_config = {"code_version": code_version(config, configs.PREPROCESSING_FN, configs.TRANSFORM_EXECUTOR),
                     **config.training.transform_options()}
    if spans_alone:
        custom_config[span_stages.WINDOW_KEY] = span_stages.window_key(custom_config, splits)
    return custom_config, splits


def _training_custom_config(config: configs.PipelineConfig, entry_point: str) -> dict:
    return {**config.training.to_custom_config(), "code_version": code_version(config, entry_point)}


def tuner_stage(config: configs.PipelineConfig, data: DataStages, transform: Transform, examples, node_id: str):
    """The Tuner (selection on the eval split only), or None when the config does not tune."""
    training = config.training
    if not training.tune:
        return None
    from tfx.components.tuner.component import Tuner

    return Tuner(
        tuner_fn=configs.TUNER_FN,
        examples=examples,
        transform_graph=transform.outputs["transform_graph"],
        schema=data.schema.outputs["schema"],
        train_args=trainer_pb2.TrainArgs(splits=["train"], num_steps=training.tuner_steps or training.train_steps),
        eval_args=trainer_pb2.EvalArgs(splits=["eval"]),  # selection never sees the test split
        custom_config=_training_custom_config(config, configs.TUNER_FN),
    ).with_id(node_id)


def trainer_stage(config: configs.PipelineConfig, data: DataStages, transform: Transform, examples, tuner,
                  node_id: str, base=None) -> Trainer:
    """The Trainer of `examples` (span_stages.trained_examples); `base`: the Resolver of its base
    model (pipeline/base_model.py) or None."""
    training = config.training
    return Trainer(
        run_fn=configs.RUN_FN,
        base_model=base.outputs["model"] if base is not None else None,
        examples=examples,
        transform_graph=transform.outputs["transform_graph"],
        schema=data.schema.outputs["schema"],
        hyperparameters=tuner.outputs["best_hyperparameters"] if tuner else None,
        # split unsup: the unlabelled reviews, for a model that learns from them (its files are
        # told apart from train's by components/trainer/input_data.py)
        train_args=trainer_pb2.TrainArgs(splits=["train"] + ([UNSUP_SPLIT] if config.uses_unsup() else []),
                                         num_steps=training.train_steps),
        eval_args=trainer_pb2.EvalArgs(splits=["eval"]),
        custom_config=_training_custom_config(config, configs.RUN_FN),
    ).with_id(node_id)


@dataclasses.dataclass
class TrainingStages:
    """Everything up to the trained model: the data stages, Transform, the Tuner (or None), the Trainer."""

    data: DataStages
    transform: Transform
    tuner: object
    trainer: Trainer
    base_model: object = None  # the Resolver of the Trainer's base model (warm start), or None

    @property
    def components(self) -> list:
        return [*self.data.components, self.transform, self.tuner, self.base_model, self.trainer]


def training_stages(config: configs.PipelineConfig, source: DataSource, *, tuner_id: str,
                    trainer_id: str, for_evaluation: bool = False, warm_start: bool = False) -> TrainingStages:
    """ExampleGen -> ... -> Transform [-> Tuner] -> Trainer, the Tuner and Trainer under the given
    ids; `for_evaluation`: Transform materialises the test and guard splits too (transform_stage);
    `warm_start` (production runs): the Trainer's base model is the latest blessed one (pipeline/base_model.py)."""
    data = data_stages(config, source)
    transform = transform_stage(config, data, for_evaluation=for_evaluation)
    examples = span_stages.trained_examples(config, transform)
    tuner = tuner_stage(config, data, transform, examples, tuner_id)
    base = base_model.resolver(config, examples, transform) if warm_start else None
    trainer = trainer_stage(config, data, transform, examples, tuner, trainer_id, base)
    return TrainingStages(data, transform, tuner, trainer, base)


def assemble(config: configs.PipelineConfig, components: list,
             metadata_connection_config=None) -> tfx_pipeline.Pipeline:
    """The TFX pipeline of `components` (None entries and repeats dropped: a node may serve two
    stages, as a compiled pipeline's latest blessed model does) with the config's name, root,
    store (SQLite at config.metadata_path unless a connection config is given), cache and Beam args."""
    if metadata_connection_config is None and config.metadata_path:
        metadata_connection_config = metadata.sqlite_metadata_connection_config(config.metadata_path)
    return tfx_pipeline.Pipeline(
        pipeline_name=config.pipeline_name,
        pipeline_root=config.pipeline_root,
        components=list({id(c): c for c in components if c is not None}.values()),
        enable_cache=config.enable_cache,
        metadata_connection_config=metadata_connection_config,
        beam_pipeline_args=list(config.beam_pipeline_args),
    )
