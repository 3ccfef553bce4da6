"""The structured features' checks: label prior, rating and length.

The distances are the ones TFDV's comparators compute (L-infinity distance of a categorical
feature's value shares; for length, the largest gap between the two cumulative distributions,
which is the two-sample Kolmogorov-Smirnov statistic). TFDV answers only "above a fixed
threshold or not", without a p-value, so the significance comes from scipy: a chi-squared test
of the contingency table (label, rating), the KS test (length). Why not TFDV: docs/drift.md.
"""
from __future__ import annotations

import numpy as np

from components.drift.calibration import check
from components.drift.tokens import word_counts

LABEL_FLOOR = 0.10  # L-infinity: a 10-point move of the positive share
RATING_FLOOR = 0.10  # L-infinity: one rating's share moves by 10 points
LENGTH_FLOOR = 0.10  # KS statistic on the length in words


def _categorical(name: str, reference: np.ndarray, current: np.ndarray, alpha: float, floor: float,
                 what: str) -> dict:
    from scipy import stats

    values = np.union1d(reference, current)
    ref = np.array([np.sum(reference == v) for v in values], dtype=float)
    cur = np.array([np.sum(current == v) for v in values], dtype=float)
    linf = float(np.max(np.abs(ref / ref.sum() - cur / cur.sum())))
    if len(values) < 2:
        p = 1.0
    else:
        keep = (ref + cur) > 0
        p = float(stats.chi2_contingency(np.stack([ref[keep], cur[keep]]))[1])
    return check(name, linf, floor, p, alpha, floor, linf, what)


def label_prior(reference: np.ndarray, current: np.ndarray, alpha: float) -> dict:
    """L-infinity distance of the label shares (the positive share's move), chi-squared p."""
    return _categorical("label_prior", np.asarray(reference).astype(int), np.asarray(current).astype(int),
                        alpha, LABEL_FLOOR, "label shares moved by (L-infinity)")


def rating(reference: np.ndarray, current: np.ndarray, alpha: float) -> dict:
    """L-infinity distance of the rating shares (1-10; 0 = none), chi-squared p."""
    return _categorical("rating", np.asarray(reference).astype(int), np.asarray(current).astype(int),
                        alpha, RATING_FLOOR, "rating shares moved by (L-infinity)")


def length(reference: list[str], current: list[str], alpha: float) -> dict:
    """Two-sample KS on the length in words (after the product's cleaning)."""
    return length_of_counts(word_counts(reference), word_counts(current), alpha)


def length_of_counts(ref: np.ndarray, cur: np.ndarray, alpha: float) -> dict:
    """The length check on the two sides' word counts."""
    from scipy import stats

    result = stats.ks_2samp(ref, cur)
    return check("length", result.statistic, LENGTH_FLOOR, float(result.pvalue), alpha, LENGTH_FLOOR,
                 result.statistic, "length distribution gap (KS)")
