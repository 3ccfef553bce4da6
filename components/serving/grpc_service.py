"""The V2 GRPCInferenceService (ServerLive, ServerReady, ModelReady, ModelMetadata, ModelInfer)
on its own port (`--grpc-port`), through KServe's servicer and data plane.

KServe's ModelServer has a gRPC server (enable_grpc, grpc_port), used here in part: its
InferenceServicer (kserve.protocol.grpc.servicer) with its data plane, so that a gRPC request
runs the same preprocess / predict / postprocess as REST's (the same checks, the batcher,
the same answers). Not its GRPCServer, which listens on [::] whatever --host says, cannot report
the port it bound, and lets every error through as UNKNOWN with a traceback. Added here:
- readiness as REST answers it: ready once a version is served (KServe's is always ready);
- raw_input_contents (what tritonclient.grpc sends) decoded as REST's binary extension is
  (components/serving/v2_binary.py), and every output written as raw_output_contents, which
  tritonclient.grpc requires for FP32 (KServe's clients read both);
- `model_version` pins a version, as /v2/models/NAME/versions/N does on REST; ModelMetadata and
  ModelReady with a `version` answer for that version (NOT_FOUND unless it is loaded);
- errors as gRPC status codes with REST's message: a bad request INVALID_ARGUMENT (413's too
  many reviews RESOURCE_EXHAUSTED), an unknown model or version NOT_FOUND, no version served
  yet UNAVAILABLE, anything else INTERNAL.
"""
from __future__ import annotations

import logging
from typing import Optional

import grpc
from grpc import aio
from kserve.errors import InvalidInput, ModelNotFound, ModelNotReady
from kserve.protocol.grpc import grpc_predict_v2_pb2 as pb
from kserve.protocol.grpc import grpc_predict_v2_pb2_grpc
from kserve.protocol.grpc.servicer import InferenceServicer
from kserve.protocol.infer_type import InferInput, InferRequest
from kserve.utils.utils import to_headers

from components.serving import v2_binary
from components.serving.loaded_versions import pinned_version
from components.serving.protocol import BadRequest

logger = logging.getLogger("components.serving")


def _code(error: BaseException) -> grpc.StatusCode:
    if isinstance(error, BadRequest):
        if error.status == 404:
            return grpc.StatusCode.NOT_FOUND
        return grpc.StatusCode.RESOURCE_EXHAUSTED if error.status == 413 else grpc.StatusCode.INVALID_ARGUMENT
    if isinstance(error, InvalidInput):
        return grpc.StatusCode.INVALID_ARGUMENT
    if isinstance(error, ModelNotFound):
        return grpc.StatusCode.NOT_FOUND
    if isinstance(error, ModelNotReady):
        return grpc.StatusCode.UNAVAILABLE
    return grpc.StatusCode.INTERNAL


class ImdbServicer(InferenceServicer):
    def __init__(self, data_plane, model_repository_extension, model):
        super().__init__(data_plane, model_repository_extension)
        self.model = model

    async def _answer(self, context, call):
        try:
            return await call()
        except Exception as e:  # noqa: BLE001  (every error is a status with one line)
            code = _code(e)
            reason = getattr(e, "reason", None) or str(e) or type(e).__name__
            if code == grpc.StatusCode.INTERNAL:
                logger.exception("gRPC request failed")
            else:
                logger.warning("bad gRPC request: %s", reason)
            await context.abort(code, reason)

    def _check(self, name: str) -> None:
        if name != self.model.name:
            raise ModelNotFound(name)

    async def ServerReady(self, request, context):
        return pb.ServerReadyResponse(ready=self.model.healthy())

    async def ModelReady(self, request, context):
        async def call():
            self._check(request.name)
            if request.version.strip():  # a version is ready once loaded (NOT_FOUND otherwise)
                self.model.held(request.version.strip())
                return pb.ModelReadyResponse(ready=True)
            return pb.ModelReadyResponse(ready=self.model.healthy())
        return await self._answer(context, call)

    async def ModelMetadata(self, request, context):
        async def call():
            self._check(request.name)
            if request.version.strip():
                metadata = self.model.version_metadata(request.version.strip())
            else:
                metadata = self.model.v2_metadata()
            return pb.ModelMetadataResponse(**{k: metadata[k] for k in ("name", "platform", "versions", "inputs",
                                                                          "outputs")})
        return await self._answer(context, call)

    async def ModelInfer(self, request: pb.ModelInferRequest, context):
        async def call():
            self._check(request.model_name)
            if not self.model.healthy():
                raise ModelNotReady(request.model_name)
            self.validate_grpc_request(request)
            self.model.check_outputs([o.name for o in request.outputs])
            infer_request = read_request(request)
            response, _ = await self._data_plane.infer(request=infer_request, headers=to_headers(context),
                                                       model_name=request.model_name)
            return write_response(response, request)
        return await self._answer(context, call)


def read_request(request: pb.ModelInferRequest) -> InferRequest:
    """KServe's InferRequest of a gRPC request, raw inputs decoded (BadRequest when malformed)."""
    inputs = []
    for i, tensor in enumerate(request.inputs):
        if request.raw_input_contents:
            data = v2_binary.decode_tensor(tensor.name, tensor.datatype, request.raw_input_contents[i])
        else:
            data = _contents(tensor)
        inputs.append(InferInput(tensor.name, list(tensor.shape), tensor.datatype, data))
    infer_request = InferRequest(request.model_name, inputs, request_id=request.id, from_grpc=True)
    version = request.model_version.strip()
    infer_request.pinned_version = pinned_version(version, "model_version") if version else None
    return infer_request


def _contents(tensor) -> list:
    contents = tensor.contents
    if tensor.datatype == "BYTES":
        try:
            return [value.decode("utf-8") for value in contents.bytes_contents]
        except UnicodeDecodeError:
            raise BadRequest(f"input {tensor.name!r}: a BYTES element is not valid UTF-8 text") from None
    for field in ("fp32_contents", "fp64_contents", "int_contents", "int64_contents", "uint_contents",
                  "uint64_contents", "bool_contents"):
        values = getattr(contents, field)
        if len(values):
            return list(values)
    return []


def write_response(response, request: pb.ModelInferRequest) -> pb.ModelInferResponse:
    """Every output (or those the request names) as raw_output_contents."""
    wanted = [o.name for o in request.outputs]
    by_name = {o.name: o for o in response.outputs}
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        raise BadRequest(f"the request asks for output {unknown[0]!r}; the model's outputs are {', '.join(by_name)}")
    outputs = [by_name[n] for n in wanted] if wanted else response.outputs
    return pb.ModelInferResponse(
        model_name=response.model_name, model_version=response.model_version or "", id=response.id or "",
        outputs=[pb.ModelInferResponse.InferOutputTensor(name=o.name, datatype=o.datatype, shape=o.shape)
                 for o in outputs],
        raw_output_contents=[v2_binary.encode_raw(o.datatype, o.data) for o in outputs])


class GrpcServer:
    """An aio gRPC server of ImdbServicer on host:port; `stop` is what KServe's ModelServer.stop calls."""

    def __init__(self, host: str, port: int, data_plane, model_repository_extension, model,
                 max_message_bytes: int):
        self.host, self.port = host, port
        self._servicer = ImdbServicer(data_plane, model_repository_extension, model)
        self._max = max_message_bytes
        self._server: Optional[aio.Server] = None

    async def start(self) -> int:
        """Binds and starts; returns the port (ServeError-worthy OSError when it cannot bind)."""
        self._server = aio.server(options=[("grpc.max_send_message_length", self._max),
                                           ("grpc.max_receive_message_length", self._max),
                                           ("grpc.so_reuseport", 0)])
        grpc_predict_v2_pb2_grpc.add_GRPCInferenceServiceServicer_to_server(self._servicer, self._server)
        host = f"[{self.host}]" if ":" in self.host else self.host
        try:
            bound = self._server.add_insecure_port(f"{host}:{self.port}")
        except RuntimeError as e:
            raise OSError(f"cannot listen for gRPC on {self.host}:{self.port}: {e}") from None
        if bound == 0:
            raise OSError(f"cannot listen for gRPC on {self.host}:{self.port}")
        await self._server.start()
        self.port = bound
        return bound

    async def stop(self, sig=None) -> None:
        if self._server is not None:
            await self._server.stop(grace=5)
