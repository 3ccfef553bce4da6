"""Reading requests into lists of review texts, and every way a request can be wrong.

V1 (TF Serving's REST API, KServe's V1): {"instances": ["a review", ...]} or
{"instances": [{"text": "a review"}, ...]} (TF Serving's row format; `text` is the signature's
one input). V2 (Open Inference Protocol): one input named "text", datatype BYTES, shape [n]
(or [n, 1]), data the n strings.

Each check raises BadRequest with a message that says what is wrong and what is expected; the
server answers it as {"error": message} with the status, and goes on. Nothing here imports
kserve or TensorFlow, so it is tested on its own.
"""
from __future__ import annotations

import math

import orjson

V1_EXAMPLE = '{"instances": ["a review", ...]} or {"instances": [{"text": "a review"}, ...]}'


class BadRequest(ValueError):
    """A request the server refuses: status (4xx) and a one-line reason."""

    def __init__(self, reason: str, status: int = 400):
        super().__init__(reason)
        self.reason = reason
        self.status = status


def decode_json(body: bytes):
    """The JSON value of a request body; BadRequest for bytes that are not UTF-8 or not JSON."""
    if not body.strip():
        raise BadRequest(f"the request body is empty; expected {V1_EXAMPLE}")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadRequest(f"the request body is not valid UTF-8 (byte 0x{body[e.start]:02x} at offset {e.start})") from None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as e:
        raise BadRequest(f"the request body is not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})") from None


def v1_texts(payload, max_instances: int, key: str = "instances") -> list[str]:
    """The review texts of a V1 request (a decoded JSON value); `key`: the field that holds them
    ("inputs" for TF Serving's columnar form), named in the errors."""
    if not isinstance(payload, dict):
        raise BadRequest(f"the request must be a JSON object, not {_json_type(payload)}; expected {V1_EXAMPLE}")
    if key not in payload:
        other = f" (it has {', '.join(map(repr, payload))})" if payload else ""
        raise BadRequest(f"the request has no \"{key}\"{other}; expected {V1_EXAMPLE} "
                         "(or TF Serving's columnar {\"inputs\": [...]})")
    instances = payload[key]
    if not isinstance(instances, list):
        raise BadRequest(f"\"{key}\" must be a list, not {_json_type(instances)}; expected {V1_EXAMPLE}")
    _check_count(len(instances), f"\"{key}\"", max_instances)
    return [_v1_text(instance, i) for i, instance in enumerate(instances)]


def _v1_text(instance, i: int) -> str:
    if isinstance(instance, str):
        return instance
    if isinstance(instance, dict):
        if set(instance) == {"text"} and isinstance(instance["text"], str):
            return instance["text"]
        if "text" in instance and not isinstance(instance["text"], str):
            raise BadRequest(f"instance {i}: \"text\" is {_json_type(instance['text'])}, not a string")
        keys = ", ".join(repr(k) for k in instance) or "no keys"
        raise BadRequest(f"instance {i} has {keys}; an instance object has one key, \"text\" (the model's one input)")
    raise BadRequest(f"instance {i} is {_json_type(instance)}, not a string or {{\"text\": string}}")


def v2_texts(inputs, max_instances: int) -> list[str]:
    """The review texts of a V2 request's inputs (objects with name, datatype, shape, data)."""
    if len(inputs) != 1 or inputs[0].name != "text":
        names = ", ".join(repr(i.name) for i in inputs) or "none"
        raise BadRequest(f"a V2 request has one input, named \"text\" (got {names})")
    tensor = inputs[0]
    if tensor.datatype != "BYTES":
        raise BadRequest(f"input \"text\" has datatype {tensor.datatype}; it must be BYTES (UTF-8 strings)")
    shape = list(tensor.shape)
    if len(shape) not in (1, 2) or (len(shape) == 2 and shape[1] != 1) or any(d < 0 for d in shape):
        raise BadRequest(f"input \"text\" has shape {shape}; it must be [n] or [n, 1]")
    texts = _flatten(tensor.data)
    if len(texts) != math.prod(shape):
        raise BadRequest(f"input \"text\" has shape {shape} but {len(texts)} values")
    _check_count(len(texts), "input \"text\"", max_instances)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise BadRequest(f"input \"text\" value {i} is {_json_type(text)}, not a string")
    return texts


def _flatten(data) -> list:
    if not isinstance(data, list):
        raise BadRequest(f"input \"text\" data must be a list of strings, not {_json_type(data)}")
    flat = []
    for value in data:
        flat.extend(_flatten(value) if isinstance(value, list) else [value])
    return flat


def _check_count(n: int, what: str, max_instances: int) -> None:
    if n == 0:
        raise BadRequest(f"{what} is empty; send at least one review")
    if n > max_instances:
        raise BadRequest(f"{what} has {n} reviews, more than the server's limit of {max_instances} per request "
                         "(--max-instances); split the request", status=413)


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"
