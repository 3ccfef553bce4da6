"""The latest blessed model, some models left out: the base of the Resolver strategies of the
Evaluator's baseline (components/evaluator/baseline.py) and the Trainer's base model
(components/trainer/base_model.py).

TFX's LatestBlessedModelStrategy returns the latest Model with a blessed ModelBlessing. Each of
the two strategies has one more input channel, which rules models out (the baseline's: the
candidate) or narrows them (the base model's: to the base of an earlier Trainer that read the
same examples), and passes it through, as the Resolver node expects every input key back. Resolved by the orchestrator (LocalDagRunner,
BeamDagRunner), not by an executor; KubeflowV2DagRunner compiles only TFX's own strategies.
"""
from __future__ import annotations

from typing import Dict, List, Optional

from tfx import types
from tfx.components.evaluator import constants
from tfx.dsl.input_resolution.strategies.latest_blessed_model_strategy import LatestBlessedModelStrategy

MODEL, BLESSING = "model", "model_blessing"  # the Resolver's input keys of TFX's strategy


class LatestBlessedModelLeavingOutStrategy(LatestBlessedModelStrategy):
    """The latest blessed Model (and its ModelBlessing) that `left_out` does not rule out, given the
    artifacts of the input channel `PASSED`, which passes through."""

    PASSED = ""  # the input key of the channel that rules models out (a subclass names it)

    def left_out(self, store, models: List[types.Artifact], passed: List[types.Artifact]) -> set[int]:
        """The ids of the `models` to leave out, given the `passed` channel's artifacts."""
        raise NotImplementedError

    def resolve_artifacts(self, store, input_dict: Dict[str, List[types.Artifact]]
                          ) -> Optional[Dict[str, List[types.Artifact]]]:
        """TFX's resolution (`_resolve`) over the blessed models, newest first, asking `left_out`
        of one model at a time until one stays: a store of a year of runs holds thousands of
        models, and `left_out` may read each one's lineage."""
        passed = list(input_dict.get(self.PASSED, []))
        blessings = list(input_dict.get(BLESSING, []))
        blessed = {b.get_int_custom_property(constants.ARTIFACT_PROPERTY_CURRENT_MODEL_ID_KEY) for b in blessings
                   if b.get_int_custom_property(constants.ARTIFACT_PROPERTY_BLESSED_KEY) == 1}
        result = {MODEL: [], BLESSING: []}
        for model in sorted((m for m in input_dict.get(MODEL, []) if m.id in blessed), key=lambda m: -m.id):
            if model.id not in self.left_out(store, [model], passed):
                result = self._resolve({MODEL: [model], BLESSING: blessings}, MODEL, BLESSING)
                break
        return {**result, self.PASSED: passed}
