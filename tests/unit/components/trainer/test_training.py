"""components.trainer.training: the variables of a training step created before fit."""
import numpy as np
import pytest
import tensorflow as tf

from components.modules.word_embedding import build_word_embedding_module
from components.trainer.models import build_model
from components.trainer.training import create_training_variables
from tests.helpers import corpus


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return build_word_embedding_module(*corpus.embedding_words(dim=8), str(tmp_path_factory.mktemp("m") / "m"),
                                       num_oov_buckets=4)


def counted_traces(model) -> dict:
    """Counts the traces of the model's train and test steps (each Python call is one trace)."""
    traces = {"train": 0, "test": 0}
    train_step, test_step = model.train_step, model.test_step

    def train(data):
        traces["train"] += 1
        return train_step(data)

    def test(data):
        traces["test"] += 1
        return test_step(data)

    model.train_step, model.test_step = train, test
    return traces


@pytest.mark.parametrize("optimizer", ["adagrad", "adam", "ftrl"])
def test_fit_traces_each_step_once_and_trains_as_without_the_variables_made_first(module, optimizer):
    texts = np.array([" ".join(corpus.POSITIVE[:3]), " ".join(corpus.NEGATIVE[:3])] * 16)
    dataset = tf.data.Dataset.from_tensor_slices(({"text": texts}, np.array([1, 0] * 16))).batch(8)
    settings = dict(trainable=True, hidden_units=(8,), optimizer=optimizer, learning_rate=0.05)
    made, twin = build_model(module, **settings), build_model(module, **settings)
    twin.set_weights(made.get_weights())
    create_training_variables(made, dataset.element_spec[1])
    made_traces, twin_traces = counted_traces(made), counted_traces(twin)
    for model in (made, twin):
        model.fit(dataset, epochs=2, validation_data=dataset, verbose=0)
    assert made_traces == {"train": 1, "test": 1}
    assert twin_traces["train"] == 2  # what creating them first saves
    for a, b in zip(made.get_weights(), twin.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert not np.allclose(made.get_layer("embedding").trainable_weights[0].numpy(),
                           build_model(module, **settings).get_layer("embedding").trainable_weights[0].numpy())
