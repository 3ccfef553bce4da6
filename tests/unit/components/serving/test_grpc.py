"""The V2 gRPC service (--grpc-port) with real clients, tritonclient.grpc and KServe's own
InferenceServerClient, against the session's protocols server (conftest.py): health, metadata,
answers equal to predict_text's and to REST's, a pinned version, and bad requests as gRPC status
codes with REST's messages, the server answering after each.

tritonclient.grpc and kserve each register the V2 protos (package `inference`) from files of
different names, and protobuf refuses the second in one process; the test process imports
kserve (the server's modules), so tritonclient.grpc runs in one child process (TRITON, all of
its calls at once) whose results the tests below check.
"""
import json
import subprocess
import sys

import grpc
import numpy as np
import pytest

from components.serving import client
from tests.helpers import models
from tests.helpers.paths import ROOT
from tests.unit.components.serving.conftest import MAX_INSTANCES, NEW, OLD

TEXTS = ["A wonderful film, moving and beautifully acted.", "Dull and far too long.", "",
         "Très bien — un film magnifique 🎬", "ok " * 400]

TRITON = r'''
import json, sys
import numpy as np
import tritonclient.grpc as triton
from tritonclient.grpc import service_pb2 as pb, service_pb2_grpc
from tritonclient.utils import InferenceServerException
import grpc

target, texts, old, max_instances = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], int(sys.argv[4])
client = triton.InferenceServerClient(target)
out = {}

def text_input(values, name="text", datatype="BYTES"):
    tensor = triton.InferInput(name, [len(values)], datatype)
    tensor.set_data_from_numpy(np.array(values, dtype=object if datatype == "BYTES" else np.float32))
    return tensor

def answer(result):
    return {"probability": result.as_numpy("probability").tolist(), "dtype": str(result.as_numpy("probability").dtype),
            "label": [v.decode() for v in result.as_numpy("label")], "version": result.get_response().model_version}

out["health"] = [client.is_server_live(), client.is_server_ready(), client.is_model_ready("imdb")]
out["metadata"] = client.get_model_metadata("imdb", as_json=True)
out["version_metadata"] = client.get_model_metadata("imdb", model_version=old, as_json=True)
out["version_ready"] = client.is_model_ready("imdb", model_version=old)
for name, call in (("unknown_version_metadata", lambda: client.get_model_metadata("imdb", model_version="12")),
                   ("unknown_version_ready", lambda: client.is_model_ready("imdb", model_version="12"))):
    try:
        out[name] = ["OK", str(call())]
    except InferenceServerException as e:
        out[name] = [e.status(), e.message()]
out["infer"] = answer(client.infer("imdb", [text_input(texts)]))
out["pinned"] = answer(client.infer("imdb", [text_input(texts)], model_version=old))
bad = {"wrong-name": ("imdb", [text_input(["x"], name="review")], {}),
       "wrong-datatype": ("imdb", [text_input([1.0], datatype="FP32")], {}),
       "too-many": ("imdb", [text_input(["x"] * (max_instances + 1))], {}),
       "unknown-model": ("other", [text_input(["x"])], {}),
       "version-not-kept": ("imdb", [text_input(["x"])], {"model_version": "12"}),
       "version-not-a-number": ("imdb", [text_input(["x"])], {"model_version": "v2"}),
       "unknown-output": ("imdb", [text_input(["x"])], {"outputs": [triton.InferRequestedOutput("logits")]})}
out["bad"] = {}
for name, (model, inputs, options) in bad.items():
    try:
        client.infer(model, inputs, **options)
        out["bad"][name] = ["OK", ""]
    except InferenceServerException as e:
        out["bad"][name] = [e.status(), e.message()]
    out["bad"][name].append(client.infer("imdb", [text_input(["still answering?"])]).as_numpy("label").shape[0])
with grpc.insecure_channel(target) as channel:
    stub = service_pb2_grpc.GRPCInferenceServiceStub(channel)
    tensor = pb.ModelInferRequest.InferInputTensor(name="text", datatype="BYTES", shape=[2],
                                                   contents=pb.InferTensorContents(bytes_contents=[b"good", b"bad"]))
    response = stub.ModelInfer(pb.ModelInferRequest(model_name="imdb", inputs=[tensor]))
    out["contents"] = np.frombuffer(response.raw_output_contents[0], "<f4").tolist()
    tensor = pb.ModelInferRequest.InferInputTensor(name="text", datatype="BYTES", shape=[1])
    try:
        stub.ModelInfer(pb.ModelInferRequest(model_name="imdb", inputs=[tensor], raw_input_contents=[b"\x64\x00\x00\x00abc"]))
        out["malformed"] = ["OK", ""]
    except grpc.RpcError as e:
        out["malformed"] = [e.code().name, e.details()]
print(json.dumps(out))
'''


@pytest.fixture(scope="module")
def triton(kept):
    """tritonclient.grpc's answers (in a child process), once the older version is kept loaded."""
    protocols = kept
    run = subprocess.run([sys.executable, "-c", TRITON, protocols.grpc_target, json.dumps(TEXTS), str(OLD),
                          str(MAX_INSTANCES)], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def labels(probabilities):
    return ["positive" if p > 0.5 else "negative" for p in probabilities]


def test_health_and_metadata(triton):
    assert triton["health"] == [True, True, True]
    metadata = triton["metadata"]
    assert metadata["name"] == "imdb" and str(NEW) in metadata["versions"] and str(OLD) in metadata["versions"]
    assert [(t["name"], t["datatype"]) for t in metadata["inputs"]] == [("text", "BYTES")]
    assert [t["name"] for t in metadata["outputs"]] == ["probability", "label"]


def test_a_versions_metadata_and_readiness(triton):
    metadata = triton["version_metadata"]
    assert metadata["name"] == "imdb" and metadata["versions"] == [str(OLD)]
    assert [t["name"] for t in metadata["outputs"]] == ["probability", "label"]
    assert triton["version_ready"] is True
    for name in ("unknown_version_metadata", "unknown_version_ready"):
        status, message = triton[name]
        assert status == "StatusCode.NOT_FOUND" and "version 12 is not loaded" in message, (name, status, message)


def test_tritonclient_answers_equal_predict_text_and_rest(protocols, triton):
    want = models.in_process(protocols.paths[NEW], TEXTS)["probability"]
    answer = triton["infer"]
    assert answer["dtype"] == "float32" and answer["version"] == str(NEW)
    assert answer["probability"] == pytest.approx(want, abs=1e-6)
    assert answer["label"] == labels(want)
    rest = client.infer_v2(protocols.url, TEXTS)["outputs"][0]["data"]
    assert answer["probability"] == rest  # the same float32 values, whichever protocol


def test_a_pinned_version(protocols, triton):
    want = models.in_process(protocols.paths[OLD], TEXTS)["probability"]
    assert triton["pinned"]["version"] == str(OLD)
    assert triton["pinned"]["probability"] == pytest.approx(want, abs=1e-6)
    assert want != pytest.approx(models.in_process(protocols.paths[NEW], TEXTS)["probability"], abs=1e-3)


def test_contents_instead_of_raw(protocols, triton):
    """Strings in `contents` (not raw bytes), straight through the generated stub."""
    want = models.in_process(protocols.paths[NEW], ["good", "bad"])["probability"]
    assert triton["contents"] == pytest.approx(want, abs=1e-6)


@pytest.mark.parametrize("name,code,message", [
    ("wrong-name", "INVALID_ARGUMENT", "one input, named \"text\" (got 'review')"),
    ("wrong-datatype", "INVALID_ARGUMENT", "datatype FP32; it must be BYTES"),
    ("too-many", "RESOURCE_EXHAUSTED", "more than the server's limit"),
    ("unknown-model", "NOT_FOUND", "other"),
    ("version-not-kept", "NOT_FOUND", "version 12 is not loaded"),
    ("version-not-a-number", "INVALID_ARGUMENT", "is not a number"),
    ("unknown-output", "INVALID_ARGUMENT", "asks for output 'logits'"),
])
def test_bad_requests_are_status_codes(triton, name, code, message):
    status, error, still_up = triton["bad"][name]
    assert status == f"StatusCode.{code}", error
    assert message in error
    assert still_up == 1


def test_malformed_raw_bytes(triton):
    assert triton["malformed"][0] == "INVALID_ARGUMENT"
    assert "a BYTES element of 100 bytes" in triton["malformed"][1]


def test_kserve_client(protocols):
    from kserve import InferenceServerClient
    from kserve.protocol.infer_type import InferInput, InferRequest, InferResponse

    want = models.in_process(protocols.paths[NEW], TEXTS)["probability"]
    with InferenceServerClient(protocols.grpc_target) as kserve_client:
        tensor = InferInput("text", [len(TEXTS)], "BYTES")
        tensor.set_data_from_numpy(np.array(TEXTS, dtype=object), binary_data=False)
        response = InferResponse.from_grpc(kserve_client.infer(InferRequest("imdb", [tensor], request_id="r1")))
        with pytest.raises(grpc.RpcError) as raised:
            kserve_client.infer(InferRequest("other", [tensor]))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    assert (response.id, response.model_name, response.model_version) == ("r1", "imdb", str(NEW))
    outputs = {o.name: o.as_numpy() for o in response.outputs}
    assert outputs["probability"].tolist() == pytest.approx(want, abs=1e-6)
    assert [v.decode() for v in outputs["label"]] == labels(want)
