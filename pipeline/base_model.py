"""The Trainer's base model for a warm start (docs/warm_start.md): a Resolver of the latest
blessed model, TFX's `base_model` input.

With a local store (LocalDagRunner, BeamDagRunner), the latest blessed model not trained on this
run's transformed examples (components/trainer/base_model.py), so that an identical rerun
comes from the cache. A compiled Kubeflow pipeline (no local store: config.metadata_path
empty) has TFX's LatestBlessedModelStrategy, the strategy KubeflowV2DagRunner compiles (as for
the Evaluator's baseline, pipeline/evaluation.py): the model its cluster's store last blessed.
"""
from __future__ import annotations

from pipeline import configs, node_ids


def resolver(config: configs.PipelineConfig, examples):
    """The Resolver of the Trainer's base model (its output "model"), or None when warm start is
    off; `examples`: this run's transformed examples."""
    if not config.training.warm_start:
        return None
    from tfx.dsl.components.common.resolver import Resolver
    from tfx.types import Channel, standard_artifacts

    from components.trainer import base_model

    channels = {base_model.MODEL: Channel(type=standard_artifacts.Model),
                base_model.BLESSING: Channel(type=standard_artifacts.ModelBlessing)}
    if config.metadata_path:
        found = Resolver(strategy_class=base_model.LatestBlessedModelOfOtherExamplesStrategy,
                         **channels, **{base_model.EXAMPLES: examples})
    else:  # compiled for Kubeflow
        from tfx.dsl.input_resolution.strategies.latest_blessed_model_strategy import LatestBlessedModelStrategy

        found = Resolver(strategy_class=LatestBlessedModelStrategy, **channels)
    return found.with_id(node_ids.BASE_MODEL_RESOLVER)
