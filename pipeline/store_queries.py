"""The metadata store's executions, found by node, id and state with ML Metadata's filters and
order (SQL), not by listing them all: a store that a pipeline run every hour fills keeps every
run's executions (docs/running.md#a-store-that-grows)."""
from __future__ import annotations


def node_contexts(store, node_id: str) -> list:
    """The store's contexts of the node `node_id` (one per pipeline name)."""
    return [c for c in store.get_contexts_by_type("node") if c.name.rsplit(".", 1)[-1] == node_id]


def _options(*, after: int = 0, states=(), newest: int | None = None):
    """MLMD list options: ids above `after`, in one of `states` (Execution.State names), the
    `newest` by id. Filtered and ordered in SQL: listing a node's executions without them pages
    through all of them 100 at a time, sorting them again for each page (a store of 8,760 runs:
    16 s to find what one run took from the cache; scripts/benchmark_store_queries.py)."""
    from ml_metadata.metadata_store.metadata_store import ListOptions, OrderByField

    if newest is not None and newest < 1:
        raise ValueError(f"newest must be at least 1 (got {newest})")
    filters = [f"id > {int(after)}"] if after else []
    if states:
        filters.append("(" + " OR ".join(f"last_known_state = {state}" for state in states) + ")")
    return ListOptions(order_by=OrderByField.ID, is_asc=False, limit=newest,
                       filter_query=" AND ".join(filters) or None)


def node_executions(store, node_id: str, *, after: int = 0, states=(), newest: int | None = None) -> list:
    """The executions of node `node_id` with ids above `after`, in one of `states` (e.g.
    ("COMPLETE",)), the `newest` of them when given; newest first (over the node's contexts,
    one per pipeline name)."""
    options = _options(after=after, states=states, newest=newest)
    found = [e for c in node_contexts(store, node_id) for e in store.get_executions_by_context(c.id, list_options=options)]
    return sorted(found, key=lambda e: -e.id)[:newest]


def executions(store, *, after: int = 0, states=(), newest: int | None = None) -> list:
    """The store's executions with ids above `after`, in one of `states`; newest first."""
    return store.get_executions(list_options=_options(after=after, states=states, newest=newest))
