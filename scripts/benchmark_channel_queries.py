"""TFX's input resolution on a store of many runs, TFX's own against pipeline/channel_queries.py's,
in one invocation: the executions of two channels a run resolves (an input from this run:
pipeline, newest pipeline_run and Trainer contexts; every output of a node: pipeline and
Transform contexts), each way, timed, and checked to be the same executions.

    .venv/bin/python scripts/benchmark_channel_queries.py --store /tmp/growth/grown.sqlite

A store grown by scripts/benchmark_store_growth.py (scripts/grown_store.py) is a year of runs;
TFX's way lists every execution of the pipeline for each channel (minutes on such a store).
Prints one JSON object: seconds per channel and way, the executions found, and TFX's / ours.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from grown_store import open_store  # noqa: E402  (beside this script)
from json_report import print_report  # noqa: E402
from pipeline.channel_queries import executions_of_all  # noqa: E402
from pipeline.tfx_private import CHANNEL_RESOLVER  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True, help="a metadata store of many runs (it is only read)")
    parser.add_argument("--output", help="also write the JSON here")
    args = parser.parse_args()
    if not os.path.isfile(args.store):
        sys.exit(f"benchmark_channel_queries: {args.store}: no such store")
    store = open_store(args.store)
    tfx_way = importlib.import_module(CHANNEL_RESOLVER)._get_executions_by_all_contexts
    pipeline = store.get_contexts_by_type("pipeline")[0]
    run = max(store.get_contexts_by_type("pipeline_run"), key=lambda c: c.id)
    nodes = {c.name.rsplit(".", 1)[-1]: c for c in store.get_contexts_by_type("node")}
    channels = {"an input from this run (pipeline, run, Trainer)": [pipeline, run, nodes["Trainer"]],
                "every output of a node (pipeline, Transform)": [pipeline, nodes["Transform"]]}
    report = {"command": " ".join(["scripts/benchmark_channel_queries.py", *sys.argv[1:]]), "channels": {}}
    for name, contexts in channels.items():
        timed = {}
        for way, function in (("ours", executions_of_all), ("tfx", tfx_way)):
            start = time.perf_counter()
            found = sorted(e.id for e in function(store, contexts))
            timed[way] = (round(time.perf_counter() - start, 3), found)
            print(f"  {name}, {way}: {timed[way][0]} s, {len(found)} executions", file=sys.stderr, flush=True)
        report["channels"][name] = {"tfx_s": timed["tfx"][0], "ours_s": timed["ours"][0],
                                    "executions": len(timed["ours"][1]), "same": timed["tfx"][1] == timed["ours"][1],
                                    "tfx/ours": round(timed["tfx"][0] / max(timed["ours"][0], 1e-6), 1)}
    print_report(report, args.output)


if __name__ == "__main__":
    main()
