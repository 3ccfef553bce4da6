"""Runs the pipeline with BeamDagRunner: the components as the nodes of a Beam job.

The orchestrating Beam job runs here (in memory); the components' own Beam jobs run where
`config.beam_pipeline_args` say (see `configs.BEAM_PRESETS`). Same metadata, caching, locking
and artifacts as `pipeline.local_runner`:

    imdb-tfx run --runner beam [--beam-preset direct-multiprocess] [--beam-arg=--direct_num_workers=2]
"""
from __future__ import annotations

import sys

from pipeline import configs
from pipeline.progress import BeamProgress, Progress

DEFAULT_PRESET = "direct-multiprocess"


def run(config: configs.PipelineConfig, *, progress_stream=None, create_pipeline=None,
        wait: bool = True) -> Progress:
    """Builds the pipeline (by default the production one) and runs it to completion with
    BeamDagRunner, as local_runner.run does with LocalDagRunner; returns the progress record."""
    from tfx.orchestration.beam import beam_dag_runner

    from data.dataset import resolve_data
    from pipeline import production, progress, recovery

    stream = progress_stream or sys.stderr
    with recovery.exclusive_run(config.metadata_path, config.pipeline_root, stream, wait):
        return production.build_and_run(
            config, resolve_data(config.data), stream, create_pipeline,
            lambda tfx_pipeline: progress.run_with_progress(tfx_pipeline, beam_dag_runner, "BeamDagRunner", BeamProgress, stream))
