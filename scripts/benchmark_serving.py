"""Throughput and latency of the model server (components/serving) under load, with wrk.

For each --model (a SavedModel directory, e.g. a pushed version): first the model's own
in-process batched rate (reviews/s through predict_text in batches of the server's
--max-batch-size, the same code the server runs, nothing else running), then the server
(`python -m components.serving --model-dir MODEL`, default settings unless --server-args) loaded by Debian's `wrk`
(closed loop: each connection sends its next request when the answer comes) at 1, 8 and 64
concurrent connections, each request holding 1 real test review (and then 100), cycling
through --reviews reviews from the aclImdb test split. Each level runs --warmup seconds
(discarded), then --seconds measured. Reported per level: requests/s, reviews/s, p50/p99
latency (wrk's), errors, the CPU the server and wrk used (cores: CPU seconds / wall seconds,
wrk from its rusage, the server from /proc), and server reviews/s / in-process rate.

Each level runs on every --protocols: "rest" (V1 JSON rows, the table before), "v2-json" (V2
infer, JSON), "v2-binary" (V2 infer with the binary tensor data extension, binary outputs, as
tritonclient.http sends by default), all from wrk cycling through the reviews; and "grpc" (V2
ModelInfer with raw tensors, as tritonclient.grpc sends) from nghttp2's `h2load`, a closed-loop
HTTP/2 load generator in C like wrk (one connection per client, one request in flight each),
which sends one body over and over: the median-length review (or the first N reviews). So that
gRPC is compared with REST on the same work, "rest-fixed" is V1 REST from wrk with that same
body. h2load counts HTTP statuses, not gRPC's (an error is HTTP 200 with grpc-status in the
trailers): the reviews the server's batcher answered during the run (`answered_reviews`) are
reported beside requests x reviews.

With --rounds N the protocols run N times, each round starting one protocol later, and the
JSON's `medians` holds each protocol's median over the rounds and the median of its per-round
ratio to the first protocol listed: on a shared machine the position in the invocation moves
the figures by more than the protocols differ (docs/serving.md). With several --model, every
model's server is up from the start and the rounds interleave the models (round r starts with
model r mod M), so that two models are compared round by round: `model_ratios` has each
model's median per-round ratio of p99 and of reviews/s to the first model's.

The load generators share the machine's cores with the server (and, on a shared machine, with
whatever else runs): their CPU is reported so the figures can be read with that in mind.

    apt-get install -y wrk nghttp2-client
    .venv/bin/python scripts/benchmark_serving.py --model output/serving_model/<version> [--model DIR2 ...] \\
        [--protocols rest,v2-json,v2-binary,rest-fixed,grpc] [--rounds 3] [--output output/benchmark-serving.json]
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import components  # noqa: E402,F401  (the TensorFlow environment)
from components.serving import client, settings  # noqa: E402
from data.dataset import SHARED_ARCHIVE  # noqa: E402
from data.sample import archive_reviews  # noqa: E402
from json_report import print_report  # noqa: E402  (beside this script)
from serving_requests import PROTOCOLS, run_h2load, run_wrk, write_requests  # noqa: E402


def in_process_rate(model_dir: str, texts: list[str], batch_size: int, repeats: int = 3) -> dict:
    """Reviews/s of the server's own model code (ServedModel.predict) in batches of batch_size."""
    from components.serving.served_model import ServedModel

    model = ServedModel.load(model_dir)
    model.predict(texts[:batch_size])  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for i in range(0, len(texts), batch_size):
            model.predict(texts[i:i + batch_size])
        best = min(best, time.perf_counter() - start)
    start = time.perf_counter()
    for text in texts[:200]:
        model.predict([text])
    single = (time.perf_counter() - start) / 200
    return {"batch_size": batch_size, "reviews_per_s": len(texts) / best, "single_review_ms": single * 1e3,
            "reviews": len(texts), "best_of": repeats}


def run_load(protocol: str, url: str, grpc_target: str, script: str, clients: int, seconds: float,
             server_pid: int) -> dict:
    if protocol != "grpc":
        return run_wrk(url, script, clients, seconds, server_pid)
    return run_h2load(f"http://{grpc_target}/inference.GRPCInferenceService/ModelInfer", script, clients, seconds,
                      server_pid)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rotated(protocols: list[str], rounds: int) -> list[tuple[int, str]]:
    """(round, protocol) in the order they run: each round starts one protocol later, so that no
    protocol always runs first or last (the machine's drift over an invocation would decide)."""
    return [(r, protocols[(r + i) % len(protocols)]) for r in range(rounds) for i in range(len(protocols))]


def medians(runs: list[dict]) -> list[dict]:
    """Per protocol, clients and size: the median over the rounds of reviews/s and p99, and the
    median of each round's reviews/s against the first protocol's in that round."""
    import statistics

    def key(run):
        return run["protocol"], run["clients"], run["reviews_per_request"]

    first = runs[0]["protocol"] if runs else None
    rows = []
    for k in dict.fromkeys(key(r) for r in runs):
        mine = [r for r in runs if key(r) == k]
        ratios = []
        for run in mine:
            partner = [r for r in runs if (r["protocol"], r["clients"], r["reviews_per_request"], r["round"])
                       == (first, k[1], k[2], run["round"])]
            if partner and partner[0]["reviews_per_s"]:
                ratios.append(run["reviews_per_s"] / partner[0]["reviews_per_s"])
        rows.append({"protocol": k[0], "clients": k[1], "reviews_per_request": k[2], "rounds": len(mine),
                     "median_reviews_per_s": statistics.median(r["reviews_per_s"] for r in mine),
                     "median_p99_ms": statistics.median(r["p99_ms"] for r in mine),
                     f"median_ratio_to_{first}": statistics.median(ratios) if ratios else None})
    return rows


class Server:
    """One model server (`python -m components.serving`) on free ports, started and ready; `stop()` ends it."""

    def __init__(self, model_dir: str, log_path: str, server_args: list[str], grpc: bool):
        self.log = open(log_path, "w")
        self.grpc_port = free_port() if grpc else 0
        self.process = subprocess.Popen([sys.executable, "-m", "components.serving", "--model-dir", model_dir,
                                         "--host", "127.0.0.1", "--port", "0", "--grpc-port", str(self.grpc_port),
                                         *server_args], stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.url = None
        for line in self.process.stdout:
            if line.startswith(settings.READY_LINE):
                self.url = re.search(r"http://[\d.]+:\d+", line).group(0)
                break
        if self.url is None:
            self.stop()
            raise RuntimeError(f"the server did not start:\n{open(self.log.name).read()[-3000:]}")
        client.wait_ready(self.url, 60)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(60)


def measure(server: Server, protocol: str, script: str, clients: int, size: int, seconds: float, warmup: float,
            round_: int) -> dict:
    """One load level on one server: warm-up (discarded), then `seconds` measured."""
    load = (protocol, server.url, f"127.0.0.1:{server.grpc_port}", script, clients)
    run_load(*load, warmup, server.process.pid)
    before = client.status(server.url)["batching"]
    result = run_load(*load, seconds, server.process.pid)
    after = client.status(server.url)["batching"]
    calls = after["model_calls"] - before["model_calls"]
    duration = result["duration_us"] / 1e6
    run = {"protocol": protocol, "clients": clients, "reviews_per_request": size, "round": round_,
           "requests_per_s": result["requests"] / duration, "reviews_per_s": result["requests"] * size / duration,
           "p50_ms": result["p50_us"] / 1e3, "p90_ms": result["p90_us"] / 1e3,
           "p99_ms": result["p99_us"] / 1e3, "max_ms": result["max_us"] / 1e3,
           "errors": result["errors"], "non_2xx": result["status_errors"],
           "mean_batch": (after["instances"] - before["instances"]) / calls if calls else 0.0,
           "answered_reviews": after["instances"] - before["instances"],
           "wrk_cpu_cores": result["wrk_cpu_cores"], "server_cpu_cores": result["server_cpu_cores"],
           "seconds": duration}
    print(f"  {protocol:9s} {clients:3d} clients x {size:3d} reviews: {run['reviews_per_s']:8.1f} reviews/s, "
          f"p50 {run['p50_ms']:7.1f} ms, p99 {run['p99_ms']:7.1f} ms, mean batch {run['mean_batch']:5.1f}, "
          f"wrk {run['wrk_cpu_cores']:.2f} cores, server {run['server_cpu_cores']:.2f} cores, "
          f"errors {result['errors'] + result['status_errors']}", file=sys.stderr, flush=True)
    return run


def bench_servers(model_dirs: list[str], texts: list[str], levels: list[int], sizes: list[int], seconds: float,
                  warmup: float, workdir: str, server_args: list[str], protocols: list[str],
                  rounds: int = 1) -> list[list[dict]]:
    """Every model's server at once (idle while another is loaded), the models' rounds interleaved:
    round r runs the models in rotated order, each its protocols in rotated order. Runs per model."""
    servers = []
    try:
        for i, model_dir in enumerate(model_dirs):
            servers.append(Server(model_dir, os.path.join(workdir, f"server-{i}.log"), server_args, "grpc" in protocols))
        runs: list[list[dict]] = [[] for _ in model_dirs]
        scripts = {}
        for round_ in range(rounds):
            for m in [(round_ + i) % len(model_dirs) for i in range(len(model_dirs))]:
                print(f"round {round_}, {model_dirs[m]}:", file=sys.stderr, flush=True)
                for size in sizes:
                    for protocol in [p for r, p in rotated(protocols, rounds) if r == round_]:
                        if (protocol, size) not in scripts:
                            scripts[protocol, size] = write_requests(protocol, texts, size, workdir)
                        for clients in levels:
                            runs[m].append(measure(servers[m], protocol, scripts[protocol, size], clients, size,
                                                   seconds, warmup, round_))
        return runs
    finally:
        for server in servers:
            server.stop()


def model_ratios(models: list[dict]) -> list[dict]:
    """Each model against the first, per protocol, clients and size: the median over the rounds
    of the per-round ratios of p99 and of reviews/s (the rounds interleave, so a pair shares the
    machine's state)."""
    import statistics

    rows = []
    first = {(r["protocol"], r["clients"], r["reviews_per_request"], r["round"]): r for r in models[0]["runs"]}
    for model in models[1:]:
        pairs: dict = {}
        for run in model["runs"]:
            partner = first.get((run["protocol"], run["clients"], run["reviews_per_request"], run["round"]))
            if partner and partner["p99_ms"] and partner["reviews_per_s"]:
                pairs.setdefault((run["protocol"], run["clients"], run["reviews_per_request"]), []).append(
                    (run["p99_ms"] / partner["p99_ms"], run["reviews_per_s"] / partner["reviews_per_s"]))
        for (protocol, clients, size), ratios in pairs.items():
            rows.append({"model": model["model"], "against": models[0]["model"], "protocol": protocol,
                         "clients": clients, "reviews_per_request": size, "rounds": len(ratios),
                         "p99_ratios": [round(p, 3) for p, _ in ratios],
                         "median_p99_ratio": statistics.median(p for p, _ in ratios),
                         "median_reviews_per_s_ratio": statistics.median(r for _, r in ratios)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", action="append", required=True, help="a SavedModel directory (repeatable)")
    parser.add_argument("--data", default=SHARED_ARCHIVE, help="aclImdb_v1.tar.gz")
    parser.add_argument("--reviews", type=int, default=2000, help="test reviews to cycle through")
    parser.add_argument("--clients", default="1,8,64", help="concurrent connections, comma-separated")
    parser.add_argument("--sizes", default="1,100", help="reviews per request, comma-separated")
    parser.add_argument("--seconds", type=int, default=15, help="measured seconds per level")
    parser.add_argument("--warmup", type=int, default=3, help="discarded seconds before each level")
    parser.add_argument("--server-args", default="", help="more flags for the server, e.g. \"--max-batch-size 32\"")
    parser.add_argument("--protocols", default=",".join(PROTOCOLS),
                        help=f"comma-separated, of {', '.join(PROTOCOLS)} (default: all)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="repeat the protocols this many times, each round starting one protocol later; "
                             "the JSON's `medians` has each protocol's median over the rounds")
    parser.add_argument("--output", help="write the JSON here too")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("benchmark_serving: wrk is not installed (apt-get install -y wrk)")
    if "grpc" in args.protocols.split(",") and shutil.which("h2load") is None:
        sys.exit("benchmark_serving: h2load is not installed (apt-get install -y nghttp2-client), or leave grpc out "
                 "of --protocols")
    texts = [text for text, _ in archive_reviews(args.data, args.reviews)]
    levels = [int(c) for c in args.clients.split(",")]
    sizes = [int(s) for s in args.sizes.split(",")]
    protocols = [p for p in args.protocols.split(",") if p]
    if args.rounds < 1:
        parser.error(f"--rounds: at least 1 (got {args.rounds})")
    if not protocols or set(protocols) - set(PROTOCOLS):
        parser.error(f"--protocols: expected some of {', '.join(PROTOCOLS)} (got {args.protocols!r})")
    report = {"machine": {"cpus": os.cpu_count(), "load_average_before": os.getloadavg()},
              "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip(),
              "load_generator": subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("\n")[0],
              "grpc_load_generator": (subprocess.run(["h2load", "--version"], capture_output=True, text=True)
                                      .stdout.split("\n")[0] if shutil.which("h2load") else None),
              "server_settings": {"max_batch_size": settings.DEFAULT_MAX_BATCH_SIZE,
                                  "batch_wait_ms": settings.DEFAULT_BATCH_WAIT_MS,
                                  "batch_idle_ms": settings.DEFAULT_BATCH_IDLE_MS, "server_args": args.server_args},
              "models": []}
    rates = []
    for model_dir in args.model:
        rate = in_process_rate(model_dir, texts, settings.DEFAULT_MAX_BATCH_SIZE)
        print(f"{model_dir}: in-process {rate['reviews_per_s']:.1f} reviews/s in batches of {rate['batch_size']}, "
              f"{rate['single_review_ms']:.2f} ms for one review", file=sys.stderr, flush=True)
        rates.append(rate)
    with tempfile.TemporaryDirectory() as workdir:
        all_runs = bench_servers(args.model, texts, levels, sizes, args.seconds, args.warmup, workdir,
                                 args.server_args.split(), protocols, args.rounds)
    for model_dir, rate, runs in zip(args.model, rates, all_runs):
        for run in runs:
            run["ratio_to_in_process"] = run["reviews_per_s"] / rate["reviews_per_s"]
        summary = medians(runs)
        for row in summary:
            ratio = next((v for k, v in row.items() if k.startswith("median_ratio_to_")), None)
            print(f"  {os.path.basename(model_dir.rstrip('/'))}: median of {row['rounds']}: {row['protocol']:9s} "
                  f"{row['clients']:3d} clients x {row['reviews_per_request']:3d} reviews: "
                  f"{row['median_reviews_per_s']:8.1f} reviews/s, p99 {row['median_p99_ms']:7.1f} ms"
                  + (f", {ratio:.2f}x the first protocol's" if ratio else ""), file=sys.stderr, flush=True)
        report["models"].append({"model": model_dir, "in_process": rate, "runs": runs, "medians": summary})
    report["model_ratios"] = model_ratios(report["models"])
    for row in report["model_ratios"]:
        print(f"  {row['model']} / {row['against']}: {row['protocol']} {row['clients']} clients x "
              f"{row['reviews_per_request']}: p99 {row['median_p99_ratio']:.3f}x (rounds {row['p99_ratios']}), "
              f"reviews/s {row['median_reviews_per_s_ratio']:.3f}x", file=sys.stderr, flush=True)
    report["machine"]["load_average_after"] = os.getloadavg()
    report["resource_self_cpu_s"] = resource.getrusage(resource.RUSAGE_SELF).ru_utime
    print_report(report, args.output)


if __name__ == "__main__":
    main()
