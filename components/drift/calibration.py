"""The shared rules of every check's verdict: a family-wise error rate split over the checks
(Bonferroni), and a check fires only when it is both significant and large.

A check fires when its p-value is below ALPHA / (number of checks run) AND its effect is at
least the check's floor. The p-value calibrates the threshold to the sample sizes (two samples
of the same data do not fire, whatever the sizes); the floor keeps a real but small difference,
such as reviews of other movies from the same site, from firing (docs/drift.md).
"""
from __future__ import annotations

ALPHA = 0.05  # at most one false alarm in 20 for the verdict as a whole
PERMUTATIONS = 299  # smallest p-value 1/300, below ALPHA / 7


def permutation_p(observed: float, null) -> float:
    """One-sided permutation p-value: (1 + #null >= observed) / (1 + #null)."""
    import numpy as np

    null = np.asarray(null)
    return float((1 + np.sum(null >= observed - 1e-12)) / (1 + len(null)))


def check(name: str, value: float, threshold: float, p_value: float | None, alpha: float, floor: float,
          effect: float, what: str) -> dict:
    """One check's result; `effect` is compared with `floor`, `p_value` with `alpha`."""
    significant = p_value is None or p_value < alpha
    large = effect >= floor
    detected = bool(significant and large)
    if detected:
        why = f"{what} {value:.3g} >= threshold {threshold:.3g}"
    elif not significant:
        why = f"{what} {value:.3g}: within what two samples of the same data give (p={p_value:.2g} >= {alpha:.2g})"
    else:
        why = f"{what} {value:.3g}: significant but below the minimum effect (threshold {threshold:.3g})"
    return {"name": name, "value": float(value), "threshold": float(threshold),
            "p_value": None if p_value is None else float(p_value), "detected": detected, "explanation": why,
            "effect": float(effect), "min_effect": float(floor), "alpha": float(alpha)}
