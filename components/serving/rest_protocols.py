"""The REST requests the request gate (components/serving/routes.py) answers beside V1 rows:
V2 with the binary tensor data extension (components/serving/v2_binary.py), V2 with a pinned
version, and TF Serving's surface (components/serving/tf_serving_rest.py). Each goes through
KServe's data plane (dataplane.infer -> the model's preprocess, predict, postprocess), the path
every protocol shares; errors are {"error": why} with the status, as every other bad request.

  POST /v2/models/NAME[/versions/N]/infer        binary body, binary outputs asked, or a version
  POST /v1/models/NAME[/versions/N|/labels/L]:VERB   columnar, classify, regress, pinned versions
"""
from __future__ import annotations

import logging
import re
from typing import Optional

import orjson
from kserve.errors import InvalidInput, ModelNotFound, ModelNotReady

from components.serving import tf_serving_rest, v2_binary
from components.serving.loaded_versions import pinned_version
from components.serving.protocol import BadRequest

logger = logging.getLogger("components.serving")
V1 = re.compile(r"^/v1/models/([^/:]+)(?:/versions/([^/:]+)|/labels/([^/:]+))?:([^/:]+)$")
V2 = re.compile(r"^/v2/models/([^/]+)(?:/versions/([^/]+))?/infer$")


def binary_header(scope) -> Optional[str]:
    for key, value in scope["headers"]:
        if key.lower() == v2_binary.HEADER.encode():
            return value.decode("latin-1")
    return None


async def answer_binary(gate, scope, body: bytes, send, header_length: str) -> None:
    """A body with Inference-Header-Content-Length (only V2 infer reads one)."""
    match = V2.match(scope["path"])
    try:
        if match is None:
            raise BadRequest(f"{scope['path']}: only V2 infer (POST /v2/models/NAME/infer) reads a binary body "
                             "(Inference-Header-Content-Length)", status=404)
        header, raw = v2_binary.split_body(body, header_length)
    except BadRequest as e:
        return await _error(send, scope, e.status, e.reason)
    await _v2(gate, scope, send, match, header, raw)


async def answer(gate, scope, payload, send) -> bool:
    """Answers the JSON requests this module owns; False for those KServe's routes answer."""
    path = scope["path"]
    match = V2.match(path)
    if match is not None:
        binary = isinstance(payload, dict) and (v2_binary.binary_outputs(payload) or payload.get("outputs"))
        if not (binary or match.group(2)):
            return False  # plain JSON V2: KServe's route
        await _v2(gate, scope, send, match, payload, b"")
        return True
    match = V1.match(path)
    if match is None:
        return False
    name, version, label, verb = match.groups()
    if not (version or label or verb != "predict"
            or (isinstance(payload, dict) and ("inputs" in payload or "signature_name" in payload))):
        return False  # V1 rows on the served version: the gate's own V1 path

    async def run():
        pinned = _pinned(gate.model, version, label)
        return tf_serving_rest.request(verb, payload, pinned, _regression(gate.model))

    await _infer(gate, scope, send, name, run, lambda response: (orjson.dumps(response), None))
    return True


async def _v2(gate, scope, send, match, header, raw: bytes) -> None:
    name, version = match.groups()

    async def run():
        if not isinstance(header, dict):
            raise BadRequest("the request must be a JSON object with \"inputs\"")
        gate.model.check_outputs(v2_binary.requested_outputs(header))
        request = v2_binary.read_request(header, raw, name)
        request.pinned_version = _pinned(gate.model, version, None)
        return request

    await _infer(gate, scope, send, name, run, lambda response: v2_binary.write_response(response, header))


def _pinned(model, version: Optional[str], label: Optional[str]) -> Optional[int]:
    if label is not None:
        return model.kept.label(label)
    return None if version is None else pinned_version(version)


def _regression(model) -> bool:
    current = model.manager.current
    return bool(current is not None and getattr(current.model, "regression", False))


async def _infer(gate, scope, send, name: str, build, write) -> None:
    model = gate.model
    try:
        if name != model.name:
            raise ModelNotFound(name)
        if not model.healthy():
            raise ModelNotReady(name)
        request = await build()
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        response, _ = await gate.dataplane.infer(model_name=name, request=request, headers=headers)
        body, header_length = write(response)
    except (BadRequest, InvalidInput) as e:
        return await _error(send, scope, getattr(e, "status", 400), e.reason)
    except (ModelNotFound, ModelNotReady) as e:
        return await _send(send, 404 if isinstance(e, ModelNotFound) else 503, orjson.dumps({"error": str(e)}))
    except Exception as e:  # noqa: BLE001  (KServe's generic handler: 500 with the error)
        logger.exception("inference failed")
        return await _send(send, 500, orjson.dumps({"error": f"{type(e).__name__}: {e}"}))
    await _send(send, 200, body, header_length)


async def _error(send, scope, status: int, reason: str) -> None:
    logger.warning("bad request to %s: %s", scope["path"], reason)
    await _send(send, status, orjson.dumps({"error": reason}))


async def _send(send, status: int, body: bytes, header_length: Optional[int] = None) -> None:
    headers = [(b"content-length", str(len(body)).encode())]
    if header_length is None:
        headers.append((b"content-type", b"application/json"))
    else:
        headers += [(b"content-type", b"application/octet-stream"),
                    (v2_binary.HEADER.encode(), str(header_length).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def add_routes(app, model) -> None:
    """GET /v1/models/NAME[/versions/N | /labels/L][/metadata] (TF Serving's status and
    metadata of a version), GET /v2/models/NAME (V2's metadata, with the versions loaded) and
    GET /v2/models/NAME/versions/N[/ready] (V2's metadata and readiness of a version), first in
    the route list."""
    from fastapi.responses import ORJSONResponse
    from fastapi.routing import APIRoute

    def served(model_name: str, version: Optional[str], label: Optional[str]):
        if model_name != model.name:
            raise ModelNotFound(model_name)
        if not model.healthy():
            raise ModelNotReady(model_name)
        pinned = _pinned(model, version, label)
        return model.manager.current if pinned is None else model.kept.get(pinned)

    async def status(model_name: str, version: Optional[str] = None, label: Optional[str] = None):
        kept = served(model_name, version, label)
        return ORJSONResponse(tf_serving_rest.version_status(kept.version, True))

    async def metadata(model_name: str, version: Optional[str] = None, label: Optional[str] = None):
        kept = served(model_name, version, label)
        return ORJSONResponse(tf_serving_rest.metadata(model.name, kept.version, kept.model.signatures))

    async def v2_metadata(model_name: str):  # KServe's lists no versions; gRPC's does: the same answer
        if model_name != model.name:
            raise ModelNotFound(model_name)
        return ORJSONResponse(model.v2_metadata())  # before a first version too (versions [])

    async def v2_version_metadata(model_name: str, version: str):
        if model_name != model.name:
            raise ModelNotFound(model_name)
        return ORJSONResponse(model.version_metadata(version))

    async def v2_version_ready(model_name: str, version: str):
        if model_name != model.name:
            raise ModelNotFound(model_name)
        model.held(version)  # 404 unless the version is loaded
        return ORJSONResponse({"name": model.name, "ready": True})

    # KServe's V2 version routes answer 501 "not supported" (and its /ready one lacks its
    # leading slash, so never matches).
    app.router.routes.insert(0, APIRoute("/v2/models/{model_name}", v2_metadata, methods=["GET"]))
    app.router.routes.insert(0, APIRoute("/v2/models/{model_name}/versions/{version}", v2_version_metadata,
                                         methods=["GET"]))
    app.router.routes.insert(0, APIRoute("/v2/models/{model_name}/versions/{version}/ready", v2_version_ready,
                                         methods=["GET"]))
    for path, endpoint in (("/v1/models/{model_name}/versions/{version}", status),
                           ("/v1/models/{model_name}/labels/{label}", status),
                           ("/v1/models/{model_name}/metadata", metadata),
                           ("/v1/models/{model_name}/versions/{version}/metadata", metadata),
                           ("/v1/models/{model_name}/labels/{label}/metadata", metadata)):
        app.router.routes.insert(0, APIRoute(path, endpoint, methods=["GET"]))
