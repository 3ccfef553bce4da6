"""What the report shows of a comparison: length histograms, the n-grams that gained and lost
most, score histograms (plain lists and dicts, JSON-able)."""
from __future__ import annotations

import numpy as np

LENGTH_EDGES = [0, 25, 50, 100, 150, 200, 300, 400, 600, 1000]  # words; the last bin is open
SCORE_EDGES = [i / 10 for i in range(11)]
TOP = 10
MIN_TEXTS = 5  # an n-gram in fewer texts of both sides together is not listed


def histogram(values: np.ndarray, edges: list[float], open_end: bool) -> list[int]:
    bins = list(edges) + ([np.inf] if open_end else [])
    return [int(c) for c in np.histogram(np.asarray(values, float), bins=bins)[0]]


def length_histograms(ref_words: np.ndarray, cur_words: np.ndarray) -> dict:
    return {"edges": LENGTH_EDGES, "reference": histogram(ref_words, LENGTH_EDGES, True),
            "current": histogram(cur_words, LENGTH_EDGES, True),
            "reference_median": float(np.median(ref_words)), "current_median": float(np.median(cur_words))}


def score_histograms(reference: np.ndarray, current: np.ndarray) -> dict:
    return {"edges": SCORE_EDGES, "reference": histogram(reference, SCORE_EDGES, False),
            "current": histogram(current, SCORE_EDGES, False)}


def ngram_shifts(counts, vocabulary: np.ndarray, n_ref: int) -> dict:
    """The n-grams whose share of texts rose (gained) and fell (lost) most, current vs reference."""
    present = counts.tocsr().copy()
    present.data[:] = 1
    ref = np.asarray(present[:n_ref].sum(axis=0)).ravel()
    cur = np.asarray(present[n_ref:].sum(axis=0)).ravel()
    n_cur = counts.shape[0] - n_ref
    diff = cur / max(n_cur, 1) - ref / max(n_ref, 1)
    diff[(ref + cur) < MIN_TEXTS] = 0.0
    row = lambda i: {"ngram": str(vocabulary[i]), "reference": round(float(ref[i] / n_ref), 4),  # noqa: E731
                     "current": round(float(cur[i] / n_cur), 4)}
    order = np.argsort(diff, kind="stable")
    return {"gained": [row(i) for i in order[::-1][:TOP] if diff[i] > 0],
            "lost": [row(i) for i in order[:TOP] if diff[i] < 0]}
