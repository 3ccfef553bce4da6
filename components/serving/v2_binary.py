"""The V2 (Open Inference Protocol) binary tensor data extension on REST, and raw tensor contents.

A request with the extension is a JSON header, then the tensors' raw bytes, with the header's
length in the `Inference-Header-Content-Length` HTTP header; an input whose data is in the
raw part says so with `parameters.binary_data_size` (its byte count, in input order) and has
no "data". BYTES elements are each a 4-byte little-endian length, then the bytes; fixed-size
types (FP32, INT64, ...) are little-endian arrays. The answer is binary for the outputs the
request asks so of (`parameters.binary_data` on an output, or `binary_data_output` on the
request, which is what tritonclient.http sends by default), JSON otherwise.

KServe 0.13.1 reads neither on REST (its V2 route parses the whole body as JSON: the issue's
"unexpected content after document"); its InferInput/InferOutput only write raw data (for its
own clients). This module reads the header with KServe's pydantic InferenceRequest (the same
validation, and the same messages, as its JSON route) and decodes the raw tensors (also
gRPC's `raw_input_contents`, components/serving/grpc_service.py) into the lists the model's
request reading (components/serving/protocol.py) takes, so every protocol has the same checks.
Each malformed header, length or tensor is a BadRequest (400).
"""
from __future__ import annotations

import struct
from typing import Optional

import numpy as np
import orjson
from kserve.protocol.infer_type import InferInput, InferRequest, InferResponse
from kserve.protocol.rest.v2_datamodels import InferenceRequest
from pydantic import ValidationError

from components.paths import is_number
from components.serving.protocol import BadRequest

HEADER = "inference-header-content-length"
# Fixed-size V2 datatypes and their little-endian numpy types.
FIXED = {"BOOL": "?", "UINT8": "<u1", "UINT16": "<u2", "UINT32": "<u4", "UINT64": "<u8", "INT8": "<i1",
         "INT16": "<i2", "INT32": "<i4", "INT64": "<i8", "FP16": "<f2", "FP32": "<f4", "FP64": "<f8"}


def split_body(body: bytes, header_length: str) -> tuple[dict, bytes]:
    """(the JSON header, the raw bytes after it); BadRequest for a length that is not a number
    within the body, or a header that is not a JSON object."""
    if not is_number(header_length.strip()):
        raise BadRequest(f"the Inference-Header-Content-Length header is {header_length!r}, not a byte count")
    length = int(header_length)
    if length > len(body):
        raise BadRequest(f"the Inference-Header-Content-Length header says {length} bytes of JSON, but the body "
                         f"has only {len(body)}")
    try:
        header = orjson.loads(body[:length])
    except orjson.JSONDecodeError as e:
        raise BadRequest(f"the first {length} bytes of the body (Inference-Header-Content-Length) are not a JSON "
                         f"object: {e.msg}") from None
    if not isinstance(header, dict):
        raise BadRequest("the JSON header of a binary request must be an object with \"inputs\"")
    return header, body[length:]


def read_request(header: dict, raw: bytes, model_name: str) -> InferRequest:
    """The InferRequest of a V2 JSON body (raw empty) or of a binary one's header and raw part."""
    inputs = header.get("inputs")
    sizes = []
    if isinstance(inputs, list):
        for tensor in inputs:
            size = _binary_size(tensor)
            if size is not None:
                if "data" in tensor:
                    raise BadRequest(f"input {tensor.get('name')!r} has both \"data\" and parameters.binary_data_size")
            sizes.append(size)
        # KServe's model requires "data"; a binary input's comes from the raw part (below).
        header = {**header, "inputs": [t | {"data": []} if s is not None else t for t, s in zip(inputs, sizes)]}
    try:
        body = InferenceRequest.model_validate(header)
    except ValidationError as e:
        raise BadRequest(describe_validation(e.errors())) from None
    used = sum(s for s in sizes if s is not None)
    if used != len(raw):
        raise BadRequest(f"the inputs' binary_data_size add up to {used} bytes, but {len(raw)} follow the JSON header")
    infer_inputs, offset = [], 0
    for tensor, size in zip(body.inputs, sizes):
        data = tensor.data
        if size is not None:
            data = decode_tensor(tensor.name, tensor.datatype, raw[offset:offset + size])
            offset += size
        infer_inputs.append(InferInput(tensor.name, tensor.shape, tensor.datatype, data, tensor.parameters or {}))
    request = InferRequest(model_name, infer_inputs, request_id=body.id, parameters=body.parameters)
    request.binary_outputs = binary_outputs(header)
    return request


def describe_validation(errors: list) -> str:
    """pydantic's errors of a V2 body, as one line (as components/serving/routes.py answers them)."""
    first = errors[0] if errors else {}
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body") or "the body"
    return (f"the request does not follow the V2 inference protocol: {where}: {first.get('msg', 'invalid')}"
            + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""))


def _binary_size(tensor) -> Optional[int]:
    parameters = tensor.get("parameters") if isinstance(tensor, dict) else None
    if not isinstance(parameters, dict) or "binary_data_size" not in parameters:
        return None
    size = parameters["binary_data_size"]
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise BadRequest(f"input {tensor.get('name')!r}: binary_data_size is {size!r}, not a byte count")
    return size


def decode_tensor(name: str, datatype: str, raw: bytes) -> list:
    """A raw tensor's elements, flat: BYTES as str (UTF-8), the fixed-size types as numbers."""
    if datatype == "BYTES":
        values, offset = [], 0
        while offset < len(raw):
            if offset + 4 > len(raw):
                raise BadRequest(f"input {name!r}: {len(raw) - offset} bytes left at offset {offset}, too few for a "
                                 "BYTES element's 4-byte length")
            (length,) = struct.unpack_from("<I", raw, offset)
            offset += 4
            if offset + length > len(raw):
                raise BadRequest(f"input {name!r}: a BYTES element of {length} bytes at offset {offset - 4}, but only "
                                 f"{len(raw) - offset} bytes are left")
            try:
                values.append(raw[offset:offset + length].decode("utf-8"))
            except UnicodeDecodeError:
                raise BadRequest(f"input {name!r}: BYTES element {len(values)} is not valid UTF-8 text") from None
            offset += length
        return values
    if datatype not in FIXED:
        raise BadRequest(f"input {name!r}: unknown datatype {datatype}")
    dtype = np.dtype(FIXED[datatype])
    if len(raw) % dtype.itemsize:
        raise BadRequest(f"input {name!r}: {len(raw)} bytes is not a whole number of {datatype} values")
    return np.frombuffer(raw, dtype=dtype).tolist()


def binary_outputs(header: dict) -> set:
    """The names of the outputs to answer in binary ("*": all of them)."""
    names = set()
    parameters = header.get("parameters")
    if isinstance(parameters, dict) and parameters.get("binary_data_output") is True:
        names.add("*")
    outputs = header.get("outputs")
    for output in outputs if isinstance(outputs, list) else []:  # another type: requested_outputs says so
        if isinstance(output, dict) and isinstance(output.get("parameters"), dict):
            flag = output["parameters"].get("binary_data")
            if flag is True:
                names.add(output.get("name"))
            elif flag is False:
                names.discard("*")
    return names


def requested_outputs(header: dict) -> Optional[list]:
    """The output names a V2 request asks for (None: all); BadRequest for an "outputs" that is
    not a list of objects with a "name"."""
    outputs = header.get("outputs")
    if outputs is None:
        return None
    if not isinstance(outputs, list) or not all(isinstance(o, dict) and isinstance(o.get("name"), str) for o in outputs):
        raise BadRequest('"outputs" must be a list of objects with a "name"')
    return [o["name"] for o in outputs] or None


def encode_raw(datatype: str, data: list) -> bytes:
    if datatype == "BYTES":
        parts = []
        for value in data:
            value = value.encode("utf-8") if isinstance(value, str) else bytes(value)
            parts += [struct.pack("<I", len(value)), value]
        return b"".join(parts)
    return np.asarray(data, dtype=FIXED[datatype]).tobytes()


def write_response(response: InferResponse, header: dict) -> tuple[bytes, Optional[int]]:
    """(body, JSON header length or None): the outputs the request names (all when it names
    none), binary where it asks, JSON otherwise; BadRequest for an output the model has not."""
    wanted = requested_outputs(header)
    by_name = {o.name: o for o in response.outputs}
    unknown = [n for n in wanted or [] if n not in by_name]
    if unknown:
        raise BadRequest(f"the request asks for output {unknown[0]!r}; the model's outputs are {', '.join(by_name)}")
    binary = binary_outputs(header)
    outputs, raw = [], []
    for output in [by_name[n] for n in wanted] if wanted else response.outputs:
        entry = {"name": output.name, "datatype": output.datatype, "shape": output.shape}
        if "*" in binary or output.name in binary:
            data = encode_raw(output.datatype, output.data)
            entry["parameters"] = {"binary_data_size": len(data)}
            raw.append(data)
        else:
            entry["data"] = output.data
        outputs.append(entry)
    document = orjson.dumps({"id": response.id, "model_name": response.model_name,
                             "model_version": response.model_version, "outputs": outputs})
    if not raw:
        return document, None
    return document + b"".join(raw), len(document)
