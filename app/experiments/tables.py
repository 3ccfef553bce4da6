"""The experiment table: Markdown, CSV and JSON.

The JSON is the rows as they are; the CSV has every key of the rows as a column; the Markdown
has COLUMNS, then one accuracy column per snippet set and per guard set (datasets.py).
"""
from __future__ import annotations

import csv
import json
import os

from app.experiments import datasets

COLUMNS = [("row", "row"), ("module", "module"), ("trainable", "trainable"), ("head", "head"), ("task", "task"),
           ("train_accuracy", "train acc"), ("eval_accuracy", "eval acc"), ("test_accuracy", "test acc"),
           ("test_auc", "test AUC"), ("test_rmse", "test RMSE"), ("test_mae", "test MAE"),
           ("training_seconds", "training s"), ("trainable_params", "trainable params"), ("params", "params")]


def fmt(value, key: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.1f}" if key.endswith("seconds") else f"{value:.4f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def columns(table: list[dict]) -> list[tuple[str, str]]:
    """(key, title) of the Markdown table's columns: COLUMNS, then the snippet sets' accuracy (each
    always: `-` in a row without it), then the guard sets' that any row has, sorted by name."""
    return COLUMNS + datasets.columns(table)


def markdown(table: list[dict]) -> str:
    shown = columns(table)
    lines = ["| " + " | ".join(title for _, title in shown) + " |",
             "|" + "|".join("---" for _ in shown) + "|"]
    lines += ["| " + " | ".join(fmt(r.get(key), key) for key, _ in shown) + " |" for r in table]
    notes = [f"- {r['row']}: {r['note']}" + (f" (best: {r['hyperparameters']})" if r.get("hyperparameters") else "")
             for r in table if r.get("note")]
    return "\n".join(lines + [""] + notes) + "\n"


def table_paths(output_dir: str) -> dict[str, str]:
    """{format: path} of the table's files under `output_dir`."""
    return {ext: os.path.join(output_dir, f"experiments.{ext}") for ext in ("md", "csv", "json")}


def write_table(table: list[dict], output_dir: str) -> dict[str, str]:
    paths = table_paths(output_dir)
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
