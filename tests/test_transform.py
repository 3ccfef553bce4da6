"""The preprocessing_fn, run through tf.Transform's Beam implementation."""
import tensorflow as tf
import tensorflow_transform.beam as tft_beam
from tensorflow_transform.tf_metadata import dataset_metadata
from tfx.utils import io_utils
from tensorflow_metadata.proto.v0 import schema_pb2

from components import transform
from pipeline.configs import SCHEMA_PATH


def run_transform(rows, tmp_path):
    schema = io_utils.parse_pbtxt_file(SCHEMA_PATH, schema_pb2.Schema())
    metadata = dataset_metadata.DatasetMetadata(schema)
    with tft_beam.Context(temp_dir=str(tmp_path), force_tf_compat_v1=False):
        (transformed, _), _ = (rows, metadata) | tft_beam.AnalyzeAndTransformDataset(transform.preprocessing_fn)
    return transformed


def row(text, label=1, rating=9):
    return {"text": [text.encode()], "label": [label], "rating": [rating], "review_id": [b"train/pos/1"]}


def test_cleans_text_and_passes_label_and_rating(tmp_path):
    out = run_transform([
        row("Great film.<br /><br />Loved   it<BR/>truly.\n"),
        row("Awful.", label=0, rating=2),
    ], tmp_path)
    assert out[0]["text"] == b"Great film. Loved it truly."
    assert out[1]["text"] == b"Awful."
    assert (out[0]["label"], out[0]["rating"]) == (1, 9)
    assert (out[1]["label"], out[1]["rating"]) == (0, 2)


def test_length_buckets(tmp_path):
    lengths = [1, 99, 100, 199, 200, 399, 400, 1000]
    out = run_transform([row(" ".join(["word"] * n)) for n in lengths], tmp_path)
    assert [o["length_bucket"].decode() for o in out] == [
        "000-099", "000-099", "100-199", "100-199", "200-399", "200-399", "400+", "400+"]


def test_line_breaks_do_not_glue_words(tmp_path):
    (out,) = run_transform([row("one<br />two<br/>three")], tmp_path)
    assert out["text"] == b"one two three"
    assert tf.strings.split(out["text"]).shape[0] == 3
