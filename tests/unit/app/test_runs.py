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


def test_an_empty_store_file_is_no_store_yet(tmp_path):
    """An empty --metadata-path file (touch) is a store ML Metadata has not made yet, not an error."""
    from app import runs as app_runs

    (tmp_path / "m.sqlite").write_bytes(b"")
    assert app_runs.latest_blessed_model(str(tmp_path / "m.sqlite")) is None
    assert app_runs.max_execution_id(str(tmp_path / "m.sqlite")) == 0


def test_a_damaged_store_is_named_with_sqlites_reason(tmp_path):
    """Pages of a store overwritten (a disk error, a copy cut short): SQLite's reason, not ML
    Metadata's message of several hundred characters asking to retry the connection."""
    from ml_metadata.metadata_store import metadata_store
    from ml_metadata.proto import metadata_store_pb2
    from tfx.orchestration import metadata

    path = tmp_path / "metadata.sqlite"
    writable = metadata_store.MetadataStore(metadata.sqlite_metadata_connection_config(str(path)))
    writable.put_artifact_type(metadata_store_pb2.ArtifactType(name="Model"))
    del writable
    page = int.from_bytes(path.read_bytes()[16:18], "big")  # SQLite's page size; page 1 (the schema) kept
    with open(path, "r+b") as f:
        f.seek(page)
        f.write(b"\x07" * (path.stat().st_size - page))
    with pytest.raises(runs.StoreError, match=r"metadata.sqlite: not a metadata store \(SQLite: database disk image "
                                              r"is malformed\)$"):
        runs.open_store(str(path))
