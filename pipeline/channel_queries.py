"""TFX's channel resolution in one query of the metadata store, while a run lasts.

To resolve a node's input channel, TFX 1.16 (`channel_resolver._get_executions_by_all_contexts`)
lists every execution of each of the channel's contexts and intersects them in Python: the
pipeline's context among them, which holds every execution the pipeline ever ran. ML Metadata
returns them 100 at a time, each page costing about as much as the context is large: on a store
of a year of hourly runs (122,682 executions) 236.6 s for an input of this run, for every input
of every node, so a run did not get past its first resolver in 9 minutes. Here the executions
bound to all the contexts are one ML Metadata filter query (the intersection in SQL): 0.23 s
for that input (scripts/benchmark_channel_queries.py; docs/running.md#a-store-that-grows). The
same executions; TFX's code around it unchanged.
A TODO in TFX's source says the same ("Migrate to MLMD filter query"). The private name:
pipeline/tfx_private.py.
"""
from __future__ import annotations

import contextlib
import string
import threading

from pipeline.tfx_private import CHANNEL_RESOLVER


def executions_of_all(store, contexts) -> list:
    """The executions associated with every one of `contexts` (ML Metadata Context protos), as
    `_get_executions_by_all_contexts` returns them (in id order here), in one filter query."""
    from ml_metadata.metadata_store.metadata_store import ListOptions, OrderByField

    if not contexts:
        return []
    if len(contexts) > len(string.ascii_lowercase):
        raise ValueError(f"{len(contexts)} contexts: at most {len(string.ascii_lowercase)} in one query")
    query = " AND ".join(f"contexts_{alias}.id = {int(context.id)}"
                         for alias, context in zip(string.ascii_lowercase, contexts))
    return store.get_executions(list_options=ListOptions(order_by=OrderByField.ID, is_asc=True, filter_query=query))


_lock = threading.Lock()
_users = 0  # blocks inside filtered(): TFX's function is back once the last one leaves
_original = None


@contextlib.contextmanager
def filtered():
    """TFX's channel resolution through `executions_of_all` for the block (re-entrant, and for
    blocks that overlap in threads)."""
    import importlib

    global _users, _original
    module = importlib.import_module(CHANNEL_RESOLVER)
    with _lock:
        if _users == 0:
            _original = module._get_executions_by_all_contexts
            module._get_executions_by_all_contexts = executions_of_all
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                module._get_executions_by_all_contexts = _original
