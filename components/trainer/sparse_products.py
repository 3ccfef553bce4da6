"""The two products of an L-BFGS iteration, X w and X^T r, on every core.

lbfgs.fit holds X^T as CSR. Here it is cut into BLOCKS blocks of rows (n-grams) of about equal
entries, each a CSR matrix over the same arrays (views: no copy of the entries; a new index
pointer of its rows only), and each product runs block by block on a thread pool: scipy's sparse
kernels release the GIL, so the blocks' products run at once, one a core. X^T r is the blocks'
products one after the other; X w the sum of each block's transposed product with its part of
w, in block order. The number of blocks is fixed, whatever the cores, so a fit's sums are added
in the same order on every machine. On 2 cores, the best preset's sentence model (a synthetic
matrix of its size): 0.59x the time of each product on one thread (docs/results.md).
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp

BLOCKS = 4


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def over(kind, arrays: tuple, shape: tuple):
    """A scipy CSR or CSC matrix (`kind`) over (data, indices, indptr) as they are. scipy's
    constructor copies an array that is a view of less than half of another (its format check's
    _prune_array), which a block's entries are, and so would `.T` at every product."""
    matrix = kind(shape, dtype=arrays[0].dtype)
    matrix.data, matrix.indices, matrix.indptr = arrays
    return matrix


class BlockProducts:
    """X w and X^T r for X^T given as CSR, block by block on min(BLOCKS, cores) threads until
    close()."""

    def __init__(self, xt: sp.csr_matrix, blocks: int = BLOCKS, threads: int | None = None):
        self.shape = xt.shape
        ends = np.searchsorted(xt.indptr, np.linspace(0, xt.nnz, blocks + 1)[1:-1]).tolist()
        bounds = [0, *ends, xt.shape[0]]
        self.rows = [(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
        arrays = [(xt.data[xt.indptr[a]:xt.indptr[b]], xt.indices[xt.indptr[a]:xt.indptr[b]],
                   xt.indptr[a:b + 1] - xt.indptr[a]) for a, b in self.rows]
        self.blocks = [over(sp.csr_matrix, parts, (b - a, xt.shape[1])) for parts, (a, b) in zip(arrays, self.rows)]
        self.transposed = [over(sp.csc_matrix, parts, (xt.shape[1], b - a)) for parts, (a, b) in zip(arrays, self.rows)]
        workers = min(len(self.blocks), threads or cores())
        self.pool = ThreadPoolExecutor(workers) if workers > 1 else None

    def _map(self, function, *arguments):
        if self.pool is None:
            return [function(*args) for args in zip(*arguments)]
        return list(self.pool.map(function, *arguments))

    def transposed_times(self, r: np.ndarray) -> np.ndarray:
        """X^T r: [d]."""
        if not self.blocks:
            return np.zeros(self.shape[0])
        return np.concatenate(self._map(lambda block: block @ r, self.blocks))

    def times(self, w: np.ndarray) -> np.ndarray:
        """X w: [n]."""
        parts = self._map(lambda block, rows: block @ w[rows[0]:rows[1]], self.transposed, self.rows)
        if not parts:
            return np.zeros(self.shape[1])
        total = parts[0]
        for part in parts[1:]:
            total += part
        return total

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
