"""Ensembles: trained members combined by a weighted average of their outputs."""
from __future__ import annotations

import itertools

import numpy as np
import tensorflow as tf
import tf_keras

from components import features
from components.trainer.layers import LengthWeightedAverage, NBLogisticRegression, WeightedAverage
from components.trainer.models import model_inputs, output_name


def best_weights(outputs: np.ndarray, labels: np.ndarray, task: str, step: float = 0.05) -> list[float]:
    """Member weights on a grid of `step` (summing to 1) with the least loss of the averaged
    outputs ([members, examples]): log loss of probabilities, or squared error of ratings."""
    n = round(1 / step)
    best, best_loss = np.full(len(outputs), 1.0 / len(outputs)), np.inf
    for parts in itertools.product(range(n + 1), repeat=len(outputs) - 1):
        if sum(parts) > n:
            continue
        weights = np.array([*parts, n - sum(parts)], np.float64) / n
        combined = weights @ outputs
        if task == "regression":
            loss = np.mean((combined - labels) ** 2)
        else:
            p = np.clip(combined, 1e-7, 1 - 1e-7)
            loss = -np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p))
        if loss < best_loss - 1e-12:
            best, best_loss = weights, loss
    return [round(float(w), 4) for w in best]


def member_outputs(members, dataset: tf.data.Dataset, key: str | None = None):
    """([members, examples] outputs, labels[, the feature `key` of each example]) of the
    members over a finite dataset, in one pass over it."""
    outputs, labels, values = [[] for _ in members], [], []
    for batch, label in dataset:
        for output, member in zip(outputs, members):
            output.append(np.asarray(member(batch, training=False)).reshape(-1))
        labels.append(label.numpy().reshape(-1))
        if key:
            values.append(batch[key].numpy().reshape(-1))
    if not labels:
        raise ValueError("the eval split is empty: the ensemble's weights are chosen on it")
    stacked = np.stack([np.concatenate(o) for o in outputs]), np.concatenate(labels)
    return (*stacked, np.concatenate(values)) if key else stacked


def eval_weights(members, dataset: tf.data.Dataset, task: str, step: float = 0.05) -> list[float]:
    """best_weights of the members on `dataset` (the eval split)."""
    return best_weights(*member_outputs(members, dataset), task, step)


def eval_weights_by_length(members, dataset: tf.data.Dataset, task: str, bounds, step: float = 0.05) -> list[list[float]]:
    """best_weights for each bucket of word count (LengthWeightedAverage's buckets) on `dataset`
    (eval reviews and their snippets, with WORD_COUNT); a bucket without examples averages."""
    outputs, labels, words = member_outputs(members, dataset, features.WORD_COUNT)
    bucket = np.searchsorted(np.asarray(bounds), words, side="left")  # count <= bounds[0] -> 0
    return [best_weights(outputs[:, bucket == b], labels[bucket == b], task, step) if (bucket == b).any()
            else [round(1.0 / len(members), 4)] * len(members) for b in range(len(bounds) + 1)]


def inference_copy(model: tf_keras.Model) -> tf_keras.Model:
    """The model with its trained weights and no optimizer. A compiled member inside an ensemble
    would carry its optimizer's state into the SavedModel: for a fine-tuned GloVe, Adam's two
    moment tables."""
    copy = tf_keras.models.clone_model(model, clone_function=_clone_layer)
    copy.set_weights(model.get_weights())
    return copy


def _clone_layer(layer):
    """A new layer of the same config; an n-gram layer with its keys, so that it builds its id
    table from them (set_weights would give it the keys after its table was made)."""
    if isinstance(layer, NBLogisticRegression):
        return NBLogisticRegression.from_config({**layer.get_config(), "keys": layer.keys.numpy()})
    return layer.__class__.from_config(layer.get_config())


def ensemble_model(members: list[tf_keras.Model], weights, keys, task: str,
                   embedding_dim: int | None = None, bounds=None) -> tf_keras.Model:
    """One model over the transformed features `keys` that averages the members with `weights`,
    or with `bounds`, with weights[b] for the texts in word-count bucket b (WORD_COUNT in keys)."""
    inputs = model_inputs(keys, embedding_dim)
    outputs = [m({k: inputs[k] for k in m.input_names}) for m in members]
    if bounds is None:
        average = WeightedAverage(weights, name=output_name(task))(outputs)
    else:
        average = LengthWeightedAverage(weights, bounds, name=output_name(task))([*outputs, inputs[features.WORD_COUNT]])
    model = tf_keras.Model(inputs, average)
    model.ensemble_weights = weights if bounds is None else {"bounds": list(bounds), "weights": weights}
    return model
