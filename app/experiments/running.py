"""Running an experiment grid: each row one run of the experiment pipeline, then its table row.

Every row is one run of the same pipeline (same name, same metadata store) in experiment
mode: ExampleGen, StatisticsGen, the schema and validation come from the cache, Transform
(with the test and guard splits, unlike production's) runs once per kind of features
(n-grams, a precomputed module) and is then shared by the rows, the row's Trainer (and Tuner) run, and an Evaluator without thresholds measures
the model on the test split. Nothing is blessed or pushed, so the production pipeline's
blessing history and serving directory are untouched. A row whose Trainer ran before with
the same configuration is taken from the cache too, so an interrupted grid resumes.

The table (Markdown, CSV, JSON) has, per row: module, trainable, head, task, train / eval /
test accuracy, test AUC (RMSE and MAE of the rating for regression), training wall time,
parameters, the accuracy and example count on each snippet set and guard set (datasets.py),
and the URIs of the row's model and evaluation in the metadata store.
"""
from __future__ import annotations

import dataclasses
import json
import os
import sys
import time

from components import features
from app import runs
from app.experiments import datasets
from app.experiments.rows import Row
from app.experiments.tables import fmt, write_table
from pipeline import configs, node_ids


def row_result(metadata_path: str, row: Row, execution_id_floor: int, seconds: float) -> dict:
    """The table row of a finished run: the Trainer's metrics.json and the Evaluator's metrics on the
    test split and on each snippet and guard set."""
    import tensorflow as tf

    from components.trainer import METRICS_FILE

    store = runs.open_store(metadata_path)
    model_run = runs.node_output(store, node_ids.EXPERIMENT_TRAINER, "model_run", execution_id_floor)
    model = runs.node_output(store, node_ids.EXPERIMENT_TRAINER, "model", execution_id_floor)
    evaluation = runs.node_output(store, node_ids.EXPERIMENT_EVALUATOR, "evaluation", execution_id_floor)
    if model_run is None or evaluation is None:
        raise RuntimeError(f"experiment row {row.name}: the run left no model or evaluation in {metadata_path}")
    with tf.io.gfile.GFile(os.path.join(model_run.uri, METRICS_FILE)) as f:
        trained = json.load(f)
    test = runs.overall_metrics(evaluation.uri)
    t = row.training
    result = {
        "row": row.name,
        "module": "+".join(m.module if m.head == "dnn" else m.head for m in t.single_models())
        if t.head in ("ensemble", "dnn") else "-",
        "trainable": any(m.trainable for m in t.single_models()),
        # The units actually trained (a tuned row's come from the Tuner).
        "head": t.head if t.head != "dnn" else "dnn " + "x".join(map(str, trained["config"]["hidden_units"])),
        "task": t.task,
        "train_accuracy": trained[features.TRAIN_SPLIT]["accuracy"],
        "eval_accuracy": trained[features.EVAL_SPLIT]["accuracy"],
        "test_accuracy": test.get("binary_accuracy"),
        "test_auc": test.get("auc"),
        "test_rmse": test["mean_squared_error"] ** 0.5 if "mean_squared_error" in test else None,
        "test_mae": test.get("mean_absolute_error"),
        "test_examples": test.get("example_count"),
        "training_seconds": trained["training_seconds"],
        "trainable_params": trained["trainable_params"],
        "params": trained["params"],
        **datasets.evaluation_columns(evaluation.uri),
        "run_seconds": round(seconds, 1),
        "note": row.note,
        "hyperparameters": {k: trained["config"][k] for k in ("learning_rate", "hidden_units", "dropout")}
        if t.tune else None,
        "ensemble_weights": trained.get("ensemble_weights"),
        "unlabelled": trained.get("unlabelled"),  # the unlabelled reviews a member learnt from
        "model_uri": model.uri if model else None,
        "evaluation_uri": evaluation.uri,
    }
    return result


def run_grid(config: configs.PipelineConfig, rows: list[Row], output_dir: str, *,
             progress_stream=None) -> list[dict]:
    """Runs each row through the pipeline (experiment mode) and writes the table after each row."""
    progress_stream = progress_stream or sys.stderr  # at call time: sys.stderr may be replaced
    from pipeline import experiment, local_runner

    os.makedirs(output_dir, exist_ok=True)
    table = []
    for i, row in enumerate(rows, 1):
        progress_stream.write(f"== experiment row {i}/{len(rows)}: {row.name} ({row.note})\n")
        progress_stream.flush()
        floor = runs.max_execution_id(config.metadata_path)
        start = time.time()
        local_runner.run(dataclasses.replace(config, training=row.training), progress_stream=progress_stream,
                         create_pipeline=experiment.create_pipeline)
        table.append(row_result(config.metadata_path, row, floor, time.time() - start))
        write_table(table, output_dir)
        progress_stream.write(f"== {row.name}: test accuracy {fmt(table[-1]['test_accuracy'])}\n")
    return table
