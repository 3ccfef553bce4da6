"""`create_pipeline` for a production run, for every runner (local, Beam, Kubeflow):

ExampleGen -> StatisticsGen -> ImportSchemaGen -> ExampleValidator -> AnomaliesGate ->
Transform [-> Tuner] -> Trainer -> Evaluator (on the test split, against the latest blessed
model) -> Pusher (only a blessed model).
"""
from __future__ import annotations

from tfx.components.pusher.component import Pusher
from tfx.orchestration import pipeline as tfx_pipeline
from tfx.proto import pusher_pb2

from data.dataset import DataSource
from pipeline import configs, node_ids, stages
from pipeline.evaluation import evaluation_stages


def create_pipeline(config: configs.PipelineConfig, source: DataSource,
                    metadata_connection_config=None) -> tfx_pipeline.Pipeline:
    """The production pipeline for `config`, reading the aclImdb data at `source`."""
    trained = stages.training_stages(config, source, tuner_id=node_ids.TUNER, trainer_id=node_ids.TRAINER)
    trainer = trained.trainer
    evaluation = evaluation_stages(config, trained)
    pusher = Pusher(
        model=trainer.outputs["model"],
        model_blessing=evaluation.evaluator.outputs["blessing"],
        push_destination=pusher_pb2.PushDestination(
            filesystem=pusher_pb2.PushDestination.Filesystem(base_directory=config.serving_dir)),
    ).with_id(node_ids.PUSHER)
    return stages.assemble(config, [*trained.components, *evaluation.components, pusher], metadata_connection_config)
