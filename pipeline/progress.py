"""Progress lines from the runners' log messages, with component timings."""
from __future__ import annotations

import dataclasses
import sys
import time

from pipeline import configs, tfx_private


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


def pipeline_builder(experiment: bool = False):
    """The create_pipeline of a production run, or of an experiment run."""
    if experiment:
        from pipeline.experiment import create_pipeline
    else:
        from pipeline.production import create_pipeline
    return create_pipeline


def run_with_progress(config: configs.PipelineConfig, runner_module, runner_class: str,
                      progress_class=Progress, progress_stream=None, *, experiment: bool = False,
                      wait: bool = True) -> Progress:
    """Builds the pipeline and runs it with `runner_module.<runner_class>`, reporting progress
    through `progress_class` in place of that module's `logging` while the run lasts.

    One run at a time per store and root (pipeline/run_lock.py): waits for another to finish,
    or with wait=False raises RunLockedError; then cancels what a dead run left running
    (pipeline/recovery.py). Raises ComponentError, naming the component, when one fails."""
    from pipeline.recovery import abandoned_executions
    from pipeline.run_lock import run_lock

    progress_stream = progress_stream or sys.stderr  # at call time: sys.stderr may have been replaced
    with run_lock(config.metadata_path, config.pipeline_root, wait=wait, stream=progress_stream):
        from components import process_supervisor
        from pipeline.run_lock import check_store_root

        check_store_root(config.metadata_path, config.pipeline_root)  # one root per store: no silent reuse
        # A model server a killed run left behind (where the OS's parent-death signal did not end it).
        process_supervisor.end_orphans(process_supervisor.children_dir(config.pipeline_root), progress_stream.write)
        if config.metadata_path:
            for left in abandoned_executions(config.metadata_path, config.pipeline_root):
                progress_stream.write(f"imdb-tfx: {left.component} execution {left.execution_id} was left running by "
                                      f"a run that died: marked CANCELED"
                                      + (f", removed {', '.join(left.removed)}" if left.removed else "") + "\n")
        return _run(config, runner_module, runner_class, progress_class, progress_stream, experiment)


def _run(config, runner_module, runner_class, progress_class, progress_stream, experiment) -> Progress:
    from data.dataset import resolve_data

    tfx_pipeline = pipeline_builder(experiment)(config, resolve_data(config.data))
    progress = progress_class(len(tfx_pipeline.components), tfx_private.runner_logging(runner_module),
                              progress_stream)
    tfx_private.set_runner_logging(runner_module, progress)
    # TFX's Beam executors parse sys.argv as absl flags (base_beam_executor.py), where the
    # caller's own arguments collide: `pytest -v --durations=15` reads as --verbosity=--durations=15.
    # Everything the pipeline needs is in `config`, so the runners see no arguments.
    argv, sys.argv = sys.argv, sys.argv[:1]
    try:
        getattr(runner_module, runner_class)().run(tfx_pipeline)
    except Exception as e:
        raise ComponentError(progress.running() or "the pipeline", e) from e
    finally:
        tfx_private.set_runner_logging(runner_module, progress._logging)
        sys.argv = argv
    return progress
