"""Runs a pipeline on this machine with LocalDagRunner (SQLite metadata, caching on): `imdb-tfx run`.

The path from the command line: app/cli/run.py -> `run` here -> pipeline/production.py's
create_pipeline (or pipeline/experiment.py's, for a row of the experiment grid).
"""
from __future__ import annotations

import sys

from pipeline import configs
from pipeline.progress import Progress


def run(config: configs.PipelineConfig, *, progress_stream=None, create_pipeline=None,
        wait: bool = True) -> Progress:
    """Builds the pipeline (`create_pipeline`, by default the production one) and runs it to
    completion; returns the progress record (component timings).

    One run at a time per store and root (pipeline/run_lock.py): waits for another to finish,
    or with wait=False raises RunLockedError; then cleans up what a dead run left
    (pipeline/recovery.py). A production run over spans first ingests the spans of its window
    that the store lacks (pipeline/window_backfill.py). Raises progress.ComponentError, naming
    the component, when one fails."""
    from tfx.orchestration.local import local_dag_runner

    from data.dataset import resolve_data
    from pipeline import production, progress, recovery

    stream = progress_stream or sys.stderr  # at call time: sys.stderr may have been replaced
    with recovery.exclusive_run(config.metadata_path, config.pipeline_root, stream, wait):
        return production.build_and_run(
            config, resolve_data(config.data), stream, create_pipeline,
            lambda tfx_pipeline: progress.run_with_progress(tfx_pipeline, local_dag_runner, "LocalDagRunner", Progress, stream))
