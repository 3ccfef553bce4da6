"""Minimal clients of the server's other protocols, for the pipeline's canary
(components/infra_validator/canary.py), which cannot use the test-only tritonclient:

  infer_binary(url, texts)     V2 REST with the binary tensor data extension (urllib, struct)
  infer_grpc(target, texts)    V2 gRPC ModelInfer (grpcio with KServe's generated stubs)

Each returns [{"probability", "label"}] per text, as client.predict does, and raises
ServerError (client.py) with the server's message for an error answer.
"""
from __future__ import annotations

import json
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


def infer_grpc(target: str, texts: list[str], model: str = DEFAULT_MODEL, timeout: float = 60.0) -> list[dict]:
    import grpc

    from components.serving.imports import hide_iri_grammar

    hide_iri_grammar()
    from kserve.protocol.grpc import grpc_predict_v2_pb2 as pb
    from kserve.protocol.grpc.grpc_predict_v2_pb2_grpc import GRPCInferenceServiceStub

    tensor = pb.ModelInferRequest.InferInputTensor(name="text", datatype="BYTES", shape=[len(texts)])
    request = pb.ModelInferRequest(model_name=model, inputs=[tensor], raw_input_contents=[_bytes_tensor(texts)])
    with grpc.insecure_channel(target) as channel:
        try:
            response = GRPCInferenceServiceStub(channel).ModelInfer(request, timeout=timeout)
        except grpc.RpcError as e:
            raise ServerError(e.code().value[0], f"{e.code().name}: {e.details()}", f"grpc://{target}") from None
    outputs = {}
    for output, raw in zip(response.outputs, response.raw_output_contents):
        outputs[output.name] = (_read_bytes_tensor(raw) if output.datatype == "BYTES" else
                                [v for (v,) in struct.iter_unpack("<f", raw)])
    return _answers(outputs)
