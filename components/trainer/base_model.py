"""The Trainer's base model (TFX Trainer's `base_model` input, for a warm start): the latest
blessed model not trained on the examples this run made (Transform's output: the whole data, or
this run's span of a window).

TFX's LatestBlessedModelStrategy alone would make every rerun a new training: after a run
pushes model M, an identical rerun would resolve M as its base, so the Trainer's inputs would
differ from the first run's and nothing from the Trainer on could come from the cache (and it
would retrain M from M). Leaving out the models whose training examples include these
examples artifacts (a window of spans holds this span's among others), a rerun resolves the
same base as the run that first trained the model (the one before it, or none), so it comes
from the cache; a run on new data (a new span or window) gets the latest blessed model as
TFX's strategy does. Resolved by the orchestrator (LocalDagRunner,
BeamDagRunner) from the store's lineage: the examples that the execution which output a model read.
"""
from __future__ import annotations

from components.blessed_models import BLESSING, MODEL, LatestBlessedModelLeavingOutStrategy

EXAMPLES = "examples"  # the Resolver's input key of this run's transformed examples

__all__ = ["BLESSING", "EXAMPLES", "MODEL", "LatestBlessedModelOfOtherExamplesStrategy", "trained_on"]


def trained_on(store, model_id: int) -> set[int]:
    """The ids of the `examples` inputs of the executions that output the model."""
    from ml_metadata.proto import metadata_store_pb2

    Event = metadata_store_pb2.Event
    executions = [e.execution_id for e in store.get_events_by_artifact_ids([model_id]) if e.type == Event.OUTPUT]
    return {e.artifact_id for e in store.get_events_by_execution_ids(executions)
            if e.type == Event.INPUT and e.path.steps and e.path.steps[0].key == EXAMPLES}


class LatestBlessedModelOfOtherExamplesStrategy(LatestBlessedModelLeavingOutStrategy):
    """The latest blessed Model (and its ModelBlessing) that was not trained on any of the
    `examples` channel's artifacts; the examples pass through."""

    PASSED = EXAMPLES

    def left_out(self, store, models, passed) -> set[int]:
        current = {a.id for a in passed}
        return {m.id for m in models if trained_on(store, m.id) & current}
