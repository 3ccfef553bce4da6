"""pipeline/store_queries.py (and what app/runs.py builds on it): a run's executions found by node,
id and state in a store of many runs, several pipeline names and more than ML Metadata's page
of 100, as a scan of every execution finds them; the recovery's search for what a dead run left
RUNNING. (Their speed on a store of a year of runs: scripts/benchmark_store_queries.py.)"""
from app import runs


def many_run_store(path, runs_count: int, nodes=("FileBasedExampleGen", "Trainer", "Pusher"), pipelines=("imdb",)):
    """A store like one of `runs_count` runs of a pipeline of `nodes` (one execution each a run,
    COMPLETE, CACHED or, in the last run, one left RUNNING), written straight through MLMD; with
    several `pipelines`, run r is pipeline r % len(pipelines)'s (each node one context per name)."""
    from ml_metadata.metadata_store import metadata_store
    from ml_metadata.proto import metadata_store_pb2 as pb
    from tfx.orchestration import metadata

    store = metadata_store.MetadataStore(metadata.sqlite_metadata_connection_config(str(path)))
    type_id = store.put_execution_type(pb.ExecutionType(name="tfx.Component"))
    node_type = store.put_context_type(pb.ContextType(name="node"))
    contexts = [store.put_contexts([pb.Context(type_id=node_type, name=f"{p}.{n}") for n in nodes]) for p in pipelines]
    for run in range(runs_count):
        states = [pb.Execution.CACHED if run % 2 and i < len(nodes) - 1 else pb.Execution.COMPLETE
                  for i in range(len(nodes))]
        if run == runs_count - 1:
            states[-1] = pb.Execution.RUNNING
        ids = store.put_executions([pb.Execution(type_id=type_id, last_known_state=s) for s in states])
        store.put_attributions_and_associations(
            [], [pb.Association(context_id=c, execution_id=e) for c, e in zip(contexts[run % len(pipelines)], ids)])
    return store


def test_a_runs_executions_are_found_by_id_and_state_in_a_store_of_many_runs(tmp_path):
    """The queries a run's summary makes (its executions above the floor, what came from the
    cache, the newest of a node, the newest id) answer as a scan of the store would."""
    from ml_metadata.proto import metadata_store_pb2 as pb

    from app import history

    path = tmp_path / "metadata.sqlite"
    store = many_run_store(path, 40)  # 120 executions: ids 1..120, run r holds 3r+1..3r+3
    assert runs.max_execution_id(str(path)) == 120
    floor = 117  # before the last run (39: odd, so its first two nodes came from the cache)
    assert runs.cached_nodes(str(path), floor) == ["FileBasedExampleGen", "Trainer"]
    assert runs.cached_nodes(str(path), 111) == ["FileBasedExampleGen", "Trainer"] * 2  # runs 37-39, in id order
    newest = runs.node_executions(store, "Trainer", after=floor, newest=1)
    assert [e.id for e in newest] == [119]
    every = runs.node_executions(store, "Pusher")
    assert [e.id for e in every] == list(range(120, 0, -3))  # newest first, all 40
    assert [e.id for e in runs.node_executions(store, "Pusher", states=("COMPLETE",), newest=1)] == [117]
    assert [e.id for e in runs.executions(store, states=("RUNNING", "NEW"))] == [120]
    assert runs.node_executions(store, "Trainer", after=120) == []
    scan = {e.id for e in store.get_executions() if e.id > floor and e.last_known_state == pb.Execution.CACHED}
    assert {e.id for e in runs.executions(store, after=floor, states=("CACHED",))} == scan
    assert history.last_durations(str(path)) == {}  # execution times of 0 s: none kept


def test_the_next_run_finds_what_a_dead_run_left_running_in_a_store_of_many_runs(tmp_path):
    from pipeline import recovery

    path = tmp_path / "metadata.sqlite"
    store = many_run_store(path, 40)
    left = recovery.abandoned_executions(str(path), str(tmp_path / "root"))
    assert [x.execution_id for x in left] == [120]
    assert [e.id for e in runs.executions(store, states=("RUNNING", "NEW"))] == []
    assert [e.id for e in runs.executions(store, states=("CANCELED",))] == [120]



def test_the_queries_merge_pipeline_names_and_page_past_a_hundred(tmp_path):
    """Two pipeline names (a node's executions in two contexts) and 250 runs (ML Metadata pages
    100 at a time): the queries answer as a scan of every execution does."""
    from ml_metadata.proto import metadata_store_pb2 as pb

    path = tmp_path / "metadata.sqlite"
    store = many_run_store(path, 250, pipelines=("imdb", "imdb-nightly"))
    every = store.get_executions()
    trainer_ids = sorted((e.id for e in every if (e.id - 2) % 3 == 0), reverse=True)  # the middle node of each run
    assert [e.id for e in runs.node_executions(store, "Trainer")] == trainer_ids
    assert [e.id for e in runs.node_executions(store, "Trainer", newest=1)] == trainer_ids[:1]  # over both names
    assert [e.id for e in runs.node_executions(store, "Trainer", after=600)] == [i for i in trainer_ids if i > 600]
    cached = sorted(e.id for e in every if e.last_known_state == pb.Execution.CACHED)
    assert len(cached) == 250 and runs.cached_nodes(str(path), 0) == ["FileBasedExampleGen", "Trainer"] * 125
    assert [e.id for e in runs.executions(store, states=("CACHED",))] == cached[::-1]
    assert runs.max_execution_id(str(path)) == 750


def test_what_came_from_the_cache_is_the_newest_runs_not_the_ingest_runs_before_it(tmp_path):
    """A run over spans first ingests the window's missing spans (pipeline runs of their own,
    above the same floor): the summary's "cached" is the run's own nodes, each once."""
    from ml_metadata.metadata_store import metadata_store
    from ml_metadata.proto import metadata_store_pb2 as pb
    from tfx.orchestration import metadata

    path = tmp_path / "metadata.sqlite"
    store = metadata_store.MetadataStore(metadata.sqlite_metadata_connection_config(str(path)))
    type_id = store.put_execution_type(pb.ExecutionType(name="tfx.Component"))
    node_type, run_type = (store.put_context_type(pb.ContextType(name=n)) for n in ("node", "pipeline_run"))
    nodes = ("ImportSchemaGen", "FileBasedExampleGen", "Trainer")
    node_ids = dict(zip(nodes, store.put_contexts([pb.Context(type_id=node_type, name=f"imdb.{n}") for n in nodes])))
    for run, ran in (("ingest-span-2", ("ImportSchemaGen", "FileBasedExampleGen")),
                     ("main", ("ImportSchemaGen", "FileBasedExampleGen", "Trainer"))):
        run_id = store.put_contexts([pb.Context(type_id=run_type, name=run)])[0]
        states = [pb.Execution.CACHED if node != "FileBasedExampleGen" or run == "main" else pb.Execution.COMPLETE
                  for node in ran]
        states[-1] = pb.Execution.COMPLETE if run == "main" else states[-1]
        ids = store.put_executions([pb.Execution(type_id=type_id, last_known_state=s) for s in states])
        store.put_attributions_and_associations([], [pb.Association(context_id=c, execution_id=e)
                                                     for e, node in zip(ids, ran) for c in (node_ids[node], run_id)])
    assert runs.cached_nodes(str(path), 0) == ["ImportSchemaGen", "FileBasedExampleGen"]  # the main run's
