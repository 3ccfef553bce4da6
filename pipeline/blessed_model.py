"""Resolver nodes of a blessed model: TFX's Model and ModelBlessing channels under the keys the
strategies read (components/blessed_models.py), for the Trainer's base model
(pipeline/base_model.py), the Evaluator's baseline (pipeline/evaluation.py) and the drift
check's model in service (pipeline/span_stages.py)."""
from __future__ import annotations


def resolver(strategy_class, node_id: str, **inputs):
    """A Resolver of the latest blessed model by `strategy_class`, with more `inputs` channels.
    Its channels are the production Trainer's models and Evaluator's blessings, not every Model
    and ModelBlessing of the pipeline: TFX resolves a channel without a producer from every
    execution the pipeline ever ran (a store of a year of runs: docs/running.md#a-store-that-grows),
    and an experiment's models are not production's to start from or compare with. No output
    key: the Evaluator's baseline resolver also takes the Trainer's "model" output of this run,
    and TFX's compiler makes one input node of two channels of the same producer and key (the
    resolution then fails: KeyError 'input_5'); the type alone picks the Trainer's models."""
    from tfx.dsl.components.common.resolver import Resolver
    from tfx.types import Channel, standard_artifacts

    from components.blessed_models import BLESSING, MODEL
    from pipeline import node_ids

    return Resolver(strategy_class=strategy_class, **{
        MODEL: Channel(type=standard_artifacts.Model, producer_component_id=node_ids.TRAINER),
        BLESSING: Channel(type=standard_artifacts.ModelBlessing, producer_component_id=node_ids.EVALUATOR)},
        **inputs).with_id(node_id)


def latest(node_id: str):
    """A Resolver of TFX's LatestBlessedModelStrategy (the one KubeflowV2DagRunner compiles)."""
    from tfx.dsl.input_resolution.strategies.latest_blessed_model_strategy import LatestBlessedModelStrategy

    return resolver(LatestBlessedModelStrategy, node_id)
