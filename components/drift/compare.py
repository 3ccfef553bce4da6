"""compare_samples: every drift check of a current sample against a reference, and one verdict.

The verdict fires when any check does; each check runs at ALPHA / (checks run), so the verdict
as a whole raises at most one false alarm in 20 on two samples of the same data. The text checks
(tokens, domain classifier) see at most MAX_TEXTS texts a side, a deterministic sample; the
others see every text.
"""
from __future__ import annotations

import numpy as np

from components.drift import details, domain, scores, structured, tokens
from components.drift.calibration import ALPHA
from components.drift.sample import TextSample, subsample

MAX_TEXTS = 2000  # per side, for the token and domain-classifier checks (time: docs/drift.md)


ORDER = ("label_prior", "rating", "length", "token_js", "unknown_tokens", "domain_classifier", "model_scores")
# The checks that need a field on both sides: name -> (field, what, is the field usable).
NEEDS = {"label_prior": ("labels", "labels", lambda a: bool(np.all((a == 0) | (a == 1)))),
         "rating": ("ratings", "ratings", lambda a: bool(np.all(a > 0))),
         "model_scores": ("scores", "model scores", lambda a: bool(np.any(np.isfinite(a))))}


def _plan(reference: TextSample, current: TextSample, min_size: int) -> tuple[list[str], list[dict]]:
    """The checks that can run, and the skipped ones with why."""
    run, skipped = [], []
    for name in ORDER:
        if name == "model_scores" and reference.scores is not None and current.scores is not None:
            few = [f"{s.name or side} has {n} scores" for s, side in ((reference, "reference"), (current, "current"))
                   if (n := int(np.isfinite(s.scores).sum())) < min_size]
            if few:
                skipped.append({"name": name, "reason": f"too few model scores: {', '.join(few)}"})
                continue
        if name in NEEDS:
            field, what, usable = NEEDS[name]
            missing = [s.name or side for s, side in ((reference, "reference"), (current, "current"))
                       if getattr(s, field) is None or not usable(getattr(s, field))]
            if missing:
                skipped.append({"name": name, "reason": f"no {what} on {' and '.join(missing)}"})
                continue
        run.append(name)
    return run, skipped


def compare_samples(reference: TextSample, current: TextSample, *, seed: int = 0, min_size: int = 100,
                    max_texts: int = MAX_TEXTS, reference_scores: np.ndarray | None = None) -> dict:
    """The drift checks of `current` against `reference` (the JSON shape: docs/drift.md).

    The model_scores check reads the finite `scores` of each side (NaN: not scored);
    `reference_scores`, when given, replace the reference's: the model's scores on reference
    data it did not train on (its scores on its own training texts are not like for like)."""
    if reference_scores is not None:
        reference = TextSample(reference.texts, reference.labels, reference.ratings, None, reference.name)
        reference.scores = np.asarray(reference_scores, float)  # other texts than reference.texts
    result = {"detected": False, "explanation": "", "insufficient": False,
              "reference": {"name": reference.name, "size": len(reference)},
              "current": {"name": current.name, "size": len(current)},
              "checks": [], "skipped": [], "details": {}}
    small = [f"{s.name or side} has {len(s)} texts" for s, side in ((reference, "reference"), (current, "current"))
             if len(s) < min_size]
    if small:
        result.update(insufficient=True, explanation=f"too little data to judge: {', '.join(small)} "
                                                     f"(at least {min_size} a side)")
        return result
    run, result["skipped"] = _plan(reference, current, min_size)
    alpha = ALPHA / len(run)
    ref_words, cur_words = tokens.word_counts(reference.texts), tokens.word_counts(current.texts)
    ref_text = _texts(reference, max_texts, seed)
    cur_text = _texts(current, max_texts, seed + 1)
    counts, vocabulary = tokens.count_matrix(ref_text + cur_text, ngrams=2)
    unigrams = np.flatnonzero([" " not in v for v in vocabulary])
    n_ref = len(ref_text)
    found = {}
    for name in run:
        if name == "label_prior":
            found[name] = structured.label_prior(reference.labels, current.labels, alpha)
        elif name == "rating":
            found[name] = structured.rating(reference.ratings, current.ratings, alpha)
        elif name == "length":
            found[name] = structured.length_of_counts(ref_words, cur_words, alpha)
        elif name == "token_js":
            words = counts[:, unigrams]
            if words[:n_ref].sum() == 0 or words[n_ref:].sum() == 0:
                result["skipped"] += [{"name": n, "reason": "a side has no tokens (empty texts)"}
                                      for n in ("token_js", "unknown_tokens")]
                continue
            for item in tokens.token_checks(words, n_ref, alpha, seed):
                found[item["name"]] = item
        elif name == "domain_classifier":
            found[name] = domain.domain_classifier(counts, n_ref, alpha, seed)
        elif name == "model_scores":
            found[name] = scores.model_scores(_finite(reference.scores), _finite(current.scores), alpha)
    result["checks"] = [found[name] for name in run if name in found]
    result["details"] = {"alpha_per_check": alpha, "texts_compared": {"reference": n_ref, "current": len(cur_text)},
                         "length": details.length_histograms(ref_words, cur_words),
                         "ngrams": details.ngram_shifts(counts, vocabulary, n_ref)}
    if "model_scores" in found:
        result["details"]["scores"] = details.score_histograms(_finite(reference.scores), _finite(current.scores))
    fired = [c for c in result["checks"] if c["detected"]]
    result["detected"] = bool(fired)
    result["explanation"] = ("; ".join(f"{c['name']}: {c['explanation']}" for c in fired) if fired else
                             f"no check fired ({len(run)} checks at p < {alpha:.3g} each and a minimum effect)")
    return result


def _texts(sample: TextSample, limit: int, seed: int) -> list[str]:
    """At most `limit` of the sample's texts (a deterministic random choice)."""
    return subsample(TextSample(sample.texts, name=sample.name), limit, seed).texts


def _finite(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, float)
    return values[np.isfinite(values)]


def one_line(drift: dict) -> str:
    """The one stderr line of a drift result."""
    if not drift or drift.get("insufficient") or not drift.get("checks"):
        return f"drift: not checked: {drift.get('explanation') or 'nothing to compare with'}"
    where = f"{drift['current']['name'] or 'current'} vs {drift['reference']['name'] or 'reference'}"
    fired = [c for c in drift["checks"] if c["detected"]]
    if fired:
        values = ", ".join(f"{c['name']} {c['value']:.3g} >= {c['threshold']:.3g}" for c in fired)
        return f"drift: detected ({', '.join(c['name'] for c in fired)}) in {where}: {values}"
    return f"drift: none in {where} ({len(drift['checks'])} checks, none fired)"
