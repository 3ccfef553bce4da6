"""The model's own scores (black-box shift detection): a two-sample Kolmogorov-Smirnov test of
the model in service's P(positive) on both sides, with a minimum KS statistic."""
from __future__ import annotations

import numpy as np

from components.drift.calibration import check

SCORES_FLOOR = 0.10


def model_scores(reference: np.ndarray, current: np.ndarray, alpha: float) -> dict:
    from scipy import stats

    result = stats.ks_2samp(np.asarray(reference, float), np.asarray(current, float))
    return check("model_scores", result.statistic, SCORES_FLOOR, float(result.pvalue), alpha, SCORES_FLOOR,
                 result.statistic, "the model's score distribution gap (KS)")
