"""components.trainer.frozen_module: the head on a frozen module trains on the module's vectors."""
import random
import types

import numpy as np
import pytest
import tensorflow as tf

from components import features
from components.modules.word_embedding import build_word_embedding_module
from components.trainer import frozen_module, training
from components.trainer.input_data import TrainingData
from components.trainer.metrics import split_metrics
from components.trainer.models import build_model
from components.trainer.training import create_training_variables
from components.training_config import training_config
from tests.helpers import corpus


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return build_word_embedding_module(*corpus.embedding_words(dim=8), str(tmp_path_factory.mktemp("m") / "m"),
                                       num_oov_buckets=4)


def reviews(n: int, seed: int) -> list[tuple[bytes, int]]:
    rng = random.Random(seed)
    return [(corpus.review_text(rng, i % 2 == 0).encode(), int(i % 2 == 0)) for i in range(n)]


def training_data(splits: dict) -> TrainingData:
    """TrainingData whose data accessor (TFX's, standing in) reads `splits[files]`: (text, label) pairs."""
    def factory(files, options, schema):
        rows = splits[files[0]]
        return tf.data.Dataset.from_tensors(({features.TEXT: tf.constant([[t] for t, _ in rows])},
                                             tf.constant([[label] for _, label in rows], tf.int64)))
    return TrainingData(["train"], ["eval"], types.SimpleNamespace(tf_dataset_factory=factory),
                        types.SimpleNamespace(transformed_metadata=types.SimpleNamespace(schema=None),
                                              transformed_feature_spec=lambda: {features.TEXT: None}))


def test_which_models_train_on_the_vectors(module):
    assert frozen_module.applies(training_config(module))
    for other in (dict(trainable=True), dict(precompute=True), dict(head="wide"), dict(train_on="sentences")):
        assert not frozen_module.applies(training_config(module, **other)), other


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_the_head_on_the_vectors_trains_as_the_whole_model_on_the_texts(module, monkeypatch, task):
    # A shuffle buffer of 1 keeps the order, so both see the same batches.
    data = training_data({"train": reviews(60, 0), "eval": reviews(20, 1)})
    config = training_config(module, hidden_units=(16, 8), batch_size=8, train_steps=30, evaluations=3,
                             shuffle_buffer_size=1, learning_rate=0.1, task=task)
    assert frozen_module.applies(config)
    tf.keras.utils.set_random_seed(0)
    model = build_model(config)
    twin = build_model(config)
    twin.set_weights(model.get_weights())
    monkeypatch.setattr(training, "build_model", lambda *args, **kwargs: model)  # its weights are the twin's
    assert training.train_model(config, data) is model
    train = data.dataset(config, features.TRAIN_SPLIT, train=True)
    create_training_variables(twin, train.element_spec[1])
    twin.fit(train, steps_per_epoch=10, epochs=3, validation_data=data.dataset(config, features.EVAL_SPLIT), verbose=0)
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert not np.allclose(model.get_layer("hidden_0").kernel.numpy(), build_model(config).get_layer("hidden_0").kernel.numpy())
    # the training computed the vectors of both splits and kept them; the metrics on them are
    # the whole model's on the texts
    for split in (features.TRAIN_SPLIT, features.EVAL_SPLIT):
        data.kept(("vectors", split, config.task, config.module), lambda: pytest.fail(f"no {split} vectors kept"))
    texts, _ = data.texts(features.TRAIN_SPLIT)
    vectors, _ = frozen_module.vectors(model, config, data, features.TRAIN_SPLIT)
    np.testing.assert_allclose(vectors.numpy(), model.get_layer("embedding")(texts).numpy(), rtol=1e-6, atol=1e-6)
    for split in (features.TRAIN_SPLIT, features.EVAL_SPLIT):
        on_vectors = split_metrics(*frozen_module.split_inputs(model, config, data, split, 7), config.task)
        on_texts = split_metrics(model, data.dataset(config, split, batch_size=7), config.task)
        assert on_vectors == pytest.approx(on_texts)
    if task == "classification":  # (the stand-in's "ratings" are the labels, 0 and 1)
        assert on_vectors["accuracy"] > 0.9

