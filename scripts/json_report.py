"""The benchmarks' output: their JSON report on stdout, and into --output when given; and what a
benchmark's worker process reports (a last line `RESULT {json}`)."""
from __future__ import annotations

import json
import os
import subprocess
import sys


def print_report(report: dict, output: str | None) -> None:
    """The benchmark's JSON on stdout, and into `output` when given."""
    text = json.dumps(report, indent=2)
    print(text)
    if output:
        os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
        with open(output, "w") as f:
            f.write(text + "\n")


def run_worker(benchmark: str, what: str, code: str, *args: str) -> dict:
    """Runs the Python `code` in a fresh interpreter with `args` and returns the JSON of its last
    `RESULT ` line; exits naming `benchmark` and `what` failed (with the worker's stderr) when
    it fails or prints none."""
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode or not lines:
        sys.exit(f"{benchmark}: {what} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT "):])
