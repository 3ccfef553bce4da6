"""components.trainer.sparse_products: X w and X^T r block by block."""
import numpy as np
import pytest
import scipy.sparse as sp

from components.trainer.sparse_products import BlockProducts


def transposed(rows: int = 300, columns: int = 50, seed: int = 0) -> sp.csr_matrix:
    """X^T as lbfgs.fit holds it: CSR, float64, int32 indices, rows of very unequal lengths."""
    rng = np.random.default_rng(seed)
    dense = (rng.random((rows, columns)) < rng.random((rows, 1)) ** 3) * rng.normal(size=(rows, columns))
    return sp.csr_matrix(dense)


@pytest.mark.parametrize("blocks,threads", [(1, 1), (4, 1), (4, 2), (3, 4), (7, 2)])
def test_the_products_are_scipys(blocks, threads):
    xt = transposed()
    rng = np.random.default_rng(1)
    w, r = rng.normal(size=xt.shape[0]), rng.normal(size=xt.shape[1])
    products = BlockProducts(xt, blocks=blocks, threads=threads)
    try:
        np.testing.assert_allclose(products.times(w), xt.T @ w, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(products.transposed_times(r), xt @ r, rtol=1e-12, atol=1e-12)
    finally:
        products.close()
    assert len(products.blocks) == min(blocks, xt.shape[0])
    # the blocks are views of the matrix's entries, of about equal size
    assert all(np.shares_memory(block.data, xt.data) and np.shares_memory(block.indices, xt.indices)
               for block in products.blocks + products.transposed)
    sizes = [block.nnz for block in products.blocks]
    assert sum(sizes) == xt.nnz and max(sizes) - min(sizes) <= 2 * xt.getnnz(axis=1).max()


def test_a_matrix_without_entries():
    xt = sp.csr_matrix((1, 5))
    products = BlockProducts(xt, threads=2)
    try:
        assert np.array_equal(products.times(np.ones(1)), np.zeros(5))
        assert np.array_equal(products.transposed_times(np.ones(5)), np.zeros(1))
    finally:
        products.close()


def test_the_same_sums_whatever_the_threads():
    xt = transposed(2000, 400, seed=3)
    w = np.random.default_rng(2).normal(size=xt.shape[0])
    results = []
    for threads in (1, 2, 4):
        products = BlockProducts(xt, threads=threads)
        results.append(products.times(w))
        products.close()
    assert all(np.array_equal(results[0], other) for other in results[1:])
