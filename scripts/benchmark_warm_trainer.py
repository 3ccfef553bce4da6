"""The Trainer warm against cold, alone, in one invocation: the newest Trainer execution of a
metadata store run again with a base model (a warm start) and without (cold), in turn, each in a
fresh process.

    .venv/bin/python scripts/benchmark_warm_trainer.py --metadata-path /tmp/s14/spans/chain/metadata.sqlite \\
        --base-model /tmp/s14/spans/chain/root/Trainer/model/78/Format-Serving --workdir /tmp/wt --pairs 3 \\
        [--commit f75e072]

The spans benchmark (scripts/benchmark_spans.py) measures the same ratio inside whole pipeline
runs; this isolates it, with the time of each of the Trainer's phases (metrics.json's
phase_seconds). With --commit, the same runs with that commit's code (a git worktree) take
turns with this tree's. Prints one JSON object: every run, the medians and warm / cold.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys

from json_report import print_report, run_worker  # beside this script
from worktree import ROOT, WorktreeError, commit_tree

WORKER = """
import json, os, sys, time
sys.path.insert(0, sys.argv[1]); sys.path.insert(0, os.path.join(sys.argv[1], "scripts"))
import components  # the TensorFlow environment
from components.trainer.run_fn import run_fn
from profile_trainer import trainer_fn_args
fn_args = trainer_fn_args(sys.argv[2], sys.argv[3])
fn_args.base_model = sys.argv[4] or None
fn_args.custom_config["warm_start"] = bool(sys.argv[4])
start = time.time()
run_fn(fn_args)
seconds = time.time() - start
metrics = json.load(open(os.path.join(fn_args.model_run_dir, "metrics.json")))
print("RESULT " + json.dumps({"seconds": round(seconds, 2), "phases": metrics["phase_seconds"],
                              "warm_start": metrics["warm_start"], "eval": metrics["eval"],
                              "code": os.path.dirname(os.path.dirname(components.__file__))}))
"""


def run_once(code: str, metadata_path: str, workdir: str, base_model: str) -> dict:
    return run_worker("benchmark_warm_trainer", "the Trainer", WORKER, code, metadata_path, workdir, base_model)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--metadata-path", required=True, help="the store of a finished run (its newest Trainer)")
    parser.add_argument("--base-model", required=True, help="a blessed model's serving directory to start from")
    parser.add_argument("--workdir", required=True, help="where the runs write their models")
    parser.add_argument("--pairs", type=int, default=3, help="warm and cold runs, in turn")
    parser.add_argument("--commit", help="also run the Trainer of this commit (a worktree of it), in turn")
    parser.add_argument("--output", help="also write the JSON here")
    args = parser.parse_args()
    for path in (args.metadata_path, args.base_model):
        if not os.path.exists(path):
            sys.exit(f"benchmark_warm_trainer: {path}: not found")
    codes = {"tree": ROOT}
    with contextlib.ExitStack() as stack:
        if args.commit:
            try:
                codes[args.commit] = stack.enter_context(commit_tree(args.commit, os.path.join(args.workdir, "commit")))
            except WorktreeError as e:
                sys.exit(f"benchmark_warm_trainer: {e}")
        runs = {name: {"warm": [], "cold": []} for name in codes}
        for i in range(args.pairs):
            for name, code in codes.items():
                for kind in ("warm", "cold"):
                    workdir = os.path.join(args.workdir, f"{name}-{kind}-{i}")
                    result = run_once(code, args.metadata_path, workdir, args.base_model if kind == "warm" else "")
                    runs[name][kind].append(result)
                    print(name, kind, result["seconds"], result["phases"], file=sys.stderr, flush=True)
    report = {"command": " ".join(sys.argv), "runs": runs}
    for name, by_kind in runs.items():
        medians = {kind: statistics.median(r["seconds"] for r in by_kind[kind]) for kind in by_kind}
        report[name] = {"median_seconds": medians, "warm/cold": round(medians["warm"] / medians["cold"], 3),
                        "warm/cold by pair": [round(w["seconds"] / c["seconds"], 3)
                                              for w, c in zip(by_kind["warm"], by_kind["cold"])]}
    if args.commit:
        report["tree/commit"] = {kind: round(report["tree"]["median_seconds"][kind]
                                             / report[args.commit]["median_seconds"][kind], 3) for kind in ("warm", "cold")}
    print_report(report, args.output)


if __name__ == "__main__":
    main()
