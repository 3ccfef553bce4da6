"""The pipeline benchmark (scripts/benchmark.py) of this working tree against another commit, in
one invocation: the two alternate for --rounds rounds (a git worktree of the commit under
--workdir, run with this .venv), each run from scratch in its own root and store, and the
medians of the whole run and of each component are reported with their ratio (this tree / the
commit), so that a change is measured against the machine's state at the same time.

    .venv/bin/python scripts/benchmark_against.py --commit HEAD --workdir /tmp/against [--rounds 2] \\
        -- --data ../shared/data/aclImdb_v1.tar.gz --preset best

Everything after `--` goes to both benchmark.py runs (not --workdir or --output: this script
sets them). Each run's root, store and log stay under --workdir (tree-<round>, commit-<round>);
writes <workdir>/against.json and prints it.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys

from worktree import ROOT, WorktreeError, commit_tree  # beside this script


def alternate(args, tree: str) -> tuple[str, dict]:
    """(the commit's short hash, {"this tree": [reports], commit: [reports]}): the two take turns."""
    commit = subprocess.run(["git", "-C", tree, "rev-parse", "--short", "HEAD"], check=True, capture_output=True,
                            text=True).stdout.strip()
    runs = {"this tree": [], commit: []}
    for round_ in range(args.rounds):
        order = [("this tree", ROOT), (commit, tree)]
        for name, code in order if round_ % 2 == 0 else order[::-1]:
            output = os.path.join(args.workdir, f"{'tree' if code == ROOT else 'commit'}-{round_}")
            with open(output + ".log", "w") as log:
                ran = subprocess.run([sys.executable, os.path.join(code, "scripts", "benchmark.py"),
                                      *args.benchmark_args, "--workdir", output, "--output", output + ".json"],
                                     stdout=log, stderr=subprocess.STDOUT)
            if ran.returncode:
                sys.exit(f"benchmark_against: the {name} run failed (status {ran.returncode}): see {output}.log")
            with open(output + ".json") as f:
                runs[name].append(json.load(f))
    return commit, runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commit", required=True, help="the commit to compare with (a worktree of it is made)")
    parser.add_argument("--workdir", required=True, help="emptied first")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("benchmark_args", nargs="*", help="after --: scripts/benchmark.py's flags")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds: at least 1")
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    try:
        with commit_tree(args.commit, os.path.join(args.workdir, "commit")) as tree:
            commit, runs = alternate(args, tree)
    except WorktreeError as e:
        parser.error(str(e))

    def medians(reports):
        components = {c: statistics.median(r["component_wall_s"][c] for r in reports) for c in reports[0]["component_wall_s"]}
        return {"total_wall_s": statistics.median(r["total_wall_s"] for r in reports), "component_wall_s": components,
                "test_accuracy": [r.get("test_metrics", {}).get("binary_accuracy") for r in reports],
                "totals": [r["total_wall_s"] for r in reports]}

    mine, theirs = medians(runs["this tree"]), medians(runs[commit])
    report = {"commit": commit, "rounds": args.rounds, "benchmark_args": args.benchmark_args,
              "this_tree": mine, "commit_runs": theirs,
              "ratio_total": round(mine["total_wall_s"] / theirs["total_wall_s"], 3),
              "ratio_components": {c: round(s / theirs["component_wall_s"][c], 3)
                                   for c, s in mine["component_wall_s"].items() if theirs["component_wall_s"].get(c, 0) > 1}}
    with open(os.path.join(args.workdir, "against.json"), "w") as f:
        json.dump(report, f, indent=2)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
