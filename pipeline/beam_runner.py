"""Runs the pipeline with BeamDagRunner: the components as the nodes of a Beam job.

The orchestrating Beam job runs here (in memory); the components' own Beam jobs run where
`config.beam_pipeline_args` say (see `configs.BEAM_PRESETS`). Same metadata, caching and
artifacts as `pipeline.local_runner`:

    imdb-tfx run --runner beam [--beam-preset direct-multiprocess] [--beam-arg=--direct_num_workers=2]
"""
from __future__ import annotations

import sys

from pipeline import configs
from pipeline.progress import BeamProgress, Progress, run_with_progress

DEFAULT_PRESET = "direct-multiprocess"


def run(config: configs.PipelineConfig, *, progress_stream=None, experiment: bool = False,
        wait: bool = True) -> Progress:
    """Runs the production pipeline (or an experiment run) to completion with BeamDagRunner;
    returns the progress record."""
    from tfx.orchestration.beam import beam_dag_runner

    return run_with_progress(config, beam_dag_runner, "BeamDagRunner", BeamProgress, progress_stream,
                             experiment=experiment, wait=wait)
