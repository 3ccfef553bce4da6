"""The domain classifier, as Evidently does for text: a tf-idf word 1-2-gram logistic regression
that tries to tell the reference texts from the current ones. Its cross-validated ROC AUC is
0.5 when it cannot.

The p-value is the permutation distribution of the AUC given the out-of-fold scores (the
Mann-Whitney U test: every assignment of the "current" tag to the scored texts equally
likely). Cross-validated AUCs sit slightly below 0.5 on same-data samples, so this is
conservative. A fixed minimum AUC keeps other movies from the same site (AUC ~0.56) from
firing (docs/drift.md).

Its features are the n-grams of at least MIN_DF_SHARE of the texts compared (1%; at least 2):
an n-gram of a few texts is mostly a name (a film's title, its actors, its characters) of the
few films that a sample holds several reviews of, and cross-validation puts reviews of the same
film on both sides of a fold, so with rare n-grams the classifier learns which films each sample
has, not how its language differs. Spans of other films told apart at AUC 0.68-0.69 with
n-grams of 2 texts or more, 2,000 texts a side, against 0.54-0.57 with 1% (the AUC of two
samples of the same spans: 0.42-0.46; train against test 0.57 and 0.53).
"""
from __future__ import annotations

import numpy as np

from components.drift.calibration import check

AUC_FLOOR = 0.65
FOLDS = 5
MIN_DF_SHARE, MIN_DF = 0.01, 2  # n-grams in fewer texts than the larger of these are no feature


def tfidf(counts):
    """Sublinear tf-idf, l2-normalised rows, of a [texts, n-grams] count matrix (n-grams in at
    least MIN_DF_SHARE of the texts, and at least MIN_DF)."""
    from sklearn.feature_extraction.text import TfidfTransformer

    counts = counts.tocsc()
    least = max(MIN_DF, int(np.ceil(MIN_DF_SHARE * counts.shape[0])))
    keep = np.flatnonzero(np.diff(counts.indptr) >= least)  # texts holding each n-gram
    return TfidfTransformer(sublinear_tf=True).fit_transform(counts[:, keep].tocsr())


def out_of_fold_scores(x, y: np.ndarray, seed: int) -> np.ndarray:
    """The classifier's out-of-fold decision value (higher = more like the current side)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    return cross_val_predict(LogisticRegression(C=1.0, solver="liblinear"), x, y, cv=folds,
                             method="decision_function")


def domain_classifier(counts, n_ref: int, alpha: float, seed: int) -> dict:
    """The check on a [texts, n-grams] count matrix whose first `n_ref` rows are the reference's."""
    from scipy import stats

    y = np.r_[np.zeros(n_ref, int), np.ones(counts.shape[0] - n_ref, int)]
    scores = out_of_fold_scores(tfidf(counts), y, seed)
    n1, n0 = int(y.sum()), n_ref
    u = stats.mannwhitneyu(scores[y == 1], scores[y == 0], alternative="greater")
    auc = float(u.statistic / (n1 * n0))
    # The AUC that p = alpha needs (normal approximation of U under the null).
    critical = 0.5 + stats.norm.isf(alpha) * np.sqrt((n0 + n1 + 1) / (12.0 * n0 * n1))
    return check("domain_classifier", auc, max(critical, AUC_FLOOR), float(u.pvalue), alpha, AUC_FLOOR, auc,
                 "a classifier tells the sides apart at cross-validated ROC AUC")
