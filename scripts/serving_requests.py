"""Request bodies of each protocol, and gRPC load from h2load, for scripts/benchmark_serving.py
(its docstring says what each protocol sends and why h2load).

  write_requests(protocol, texts, size, workdir)   the wrk Lua script (or h2load's body file)
  run_h2load(url, body, clients, seconds, pid)      one closed-loop gRPC run, as run_wrk's result
"""
from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import time

from components.serving import settings

LUA = r"""
local requests = {}
local counter = 0
local next_id = 0
function setup(thread) thread:set("id", next_id); next_id = next_id + 1 end
function init(args)
  -- records: "<JSON header length, 0 for none> <body length>\n" then the body's bytes
  local f = assert(io.open("%(bodies)s", "rb"))
  while true do
    local line = f:read("*l")
    if line == nil then break end
    local header_length, size = line:match("^(%%d+) (%%d+)$")
    local headers = {["Content-Type"] = "%(content_type)s"}
    if header_length ~= "0" then headers["Inference-Header-Content-Length"] = header_length end
    requests[#requests + 1] = wrk.format("POST", "%(path)s", headers, f:read(tonumber(size)))
  end
  f:close()
  counter = (id or 0) * 7919
end
function request()
  counter = counter + 1
  return requests[(counter %% #requests) + 1]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_RESULT {"requests": %%d, "duration_us": %%d, "errors": %%d, "status_errors": %%d, ' ..
    '"p50_us": %%d, "p90_us": %%d, "p99_us": %%d, "max_us": %%d, "mean_us": %%.1f}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


PROTOCOLS = ("rest", "v2-json", "v2-binary", "rest-fixed", "grpc")
MODEL = settings.DEFAULT_MODEL_NAME


def bytes_tensor(texts: list[str]) -> bytes:
    return b"".join(struct.pack("<I", len(t)) + t for t in (text.encode() for text in texts))


def request_body(protocol: str, texts: list[str]) -> tuple[int, bytes]:
    """(JSON header length or 0, body) of one request of `protocol` (grpc: a serialized
    ModelInferRequest, its raw_input_contents the texts, as tritonclient.grpc sends them)."""
    tensor = {"name": "text", "datatype": "BYTES", "shape": [len(texts)]}
    if protocol in ("rest", "rest-fixed"):
        return 0, json.dumps({"instances": texts}).encode()
    if protocol == "v2-json":
        return 0, json.dumps({"inputs": [{**tensor, "data": texts}]}).encode()
    raw = bytes_tensor(texts)
    if protocol == "v2-binary":
        header = json.dumps({"inputs": [{**tensor, "parameters": {"binary_data_size": len(raw)}}],
                             "parameters": {"binary_data_output": True}}).encode()
        return len(header), header + raw
    from components.serving.imports import hide_iri_grammar

    hide_iri_grammar()
    from kserve.protocol.grpc import grpc_predict_v2_pb2 as pb

    message = pb.ModelInferRequest(model_name=MODEL, inputs=[pb.ModelInferRequest.InferInputTensor(**tensor)],
                                   raw_input_contents=[raw])
    return 0, message.SerializeToString()


def fixed_texts(texts: list[str], size: int) -> list[str]:
    """The one body h2load repeats: the median-length review, or the first `size` reviews."""
    return [sorted(texts, key=len)[len(texts) // 2]] if size == 1 else texts[:size]


def write_requests(protocol: str, texts: list[str], size: int, workdir: str) -> str:
    path = os.path.join(workdir, f"requests-{protocol}-{size}.bin")
    fixed = protocol in ("rest-fixed", "grpc")
    chunks = [fixed_texts(texts, size)] if fixed else [texts[i:i + size] for i in range(0, len(texts) - size + 1, size)]
    with open(path, "wb") as f:
        for chunk in chunks:
            header_length, body = request_body(protocol, chunk)
            if protocol == "grpc":  # gRPC's length-prefixed message: not compressed, 4-byte big-endian length
                f.write(b"\x00" + struct.pack(">I", len(body)) + body)
            else:
                f.write(f"{header_length} {len(body)}\n".encode() + body)
    if protocol == "grpc":
        return path
    script = os.path.join(workdir, f"requests-{protocol}-{size}.lua")
    with open(script, "w") as f:
        path_ = f"/v1/models/{MODEL}:predict" if protocol.startswith("rest") else f"/v2/models/{MODEL}/infer"
        f.write(LUA % {"bodies": path, "path": path_,
                       "content_type": "application/octet-stream" if protocol == "v2-binary" else "application/json"})
    return script


def run_h2load(url: str, body: str, clients: int, seconds: float, server_pid: int) -> dict:
    log = body + ".log"
    command = ["h2load", "-t1", f"-c{clients}", "-m1", f"-D{max(1, round(seconds))}", "-H", "content-type: application/grpc",
               "-H", "te: trailers", "-d", body, f"--log-file={log}", url]
    server_cpu, start = cpu_seconds(server_pid), time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    output = process.stdout.read()
    counts = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, "
                       r"(\d+) timeout", output)
    finished = re.search(r"finished in ([\d.]+)(m?s)", output)
    if os.waitstatus_to_exitcode(status) != 0 or counts is None or finished is None:
        raise RuntimeError(f"h2load failed: {' '.join(command)}\n{output}")
    with open(log) as f:
        rows = [line.split("\t") for line in f if line.strip()]
    os.remove(log)
    latencies = sorted(int(row[2]) for row in rows if row[1] == "200")

    def percentile(p: float) -> int:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] if latencies else 0

    duration = float(finished.group(1)) * (1e3 if finished.group(2) == "ms" else 1e6)
    done, succeeded, failed, errored, timeout = (int(g) for g in counts.groups())
    return {"requests": len(latencies), "duration_us": duration, "errors": failed + errored + timeout,
            "status_errors": sum(1 for row in rows if row[1] != "200"), "p50_us": percentile(50),
            "p90_us": percentile(90), "p99_us": percentile(99), "max_us": latencies[-1] if latencies else 0,
            "mean_us": sum(latencies) / len(latencies) if latencies else 0.0,
            "wrk_cpu_cores": (usage.ru_utime + usage.ru_stime) / wall,
            "server_cpu_cores": (cpu_seconds(server_pid) - server_cpu) / wall}


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_wrk(url: str, script: str, clients: int, seconds: float, server_pid: int) -> dict:
    command = ["wrk", "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", script, url]
    server_cpu, start = cpu_seconds(server_pid), time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    output = process.stdout.read()
    line = next((l for l in output.splitlines() if l.startswith("WRK_RESULT ")), None)
    if os.waitstatus_to_exitcode(status) != 0 or line is None:
        raise RuntimeError(f"wrk failed: {' '.join(command)}\n{output}")
    result = json.loads(line[len("WRK_RESULT "):])
    result["wrk_cpu_cores"] = (usage.ru_utime + usage.ru_stime) / wall
    result["server_cpu_cores"] = (cpu_seconds(server_pid) - server_cpu) / wall
    return result
