"""Benchmark: the n-gram model's L-BFGS fit warm-started from the previous window's weights,
against a cold fit, on the spans of scripts/make_spans.py (no pipeline: the fit alone).

    .venv/bin/python scripts/benchmark_warm_lbfgs.py --output /tmp/warmstart/warm_lbfgs.json

Window A = spans 1..3, window B = spans 2..4 (two spans shared, as `--window 3` one span on).
Features: word 1-3-grams hashed into 2^22 columns (scikit-learn's HashingVectorizer, binary,
lower case, `<br />` removed: an approximation of Transform's hashed n-gram ids), the ids that at
least 3 reviews of the window contain, naive-Bayes ratios counted on the window; the fit is the
Trainer's (components/trainer/lbfgs.py: fit on (X diag(r)), l2 2.2e-4, the best preset's).
Cold: B from zeros, up to 1,000 iterations. Warm: B from A's weights mapped by id
(warm_start.map_by_keys), up to 250 iterations (warm_start_fraction 0.25). Test accuracy on the
official test set (in every span).
"""
from __future__ import annotations

import argparse
import glob
import os
import sys
import time

import numpy as np
import scipy.sparse

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from json_report import print_report  # noqa: E402
from make_spans import DEFAULT_DIR  # noqa: E402


def read(folder: str) -> tuple[list[str], np.ndarray]:
    texts, labels = [], []
    for label, value in (("pos", 1), ("neg", 0)):
        for path in sorted(glob.glob(os.path.join(folder, label, "*.txt"))):
            with open(path, encoding="utf-8") as f:
                texts.append(f.read().replace("<br />", " "))
            labels.append(value)
    return texts, np.asarray(labels, np.float64)


def window_matrix(vectorizer, spans_dir: str, spans) -> tuple:
    texts, labels = [], []
    for n in spans:
        t, y = read(os.path.join(spans_dir, f"span-{n}", "train"))
        texts += t
        labels.append(y)
    x = vectorizer.transform(texts).tocsc()
    return x, np.concatenate(labels)


def fit_window(x, y, min_count: int, l2: float, initial_keys=None, initial_w=None, initial_b=0.0,
               max_iterations: int = 1000):
    """(kept column ids, w, b, info, seconds) of the Trainer's fit on the window."""
    from components.trainer import lbfgs, warm_start
    from components.trainer.naive_bayes import log_count_ratios

    counts = np.asarray((x > 0).sum(axis=0)).ravel()
    keys = np.flatnonzero(counts >= min_count)
    kept = x[:, keys].tocsr()
    pos = np.asarray(kept[y > 0.5].sum(axis=0)).ravel()
    neg = np.asarray(kept[y <= 0.5].sum(axis=0)).ravel()
    r = log_count_ratios(pos, neg)
    scaled = kept @ scipy.sparse.diags(r)
    initial = None
    if initial_keys is not None:
        initial = np.append(warm_start.map_by_keys(initial_keys, initial_w, keys), initial_b)
    start = time.time()
    w, b, info = lbfgs.fit(scaled, y, l2, max_iterations=max_iterations, initial=initial)
    return keys, r, w, b, info, time.time() - start


def main(argv=None) -> int:
    from sklearn.feature_extraction.text import HashingVectorizer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spans-dir", default=DEFAULT_DIR)
    parser.add_argument("--output", default=None)
    parser.add_argument("--l2", type=float, default=2.2e-4)
    parser.add_argument("--fraction", type=float, default=0.25)
    args = parser.parse_args(argv)
    vectorizer = HashingVectorizer(ngram_range=(1, 3), n_features=2**22, binary=True, norm=None,
                                   alternate_sign=False, dtype=np.float32)
    report = {"command": " ".join([os.path.basename(sys.executable), *sys.argv]),
              "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "load_avg_before": os.getloadavg()}
    test_texts, test_labels = read(os.path.join(args.spans_dir, "span-1", "test"))
    x_test = vectorizer.transform(test_texts).tocsc()
    x_a, y_a = window_matrix(vectorizer, args.spans_dir, (1, 2, 3))
    x_b, y_b = window_matrix(vectorizer, args.spans_dir, (2, 3, 4))

    def test_accuracy(keys, r, w, b):
        logits = x_test[:, keys] @ (w.astype(np.float64) * r) + b
        return round(float(np.mean((logits > 0) == (test_labels > 0.5))), 5)

    keys_a, r_a, w_a, b_a, info_a, s_a = fit_window(x_a, y_a, 3, args.l2)
    report["window_A"] = {"spans": [1, 2, 3], "iterations": info_a["iterations"], "fit_s": round(s_a, 1),
                          "test_accuracy": test_accuracy(keys_a, r_a, w_a, b_a)}
    keys, r, w, b, info, seconds = fit_window(x_b, y_b, 3, args.l2)
    report["cold_B"] = {"spans": [2, 3, 4], "iterations": info["iterations"], "converged": info["converged"],
                        "fit_s": round(seconds, 1), "test_accuracy": test_accuracy(keys, r, w, b)}
    keys, r, w, b, info, seconds = fit_window(x_b, y_b, 3, args.l2, keys_a, w_a, b_a,
                                              max_iterations=int(1000 * args.fraction))
    report["warm_B"] = {"spans": [2, 3, 4], "iterations": info["iterations"], "converged": info["converged"],
                        "fit_s": round(seconds, 1), "test_accuracy": test_accuracy(keys, r, w, b)}
    report["warm-cold_points"] = round(100 * (report["warm_B"]["test_accuracy"] - report["cold_B"]["test_accuracy"]), 2)
    report["fit_warm/cold"] = round(report["warm_B"]["fit_s"] / report["cold_B"]["fit_s"], 3)
    report["load_avg_after"] = os.getloadavg()
    print_report(report, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
