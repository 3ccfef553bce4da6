"""What the server adds to the FastAPI app KServe builds (kserve.protocol.rest.server).

- A request gate (ASGI middleware) in front of every POST: a body over `max_body_bytes` is
  answered 413, bytes that are not UTF-8 or not JSON 400, each with {"error": why}, before
  KServe sees them; a body that passes is marked application/json. KServe alone passes a body
  sent with a non-JSON content type (curl -d's default) on as raw bytes, malformed or not, and
  V2's FastAPI body parsing answers 422 with pydantic's details or "There was an error parsing
  the body"; here every protocol gets the same errors and reads the same bodies.
- `GET /v1/models/{name}`: TF Serving's model status (model_version_status) with the served
  version, the refused versions and why, and the batching counters; 503 until a version is
  served, so that it can be the readiness probe. KServe's own answers {"name", "ready"} only.
- `GET /v2/health/ready`: 503 until a version is served (KServe's always answers ready).
- KServe's per-request timing middleware is removed (see customize).
- Exception handlers: a BadRequest (components/serving/protocol.py) or KServe InvalidInput is
  its status and {"error": reason}, an unknown model 404 and no version served yet 503, each
  logged as one warning line (KServe logs a traceback); a GET of a verb (`NAME:predict`) 405.
"""
from __future__ import annotations

import asyncio
import logging

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import ORJSONResponse
from fastapi.routing import APIRoute
from kserve.errors import InvalidInput, ModelNotFound, ModelNotReady
from starlette.exceptions import HTTPException as StarletteHTTPException
from timing_asgi import TimingMiddleware

from components.paths import is_number
from components.serving import protocol, rest_protocols

logger = logging.getLogger("components.serving")
# A body over the limit is still read (and dropped) up to this many times the limit, so that
# the client, still sending, gets the 413 instead of a reset connection.
DRAIN_FACTOR = 8
BODY_TIMEOUT_S = 30.0  # the longest wait for the next part of a request's body (a client that stalls)


class RequestGate:
    """ASGI middleware: size, UTF-8 and JSON checks of every POST body (see the module doc)."""

    def __init__(self, app, max_body_bytes: int, model=None, dataplane=None, body_timeout_s: float = BODY_TIMEOUT_S):
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_timeout_s = body_timeout_s
        self.model = model
        self.dataplane = dataplane

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        limit = self.max_body_bytes
        declared = dict(scope["headers"]).get(b"content-length")
        chunks, size, more = [], 0, True
        while more:
            try:  # a body that never comes (a Content-Length it does not send) held its connection for ever
                message = await asyncio.wait_for(receive(), self.body_timeout_s)
            except asyncio.TimeoutError:
                return await _send_error(send, 408, f"the request body stopped arriving ({size} bytes in, none for "
                                                    f"{self.body_timeout_s:g} s)")
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            more = message.get("more_body", False)
            if size <= limit:
                chunks.append(chunk)
            elif size > DRAIN_FACTOR * limit:
                break
        if size > limit:
            length = int(declared) if declared and is_number(declared) else size
            return await _send_error(send, 413, f"the request body has {length} bytes, more than the server's limit "
                                                f"of {limit} (--max-body-bytes)")
        body = b"".join(chunks)
        header_length = rest_protocols.binary_header(scope) if self.dataplane is not None else None
        if header_length is not None:  # V2's binary tensor data extension: a JSON header, then raw bytes
            return await rest_protocols.answer_binary(self, scope, body, send, header_length)
        try:
            payload = protocol.decode_json(body)
        except protocol.BadRequest as e:
            logger.warning("bad request to %s: %s", scope["path"], e.reason)
            return await _send_error(send, e.status, e.reason)
        if self.dataplane is not None and await rest_protocols.answer(self, scope, payload, send):
            return  # binary outputs, pinned versions, TF Serving's columnar form, :classify, :regress
        path = scope["path"]
        if (self.dataplane is not None and path.startswith("/v1/models/") and path.endswith(":predict")
                and not any(k.startswith(b"ce-") for k, _ in scope["headers"])):  # CloudEvents: KServe's route
            return await self._v1_predict(path[len("/v1/models/"):-len(":predict")], payload, scope, send)
        if not _is_json(dict(scope["headers"]).get(b"content-type", b"")):
            # Checked as JSON above: say so, so that KServe's V1 decoding and FastAPI's V2 body
            # parsing read it as JSON too (curl -d sends application/x-www-form-urlencoded).
            headers = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
            scope = {**scope, "headers": headers + [(b"content-type", b"application/json")]}
        replayed = False

        async def replay():
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


    async def _v1_predict(self, name: str, payload, scope, send) -> None:
        """V1 predict through KServe's data plane (dataplane.infer -> the model's preprocess,
        predict, postprocess, timed in KServe's histograms), answered here instead of through
        FastAPI's routing, dependency solving and response encoding, which cost more CPU per
        request than the model under load (docs/serving.md#performance). The same answers and
        errors as KServe's route (tests/unit/components/serving/test_server.py)."""
        try:
            if name != self.model.name:
                raise ModelNotFound(name)
            if not self.model.healthy():
                raise ModelNotReady(name)
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            response, _ = await self.dataplane.infer(model_name=name, request=payload, headers=headers)
        except (protocol.BadRequest, InvalidInput) as e:
            logger.warning("bad request to %s: %s", scope["path"], e.reason)
            return await _send_error(send, getattr(e, "status", 400), e.reason)
        except (ModelNotFound, ModelNotReady) as e:
            return await _send_error(send, 404 if isinstance(e, ModelNotFound) else 503, str(e))
        except Exception as e:  # noqa: BLE001  (KServe's generic handler: 500 with the error)
            logger.exception("predict failed")
            return await _send_error(send, 500, f"{type(e).__name__}: {e}")
        await _send_json(send, 200, orjson.dumps(response))


def _is_json(content_type: bytes) -> bool:
    media = content_type.split(b";")[0].strip().lower()
    return media == b"application/json" or media.endswith(b"+json")


async def _send_error(send, status: int, reason: str) -> None:
    await _send_json(send, status, orjson.dumps({"error": reason}))


async def _send_json(send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


REPOSITORY = "/v2/repository"  # KServe's model repository extension: not served (customize)


def customize(app: FastAPI, model, max_body_bytes: int, dataplane=None) -> None:
    """Adds the gate, the status and readiness routes and the error handlers to KServe's app
    (before it starts: FastAPI builds its middleware stack on the first request); with
    `dataplane` (KServe's DataPlane), the gate answers V1 predict itself."""

    async def model_status(model_name: str):
        if ":" in model_name:  # GET /v1/models/NAME:predict: the verbs take a POST
            reason = f"{model_name.partition(':')[2]} takes a POST with a JSON body, not a GET"
            logger.warning("bad request to /v1/models/%s: %s", model_name, reason)
            return ORJSONResponse({"error": reason}, status_code=405, headers={"Allow": "POST"})
        if model_name != model.name:
            raise ModelNotFound(model_name)
        status = {"name": model.name, **model.manager.status(), "batching": model.batcher.stats.as_dict()}
        return ORJSONResponse(status, status_code=200 if status["ready"] else 503)

    async def server_ready():
        ready = model.healthy()
        return ORJSONResponse({"ready": ready}, status_code=200 if ready else 503)

    # KServe's model repository routes (/v2/repository/...: index, load, unload) would let any
    # client unload the served model, after which every prediction is a 404 while readiness,
    # which follows the served version, says ready. Versions come and go with the serving
    # directory here, as in TF Serving: the routes are not served.
    app.router.routes[:] = [r for r in app.router.routes if not getattr(r, "path", "").startswith(REPOSITORY)]
    # First in the route list, so that they answer before KServe's routes of the same paths.
    app.router.routes.insert(0, APIRoute("/v1/models/{model_name}", model_status, methods=["GET"]))
    app.router.routes.insert(0, APIRoute("/v2/health/ready", server_ready, methods=["GET"]))
    rest_protocols.add_routes(app, model)  # TF Serving's /versions/N, /labels/L and /metadata
    # KServe's TimingMiddleware logs each request's wall and CPU time (a getrusage call and a
    # log record per request: a tenth of the event loop's time under load, measured with
    # py-spy); KServe's latency histograms stay.
    app.user_middleware = [m for m in app.user_middleware if m.cls is not TimingMiddleware]
    app.add_middleware(RequestGate, max_body_bytes=max_body_bytes, model=model, dataplane=dataplane)
    app.add_exception_handler(protocol.BadRequest, _bad_request)
    app.add_exception_handler(InvalidInput, _bad_request)
    app.add_exception_handler(RequestValidationError, _invalid_body)
    app.add_exception_handler(ModelNotFound, _unknown_model)
    app.add_exception_handler(ModelNotReady, _unknown_model)
    app.add_exception_handler(StarletteHTTPException, _http_error)


async def _bad_request(request: Request, exc) -> ORJSONResponse:
    reason = getattr(exc, "reason", str(exc))
    logger.warning("bad request to %s: %s", request.url.path, reason)
    return ORJSONResponse({"error": reason}, status_code=getattr(exc, "status", 400))


async def _http_error(request: Request, exc: StarletteHTTPException) -> ORJSONResponse:
    """The router's own errors (a method a path does not take: 405; a path that does not exist:
    404) as {"error": ...} like every other 4xx (FastAPI's default is {"detail": ...})."""
    if exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow") or (exc.headers or {}).get("allow")
        if ":" in request.url.path.rsplit("/", 1)[-1]:  # NAME:predict / :classify / :regress: a verb takes a POST
            allowed = "POST"
        reason = f"{request.method} is not allowed on {request.url.path}" + (f"; use {allowed}" if allowed else "")
    elif exc.status_code == 404:
        reason = f"no such path: {request.url.path}"
    else:
        reason = str(exc.detail)
    logger.warning("%s %s: %s", request.method, request.url.path, reason)
    return ORJSONResponse({"error": reason}, status_code=exc.status_code, headers=exc.headers)


async def _unknown_model(request: Request, exc) -> ORJSONResponse:
    """A model name the server does not serve (404), or no version served yet (503): one
    warning line (KServe's handlers log a traceback for each such request)."""
    status = 404 if isinstance(exc, ModelNotFound) else 503
    logger.warning("%s %s: %s", request.method, request.url.path, exc)
    return ORJSONResponse({"error": str(exc)}, status_code=status)


async def _invalid_body(request: Request, exc: RequestValidationError) -> ORJSONResponse:
    """FastAPI's validation of a V2 body (pydantic's errors), as one line."""
    errors = exc.errors()
    first = errors[0] if errors else {}
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body") or "the body"
    reason = (f"the request does not follow the V2 inference protocol: {where}: {first.get('msg', 'invalid')}"
              + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""))
    logger.warning("bad request to %s: %s", request.url.path, reason)
    return ORJSONResponse({"error": reason}, status_code=400)
