"""The metadata-store queries a run makes around its pipeline, on a store of many runs, this
tree's against a commit's, in one invocation: what a pipeline run every hour for a year adds to
every run (a node of 8,760 runs holds 8,760 executions).

    .venv/bin/python scripts/benchmark_store_queries.py --runs 1000 --workdir /tmp/sq --commit b391dca

Builds a store of --runs runs of the production pipeline's 14 nodes (one execution each a run,
written straight through ML Metadata: no artifacts), then, in turn for each code (a fresh
process each, --rounds times), times: the newest execution id (taken before a run),
`cached_nodes` and the three `node_output` calls of the last run's summary, `trained_in_run`,
the status line's `last_durations`, and the start-up's search for executions a dead run left
RUNNING (on a copy of the store: it writes), with TFX's metadata module imported first, as a
run has it. Prints one JSON object: seconds per query and code, and
this tree's / the commit's.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys

from json_report import print_report, run_worker  # beside this script
from worktree import ROOT, WorktreeError, commit_tree

NODES = ("FileBasedExampleGen", "ImportSchemaGen", "drift_model_resolver", "DriftCheck", "StatisticsGen",
         "ExampleValidator", "AnomaliesGate", "Transform", "base_model_resolver", "Trainer",
         "latest_blessed_model_resolver", "Evaluator", "InfraValidator", "Pusher")

WORKER = """
import json, shutil, sys, time
sys.path.insert(0, sys.argv[1])
from app import history, runs, span_runs
from pipeline import recovery
import tfx.orchestration.metadata  # imported by a run before these queries (pipeline/local_runner.py)
store_path, floor, scratch = sys.argv[2], int(sys.argv[3]), sys.argv[4]
store = runs.open_store(store_path)
seconds = {}
def timed(name, call):
    start = time.perf_counter(); value = call(); seconds[name] = round(time.perf_counter() - start, 4)
    return value
timed("max_execution_id", lambda: runs.max_execution_id(store_path))
timed("cached_nodes", lambda: runs.cached_nodes(store_path, floor))
timed("node_output x3", lambda: [runs.node_output(store, node, key, floor) for node, key in  # span_runs' three
                                 (("FileBasedExampleGen", "examples"), ("DriftCheck", "drift"), ("Trainer", "model"))])
timed("trained_in_run", lambda: span_runs.trained_in_run(store_path, floor))
timed("last_durations", lambda: history.last_durations(store_path))
shutil.copy(store_path, scratch)
timed("abandoned_executions", lambda: recovery.abandoned_executions(scratch, scratch + ".root"))
print("RESULT " + json.dumps(seconds))
"""


def build_store(path: str, runs: int) -> int:
    """A store of `runs` runs of NODES (the second half of each run's nodes from the cache in
    every other run); the id floor before the last run."""
    from ml_metadata.metadata_store import metadata_store
    from ml_metadata.proto import metadata_store_pb2 as pb

    config = pb.ConnectionConfig()
    config.sqlite.filename_uri = path
    config.sqlite.connection_mode = pb.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
    store = metadata_store.MetadataStore(config)
    type_id = store.put_execution_type(pb.ExecutionType(name="tfx.Component"))
    node_type = store.put_context_type(pb.ContextType(name="node"))
    contexts = store.put_contexts([pb.Context(type_id=node_type, name=f"imdb-sentiment.{n}") for n in NODES])
    floor = 0
    for run in range(runs):
        states = [pb.Execution.CACHED if run % 2 and i < len(NODES) // 2 else pb.Execution.COMPLETE
                  for i in range(len(NODES))]
        ids = store.put_executions([pb.Execution(type_id=type_id, last_known_state=s) for s in states])
        store.put_attributions_and_associations([], [pb.Association(context_id=c, execution_id=e)
                                                     for c, e in zip(contexts, ids)])
        floor = ids[0] - 1
    return floor


def time_queries(code: str, store: str, floor: int, scratch: str) -> dict:
    return run_worker("benchmark_store_queries", "the queries", WORKER, code, store, str(floor), scratch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1000, help="runs in the store (14 executions each)")
    parser.add_argument("--workdir", required=True, help="emptied first")
    parser.add_argument("--commit", help="also time this commit's code (a worktree of it), in turn")
    parser.add_argument("--rounds", type=int, default=2, help="each code's turns (the first alternates)")
    parser.add_argument("--output", help="also write the JSON here")
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    sys.path.insert(0, ROOT)
    store = os.path.join(args.workdir, "metadata.sqlite")
    floor = build_store(store, args.runs)
    codes = {"tree": ROOT}
    try:
        with commit_tree(args.commit, os.path.join(args.workdir, "commit")) if args.commit else contextlib.nullcontext() as tree:
            if tree:
                codes[args.commit] = tree
            times = {name: [] for name in codes}
            for round_ in range(args.rounds):
                order = list(codes.items())
                for name, code in order if round_ % 2 == 0 else order[::-1]:  # each first in turn
                    times[name].append(time_queries(code, store, floor, os.path.join(args.workdir, f"scratch-{name}-{round_}")))
                    print(name, round_, times[name][-1], file=sys.stderr, flush=True)
    except WorktreeError as e:
        sys.exit(f"benchmark_store_queries: {e}")
    medians = {name: {q: round(statistics.median(r[q] for r in rounds), 4) for q in rounds[0]}
               for name, rounds in times.items()}
    report = {"command": " ".join(sys.argv), "runs": args.runs, "executions": args.runs * len(NODES),
              "median_seconds": medians, "rounds": times}
    if args.commit:
        report["tree/commit"] = {q: round(medians["tree"][q] / medians[args.commit][q], 4) if medians[args.commit][q] else None
                                 for q in medians["tree"]}
        report["total_seconds"] = {name: round(sum(m.values()), 3) for name, m in medians.items()}
    print_report(report, args.output)


if __name__ == "__main__":
    main()
