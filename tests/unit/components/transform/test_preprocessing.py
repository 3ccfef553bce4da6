"""components.transform: the preprocessing_fn, run through tf.Transform's Beam implementation."""
import pytest
import tensorflow as tf
import tensorflow_transform.beam as tft_beam
from tensorflow_transform.tf_metadata import dataset_metadata
from tfx.utils import io_utils
from tensorflow_metadata.proto.v0 import schema_pb2

from components.transform import preprocessing
from pipeline.configs import SCHEMA_PATH


def run_transform(rows, tmp_path, custom_config=None):
    schema = io_utils.parse_pbtxt_file(SCHEMA_PATH, schema_pb2.Schema())
    metadata = dataset_metadata.DatasetMetadata(schema)
    with tft_beam.Context(temp_dir=str(tmp_path), force_tf_compat_v1=False):
        (transformed, _), _ = (rows, metadata) | tft_beam.AnalyzeAndTransformDataset(
            lambda inputs: preprocessing.preprocessing_fn(inputs, custom_config))
    return transformed


def row(text, label=1, rating=9):
    return {"text": [text.encode()], "label": [label], "rating": [rating], "review_id": [b"train/pos/1"], "dataset": [b"imdb"]}


def test_cleans_text_and_passes_label_and_rating(tmp_path):
    out = run_transform([
        row("Great film.<br /><br />Loved   it<BR/>truly.\n"),
        row("Awful.", label=0, rating=2),
    ], tmp_path)
    assert out[0]["text"] == b"Great film. Loved it truly."
    assert out[1]["text"] == b"Awful."
    assert (out[0]["label"], out[0]["rating"]) == (1, 9)
    assert (out[1]["label"], out[1]["rating"]) == (0, 2)


def test_passes_the_dataset_through_for_slicing(tmp_path):
    guard = dict(row("Short and sweet."), dataset=[b"short"])
    out = run_transform([row("A film."), guard], tmp_path)
    assert [o["dataset"] for o in out] == [b"imdb", b"short"]


def example(rating=None, dataset=b"short"):
    e = tf.train.Example()
    f = e.features.feature
    f["text"].bytes_list.value.append(b"Great.")
    f["label"].int64_list.value.append(1)
    if rating is not None:
        f["rating"].int64_list.value.append(rating)
    f["review_id"].bytes_list.value.append(b"guard/short/1")
    f["dataset"].bytes_list.value.append(dataset)
    return e.SerializeToString()


def test_a_guard_row_without_rating_is_read_with_rating_0_and_an_unlabelled_one_with_label_minus_1(tmp_path):
    """Transform reads split guard too, whose guard set rows have no rating: the schema's tensor
    representation gives them 0 (as the models' transform_features signature does), where reading
    a required feature would fail; and split unsup, whose rows have no label: -1, a value no
    labelled split can hold (ExampleValidator checks label in 0..1). Every other feature stays
    required, and the schema projects on the features preprocessing_fn reads (as TFX's Transform
    executor does before reading)."""
    from tfx_bsl.coders import example_coder
    from tfx_bsl.tfxio import tensor_adapter, tf_example_record

    schema = io_utils.parse_pbtxt_file(SCHEMA_PATH, schema_pb2.Schema())
    tfxio = tf_example_record.TFExampleRecord(str(tmp_path / "unread.tfrecord"), schema=schema)
    tfxio = tfxio.Project(["text", "label", "rating", "dataset"])
    decoder = example_coder.ExamplesToRecordBatchDecoder(schema.SerializeToString())

    def tensors(examples):
        batch = decoder.DecodeBatch(examples)
        adapter = tensor_adapter.TensorAdapter(tensor_adapter.TensorAdapterConfig(batch.schema,
                                                                                  tfxio.TensorRepresentations()))
        return adapter.ToBatchTensors(batch)

    read = tensors([example(rating=7, dataset=b"imdb"), example()])
    assert read["rating"].numpy()[:, 0].tolist() == [7, 0]
    assert read["dataset"].numpy()[:, 0].tolist() == [b"imdb", b"short"]
    missing_label = tf.train.Example.FromString(example(rating=7, dataset=b"imdb"))
    del missing_label.features.feature["label"]
    del missing_label.features.feature["rating"]
    read = tensors([missing_label.SerializeToString(), example(rating=7, dataset=b"imdb")])
    assert read["label"].numpy()[:, 0].tolist() == [-1, 1] and read["rating"].numpy()[:, 0].tolist() == [0, 7]
    label = next(f for f in schema.feature if f.name == "label")
    assert (label.int_domain.min, label.int_domain.max, label.presence.min_fraction) == (0, 1, 1.0)
    missing_text = tf.train.Example.FromString(example())
    del missing_text.features.feature["text"]
    with pytest.raises(ValueError, match="text"):
        tensors([missing_text.SerializeToString()])


def test_length_buckets(tmp_path):
    lengths = [1, 99, 100, 199, 200, 399, 400, 1000]
    out = run_transform([row(" ".join(["word"] * n)) for n in lengths], tmp_path)
    assert [o["length_bucket"].decode() for o in out] == [
        "000-099", "000-099", "100-199", "100-199", "200-399", "200-399", "400+", "400+"]


def test_line_breaks_do_not_glue_words(tmp_path):
    (out,) = run_transform([row("one<br />two<br/>three")], tmp_path)
    assert out["text"] == b"one two three"
    assert tf.strings.split(out["text"]).shape[0] == 3


def test_ngram_ids_are_distinct_and_counted_by_review(tmp_path):
    # "good" is in 3 reviews, "!" in 2 (3 times), "bad" in 1 (twice): with min_count 2 (reviews,
    # not occurrences) "bad" is dropped; each review lists an n-gram once.
    out = run_transform([row("Good good film!!"), row("Bad, bad good!", label=0, rating=1), row("good")],
                        tmp_path, {"ngrams": {"size": 2, "ids": "vocabulary", "min_count": 2}})
    for r, text in zip(out, ["good good film ! !", "bad , bad good !", "good"]):
        ids = list(r["ngrams"])
        assert len(ids) == len(set(ids)), text
    # good (3 reviews) and ! (2) are the only n-grams in at least two reviews
    assert len(out[0]["ngrams"]) == 2 and len(out[1]["ngrams"]) == 2 and len(out[2]["ngrams"]) == 1
    assert out[2]["ngrams"][0] in out[0]["ngrams"] and out[2]["ngrams"][0] in out[1]["ngrams"]


def test_hashed_ngram_ids_are_distinct_and_the_same_in_every_review(tmp_path):
    # hashed ids keep every n-gram (the Trainer makes the min-count cut): "good" in all three
    # reviews has one id; each review lists an id once.
    out = run_transform([row("Good good film!!"), row("Bad, bad good!", label=0, rating=1), row("good")],
                        tmp_path, {"ngrams": {"size": 2, "ids": "hash", "buckets": 2**32}})
    expected = {0: "good|film|!|good good|good film|film !|! !", 1: "bad|,|good|!|bad ,|, bad|bad good|good !",
                2: "good"}
    for i, r in enumerate(out):
        ids = list(r["ngrams"])
        grams = expected[i].split("|")
        assert len(ids) == len(set(ids)) == len(grams)
        assert ids == tf.strings.to_hash_bucket_fast(grams, 2**32).numpy().tolist()
    assert set(out[2]["ngrams"]) <= set(out[0]["ngrams"]) & set(out[1]["ngrams"])


def test_tokenizer_keeps_punctuation_and_contractions():
    from components.transform.text_features import ngrams

    grams = ngrams(tf.constant(["Great film! Don't miss it"]), 2).to_list()[0]
    assert grams[:6] == [b"great", b"film", b"!", b"don't", b"miss", b"it"]
    assert b"film !" in grams and len(grams) == 6 + 5
