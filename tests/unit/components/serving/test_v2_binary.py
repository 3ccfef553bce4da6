"""V2 REST with the binary tensor data extension, with tritonclient.http (the V2 reference
client) against a real server (the session's protocols server, conftest.py): its defaults
(binary inputs and outputs), JSON either way, a pinned version; malformed binary bodies, each a
4xx with a clear error, the server answering after each.
"""
import http.client
import json
import pathlib
import struct
import time

import numpy as np
import pytest
import tritonclient.http as triton
from tritonclient.utils import InferenceServerException

from components.serving import client
from tests.helpers import models
from tests.unit.components.serving.conftest import MAX_INSTANCES, NEW, OLD

TEXTS = ["A wonderful film, moving and beautifully acted.", "Dull and far too long.", "",
         "Très bien — un film magnifique 🎬", "ok " * 400]


@pytest.fixture(scope="module")
def triton_client(protocols):
    with triton.InferenceServerClient(protocols.host_port) as c:
        yield c


def text_input(texts, binary=True):
    tensor = triton.InferInput("text", [len(texts)], "BYTES")
    tensor.set_data_from_numpy(np.array(texts, dtype=object), binary_data=binary)
    return tensor


def expected(protocols, version=NEW, texts=TEXTS):
    return models.in_process(protocols.paths[version], texts)["probability"]


def assert_answers(result, want):
    probabilities = result.as_numpy("probability")
    assert probabilities.dtype == np.float32
    assert probabilities.tolist() == pytest.approx(want, abs=1e-6)
    assert [v.decode() if isinstance(v, bytes) else v for v in result.as_numpy("label")] == \
        ["positive" if p > 0.5 else "negative" for p in want]


def still_up(protocols):
    assert client.infer_v2(protocols.url, ["still answering?"])["outputs"][0]["shape"] == [1]


def test_tritonclient_defaults_binary_in_and_out(protocols, triton_client):
    result = triton_client.infer("imdb", [text_input(TEXTS)])
    assert result.get_response()["outputs"][0]["parameters"]["binary_data_size"] == 4 * len(TEXTS)
    assert result.get_response()["model_version"] == str(NEW)
    assert_answers(result, expected(protocols))


@pytest.mark.parametrize("binary_in,binary_out", [(True, False), (False, True), (False, False)])
def test_binary_either_way(protocols, triton_client, binary_in, binary_out):
    outputs = [triton.InferRequestedOutput(name, binary_data=binary_out) for name in ("probability", "label")]
    result = triton_client.infer("imdb", [text_input(TEXTS, binary_in)], outputs=outputs)
    assert ("data" in result.get_response()["outputs"][0]) == (not binary_out)
    assert_answers(result, expected(protocols))


def test_one_requested_output(protocols, triton_client):
    result = triton_client.infer("imdb", [text_input(TEXTS[:2])], outputs=[triton.InferRequestedOutput("probability")])
    assert [o["name"] for o in result.get_response()["outputs"]] == ["probability"]
    assert result.as_numpy("probability").tolist() == pytest.approx(expected(protocols, texts=TEXTS[:2]), abs=1e-6)


def test_a_pinned_version(protocols, triton_client):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the older version is kept loaded once the server has polled
        if client.request(f"{protocols.url}/v1/models/imdb/versions/{OLD}")[0] == 200:
            break
        time.sleep(0.2)
    result = triton_client.infer("imdb", [text_input(TEXTS)], model_version=str(OLD))
    assert result.get_response()["model_version"] == str(OLD)
    assert_answers(result, expected(protocols, OLD))
    assert expected(protocols, OLD) != pytest.approx(expected(protocols, NEW), abs=1e-3)  # two models


def raw_post(protocols, path, header: dict, raw: bytes, header_length=None):
    document = json.dumps(header).encode()
    connection = http.client.HTTPConnection(protocols.host_port, timeout=30)
    length = str(len(document)) if header_length is None else header_length
    connection.request("POST", path, document + raw, {"Content-Type": "application/octet-stream",
                                                      "Inference-Header-Content-Length": length})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, json.loads(body)


def binary_text(values: list) -> bytes:
    return b"".join(struct.pack("<I", len(v)) + v for v in values)


def header(size, datatype="BYTES", shape=(1,), name="text", **extra):
    return {"inputs": [{"name": name, "datatype": datatype, "shape": list(shape),
                        "parameters": {"binary_data_size": size}}], **extra}


GOOD = binary_text([b"a review"])
BAD = [
    ("length-not-a-number", header(len(GOOD)), GOOD, "abc", 400, "not a byte count"),
    ("length-past-the-body", header(len(GOOD)), GOOD, "100000", 400, "but the body has only"),
    ("header-not-json", header(len(GOOD)), GOOD, "5", 400, "are not a JSON object"),
    ("sizes-do-not-add-up", header(len(GOOD) + 3), GOOD, None, 400, "add up to 15 bytes, but 12 follow"),
    ("element-overruns", header(8), struct.pack("<I", 100) + b"abcd", None, 400, "a BYTES element of 100 bytes"),
    ("truncated-length", header(2), b"\x01\x00", None, 400, "too few for a BYTES element's 4-byte length"),
    ("invalid-utf8", header(5), binary_text([b"\xff"]), None, 400, "not valid UTF-8"),
    ("fp32-input", header(4, "FP32"), struct.pack("<f", 1.0), None, 400, "datatype FP32; it must be BYTES"),
    ("wrong-name", header(len(GOOD), name="review"), GOOD, None, 400, "named \"text\" (got 'review')"),
    ("shape-mismatch", header(len(GOOD), shape=(2,)), GOOD, None, 400, "shape [2] but 1 values"),
    ("negative-size", header(-1), GOOD, None, 400, "not a byte count"),
    ("data-and-binary", {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [1], "data": ["x"],
                                     "parameters": {"binary_data_size": 12}}]}, GOOD, None, 400, "both \"data\""),
    ("no-inputs", {"instances": ["x"]}, b"", None, 400, "does not follow the V2 inference protocol: inputs"),
    ("unknown-output", header(len(GOOD), outputs=[{"name": "logits", "parameters": {"binary_data": True}}]), GOOD,
     None, 400, "asks for output 'logits'"),
    ("too-many", header(4 * (MAX_INSTANCES + 1), shape=(MAX_INSTANCES + 1,)), binary_text([b""] * (MAX_INSTANCES + 1)),
     None, 413, "more than the server's limit"),
    ("version-not-kept", header(len(GOOD)), GOOD, None, 404, "version 12 is not loaded"),
]


@pytest.mark.parametrize("name,document,raw,length,status,message", BAD, ids=[b[0] for b in BAD])
def test_malformed_binary_requests(protocols, name, document, raw, length, status, message):
    path = "/v2/models/imdb/versions/12/infer" if name == "version-not-kept" else "/v2/models/imdb/infer"
    code, answer = raw_post(protocols, path, document, raw, length)
    assert (code, set(answer)) == (status, {"error"}), answer
    assert message in answer["error"]
    still_up(protocols)


def test_a_request_refused_for_its_outputs_is_not_asked_of_the_model_nor_logged(protocols):
    """An output the model has not, or "outputs" that is not a list of named objects: 400 before
    the model answers (an answer refused afterwards was in the request log; "outputs": 5 was a 500)."""
    def infer(text, **extra):
        body = {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [1], "data": [text]}], **extra}
        return client.request(protocols.url + "/v2/models/imdb/infer", json.dumps(body).encode())

    assert infer("refused-for-its-output", outputs=[{"name": "nope"}]) == (
        400, {"error": "the request asks for output 'nope'; the model's outputs are probability, label"})
    assert infer("refused-for-its-outputs", outputs=[{"name": "label"}, {"name": "label"}]) == (
        400, {"error": "output 'label' is asked for twice"})
    for outputs in (5, True, [{"parameters": {}}]):
        assert infer("refused-for-its-outputs", outputs=outputs) == (
            400, {"error": '"outputs" must be a list of objects with a "name"'}), outputs
    assert infer("answered-and-logged")[0] == 200
    deadline, logged = time.time() + 10, ""
    while "answered-and-logged" not in logged and time.time() < deadline:
        time.sleep(0.2)
        logged = "".join(p.read_text() for p in pathlib.Path(protocols.request_log).glob("requests-*.jsonl"))
    assert "answered-and-logged" in logged and "refused-for-its-output" not in logged


def test_a_binary_body_elsewhere_is_refused(protocols):
    code, answer = raw_post(protocols, "/v1/models/imdb:predict", header(len(GOOD)), GOOD)
    assert code == 404 and "only V2 infer" in answer["error"]


def test_tritonclient_reports_the_error(protocols, triton_client):
    tensor = triton.InferInput("review", [1], "BYTES")
    tensor.set_data_from_numpy(np.array(["x"], dtype=object))
    with pytest.raises(InferenceServerException, match="one input, named \"text\""):
        triton_client.infer("imdb", [tensor])
    with pytest.raises(InferenceServerException, match="not loaded"):
        triton_client.infer("imdb", [text_input(["x"])], model_version="99")
    still_up(protocols)
