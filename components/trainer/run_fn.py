"""The TFX Trainer's entry point (GenericExecutor): `components.trainer.run_fn.run_fn`.

Trains the model of the TrainingConfig in custom_config (with the Tuner's best values, if a
Tuner ran), saves it with the signatures of components.trainer.signatures, and writes
`metrics.json` to its model-run directory: accuracy/AUC (and RMSE/MAE for regression) on the
train and eval splits, training wall time and parameter counts (read by `imdb-tfx experiment`).
"""
from __future__ import annotations

import dataclasses
import json
import os
import time

import tensorflow as tf
from absl import logging

from components.trainer import METRICS_FILE
from components.trainer.data import TrainingData
from components.trainer.metrics import count_params, split_metrics
from components.trainer.signatures import make_signatures
from components.trainer.training import train_model
from components.training_config import apply_hyperparameters, training_config


def run_fn(fn_args) -> None:
    """TFX Trainer entry point."""
    config = apply_hyperparameters(training_config(fn_args.custom_config), fn_args.hyperparameters)
    logging.info("training %s", config)
    data = TrainingData.from_fn_args(fn_args)
    start = time.time()
    model = train_model(config, data, fn_args.train_steps if config.head != "ensemble" else None,
                        log_dir=fn_args.model_run_dir)
    seconds = time.time() - start
    metrics = {
        "config": dataclasses.asdict(config),
        "ensemble_weights": getattr(model, "ensemble_weights", None),
        "unlabelled": getattr(model, "unlabelled", None),  # counts of components/trainer/unlabelled.py
        "training_seconds": round(seconds, 1),
        "trainable_params": count_params(model.trainable_weights),
        "params": count_params(model.weights),
    }
    for split in ("train", "eval"):
        metrics[split] = split_metrics(model, data.dataset(config, split, batch_size=1000), config.task)
    logging.info("metrics: %s", metrics)
    tf.io.gfile.makedirs(fn_args.model_run_dir)
    with tf.io.gfile.GFile(os.path.join(fn_args.model_run_dir, METRICS_FILE), "w") as f:
        json.dump(metrics, f, indent=2)
    # Without the optimizer's state: Adam's two moment tables would triple a fine-tuned
    # embedding's size on disk (the serving model is only ever loaded for inference).
    model.save(fn_args.serving_model_dir, save_format="tf", include_optimizer=False,
               signatures=make_signatures(model, data.tf_transform_output, config.task))
