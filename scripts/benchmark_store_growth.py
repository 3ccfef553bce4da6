"""What a year of a scheduled pipeline's metadata store costs a run, in one invocation: the same
`imdb-tfx run` on the store of a few real runs and on that store grown as a year grows it
(scripts/grown_store.py: a new span a day, the hours between them reruns from the cache), taking
turns, each on a fresh copy of its store and an empty serving directory.

    .venv/bin/python scripts/benchmark_store_growth.py --metadata-path /tmp/s22/chain/metadata.sqlite \\
        --pipeline-root /tmp/s22/chain/root --data ~/.cache/imdb-tfx/spans --span 4 --window 3 \\
        --workdir /tmp/growth [--days 365] \\
        [--reruns-per-day 23] [--rounds 2] [-- more run flags]

The template store is the chain of a spans benchmark (its newest run is cloned; its artifacts'
files are read where they are). A store holds one pipeline root's runs (pipeline/run_lock.py),
so the runs write into the template's root: what each run adds there is removed after it (the
root's entries, four levels down, that were not there before: run nothing else on that root
meanwhile). Reported per store: the run's
wall time (its summary's wall_time_s), each node's time from its progress lines, and the rest
(the run's own work around its nodes: input resolution, cache lookups, store queries, start
and end); and grown / original for each. The run flags default to `--snippet-reviews 0`.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

from grown_store import grow  # beside this script
from json_report import print_report
from worktree import ROOT

FINISHED = re.compile(r"^\s+(\S+) finished in ([\d.]+) s$")


def entries(root: str) -> set[str]:
    """The paths under `root`, four levels down (<node>/<output key>/<execution id>, and
    <node>/.system/executor_execution/<execution id>)."""
    found = set()
    for directory, folders, files in os.walk(root):
        depth = os.path.relpath(directory, root).count(os.sep) + (directory != root)
        found.update(os.path.join(directory, name) for name in folders + files)
        if depth >= 3:
            folders.clear()
    return found


def remove_new(root: str, before: set[str]) -> None:
    """Removes what was added under `root` since `before` (entries()), the top-most paths."""
    for path in sorted(entries(root) - before):
        if os.path.lexists(path) and os.path.dirname(path) in before | {root}:
            shutil.rmtree(path) if os.path.isdir(path) and not os.path.islink(path) else os.remove(path)


def run(store: str, args, name: str, extra: list[str]) -> dict:
    """`imdb-tfx run` on a copy of `store`; its wall time, node times and status."""
    folder = os.path.join(args.workdir, name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    copy = os.path.join(folder, "metadata.sqlite")
    shutil.copy(store, copy)
    command = [os.path.join(ROOT, ".venv", "bin", "imdb-tfx"), "run", "--data", args.data, "--span", str(args.span),
               "--window", str(args.window), "--pipeline-root", args.pipeline_root, "--metadata-path", copy,
               "--serving-dir", os.path.join(folder, "serving"), *extra]
    before = entries(args.pipeline_root)
    begin = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    finally:
        wall = time.perf_counter() - begin
        remove_new(args.pipeline_root, before)
    if done.returncode not in (0, 3):
        sys.exit(f"benchmark_store_growth: the run on {name} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    summary = json.loads(done.stdout)
    nodes = {m.group(1): float(m.group(2)) for m in map(FINISHED.match, done.stderr.splitlines()) if m}
    return {"status": done.returncode, "process_s": round(wall, 2), "wall_time_s": summary["wall_time_s"],
            "nodes_s": nodes, "rest_s": round(summary["wall_time_s"] - sum(nodes.values()), 2),
            "blessed": summary["blessed"], "pushed": summary["pushed"], "warm_start": summary["warm_start"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--metadata-path", required=True, help="the store of a few real runs (its newest is cloned)")
    parser.add_argument("--pipeline-root", required=True, help="those runs' root (the measured runs write there too)")
    parser.add_argument("--data", required=True, help="the spans folder those runs read")
    parser.add_argument("--span", type=int, required=True, help="the span the measured runs read (a new one)")
    parser.add_argument("--window", type=int, default=3)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--days", type=int, default=365, help="new spans (clones of the newest run)")
    parser.add_argument("--reruns-per-day", type=int, default=23, help="cached reruns after each")
    parser.add_argument("--rounds", type=int, default=2, help="runs on each store, taking turns")
    parser.add_argument("--grown", help="a store grown earlier from the same template (not grown again)")
    parser.add_argument("--output", help="also write the JSON here")
    args, extra = parser.parse_known_args()
    args.pipeline_root = os.path.normpath(os.path.abspath(args.pipeline_root))
    extra = [a for a in extra if a != "--"] or ["--snippet-reviews", "0"]
    if not os.path.isfile(args.metadata_path):
        sys.exit(f"benchmark_store_growth: {args.metadata_path}: no such store")
    os.makedirs(args.workdir, exist_ok=True)
    stores = {"original": os.path.join(args.workdir, "original.sqlite"), "grown": os.path.join(args.workdir, "grown.sqlite")}
    shutil.copy(args.metadata_path, stores["original"])
    shutil.copy(args.grown or args.metadata_path, stores["grown"])
    begin = time.perf_counter()
    counts = ({"grown_earlier": args.grown} if args.grown else
              grow(stores["grown"], args.days, args.reruns_per_day,
                   progress=lambda day: day % 30 or print(f"  grown: {day} days", file=sys.stderr, flush=True)))
    report = {"command": " ".join(["scripts/benchmark_store_growth.py", *sys.argv[1:]]), "run_flags": extra,
              "grown_store": {**counts, "days": args.days, "reruns_per_day": args.reruns_per_day,
                              "seconds_to_grow": round(time.perf_counter() - begin, 1),
                              "megabytes": round(os.path.getsize(stores["grown"]) / 2**20, 1)},
              "runs": {name: [] for name in stores}}
    for round_ in range(args.rounds):
        for name in (list(stores) if round_ % 2 == 0 else list(reversed(stores))):  # each first in turn
            result = run(stores[name], args, f"{name}-{round_}", extra)
            report["runs"][name].append(result)
            print(f"  {name} {round_}: {result['wall_time_s']} s (nodes {sum(result['nodes_s'].values()):.1f} s, "
                  f"rest {result['rest_s']} s)", file=sys.stderr, flush=True)

    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in report["runs"][name])

    report["medians"] = {name: {"wall_time_s": median(name, "wall_time_s"), "rest_s": median(name, "rest_s")}
                         for name in stores}
    report["grown/original"] = {key: round(median("grown", key) / median("original", key), 3)
                                for key in ("wall_time_s", "rest_s")}
    print_report(report, args.output)


if __name__ == "__main__":
    main()
