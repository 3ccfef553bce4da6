"""The versions a caller can pin (TF Serving's /versions/<N> and /labels/<L>): the served one
and, with `--keep-versions K`, the K newest complete versions of the serving directory kept
loaded, so that during a rollout or a rollback a caller can ask a given version.

The version manager (components/serving/manager.py) decides what is served (the newest that
loads and passes its canary); this keeps older ones loaded beside it. A version is only kept
once it is loaded and canary-checked like a served one (ServedModel.load); one that fails is
refused here too, never retried. When the manager swaps to a newer version, the one it served
is kept (no reload); a version removed from the serving directory, or no longer among the K
newest, is dropped. Labels: "stable" is the served version, "previous" the newest kept one
older than it (the version a rollback goes to).
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Callable, Optional

from components.paths import is_number
from components.serving import versions
from components.serving.manager import Served, VersionManager
from components.serving.served_model import ModelLoadError
from components.serving.protocol import BadRequest

logger = logging.getLogger("components.serving")
LABELS = ("stable", "previous")
_NO_VERSIONS = ("this server serves one model directory (--model-dir), which has no versions: /versions/N and "
                "/labels/L are those of a serving directory's versions (--serving-dir)")


def pinned_version(version: str, field: str = "version") -> int:
    """A version asked for (a URL's /versions/N, gRPC's model_version) as a number; BadRequest
    400 otherwise."""
    if not is_number(version):
        raise BadRequest(f"{field} {version!r} is not a number (a version is its directory's name)")
    return int(version)


class KeptVersions:
    def __init__(self, manager: VersionManager, loader: Callable[[str], object], keep: int = 1):
        if keep < 1:
            raise ValueError(f"keep must be at least 1 (got {keep})")
        self.manager = manager
        self._loader = loader
        self.keep = keep
        self.held: dict[int, Served] = {}  # older versions kept loaded (not the served one)
        self.refused: dict[int, str] = {}

    def versions(self) -> list[int]:
        """The versions that answer, newest first (the served one included)."""
        current = self.manager.current
        held = set(self.held) | ({current.version} if current and current.version is not None else set())
        return sorted(held, reverse=True)

    def get(self, version: int) -> Served:
        """The loaded version; BadRequest 404 naming the versions held otherwise."""
        current = self.manager.current
        if current is not None and current.version == version:
            return current
        if version in self.held:
            return self.held[version]
        if self.manager.model_dir is not None:
            raise BadRequest(_NO_VERSIONS, status=404)
        held = ", ".join(map(str, self.versions())) or "none"
        why = (f" (refused: {self.refused[version]})" if version in self.refused else
               f" (refused: {self.manager.refused[version]})" if version in self.manager.refused else "")
        raise BadRequest(f"version {version} is not loaded{why}; the versions this server holds: {held} "
                         "(--keep-versions sets how many)", status=404)

    def label(self, label: str) -> int:
        held = self.versions()
        if label == "stable" and held:
            return held[0]
        if label == "previous" and len(held) > 1:
            return held[1]
        if label in LABELS and self.manager.model_dir is not None:
            raise BadRequest(_NO_VERSIONS, status=404)
        if label in LABELS:
            raise BadRequest(f"label {label!r} names no version now (versions held: "
                             f"{', '.join(map(str, held)) or 'none'})", status=404)
        raise BadRequest(f"unknown version label {label!r}; the labels are {', '.join(LABELS)}", status=404)

    def update(self) -> None:
        """One poll: keep the K newest complete versions loaded (the served one counts). Runs in
        a thread: the held versions are replaced by a new dict at the end, never changed in place
        while requests read them."""
        if self.manager.serving_dir is None:
            return
        current = self.manager.current
        present = versions.complete_versions(self.manager.serving_dir)
        self.refused = {v: why for v, why in self.refused.items() if v in present}
        candidates = [v for v in reversed(present) if v not in self.refused and v not in self.manager.refused
                      and (current is None or current.version is None or v <= current.version)]
        wanted = set(candidates[:self.keep])
        if current is not None and current.version is not None:
            wanted.discard(current.version)
        held = {v: served for v, served in self.held.items() if v in wanted}
        for version in set(self.held) - set(held):
            logger.info("version %s is no longer kept loaded", version)
        self.held = held
        for version in sorted(wanted - set(held), reverse=True):
            path = versions.version_path(self.manager.serving_dir, version)
            if not versions.settled(path, self.manager.settle_seconds):
                continue
            try:
                self.held = {**self.held, version: Served(version, path, self._loader(path), time.time())}
                logger.info("version %s kept loaded (for /versions/%s)", version, version)
            except ModelLoadError as e:
                self.refused[version] = str(e)
                logger.error("version %s not kept: %s", version, e)

    def remember(self, previous: Optional[Served]) -> None:
        """The version the manager served before a swap: kept without a reload when wanted."""
        if previous is not None and previous.version is not None and self.keep > 1:
            self.held = {previous.version: previous, **self.held}

    async def poll_forever(self) -> None:
        if self.manager.serving_dir is None or self.keep < 2:
            return
        last = self.manager.current
        while True:
            current = self.manager.current
            if current is not last:
                self.remember(last)
                last = current
            try:
                await asyncio.to_thread(self.update)
            except Exception:  # noqa: BLE001  (the server keeps answering with what it has)
                logger.exception("keeping versions of %s loaded failed", self.manager.serving_dir)
            await asyncio.sleep(self.manager.poll_seconds)

    def status(self) -> dict:
        return {"kept": [str(v) for v in sorted(self.held, reverse=True)], "keep_versions": self.keep,
                "labels": {label: str(v) for label in LABELS for v in [self._label_or_none(label)] if v is not None}}

    def _label_or_none(self, label: str) -> Optional[int]:
        try:
            return self.label(label)
        except BadRequest:
            return None
