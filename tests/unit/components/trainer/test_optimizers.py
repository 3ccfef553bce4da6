"""components.trainer.optimizers: LazyAdam and ProximalAdagrad against their dense definitions."""
import numpy as np
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
