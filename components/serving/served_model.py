"""One loaded model version: its `predict_text` signature, checked by the canary, answering
lists of review texts with {"probability", "label"(, "rating")} per review.

The signature (components/trainer/signatures.py) takes raw UTF-8 strings, shape [None], and
returns {"probability": [n, 1]} (a regression model also "rating": [n, 1]); the label is
components/features.py's label_of (positive when p > 0.5, as TFMA counts). Probabilities are returned at
float32 precision (not rounded), so that a client can compare them with the model's own
in-process answers.
"""
from __future__ import annotations

import os

import numpy as np
import tensorflow as tf

from components import features
from components.serving import canary

SIGNATURE = "predict_text"
INPUT = "text"


class ModelLoadError(ValueError):
    """A version that cannot be served; the message is one line: the path and why."""


label = features.label_of


def load_saved_model(path: str):
    """(loaded SavedModel, its predict_text signature) at `path`: the one loader of a pushed model,
    for the server, `imdb-tfx predict` and the InfraValidator. ModelLoadError naming the path and
    why: no saved_model.pb, a SavedModel that does not load, no predict_text signature."""
    if not tf.io.gfile.exists(os.path.join(path, "saved_model.pb")):
        raise ModelLoadError(f"{path}: no SavedModel (saved_model.pb) there")
    try:
        loaded = tf.saved_model.load(path)
    except Exception as e:  # noqa: BLE001  (a corrupt proto, missing variables, unknown ops: all one answer)
        raise ModelLoadError(f"{path}: cannot load the SavedModel: {_one_line(e)}") from None
    signatures = loaded.signatures
    if SIGNATURE not in signatures:
        raise ModelLoadError(f"{path}: the model has no {SIGNATURE} signature (has: "
                             f"{', '.join(signatures) or 'none'})")
    return loaded, signatures[SIGNATURE]


class ServedModel:
    """A SavedModel's predict_text, loaded and canary-checked (use ServedModel.load)."""

    def __init__(self, path: str, loaded, signature):
        self.path = path
        self._loaded = loaded  # the signature's variables live as long as the loaded object
        self._signature = signature
        outputs = signature.structured_outputs
        self.regression = features.PREDICTED_RATING in outputs

    @classmethod
    def load(cls, path: str) -> "ServedModel":
        """Loads and canary-checks the SavedModel at path; ModelLoadError saying why not."""
        loaded, signature = load_saved_model(path)
        inputs = signature.structured_input_signature[1]
        if set(inputs) != {INPUT} or inputs[INPUT].dtype != tf.string:
            raise ModelLoadError(f"{path}: {SIGNATURE} takes {_describe(inputs)}, not one string input '{INPUT}'")
        model = cls(path, loaded, signature)
        try:
            canary.check(model.predict_raw)
        except canary.CanaryError as e:
            raise ModelLoadError(f"{path}: failed its canary: {e}") from None
        except Exception as e:  # noqa: BLE001  (the signature itself fails on the canary texts)
            raise ModelLoadError(f"{path}: failed its canary: {_one_line(e)}") from None
        return model

    @property
    def signatures(self) -> dict:
        """Every signature of the SavedModel (TF Serving's /metadata lists them)."""
        return dict(self._loaded.signatures)

    def predict_raw(self, texts: list[str]) -> dict[str, list[float]]:
        """{"probability": [n] (, "rating": [n])} as Python floats, one call of the signature."""
        outputs = self._signature(**{INPUT: tf.constant(texts, dtype=tf.string)})
        result = {}
        for key in (features.PROBABILITY, features.PREDICTED_RATING):
            if key in outputs:
                values = outputs[key].numpy()
                if values.ndim > 2 or (values.ndim == 2 and values.shape[1] != 1):
                    raise ValueError(f"{key} has shape {list(values.shape)}; expected [{len(texts)}, 1]")
                result[key] = np.reshape(values, [-1]).astype(np.float64).tolist()
        return result

    def probabilities(self, texts: list[str], batch_size: int = 256) -> np.ndarray:
        """P(positive) of each text (float64), in calls of `batch_size` texts: the model's scores
        that the drift checks compare (components/drift_check, app/monitor)."""
        if not texts:
            return np.zeros(0)
        return np.concatenate([np.asarray(self.predict_raw(texts[i:i + batch_size])[features.PROBABILITY], np.float64)
                               for i in range(0, len(texts), batch_size)])

    def predict(self, texts: list[str]) -> list[dict]:
        """[{"probability", "label"(, "rating")}] per text."""
        raw = self.predict_raw(texts)
        ratings = raw.get(features.PREDICTED_RATING)
        answers = []
        for i, p in enumerate(raw[features.PROBABILITY]):
            answer = {"probability": p, "label": label(p)}
            if ratings is not None:
                answer["rating"] = ratings[i]
            answers.append(answer)
        return answers


def _describe(inputs: dict) -> str:
    return ", ".join(f"{k} ({v.dtype.name})" for k, v in inputs.items()) or "no inputs"


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".rstrip(": ")
