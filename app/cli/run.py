"""`imdb-tfx run`: the whole production pipeline with LocalDagRunner or BeamDagRunner."""
from __future__ import annotations

import argparse
import json
import sys
import time

from app.cli import arguments


def cmd_run(args: argparse.Namespace) -> int:
    from app import runs
    from pipeline import beam_runner, local_runner

    config = arguments.pipeline_config(args)
    config.beam_pipeline_args = arguments.beam_pipeline_args(
        args, beam_runner.DEFAULT_PRESET if args.runner == "beam" else "in-memory")
    print(f"imdb-tfx: data {config.data}, module {config.training.module}, "
          f"pipeline root {config.pipeline_root}, runner {args.runner} "
          f"({' '.join(config.beam_pipeline_args)})", file=sys.stderr)
    from data.dataset import resolve_data

    resolve_data(config.data)  # fail fast on bad data (and download it once) before the heavy imports
    arguments.prepare_modules(config.training)
    start = time.time()
    (beam_runner if args.runner == "beam" else local_runner).run(config)
    summary = runs.run_summary(config.metadata_path)
    summary["wall_time_s"] = round(time.time() - start, 1)
    print(json.dumps(summary, indent=2))
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("run", help="run the whole pipeline with LocalDagRunner or BeamDagRunner",
                       description="ExampleGen -> ... -> Pusher on the IMDB data, with progress.")
    arguments.add_pipeline_args(p)
    arguments.add_training_args(p)
    p.add_argument("--runner", choices=["local", "beam"], default="local",
                   help="orchestrator: LocalDagRunner or BeamDagRunner (default: %(default)s)")
    arguments.add_beam_args(p, "in-memory; direct-multiprocess with --runner beam")
    p.set_defaults(func=cmd_run)
