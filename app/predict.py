"""Classifying reviews with a pushed model's `predict_text` signature (`imdb-tfx predict`).

Reviews are plain lines or JSON lines with a `text` field (detected from the first non-blank
line). Empty and very long reviews need no special care: the model embeds any number of words.
"""
from __future__ import annotations

import json
import os
from typing import Iterable, Iterator

from components import features
from components.serving import versions

BATCH_SIZE = 256


class InputError(ValueError):
    """Input the command cannot read, e.g. bytes that are not UTF-8; names where."""


def latest_model(serving_dir: str) -> str:
    """The newest complete version under `serving_dir` (components/serving/versions.py, which the
    server reads too): the highest-numbered directory (Pusher names them by timestamp) that
    holds saved_model.pb and variables/. A version still being copied, or left half-copied by
    an interrupted push, is passed over."""
    return versions.latest(serving_dir)


def decode(line: bytes, where: str) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"{where}: not valid UTF-8 (byte 0x{line[e.start]:02x} at offset {e.start})") from None


def read_reviews(data: bytes, name: str) -> list[dict]:
    """[{"text": ...} (plus "id" from JSON lines)] from `data`: plain lines or JSON lines."""
    lines = [decode(line, f"{name}:{n}") for n, line in enumerate(data.splitlines(), 1)]
    first = next((line.strip() for line in lines if line.strip()), "")
    if not _is_review_object(first):
        return [{"text": line} for line in lines]
    reviews = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            review = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"{name}:{n}: not a JSON object ({e.msg}); the file is read as JSON lines "
                             "because its first line is one") from None
        if not _is_review_object(review):
            raise InputError(f"{name}:{n}: a JSON line needs a string field \"text\"")
        reviews.append({k: review[k] for k in ("id", "text") if k in review})
    return reviews


def _is_review_object(line) -> bool:
    if isinstance(line, str):
        if not line.startswith("{"):
            return False
        try:
            line = json.loads(line)
        except json.JSONDecodeError:
            return False
    return isinstance(line, dict) and isinstance(line.get("text"), str)


def load(model_dir: str):
    """The `predict_text` signature of the SavedModel at `model_dir`."""
    import tensorflow as tf

    if not tf.io.gfile.exists(os.path.join(model_dir, "saved_model.pb")):
        raise FileNotFoundError(f"{model_dir}: no SavedModel (saved_model.pb) there")
    signatures = tf.saved_model.load(model_dir).signatures
    if "predict_text" not in signatures:
        raise ValueError(f"{model_dir}: the model has no predict_text signature (has: {', '.join(signatures)})")
    return signatures["predict_text"]


def probabilities(predict_text, texts: list[str], batch_size: int = BATCH_SIZE) -> Iterator[float]:
    import tensorflow as tf

    for start in range(0, len(texts), batch_size):
        batch = tf.constant(texts[start:start + batch_size], dtype=tf.string)
        yield from predict_text(text=batch)[features.PROBABILITY].numpy()[:, 0].tolist()


def predictions(predict_text, reviews: list[dict], batch_size: int = BATCH_SIZE) -> Iterable[dict]:
    """{"index", ["id"], "label", "probability"} per review; positive when p > 0.5 (as TFMA counts)."""
    texts = [r["text"] for r in reviews]
    for index, (review, p) in enumerate(zip(reviews, probabilities(predict_text, texts, batch_size))):
        yield {"index": index, **({"id": review["id"]} if "id" in review else {}),
               "label": "positive" if p > 0.5 else "negative", "probability": round(p, 6)}
