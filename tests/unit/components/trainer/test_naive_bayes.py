"""components.trainer.naive_bayes and the wide model; components.trainer.metrics.auc."""
import numpy as np
import pytest
import tensorflow as tf


def test_nb_ratios_and_wide_model():
    from components.trainer.layers import NBLogisticRegression
    from components.trainer.metrics import auc
    from components.trainer.naive_bayes import nb_ratios

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
