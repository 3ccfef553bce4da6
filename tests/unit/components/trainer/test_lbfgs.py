"""components.trainer.lbfgs: the wide model fitted by full-batch L-BFGS, against closed forms
and scikit-learn on the same objective."""
import numpy as np
import pytest
import scipy.sparse as sp
import tensorflow as tf

from components.trainer.lbfgs import SparseRows, fit


def problem(seed=0, n=400, d=60):
    rng = np.random.default_rng(seed)
    x = sp.random(n, d, density=0.1, random_state=seed, format="csr", dtype=np.float64)
    x.data[:] = rng.normal(size=x.data.size)
    w = rng.normal(size=d)
    y = (x @ w + 0.3 + rng.logistic(size=n) > 0).astype(float)
    return x, y


def test_logistic_regression_matches_scikit_learn():
    from sklearn.linear_model import LogisticRegression

    x, y = problem()
    l2 = 0.01
    w, b, info = fit(x, y, l2, tolerance=1e-14)
    assert info["converged"]
    # scikit-learn minimises C * sum(log loss) + |w|^2 / 2 (intercept unpenalised with lbfgs):
    # the same optimum as mean log loss + l2 |w|^2 for C = 1 / (2 l2 n).
    reference = LogisticRegression(C=1 / (2 * l2 * x.shape[0]), tol=1e-10, max_iter=10000).fit(x, y)
    np.testing.assert_allclose(w, reference.coef_[0], atol=2e-4)
    assert b == pytest.approx(reference.intercept_[0], abs=2e-4)


def test_regression_is_ridge_with_an_offset():
    x, y = problem(seed=1)
    ratings = x @ np.linspace(-1, 1, x.shape[1]) + 5.5
    l2 = 0.05
    w, b, info = fit(x, ratings, l2, regression=True, offset=5.5, tolerance=1e-14)
    # normal equations of mean((X w + b + 5.5 - y)^2) + l2 |w|^2
    n = x.shape[0]
    design = np.hstack([x.toarray(), np.ones((n, 1))])
    penalty = np.diag([l2 * n] * x.shape[1] + [0.0])
    exact = np.linalg.solve(design.T @ design + penalty, design.T @ (ratings - 5.5))
    np.testing.assert_allclose(w, exact[:-1], atol=1e-4)
    assert b == pytest.approx(exact[-1], abs=1e-4)


def test_sparse_rows_counts_and_columns():
    ids = tf.SparseTensor([[0, 0], [0, 1], [1, 0], [2, 0], [2, 1]], tf.constant([70, 5, 5, 900, 70], tf.int64), [3, 2])
    batches = [({"ngrams": ids}, tf.constant([1, 0, 1])),
               ({"ngrams": tf.SparseTensor([[0, 0]], tf.constant([5], tf.int64), [1, 1])}, tf.constant([0]))]
    rows = SparseRows.collect(batches)
    assert rows.keys.tolist() == [5, 70, 900]
    assert rows.matrix.toarray().tolist() == [[1, 1, 0], [1, 0, 0], [0, 1, 1], [1, 0, 0]]
    assert rows.labels.tolist() == [1, 0, 1, 0]
    pos, neg = rows.review_counts()
    assert pos.tolist() == [1, 2, 1] and neg.tolist() == [2, 0, 0]
    assert SparseRows.collect([]).matrix.shape == (0, 0)


def test_kept_codes_is_unique_with_inverse_after_the_cut():
    from components.trainer.lbfgs import kept_codes

    values = np.random.default_rng(3).integers(0, 2**40, 5000) % 997 * 2**33
    keys, codes, found = kept_codes(values)
    expected_keys, expected_codes = np.unique(values, return_inverse=True)
    assert keys.tolist() == expected_keys.tolist() and codes.tolist() == expected_codes.tolist() and found.all()
    distinct, count = np.unique(values, return_counts=True)
    keys, codes, found = kept_codes(values.astype(np.uint64), min_count=6)
    assert keys.tolist() == distinct[count >= 6].tolist()
    assert found.tolist() == np.isin(values, distinct[count >= 6]).tolist()
    assert (keys[codes[found]] == values[found]).all()
    keys, codes, found = kept_codes(values, min_count=10**6)
    assert keys.size == 0 and not found.any()
    hashed = np.random.default_rng(4).integers(0, 2**32, 20000).astype(np.uint32)[np.arange(60000) % 7000]
    keys, codes, found = kept_codes(hashed, min_count=9)
    assert keys.dtype == np.uint32 and codes.dtype == np.int32
    assert keys.tolist() == np.unique(hashed[np.arange(60000) % 7000 < 4000]).tolist()  # 9 copies of 4,000, 8 of the rest
    assert (keys[codes[found]] == hashed[found]).all() and found.sum() == 4000 * 9
    keys, codes, found = kept_codes(np.zeros(0, np.uint32))
    assert keys.size == codes.size == found.size == 0


def test_frequent_values_is_unique_with_counts_cut():
    from components.trainer.lbfgs import frequent_values

    rng = np.random.default_rng(5)
    for size, distinct in ((0, 1), (1, 1), (7, 3), (5000, 40), (5000, 4000)):
        values = rng.integers(0, distinct, size).astype(np.uint32) * 7919
        keys, counts = np.unique(values, return_counts=True)
        for min_count in (1, 2, 3, 10, size + 1):
            assert frequent_values(values, min_count).tolist() == keys[counts >= min_count].tolist(), (size, min_count)
    assert frequent_values(np.array([5, 5, 5, 1, 1, 9], np.int64), 3).tolist() == [5]


def test_sparse_rows_min_count_drops_rare_ids_from_their_rows():
    ids = tf.SparseTensor([[0, 0], [0, 1], [1, 0], [2, 0], [2, 1]], tf.constant([70, 5, 5, 900, 70], tf.int64), [3, 2])
    batches = [({"ngrams": ids}, tf.constant([1, 0, 1])),
               ({"ngrams": tf.SparseTensor([[0, 0]], tf.constant([5], tf.int64), [1, 1])}, tf.constant([0]))]
    rows = SparseRows.collect(batches, min_count=2)
    assert rows.keys.tolist() == [5, 70] and rows.keys.dtype == np.int64
    assert rows.matrix.toarray().tolist() == [[1, 1], [1, 0], [0, 1], [1, 0]]
    assert SparseRows.collect(batches, min_count=4).matrix.shape == (4, 0)


def test_compact_keeps_the_marked_values_in_order_in_place():
    from components.trainer.lbfgs import compact

    values = np.arange(20, dtype=np.int32)
    keep = values % 3 == 0
    kept = compact(values, keep, step=4)
    assert kept.tolist() == [0, 3, 6, 9, 12, 15, 18] and np.shares_memory(kept, values)
