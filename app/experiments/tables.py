"""The experiment table: Markdown, CSV and JSON.

The JSON is the rows as they are; the CSV has every key of the rows as a column; the Markdown
has COLUMNS, then one accuracy column per snippet set and per guard set (datasets.py).
"""
from __future__ import annotations

import csv
import io
import json
import os

from app.experiments import datasets
from components.paths import replace_file

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
    """The table's three files, each written whole or not at all (rewritten after every row: a
    full disk leaves the rows before it)."""
    paths = table_paths(output_dir)
    replace_file(paths["md"], markdown(table))
    replace_file(paths["json"], json.dumps(table, indent=2))
    keys = list(dict.fromkeys(k for r in table for k in r))
    rows = io.StringIO(newline="")
    writer = csv.DictWriter(rows, fieldnames=keys)
    writer.writeheader()
    writer.writerows({k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in r.items()} for r in table)
    replace_file(paths["csv"], rows.getvalue())
    return paths
