"""Crash hygiene: what a dead run left in the metadata store and the pipeline root.

A run killed mid-component leaves its execution RUNNING in the store for ever, and the
component's output directories (empty, or half written) under the pipeline root. The next run,
holding the run lock (pipeline/run_lock.py, so no live run can own them), marks such executions
CANCELED and removes the output directories their components had made (TFX publishes an
output artifact only when its execution completes), so that the store says what happened and
no half-written output is left.
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil

from pipeline import store_queries


@dataclasses.dataclass
class Abandoned:
    execution_id: int
    component: str
    removed: list[str]  # output directories removed


DIED = "cancelled by the next run: the run that started it died before it finished"
STOPPED = "cancelled by its run, stopped before the execution finished (Ctrl-C, SIGTERM or an error)"


def abandoned_executions(metadata_path: str, pipeline_root: str, note: str = DIED,
                         failed_after: int | None = None) -> list[Abandoned]:
    """Cancels the executions a dead (or stopped) run left RUNNING (or NEW) and removes the
    output directories their components had made for them (`<root>/<node>/<output>/<execution
    id>`, never published); returns what it did. `failed_after`: also those FAILED with ids
    above it (a stop that a library turned into a component's failure). Call it only while
    holding the run lock."""
    if not os.path.isfile(metadata_path) or not os.path.getsize(metadata_path):
        return []
    from ml_metadata.metadata_store import metadata_store
    from ml_metadata.proto import metadata_store_pb2
    from tfx.orchestration import metadata

    Execution = metadata_store_pb2.Execution
    store = metadata_store.MetadataStore(metadata.sqlite_metadata_connection_config(metadata_path))
    node_type = store.get_context_type("node").id
    done = []
    # Filtered in SQL: a long-lived store holds tens of thousands of finished executions.
    unfinished = store_queries.executions(store, states=("RUNNING", "NEW"))
    if failed_after is not None:
        unfinished += store_queries.executions(store, after=failed_after, states=("FAILED",))
    for execution in sorted(unfinished, key=lambda e: e.id):
        nodes = [c.name.rsplit(".", 1)[-1] for c in store.get_contexts_by_execution(execution.id)
                 if c.type_id == node_type]
        removed = []
        for node in nodes:
            node_dir = os.path.join(pipeline_root, node)
            outputs = [os.path.join(node_dir, key) for key in (os.listdir(node_dir) if os.path.isdir(node_dir) else [])]
            outputs.append(os.path.join(node_dir, ".system", "executor_execution"))
            for output in outputs:
                path = os.path.join(output, str(execution.id))
                if os.path.isdir(path):
                    shutil.rmtree(path, ignore_errors=True)
                    removed.append(path)
        execution.last_known_state = Execution.CANCELED
        execution.custom_properties["imdb_tfx_note"].string_value = note
        store.put_executions([execution])
        done.append(Abandoned(execution.id, ",".join(nodes) or "?", removed))
    return done


@contextlib.contextmanager
def exclusive_run(metadata_path: str, pipeline_root: str, stream, wait: bool = True):
    """What every run does first and holds while it lasts: the run lock (pipeline/run_lock.py:
    waits for another run, or with wait=False raises RunLockedError), the one-root-per-store
    check, then the clean-up after a dead run: a model server a killed run left behind (where
    the OS's parent-death signal did not end it) is ended, and the executions a dead run left
    running are cancelled (abandoned_executions); each said on `stream`. A run stopped by an
    exception (Ctrl-C and SIGTERM too) cancels its own running execution on the way out."""
    from components import process_supervisor
    from pipeline import run_lock

    with run_lock.run_lock(metadata_path, pipeline_root, wait=wait, stream=stream):
        run_lock.check_store_root(metadata_path, pipeline_root)
        process_supervisor.end_orphans(process_supervisor.children_dir(pipeline_root), stream.write)
        for left in abandoned_executions(metadata_path, pipeline_root) if metadata_path else []:
            _say(stream, left, "was left running by a run that died")
        floor = newest_execution_id(metadata_path) if metadata_path else 0
        try:
            yield
        except BaseException as e:
            # Stopped (Ctrl-C, SIGTERM) mid-component: its execution is cancelled now, by this run,
            # not left RUNNING for the next run to find. A component that failed is FAILED
            # already (TFX), so there is nothing to do for it, unless the failure was the stop:
            # Beam wraps the interrupt in its own error, which TFX records as a failure.
            stopped = isinstance(e, KeyboardInterrupt) or process_supervisor.stop_signal() is not None
            if metadata_path:
                for left in abandoned_executions(metadata_path, pipeline_root, STOPPED,
                                                 failed_after=floor if stopped else None):
                    _say(stream, left, "stopped before it finished")
            raise


def newest_execution_id(metadata_path: str) -> int:
    """The store's newest execution id (0 for none, or no store yet)."""
    if not os.path.isfile(metadata_path) or not os.path.getsize(metadata_path):
        return 0
    from ml_metadata.metadata_store import metadata_store
    from tfx.orchestration import metadata

    store = metadata_store.MetadataStore(metadata.sqlite_metadata_connection_config(metadata_path))
    newest = store_queries.executions(store, newest=1)
    return newest[0].id if newest else 0


def _say(stream, left: Abandoned, what: str) -> None:
    stream.write(f"imdb-tfx: {left.component} execution {left.execution_id} {what}: marked CANCELED"
                 + (f", removed {', '.join(left.removed)}" if left.removed else "") + "\n")
