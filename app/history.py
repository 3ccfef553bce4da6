"""How long each heavy component of a production run took the last time it ran (not from the
cache), read back from the metadata store: the status line's estimate of how far the running
component is (app/cli/console.py), before it has anything better to show (the Trainer's epochs).
"""
from __future__ import annotations

from app import runs
from pipeline import node_ids

HEAVY = (node_ids.EXAMPLE_GEN, node_ids.STATISTICS_GEN, node_ids.TRANSFORM, node_ids.TUNER, node_ids.TRAINER,
         node_ids.EVALUATOR, node_ids.INFRA_VALIDATOR)


def last_durations(metadata_path: str) -> dict[str, float]:
    """{component id: seconds} of the latest completed execution of each heavy component in the
    store; {} for a store that does not exist yet or cannot be read."""
    try:
        store = runs.open_store(metadata_path)
    except (FileNotFoundError, runs.StoreError):
        return {}
    durations = {}
    for node in HEAVY:
        done = runs.node_executions(store, node, states=("COMPLETE",), newest=1)
        if done:
            latest = done[0]
            durations[node] = (latest.last_update_time_since_epoch - latest.create_time_since_epoch) / 1000.0
    return {node: seconds for node, seconds in durations.items() if seconds > 0}
