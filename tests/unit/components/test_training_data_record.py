"""The record of a model's raw training examples, on TF's ram:// file system (as on gs://)."""
import json

from components import training_data_record as record


def examples(uri, span, splits=("train", "eval")):
    from tfx.types import artifact_utils, standard_artifacts

    artifact = standard_artifacts.Examples()
    artifact.uri, artifact.span = uri, span
    artifact.split_names = artifact_utils.encode_split_names(list(splits))
    return artifact


def test_transform_sources_to_the_models_record_and_back():
    import tensorflow as tf

    root = "ram://training_data_record"
    tf.io.gfile.makedirs(f"{root}/transformed/7")
    tf.io.gfile.makedirs(f"{root}/transformed/9")
    record.write_sources([examples(f"{root}/gen/1", 1)], f"{root}/transformed/7")
    record.write_sources([examples(f"{root}/gen/1", 1), examples(f"{root}/gen/2", 2, ["train"])],
                         f"{root}/transformed/9")
    patterns = [f"{root}/transformed/7/Split-train/*", f"{root}/transformed/9/Split-train/*",
                f"{root}/transformed/7/Split-eval/*"]
    entries = record.sources_of_files(patterns)
    assert entries == [{"uri": f"{root}/gen/1", "span": 1, "splits": ["train", "eval"]},
                       {"uri": f"{root}/gen/2", "span": 2, "splits": ["train"]}]  # each once, in order
    assert record.read_model_record(f"{root}/model") is None
    record.write_model_record(f"{root}/model", entries)
    assert record.read_model_record(f"{root}/model") == entries
    with tf.io.gfile.GFile(f"{root}/model/assets.extra/training_data.json") as f:
        assert json.load(f) == {"examples": entries}
    artifacts = record.as_artifacts(entries)
    assert [(a.uri, a.span, a.split_names) for a in artifacts] == [
        (f"{root}/gen/1", 1, '["train", "eval"]'), (f"{root}/gen/2", 2, '["train"]')]


def test_a_relative_uri_is_recorded_absolute(tmp_path, monkeypatch):
    """A relative pipeline root (the default output/pipeline_root) is the run's directory."""
    monkeypatch.chdir(tmp_path)
    assert record._entry(examples("output/root/gen/1", 1))["uri"] == str(tmp_path / "output/root/gen/1")
    assert record._entry(examples("gs://b/root/gen/1", 1))["uri"] == "gs://b/root/gen/1"


def test_transformed_examples_without_a_record_give_none_and_the_model_records_nothing():
    import tensorflow as tf

    root = "ram://training_data_record_old"
    tf.io.gfile.makedirs(f"{root}/transformed/3")
    assert record.sources_of_files([f"{root}/transformed/3/Split-train/*"]) == []
    record.write_model_record(f"{root}/model", [])
    assert not tf.io.gfile.exists(f"{root}/model/assets.extra/training_data.json")
