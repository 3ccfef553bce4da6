"""Progress lines from the runners' log messages, with component timings: a built pipeline run
with them (run_with_progress)."""
from __future__ import annotations

import dataclasses
import sys
import time

from pipeline import channel_queries, tfx_private


class ComponentError(RuntimeError):
    """A component failed during a run: `component` names it; the executor's exception is the
    cause (`__cause__`)."""

    def __init__(self, component: str, cause: BaseException):
        super().__init__(f"{component} failed: {type(cause).__name__}: {cause}")
        self.component, self.cause = component, cause


@dataclasses.dataclass
class ComponentEvent:
    component: str
    status: str  # running | finished | skipped
    time: float


class Progress:
    """Turns LocalDagRunner's 'Component X is running/finished.' messages into progress lines
    on a stream, and records them with times (for the benchmark).

    It stands in for the `logging` module that local_dag_runner uses while a run lasts:
    listening on absl's logger instead would go quiet once a component (TFT, Beam) lowers
    the log verbosity (a private hook of TFX's: pipeline/tfx_private.py).
    """

    MESSAGES = tfx_private.LOCAL_RUNNER_MESSAGES

    def __init__(self, total: int, logging_module, stream=None):
        self.total, self.stream, self._logging = total, stream or sys.stderr, logging_module
        self.events: list[ComponentEvent] = []

    def __getattr__(self, name):
        return getattr(self._logging, name)

    def info(self, msg, *args, **kwargs):
        status = self.MESSAGES.get(msg)
        if status and args:
            self._event(str(args[0]), status)
        self._logging.info(msg, *args, **kwargs)

    def _event(self, component: str, status: str) -> None:
        now = time.time()
        self.events.append(ComponentEvent(component, status, now))
        if status == "running":
            done = len({e.component for e in self.events if e.status != "running"})
            self.stream.write(f"[{done + 1}/{self.total}] {component} ...\n")
        elif status == "finished":
            started = self.durations().get(component, 0.0)
            self.stream.write(f"      {component} finished in {started:.1f} s\n")
        else:
            self.stream.write(f"      {component} skipped\n")
        self.stream.flush()

    def running(self) -> str | None:
        """The component that started last and has not finished (the one a failure came from)."""
        done = {e.component for e in self.events if e.status != "running"}
        started = [e.component for e in self.events if e.status == "running" and e.component not in done]
        return started[-1] if started else None

    def durations(self) -> dict[str, float]:
        starts = {e.component: e.time for e in self.events if e.status == "running"}
        return {e.component: round(e.time - starts[e.component], 2)
                for e in self.events if e.status == "finished" and e.component in starts}


class BeamProgress(Progress):
    """`Progress` for BeamDagRunner's node messages."""

    MESSAGES = tfx_private.BEAM_RUNNER_MESSAGES


def run_with_progress(tfx_pipeline, runner_module, runner_class: str, progress_class=Progress,
                      progress_stream=None) -> Progress:
    """Runs a built pipeline with `runner_module.<runner_class>`, reporting progress through
    `progress_class` in place of that module's `logging` while the run lasts; returns the
    progress record. Raises ComponentError, naming the component, when one fails."""
    progress = progress_class(len(tfx_pipeline.components), tfx_private.runner_logging(runner_module),
                              progress_stream or sys.stderr)
    tfx_private.set_runner_logging(runner_module, progress)
    # TFX's Beam executors parse sys.argv as absl flags (base_beam_executor.py), where the
    # caller's own arguments collide: `pytest -v --durations=15` reads as --verbosity=--durations=15.
    # Everything the pipeline needs is in the pipeline, so the runners see no arguments.
    argv, sys.argv = sys.argv, sys.argv[:1]
    try:
        with channel_queries.filtered():  # TFX's input resolution in one query (a store of a year of runs)
            getattr(runner_module, runner_class)().run(tfx_pipeline)
    except Exception as e:
        raise ComponentError(progress.running() or "the pipeline", e) from e
    finally:
        tfx_private.set_runner_logging(runner_module, progress._logging)
        sys.argv = argv
    return progress
