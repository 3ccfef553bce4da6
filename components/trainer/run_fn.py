"""The TFX Trainer's entry point (GenericExecutor): `components.trainer.run_fn.run_fn`.

Trains the model of the TrainingConfig in custom_config (with the Tuner's best values, if a
Tuner ran), saves it with the signatures of components.trainer.signatures, and writes
`metrics.json` to its model-run directory: accuracy/AUC (and RMSE/MAE for regression) on the
train and eval splits, training wall time and parameter counts (read by `imdb-tfx experiment`),
and what the model started from (`warm_start`: the base model, fn_args.base_model, when its
architecture matches: components/trainer/warm_start.py), which the exported model records too,
with the raw examples it was trained on (components/training_data_record.py).
"""
from __future__ import annotations

import dataclasses
import json
import os
import time

import tensorflow as tf
from absl import logging

from components import features, training_data_record
from components.trainer import METRICS_FILE, frozen_module, seen_reviews, warm_start
from components.trainer.input_data import TrainingData
from components.trainer.metrics import count_params, split_metrics
from components.trainer.signatures import make_signatures
from components.trainer.training import train_model
from components.training_config import apply_hyperparameters, training_config


def run_fn(fn_args) -> None:
    """TFX Trainer entry point."""
    begin = time.time()
    config = apply_hyperparameters(training_config(fn_args.custom_config), fn_args.hyperparameters)
    logging.info("training %s", config)
    data = TrainingData.from_fn_args(fn_args)
    reviews = seen_reviews.fingerprints(data.dataset(config, features.TRAIN_SPLIT, keys=[features.TEXT],
                                                     batch_size=1000, reviews=True))
    warm = warm_start.plan(config, getattr(fn_args, "base_model", None), reviews)
    logging.info("warm start: %s", warm.reason)
    start = time.time()
    model = train_model(config, data, fn_args.train_steps if config.head != "ensemble" else None,
                        log_dir=fn_args.model_run_dir, warm=warm)
    logging.info("warm start: %s", warm.origin)
    seconds = time.time() - start
    metrics = {
        "config": dataclasses.asdict(config),
        "ensemble_weights": getattr(model, "ensemble_weights", None),
        "unlabelled": getattr(model, "unlabelled", None),  # counts of components/trainer/unlabelled.py
        "training_seconds": round(seconds, 1),
        "warm_start": warm.origin,
        "trainable_params": count_params(model.trainable_weights),
        "params": count_params(model.weights),
    }
    phases = {"setup": round(start - begin, 1), "training": round(seconds, 1)}
    start = time.time()
    for split in (features.TRAIN_SPLIT, features.EVAL_SPLIT):
        metrics[split] = split_metrics(*frozen_module.split_inputs(model, config, data, split, 1000), config.task)
    phases["metrics"] = round(time.time() - start, 1)
    start = time.time()
    # Without the optimizer's state: Adam's two moment tables would triple a fine-tuned
    # embedding's size on disk (the serving model is only ever loaded for inference).
    model.save(fn_args.serving_model_dir, save_format="tf", include_optimizer=False,
               signatures=make_signatures(model, data.tf_transform_output, config.task))
    warm_start.export(model, config, fn_args.serving_model_dir, warm.origin, reviews)
    training_data_record.write_model_record(  # the raw examples behind the window: the drift check's reference
        fn_args.serving_model_dir, training_data_record.sources_of_files([*fn_args.train_files, *fn_args.eval_files]))
    phases["export"] = round(time.time() - start, 1)
    metrics["phase_seconds"] = phases  # where the Trainer's time went (docs/warm_start.md)
    logging.info("metrics: %s", metrics)
    tf.io.gfile.makedirs(fn_args.model_run_dir)
    with tf.io.gfile.GFile(os.path.join(fn_args.model_run_dir, METRICS_FILE), "w") as f:
        json.dump(metrics, f, indent=2)
