"""The production run's baseline: the latest blessed model other than the candidate itself.

TFX's LatestBlessedModelStrategy returns the latest blessed model, which on an identical
rerun (the Trainer's model from the cache) is the candidate: the Evaluator would then score
the same model twice, as candidate and as baseline, to find a difference of zero, and its
inputs (candidate and baseline) would differ from the first run's, so neither it nor the
Pusher could come from the cache. Leaving the candidate out, the rerun resolves the same
baseline as the run that first trained the model (the latest blessed model before it, or
none), so the Evaluator and everything after it come from the cache; a new candidate is
compared with the latest blessed model exactly as before.

Resolved by the orchestrator (LocalDagRunner, BeamDagRunner), not by an executor.
KubeflowV2DagRunner compiles only TFX's own strategies into queries, so a compiled pipeline
keeps LatestBlessedModelStrategy (pipeline/evaluation.py).
"""
from __future__ import annotations

from typing import Dict, List, Optional

from tfx import types
from tfx.dsl.input_resolution.strategies.latest_blessed_model_strategy import LatestBlessedModelStrategy

MODEL, BLESSING, CANDIDATE = "model", "model_blessing", "candidate"  # the Resolver's input keys


class LatestBlessedOtherModelStrategy(LatestBlessedModelStrategy):
    """The latest blessed Model (and its ModelBlessing) that is not one of the `candidate` channel's
    models; the candidate passes through."""

    def resolve_artifacts(self, store, input_dict: Dict[str, List[types.Artifact]]
                          ) -> Optional[Dict[str, List[types.Artifact]]]:
        candidate = list(input_dict.get(CANDIDATE, []))
        excluded = {a.id for a in candidate}
        models = [m for m in input_dict.get(MODEL, []) if m.id not in excluded]
        blessings = list(input_dict.get(BLESSING, []))
        result = ({MODEL: [], BLESSING: []} if not models or not blessings
                  else self._resolve({MODEL: models, BLESSING: blessings}, MODEL, BLESSING))
        return {**result, CANDIDATE: candidate}
