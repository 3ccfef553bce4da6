"""components.trainer.naive_bayes and the wide model; components.trainer.metrics.auc."""
import numpy as np
import pytest
import tensorflow as tf


def test_ngram_table_and_wide_model():
    from components.trainer.layers import NBLogisticRegression
    from components.trainer.metrics import auc
    from components.trainer.naive_bayes import log_count_ratios, ngram_table

    # Hashed-looking ids: 70 (2 positive reviews), 5 (1 positive), 900 (1 negative), 3 (1 positive, 1 negative).
    ids = tf.SparseTensor([[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [2, 0]],
                          tf.constant([70, 5, 3, 900, 3, 70], tf.int64), [3, 3])
    labels = tf.constant([1, 0, 1])
    dataset = tf.data.Dataset.from_tensors(({"ngrams": ids}, labels))
    keys, r = ngram_table(dataset, min_count=1, alpha=1.0)
    assert keys.tolist() == [3, 5, 70, 900]
    # p = 1 + counts in positive reviews: [2, 2, 3, 1] (sum 8); q: [2, 1, 1, 2] (sum 6)
    np.testing.assert_allclose(r, np.log(np.array([2, 2, 3, 1]) / 8) - np.log(np.array([2, 1, 1, 2]) / 6))
    np.testing.assert_allclose(r, log_count_ratios([1, 1, 2, 0], [1, 0, 0, 1]))
    kept, kept_r = ngram_table(dataset, min_count=2)  # ids in at least two reviews
    assert kept.tolist() == [3, 70]
    np.testing.assert_allclose(kept_r, log_count_ratios([1, 2], [1, 0]))
    assert ngram_table(dataset, min_count=5)[0].tolist() == [-1]  # nothing kept: one row that matches no id

    layer = NBLogisticRegression(4, r, keys=keys)
    layer.build(None)
    layer.kernel.assign([1.0, 2.0, 0.0, 0.0])
    layer.bias.assign(0.5)
    # ids 3 and 5 are known; 4 and 1000 are not (below the cut) and contribute nothing
    out = layer(tf.SparseTensor([[0, 0], [0, 1], [0, 2], [2, 0], [3, 0]], tf.constant([3, 4, 5, 5, 1000], tf.int64),
                                [5, 3])).numpy()[:, 0]
    np.testing.assert_allclose(out, [0.5 + r[0] + 2 * r[1], 0.5, 0.5 + 2 * r[1], 0.5, 0.5], rtol=1e-6)  # empty rows: bias
    clone = NBLogisticRegression.from_config(layer.get_config())
    clone.build(None)
    clone.set_weights(layer.get_weights())
    assert clone.keys.numpy().tolist() == keys.tolist()
    batch = tf.SparseTensor([[0, 0], [0, 1], [1, 0], [2, 0]], tf.constant([3, 5, 70, 900], tf.int64), [3, 2])
    # its table still holds the keys it was built with (0..3): a miss, never a wrong hit, until indexed again
    np.testing.assert_allclose(clone(batch).numpy(), [[0.5], [0.5], [0.5]])
    clone.index_keys()
    np.testing.assert_allclose(clone(batch).numpy(), layer(batch).numpy())
    assert auc(np.array([0.1, 0.4, 0.35, 0.8]), np.array([False, False, True, True])) == pytest.approx(0.75)
    assert auc(np.array([0.5, 0.5]), np.array([False, True])) == pytest.approx(0.5)


def test_wide_model_copy_and_saved_model_find_the_same_ngrams(tmp_path):
    """inference_copy (an ensemble's members) and a SavedModel, loaded elsewhere, look the ids up
    in tables made from their own keys: the same outputs as the trained model."""
    import tf_keras

    from components.trainer.ensemble import inference_copy
    from components.trainer.layers import NBLogisticRegression

    rng = np.random.default_rng(0)
    keys = np.unique(rng.integers(0, 2**32, 40000))
    inputs = tf_keras.Input(shape=(None,), sparse=True, dtype=tf.int64, name="ngrams")
    layer = NBLogisticRegression(keys.size, rng.normal(size=keys.size), keys=keys, name="nb_logistic")
    model = tf_keras.Model(inputs, layer(inputs))
    layer.kernel.assign(rng.normal(size=keys.size).astype(np.float32))
    ids = np.concatenate([rng.choice(keys, 320), rng.integers(0, 2**32, 80)])  # rows 0-7 known, 8-9 (almost surely) not
    batch = tf.SparseTensor(np.stack([np.arange(400) // 40, np.arange(400) % 40], 1), tf.constant(ids, tf.int64), [10, 40])
    expected = model(batch).numpy()
    assert (expected[:8] != 0).all() and (expected[8:] == 0).all()  # bias 0
    np.testing.assert_allclose(inference_copy(model)(batch).numpy(), expected, rtol=1e-6)
    tf.saved_model.save(model, str(tmp_path / "model"))
    loaded = tf.saved_model.load(str(tmp_path / "model"))
    np.testing.assert_allclose(loaded(batch).numpy(), expected, rtol=1e-6)
    # the table is filled from the restored keys variable: no second copy of the keys in the graph
    graph_bytes = (tmp_path / "model" / "saved_model.pb").stat().st_size
    assert graph_bytes < keys.size * 8, graph_bytes
