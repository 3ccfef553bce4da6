"""Classifying reviews with a pushed model's `predict_text` signature (`imdb-tfx predict`).

Reviews are plain lines or JSON lines with a `text` field (detected from the first non-blank
line). Empty and very long reviews need no special care: the model embeds any number of words.
"""
from __future__ import annotations

import codecs
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
    """[{"text": ...} (plus "id" from JSON lines)] from `data`: plain lines or JSON lines. A
    UTF-8 byte order mark (as some Windows editors write) is not part of the first line."""
    data = data.removeprefix(codecs.BOM_UTF8)
    lines = [decode(line, f"{name}:{n}") for n, line in enumerate(data.splitlines(), 1)]
    first = next((line.strip() for line in lines if line.strip()), "")
    if not _is_json_object(first):  # JSON lines when the first line is an object, whatever its fields
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
        if not isinstance(review, dict) or not isinstance(review.get("text"), str):
            raise InputError(f"{name}:{n}: a JSON line needs a string field \"text\"")
        reviews.append({k: review[k] for k in ("id", "text") if k in review})
    return reviews


def _is_json_object(line: str) -> bool:
    if not line.startswith("{"):
        return False
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


class ModelError(ValueError):
    """A model directory that cannot be used: names the directory and why, in one line."""


def load(model_dir: str):
    """The `predict_text` signature of the SavedModel at `model_dir`; ModelError naming the
    directory for one that is not a loadable SavedModel with that signature."""
    import tensorflow as tf

    from components.serving.served_model import ModelLoadError, load_saved_model

    if not tf.io.gfile.exists(os.path.join(model_dir, "saved_model.pb")):
        raise FileNotFoundError(f"{model_dir}: no SavedModel (saved_model.pb) there")
    try:
        return _Signature(*load_saved_model(model_dir))  # the server's loader: one home
    except ModelLoadError as e:
        raise ModelError(str(e)) from None


class _Signature:
    """The signature, holding the loaded object whose variables it uses."""

    def __init__(self, loaded, signature):
        self._loaded = loaded
        self._signature = signature

    def __call__(self, **inputs):
        return self._signature(**inputs)


def load_newest(serving_dir: str, warn=None) -> tuple[str, object]:
    """(version directory, predict_text) of the newest version under `serving_dir` that loads,
    by the server's rules (components/serving/manager.py's VersionManager, shared rather than
    copied): a version that is incomplete is passed over, one that fails to load is refused
    (`warn` is told which and why) and the one before it is used. FileNotFoundError when the
    directory holds no complete version, ValueError when none of them loads."""
    from components.serving.manager import VersionManager
    from components.serving.served_model import ModelLoadError

    def loader(path: str):
        try:
            return load(path)
        except (ModelError, FileNotFoundError) as e:
            raise ModelLoadError(str(e)) from None

    versions.latest(serving_dir)  # FileNotFoundError: no complete version at all
    manager = VersionManager(loader, serving_dir=serving_dir, settle_seconds=0)
    manager.start()  # ModelLoadError (a ValueError) when every version is refused
    for version, why in sorted(manager.refused.items(), reverse=True):
        if warn and version > manager.current.version:
            warn(f"version {version} refused ({why}): using version {manager.current.version}, as the server would")
    return manager.current.path, manager.current.model


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
               "label": features.label_of(p), "probability": round(p, 6)}
