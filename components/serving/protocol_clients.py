"""Minimal clients of the server's other protocols, for the pipeline's canary
(components/infra_validator/canary.py), which cannot use the test-only tritonclient:

  infer_binary(url, texts)     V2 REST with the binary tensor data extension (urllib, struct)
  infer_grpc(target, texts)    V2 gRPC ModelInfer (grpcio with KServe's generated stubs)

Each returns [{"probability", "label"}] per text, as client.predict does, and raises
ServerError (client.py) with the server's message for an error answer.
"""
from __future__ import annotations

import json
import os
import struct
import urllib.error
import urllib.request

from components.serving.client import DEFAULT_MODEL, ServerError

HEADER = "Inference-Header-Content-Length"


def _bytes_tensor(texts: list[str]) -> bytes:
    return b"".join(struct.pack("<I", len(t)) + t for t in (text.encode("utf-8") for text in texts))


def _read_bytes_tensor(raw: bytes) -> list[str]:
    values, offset = [], 0
    while offset < len(raw):
        (length,) = struct.unpack_from("<I", raw, offset)
        values.append(raw[offset + 4:offset + 4 + length].decode("utf-8"))
        offset += 4 + length
    return values


def _answers(outputs: dict) -> list[dict]:
    return [{"probability": p, "label": label} for p, label in zip(outputs["probability"], outputs["label"])]


def infer_binary(url: str, texts: list[str], model: str = DEFAULT_MODEL, timeout: float = 60.0) -> list[dict]:
    raw = _bytes_tensor(texts)
    document = json.dumps({"inputs": [{"name": "text", "datatype": "BYTES", "shape": [len(texts)],
                                       "parameters": {"binary_data_size": len(raw)}}],
                           "parameters": {"binary_data_output": True}}).encode()
    target = f"{url}/v2/models/{model}/infer"
    request = urllib.request.Request(target, data=document + raw, headers={
        "Content-Type": "application/octet-stream", HEADER: str(len(document))})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body, length = response.read(), response.headers.get(HEADER)
    except urllib.error.HTTPError as e:
        raise ServerError(e.code, json.loads(e.read() or b"{}").get("error", ""), target) from None
    if length is None:
        raise ServerError(200, "the answer has no Inference-Header-Content-Length (binary outputs were asked)", target)
    header, offset, outputs = json.loads(body[:int(length)]), int(length), {}
    for output in header["outputs"]:
        size = output["parameters"]["binary_data_size"]
        chunk = body[offset:offset + size]
        offset += size
        outputs[output["name"]] = (_read_bytes_tensor(chunk) if output["datatype"] == "BYTES" else
                                   [v for (v,) in struct.iter_unpack("<f", chunk)])
    return _answers(outputs)


MODEL_INFER = "/inference.GRPCInferenceService/ModelInfer"  # the V2 gRPC method (grpc_predict_v2.proto)
V2_MESSAGES = "kserve.protocol.grpc.grpc_predict_v2_pb2"


def v2_messages():
    """KServe's generated V2 messages, without importing the `kserve` package: its import pulls
    in ray, whose logging set-up (dictConfig) closes and disables every logging handler of the
    process, the pipeline's and absl's included. Loaded from the package's file under its own
    module name, so that a later `import kserve` (the model server) finds it and does not
    register the proto file twice."""
    import importlib.util
    import sys

    if V2_MESSAGES not in sys.modules:
        spec = importlib.util.find_spec("kserve")
        path = os.path.join(os.path.dirname(spec.origin), "protocol", "grpc", "grpc_predict_v2_pb2.py")
        module_spec = importlib.util.spec_from_file_location(V2_MESSAGES, path)
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[V2_MESSAGES] = module
        module_spec.loader.exec_module(module)
    return sys.modules[V2_MESSAGES]


def infer_grpc(target: str, texts: list[str], model: str = DEFAULT_MODEL, timeout: float = 60.0) -> list[dict]:
    import grpc

    pb = v2_messages()
    tensor = pb.ModelInferRequest.InferInputTensor(name="text", datatype="BYTES", shape=[len(texts)])
    request = pb.ModelInferRequest(model_name=model, inputs=[tensor], raw_input_contents=[_bytes_tensor(texts)])
    with grpc.insecure_channel(target) as channel:
        infer = channel.unary_unary(MODEL_INFER, request_serializer=pb.ModelInferRequest.SerializeToString,
                                    response_deserializer=pb.ModelInferResponse.FromString)
        try:
            response = infer(request, timeout=timeout)
        except grpc.RpcError as e:
            raise ServerError(e.code().value[0], f"{e.code().name}: {e.details()}", f"grpc://{target}") from None
    outputs = {}
    for output, raw in zip(response.outputs, response.raw_output_contents):
        outputs[output.name] = (_read_bytes_tensor(raw) if output.datatype == "BYTES" else
                                [v for (v,) in struct.iter_unpack("<f", raw)])
    return _answers(outputs)
