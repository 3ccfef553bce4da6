"""Runs a pipeline on this machine with LocalDagRunner (SQLite metadata, caching on): `imdb-tfx run`."""
from __future__ import annotations

import sys

from pipeline import configs
from pipeline.progress import Progress, run_with_progress


def run(config: configs.PipelineConfig, *, progress_stream=None, experiment: bool = False,
        wait: bool = True) -> Progress:
    """Runs the production pipeline (or with `experiment`, an experiment run: see
    pipeline/experiment.py) to completion; returns the progress record (component timings)."""
    from tfx.orchestration.local import local_dag_runner

    return run_with_progress(config, local_dag_runner, "LocalDagRunner", Progress, progress_stream,
                             experiment=experiment, wait=wait)
