"""The Keras model of one (non-ensemble) TrainingConfig, compiled.

dnn       the review text -> `hub.KerasLayer(module, trainable=...)` -> the tutorial's head
          Dense(500, relu) -> Dense(100, relu) -> Dense(1). With `precompute`, Transform has
          already applied the frozen module and the head reads its vectors (`embedding`).
wide      naive-Bayes-weighted logistic regression on the review's distinct word n-grams
          (Transform's `ngrams` ids): logit = b + sum_i w_i r_i over the n-grams that at
          least min_count train reviews contain, where r_i is the n-gram's log-count ratio
          between positive and negative train reviews (Wang & Manning's NB features, learned
          here by gradient descent with an L2 penalty on w).
majority  a constant: the train split's share of positive reviews (or mean rating).

Classification models output a probability, so TFMA's BinaryAccuracy (threshold 0.5)
measures what it says. Regression models (task "regression") predict the rating.
"""
from __future__ import annotations

import tensorflow as tf
import tf_keras

from components import features
from components.modules.hub import import_hub
from components.modules.registry import resolve_module_handle
from components.trainer.autograph import leave_libraries_unconverted
from components.trainer.input_data import feature_keys
from components.trainer.layers import ConstantOutput, NBLogisticRegression
from components.trainer.lexicon_columns import lexicon_logit
from components.trainer.optimizers import make_optimizer
from components.training_config import TrainingConfig, training_config

leave_libraries_unconverted()  # before any model of this module is traced (components/trainer/autograph.py)


def model_inputs(keys, embedding_dim: int | None = None) -> dict:
    """Keras inputs for the transformed features `keys`."""
    specs = {
        features.TEXT: dict(shape=(), dtype=tf.string),
        features.NGRAMS: dict(shape=(None,), dtype=tf.int64, sparse=True),
        features.EMBEDDING: dict(shape=(embedding_dim,), dtype=tf.float32),
        features.WORD_COUNT: dict(shape=(1,), dtype=tf.int64),
    }
    return {k: tf_keras.Input(name=k, **specs[k]) for k in keys}


def output_name(task: str) -> str:
    return features.PREDICTED_RATING if task == "regression" else features.PROBABILITY


def build_model(config: TrainingConfig | dict | str, *, embedding_dim: int | None = None,
                ngram_keys=None, nb_ratios=None, prior: float | None = None,
                **overrides) -> tf_keras.Model:
    """The compiled Keras model of one (non-ensemble) TrainingConfig.

    Inputs: a dict of the transformed features in feature_keys(config). Output: the
    probability of a positive review, or the rating for task "regression".
    `embedding_dim` (precomputed vectors), `ngram_keys`/`nb_ratios` (wide: the kept n-gram ids
    and their ratios, naive_bayes.ngram_table) and `prior` (majority: the constant output)
    come from the data.
    """
    config = training_config(config, **overrides)
    if config.head == "ensemble":
        raise ValueError("build_model builds single models; training.train_model assembles ensembles")
    regression = config.task == "regression"
    inputs = model_inputs(feature_keys(config), embedding_dim)
    name = output_name(config.task)
    activation = None if regression else "sigmoid"
    regularizer = tf_keras.regularizers.L2(config.l2) if config.l2 else None
    if config.head == "majority":
        default = features.RATING_THRESHOLD if regression else 0.5
        output = ConstantOutput(default if prior is None else prior, name=name)(inputs[features.TEXT])
    elif config.head == "wide":
        if ngram_keys is None:
            raise ValueError("a wide model needs its n-gram table (naive_bayes.ngram_table)")
        score = NBLogisticRegression(len(ngram_keys), nb_ratios, l2=config.l2, keys=ngram_keys, name="nb_logistic")(
            inputs[features.NGRAMS])
        if config.lexicon:  # VADER's scores of the text, three more columns (lexicon_columns.py)
            score = score + lexicon_logit(inputs[features.TEXT], config.l2)
        output = tf_keras.layers.Activation(activation or "linear", name=name)(
            score + features.RATING_THRESHOLD if regression else score)
    else:
        if config.precompute:
            x = inputs[features.EMBEDDING]
        else:
            x = import_hub().KerasLayer(resolve_module_handle(config.module), trainable=config.trainable,
                                        name="embedding")(inputs[features.TEXT])
        for i, units in enumerate(config.hidden_units):
            x = tf_keras.layers.Dense(units, activation="relu", kernel_regularizer=regularizer, name=f"hidden_{i}")(x)
            if config.dropout:
                x = tf_keras.layers.Dropout(config.dropout, name=f"dropout_{i}")(x)
        output = tf_keras.layers.Dense(
            1, activation=activation, kernel_regularizer=regularizer, name=name,
            bias_initializer=tf_keras.initializers.Constant(features.RATING_THRESHOLD) if regression else "zeros")(x)
    model = tf_keras.Model(inputs, output)
    compile_model(model, config)
    return model


def compile_model(model: tf_keras.Model, config: TrainingConfig) -> None:
    """Compiles `model` (one of config's, or its head: components/trainer/frozen_module.py)
    with config's optimiser, loss and metrics."""
    regression = config.task == "regression"
    reduction = tf_keras.losses.Reduction.SUM if config.loss_reduction == "sum" else tf_keras.losses.Reduction.AUTO
    if regression:
        loss = tf_keras.losses.MeanSquaredError(reduction=reduction)
        metrics = [tf_keras.metrics.RootMeanSquaredError(name="rmse"), tf_keras.metrics.MeanAbsoluteError(name="mae")]
    else:
        loss = tf_keras.losses.BinaryCrossentropy(reduction=reduction)
        metrics = [tf_keras.metrics.BinaryAccuracy(name="accuracy"), tf_keras.metrics.AUC(name="auc")]
    model.compile(optimizer=make_optimizer(config), loss=loss, metrics=metrics)
