"""TF Serving's REST surface beyond the row form of :predict (components/serving/protocol.py).

  POST /v1/models/NAME[/versions/N | /labels/L]:predict    rows {"instances"} or columnar {"inputs"}
  POST /v1/models/NAME[/versions/N | /labels/L]:classify   {"examples": [{"text": ...}], "context"?}
  POST /v1/models/NAME[/versions/N | /labels/L]:regress    a regression model's rating
  GET  /v1/models/NAME[/versions/N | /labels/L][/metadata] the version's status; its signatures

Signatures: `predict_text` (the default here: raw review strings) and `serving_default`
(serialized tf.Examples with a `text` feature: {"b64": ...} in :predict, JSON examples in
:classify / :regress). serving_default is parse_example(text) then the same Transform graph and
model as predict_text (components/trainer/signatures.py), so the server reads each example's
`text` and answers through the one prediction path (the batcher, the same model call): the
answers equal serving_default's (tests/unit/components/serving/test_tf_serving_rest.py).
Answers as TF Serving writes them: rows -> {"predictions": [...]}, columnar -> {"outputs":
{name: [...]}}, classify -> {"results": [[[label, score], ...], ...]}, regress -> {"results":
[...]}. What is not supported is a BadRequest (4xx) naming what to use instead.
"""
from __future__ import annotations

import base64
import binascii
from typing import Optional

from components.serving.protocol import BadRequest, v1_texts
from components.serving.routed import Routed

SIGNATURES = ("predict_text", "serving_default")
VERBS = ("predict", "classify", "regress")
TEXT = "text"


def request(verb: str, payload, version: Optional[int], regression_model: bool) -> Routed:
    """The Routed request of a :predict / :classify / :regress body (decoded JSON)."""
    if verb not in VERBS:
        raise BadRequest(f"unknown method :{verb}; this server answers :predict, :classify and :regress "
                         "(V2: POST /v2/models/NAME/infer)", status=404)
    if not isinstance(payload, dict):
        raise BadRequest("the request must be a JSON object")
    signature = payload.get("signature_name", "")
    if signature and signature not in SIGNATURES:
        raise BadRequest(f"unknown signature_name {signature!r}; the model's serving signatures are "
                         f"{', '.join(SIGNATURES)} (predict_text: raw review strings, the default here)")
    if verb == "predict":
        return _predict(payload, signature or "predict_text", version)
    if signature == "predict_text":
        raise BadRequest(f":{verb} reads tf.Examples (signature serving_default); for raw strings use :predict "
                         "with predict_text")
    if verb == "regress" and not regression_model:
        raise BadRequest("the served model is a classifier, it has no rating to regress; use :classify or "
                         ":predict")
    return Routed(lambda limit: _examples_texts(payload, limit), _classify if verb == "classify" else _regress,
                  version, payload)


def _predict(payload: dict, signature: str, version: Optional[int]) -> Routed:
    if "inputs" in payload and "instances" in payload:
        raise BadRequest("a request has \"instances\" (rows) or \"inputs\" (columnar), not both")
    if "inputs" not in payload:
        if signature == "serving_default":
            return Routed(lambda limit: [_example_text(_b64_example(i, n)) for n, i in
                                         enumerate(_listed(payload, "instances", limit))], _rows, version, payload)
        return Routed(lambda limit: v1_texts(payload, limit), _rows, version, payload)
    inputs = payload["inputs"]
    alias = "examples" if signature == "serving_default" else TEXT
    if isinstance(inputs, dict):
        if set(inputs) != {alias}:
            raise BadRequest(f"columnar \"inputs\" has {', '.join(map(repr, inputs)) or 'no keys'}; the signature "
                             f"{signature} has one input, {alias!r}")
        inputs = inputs[alias]
    if not isinstance(inputs, list):
        raise BadRequest(f"columnar \"inputs\" must be a list of reviews or {{{alias!r}: [...]}}")
    if signature == "serving_default":
        return Routed(lambda limit: [_example_text(_b64_example(i, n)) for n, i in
                                     enumerate(_listed({"inputs": inputs}, "inputs", limit))], _columnar, version, payload)
    return Routed(lambda limit: v1_texts({"inputs": inputs}, limit, key="inputs"), _columnar, version, payload)


def _listed(payload: dict, key: str, limit: int) -> list:
    values = payload.get(key)
    if not isinstance(values, list):
        raise BadRequest(f"\"{key}\" must be a list")
    if not values:
        raise BadRequest(f"\"{key}\" is empty; send at least one review")
    if len(values) > limit:
        raise BadRequest(f"\"{key}\" has {len(values)} reviews, more than the server's limit of {limit} per "
                         "request (--max-instances); split the request", status=413)
    return values


def _b64_example(value, i: int) -> bytes:
    """A serving_default row: {"b64": ...}, or TF Serving's named form {"examples": {"b64": ...}}."""
    if isinstance(value, dict) and set(value) == {"examples"}:
        value = value["examples"]
    if not (isinstance(value, dict) and set(value) == {"b64"} and isinstance(value["b64"], str)):
        raise BadRequest(f"instance {i}: serving_default takes serialized tf.Examples as {{\"b64\": \"...\"}} (or "
                         f"{{\"examples\": {{\"b64\": \"...\"}}}}); for "
                         "raw strings use signature predict_text, or :classify with JSON examples")
    try:
        return base64.b64decode(value["b64"], validate=True)
    except binascii.Error:
        raise BadRequest(f"instance {i}: \"b64\" is not valid base64") from None


def _example_text(serialized: bytes) -> str:
    import tensorflow as tf  # loaded already (the server serves a SavedModel)

    try:
        example = tf.train.Example.FromString(serialized)
    except Exception:  # noqa: BLE001  (protobuf's DecodeError)
        raise BadRequest("a b64 instance is not a serialized tf.Example") from None
    feature = example.features.feature.get(TEXT)
    if feature is None or feature.WhichOneof("kind") != "bytes_list" or len(feature.bytes_list.value) != 1:
        raise BadRequest(f"a tf.Example has no single bytes feature {TEXT!r} (serving_default parses exactly that)")
    return _utf8(feature.bytes_list.value[0])


def _examples_texts(payload: dict, limit: int) -> list:
    """The `text` of each JSON example of a Classify/Regress request (the context's, if the
    example has none: TF Serving merges the context into every example)."""
    if "examples" not in payload and "instances" in payload:  # a V1 predict body sent to :classify/:regress
        raise BadRequest("Classify and Regress take \"examples\" (tf.Example features as JSON, e.g. "
                         "{\"examples\": [{\"text\": \"a review\"}]}); raw strings in \"instances\" go to :predict")
    examples = _listed(payload, "examples", limit)
    context = payload.get("context", {})
    if not isinstance(context, dict):
        raise BadRequest("\"context\" must be an object of features")
    texts = []
    for i, example in enumerate(examples):
        if not isinstance(example, dict):
            raise BadRequest(f"example {i} must be an object of features, e.g. {{\"text\": \"a review\"}}")
        value = example.get(TEXT, context.get(TEXT))
        if value is None:
            raise BadRequest(f"example {i} has no feature {TEXT!r} (serving_default requires it)")
        texts.append(_feature_text(value, i))
    return texts


def _feature_text(value, i: int) -> str:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"b64"} and isinstance(value["b64"], str):
        try:
            return _utf8(base64.b64decode(value["b64"], validate=True))
        except binascii.Error:
            raise BadRequest(f"example {i}: \"b64\" is not valid base64") from None
    raise BadRequest(f"example {i}: feature {TEXT!r} must be one string (or {{\"b64\": ...}})")


def _utf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("a review's bytes are not valid UTF-8") from None


def _rows(versioned: list) -> dict:
    return {"predictions": [answer for _, answer in versioned]}


def _columnar(versioned: list) -> dict:
    answers = [answer for _, answer in versioned]
    return {"outputs": {key: [a[key] for a in answers] for key in answers[0]}}


def _classify(versioned: list) -> dict:
    return {"results": [[["negative", 1.0 - a["probability"]], ["positive", a["probability"]]] for _, a in versioned]}


def _regress(versioned: list) -> dict:
    return {"results": [a["rating"] for _, a in versioned]}


def version_status(version: Optional[int], ready: bool) -> dict:
    state = "AVAILABLE" if ready else "UNKNOWN"
    return {"model_version_status": [{"version": "0" if version is None else str(version), "state": state,
                                      "status": {"error_code": "OK", "error_message": ""}}]}


def metadata(name: str, version: Optional[int], signatures: dict) -> dict:
    """TF Serving's GetModelMetadata answer: the model spec and every signature's inputs/outputs."""
    return {"model_spec": {"name": name, "signature_name": "", "version": "" if version is None else str(version)},
            "metadata": {"signature_def": {"signature_def": {k: _signature_def(f) for k, f in signatures.items()}}}}


def _signature_def(function) -> dict:
    inputs = function.structured_input_signature[1]
    return {"inputs": {k: _tensor_info(spec, k) for k, spec in inputs.items()},
            "outputs": {k: _tensor_info(spec, k) for k, spec in function.structured_outputs.items()},
            "method_name": "tensorflow/serving/predict"}


def _tensor_info(spec, alias: str) -> dict:
    shape = spec.shape
    dims = None if shape.rank is None else [{"size": str(-1 if d is None else d), "name": ""} for d in shape.as_list()]
    from tensorflow.core.framework import types_pb2

    return {"dtype": types_pb2.DataType.Name(spec.dtype.as_datatype_enum),
            "tensor_shape": {"dim": dims or [], "unknown_rank": dims is None},
            "name": getattr(spec, "name", None) or alias}
