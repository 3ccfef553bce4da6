"""TF Serving's REST surface against the session's protocols server (conftest.py): the columnar
form, serving_default's tf.Examples (b64 in :predict, JSON in :classify), /versions/N and
/labels/L of the two versions held, /metadata; what is not supported is a 4xx naming the
alternative, and the server answers after each.
"""
import base64
import json

import pytest
import tensorflow as tf

from components.serving import client
from tests.helpers import models
from tests.unit.components.serving.conftest import NEW, OLD

TEXTS = ["A wonderful film, moving and beautifully acted.", "Dull and far too long.", "",
         "Très bien — un film magnifique 🎬", "ok " * 400]


def post(protocols, path: str, body) -> tuple:
    return client.request(protocols.url + path, json.dumps(body).encode())


def serving_default(path: str, texts: list) -> list:
    """The model's own serving_default (serialized tf.Examples) probabilities, in process."""
    signature = tf.saved_model.load(path).signatures["serving_default"]
    out = signature(examples=tf.constant([serialized(t) for t in texts]))["probability"]
    return out.numpy().reshape(-1).astype(float).tolist()


def serialized(text: str) -> bytes:
    feature = tf.train.Feature(bytes_list=tf.train.BytesList(value=[text.encode()]))
    return tf.train.Example(features=tf.train.Features(feature={"text": feature})).SerializeToString()


def labels(probabilities):
    return ["positive" if p > 0.5 else "negative" for p in probabilities]


@pytest.mark.parametrize("inputs", [TEXTS, {"text": TEXTS}])
def test_columnar_inputs(protocols, inputs):
    want = models.in_process(protocols.paths[NEW], TEXTS)["probability"]
    code, answer = post(protocols, "/v1/models/imdb:predict", {"inputs": inputs})
    assert code == 200, answer
    assert set(answer) == {"outputs"} and set(answer["outputs"]) == {"probability", "label"}
    assert answer["outputs"]["probability"] == pytest.approx(want, abs=1e-6)
    assert answer["outputs"]["label"] == labels(want)


def test_serving_default_b64_examples(protocols):
    want = serving_default(protocols.paths[NEW], TEXTS)
    instances = [{"b64": base64.b64encode(serialized(t)).decode()} for t in TEXTS]
    named = [{"examples": instance} for instance in instances]  # TF Serving's row form with the input named
    for body, key in (({"signature_name": "serving_default", "instances": instances}, "predictions"),
                      ({"signature_name": "serving_default", "instances": named}, "predictions"),
                      ({"signature_name": "serving_default", "inputs": {"examples": instances}}, "outputs")):
        code, answer = post(protocols, "/v1/models/imdb:predict", body)
        assert code == 200, answer
        got = [p["probability"] for p in answer[key]] if key == "predictions" else answer[key]["probability"]
        assert got == pytest.approx(want, abs=1e-6)


def test_classify_answers_as_serving_default(protocols):
    want = serving_default(protocols.paths[NEW], TEXTS)
    code, answer = post(protocols, "/v1/models/imdb:classify", {"examples": [{"text": t} for t in TEXTS]})
    assert code == 200, answer
    assert [[label for label, _ in result] for result in answer["results"]] == [["negative", "positive"]] * len(TEXTS)
    assert [result[1][1] for result in answer["results"]] == pytest.approx(want, abs=1e-6)
    assert [result[0][1] for result in answer["results"]] == pytest.approx([1 - p for p in want], abs=1e-6)
    # The context's features go into every example (TF Serving's merge); b64 values too.
    code, answer = post(protocols, "/v1/models/imdb:classify",
                        {"context": {"text": TEXTS[0]}, "examples": [{}, {"text": {"b64": base64.b64encode(
                            TEXTS[1].encode()).decode()}}]})
    assert code == 200, answer
    assert [r[1][1] for r in answer["results"]] == pytest.approx(want[:2], abs=1e-6)


@pytest.mark.parametrize("where,version", [("/versions/%d" % OLD, OLD), ("/versions/%d" % NEW, NEW),
                                           ("/labels/stable", NEW), ("/labels/previous", OLD)])
def test_pinned_versions(kept, where, version):
    want = models.in_process(kept.paths[version], TEXTS)["probability"]
    code, answer = post(kept, f"/v1/models/imdb{where}:predict", {"instances": TEXTS})
    assert code == 200, answer
    assert [p["probability"] for p in answer["predictions"]] == pytest.approx(want, abs=1e-6)
    code, answer = post(kept, f"/v1/models/imdb{where}:classify", {"examples": [{"text": t} for t in TEXTS]})
    assert [r[1][1] for r in answer["results"]] == pytest.approx(want, abs=1e-6)
    code, status = client.request(f"{kept.url}/v1/models/imdb{where}")
    assert code == 200 and status["model_version_status"][0]["version"] == str(version)
    v2 = {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [len(TEXTS)], "data": TEXTS}]}
    code, answer = client.request(f"{kept.url}/v2/models/imdb/versions/{version}/infer", json.dumps(v2).encode())
    assert code == 200 and answer["model_version"] == str(version), answer
    assert answer["outputs"][0]["data"] == pytest.approx(want, abs=1e-6)


def test_metadata(kept):
    for path, version in (("/v1/models/imdb/metadata", NEW), (f"/v1/models/imdb/versions/{OLD}/metadata", OLD)):
        code, answer = client.request(kept.url + path)
        assert code == 200, answer
        assert answer["model_spec"] == {"name": "imdb", "signature_name": "", "version": str(version)}
        signatures = answer["metadata"]["signature_def"]["signature_def"]
        assert set(signatures) == {"predict_text", "serving_default"}
        assert signatures["serving_default"]["inputs"]["examples"]["dtype"] == "DT_STRING"
        assert signatures["predict_text"]["outputs"]["probability"]["dtype"] == "DT_FLOAT"
        assert signatures["predict_text"]["outputs"]["probability"]["tensor_shape"]["dim"][0]["size"] == "-1"


BAD = [
    ("regress-on-a-classifier", "/v1/models/imdb:regress", {"examples": [{"text": "x"}]}, 400, "use :classify"),
    ("unknown-verb", "/v1/models/imdb:explain", {"instances": ["x"]}, 404, "answers :predict, :classify and :regress"),
    ("unknown-signature", "/v1/models/imdb:predict", {"signature_name": "scores", "instances": ["x"]}, 400,
     "the model's serving signatures are predict_text, serving_default"),
    ("rows-and-columns", "/v1/models/imdb:predict", {"instances": ["x"], "inputs": ["x"]}, 400, "not both"),
    ("columnar-wrong-name", "/v1/models/imdb:predict", {"inputs": {"review": ["x"]}}, 400, "one input, 'text'"),
    ("classify-raw-strings", "/v1/models/imdb:classify", {"signature_name": "predict_text", "examples": [{"text": "x"}]},
     400, "for raw strings use :predict"),
    ("classify-instances", "/v1/models/imdb:classify", {"instances": ["x"]}, 400,
     "Classify and Regress take \"examples\""),
    ("columnar-empty", "/v1/models/imdb:predict", {"inputs": []}, 400, "\"inputs\" is empty"),
    ("classify-no-text", "/v1/models/imdb:classify", {"examples": [{"title": "x"}]}, 400, "has no feature 'text'"),
    ("classify-number", "/v1/models/imdb:classify", {"examples": [{"text": 3}]}, 400, "must be one string"),
    ("b64-not-an-example", "/v1/models/imdb:predict", {"signature_name": "serving_default", "instances": [{"b64": "AAAA"}]},
     400, "no single bytes feature 'text'"),
    ("serving-default-raw", "/v1/models/imdb:predict", {"signature_name": "serving_default", "instances": ["x"]}, 400,
     "use signature predict_text"),
    ("version-not-kept", "/v1/models/imdb/versions/12:predict", {"instances": ["x"]}, 404,
     f"version 12 is not loaded; the versions this server holds: {NEW}, {OLD}"),
    ("version-not-a-number", "/v1/models/imdb/versions/latest:predict", {"instances": ["x"]}, 400, "not a number"),
    ("unknown-label", "/v1/models/imdb/labels/canary:predict", {"instances": ["x"]}, 404, "the labels are stable, previous"),
    ("unknown-model", "/v1/models/other:classify", {"examples": [{"text": "x"}]}, 404, "other"),
]


@pytest.mark.parametrize("name,path,body,status,message", BAD, ids=[b[0] for b in BAD])
def test_unsupported_and_bad_requests(kept, name, path, body, status, message):
    code, answer = post(kept, path, body)
    assert (code, set(answer)) == (status, {"error"}), answer
    assert message in answer["error"]
    assert client.predict(kept.url, ["still answering?"])[0]["label"] in ("positive", "negative")


def test_bad_metadata_requests(kept):
    code, answer = client.request(f"{kept.url}/v1/models/imdb/versions/12/metadata")
    assert code == 404 and "not loaded" in answer["error"]
