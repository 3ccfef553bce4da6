"""The token distribution's checks: Jensen-Shannon divergence of the two sides' token
frequencies, and the share of the current side's tokens the reference vocabulary does not know.

Tokens are the product's (components/transform/text_features.tokenize, here in Python's re,
ASCII `\\w` as TensorFlow's RE2): the text cleaned as Transform cleans it, lowercased, each
character other than a word character or an apostrophe its own token. Both statistics grow
as samples shrink (fewer texts, more words seen on one side only), so each is compared with
its permutation distribution (texts shuffled between the sides, sizes kept) and must exceed
that distribution's mean by a floor (docs/drift.md).
"""
from __future__ import annotations

import re

import numpy as np

from components.drift.calibration import PERMUTATIONS, check, permutation_p
from components.snippets import clean

JS_FLOOR = 0.02  # bits of JS divergence above what shuffled sides give
UNKNOWN_FLOOR = 0.01  # share of current tokens (1 point) above what shuffled sides give
# A run of word characters (ASCII, as RE2's \w) and apostrophes, or any other non-space character.
_TOKEN = re.compile(r"[A-Za-z0-9_']+|[^\sA-Za-z0-9_']")


def tokenize(text: str) -> list[str]:
    """The product's tokens of one raw review (text_features.tokenize: lowercased, each
    character other than a word character or an apostrophe its own token)."""
    return _TOKEN.findall(clean(text).lower())


def word_counts(texts: list[str]) -> np.ndarray:
    """Each text's length in words (runs of non-space after cleaning), as Transform counts."""
    return np.array([len(clean(t).split()) for t in texts], dtype=float)


def count_matrix(texts: list[str], ngrams: int = 1):
    """Token 1..`ngrams`-gram counts (ngrams 1 or 2): a sparse [texts, vocabulary] matrix and the
    vocabulary (a bigram's tokens joined by a space; tokens hold no space). A dictionary pass,
    several times faster than scikit-learn's CountVectorizer, whose sorted vocabulary and
    per-feature Python work are not needed here."""
    from scipy import sparse

    index, rows, ids = {}, [], []
    for row, text in enumerate(texts):
        words = tokenize(text)
        grams = words + [f"{a} {b}" for a, b in zip(words, words[1:])] if ngrams > 1 else words
        ids.extend([index.setdefault(g, len(index)) for g in grams])
        rows.extend([row] * len(grams))
    matrix = sparse.csr_matrix((np.ones(len(ids)), (np.array(rows, dtype=np.int64), np.array(ids, dtype=np.int64))),
                               shape=(len(texts), len(index)))
    matrix.sum_duplicates()
    return matrix, np.array(list(index), dtype=object)


def _js_bits(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """JS divergence (base 2) between the rows of count arrays a and b: [rows]."""
    p = a / a.sum(axis=-1, keepdims=True)
    q = b / b.sum(axis=-1, keepdims=True)
    m = (p + q) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        kp = np.where(p > 0, p * np.log2(p / m), 0.0)
        kq = np.where(q > 0, q * np.log2(q / m), 0.0)
    return 0.5 * kp.sum(axis=-1) + 0.5 * kq.sum(axis=-1)


def _unknown(ref: np.ndarray, cur: np.ndarray) -> np.ndarray:
    return (cur * (ref == 0)).sum(axis=-1) / cur.sum(axis=-1)


def _side_counts(matrix, masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Token counts of the reference (mask True) and current sides for each row of `masks`."""
    ref = (matrix.T @ masks.T.astype(np.float64)).T
    return ref, np.asarray(matrix.sum(axis=0)).ravel()[None, :] - ref


def token_checks(matrix, n_ref: int, alpha: float, seed: int) -> list[dict]:
    """The JS divergence and unknown-token checks on a [texts, tokens] count matrix whose first
    `n_ref` rows are the reference's, sharing one set of permutations."""
    matrix = matrix.tocsc()
    n = matrix.shape[0]
    observed = np.zeros((1, n), bool)
    observed[0, :n_ref] = True
    rng = np.random.default_rng(seed)
    masks = np.zeros((PERMUTATIONS, n), bool)
    for row in masks:
        row[rng.choice(n, size=n_ref, replace=False)] = True
    results = []
    for name, statistic, floor, what in (
            ("token_js", _js_bits, JS_FLOOR, "token frequencies' JS divergence (bits)"),
            ("unknown_tokens", _unknown, UNKNOWN_FLOOR, "share of current tokens unknown to the reference")):
        ref, cur = _side_counts(matrix, observed)
        value = float(statistic(ref, cur)[0])
        null = np.concatenate([statistic(*_side_counts(matrix, chunk)) for chunk in np.array_split(masks, 6)])
        p = permutation_p(value, null)
        threshold = max(float(np.quantile(null, 1 - alpha)), float(null.mean()) + floor)
        results.append(check(name, value, threshold, p, alpha, floor, value - float(null.mean()), what))
    return results
