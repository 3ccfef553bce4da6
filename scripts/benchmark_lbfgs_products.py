"""The two sparse products of each L-BFGS iteration (components/trainer/lbfgs.py), on a synthetic
matrix of about the best preset's sentence model: X w and X^T r, computed from X (CSR) and a CSR
copy of X^T (what fit held before), from X alone (X^T r by its CSC view), and from X^T alone (X w
by its CSC view: what fit holds), on one thread and in blocks on every core (what fit computes:
components/trainer/sparse_products.py). Prints seconds per product (mean of --repeats) and each
layout's bytes.

    .venv/bin/python scripts/benchmark_lbfgs_products.py [--rows 780000 --columns 2200000 --per-row 45]
"""
import argparse
import json
import time

import os
import sys

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from components.trainer.sparse_products import BlockProducts, cores  # noqa: E402


def seconds(product, repeats):
    product()
    start = time.perf_counter()
    for _ in range(repeats):
        product()
    return round((time.perf_counter() - start) / repeats, 3)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=780_000)
    parser.add_argument("--columns", type=int, default=2_200_000)
    parser.add_argument("--per-row", type=int, default=45, help="entries a row (n-grams a sentence)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    n, d, per = args.rows, args.columns, args.per_row
    indptr = np.arange(0, n * per + 1, per, dtype=np.int32)
    indices = (rng.zipf(1.2, n * per) % d).astype(np.int32)  # a few frequent n-grams, a long tail
    x = sp.csr_matrix((np.ones(n * per), indices, indptr), shape=(n, d))
    xt = x.T.tocsr()
    w, r = rng.random(d), rng.random(n)
    blocks = BlockProducts(xt)
    nbytes = {"X": x.data.nbytes + x.indices.nbytes, "X^T": xt.data.nbytes + xt.indices.nbytes}
    print(json.dumps({
        "entries": int(x.nnz), "shape": [n, d],
        "X and a copy of X^T": {"Xw": seconds(lambda: x @ w, args.repeats),
                                "XTr": seconds(lambda: xt @ r, args.repeats), "bytes": nbytes["X"] + nbytes["X^T"]},
        "X alone": {"Xw": seconds(lambda: x @ w, args.repeats), "XTr": seconds(lambda: x.T @ r, args.repeats),
                    "bytes": nbytes["X"]},
        "X^T alone, one thread": {"Xw": seconds(lambda: xt.T @ w, args.repeats),
                                  "XTr": seconds(lambda: xt @ r, args.repeats), "bytes": nbytes["X^T"]},
        f"X^T alone, in blocks on {cores()} cores (fit)": {"Xw": seconds(lambda: blocks.times(w), args.repeats),
                                                          "XTr": seconds(lambda: blocks.transposed_times(r), args.repeats),
                                                          "bytes": nbytes["X^T"]},
    }, indent=1))
    blocks.close()


if __name__ == "__main__":
    main()
