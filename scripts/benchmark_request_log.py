"""The request log's cost and `imdb-tfx monitor`'s time, in one invocation.

1. Throughput: the server (`python -m components.serving --serving-dir DIR`) with and without
   `--request-log`, same model, same run, loaded by Debian's `wrk` at --clients connections (one
   review a request, cycling through --reviews reviews drawn at random from the aclImdb test
   split), --rounds times alternately, each kind first in turn (a fresh server each time,
   --warmup seconds discarded, then --seconds measured). Reported: requests/s of each, and the ratio of the medians (with / without).
2. Logged once: for each server with the log, after its load and a SIGTERM, the log's lines
   against the responses wrk completed and the reviews the server's batcher predicted (its
   status counters): every answered prediction is in the log (completed <= lines <= predicted),
   none twice (distinct (request_id, instance) == lines).
   With --commit C, a third server in each round: C's code (a git worktree of it) with the log;
   reported: this tree's logged throughput / C's (the writer's cost before and after a change).
3. Monitor: the last server with the log gets more load until its log holds --monitor-requests
   predictions; then `imdb-tfx monitor --request-log DIR --last N --metadata-path STORE` runs
   as a user runs it (a new process: imports, the store, the reference's scores, the checks),
   timed, with its verdict and its own per-step seconds.

    apt-get install -y wrk
    .venv/bin/imdb-tfx run --data ../shared/data/aclImdb_v1.tar.gz --pipeline-root /tmp/monitor/root \\
        --metadata-path /tmp/monitor/metadata.sqlite --serving-dir /tmp/monitor/serving
    .venv/bin/python scripts/benchmark_request_log.py --serving-dir /tmp/monitor/serving \\
        --metadata-path /tmp/monitor/metadata.sqlite [--commit C] [--output output/benchmark-request-log.json]
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import components  # noqa: E402,F401  (the TensorFlow environment)
from components.serving import client, settings  # noqa: E402
from components.serving.request_log import log_files  # noqa: E402
from data.dataset import SHARED_ARCHIVE  # noqa: E402
from data.sample import archive_reviews  # noqa: E402
from json_report import print_report  # noqa: E402  (beside this script)
from serving_requests import run_wrk  # noqa: E402
from worktree import WorktreeError, commit_tree  # noqa: E402

# wrk's script: POST the bodies of a file (one JSON body a line) in turn; its summary as one JSON line.
LUA = r"""
local requests = {}
local counter = 0
local next_id = 0
function setup(thread) thread:set("id", next_id); next_id = next_id + 1 end
function init(args)
  for line in io.lines("%(bodies)s") do
    requests[#requests + 1] = wrk.format("POST", "%(path)s", {["Content-Type"] = "application/json"}, line)
  end
  counter = (id or 0) * 7919
end
function request()
  counter = counter + 1
  return requests[(counter %% #requests) + 1]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_RESULT {"requests": %%d, "duration_us": %%d, "errors": %%d, "status_errors": %%d, ' ..
    '"p50_us": %%d, "p99_us": %%d}\n', summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout,
    e.status, latency:percentile(50), latency:percentile(99)))
end
"""


def start(serving_dir: str, workdir: str, name: str, extra: list[str], code: str = ROOT):
    log = open(os.path.join(workdir, f"{name}.log"), "w")
    server = subprocess.Popen([sys.executable, "-m", "components.serving", "--serving-dir", serving_dir, "--host",
                               "127.0.0.1", "--port", "0", *extra], stdout=subprocess.PIPE, stderr=log, text=True,
                              cwd=code, env={**os.environ, "PYTHONPATH": code})
    for line in server.stdout:
        if line.startswith(settings.READY_LINE):
            url = re.search(r"http://[\d.]+:\d+", line).group(0)
            client.wait_ready(url, 60)
            return server, url
    raise RuntimeError(f"the server did not start:\n{open(log.name).read()[-3000:]}")


def stop(server) -> int:
    server.terminate()
    return server.wait(120)


def count_log(directory: str) -> dict:
    keys = []
    for path in log_files(directory):
        with open(path, encoding="utf-8") as f:
            keys += [(row["request_id"], row["instance"]) for row in map(json.loads, f)]
    return {"lines": len(keys), "distinct": len(set(keys)), "files": len(log_files(directory))}


def measure(url: str, script: str, clients: int, seconds: float, warmup: float, pid: int) -> dict:
    first = run_wrk(url, script, clients, warmup, pid)
    result = run_wrk(url, script, clients, seconds, pid)
    duration = result["duration_us"] / 1e6
    return {"requests_per_s": result["requests"] / duration, "p50_ms": result["p50_us"] / 1e3,
            "p99_ms": result["p99_us"] / 1e3, "errors": result["errors"] + result["status_errors"],
            "completed": first["requests"] + result["requests"], "server_cpu_cores": result["server_cpu_cores"],
            "wrk_cpu_cores": result["wrk_cpu_cores"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serving-dir", required=True, help="a serving directory with the pushed version")
    parser.add_argument("--metadata-path", required=True, help="the metadata store of the run that pushed it")
    parser.add_argument("--data", default=SHARED_ARCHIVE, help="aclImdb_v1.tar.gz")
    parser.add_argument("--reviews", type=int, default=10_000,
                        help="test reviews to cycle through (a random draw; as many as monitor reads: each distinct)")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2, help="servers of each kind, alternately")
    parser.add_argument("--seconds", type=int, default=20, help="measured seconds per server")
    parser.add_argument("--warmup", type=int, default=5, help="discarded seconds before each measurement")
    parser.add_argument("--monitor-requests", type=int, default=10_000, help="logged predictions monitor reads")
    parser.add_argument("--commit", help="also a server of this commit's code with the log, in each round")
    parser.add_argument("--output", help="write the JSON here too")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("benchmark_request_log: wrk is not installed (apt-get install -y wrk)")
    test = archive_reviews(args.data, 25_000)
    texts = [t for t, _ in random.Random(0).sample(test, min(args.reviews, len(test)))]
    report = {"machine": {"cpus": os.cpu_count(), "load_average_before": os.getloadavg()},
              "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                       cwd=ROOT).stdout.strip(),
              "clients": args.clients, "seconds": args.seconds, "reviews_per_request": 1, "runs": []}
    with tempfile.TemporaryDirectory() as workdir, contextlib.ExitStack() as stack:
        kinds = [("without", ROOT, False), ("with", ROOT, True)]
        if args.commit:
            try:
                kinds.append((f"{args.commit}-with", stack.enter_context(
                    commit_tree(args.commit, os.path.join(workdir, "commit"))), True))
            except WorktreeError as e:
                sys.exit(f"benchmark_request_log: {e}")
            report["commit_compared"] = args.commit
        bodies = os.path.join(workdir, "bodies.jsonl")
        with open(bodies, "w") as f:
            f.writelines(json.dumps({"instances": [t]}) + "\n" for t in texts)
        script = os.path.join(workdir, "requests.lua")
        with open(script, "w") as f:
            f.write(LUA % {"bodies": bodies, "path": f"/v1/models/{settings.DEFAULT_MODEL_NAME}:predict"})
        log_dir = None
        for round_ in range(args.rounds):
            for kind, code, logged in kinds[round_ % len(kinds):] + kinds[:round_ % len(kinds)]:  # each first in turn
                name = f"{kind}-{round_}"
                server_log = os.path.join(workdir, f"requests-{name}")
                server, url = start(args.serving_dir, workdir, name, ["--request-log", server_log] if logged else [],
                                    code)
                run = {"request_log": logged, "code": "tree" if code == ROOT else args.commit, "round": round_,
                       **measure(url, script, args.clients, args.seconds, args.warmup, server.pid)}
                if kind == "with" and round_ == args.rounds - 1:  # the log monitor reads: topped up to its size
                    log_dir = server_log
                    while client.status(url)["batching"]["instances"] < args.monitor_requests:
                        run["completed"] += run_wrk(url, script, args.clients, 10, server.pid)["requests"]
                time.sleep(1)
                run["predicted"] = client.status(url)["batching"]["instances"]
                run["exit_status"] = stop(server)
                if logged:
                    run["log"] = count_log(server_log)
                    # answered (wrk's completed responses) <= logged <= predicted (a request whose
                    # client left after its batch started is predicted, not answered, not logged)
                    run["log"]["every_answered_logged_once"] = (
                        run["log"]["lines"] == run["log"]["distinct"]
                        and run["completed"] <= run["log"]["lines"] <= run["predicted"])
                report["runs"].append(run)
                print(f"  {name}: {run['requests_per_s']:.1f} requests/s, p50 {run['p50_ms']:.1f} ms, p99 "
                      f"{run['p99_ms']:.1f} ms, errors {run['errors']}" + (f", log {run['log']}" if logged else ""),
                      file=sys.stderr, flush=True)

        def median_rate(code: str, logged: bool) -> float:
            return statistics.median(r["requests_per_s"] for r in report["runs"]
                                     if r["code"] == code and r["request_log"] == logged)

        report["throughput_ratio"] = median_rate("tree", True) / median_rate("tree", False)
        if args.commit:  # this tree's logging server against the commit's
            report["logged_throughput_tree_over_commit"] = median_rate("tree", True) / median_rate(args.commit, True)
        report["every_answered_logged_once"] = all(r["log"]["every_answered_logged_once"]
                                                   for r in report["runs"] if r["request_log"])
        page = os.path.join(workdir, "monitor.html")
        begin = time.perf_counter()
        with open(os.path.join(workdir, "monitor.out"), "w+") as out, \
                open(os.path.join(workdir, "monitor.err"), "w+") as err:
            process = subprocess.Popen([sys.executable, "-m", "app", "monitor", "--request-log", log_dir, "--last",
                                        str(args.monitor_requests), "--metadata-path", args.metadata_path,
                                        "--output", page], stdout=out, stderr=err, cwd=ROOT)
            _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - begin
            out.seek(0), err.seek(0)
            stdout, stderr = out.read(), err.read()
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 3):
            raise RuntimeError(f"monitor failed ({code}):\n{stderr[-3000:]}")
        out = json.loads(stdout)
        report["monitor"] = {"seconds": wall, "cpu_seconds": usage.ru_utime + usage.ru_stime, "exit_status": code,
                             "predictions": out["window"]["predictions"], "distinct_texts": out["window"]["compared"],
                             "steps": out["window"]["seconds"], "line": stderr.strip().splitlines()[-1],
                             "checks": {c["name"]: [c["value"], c["threshold"], c["detected"]]
                                        for c in out["drift"]["checks"]}}
    report["machine"]["load_average_after"] = os.getloadavg()
    print(f"throughput with / without the request log: {report['throughput_ratio']:.3f}; every answered prediction "
          f"logged once: {report['every_answered_logged_once']}; monitor over {report['monitor']['predictions']} "
          f"logged predictions: {report['monitor']['seconds']:.1f} s ({report['monitor']['cpu_seconds']:.1f} s of CPU)"
          + (f"; logged throughput, this tree / {args.commit}: {report['logged_throughput_tree_over_commit']:.3f}"
             if args.commit else ""), file=sys.stderr)
    print_report(report, args.output)


if __name__ == "__main__":
    main()
