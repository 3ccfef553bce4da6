"""components.trainer.signatures: the exported signatures, through a real tf.Transform graph."""
import apache_beam as beam
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_transform as tft
import tensorflow_transform.beam as tft_beam
from tensorflow.python.autograph.impl import api as autograph_api
from tensorflow_metadata.proto.v0 import schema_pb2
from tensorflow_transform.tf_metadata import dataset_metadata, metadata_io
from tfx.utils import io_utils

from components import features
from components.modules.word_embedding import build_word_embedding_module
from components.trainer.models import build_model
from components.trainer.signatures import make_signatures
from components.transform import preprocessing
from pipeline.configs import SCHEMA_PATH
from tests.helpers import corpus

TEXTS = ["Great film.<br /><br />Loved   it", "Awful, boring.", "a fine and moving film"]


@pytest.fixture(scope="module")
def transform_output(tmp_path_factory):
    directory = tmp_path_factory.mktemp("transform")
    metadata = dataset_metadata.DatasetMetadata(io_utils.parse_pbtxt_file(SCHEMA_PATH, schema_pb2.Schema()))
    rows = [{"text": [t.encode()], "label": [i % 2], "rating": [9 if i % 2 else 2], "review_id": [b"train/pos/1"],
             "dataset": [b"imdb"]} for i, t in enumerate(TEXTS)]
    with beam.Pipeline() as pipeline, tft_beam.Context(temp_dir=str(directory / "tmp"), force_tf_compat_v1=False):
        transform_fn = (pipeline | beam.Create(rows), metadata) | tft_beam.AnalyzeDataset(preprocessing.preprocessing_fn)
        _ = transform_fn | tft_beam.WriteTransformFn(str(directory / "graph"))
    metadata_io.write_metadata(metadata, str(directory / "graph" / tft.TFTransformOutput.RAW_METADATA_DIR))
    return tft.TFTransformOutput(str(directory / "graph"))


def test_the_signatures_are_traced_without_autograph_and_give_the_models_outputs(transform_output, tmp_path,
                                                                                    monkeypatch):
    module = build_word_embedding_module(*corpus.embedding_words(dim=8), str(tmp_path / "module"), num_oov_buckets=4)
    model = build_model(module, hidden_units=(8,))
    converted = []
    convert = autograph_api._convert_actual

    def recorded(entity, program_ctx):
        converted.append(f"{getattr(entity, '__module__', '')}.{getattr(entity, '__qualname__', entity)}")
        return convert(entity, program_ctx)

    monkeypatch.setattr(autograph_api, "_convert_actual", recorded)
    signatures = make_signatures(model, transform_output)
    model.save(str(tmp_path / "model"), save_format="tf", include_optimizer=False, signatures=signatures)
    # AutoGraph rewrote tf.Transform's layer and these functions on every export (1.4 s of the
    # Trainer's export, docs/warm_start.md); none of them has control flow on tensors.
    assert not [name for name in converted if name.startswith(("tensorflow_transform.", "tfx_bsl.",
                                                               "components.trainer.signatures"))], converted
    loaded = tf.saved_model.load(str(tmp_path / "model"))
    cleaned = transform_output.transform_features_layer()({features.TEXT: tf.constant([[t] for t in TEXTS])})
    expected = model({features.TEXT: tf.reshape(cleaned[features.TEXT], [-1])}).numpy()
    by_text = loaded.signatures["predict_text"](text=tf.constant(TEXTS))[features.PROBABILITY].numpy()
    examples = [tf.train.Example(features=tf.train.Features(feature={features.TEXT: tf.train.Feature(
        bytes_list=tf.train.BytesList(value=[t.encode()]))})).SerializeToString() for t in TEXTS]
    by_example = loaded.signatures["serving_default"](examples=tf.constant(examples))[features.PROBABILITY].numpy()
    np.testing.assert_allclose(by_text, expected, rtol=1e-6)
    np.testing.assert_allclose(by_example, expected, rtol=1e-6)
    assert cleaned[features.TEXT].numpy()[0] == b"Great film. Loved it"
