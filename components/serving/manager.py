"""Which model version is served: TF Serving's version policy "latest", with a canary.

With a serving directory, the manager serves its newest complete version and polls for newer
ones. A version is loaded (in a thread, while the served one keeps answering), canary-checked
(components/serving/canary.py) and only then swapped in: the swap replaces one reference, so
a batch already running finishes on the old version and nothing in flight is dropped. A
version that fails to load or fails its canary is refused: it is never retried (push a new
version instead), the served one keeps answering, and the status and the log say why. A
version directory that is incomplete (versions.is_complete) or was modified in the last
`settle_seconds` is not loaded yet: it is still being written.

Removing the served version's directory rolls back: the newest remaining version is loaded
(if none remains, the served one stays, with a warning: a server with no model answers
nothing). With a single model directory (`--model-dir`, what the pipeline's canary component
uses), there is no polling: that model or nothing.
"""
from __future__ import annotations

import asyncio
import dataclasses
import gc
import logging
import time
from typing import Callable, Optional

from components.paths import isdir
from components.serving import versions
from components.serving.served_model import ModelLoadError

logger = logging.getLogger("components.serving")


@dataclasses.dataclass(frozen=True)
class Served:
    version: Optional[int]  # None for a --model-dir model
    path: str
    model: object  # a ServedModel (or anything with predict(texts) and regression)
    since: float


class VersionManager:
    """Loads, checks and swaps versions; `current` is what answers requests (None: nothing yet)."""

    def __init__(self, loader: Callable[[str], object], serving_dir: Optional[str] = None,
                 model_dir: Optional[str] = None, poll_seconds: float = 2.0, settle_seconds: float = 1.0):
        if (serving_dir is None) == (model_dir is None):
            raise ValueError("give a serving directory or a model directory, not both or neither")
        self._loader = loader
        self.serving_dir = serving_dir
        self.model_dir = model_dir
        self.poll_seconds = poll_seconds
        self.settle_seconds = settle_seconds
        self.current: Optional[Served] = None
        self.refused: dict[int, str] = {}
        self.loading: Optional[int] = None
        self._reported: set = set()  # incomplete / unsettled versions already logged

    def start(self) -> None:
        """The first load, before the server listens; ModelLoadError when nothing can be served
        (the model directory, or every complete version of the serving directory, refused). An
        empty serving directory is no error: the server waits for a first version, as TF Serving
        does."""
        if self.model_dir is not None:
            self.current = Served(None, self.model_dir, self._loader(self.model_dir), time.time())
            logger.info("serving %s", self.model_dir)
            freeze_heap()
            return
        if not isdir(self.serving_dir):
            raise ModelLoadError(f"{self.serving_dir}: no such serving directory")
        self.update()
        if self.current is None and self.refused:
            reasons = "; ".join(f"version {v}: {why}" for v, why in sorted(self.refused.items()))
            raise ModelLoadError(f"{self.serving_dir}: no version can be served ({reasons})")
        if self.current is None:
            logger.info("%s holds no complete version yet: waiting for one (polling every %g s)",
                        self.serving_dir, self.poll_seconds)

    def update(self) -> None:
        """One poll: load the newest loadable version if it is not the served one."""
        present = set(versions.all_versions(self.serving_dir))
        self.refused = {v: why for v, why in self.refused.items() if v in present}  # removed: forgotten
        for version in sorted(present, reverse=True):
            if self.current and version == self.current.version:
                return  # the newest loadable version is served
            if version in self.refused or not self._ready_to_load(version):
                continue
            if self._load(version):
                return
        if self.current and self.current.version not in present and ("gone", self.current.version) not in self._reported:
            self._reported.add(("gone", self.current.version))
            logger.warning("version %s was removed and no other version can be served: it keeps answering",
                           self.current.version)

    def _ready_to_load(self, version: int) -> bool:
        path = versions.version_path(self.serving_dir, version)
        if not versions.is_complete(path):
            why = "incomplete (no saved_model.pb, variables/ or a variables shard yet)"
        elif not versions.settled(path, self.settle_seconds):
            why = f"modified in the last {self.settle_seconds:g} s"
        else:
            return True
        if (version, why) not in self._reported:
            self._reported.add((version, why))
            logger.info("version %s is %s: not loaded yet", version, why)
        return False

    def _load(self, version: int) -> bool:
        path = versions.version_path(self.serving_dir, version)
        self.loading = version
        logger.info("loading version %s from %s", version, path)
        try:
            model = self._loader(path)
        except ModelLoadError as e:
            self.refused[version] = str(e)
            logger.error("version %s refused: %s", version, e)
            return False
        finally:
            self.loading = None
        previous = self.current
        self.current = Served(version, path, model, time.time())
        logger.info("serving version %s%s", version, f" (was {previous.version})" if previous else "")
        previous = None
        freeze_heap()
        return True

    async def poll_forever(self) -> None:
        """Polls every poll_seconds (the loads run in a thread); an error in one poll (e.g. a
        filesystem that failed to list) is logged and the next poll tries again."""
        if self.model_dir is not None:
            return
        while True:
            await asyncio.sleep(self.poll_seconds)
            try:
                await asyncio.to_thread(self.update)
            except Exception:  # noqa: BLE001  (the server keeps answering with what it has)
                logger.exception("polling %s failed", self.serving_dir)

    def status(self) -> dict:
        """TF Serving's model status (model_version_status: version, state, status), plus the
        served version and path and the refused versions with why."""
        entries = []
        if self.loading is not None:
            entries.append(_entry(self.loading, "LOADING"))
        if self.current is not None:
            entries.append(_entry(self.current.version, "AVAILABLE"))
        entries += [_entry(v, "END", why) for v, why in sorted(self.refused.items(), reverse=True)]
        return {
            "ready": self.current is not None,
            "version": None if self.current is None or self.current.version is None else str(self.current.version),
            "path": None if self.current is None else self.current.path,
            "source": {"serving_dir": self.serving_dir} if self.serving_dir else {"model_dir": self.model_dir},
            "refused": {str(v): why for v, why in sorted(self.refused.items())},
            "model_version_status": entries,
        }


GC_YOUNG_THRESHOLD = 50_000


def freeze_heap() -> None:
    """Python's cyclic GC scans every object of its oldest generation in a full collection; a
    loaded TensorFlow model is hundreds of thousands of them, and the collections that request
    garbage triggers paused the event loop for long enough to double the tail latency (p99 346
    -> 194 ms at 64 clients on the default model, measured back to back). So the heap, the
    model included, goes to the permanent generation (gc.freeze), which collections skip; at
    each swap it is thawed and collected once (one pause per version), so that the old
    version's cycles are freed, and frozen again.

    That was not enough: what stays outside the frozen heap still made the full collections
    that request garbage triggers cost up to ~150 ms, every few seconds under load. The youngest
    generation is collected every GC_YOUNG_THRESHOLD allocations instead of CPython's 700
    (each request allocates a few hundred containers), which makes full collections rare:
    p99 at 64 clients on the default model 214-220 ms -> 33 ms, throughput +15%, in
    alternating runs of scripts/benchmark_serving.py (docs/results.md, the model server)."""
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _entry(version: Optional[int], state: str, error: str = "") -> dict:
    return {"version": "0" if version is None else str(version), "state": state,
            "status": {"error_code": "INVALID_ARGUMENT" if error else "OK", "error_message": error}}
