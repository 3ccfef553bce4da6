"""`imdb-tfx experiment`: named grids of training set-ups, each run through `create_pipeline`.

Every row is one run of the same pipeline (same name, same metadata store) in experiment
mode: ExampleGen, StatisticsGen, the schema, validation and Transform come from the cache
(Transform reruns only for a row that needs other features: n-grams, a precomputed
module), the row's Trainer (and Tuner) run, and an Evaluator without thresholds measures
the model on the test split. Nothing is blessed or pushed, so the production pipeline's
blessing history and serving directory are untouched. A row whose Trainer ran before with
the same configuration is taken from the cache too, so an interrupted grid resumes.

The table (Markdown, CSV, JSON) has, per row: module, trainable, head, task, train / eval /
test accuracy, test AUC (RMSE and MAE of the rating for regression), training wall time,
parameters, and the URIs of the row's model and evaluation in the metadata store.
"""
from __future__ import annotations

import csv
import dataclasses
import json
import os
import sys
import time

from pipeline import configs

# The tutorial's schedule: Adagrad(0.003), loss summed over batches of 128, 1,000 steps.
TUTORIAL = {}
# Fine-tuning GloVe that converges: Adam(0.001) on the mean loss, 4 epochs of the 22.4k train reviews.
ADAM_4_EPOCHS = {"optimizer": "adam", "learning_rate": 0.001, "loss_reduction": "mean", "train_steps": 704}
# A head on precomputed (frozen) vectors: cheap steps, so 10 epochs; one layer of 256 with dropout
# 0.5, chosen on the eval split among logistic regressions and MLPs (scripts/minilm_heads.py):
# the tutorial's 500x100 head reached 98% on train and 81.7% on eval.
HEAD_ONLY = {"optimizer": "adam", "learning_rate": 0.001, "loss_reduction": "mean", "train_steps": 1760,
             "hidden_units": (256,), "dropout": 0.5}
# Fine-tuning the sentence encoder with its head: BERT-style small steps, batches of 32, 2 epochs.
FINE_TUNE = {"optimizer": "adam", "learning_rate": 3e-5, "loss_reduction": "mean", "batch_size": 32,
             "train_steps": 1400}
# The tutorial's improvement 5: its Adagrad schedule with Proximal Adagrad's L1/L2 shrinkage; the
# strengths chosen on the eval split among 1e-3, 1e-2 and 1e-1, both equal (eval 79.5 / 79.3 / 75.0%).
PROXIMAL = {"optimizer_l1": 0.001, "optimizer_l2": 0.001}
WIDE = {"head": "wide", "ngram_size": 3, "min_count": 3, "optimizer": "adam", "learning_rate": 0.002,
        "loss_reduction": "mean", "l2": 7.4e-5, "train_steps": 1760}


@dataclasses.dataclass
class Row:
    name: str
    training: configs.TrainingConfig
    note: str = ""
    # Needs a GPU: in its grid only where TensorFlow sees one, else only when named with --rows
    # (fine-tuning MiniLM on 2 CPU cores would take about 1.5 h).
    gpu: bool = False


def _row(name: str, note: str = "", gpu: bool = False, **fields) -> Row:
    return Row(name, configs.TrainingConfig(**fields), note, gpu)


def tutorial_rows() -> list[Row]:
    return [
        _row("majority", "majority-class baseline", head="majority"),
        _row("glove-frozen", "tutorial schedule", module="glove", **TUTORIAL),
        _row("glove-trained", "tutorial schedule", module="glove", trainable=True, **TUTORIAL),
        _row("random-frozen", "tutorial schedule", module="random", **TUTORIAL),
        _row("random-trained", "tutorial schedule", module="random", trainable=True, **TUTORIAL),
    ]


def improvement_rows() -> list[Row]:
    return [
        _row("glove-trained-adam", "Adam, 4 epochs", module="glove", trainable=True, **ADAM_4_EPOCHS),
        _row("regression", "improvement 1: DNN regressor on the rating", task="regression", module="glove",
             trainable=True, **ADAM_4_EPOCHS),
        _row("minilm-frozen", "improvements 2/4: sentence encoder, vectors from Transform", module="minilm",
             precompute=True, **HEAD_ONLY),
        _row("minilm-trained", "improvements 2/4: sentence encoder fine-tuned with its head (GPU)", gpu=True,
             module="minilm", trainable=True, **FINE_TUNE),
        _row("glove-trained-tuned", "improvement 3: Tuner on the eval split (6 trials of 4 epochs)",
             module="glove", trainable=True, tune=True, tuner_trials=6, tuner_steps=704, **ADAM_4_EPOCHS),
        _row("ensemble-glove-minilm", "improvement 4: averaged probabilities", head="ensemble", members=(
            {"module": "glove", "trainable": True, **ADAM_4_EPOCHS},
            {"module": "minilm", "precompute": True, **HEAD_ONLY})),
        _row("glove-trained-dropout", "improvement 5: dropout 0.3 on the head", module="glove",
             trainable=True, dropout=0.3, **ADAM_4_EPOCHS),
        _row("glove-trained-dropout-l2", "improvement 5: dropout 0.3 and L2 1e-4 on the head", module="glove",
             trainable=True, dropout=0.3, l2=1e-4, **ADAM_4_EPOCHS),
        _row("glove-trained-proximal", "improvement 5: Proximal Adagrad (L1/L2 in the optimiser), tutorial schedule",
             module="glove", trainable=True, optimizer="proximal_adagrad", **PROXIMAL, **TUTORIAL),
        _row("nb-ngrams", "issue 6: NB-weighted 1-3-gram logistic regression", **WIDE),
        Row("best", configs.preset("best"), "issue 6: n-grams + fine-tuned GloVe, averaged (--preset best)"),
    ]


GRIDS = {
    "tutorial": tutorial_rows,
    "default": lambda: tutorial_rows() + improvement_rows(),
}


def gpu_available() -> bool:
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


def grid_rows(grid: str, only: list[str] | None = None, *, gpu: bool | None = None) -> list[Row]:
    """The rows of a named grid, or only the named ones (GPU rows included).

    `gpu`: whether the grid's GPU rows run (default: whether TensorFlow sees a GPU).
    """
    if grid not in GRIDS:
        raise ValueError(f"unknown grid {grid!r}: use one of {', '.join(GRIDS)}")
    rows = GRIDS[grid]()
    if only:
        names = [r.name for r in rows]
        unknown = [n for n in only if n not in names]
        if unknown:
            raise ValueError(f"grid {grid!r} has no row {', '.join(unknown)}: its rows are {', '.join(names)}")
        return [r for r in rows if r.name in only]
    if not any(r.gpu for r in rows):
        return rows
    with_gpu_rows = gpu_available() if gpu is None else gpu
    return [r for r in rows if with_gpu_rows or not r.gpu]


def _node_output(store, node_id: str, execution_id_floor: int, key: str):
    """The `key` output artifact of the newest execution (id above the floor) of node `node_id`."""
    from ml_metadata.proto import metadata_store_pb2

    contexts = [c for c in store.get_contexts_by_type("node") if c.name.endswith("." + node_id)]
    executions = [e for c in contexts for e in store.get_executions_by_context(c.id) if e.id > execution_id_floor]
    if not executions:
        return None
    newest = max(executions, key=lambda e: e.id)
    ids = [e.artifact_id for e in store.get_events_by_execution_ids([newest.id])
           if e.type == metadata_store_pb2.Event.OUTPUT and e.path.steps[0].key == key]
    return store.get_artifacts_by_id(ids)[0] if ids else None


def row_result(metadata_path: str, row: Row, execution_id_floor: int, seconds: float) -> dict:
    """The table row of a finished run: the Trainer's metrics.json and the Evaluator's test metrics."""
    import tensorflow as tf

    from components.trainer import METRICS_FILE
    from pipeline import results
    from pipeline.pipeline import EXPERIMENT_IDS

    store = results._store(metadata_path)
    model_run = _node_output(store, EXPERIMENT_IDS["Trainer"], execution_id_floor, "model_run")
    model = _node_output(store, EXPERIMENT_IDS["Trainer"], execution_id_floor, "model")
    evaluation = _node_output(store, EXPERIMENT_IDS["Evaluator"], execution_id_floor, "evaluation")
    if model_run is None or evaluation is None:
        raise RuntimeError(f"experiment row {row.name}: the run left no model or evaluation in {metadata_path}")
    with tf.io.gfile.GFile(os.path.join(model_run.uri, METRICS_FILE)) as f:
        trained = json.load(f)
    test = results.overall_metrics(evaluation.uri)
    t = row.training
    result = {
        "row": row.name,
        "module": "+".join(m.module if m.head == "dnn" else m.head for m in t.member_configs())
        if t.head == "ensemble" else (t.module if t.head == "dnn" else "-"),
        "trainable": any(m.trainable for m in t.member_configs()) if t.head == "ensemble" else t.trainable,
        # The units actually trained (a tuned row's come from the Tuner).
        "head": t.head if t.head != "dnn" else "dnn " + "x".join(map(str, trained["config"]["hidden_units"])),
        "task": t.task,
        "train_accuracy": trained["train"]["accuracy"],
        "eval_accuracy": trained["eval"]["accuracy"],
        "test_accuracy": test.get("binary_accuracy"),
        "test_auc": test.get("auc"),
        "test_rmse": test["mean_squared_error"] ** 0.5 if "mean_squared_error" in test else None,
        "test_mae": test.get("mean_absolute_error"),
        "test_examples": test.get("example_count"),
        "training_seconds": trained["training_seconds"],
        "trainable_params": trained["trainable_params"],
        "params": trained["params"],
        "run_seconds": round(seconds, 1),
        "note": row.note,
        "hyperparameters": {k: trained["config"][k] for k in ("learning_rate", "hidden_units", "dropout")}
        if t.tune else None,
        "model_uri": model.uri if model else None,
        "evaluation_uri": evaluation.uri,
    }
    return result


def _max_execution_id(metadata_path: str) -> int:
    if not os.path.exists(metadata_path):
        return 0
    from pipeline import results

    return max((e.id for e in results._store(metadata_path).get_executions()), default=0)


def run_grid(config: configs.PipelineConfig, rows: list[Row], output_dir: str, *,
             progress_stream=sys.stderr) -> list[dict]:
    """Runs each row through the pipeline (experiment mode) and writes the table after each row."""
    from pipeline import local_runner

    os.makedirs(output_dir, exist_ok=True)
    table = []
    for i, row in enumerate(rows, 1):
        progress_stream.write(f"== experiment row {i}/{len(rows)}: {row.name} ({row.note})\n")
        progress_stream.flush()
        floor = _max_execution_id(config.metadata_path)
        start = time.time()
        local_runner.run(dataclasses.replace(config, training=row.training), progress_stream=progress_stream,
                         experiment=True)
        table.append(row_result(config.metadata_path, row, floor, time.time() - start))
        write_table(table, output_dir)
        progress_stream.write(f"== {row.name}: test accuracy {_fmt(table[-1]['test_accuracy'])}\n")
    return table


COLUMNS = [("row", "row"), ("module", "module"), ("trainable", "trainable"), ("head", "head"), ("task", "task"),
           ("train_accuracy", "train acc"), ("eval_accuracy", "eval acc"), ("test_accuracy", "test acc"),
           ("test_auc", "test AUC"), ("test_rmse", "test RMSE"), ("test_mae", "test MAE"),
           ("training_seconds", "training s"), ("trainable_params", "trainable params"), ("params", "params")]


def _fmt(value, key: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.1f}" if key.endswith("seconds") else f"{value:.4f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def markdown(table: list[dict]) -> str:
    lines = ["| " + " | ".join(title for _, title in COLUMNS) + " |",
             "|" + "|".join("---" for _ in COLUMNS) + "|"]
    lines += ["| " + " | ".join(_fmt(r.get(key), key) for key, _ in COLUMNS) + " |" for r in table]
    notes = [f"- {r['row']}: {r['note']}" + (f" (best: {r['hyperparameters']})" if r.get("hyperparameters") else "")
             for r in table if r.get("note")]
    return "\n".join(lines + [""] + notes) + "\n"


def write_table(table: list[dict], output_dir: str) -> dict[str, str]:
    paths = {ext: os.path.join(output_dir, f"experiments.{ext}") for ext in ("md", "csv", "json")}
    with open(paths["md"], "w") as f:
        f.write(markdown(table))
    with open(paths["json"], "w") as f:
        json.dump(table, f, indent=2)
    keys = list(dict.fromkeys(k for r in table for k in r))
    with open(paths["csv"], "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=keys)
        writer.writeheader()
        writer.writerows({k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in r.items()}
                         for r in table)
    return paths
