"""`create_pipeline` for a production run, for every runner (local, Beam, Kubeflow):

ExampleGen -> StatisticsGen -> ImportSchemaGen -> ExampleValidator -> AnomaliesGate ->
Transform [-> Tuner] -> Trainer -> Evaluator (on the test split, against the latest blessed
model) -> Pusher (only a blessed model).
"""
from __future__ import annotations

from tfx.components.evaluator.component import Evaluator
from tfx.components.pusher.component import Pusher
from tfx.dsl.components.common.resolver import Resolver
from tfx.dsl.input_resolution.strategies.latest_blessed_model_strategy import LatestBlessedModelStrategy
from tfx.orchestration import pipeline as tfx_pipeline
from tfx.proto import pusher_pb2
from tfx.types import Channel, standard_artifacts

from components.evaluator.eval_config import eval_config
from data.dataset import DataSource
from pipeline import configs, node_ids, stages


def create_pipeline(config: configs.PipelineConfig, source: DataSource,
                    metadata_connection_config=None) -> tfx_pipeline.Pipeline:
    """The production pipeline for `config`, reading the aclImdb data at `source`."""
    trained = stages.training_stages(config, source, tuner_id=node_ids.TUNER, trainer_id=node_ids.TRAINER)
    trainer = trained.trainer
    baseline = Resolver(
        strategy_class=LatestBlessedModelStrategy,
        model=Channel(type=standard_artifacts.Model),
        model_blessing=Channel(type=standard_artifacts.ModelBlessing),
    ).with_id(node_ids.BASELINE_RESOLVER)
    evaluator = Evaluator(
        examples=trained.data.example_gen.outputs["examples"],
        model=trainer.outputs["model"],
        baseline_model=baseline.outputs["model"],
        example_splits=["test"],
        eval_config=eval_config(config.accuracy_lower_bound, config.accuracy_change_tolerance,
                                task=config.training.task),
    ).with_id(node_ids.EVALUATOR)
    pusher = Pusher(
        model=trainer.outputs["model"],
        model_blessing=evaluator.outputs["blessing"],
        push_destination=pusher_pb2.PushDestination(
            filesystem=pusher_pb2.PushDestination.Filesystem(base_directory=config.serving_dir)),
    ).with_id(node_ids.PUSHER)
    return stages.assemble(config, [*trained.components, baseline, evaluator, pusher], metadata_connection_config)
