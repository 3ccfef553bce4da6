"""Ensembles: trained members combined by a weighted average of their outputs."""
from __future__ import annotations

import itertools

import numpy as np
import tensorflow as tf
import tf_keras

from components.trainer.layers import WeightedAverage
from components.trainer.metrics import predictions
from components.trainer.models import model_inputs, output_name


def eval_weights(members, dataset: tf.data.Dataset, task: str, step: float = 0.05) -> list[float]:
    """Member weights on a grid of `step` (summing to 1) with the least loss on `dataset` (the
    eval split): log loss of the averaged probabilities, or squared error of the averaged ratings."""
    outputs, labels = [], None
    for member in members:
        output, labels = predictions(member, dataset)
        outputs.append(output)
    outputs = np.stack(outputs)
    n = round(1 / step)
    best, best_loss = None, np.inf
    for parts in itertools.product(range(n + 1), repeat=len(members) - 1):
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


def inference_copy(model: tf_keras.Model) -> tf_keras.Model:
    """The model with its trained weights and no optimizer. A compiled member inside an ensemble
    would carry its optimizer's state into the SavedModel: for a fine-tuned GloVe, Adam's two
    moment tables."""
    copy = tf_keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


def ensemble_model(members: list[tf_keras.Model], weights: list[float], keys, task: str,
                   embedding_dim: int | None = None) -> tf_keras.Model:
    """One model over the transformed features `keys` that averages the members with `weights`."""
    inputs = model_inputs(keys, embedding_dim)
    outputs = [m({k: inputs[k] for k in m.input_names}) for m in members]
    model = tf_keras.Model(inputs, WeightedAverage(weights, name=output_name(task))(outputs))
    model.ensemble_weights = weights
    return model
