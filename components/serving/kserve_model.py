"""The KServe model: V1 and V2 requests in, the served version's answers out, through the batcher.

KServe's data plane calls `preprocess` (request -> texts, each check of
components/serving/protocol.py), `predict` (the texts through the batcher, so concurrent
requests share model calls) and `postprocess` (answers -> the protocol's response), timing
each in its Prometheus histograms (request_preprocess_seconds, request_predict_seconds, ...).
Readiness is the version manager's: ready once a version is served. The batch sizes go to a
histogram of our own, imdb_serving_batch_size, beside KServe's.
"""
from __future__ import annotations

import asyncio
import dataclasses
from typing import Callable, Optional

from components.serving.imports import hide_iri_grammar

hide_iri_grammar()

import kserve  # noqa: E402
from kserve.errors import ModelNotReady  # noqa: E402
from kserve.protocol.infer_type import InferOutput, InferRequest, InferResponse  # noqa: E402
from prometheus_client import Histogram  # noqa: E402

from components.serving import protocol  # noqa: E402
from components.serving.request_log import request_id  # noqa: E402
from components.serving.batching import Batcher  # noqa: E402
from components.serving.loaded_versions import KeptVersions, pinned_version  # noqa: E402
from components.serving.manager import VersionManager  # noqa: E402
from components.serving.served_model import ServedModel  # noqa: E402
from components.serving.routed import Routed  # noqa: E402

BATCH_SIZE_HISTOGRAM = Histogram(
    "imdb_serving_batch_size", "reviews per model call (server-side batching)", ["model_name"],
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024))
MODEL_CALL_SECONDS = Histogram("imdb_serving_model_call_seconds", "seconds per batched model call", ["model_name"])


@dataclasses.dataclass
class _Texts:
    """preprocess's output: what predict needs, and which protocol to answer in."""

    texts: list
    v2_request: Optional[InferRequest] = None
    version: Optional[int] = None  # pinned (/versions/<N>, gRPC model_version); None: the served one
    answer: Optional[Callable] = None  # a Routed request's response writer
    request_id: Optional[str] = None  # a V2 request's id as answered, and as the request log has it


class ImdbModel(kserve.Model):
    request_log = None  # a RequestLog (components/serving/request_log.py) with `serve --request-log`

    def __init__(self, name: str, manager: VersionManager, max_batch_size: int, max_wait_ms: float,
                 max_instances: int, idle_gap_ms: float = 0.0):
        super().__init__(name)
        self.manager = manager
        self.max_instances = max_instances
        self.batcher = Batcher(self._predict_fn, max_batch_size, max_wait_ms, on_batch=self._observe,
                               idle_gap_ms=idle_gap_ms)
        self.kept = KeptVersions(manager, ServedModel.load)  # the versions a request can pin (server.py sets K)

    def healthy(self) -> bool:
        return self.manager.current is not None

    def load(self) -> bool:
        """KServe calls this for a model that is not ready; the version manager loads versions,
        so this only reports."""
        self.ready = self.healthy()
        return self.ready

    def _predict_fn(self):
        """The served version's predict, at the time a batch starts; its answers carry the
        version (a swap may come between this batch and the response)."""
        current = self.manager.current
        if current is None:
            raise ModelNotReady(self.name, "no version is served yet")
        return lambda texts: [(current.version, a) for a in current.model.predict(texts)]

    def _observe(self, requests: int, instances: int, seconds: float) -> None:
        BATCH_SIZE_HISTOGRAM.labels(model_name=self.name).observe(instances)
        MODEL_CALL_SECONDS.labels(model_name=self.name).observe(seconds)

    async def preprocess(self, payload, headers=None) -> _Texts:
        if isinstance(payload, InferRequest):
            return _Texts(protocol.v2_texts(payload.inputs, self.max_instances), payload,
                          version=getattr(payload, "pinned_version", None))
        if isinstance(payload, Routed):
            return _Texts(payload.read(self.max_instances), version=payload.version, answer=payload.answer)
        return _Texts(protocol.v1_texts(payload, self.max_instances))

    async def _versioned(self, payload: _Texts) -> list:
        """[(version, answer)] per text: the batcher's (served version), or a pinned version's."""
        if payload.version is None:
            return await self.batcher.predict(payload.texts)
        served = self.kept.get(payload.version)  # BadRequest 404 when not loaded
        if served is self.manager.current:
            versioned = await self.batcher.predict(payload.texts)
            if versioned and versioned[0][0] == payload.version:
                return versioned  # else swapped meanwhile: the pinned version answers below
        # A pinned version other than the served one: its own model call (not batched with others).
        answers = await asyncio.get_running_loop().run_in_executor(None, served.model.predict, payload.texts)
        return [(served.version, a) for a in answers]

    async def predict(self, payload: _Texts, headers=None) -> tuple[_Texts, list]:
        versioned = await self._versioned(payload)
        if self.request_log is not None or payload.v2_request is not None:
            # the V2 request's id, else X-Request-ID, else one drawn: the id a V2 answer carries
            # is the one its lines in the request log have
            payload.request_id = request_id(payload.v2_request.id if payload.v2_request is not None else None, headers)
        if self.request_log is not None:  # every protocol's predictions pass here: one place logs them all
            self.request_log.record(payload.request_id, payload.texts, versioned)
        return payload, versioned

    async def postprocess(self, result: tuple[_Texts, list], headers=None):
        request, versioned = result
        if request.answer is not None:
            return request.answer(versioned)
        answers = [answer for _, answer in versioned]
        if request.v2_request is None:
            return {"predictions": answers}
        n = len(answers)
        outputs = [InferOutput("probability", [n], "FP32", [a["probability"] for a in answers]),
                   InferOutput("label", [n], "BYTES", [a["label"] for a in answers])]
        if answers and "rating" in answers[0]:
            outputs.append(InferOutput("rating", [n], "FP32", [a["rating"] for a in answers]))
        version = versioned[0][0]
        return InferResponse(request.request_id, self.name, outputs,
                             model_version=None if version is None else str(version))

    def get_input_types(self) -> list[dict]:
        return [{"name": "text", "datatype": "BYTES", "shape": [-1]}]

    def get_output_types(self, served=None) -> list[dict]:
        """The V2 outputs of the served version, or of `served` (a pinned version)."""
        outputs = [{"name": "probability", "datatype": "FP32", "shape": [-1]},
                   {"name": "label", "datatype": "BYTES", "shape": [-1]}]
        served = served or self.manager.current
        if served is not None and served.model.regression:
            outputs.append({"name": "rating", "datatype": "FP32", "shape": [-1]})
        return outputs

    def check_outputs(self, wanted: Optional[list]) -> None:
        """BadRequest for an output the model has not, before the model is asked (an answer
        refused afterwards would still be in the request log)."""
        names = [o["name"] for o in self.get_output_types()]
        twice = next((n for n in wanted or [] if wanted.count(n) > 1), None)
        if twice is not None:
            raise protocol.BadRequest(f"output {twice!r} is asked for twice")
        unknown = [n for n in wanted or [] if n not in names]
        if unknown:
            raise protocol.BadRequest(f"the request asks for output {unknown[0]!r}; the model's outputs are "
                                      f"{', '.join(names)}")

    def held(self, version: str):
        """The loaded version asked for by its name (a URL's /versions/N, gRPC's `version`):
        BadRequest 400 for a name that is not a number, 404 naming the versions held otherwise."""
        return self.kept.get(pinned_version(version))

    def v2_metadata(self) -> dict:
        """V2 model metadata (/v2/models/NAME, gRPC ModelMetadata): KServe's, with the versions
        loaded (none until a version is served)."""
        held = self.kept.versions() if self.manager.current is not None else []
        return {"name": self.name, "versions": [str(v) for v in held], "platform": "",
                "inputs": self.get_input_types(), "outputs": self.get_output_types()}

    def version_metadata(self, version: str) -> dict:
        """V2 model metadata of one loaded version (/v2/models/NAME/versions/N, gRPC
        ModelMetadata with a version)."""
        served = self.held(version)
        return {"name": self.name, "versions": [str(served.version)], "platform": "",
                "inputs": self.get_input_types(), "outputs": self.get_output_types(served)}

    def stop(self) -> None:
        """Nothing: the batcher answers the requests in flight until both servers have stopped,
        and is closed then (server.py)."""
