"""components.trainer.models: the Keras model the Trainer builds around a TF-Hub module."""
import numpy as np
import pytest
import tensorflow as tf

from components.modules.word_embedding import build_word_embedding_module
from components.trainer.models import build_model
from tests.helpers import corpus


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return build_word_embedding_module(*corpus.embedding_words(dim=8), str(tmp_path_factory.mktemp("m") / "m"),
                                       num_oov_buckets=4)


def test_tutorial_head_frozen(module):
    model = build_model(module)
    dense = [l for l in model.layers if isinstance(l, tf.keras.layers.Layer) and l.name.startswith("hidden")]
    assert [l.units for l in dense] == [500, 100]
    assert model.get_layer("embedding").trainable_weights == []
    assert model.output_shape == (None, 1)
    # Tutorial settings: Adagrad(0.003) and the loss summed over the batch.
    assert type(model.optimizer).__name__ == "Adagrad"
    assert model.optimizer.learning_rate.numpy() == pytest.approx(0.003)
    assert model.loss.reduction == "sum"


def test_trainable_module_learns_and_outputs_probabilities(module):
    model = build_model(module, trainable=True, hidden_units=(8,), dropout=0.1, l2=1e-4, optimizer="adam",
                        learning_rate=0.05, loss_reduction="mean")
    table = model.get_layer("embedding").trainable_weights
    assert len(table) == 1 and table[0].shape == (len(corpus.embedding_words()[0]) + 4, 8)
    before = table[0].numpy().copy()
    texts = np.array([" ".join(corpus.POSITIVE[:3]), " ".join(corpus.NEGATIVE[:3])] * 16)
    labels = np.array([1, 0] * 16)
    model.fit(texts, labels, epochs=20, verbose=0)
    prob = model.predict(np.array(["great excellent", "awful boring", ""]), verbose=0)[:, 0]
    assert np.all((prob >= 0) & (prob <= 1))
    assert prob[0] > 0.5 > prob[1]
    assert not np.allclose(before, table[0].numpy())
    assert len(model.losses) == 2  # L2 on both kernels


def test_bad_settings(module, tmp_path):
    with pytest.raises(ValueError, match="unknown optimizer 'sgd'"):
        build_model(module, optimizer="sgd")
    with pytest.raises(FileNotFoundError, match=str(tmp_path / "nope")):
        build_model(str(tmp_path / "nope"))
