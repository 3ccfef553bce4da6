"""The Trainer's base model for a warm start (docs/warm_start.md): a Resolver of the latest
blessed model, TFX's `base_model` input.

With a local store (LocalDagRunner, BeamDagRunner), the latest blessed model, or for examples a
Trainer already read, that Trainer's base (components/trainer/base_model.py), so that an
identical rerun comes from the cache. A compiled Kubeflow pipeline (no local store: config.metadata_path
empty) has TFX's LatestBlessedModelStrategy, the strategy KubeflowV2DagRunner compiles: the model
its cluster's store last blessed, which is the Evaluator's baseline too (pipeline/evaluation.py),
so one Resolver node (latest_blessed_model_resolver) gives both.
"""
from __future__ import annotations

from pipeline import blessed_model, configs, node_ids


def resolver(config: configs.PipelineConfig, examples, transform):
    """The Resolver of the Trainer's base model (its output "model"), or None when warm start is
    off; `examples`: what this run's Trainer reads (Transform's output, or the window of spans),
    which holds this run's `transform`'s output only once that has run: the window is a resolver
    function over every Transform output, which makes no dependency on this run's, so the
    Resolver is put after it (it ran first, and saw the window without this run's span)."""
    if not config.training.warm_start:
        return None
    from components.trainer import base_model

    if config.metadata_path:
        node = blessed_model.resolver(base_model.LatestBlessedModelOfOtherExamplesStrategy,
                                      node_ids.BASE_MODEL_RESOLVER, **{base_model.EXAMPLES: examples})
        node.add_upstream_node(transform)
        return node
    # compiled for Kubeflow: the Evaluator's baseline is the same query, and the same node
    return blessed_model.latest(node_ids.BASELINE_RESOLVER)
