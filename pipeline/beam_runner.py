"""Runs the pipeline with BeamDagRunner: the components as the nodes of a Beam job.

The orchestrating Beam job runs here (in memory); the components' own Beam jobs run where
`config.beam_pipeline_args` say (see `configs.BEAM_PRESETS`). Same metadata, caching and
artifacts as `pipeline.local_runner`:

    imdb-tfx run --runner beam [--beam-preset direct-multiprocess] [--beam-arg=--direct_num_workers=2]
"""
from __future__ import annotations

import sys

from pipeline import configs
from pipeline.local_runner import Progress

DEFAULT_PRESET = "direct-multiprocess"


class BeamProgress(Progress):
    """`Progress` for BeamDagRunner's node messages."""

    MESSAGES = {"node %s is running.": "running", "node %s is finished.": "finished",
                "Node %s is skipped in this partial run.": "skipped"}


def run(config: configs.PipelineConfig, *, progress_stream=sys.stderr) -> Progress:
    """Runs the pipeline to completion with BeamDagRunner; returns the progress record."""
    from tfx.orchestration.beam import beam_dag_runner

    from data.dataset import resolve_data
    from pipeline.pipeline import create_pipeline

    tfx_pipeline = create_pipeline(config, resolve_data(config.data))
    progress = BeamProgress(len(tfx_pipeline.components), beam_dag_runner.logging, progress_stream)
    beam_dag_runner.logging = progress
    try:
        beam_dag_runner.BeamDagRunner().run(tfx_pipeline)
    finally:
        beam_dag_runner.logging = progress._logging
    return progress
