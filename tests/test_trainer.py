"""The Keras model the Trainer builds around a TF-Hub module."""
import numpy as np
import pytest
import tensorflow as tf
import tf_keras

from components.embedding_modules import build_word_embedding_module
from components.trainer import build_model
from tests import corpus


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


def test_lazy_adam_updates_only_the_rows_used():
    from components.trainer import LazyAdam

    table = tf.Variable(tf.ones([4, 2]))
    lazy = LazyAdam(learning_rate=0.1)
    dense_table = tf.Variable(tf.ones([4, 2]))
    dense = tf_keras.optimizers.Adam(learning_rate=0.1)

    def step(var, opt, rows):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.gather(var, rows) ** 2)
        opt.apply_gradients([(tape.gradient(loss, var), var)])

    step(table, lazy, [0, 0, 1])  # a repeated row: its gradients add up
    step(dense_table, dense, [0, 0, 1])
    np.testing.assert_allclose(table.numpy(), dense_table.numpy(), rtol=1e-6)  # the first step is Adam's
    step(table, lazy, [2])
    step(dense_table, dense, [2])
    np.testing.assert_allclose(table.numpy()[2], dense_table.numpy()[2], rtol=1e-6)
    np.testing.assert_allclose(table.numpy()[3], [1, 1])  # never used: untouched
    before = table.numpy()[:2]
    assert not np.allclose(dense_table.numpy()[:2], before)  # dense Adam moves rows 0-1 by momentum
    step(table, lazy, [2])
    np.testing.assert_allclose(table.numpy()[:2], before)  # lazy Adam leaves them


def test_proximal_adagrad_matches_tensorflows_kernels():
    """Dense and sparse steps equal TF1's ProximalAdagrad ops; L1 zeroes small weights."""
    from components.trainer import ProximalAdagrad

    lr, l1, l2 = 0.5, 0.1, 0.1
    init = np.array([[1.0, -0.02], [0.5, 0.3], [-2.0, 0.01], [0.7, -0.7]], np.float32)
    ours, opt = tf.Variable(init), ProximalAdagrad(learning_rate=lr, l1=l1, l2=l2)
    ref, ref_accum = tf.Variable(init), tf.Variable(tf.fill(init.shape, 0.1))

    def grads(var, rows):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.gather(var, rows) ** 2 * [1.0, 3.0])
        return tape.gradient(loss, var)

    for rows in ([0, 0, 1], [1, 2]):  # sparse, a repeated row summed as TF1's optimizers do
        opt.apply_gradients([(grads(ours, rows), ours)])
        g = grads(ref, rows)
        unique, position = tf.unique(g.indices)
        tf.raw_ops.ResourceSparseApplyProximalAdagrad(
            var=ref.handle, accum=ref_accum.handle, lr=lr, l1=l1, l2=l2,
            grad=tf.math.unsorted_segment_sum(g.values, position, tf.size(unique)), indices=unique)
        np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(ours.numpy()[3], init[3])  # a row never used is untouched
    assert ours.numpy()[2, 1] == 0.0  # L1 shrank a small weight to exactly zero

    dense, dense_opt = tf.Variable(init), ProximalAdagrad(learning_rate=lr, l1=l1, l2=l2)
    ref, ref_accum = tf.Variable(init), tf.Variable(tf.fill(init.shape, 0.1))
    for _ in range(3):
        g = 2 * dense * [1.0, 3.0]
        dense_opt.apply_gradients([(tf.convert_to_tensor(g), dense)])
        tf.raw_ops.ResourceApplyProximalAdagrad(var=ref.handle, accum=ref_accum.handle, lr=lr, l1=l1, l2=l2,
                                                grad=2 * ref * [1.0, 3.0])
        np.testing.assert_allclose(dense.numpy(), ref.numpy(), rtol=1e-5, atol=1e-7)
    assert ProximalAdagrad.from_config(dense_opt.get_config()).l1 == l1


def test_nb_ratios_and_wide_model():
    from components.trainer import NBLogisticRegression, auc, nb_ratios

    ids = tf.sparse.from_dense(tf.constant([[1, 2, 0], [3, 0, 0], [1, 4, 0]], tf.int64))
    ids = tf.SparseTensor(ids.indices, ids.values, [3, 3])  # ngram ids 1..4 (0 means no entry here)
    labels = tf.constant([1, 0, 1])
    dataset = tf.data.Dataset.from_tensors(({"ngrams": ids}, labels))
    r = nb_ratios(dataset, 5, alpha=1.0)
    # p = 1 + counts in positive reviews: [1, 3, 2, 1, 2] (sum 9); q: [1, 1, 1, 2, 1] (sum 6)
    np.testing.assert_allclose(r, np.log(np.array([1, 3, 2, 1, 2]) / 9) - np.log(np.array([1, 1, 1, 2, 1]) / 6))
    layer = NBLogisticRegression(5, r)
    layer.build(None)
    layer.kernel.assign([0.0, 1.0, 2.0, 0.0, 0.0])
    layer.bias.assign(0.5)
    out = layer(tf.SparseTensor([[0, 0], [0, 1], [2, 0]], tf.constant([1, 2, 2], tf.int64), [4, 3])).numpy()[:, 0]
    np.testing.assert_allclose(out, [0.5 + r[1] + 2 * r[2], 0.5, 0.5 + 2 * r[2], 0.5], rtol=1e-6)  # empty rows: bias
    assert auc(np.array([0.1, 0.4, 0.35, 0.8]), np.array([False, False, True, True])) == pytest.approx(0.75)
    assert auc(np.array([0.5, 0.5]), np.array([False, True])) == pytest.approx(0.5)
