"""The request log's own work per answered request, this tree's against a commit's, in one
invocation: the CPU the server spends on the log, without the noise of a whole server under
load (scripts/benchmark_request_log.py measures that, and on a shared 2-core machine its
server-to-server spread is wider than this work).

    .venv/bin/python scripts/benchmark_log_writer.py --commit 29b5305 [--calls 100000] [--rounds 3]

Each code, in turn, in a fresh process: `request_id` (a drawn one, as for a V1 request without
X-Request-ID) and `RequestLog.record` on the request path, and the writer's work per line
(formatting and writing it: `RequestLog._write`), each timed over --calls calls of a
1,296-character text. Prints one JSON object: µs per call of each,
the medians over --rounds, and this tree / the commit.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile

from json_report import print_report, run_worker  # beside this script
from worktree import ROOT, WorktreeError, commit_tree

WORKER = """
import json, sys, tempfile, time
sys.path.insert(0, sys.argv[1])
from components.serving import request_log
calls = int(sys.argv[2])
log = request_log.RequestLog(tempfile.mkdtemp(dir=sys.argv[3]))
texts, answers = ["a review " * 144], [("3", {"probability": 0.93, "label": "positive"})]
result = {}
start = time.perf_counter()
for _ in range(calls):
    log.record(request_log.request_id(None, None), texts, answers)
result["request_path_us"] = (time.perf_counter() - start) / calls * 1e6
log.close()
item = (time.time(), "0123456789abcdef0123456789abcdef", texts, answers)
start = time.perf_counter()
for _ in range(calls):
    log._write(item)
result["writer_us_per_line"] = (time.perf_counter() - start) / calls * 1e6
print("RESULT " + json.dumps(result))
"""
KEYS = ("request_path_us", "writer_us_per_line")


def run_once(code: str, calls: int, workdir: str) -> dict:
    return run_worker("benchmark_log_writer", "the worker", WORKER, code, str(calls), workdir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commit", required=True, help="the code to compare with (a git worktree of it)")
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each code, in turn")
    parser.add_argument("--output", help="also write the JSON here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir, contextlib.ExitStack() as stack:
        try:
            codes = {"tree": ROOT, args.commit: stack.enter_context(commit_tree(args.commit, os.path.join(workdir, "c")))}
        except WorktreeError as e:
            sys.exit(f"benchmark_log_writer: {e}")
        runs = {name: [] for name in codes}
        for _ in range(args.rounds):
            for name, code in codes.items():
                runs[name].append(run_once(code, args.calls, workdir))
    medians = {name: {k: round(statistics.median(r[k] for r in rs), 3) for k in KEYS} for name, rs in runs.items()}
    report = {"command": " ".join(["scripts/benchmark_log_writer.py", *sys.argv[1:]]), "calls": args.calls,
              "runs": runs, "medians_us": medians,
              "tree/commit": {k: round(medians["tree"][k] / medians[args.commit][k], 3) for k in KEYS}}
    print_report(report, args.output)


if __name__ == "__main__":
    main()
