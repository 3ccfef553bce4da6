"""components.trainer.metrics: a model's outputs over a split, AUC."""
import gc
import weakref

import numpy as np
import tensorflow as tf
import tf_keras

from components.trainer import metrics


def predict_two_splits():
    """Predictions of a small model over two splits, checked against the model; (the model's
    weak reference, the traces of its function)."""
    inputs = tf_keras.Input(shape=(3,), name="x")
    model = tf_keras.Model(inputs, tf_keras.layers.Dense(1, activation="sigmoid")(inputs))
    x = np.random.default_rng(0).normal(size=(25, 3)).astype(np.float32)
    for a, b in ((0, 17), (17, 25)):
        split = tf.data.Dataset.from_tensor_slices(({"x": x[a:b]}, np.arange(a, b))).batch(4)
        outputs, labels = metrics.predictions(model, split)
        np.testing.assert_allclose(outputs, model(x[a:b]).numpy().reshape(-1), rtol=1e-6)
        assert labels.tolist() == list(range(a, b))
    return weakref.ref(model), metrics._traced[model].experimental_get_tracing_count()


def test_predictions_are_the_models_in_order_and_its_splits_share_one_trace():
    model, traces = predict_two_splits()
    assert traces == 1
    gc.collect()
    assert model() is None and len(metrics._traced) == 0  # the function does not keep the model alive


def test_auc_counts_ties_half():
    assert metrics.auc(np.array([0.1, 0.4, 0.4, 0.9]), np.array([False, False, True, True])) == 0.875
