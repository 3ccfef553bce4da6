"""Warm start: the Trainer's model starts from the latest blessed model (TFX's `base_model`,
fn_args.base_model) when its architecture matches; otherwise it trains from scratch and says why.

Every exported model carries, in `assets.extra/warm_start/` of its SavedModel (a folder the
SavedModel loader and the model server ignore):

  architecture.json  what fixes the shapes and meaning of the weights (ARCHITECTURE_FIELDS per
                     family; an ensemble: its members' in order)
  model_<i>.npz      single model i's trainable weights in order (w0, w1, ...), and for the
                     n-gram models their n-gram ids (ngram_keys); i = 0, or the ensemble member
  origin.json        {"from": the base model's path or null, "reason": ...}: what this model
                     started from (read by the run's summary, app/runs.py)
  train_reviews.npy  the fingerprints of its train reviews (seen_reviews.py)

A new model whose architecture equals the base's (member by member for an ensemble) is built
as usual, then given the base's weights: the DNN head's kernels (and a trainable embedding's
table) as they are, and the n-gram models' weights mapped by n-gram id (an id the base did not
keep starts at 0; the naive-Bayes ratios are counted on the new window, which holds the data,
so no counts are carried over). A warm model trains `warm_start_fraction` of the steps (L-BFGS:
of its iteration limit) and of the validation passes, or the share of the window's train reviews
that the base model has not seen, if larger (docs/warm_start.md).
"""
from __future__ import annotations

import dataclasses
import io
import json
import math
import os

import numpy as np

from components.paths import read_if_exists
from components.trainer import seen_reviews
from components.training_config import TrainingConfig

DIRECTORY = os.path.join("assets.extra", "warm_start")
ARCHITECTURE_FILE, ORIGIN_FILE = "architecture.json", "origin.json"
NGRAM_KEYS = "ngram_keys"

# The fields of a single model's TrainingConfig that fix its weights' shapes and meaning.
ARCHITECTURE_FIELDS = {
    "dnn": ("task", "module", "trainable", "precompute", "hidden_units"),
    "wide": ("task", "ngram_size", "ngram_index", "ngram_buckets"),
    "majority": ("task",),
}
LABELS = {"head": "model family", "task": "task", "module": "embedding module", "trainable": "trainable embedding",
          "precompute": "precomputed embedding", "hidden_units": "hidden units", "ngram_size": "n-gram size",
          "ngram_index": "n-gram ids", "ngram_buckets": "hash buckets", "members": "ensemble members"}


def architecture(config: TrainingConfig) -> dict:
    """The architecture fingerprint of a config (JSON-able)."""
    if config.head == "ensemble":
        return {"head": "ensemble", "task": config.task,
                "members": [architecture(m) for m in config.member_configs()]}
    values = {"head": config.head}
    for field in ARCHITECTURE_FIELDS[config.head]:
        value = getattr(config, field)
        values[field] = list(value) if isinstance(value, tuple) else value
    return values


def mismatch(new: dict, old: dict) -> str | None:
    """Why a single model of architecture `new` cannot start from one of `old`, or None."""
    for key in ("head", *[k for k in new if k != "head"]):
        if old.get(key) != new.get(key):
            return f"other {LABELS.get(key, key)} ({_show(old.get(key))} -> {_show(new.get(key))})"
    if new["head"] == "wide" and new["ngram_index"] == "vocabulary":
        return "n-gram ids from a vocabulary fitted on each run's data mean other n-grams in another run"
    if new["head"] == "majority":
        return "the majority baseline has no trained weights (its prior is counted on the window)"
    return None


def _show(value) -> str:
    return "none" if value is None else ",".join(map(str, value)) if isinstance(value, list) else str(value)


@dataclasses.dataclass
class WarmStart:
    """What the Trainer starts from: the base model's path, per single model (the config itself,
    or each ensemble member) its weights or None (from scratch), and why."""

    base: str | None
    reason: str
    weights: list  # [dict of arrays | None], one per single model
    fraction: float = 1.0

    @property
    def origin(self) -> dict:
        """{"from": the base model's path when any weights came from it, else null, "reason"}."""
        return {"from": self.base if any(w is not None for w in self.weights) else None, "reason": self.reason}

    def steps(self, index: int, steps: int) -> int:
        """The training steps (L-BFGS iterations) of single model `index`: a fraction when warm."""
        return max(1, math.ceil(steps * self.fraction)) if self.weights[index] is not None else steps


def cold(config: TrainingConfig, reason: str, base: str | None = None) -> WarmStart:
    return WarmStart(base, reason, [None] * len(config.single_models()))


def plan(config: TrainingConfig, base_model: str | None, reviews: np.ndarray | None = None) -> WarmStart:
    """What the model of `config` starts from, given the base model's serving directory (None:
    none), and how many of the steps it trains: `warm_start_fraction`, or the share of this
    window's train reviews (`reviews`: seen_reviews.fingerprints) new to the base model, if larger."""
    if not config.warm_start:
        return cold(config, "warm start is off (--no-warm-start)")
    if not base_model:
        return cold(config, "no blessed model to start from: trained from scratch")
    directory = os.path.join(base_model, DIRECTORY)
    old = _read_json(os.path.join(directory, ARCHITECTURE_FILE))
    if old is None:
        return cold(config, f"the blessed model {base_model} has no architecture record "
                            f"({os.path.join(DIRECTORY, ARCHITECTURE_FILE)}): trained from scratch", base_model)
    new = architecture(config)
    if config.head == "ensemble":
        if old.get("head") != "ensemble":
            return cold(config, f"the blessed model {base_model} is another model family "
                                f"({old.get('head')} -> ensemble): trained from scratch", base_model)
        olds = old.get("members", [])
        reasons = [mismatch(n, olds[i]) if i < len(olds) else "no such member in the blessed ensemble"
                   for i, n in enumerate(new["members"])]
    else:
        reasons = [mismatch(new, old)]
    weights = [None if r else _load(directory, i) for i, r in enumerate(reasons)]
    for i, w in enumerate(weights):
        if w is None and not reasons[i]:
            reasons[i] = f"no weights file {os.path.join(DIRECTORY, f'model_{i}.npz')}"
    fraction, novelty = (1.0, "")  # a model from scratch trains every step
    if any(w is not None for w in weights):
        fraction, novelty = steps_fraction(config, directory, reviews)
    if config.head != "ensemble":
        reason = (f"started from the blessed model {base_model} (same architecture): "
                  f"{fraction:.0%} of the training steps{novelty}" if weights[0] is not None
                  else f"the blessed model {base_model} does not fit: {reasons[0]}: trained from scratch")
    else:
        reason = f"ensemble from the blessed model {base_model}: " + "; ".join(
            f"member {i} " + (f"warm ({fraction:.0%} of its steps)" if w is not None
                              else f"from scratch: {reasons[i]}") for i, w in enumerate(weights)) + novelty
    return WarmStart(base_model, reason, weights, fraction)


def steps_fraction(config: TrainingConfig, directory: str, reviews: np.ndarray | None) -> tuple[float, str]:
    """(the share of the steps a warm start trains, what it was chosen from, for the reason)."""
    seen = seen_reviews.read(directory)
    if reviews is None or seen is None:
        return config.warm_start_fraction, " (the blessed model records no train reviews to compare with)"
    new = seen_reviews.unseen_share(reviews, seen)
    fraction = max(config.warm_start_fraction, new)
    return fraction, f" ({new:.0%} of this window's {reviews.size:,} train reviews new to it)"


def _read_json(path: str):
    """A JSON file of the record, or None; the record may be remote (a Kubeflow run's base model
    on gs://)."""
    found = read_if_exists(path)
    return None if found is None else json.loads(found)


def _load(directory: str, index: int) -> dict | None:
    found = read_if_exists(os.path.join(directory, f"model_{index}.npz"))
    if found is None:
        return None
    with np.load(io.BytesIO(found)) as arrays:
        return {k: arrays[k] for k in arrays.files}


def map_by_keys(old_keys: np.ndarray, old_values: np.ndarray, new_keys: np.ndarray) -> np.ndarray:
    """old_values moved to the positions of the same keys in new_keys (sorted both); 0 for a new key."""
    out = np.zeros(new_keys.size, np.float32)
    if old_keys.size and new_keys.size:
        position = np.minimum(np.searchsorted(old_keys, new_keys), old_keys.size - 1)
        found = old_keys[position] == new_keys
        out[found] = old_values[position[found]]
    return out


def apply(model, weights: dict | None) -> bool:
    """Gives a freshly built single model the base's weights (`weights` from plan): the n-gram
    model's mapped by n-gram id, any other's trainable weights in order. False (nothing set)
    when there are none or their shapes differ."""
    if weights is None:
        return False
    if NGRAM_KEYS in weights:
        layer = model.get_layer("nb_logistic")
        layer.kernel.assign(map_by_keys(weights[NGRAM_KEYS], weights["w0"], layer.keys.numpy()))
        layer.bias.assign(float(weights["w1"]))
        return True
    arrays = [weights[f"w{i}"] for i in range(len([k for k in weights if k.startswith("w")]))]
    variables = model.trainable_weights
    if len(arrays) != len(variables) or any(tuple(a.shape) != tuple(v.shape) for a, v in zip(arrays, variables)):
        return False
    for variable, array in zip(variables, arrays):
        variable.assign(array)
    return True


def single_weights(model) -> dict:
    """What `apply` reads back: the trainable weights (and an n-gram model's ids)."""
    try:
        layer = model.get_layer("nb_logistic")
    except ValueError:
        layer = None
    if layer is not None:
        return {"w0": layer.kernel.numpy(), "w1": np.asarray(layer.bias.numpy()), NGRAM_KEYS: layer.keys.numpy()}
    return {f"w{i}": v.numpy() for i, v in enumerate(model.trainable_weights)}


def export(model, config: TrainingConfig, serving_model_dir: str, origin: dict,
           reviews: np.ndarray | None = None) -> None:
    """Writes the warm-start record into the exported model (after model.save); an ensemble's
    members are `model.member_models.models` (components/trainer/training.py); `reviews`: the
    fingerprints of its train reviews (seen_reviews)."""
    import tensorflow as tf

    directory = os.path.join(serving_model_dir, DIRECTORY)
    tf.io.gfile.makedirs(directory)
    models = getattr(model, "member_models").models if config.head == "ensemble" else [model]
    for i, single in enumerate(models or []):
        if single is None or config.single_models()[i].head == "majority":
            continue
        buffer = io.BytesIO()  # zip needs a seekable file; GFile is not one for writing
        np.savez(buffer, **single_weights(single))
        with tf.io.gfile.GFile(os.path.join(directory, f"model_{i}.npz"), "wb") as f:
            f.write(buffer.getvalue())
    if reviews is not None:
        seen_reviews.write(directory, reviews)
    for name, content in ((ARCHITECTURE_FILE, architecture(config)), (ORIGIN_FILE, origin)):
        with tf.io.gfile.GFile(os.path.join(directory, name), "w") as f:
            json.dump(content, f, indent=2)


def read_origin(serving_model_dir: str) -> dict | None:
    """The origin.json of an exported model, or None (a model exported before warm start)."""
    return _read_json(os.path.join(serving_model_dir, DIRECTORY, ORIGIN_FILE))


def model_origin(model_uri: str) -> dict:
    """What the model of a Model artifact at `model_uri` started from: {"from", "reason"}."""
    from tfx.utils import path_utils

    origin = read_origin(path_utils.serving_model_path(model_uri))
    return origin or {"from": None, "reason": "the model has no warm-start record (trained before warm start)"}
