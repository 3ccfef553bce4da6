"""The drift checks of a window of served traffic against the training data of the version
that answered it (components.drift.compare_samples: the same checks, thresholds and JSON as a
run's drift checks between spans).

Current side: the logged texts, each distinct text once (see `distinct`), and the model's
logged probabilities as their scores (no labels or ratings: nobody has labelled served
traffic). Reference side: the Examples the Trainer read (its window's, app/monitor/lineage.py).
The model-scores check compares like with like, so the reference's scores are
the model's on data it did not train on: the reference is the eval split, scored with the
pushed SavedModel's predict_text (at most REFERENCE_LIMIT texts, a deterministic sample).
When the eval split is too small to judge on (fewer than min_size texts), the reference is
the train and eval splits, without scores: the model's scores on its own training texts are
not comparable with served ones, so that check is skipped, with that reason.
"""
from __future__ import annotations

import numpy as np

from components import features
from app.monitor.lineage import Trained
from app.monitor.window import Prediction

REFERENCE_LIMIT = 2000  # reference texts (scoring them is the model's work: ~1-3 s on 2 cores)


def distinct(predictions: list[Prediction]) -> list[Prediction]:
    """One prediction per distinct text (the first): a text asked again and again would otherwise
    sit on both sides of the domain classifier's cross-validation folds, which then tells the
    samples apart by memory (2,000 test reviews cycled to 10,000 requests: AUC 0.78 against 0.5-0.6
    once each), and weigh the other checks by repetition, not by what is asked."""
    seen = {}
    for p in predictions:
        seen.setdefault(p.text, p)
    return list(seen.values())


def current_sample(predictions: list[Prediction], name: str):
    from components.drift import TextSample

    return TextSample([p.text for p in predictions], scores=np.array([p.probability for p in predictions]),
                      name=name)


def model_scores(saved_model: str, texts: list[str]) -> np.ndarray:
    """The SavedModel's predict_text probabilities (what the server answered with)."""
    from components.serving.served_model import ServedModel

    return ServedModel.load(saved_model).probabilities(texts)


def reference_sample(trained: Trained, min_size: int, seed: int = 0, limit: int = REFERENCE_LIMIT):
    """(TextSample, why model_scores has no reference scores or None)."""
    from components.drift import TextSample, sample_from_examples

    if features.EVAL_SPLIT in trained.splits:
        held_out = sample_from_examples(trained.examples_uris, [features.EVAL_SPLIT], "", limit, seed)
        if len(held_out) >= min_size:
            saved_model = trained.saved_model()
            name = f"version {trained.version}'s training data (eval split, {len(held_out)} reviews)"
            if saved_model is None:
                return (TextSample(held_out.texts, held_out.labels, held_out.ratings, name=name),
                        f"the pushed SavedModel of version {trained.version} is gone ({trained.destination}, "
                        f"{trained.pushed_uri}): nothing to score the reference with")
            return (TextSample(held_out.texts, held_out.labels, held_out.ratings,
                               model_scores(saved_model, held_out.texts), name), None)
        why = (f"the eval split has {len(held_out)} reviews, fewer than {min_size}: the reference is the train "
               "and eval splits, and the model's scores on the texts it trained on are not comparable with its "
               "scores on served ones")
    else:
        why = "the training data has no eval split: no held-out texts to score"
    splits = [s for s in (features.TRAIN_SPLIT, features.EVAL_SPLIT) if s in trained.splits] or [features.TRAIN_SPLIT]
    sample = sample_from_examples(trained.examples_uris, splits, "", limit, seed)
    name = f"version {trained.version}'s training data ({' and '.join(splits)} splits, {len(sample)} reviews)"
    return TextSample(sample.texts, sample.labels, sample.ratings, name=name), why


def compare(trained: Trained, predictions: list[Prediction], current_name: str, min_size: int, seed: int = 0,
            seconds: dict | None = None) -> dict:
    """The "drift" dict (components/drift's JSON) of the window against the version's training data;
    the time of each step goes into `seconds`."""
    import time

    from components.drift import compare_samples

    seconds = {} if seconds is None else seconds
    start = time.perf_counter()
    reference, why_no_scores = reference_sample(trained, min_size, seed)
    seconds["reference"] = round(time.perf_counter() - start, 3)
    start = time.perf_counter()
    drift = compare_samples(reference, current_sample(predictions, current_name), seed=seed, min_size=min_size)
    seconds["checks"] = round(time.perf_counter() - start, 3)
    if why_no_scores:
        for skipped in drift.get("skipped", []):
            if skipped["name"] == "model_scores":
                skipped["reason"] = why_no_scores
    return drift


def too_little(predictions: int, min_size: int, current_name: str, reference_name: str) -> dict:
    """The "drift" dict when the window is too small to judge (no checks run, nothing detected)."""
    return {"detected": False, "insufficient": True,
            "explanation": f"too little traffic to judge: {predictions} distinct texts logged in the window "
                           f"(at least {min_size} needed)",
            "reference": {"name": reference_name, "size": None}, "current": {"name": current_name, "size": predictions},
            "checks": [], "skipped": [], "details": {}}
