"""`monitor --export PATH`: the window's logged texts as JSON lines to label, one per distinct text:

    {"text": "...", "label": null, "request_id": "...", "instance": 0, "model_version": "3",
     "probability": 0.93}

Once each `label` is set to 1 (positive) or 0 (negative), the file is a labelled span file
(`text`, `label` 0/1; the other fields are ignored), the format of a span's `*.jsonl` for
`imdb-tfx run --data ROOT` (ROOT/span-<N>/requests.jsonl) and of a guard set
(components/example_gen/guard.py). A line left unlabelled (null) is refused by those readers
with its file and line: nothing unlabelled is trained on. The model's probability is there to
help a labeller sort; it is not a label.
"""
from __future__ import annotations

import json
import os

from app.monitor.window import Prediction
from components.paths import replace_file


def export(predictions: list[Prediction], path: str) -> int:
    """Writes the file (atomically: a temporary file renamed); returns the number of texts."""
    seen, rows = set(), []
    for p in predictions:
        if p.text in seen or not p.text.strip():
            continue  # a text asked again (or an empty one) is labelled once (or not at all)
        seen.add(p.text)
        rows.append({"text": p.text, "label": None, "request_id": p.request_id, "instance": p.instance,
                     "model_version": p.model_version, "probability": round(p.probability, 6)})
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"{path}: no such directory {directory} (--export)")
    replace_file(path, "".join(_line(row) + "\n" for row in rows))
    return len(rows)


def _line(row: dict) -> str:
    line = json.dumps(row, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: escaped, as JSON allows
        line = json.dumps(row)
    return line
