"""The Trainer's base model (TFX Trainer's `base_model` input, for a warm start): the latest
blessed model, unless a Trainer already trained on exactly the examples this run's Trainer reads
(Transform's output, or the window of transformed spans): then the base that Trainer had.

TFX's LatestBlessedModelStrategy alone would make every rerun a new training: after a run
pushes model M, an identical rerun would resolve M as its base, so the Trainer's inputs would
differ from the first run's and nothing from the Trainer on could come from the cache (and it
would retrain M from M). Here a rerun, whose Trainer reads the same examples artifacts as an
earlier Trainer execution, resolves that execution's base (or none), so it comes from the
cache; a run on other examples (a new span, or another window over the same spans) gets the
latest blessed model, as TFX's strategy gives it. Resolved by the orchestrator (LocalDagRunner,
BeamDagRunner) from the store's lineage: the `examples` and `base_model` inputs of the Trainer
executions that read these examples.
"""
from __future__ import annotations

from tfx.types.standard_component_specs import BASE_MODEL_KEY, EXAMPLES_KEY, MODEL_KEY

from components.blessed_models import BLESSING, MODEL, LatestBlessedModelLeavingOutStrategy

EXAMPLES = EXAMPLES_KEY  # the Resolver's input key of the examples this run's Trainer reads (the Trainer's too)

__all__ = ["BLESSING", "EXAMPLES", "MODEL", "LatestBlessedModelOfOtherExamplesStrategy", "earlier_base"]


def earlier_base(store, examples: set[int]) -> tuple[bool, int | None]:
    """(whether a Trainer execution with warm start on read exactly the examples artifacts
    `examples`, the id of the base model the newest such execution read, None for none). A
    Trainer run with --no-warm-start had no base to repeat: it is not counted."""
    from ml_metadata.proto import metadata_store_pb2

    Event = metadata_store_pb2.Event
    if not examples:
        return False, None

    def key(event) -> str:
        return event.path.steps[0].key if event.path.steps else ""

    readers = {e.execution_id for e in store.get_events_by_artifact_ids(sorted(examples))
               if e.type == Event.INPUT and key(e) == EXAMPLES}
    read, base, trained = {}, {}, set()
    for event in store.get_events_by_execution_ids(sorted(readers)):
        if event.type == Event.INPUT and key(event) == EXAMPLES:
            read.setdefault(event.execution_id, set()).add(event.artifact_id)
        elif event.type == Event.INPUT and key(event) == BASE_MODEL_KEY:
            base[event.execution_id] = event.artifact_id
        elif event.type == Event.OUTPUT and key(event) == MODEL_KEY:
            trained.add(event.execution_id)  # a Trainer (the Tuner and the Evaluator read examples too)
    same = [e.id for e in store.get_executions_by_id(sorted(x for x in trained if read.get(x) == examples))
            if _warm_start_on(e)]
    return (True, base.get(max(same))) if same else (False, None)


def _warm_start_on(execution) -> bool:
    """Whether a Trainer execution ran with warm start on (its custom_config's TrainingConfig;
    on when it does not say)."""
    import json

    config = execution.custom_properties.get("custom_config")
    text = config.string_value if config is not None else ""
    try:
        return bool(json.loads(text).get("warm_start", True)) if text else True
    except (ValueError, AttributeError):
        return True


class LatestBlessedModelOfOtherExamplesStrategy(LatestBlessedModelLeavingOutStrategy):
    """The latest blessed Model (and its ModelBlessing); for examples a Trainer already read
    (the `examples` channel's artifacts, exactly), the base that Trainer read, if blessed. The
    examples pass through."""

    PASSED = EXAMPLES

    def resolve_artifacts(self, store, input_dict):
        found, base = earlier_base(store, {a.id for a in input_dict.get(EXAMPLES, [])})
        if found:  # a rerun: the same base as the run it repeats (none: none)
            input_dict = {**input_dict, MODEL: [m for m in input_dict.get(MODEL, []) if m.id == base]}
        return super().resolve_artifacts(store, input_dict)

    def left_out(self, store, models, passed) -> set[int]:
        return set()
