"""The TFX Tuner's entry point (`components.tuner.tuner_fn.tuner_fn`): random search over
learning rate, hidden units and dropout.

Each trial trains the Trainer's model (components.trainer.training.train_model) with the
trial's values for TrainArgs.num_steps steps on the `train` split and scores it by accuracy
on the `eval` split; the test split is never read. TFX's Tuner writes the best values, which
the Trainer applies (training_config.apply_hyperparameters).

keras-tuner drives the search (its oracle, trial bookkeeping and reports), but trials are
trained here rather than by keras-tuner's own `model.fit`, whose callbacks are Keras 3's
while the models are Keras 2 (tf_keras).
"""
from __future__ import annotations

import keras_tuner
from absl import logging
from tfx.components.tuner.component import TunerFnResult

from components import features
from components.trainer.input_data import TrainingData
from components.trainer.metrics import split_metrics
from components.trainer.training import train_model
from components.training_config import apply_hyperparameters, training_config

OBJECTIVE = "val_accuracy"
# Per optimiser (every one of training_config.OPTIMIZERS).
LEARNING_RATES = {"adagrad": [0.003, 0.01, 0.03, 0.1], "adam": [0.0003, 0.001, 0.003],
                  "proximal_adagrad": [0.003, 0.01, 0.03, 0.1], "ftrl": [0.003, 0.01, 0.03, 0.1]}
# lbfgs has no learning rate (components/trainer/lbfgs.py): the Tuner searches its L2 strength.
L2_STRENGTHS = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3]
HIDDEN_UNITS = ["500,100", "256", "100,50"]
DROPOUTS = [0.0, 0.2, 0.5]


def search_space(config) -> keras_tuner.HyperParameters:
    hp = keras_tuner.HyperParameters()
    if config.optimizer == "lbfgs":
        hp.Choice("l2", L2_STRENGTHS)
    else:
        hp.Choice("learning_rate", LEARNING_RATES[config.optimizer])
    if config.head == "dnn":
        hp.Choice("hidden_units", HIDDEN_UNITS)
        hp.Choice("dropout", DROPOUTS)
    return hp


class TrainingTuner(keras_tuner.Tuner):
    """Trains the Trainer's model for each trial; the objective is eval-split accuracy."""

    def run_trial(self, trial, *, data: TrainingData, config, steps: int):
        trial_config = apply_hyperparameters(config, {"values": trial.hyperparameters.values})
        logging.info("trial %s: %s", trial.trial_id, trial.hyperparameters.values)
        model = train_model(trial_config, data, steps, validate=False)
        metrics = split_metrics(model, data.dataset(trial_config, features.EVAL_SPLIT, batch_size=1000), config.task)
        return {OBJECTIVE: metrics["accuracy"]}


def tuner_fn(fn_args) -> TunerFnResult:
    """TFX Tuner entry point."""
    config = training_config(fn_args.custom_config)
    if config.head == "ensemble":
        raise ValueError("tuning an ensemble is not supported: tune its members one by one")
    tuner = TrainingTuner(
        oracle=keras_tuner.oracles.RandomSearchOracle(
            objective=keras_tuner.Objective(OBJECTIVE, "max"), max_trials=config.tuner_trials,
            hyperparameters=search_space(config), seed=1,
            max_consecutive_failed_trials=1),  # a failing trial is a bug: stop, do not pick from the rest
        directory=fn_args.working_dir, project_name="imdb_tuning", overwrite=True)
    data = TrainingData.from_fn_args(fn_args)
    return TunerFnResult(tuner=tuner, fit_kwargs={
        "data": data, "config": config,
        "steps": fn_args.train_steps or config.tuner_steps or config.train_steps})
