"""DriftCheck's work: read the spans, score them with the model in service, compare, write
drift.json, and raise DriftBlockedError when a check whose action is "block" fires.

Reference = the baseline Examples' train+eval (the previous window), current = the new span's
train+eval. In a pipeline compiled for Kubeflow, which resolves no spans (`reference_from_model`),
the reference is the training data the model in service records
(components/training_data_record.py). The model_scores check compares like with like: the
model's scores on the baseline's eval split (data it did not train on) against its scores on the new span.
"""
from __future__ import annotations

import json
import os

import numpy as np

from components import features, training_data_record
from components.drift import compare_samples, one_line, sample_from_examples
from components.drift.sample import subsample
from components.drift_check.actions import block_message, blocking, parse_actions
from components.drift_check import DRIFT_FILE, FIRST_SPAN
from components.drift_check.errors import DriftBlockedError
from components.paths import write_text

SIDE_LIMIT = 5000  # texts read per side (a deterministic sample); the text checks use 2,000
SCORE_LIMIT = 2000  # texts scored by the model per side
NO_RECORD = "the model in service records no training data: nothing to compare with"
NO_MODEL = "no model in service (none blessed yet): nothing to compare with"
SPLITS = (features.TRAIN_SPLIT, features.EVAL_SPLIT)


def _spans(artifacts) -> str:
    spans = sorted({a.get_int_custom_property("span") if a.has_custom_property("span") else a.span
                    for a in artifacts if _has_span(a)})
    return ("span " + ", ".join(str(s) for s in spans)) if spans else "examples"


def _has_span(artifact) -> bool:
    try:
        return artifact.span is not None
    except Exception:  # noqa: BLE001  (an artifact type without the span property)
        return False


def _splits(artifact, wanted=SPLITS) -> list[str]:
    from tfx.types import artifact_utils

    names = artifact_utils.decode_split_names(artifact.split_names) if artifact.split_names else list(wanted)
    return [s for s in wanted if s in names]


def _read(artifacts, splits: tuple[str, ...], name: str, limit: int, seed: int):
    uris_splits = [(a.uri, _splits(a, splits)) for a in artifacts]
    samples = [sample_from_examples([uri], s, name) for uri, s in uris_splits if s]
    if not samples:
        raise ValueError(f"{name}: no {' or '.join(splits)} split in {', '.join(a.uri for a in artifacts)}")
    texts = [t for s in samples for t in s.texts]
    from components.drift import TextSample

    joined = TextSample(texts, np.concatenate([s.labels for s in samples]),
                        np.concatenate([s.ratings for s in samples]), name=name)
    return subsample(joined, limit, seed)


def run(examples, baseline_examples: list, model_dir: str | None, drift_action: str, output_uri: str,
        seed: int = 0, reference_from_model: bool = False) -> dict:
    """Compares, writes <output_uri>/drift.json, returns the dict; DriftBlockedError on block.
    `reference_from_model`: the reference is what `model_dir` records it was trained on."""
    actions = parse_actions(drift_action)
    current_name = f"{_spans([examples])} (train+eval)"
    explanation = FIRST_SPAN
    if reference_from_model:  # the data of the model in service, as it recorded it
        entries = training_data_record.read_model_record(model_dir) if model_dir else None
        baseline_examples = training_data_record.as_artifacts(entries or [])
        explanation = NO_RECORD if model_dir else NO_MODEL
    if not baseline_examples:
        drift = {"detected": False, "explanation": explanation, "insufficient": False, "reference": None,
                 "current": {"name": current_name, "size": None}, "checks": [], "skipped": [], "details": {}}
    else:
        current = _read([examples], SPLITS, current_name, SIDE_LIMIT, seed)
        reference = _read(baseline_examples, SPLITS, f"{_spans(baseline_examples)} (train+eval)", SIDE_LIMIT,
                          seed + 1)
        reference_scores = None
        if model_dir:
            from components.serving.served_model import ServedModel

            model = ServedModel.load(model_dir)  # once for both sides (a gs:// model is read from the bucket)
            held_out = _read(baseline_examples, (features.EVAL_SPLIT,), "held out", SCORE_LIMIT, seed + 2)
            reference_scores = model.probabilities(held_out.texts)
            # The model scores a deterministic part of the current side (NaN: not scored).
            rng = np.random.default_rng(seed + 3)
            pick = np.sort(rng.choice(len(current), min(SCORE_LIMIT, len(current)), replace=False))
            current.scores = np.full(len(current), np.nan)
            current.scores[pick] = model.probabilities([current.texts[i] for i in pick])
        drift = compare_samples(reference, current, seed=seed, reference_scores=reference_scores)
    drift["actions"] = actions
    fired = blocking(drift, actions)
    drift["blocked"] = bool(fired)
    drift["one_line"] = one_line(drift)
    write_text(os.path.join(output_uri, DRIFT_FILE), json.dumps(drift, indent=2))  # gs:// on a cluster
    if fired:
        raise DriftBlockedError(block_message(fired), drift)
    return drift
