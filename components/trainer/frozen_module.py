"""A frozen module's vectors, computed once: the DNN head on a frozen hub module trains on them.

A frozen module (`trainable` off, the default) maps each review to the same vector at every
step, so running it on every batch recomputed each train review's vector once per epoch (the
default 1,000 steps of 128 over a 13,000-review window: about 10 times), and each eval review's
at every validation pass: three quarters of the fit's time (docs/training.md). Here the module
runs once over each split, and the head (the layers after the module, sharing their weights
with the model) trains and validates on those vectors. Its batches are the ones the model
would get (the same shuffled indices), so the training is the same; the exported model is the
whole one, text in. With `precompute`, Transform applies the module instead (the vectors are in
the examples); a trainable module changes at every step and is run at every step.
"""
from __future__ import annotations

import weakref

import tensorflow as tf
import tf_keras

from components.trainer import review_pieces
from components.trainer.input_data import TrainingData, text_dataset
from components.training_config import TrainingConfig

EMBEDDING_LAYER = "embedding"  # models.build_model's name for the hub layer


def applies(config: TrainingConfig) -> bool:
    """Whether a model of `config` trains on its module's vectors: a DNN head on a frozen
    module that reads whole reviews' text."""
    return (config.head == "dnn" and not config.trainable and not config.precompute
            and config.train_on == review_pieces.REVIEWS)


# model -> its head: one per model, so that training and the metrics of both splits share it
# (and the metrics' one trace of it, components/trainer/metrics.py). Not an attribute of the
# model: Keras would track the head as a layer and save it with the model.
_heads: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def head(model: tf_keras.Model) -> tf_keras.Model:
    """The layers of `model` after its module, as a model of the module's vectors (the same
    layers and weights)."""
    if model not in _heads:
        _heads[model] = tf_keras.Model(model.get_layer(EMBEDDING_LAYER).output, model.output)
    return _heads[model]


def vectors(model: tf_keras.Model, config: TrainingConfig, data: TrainingData, split: str) -> tuple[tf.Tensor, tf.Tensor]:
    """(the module's vectors of the split's reviews, their labels), computed once for a module:
    kept with the split's texts (TrainingData.texts), for the splits' later passes and for the
    other models on the same module (a Tuner's trials)."""
    def compute():
        texts, labels = data.texts(split, config.task)
        layer = model.get_layer(EMBEDDING_LAYER)
        embed = tf.function(layer, input_signature=[tf.TensorSpec([None], tf.string)])  # one trace
        # In training batches: what a module's memory was sized for (MiniLM's attention grows
        # with the batch), and for GloVe within 0.1 s of batches of 1,000 over a window.
        step = config.batch_size
        parts = [embed(texts[i:i + step]) for i in range(0, int(texts.shape[0]), step)]
        return tf.concat(parts, 0) if parts else tf.zeros([0, *layer.output.shape[1:]]), labels

    return data.kept(("vectors", split, config.task, config.module), compute)


def dataset(model: tf_keras.Model, config: TrainingConfig, split: str, *, data: TrainingData,
            train: bool = False, batch_size: int | None = None) -> tf.data.Dataset:
    """The split as the head reads it: (vectors, label) batches, shuffled and repeated if
    `train`, as TrainingData.dataset batches the texts."""
    rows, labels = vectors(model, config, data, split)
    return text_dataset(rows, labels, batch_size or config.batch_size,
                        shuffle_buffer_size=config.shuffle_buffer_size if train else 0, key=None)


def split_inputs(model: tf_keras.Model, config: TrainingConfig, data: TrainingData, split: str,
                 batch_size: int) -> tuple[tf_keras.Model, tf.data.Dataset]:
    """(what to run, its batches) for the model's outputs over a split: the head on the
    module's vectors where the model trained on them, else the model on the split."""
    if applies(config):
        return head(model), dataset(model, config, split, data=data, batch_size=batch_size)
    return model, data.dataset(config, split, batch_size=batch_size)
