"""app.runs: the metadata store is opened read-only, and what is not a store is named as such."""
import hashlib
import sqlite3

import pytest

from app import runs


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_missing_empty_and_foreign_files_are_named_and_left_alone(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere.sqlite: no metadata store"):
        runs.open_store(str(tmp_path / "nowhere.sqlite"))
    assert not (tmp_path / "nowhere.sqlite").exists()
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    with pytest.raises(runs.StoreError, match=r"empty.sqlite: not a metadata store \(an empty file\)"):
        runs.open_store(str(empty))
    assert empty.stat().st_size == 0  # no schema written into it
    text = tmp_path / "notes.txt"
    text.write_text("not a database")
    with pytest.raises(runs.StoreError, match=r"notes.txt: not a metadata store \(not an SQLite database\)"):
        runs.open_store(str(text))
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("create table t (x)")
    before = digest(other)
    with pytest.raises(runs.StoreError, match=r"other.sqlite: not a metadata store \(an SQLite database without "
                                              r"ML Metadata's tables\)$"):
        runs.open_store(str(other))
    assert digest(other) == before


def test_a_store_is_read_without_being_changed(tmp_path):
    from ml_metadata.metadata_store import metadata_store
    from ml_metadata.proto import metadata_store_pb2
    from tfx.orchestration import metadata

    path = tmp_path / "metadata.sqlite"
    writable = metadata_store.MetadataStore(metadata.sqlite_metadata_connection_config(str(path)))
    writable.put_artifact_type(metadata_store_pb2.ArtifactType(name="Model"))
    del writable
    before = digest(path)
    store = runs.open_store(str(path))
    assert store.get_artifacts_by_type("Model") == []
    assert runs.max_execution_id(str(path)) == 0
    with pytest.raises(Exception):  # read-only: MLMD refuses writes
        store.put_artifact_type(metadata_store_pb2.ArtifactType(name="Other"))
    assert digest(path) == before


def test_dataset_view_gives_the_imdb_slices_their_usual_keys_and_the_guard_sets_apart():
    plain = [((), {"m": 1}), ((("rating", 7),), {"m": 2})]
    assert runs.dataset_view(plain) == ({(): {"m": 1}, (("rating", 7),): {"m": 2}}, {})
    crossed = [((("dataset", "imdb"),), {"m": 1}), ((("dataset", "imdb"), ("rating", 7)), {"m": 2}),
               ((("dataset", b"tweets"),), {"m": 3}), ((("dataset", "tweets"), ("rating", 0)), {"m": 4})]
    assert runs.dataset_view(crossed) == ({(): {"m": 1}, (("rating", 7),): {"m": 2}}, {"tweets": {"m": 3}})


def test_dataset_metrics_keeps_the_snippet_sets_apart_from_the_guard_sets(monkeypatch):
    def metrics(accuracy, count, diff=None, auc=None):
        values = {"binary_accuracy": accuracy, "example_count": count, "binary_accuracy_diff": diff, "auc": auc}
        return {"": {"": {k: {"doubleValue": v} for k, v in values.items() if v is not None}}}

    slicing = [((("dataset", "imdb"),), metrics(0.9, 120)), ((("dataset", "imdb"), ("rating", 7)), metrics(1.0, 30)),
               ((("dataset", b"tweets"),), metrics(0.75, 40, diff=0.25)),
               ((("dataset", "snippet_sentence"),), metrics(0.5, 50, diff=-0.25, auc=0.625)),
               ((("dataset", "snippet_sentence"), ("rating", 7)), metrics(0.0, 10))]
    monkeypatch.setattr(runs.eval_results, "slicing_metrics", lambda uri: slicing)
    guard, snippets = runs.dataset_metrics("eval")
    assert guard == {"tweets": {"accuracy": 0.75, "examples": 40, "baseline_accuracy": 0.5}}
    assert snippets == {"snippet_sentence": {"accuracy": 0.5, "examples": 50, "baseline_accuracy": 0.75, "auc": 0.625}}
    assert runs.overall_metrics("eval") == {"binary_accuracy": 0.9, "example_count": 120}


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
