"""The serving canary: start the model server on the candidate model in a subprocess on a free
loopback port, send it canary requests, and compare every answer with the model's own
in-process predictions.

This is TFX InfraValidator's job (which needs TF Serving in Docker or Kubernetes) done with
the server users deploy (`imdb-tfx serve`, components/serving/): a model is pushed only if
that server loads it, reports it ready and answers well-formed, equal predictions, on every
protocol the deployment enables (`protocols`: "rest" V1 JSON, "v2-binary" V2 REST with binary
tensors, "grpc" the V2 gRPC service, as deploy/kserve/ enables them; all three by default).
"""
from __future__ import annotations

import dataclasses
import math
import os
import socket
import subprocess
import sys
import time

from components import features

TOLERANCE = 1e-5
RESULTS_FILE = "canary_results.json"  # in the InfraBlessing artifact (component.py)
# Besides test reviews: the texts a server must answer however a model handles them.
EDGE_CASES = ("", "!!!", "a " * 20000)
PROTOCOLS = ("rest", "v2-binary", "grpc")
NOT_TRIED = "not blessed by the Evaluator: not served"  # the reason when no server was started


@dataclasses.dataclass
class CanaryResult:
    blessed: bool
    reason: str
    startup_s: float | None = None
    requests: int = 0
    texts: int = 0
    max_abs_diff: float | None = None
    log: str = ""
    protocols: tuple = ()  # those checked

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


def canary_texts(examples_uri: str, count: int, split: str = features.TEST_SPLIT) -> list[str]:
    """The first `count` reviews of the split, then the edge cases."""
    import tensorflow as tf

    files = sorted(tf.io.gfile.glob(os.path.join(examples_uri, f"Split-{split}", "*")))  # gs:// too
    if not files:
        raise FileNotFoundError(f"{examples_uri}: no Split-{split} files to take canary reviews from")
    compression = "GZIP" if files[0].endswith(".gz") else ""
    texts = []
    for record in tf.data.TFRecordDataset(files, compression_type=compression).take(count):
        example = tf.train.Example.FromString(record.numpy())
        texts.append(example.features.feature[features.TEXT].bytes_list.value[0].decode("utf-8"))
    return texts + list(EDGE_CASES)


def in_process_probabilities(model_dir: str, texts: list[str]) -> list[float]:
    """The candidate's own predict_text probabilities, loaded in this process."""
    import tensorflow as tf

    from components.serving.served_model import load_saved_model

    _, predict_text = load_saved_model(model_dir)
    out = predict_text(text=tf.constant(texts, dtype=tf.string))[features.PROBABILITY].numpy()
    return [float(p) for p in out.reshape(-1)]


def free_ports(count: int) -> list[int]:
    """`count` distinct free ports: bound together, so that no two are the same (one at a time,
    a port released could come back at once: the REST and gRPC ports of the canary's server
    were once the same, and the server refused its flags)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def check_predictions(predictions, expected: list[float]) -> float:
    """The largest |served - in-process| probability; raises ValueError for an answer that is
    not well-formed: not one prediction per text, a probability that is not a finite number in
    [0, 1], or a label that does not follow from it."""
    if not isinstance(predictions, list) or len(predictions) != len(expected):
        raise ValueError(f"expected {len(expected)} predictions, got {str(predictions)[:200]}")
    worst = 0.0
    for i, (prediction, want) in enumerate(zip(predictions, expected)):
        p = prediction.get("probability") if isinstance(prediction, dict) else None
        if not isinstance(p, (int, float)) or not math.isfinite(p) or not 0 <= p <= 1:
            raise ValueError(f"prediction {i}: probability {p!r} is not a number in [0, 1]")
        label = features.label_of(p)
        if prediction.get("label") != label:
            raise ValueError(f"prediction {i}: label {prediction.get('label')!r} for probability {p}")
        if not math.isfinite(want):
            raise ValueError(f"prediction {i}: the model's own probability is {want}")
        worst = max(worst, abs(p - want))
    return worst


def run_canary(model_dir: str, texts: list[str], log_path: str, *, timeout: float = 300,
               tolerance: float = TOLERANCE, pid_dir: str | None = None,
               protocols: tuple = PROTOCOLS) -> CanaryResult:
    """Serves model_dir with `python -m components.serving` (its output to log_path) and checks
    its answers: one request with every canary text, then one per text for a few of them.
    The server is a supervised child (components/process_supervisor.py): it dies with this
    process however that ends, and its pid file in `pid_dir` lets the next run end it otherwise."""
    from components import process_supervisor
    from components.serving import client, protocol_clients, settings

    unknown = set(protocols) - set(PROTOCOLS)
    if unknown or not protocols:
        raise ValueError(f"canary protocols {sorted(unknown) or 'none'}: expected some of {', '.join(PROTOCOLS)}")
    port, grpc_port = free_ports(2) if "grpc" in protocols else (free_ports(1)[0], 0)
    base = f"http://127.0.0.1:{port}"
    start = time.time()
    with open(log_path, "wb") as log:
        server = process_supervisor.start(
            [sys.executable, "-m", "components.serving", "--model-dir", model_dir, "--host", "127.0.0.1",
             "--port", str(port), "--model-name", settings.DEFAULT_MODEL_NAME, "--grpc-port", str(grpc_port)],
            pid_dir=pid_dir, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    result = CanaryResult(False, "", texts=len(texts), protocols=tuple(protocols))
    try:
        try:  # while the server starts
            expected = in_process_probabilities(model_dir, texts)
        except Exception as e:  # noqa: BLE001  (a model that cannot predict is not servable: that is the result)
            raise RuntimeError(f"the model does not predict in process: {type(e).__name__}: {e}") from None
        bad = [i for i, p in enumerate(expected) if not math.isfinite(p) or not 0 <= p <= 1]
        if bad:
            raise ValueError(f"the model's own probability is {expected[bad[0]]} for {len(bad)} of the "
                             f"{len(texts)} canary texts (first: text {bad[0]})")
        client.wait_ready(base, timeout, process=server)
        result.startup_s = round(time.time() - start, 2)
        calls = {"rest": lambda batch: client.predict(base, batch, timeout=120),
                 "v2-binary": lambda batch: protocol_clients.infer_binary(base, batch, timeout=120),
                 "grpc": lambda batch: protocol_clients.infer_grpc(f"127.0.0.1:{grpc_port}", batch, timeout=120)}
        worst = 0.0
        for name in protocols:
            try:
                worst = max(worst, check_predictions(calls[name](texts), expected))
                result.requests += 1
                for i in range(min(4 if name == "rest" else 1, len(texts))):
                    worst = max(worst, check_predictions(calls[name](texts[i:i + 1]), expected[i:i + 1]))
                    result.requests += 1
            except Exception as e:  # noqa: BLE001  (said with the protocol that failed)
                raise RuntimeError(f"{name}: {type(e).__name__}: {e}") from None
        result.max_abs_diff = worst
        if worst > tolerance:
            result.reason = f"served probabilities differ from the model's by up to {worst:.2e} (> {tolerance:g})"
        else:
            result.blessed, result.reason = True, (
                f"served {len(texts)} canary texts in {result.requests} requests ({', '.join(protocols)}), "
                f"equal to the model's own "
                f"predictions within {tolerance:g} (max difference {worst:.1e})")
    except Exception as e:  # noqa: BLE001  (whatever went wrong is why the model is not servable)
        if process_supervisor.stop_signal() is not None:  # stopped, not a verdict: nothing recorded
            raise  # (a signal's exception can come back from TensorFlow's C++ as another error)
        result.reason = f"{type(e).__name__}: {e}"[:500]
    finally:
        process_supervisor.stop(server, timeout=20)
    with open(log_path, errors="replace") as f:
        result.log = f.read()[-4000:]
    if not result.blessed and result.log.strip():
        result.reason += "; the server's log ends: " + result.log.strip().splitlines()[-1][:300]
    return result
