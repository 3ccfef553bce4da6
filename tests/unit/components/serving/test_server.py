"""The model server over real HTTP: both protocols against the model's own predict_text, status,
health, metrics, batching, and every bad request (each answered 4xx with a JSON error, after
which the server still answers a good request).

One server for the module, on a serving directory with one tiny model version
(tests/helpers/models.py), with small limits so that the limit tests send little data.
"""
import concurrent.futures
import http.client
import json
import threading
import urllib.parse

import pytest

from components.serving import client
from tests.helpers import models
from tests.unit.components.serving.server_process import start_server

VERSION = 1700000000
MAX_BODY = 3 * 1024 * 1024
MAX_INSTANCES = 50
TEXTS = ["A wonderful film, moving and beautifully acted.", "Dull and far too long.", "",
         "Très bien — un film magnifique 🎬", "ok " * 400]


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    return models.build_model(str(tmp_path_factory.mktemp("model") / "m"), seed=7)


@pytest.fixture(scope="module")
def server(tmp_path_factory, model_path):
    serving_dir = tmp_path_factory.mktemp("serving")
    models.push(model_path, str(serving_dir), VERSION)
    process = start_server(tmp_path_factory.mktemp("log"), "--serving-dir", str(serving_dir),
                           "--max-body-bytes", str(MAX_BODY), "--max-instances", str(MAX_INSTANCES),
                           "--batch-wait-ms", "30")
    yield process
    assert process.stop() == 0, process.log()[-3000:]


def post(server, path: str, body: bytes, content_type: str = "application/json"):
    return client.request(server.url + path, body, content_type=content_type)


def good_request_works(server):
    assert client.predict(server.url, ["still answering?"])[0]["label"] in ("positive", "negative")


def test_v1_predictions_equal_predict_text(server, model_path):
    expected = models.in_process(model_path, TEXTS)["probability"]
    for instances in (TEXTS, [{"text": t} for t in TEXTS]):
        code, answer = post(server, "/v1/models/imdb:predict", json.dumps({"instances": instances}).encode())
        assert code == 200, answer
        predictions = answer["predictions"]
        assert [set(p) for p in predictions] == [{"probability", "label"}] * len(TEXTS)
        assert [p["probability"] for p in predictions] == pytest.approx(expected, abs=1e-5)
        assert [p["label"] for p in predictions] == ["positive" if p > 0.5 else "negative" for p in expected]


def test_v1_answers_a_body_sent_without_a_json_content_type(server, model_path):
    """curl -d sends application/x-www-form-urlencoded (KServe alone would pass the bytes on)."""
    code, answer = post(server, "/v1/models/imdb:predict", json.dumps({"instances": TEXTS[:2]}).encode(),
                        content_type="application/x-www-form-urlencoded")
    assert code == 200, answer
    expected = models.in_process(model_path, TEXTS[:2])["probability"]
    assert [p["probability"] for p in answer["predictions"]] == pytest.approx(expected, abs=1e-5)
    v2 = {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [2], "data": TEXTS[:2]}]}
    code, answer = post(server, "/v2/models/imdb/infer", json.dumps(v2).encode(), content_type="text/plain")
    assert code == 200, answer
    assert answer["outputs"][0]["data"] == pytest.approx(expected, abs=1e-5)


@pytest.mark.parametrize("shape", [[len(TEXTS)], [len(TEXTS), 1]])
def test_v2_infer_equals_predict_text(server, model_path, shape):
    body = {"id": "r1", "inputs": [{"name": "text", "datatype": "BYTES", "shape": shape, "data": TEXTS}]}
    code, answer = post(server, "/v2/models/imdb/infer", json.dumps(body).encode())
    assert code == 200, answer
    assert (answer["id"], answer["model_name"], answer["model_version"]) == ("r1", "imdb", str(VERSION))
    outputs = {o["name"]: o for o in answer["outputs"]}
    assert set(outputs) == {"probability", "label"}
    assert outputs["probability"]["datatype"] == "FP32" and outputs["probability"]["shape"] == [len(TEXTS)]
    expected = models.in_process(model_path, TEXTS)["probability"]
    assert outputs["probability"]["data"] == pytest.approx(expected, abs=1e-5)
    assert outputs["label"]["data"] == ["positive" if p > 0.5 else "negative" for p in expected]
    assert client.infer_v2(server.url, ["x"])["outputs"][0]["shape"] == [1]


def test_status_says_the_served_version(server):
    status = client.status(server.url)
    assert status["ready"] is True and status["name"] == "imdb"
    assert status["version"] == str(VERSION) and status["path"].endswith(str(VERSION))
    assert status["model_version_status"] == [
        {"version": str(VERSION), "state": "AVAILABLE", "status": {"error_code": "OK", "error_message": ""}}]
    assert status["refused"] == {}
    assert set(status["batching"]) == {"model_calls", "requests", "instances", "largest_batch"}


def test_liveness_readiness_and_metadata(server):
    for path, answer in (("/", {"status": "alive"}), ("/v2/health/live", {"live": True}),
                         ("/v2/health/ready", {"ready": True}), ("/v2/models/imdb/ready", {"name": "imdb", "ready": True})):
        assert client.request(server.url + path) == (200, answer), path
    code, metadata = client.request(server.url + "/v2/models/imdb")
    assert code == 200 and metadata["inputs"] == [{"name": "text", "datatype": "BYTES", "shape": [-1]}]
    assert metadata["versions"] == [str(VERSION)]  # the loaded versions, as gRPC's ModelMetadata lists them
    assert client.request(server.url + "/v2/models/nope")[0] == 404
    # the router's own errors answer {"error"} too: a method the path does not take, a path that does not exist
    for method, path, status in (("GET", "/v2/models/imdb/infer", 405), ("PUT", "/v1/models/imdb:predict", 405),
                                 ("GET", "/no/such/path", 404)):
        request = client.urllib.request.Request(server.url + path, data=b"{}" if method == "PUT" else None, method=method)
        try:
            client.urllib.request.urlopen(request, timeout=30)
            raise AssertionError(f"{method} {path} answered 200")
        except client.urllib.error.HTTPError as e:
            answer = json.loads(e.read())
            assert (e.code, set(answer)) == (status, {"error"}), (method, path)
            if method == "PUT":  # a verb takes a POST (not the GET of the status route's path)
                assert answer["error"].endswith("; use POST"), answer
    assert client.request(server.url + "/v1/models/nope")[0] == 404
    assert client.request(server.url + "/v1/models")[1] == {"models": ["imdb"]}
    # KServe's model repository routes are not served: a client could unload the served model
    for path in ("/v2/repository/models/imdb/unload", "/v2/repository/models/imdb/load", "/v2/repository/index"):
        assert client.request(server.url + path, b"{}")[0] == 404, path
    assert client.request(server.url + "/v1/models/imdb:predict", b'{"instances": ["fine"]}')[0] == 200


def test_metrics_count_requests_and_batches(server):
    client.predict(server.url, ["counted"])
    with client.urllib.request.urlopen(server.url + "/metrics") as response:
        metrics = response.read().decode()
    for name in ("request_predict_seconds_count", "request_preprocess_seconds_count", "imdb_serving_batch_size_count",
                 "imdb_serving_model_call_seconds_count"):
        line = next((l for l in metrics.splitlines() if l.startswith(name + '{model_name="imdb"}')), None)
        assert line and float(line.split()[-1]) >= 1, name


def test_an_empty_and_a_1_mb_review_are_answered(server, model_path):
    long_review = ("This film is long. " * 60000)[:1024 * 1024]
    predictions = client.predict(server.url, ["", long_review])
    expected = models.in_process(model_path, ["", long_review])["probability"]
    assert [p["probability"] for p in predictions] == pytest.approx(expected, abs=1e-5)


V1 = "/v1/models/imdb:predict"
V2 = "/v2/models/imdb/infer"


def v2_body(**tensor) -> bytes:
    return json.dumps({"inputs": [{"name": "text", "datatype": "BYTES", "shape": [1], "data": ["a"], **tensor}]}).encode()


BAD_REQUESTS = [  # (id, path, body, status, what the error says)
    ("malformed-json", V1, b'{"instances": ["a"', 400, "not valid JSON"),
    ("malformed-json-form", V1, b"instances=a", 400, "not valid JSON"),
    ("malformed-json-v2", V2, b'{"inputs": [', 400, "not valid JSON"),
    ("empty-body", V1, b"", 400, "the request body is empty"),
    ("not-an-object", V1, b'["a review"]', 400, "must be a JSON object, not a list"),
    ("no-instances", V1, b'{"reviews": ["a"]}', 400, "no \"instances\" (it has 'reviews')"),
    ("columnar-inputs-not-a-list", V1, b'{"inputs": "a"}', 400, "columnar \"inputs\" must be a list"),
    ("instances-not-a-list", V1, b'{"instances": "a review"}', 400, "\"instances\" must be a list, not a string"),
    ("non-string-instance", V1, b'{"instances": ["a", 3]}', 400, "instance 1 is a number, not a string"),
    ("null-instance", V1, b'{"instances": [null]}', 400, "instance 0 is null"),
    ("non-string-text", V1, b'{"instances": [{"text": ["a"]}]}', 400, "instance 0: \"text\" is a list"),
    ("unknown-key", V1, b'{"instances": [{"review": "a"}]}', 400, "instance 0 has 'review'"),
    ("empty-list", V1, b'{"instances": []}', 400, "\"instances\" is empty"),
    ("invalid-utf8", V1, b'{"instances": ["caf\xe9"]}', 400, "not valid UTF-8 (byte 0xe9 at offset 19)"),
    ("invalid-utf8-v2", V2, v2_body(data=["x"]).replace(b'"x"', b'"\xff"'), 400, "not valid UTF-8"),
    ("lone-surrogate", V1, b'{"instances": ["\\ud800"]}', 400, "not valid JSON"),
    ("too-many-instances", V1, json.dumps({"instances": ["a"] * (MAX_INSTANCES + 1)}).encode(), 413,
     f"has {MAX_INSTANCES + 1} reviews, more than the server's limit of {MAX_INSTANCES}"),
    ("too-many-instances-v2", V2, v2_body(shape=[MAX_INSTANCES + 1], data=["a"] * (MAX_INSTANCES + 1)), 413,
     "more than the server's limit"),
    ("body-over-limit", V1, json.dumps({"instances": ["x" * (MAX_BODY + 10)]}).encode(), 413,
     f"more than the server's limit of {MAX_BODY} (--max-body-bytes)"),
    ("v2-wrong-datatype", V2, v2_body(datatype="FP32"), 400, "datatype FP32; it must be BYTES"),
    ("v2-wrong-name", V2, v2_body(name="review"), 400, "one input, named \"text\" (got 'review')"),
    ("v2-shape-mismatch", V2, v2_body(shape=[2]), 400, "shape [2] but 1 values"),
    ("v2-non-string", V2, v2_body(data=[1.5]), 400, "value 0 is a number, not a string"),
    ("v2-empty", V2, v2_body(shape=[0], data=[]), 400, "is empty"),
    ("v2-no-inputs", V2, b'{"instances": ["a"]}', 400, "does not follow the V2 inference protocol: inputs"),
]


@pytest.mark.parametrize("path,body,status,error", [r[1:] for r in BAD_REQUESTS], ids=[r[0] for r in BAD_REQUESTS])
def test_bad_requests_get_a_json_error_and_the_server_stays_up(server, path, body, status, error):
    code, answer = post(server, path, body)
    assert code == status, answer
    assert set(answer) == {"error"} and error in answer["error"], answer
    good_request_works(server)


def test_a_chunked_body_over_the_limit_is_refused(server):
    """No Content-Length: the gate counts the bytes as they come."""
    parts = urllib.parse.urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    chunks = (b"x" * 65536 for _ in range(MAX_BODY // 65536 + 2))
    connection.request("POST", V1, body=chunks, headers={"Content-Type": "application/json"}, encode_chunked=True)
    response = connection.getresponse()
    assert response.status == 413 and "--max-body-bytes" in json.loads(response.read())["error"]
    connection.close()
    good_request_works(server)


def test_concurrent_requests_are_batched_and_each_gets_its_own_answer(server, model_path):
    texts = [f"review number {i}: " + "good " * i for i in range(32)]
    expected = models.in_process(model_path, texts)["probability"]
    before = client.status(server.url)["batching"]
    barrier = threading.Barrier(len(texts))

    def one(text):
        barrier.wait()
        return client.predict(server.url, [text])[0]["probability"]

    with concurrent.futures.ThreadPoolExecutor(len(texts)) as pool:
        answers = list(pool.map(one, texts))
    assert answers == pytest.approx(expected, abs=1e-5)  # each request got its own text's answer
    after = client.status(server.url)["batching"]
    calls, requests = after["model_calls"] - before["model_calls"], after["requests"] - before["requests"]
    assert requests == len(texts)
    assert calls <= len(texts) // 2, (calls, after)  # fewer model calls than requests: batched
    assert after["largest_batch"] >= 2


@pytest.mark.parametrize("which", ["port", "grpc_port"])
def test_a_taken_port_is_refused_before_the_model_loads(tmp_path, which):
    """ServeError naming the address, before any model is loaded (the directory given here holds
    none: a load would fail with ModelLoadError instead)."""
    import socket

    from components.serving import server
    from components.serving.settings import Settings

    (tmp_path / "1").mkdir()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ports = {"port": port, "grpc_port": 0} if which == "port" else {"port": 0, "grpc_port": port}
        with pytest.raises(server.ServeError, match=f"^cannot listen on 127.0.0.1:{port}: Address already in use"):
            server.serve(Settings(model_dir=str(tmp_path / "1"), host="127.0.0.1", **ports))


def test_a_body_that_stops_arriving_is_answered_408():
    """A client that sends less than its Content-Length held its connection open for ever: the
    gate waits body_timeout_s for each part of the body."""
    import asyncio

    from components.serving.routes import RequestGate

    async def never_called(scope, receive, send):
        raise AssertionError("the app got a request whose body never came")

    sent = []

    async def send(message):
        sent.append(message)

    async def call():
        messages = iter([{"type": "http.request", "body": b'{"instances": ', "more_body": True}])

        async def receive():
            try:
                return next(messages)
            except StopIteration:
                await asyncio.sleep(3600)

        scope = {"type": "http", "method": "POST", "path": "/v1/models/imdb:predict",
                 "headers": [(b"content-length", b"100")]}
        await RequestGate(never_called, 1024, body_timeout_s=0.2)(scope, receive, send)

    asyncio.run(asyncio.wait_for(call(), 10))
    assert sent[0]["status"] == 408
    assert json.loads(sent[1]["body"]) == {"error": "the request body stopped arriving (14 bytes in, none for 0.2 s)"}
