"""train_model: builds and trains the model of a TrainingConfig (an ensemble member by member)."""
from __future__ import annotations

import math
import os

import tf_keras
from absl import logging

from components.trainer import ensemble
from components.trainer.data import TrainingData, feature_keys, label_mean
from components.trainer.models import build_model
from components.trainer.naive_bayes import ngram_table
from components.training_config import TrainingConfig, training_config


def train_model(config: TrainingConfig, data: TrainingData, steps: int | None = None, *,
                validate: bool = True, log_dir: str | None = None) -> tf_keras.Model:
    """Builds and trains the model of `config` (`steps` overrides config.train_steps); an
    ensemble trains each member in turn and averages them."""
    if config.head == "ensemble":
        return _train_ensemble(config, data, validate=validate, log_dir=log_dir)
    kwargs: dict = {"embedding_dim": data.embedding_dim()}
    if config.head == "wide":
        keys, ratios = ngram_table(
            data.dataset(training_config(config, task="classification"), "train", batch_size=1000),
            config.min_count, config.nb_alpha)
        logging.info("n-gram table: %d ids in at least %d train reviews", keys.size, config.min_count)
        kwargs.update(ngram_keys=keys, nb_ratios=ratios)
    if config.head == "majority":
        kwargs["prior"] = label_mean(data.dataset(config, "train", batch_size=1000))
    model = build_model(config, **kwargs)
    model.summary(print_fn=logging.info)
    if config.head == "majority":
        return model
    steps = int(steps or config.train_steps)
    evaluations = max(1, min(config.evaluations, steps))
    callbacks = [tf_keras.callbacks.TensorBoard(log_dir=log_dir, update_freq="epoch")] if log_dir else []
    model.fit(
        data.dataset(config, "train", train=True),
        steps_per_epoch=math.ceil(steps / evaluations),
        epochs=evaluations,
        validation_data=data.dataset(config, "eval") if validate else None,
        callbacks=callbacks,
        verbose=2,
    )
    return model


def _train_ensemble(config: TrainingConfig, data: TrainingData, *, validate: bool,
                    log_dir: str | None) -> tf_keras.Model:
    members = [ensemble.inference_copy(train_model(m, data, validate=validate,
                                                   log_dir=log_dir and os.path.join(log_dir, f"member_{i}")))
               for i, m in enumerate(config.member_configs())]
    weights = [1.0 / len(members)] * len(members)
    if config.ensemble_weights == "eval":
        weights = ensemble.eval_weights(members, data.dataset(config, "eval", batch_size=1000), config.task)
    logging.info("ensemble weights: %s", weights)
    return ensemble.ensemble_model(members, weights, feature_keys(config), config.task, data.embedding_dim())
