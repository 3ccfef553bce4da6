"""Benchmark: what Python start-up costs here, with the installed bytecode and without it.

    .venv/bin/python scripts/benchmark_startup.py

Every process of the pipeline imports TensorFlow, TFX, TFMA or kserve: the run itself, the
model server the InfraValidator starts, each test's subprocesses. scripts/setup.sh installs the
stack with compiled bytecode; without it, and with PYTHONDONTWRITEBYTECODE set (as on this
project's machines), Python compiles every imported module from source in every process.
This times, in fresh processes and in turn, a few imports with the installed bytecode and
without it (PYTHONPYCACHEPREFIX pointing at an empty directory, where Python then looks for
bytecode in vain and writes none), and `import kserve` the way the model server does it (its
IRI grammar hidden: components/serving/imports.py) and plainly; prints each pair's ratio and
writes a JSON.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

SERVER_KSERVE = "from components.serving.imports import hide_iri_grammar; hide_iri_grammar(); import kserve"
CASES = (
    ("import tensorflow", "import components, tensorflow"),
    ("import kserve", "import kserve"),
    ("import kserve as the server does", SERVER_KSERVE),
    ("from tfx import v1", "import components; from tfx import v1"),
)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from benchmark import write_report  # noqa: E402  (scripts/, this file's folder, is on sys.path)


def timed(code: str, env: dict) -> float:
    start = time.time()
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.time() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--output", default="output/benchmark-startup.json")
    args = parser.parse_args()
    report = {}
    with tempfile.TemporaryDirectory() as empty:
        compiled = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        source = dict(compiled, PYTHONPYCACHEPREFIX=empty)
        for name, code in CASES:
            times = {"bytecode": [], "source": []}
            for _ in range(args.repeats):
                times["bytecode"].append(timed(code, compiled))
                times["source"].append(timed(code, source))
            best = {k: min(v) for k, v in times.items()}
            report[name] = {"bytecode_s": round(best["bytecode"], 2), "source_s": round(best["source"], 2),
                            "ratio": round(best["bytecode"] / best["source"], 3)}
            print(f"{name:34s} bytecode {best['bytecode']:6.2f} s   from source {best['source']:6.2f} s   "
                  f"ratio {best['bytecode'] / best['source']:.3f}", flush=True)
    plain, server = report["import kserve"]["bytecode_s"], report["import kserve as the server does"]["bytecode_s"]
    print(f"kserve as the server imports it / plainly (bytecode): {server:.2f} / {plain:.2f} s = {server / plain:.3f}")
    report["server_kserve_ratio"] = round(server / plain, 3)
    write_report(report, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
