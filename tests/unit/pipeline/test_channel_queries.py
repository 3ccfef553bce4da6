"""pipeline/channel_queries.py: the executions bound to all of a channel's contexts, in one
filter query, are those TFX's own intersection finds; the replacement lasts for the block."""
import random

from pipeline import channel_queries, tfx_private


def test_the_executions_of_all_contexts_are_tfxs_in_one_query(tmp_path):
    import importlib

    from ml_metadata.metadata_store import metadata_store
    from ml_metadata.proto import metadata_store_pb2 as pb
    from tfx.orchestration import metadata

    resolver = importlib.import_module(tfx_private.CHANNEL_RESOLVER)
    store = metadata_store.MetadataStore(metadata.sqlite_metadata_connection_config(str(tmp_path / "m.sqlite")))
    type_id = store.put_execution_type(pb.ExecutionType(name="tfx.Component"))
    context_type = store.put_context_type(pb.ContextType(name="node"))
    contexts = [store.get_contexts_by_id([i])[0]
                for i in store.put_contexts([pb.Context(type_id=context_type, name=f"c{i}") for i in range(5)])]
    executions = store.put_executions([pb.Execution(type_id=type_id) for _ in range(260)])  # over 2 pages of 100
    rng = random.Random(0)
    store.put_attributions_and_associations([], [pb.Association(context_id=c.id, execution_id=e)
                                                 for e in executions for c in contexts if rng.random() < 0.6])
    for chosen in ([contexts[0]], contexts[:2], contexts[1:4], contexts, []):
        ours = [e.id for e in channel_queries.executions_of_all(store, chosen)]
        theirs = sorted(e.id for e in resolver._get_executions_by_all_contexts(store, chosen))
        assert ours == theirs and (ours or not chosen), [c.name for c in chosen]


def test_tfxs_function_is_replaced_for_the_block_only():
    import importlib

    resolver = importlib.import_module(tfx_private.CHANNEL_RESOLVER)
    original = resolver._get_executions_by_all_contexts
    with channel_queries.filtered():
        assert resolver._get_executions_by_all_contexts is channel_queries.executions_of_all
        with channel_queries.filtered():  # nested (or another thread's run): still replaced when it leaves
            pass
        assert resolver._get_executions_by_all_contexts is channel_queries.executions_of_all
    assert resolver._get_executions_by_all_contexts is original
