"""The production run's baseline: the latest blessed model other than the candidate itself.

TFX's LatestBlessedModelStrategy returns the latest blessed model, which on an identical
rerun (the Trainer's model from the cache) is the candidate: the Evaluator would then score
the same model twice, as candidate and as baseline, to find a difference of zero, and its
inputs (candidate and baseline) would differ from the first run's, so neither it nor the
Pusher could come from the cache. Leaving the candidate out, the rerun resolves the same
baseline as the run that first trained the model (the latest blessed model before it, or
none), so the Evaluator and everything after it come from the cache; a new candidate is
compared with the latest blessed model exactly as before.

Resolved by the orchestrator (LocalDagRunner, BeamDagRunner), not by an executor
(components/blessed_models.py). KubeflowV2DagRunner compiles only TFX's own strategies into
queries, so a compiled pipeline keeps LatestBlessedModelStrategy (pipeline/evaluation.py).
"""
from __future__ import annotations

from components.blessed_models import BLESSING, MODEL, LatestBlessedModelLeavingOutStrategy

CANDIDATE = "candidate"  # the Resolver's input key of the candidate model

__all__ = ["BLESSING", "CANDIDATE", "MODEL", "LatestBlessedOtherModelStrategy"]


class LatestBlessedOtherModelStrategy(LatestBlessedModelLeavingOutStrategy):
    """The latest blessed Model (and its ModelBlessing) that is not one of the `candidate` channel's
    models; the candidate passes through."""

    PASSED = CANDIDATE

    def left_out(self, store, models, passed) -> set[int]:
        return {a.id for a in passed}
