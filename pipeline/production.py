"""`create_pipeline` for a production run, for every runner (local, Beam, Kubeflow):

ExampleGen -> StatisticsGen -> ImportSchemaGen -> ExampleValidator -> AnomaliesGate ->
Transform [-> Tuner] -> Trainer -> Evaluator (on the test split, against the latest blessed
model) -> InfraValidator (the model server answers canary requests) -> Pusher (only a model
with both blessings, atomically). With data in spans (docs/spans.md), Transform reads the
window of the last K spans and DriftCheck (this span against the previous window; compiled for
Kubeflow, against the training data the model in service records) runs before the Trainer,
which does not run when it blocks (pipeline/span_stages.py).
"""
from __future__ import annotations

from tfx.components.pusher.component import Pusher
from tfx.dsl.components.base import executor_spec
from tfx.orchestration import pipeline as tfx_pipeline
from tfx.proto import pusher_pb2
from tfx.utils import import_utils

from data.dataset import DataSource
from pipeline import configs, node_ids, span_stages, stages, window_backfill
from pipeline.evaluation import evaluation_stages


def create_pipeline(config: configs.PipelineConfig, source: DataSource,
                    metadata_connection_config=None) -> tfx_pipeline.Pipeline:
    """The production pipeline for `config`, reading the aclImdb data at `source`."""
    trained = stages.training_stages(config, source, tuner_id=node_ids.TUNER, trainer_id=node_ids.TRAINER,
                                     warm_start=True)
    trainer = trained.trainer
    # The drift check of this span against the previous window, before the Trainer: a blocking
    # drift stops the run with nothing trained (pipeline/span_stages.py); data without spans has none.
    drift = span_stages.drift_stages(config, source, trained.data.example_gen)
    if drift is not None:
        trainer.add_upstream_node(drift.drift_check)
    evaluation = evaluation_stages(config, trained)
    infra_validator = import_utils.import_class_by_path(configs.INFRA_VALIDATOR)(
        model=trainer.outputs["model"],
        model_blessing=evaluation.evaluator.outputs["blessing"],
        examples=trained.data.example_gen.outputs["examples"],
        code_version=stages.code_version(config, configs.INFRA_VALIDATOR),
    ).with_id(node_ids.INFRA_VALIDATOR)
    pusher = Pusher(
        model=trainer.outputs["model"],
        model_blessing=evaluation.evaluator.outputs["blessing"],
        infra_blessing=infra_validator.outputs["blessing"],
        push_destination=pusher_pb2.PushDestination(
            filesystem=pusher_pb2.PushDestination.Filesystem(base_directory=config.serving_dir)),
        custom_executor_spec=executor_spec.ExecutorClassSpec(
            import_utils.import_class_by_path(configs.PUSHER_EXECUTOR)),
    ).with_id(node_ids.PUSHER)
    return stages.assemble(config, [*trained.components, *(drift.components if drift else ()),
                                    *evaluation.components, infra_validator, pusher],
                           metadata_connection_config)


def build_and_run(config: configs.PipelineConfig, source: DataSource, stream, create=None, run_pipeline=None):
    """Builds the pipeline (`create`, by default the production one) and runs it with
    `run_pipeline(tfx_pipeline)`; a production run first ingests the spans of its window that
    the store lacks (pipeline/window_backfill.py)."""
    if create is None:
        window_backfill.ingest_missing_spans(config, source, run_pipeline, stream)
    return run_pipeline((create or create_pipeline)(config, source))
