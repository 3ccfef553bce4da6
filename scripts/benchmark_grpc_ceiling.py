"""The ceiling of a Python gRPC server on this machine, against the model server's REST path.

A bare gRPC server that answers every V2 ModelInfer with a fixed, pre-serialized response (no
model, no parsing: grpcio's generic handler with raw bytes in and out) is the most any
Python gRPC front end of the model server can do. It is loaded as benchmark_serving.py loads
the model server's gRPC port (h2load, one connection per client, one request in flight each,
the same one-review ModelInferRequest body), in three forms: grpcio's asyncio server (what
KServe's ModelServer runs), grpcio's thread-pool server, and two asyncio server processes
sharing the port (SO_REUSEPORT, grpcio's default on Linux). Beside it, in the same invocation,
rounds alternating: the model server itself (`python -m components.serving`, with --model)
answering V1 REST from wrk ("rest") and gRPC from h2load ("grpc").

If the bare gRPC server answers fewer requests a second than the model server does over REST
with the model's work included, no Python gRPC front end of that model can match REST here.

    .venv/bin/python scripts/benchmark_grpc_ceiling.py --model <a pushed model> [--clients 64] \\
        [--seconds 10] [--rounds 3] [--output /tmp/grpc_ceiling.json]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

METHOD = "/inference.GRPCInferenceService/ModelInfer"


def fixed_response() -> bytes:
    from kserve.protocol.grpc import grpc_predict_v2_pb2 as pb

    response = pb.ModelInferResponse(model_name="imdb", id="1")
    output = response.outputs.add(name="probability", datatype="FP32", shape=[1, 1])
    output.contents.fp32_contents.append(0.5)
    return response.SerializeToString()


def serve_echo(kind: str, port: int) -> None:
    """The bare server: `aio` (grpc.aio) or `sync` (grpc.server with a thread pool)."""
    import grpc

    body = fixed_response()
    handler = grpc.method_handlers_generic_handler("inference.GRPCInferenceService", {
        "ModelInfer": grpc.unary_unary_rpc_method_handler(lambda request, context: body)})
    if kind == "sync":
        from concurrent import futures

        server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
        server.add_generic_rpc_handlers((handler,))
        server.add_insecure_port(f"127.0.0.1:{port}")
        server.start()
        print("READY", flush=True)
        server.wait_for_termination()
        return
    import asyncio

    async def main():
        server = grpc.aio.server()
        server.add_generic_rpc_handlers((handler,))
        server.add_insecure_port(f"127.0.0.1:{port}")
        await server.start()
        print("READY", flush=True)
        await server.wait_for_termination()

    asyncio.run(main())


def start(command: list[str], ready: str) -> subprocess.Popen:
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in process.stdout:
        if line.startswith(ready):
            return process
    raise RuntimeError(f"{' '.join(command)} did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="a SavedModel directory (a pushed version)")
    parser.add_argument("--data", default="../shared/data/aclImdb_v1.tar.gz")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--output")
    parser.add_argument("--serve-echo", nargs=2, metavar=("KIND", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_echo:
        return serve_echo(args.serve_echo[0], int(args.serve_echo[1]))
    if args.rounds < 1 or args.clients < 1:
        parser.error("--rounds and --clients: at least 1")

    from benchmark_serving import Server, free_port
    from data.sample import archive_reviews
    from json_report import print_report
    from serving_requests import run_h2load, run_wrk, write_requests

    texts = [t for t, _ in archive_reviews(args.data, 2000)]
    processes, stops, targets = [], [], {}
    with tempfile.TemporaryDirectory() as workdir:
        try:
            for kind, copies in (("aio", 1), ("sync", 1), ("aio-2-processes", 2)):
                port = free_port()
                for _ in range(copies):
                    processes.append(start([sys.executable, __file__, "--model", "-", "--serve-echo", kind.split("-")[0],
                                            str(port)], "READY"))
                targets[f"bare-grpc-{kind}"] = ("grpc", f"http://127.0.0.1:{port}{METHOD}", processes[-1].pid)
            server = Server(args.model, os.path.join(workdir, "server.log"), [], grpc=True)
            stops.append(server.stop)
            targets["model-server-rest"] = ("rest", server.url, server.process.pid)
            targets["model-server-grpc"] = ("grpc", f"http://127.0.0.1:{server.grpc_port}{METHOD}", server.process.pid)
            bodies = {p: write_requests(p, texts, 1, workdir) for p in ("rest", "grpc")}
            names = list(targets)
            runs = {name: [] for name in names}
            for r in range(args.rounds):
                for name in names[r % len(names):] + names[:r % len(names)]:
                    protocol, target, pid = targets[name]
                    load = run_wrk if protocol == "rest" else run_h2load
                    load(target, bodies[protocol], args.clients, args.warmup, pid)
                    result = load(target, bodies[protocol], args.clients, args.seconds, pid)
                    rate = result["requests"] / (result["duration_us"] / 1e6)
                    runs[name].append({"round": r, "requests_per_s": rate, "p99_ms": result["p99_us"] / 1e3,
                                       "errors": result["errors"] + result["status_errors"]})
                    print(f"round {r} {name:24s} {rate:8.1f} requests/s, p99 {result['p99_us'] / 1e3:7.1f} ms",
                          file=sys.stderr, flush=True)
        finally:
            for stop in stops:
                stop()
            for process in processes:
                process.terminate()
                process.wait(30)
    rest = runs["model-server-rest"]
    report = {"command": " ".join([os.path.basename(sys.executable), *sys.argv]), "model": args.model,
              "clients": args.clients, "seconds": args.seconds, "rounds": args.rounds,
              "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "load_average": os.getloadavg(),
              "targets": {name: {"median_requests_per_s": statistics.median(x["requests_per_s"] for x in rs),
                                 "median_p99_ms": statistics.median(x["p99_ms"] for x in rs),
                                 "median_ratio_to_model_server_rest": statistics.median(
                                     x["requests_per_s"] / y["requests_per_s"] for x, y in zip(rs, rest)),
                                 "runs": rs} for name, rs in runs.items()}}
    print_report(report, args.output)


if __name__ == "__main__":
    main()
