"""The benchmarks' output: their JSON report on stdout, and into --output when given."""
from __future__ import annotations

import json
import os


def print_report(report: dict, output: str | None) -> None:
    """The benchmark's JSON on stdout, and into `output` when given."""
    text = json.dumps(report, indent=2)
    print(text)
    if output:
        os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
        with open(output, "w") as f:
            f.write(text + "\n")
