"""Fitting a wide (NB logistic regression) model to convergence with full-batch L-BFGS.

The wide model is linear in its n-gram features: logit = b + sum_i w_i r_i x_i over the
review's distinct kept n-grams (x_i = 1). Its whole train split fits in memory as a sparse
matrix (22,420 reviews x ~500k n-grams, ~15 million entries; the best preset's sentence model:
~780,000 sentences x 1.3 million n-grams kept), so instead of a thousand Adam
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
import pandas as pd
import scipy.optimize
import scipy.sparse as sp
import tensorflow as tf

from components import features
from components.trainer.sparse_products import BlockProducts


@dataclasses.dataclass
class SparseRows:
    """A finite dataset's n-gram ids as one sparse binary matrix (rows = examples, columns =
    the distinct ids, `keys`, sorted) with each row's label."""

    matrix: sp.csr_matrix
    keys: np.ndarray
    labels: np.ndarray

    @classmethod
    def collect(cls, dataset: tf.data.Dataset, min_count: int = 1) -> "SparseRows":
        """From ({NGRAMS: SparseTensor [batch, None] of distinct ids}, label) batches; only the
        ids that at least `min_count` rows contain are columns (the others are dropped from
        the rows).

        Built as CSR directly (a SparseTensor's indices are in row order), with int32 column
        indices, and each intermediate freed as soon as it is used: the best preset's sentence
        model has tens of millions of (sentence, n-gram) entries and millions of distinct ids,
        of which the min-count cut keeps a tenth (docs/results.md)."""
        counts, ids, labels = [], [], []
        for batch, label in dataset:
            sparse = batch[features.NGRAMS]
            labels.append(label.numpy().reshape(-1))
            counts.append(np.bincount(sparse.indices[:, 0].numpy(), minlength=labels[-1].size))
            values = sparse.values.numpy()
            # hashed ids are below 2^32: held as uint32, half the memory (any other id stays int64)
            ids.append(values.astype(np.uint32) if values.size and 0 <= values.min() and values.max() < 2**32
                       else values)
        if not labels:
            return cls(sp.csr_matrix((0, 0), dtype=np.float32), np.zeros(0, np.int64), np.zeros(0))
        values = np.concatenate(ids)
        del ids
        keys, columns, found = kept_codes(values, min_count)
        del values
        per_row = np.concatenate(counts)
        if not found.all():  # entries of ids below the cut: each row's count of the rest, compacted in place
            ends = np.cumsum(per_row)
            kept_before = np.zeros(found.size + 1, columns.dtype)
            np.cumsum(found, out=kept_before[1:])
            per_row = kept_before[ends] - kept_before[ends - per_row]
            del kept_before
            columns = compact(columns, found)
        del found
        # one index dtype for indices and indptr, or scipy copies the indices to int64
        indptr = np.zeros(per_row.size + 1, columns.dtype)
        np.cumsum(per_row, out=indptr[1:])
        matrix = sp.csr_matrix((np.ones(columns.size, np.float32), columns, indptr), shape=(per_row.size, keys.size))
        return cls(matrix, keys.astype(np.int64), np.concatenate(labels).astype(np.float64))

    def review_counts(self, positive_threshold: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
        """(positive, negative) count of the rows that contain each key (two products of the
        transposed matrix, a view, with a vector: no copy of the matrix)."""
        # vectors of the matrix's dtype (float32: counts exact below 2^24), or scipy upcasts a copy
        positive = (self.labels > positive_threshold).astype(self.matrix.dtype)
        pos = self.matrix.T @ positive
        total = self.matrix.T @ np.ones(self.labels.size, self.matrix.dtype)
        return pos, total - pos


def compact(values: np.ndarray, keep: np.ndarray, step: int = 1 << 22) -> np.ndarray:
    """values[keep], written over the front of `values` chunk by chunk (a view of it: no second
    array of tens of millions of entries)."""
    end = 0
    for start in range(0, values.size, step):
        chunk = values[start:start + step][keep[start:start + step]]
        values[end:end + chunk.size] = chunk
        end += chunk.size
    return values[:end]


def kept_codes(values: np.ndarray, min_count: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(the distinct values that occur at least `min_count` times, sorted; each value's index
    among them; whether it is among them). The kept keys from a sorted copy (frequent_values),
    then each chunk of values looked up in a hash table of the kept keys only (pandas' Index: one
    probe a value, where a binary search of the sentence model's 1.3 million keys takes ~20;
    scripts/benchmark_kept_codes.py); int32 indices. About 8 bytes an id at the peak besides the
    ids themselves (that script, on the review model's ids: 8.4, against 14.5 for np.unique's
    counts and a binary search; np.unique's inverse or pandas' factorize of all the ids take
    twice as much), which decides the best preset's peak memory (docs/results.md)."""
    keys = frequent_values(values, min_count)
    columns = np.zeros(values.size, np.int32 if keys.size < 2**31 else np.int64)
    found = np.zeros(values.size, bool)
    if keys.size:
        index = pd.Index(keys)
        step = 1 << 20  # each chunk's lookup makes ~25 bytes an id of temporaries
        for start in range(0, values.size, step):
            position = index.get_indexer(values[start:start + step])  # -1: not a kept key
            hit = position >= 0
            columns[start:start + step] = np.where(hit, position, 0)
            found[start:start + step] = hit
    return keys, columns, found


def frequent_values(values: np.ndarray, min_count: int = 1) -> np.ndarray:
    """The sorted distinct values that occur at least `min_count` times: in a sorted copy (sorted
    in place, no second buffer), a run of at least m equal values starts at i when i starts a run
    and the value m - 1 places on is the same; two boolean masks, no counts."""
    ordered = np.array(values, copy=True)
    ordered.sort()
    m = max(1, int(min_count))
    if ordered.size < m:
        return ordered[:0]
    starts = np.empty(ordered.size, bool)
    starts[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    last = ordered.size - m + 1  # a run of m must start before this
    candidates = starts[:last]
    del starts  # (candidates is a view of it)
    if m > 1:
        candidates &= ordered[m - 1:] == ordered[:last]
    return ordered[:last][candidates]


def fit(features_matrix: sp.spmatrix, labels: np.ndarray, l2: float, *, regression: bool = False,
        offset: float = 0.0, max_iterations: int = 1000, tolerance: float = 1e-7,
        transposed: bool = False, initial: np.ndarray | None = None) -> tuple[np.ndarray, float, dict]:
    """(w, b, info) minimising the mean loss of `features_matrix @ w + b + offset` against
    `labels` plus l2 * |w|^2 (b is not penalised). Classification: log loss of sigmoid(logit)
    with labels in {0, 1}; regression: squared error. `transposed`: the matrix given is X^T.
    `initial`: the starting (w, b) as one vector (a warm start), else zeros.

    Only X^T is held, as CSR (12 bytes an entry): X^T r gathers along its rows, and X w is the
    product of its CSC view, which scatters into the n-vector of examples (a few MB, in cache):
    half the memory of X and a copy of X^T. Each product runs in blocks on every core
    (sparse_products.py); their times: scripts/benchmark_lbfgs_products.py, docs/results.md."""
    xt = (features_matrix if transposed else features_matrix.T).tocsr().astype(np.float64, copy=False)
    y = np.asarray(labels, np.float64)
    d, n = xt.shape
    products = BlockProducts(xt)  # both products on every core (sparse_products.py)

    def loss_and_gradient(params):
        w, b = params[:d], params[d]
        z = products.times(w) + b + offset
        if regression:
            error = z - y
            loss, residual = np.mean(error ** 2), 2.0 * error / n
        else:
            # log(1 + e^z) - y z, stably; its derivative sigmoid(z) - y
            loss = np.mean(np.logaddexp(0.0, z) - y * z)
            residual = (0.5 * (1.0 + np.tanh(0.5 * z)) - y) / n
        gradient = np.empty(d + 1)
        gradient[:d] = products.transposed_times(residual) + 2.0 * l2 * w
        gradient[d] = residual.sum()
        return loss + l2 * float(w @ w), gradient

    start = np.zeros(d + 1) if initial is None else np.asarray(initial, np.float64).reshape(d + 1)
    try:
        result = scipy.optimize.minimize(loss_and_gradient, start, jac=True, method="L-BFGS-B",
                                         options={"maxiter": int(max_iterations), "ftol": tolerance, "gtol": tolerance})
    finally:
        products.close()
    info = {"iterations": int(result.nit), "loss": float(result.fun), "converged": bool(result.success),
            "message": str(result.message)}
    return result.x[:d].astype(np.float32), float(result.x[d]), info
