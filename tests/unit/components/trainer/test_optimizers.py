"""components.trainer.optimizers: LazyAdam and ProximalAdagrad against their dense definitions."""
import numpy as np
import pytest
import tensorflow as tf
import tf_keras


def test_lazy_adam_updates_only_the_rows_used():
    from components.trainer.optimizers import LazyAdam

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
    from components.trainer.optimizers import ProximalAdagrad

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


def test_a_fit_ends_on_the_average_of_its_steps_weights_with_tfs_warm_up():
    """Adagrad with ema_momentum: after fit, the weights are the moving average of the weights
    after each step, decay min(ema_momentum, (1 + t) / (10 + t)) at step t, started from the
    weights fit began with (a warm start's); with ema_momentum 0, the last step's weights."""
    from components.trainer.optimizers import make_optimizer
    from components.training_config import TrainingConfig

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 3)).astype(np.float32), rng.integers(0, 2, 64).astype(np.float32)

    def fit(momentum, steps=30):
        tf_keras.utils.set_random_seed(0)
        model = tf_keras.Sequential([tf_keras.layers.Dense(1, activation="sigmoid", input_shape=(3,))])
        model.compile(optimizer=make_optimizer(TrainingConfig(learning_rate=0.5, ema_momentum=momentum)),
                      loss="binary_crossentropy")
        start = [w.numpy() for w in model.trainable_weights]
        seen = []
        record = tf_keras.callbacks.LambdaCallback(
            on_train_batch_end=lambda batch, logs: seen.append([w.numpy() for w in model.trainable_weights]))
        model.fit(x, y, batch_size=8, epochs=steps // 8, verbose=0, callbacks=[record], shuffle=False)
        return start, seen, [w.numpy() for w in model.trainable_weights]

    start, seen, final = fit(0.9)
    average = start
    for t, weights in enumerate(seen):
        decay = min(0.9, (1 + t) / (10 + t))
        average = [decay * a + (1 - decay) * w for a, w in zip(average, weights)]
    for got, want, last in zip(final, average, seen[-1]):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
        assert not np.allclose(got, last, atol=1e-4)  # not the last step's
    _, seen, final = fit(0.0)
    for got, last in zip(final, seen[-1]):
        np.testing.assert_array_equal(got, last)


def test_no_weight_averaging_for_a_trainable_embedding_or_when_off():
    from components.trainer.optimizers import make_optimizer
    from components.training_config import TrainingConfig

    assert make_optimizer(TrainingConfig()).use_ema
    assert make_optimizer(TrainingConfig(optimizer="adam")).use_ema
    assert not make_optimizer(TrainingConfig(trainable=True, optimizer="adam")).use_ema
    assert not make_optimizer(TrainingConfig(ema_momentum=0)).use_ema
    with pytest.raises(ValueError, match="--ema-momentum"):
        TrainingConfig(ema_momentum=1.0)
