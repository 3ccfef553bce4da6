"""Resolver nodes of a blessed model: TFX's Model and ModelBlessing channels under the keys the
strategies read (components/blessed_models.py), for the Trainer's base model
(pipeline/base_model.py), the Evaluator's baseline (pipeline/evaluation.py) and the drift
check's model in service (pipeline/span_stages.py)."""
from __future__ import annotations


def resolver(strategy_class, node_id: str, **inputs):
    """A Resolver of the latest blessed model by `strategy_class`, with more `inputs` channels."""
    from tfx.dsl.components.common.resolver import Resolver
    from tfx.types import Channel, standard_artifacts

    from components.blessed_models import BLESSING, MODEL

    return Resolver(strategy_class=strategy_class, **{MODEL: Channel(type=standard_artifacts.Model),
                                                      BLESSING: Channel(type=standard_artifacts.ModelBlessing)},
                    **inputs).with_id(node_id)


def latest(node_id: str):
    """A Resolver of TFX's LatestBlessedModelStrategy (the one KubeflowV2DagRunner compiles)."""
    from tfx.dsl.input_resolution.strategies.latest_blessed_model_strategy import LatestBlessedModelStrategy

    return resolver(LatestBlessedModelStrategy, node_id)
