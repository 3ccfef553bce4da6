"""Fitting a wide (NB logistic regression) model to convergence with full-batch L-BFGS.

The wide model is linear in its n-gram features: logit = b + sum_i w_i r_i x_i over the
review's distinct kept n-grams (x_i = 1). Its whole train split fits in memory as a sparse
matrix (22,420 reviews x ~500k n-grams, ~15 million entries), so instead of a thousand Adam
steps over shuffled batches the Trainer minimises the same regularised loss directly, as
scikit-learn's LogisticRegression does: scipy's L-BFGS-B on

    mean log loss (classification) or mean squared error (regression) + l2 * sum_i w_i^2,

the loss and L2 penalty that the Keras model (components/trainer/models.py) is compiled with.
Each iteration is two sparse matrix-vector products. The fitted w and b are then set on the
model's NBLogisticRegression layer, so the exported model is the same Keras model either way.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import scipy.optimize
import scipy.sparse as sp
import tensorflow as tf

from components import features


@dataclasses.dataclass
class SparseRows:
    """A finite dataset's n-gram ids as one sparse binary matrix (rows = examples, columns =
    the distinct ids, `keys`, sorted) with each row's label."""

    matrix: sp.csr_matrix
    keys: np.ndarray
    labels: np.ndarray

    @classmethod
    def collect(cls, dataset: tf.data.Dataset) -> "SparseRows":
        """From ({NGRAMS: SparseTensor [batch, None] of distinct ids}, label) batches."""
        rows, ids, labels, offset = [], [], [], 0
        for batch, label in dataset:
            sparse = batch[features.NGRAMS]
            rows.append(sparse.indices[:, 0].numpy() + offset)
            ids.append(sparse.values.numpy())
            labels.append(label.numpy().reshape(-1))
            offset += labels[-1].size
        if not labels:
            return cls(sp.csr_matrix((0, 0), dtype=np.float32), np.zeros(0, np.int64), np.zeros(0))
        keys, columns = sorted_codes(np.concatenate(ids))
        row = np.concatenate(rows)
        matrix = sp.csr_matrix((np.ones(row.size, np.float32), (row, columns)), shape=(offset, keys.size))
        return cls(matrix, keys, np.concatenate(labels).astype(np.float64))

    def review_counts(self, positive_threshold: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
        """(positive, negative) count of the rows that contain each key."""
        positive = sp.diags((self.labels > positive_threshold).astype(np.float32))
        pos = np.asarray((positive @ self.matrix).sum(axis=0)).ravel()
        total = np.asarray(self.matrix.sum(axis=0)).ravel()
        return pos, total - pos

    def select(self, keep: np.ndarray) -> sp.csr_matrix:
        """The matrix's columns where the boolean mask `keep` (over self.keys) is set."""
        return self.matrix[:, np.flatnonzero(keep)].tocsr()


def sorted_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct values sorted, each value's index among them): np.unique(values,
    return_inverse=True), by hashing instead of sorting all values (10x faster on the ~15
    million n-gram ids of the train split)."""
    import pandas as pd

    codes, uniques = pd.factorize(values, sort=False)
    order = np.argsort(uniques, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return np.asarray(uniques)[order], rank[codes]


def fit(features_matrix: sp.csr_matrix, labels: np.ndarray, l2: float, *, regression: bool = False,
        offset: float = 0.0, max_iterations: int = 1000, tolerance: float = 1e-7) -> tuple[np.ndarray, float, dict]:
    """(w, b, info) minimising the mean loss of `features_matrix @ w + b + offset` against
    `labels` plus l2 * |w|^2 (b is not penalised). Classification: log loss of sigmoid(logit)
    with labels in {0, 1}; regression: squared error."""
    x = features_matrix.tocsr().astype(np.float64)
    y = np.asarray(labels, np.float64)
    n, d = x.shape
    xt = x.T.tocsr()

    def loss_and_gradient(params):
        w, b = params[:d], params[d]
        z = x @ w + b + offset
        if regression:
            error = z - y
            loss, residual = np.mean(error ** 2), 2.0 * error / n
        else:
            # log(1 + e^z) - y z, stably; its derivative sigmoid(z) - y
            loss = np.mean(np.logaddexp(0.0, z) - y * z)
            residual = (0.5 * (1.0 + np.tanh(0.5 * z)) - y) / n
        gradient = np.empty(d + 1)
        gradient[:d] = xt @ residual + 2.0 * l2 * w
        gradient[d] = residual.sum()
        return loss + l2 * float(w @ w), gradient

    result = scipy.optimize.minimize(loss_and_gradient, np.zeros(d + 1), jac=True, method="L-BFGS-B",
                                     options={"maxiter": int(max_iterations), "ftol": tolerance, "gtol": tolerance})
    info = {"iterations": int(result.nit), "loss": float(result.fun), "converged": bool(result.success),
            "message": str(result.message)}
    return result.x[:d].astype(np.float32), float(result.x[d]), info
