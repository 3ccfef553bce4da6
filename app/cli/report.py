"""`imdb-tfx report`: one self-contained HTML page on a run's evaluation and data.

Reads TFMA's output (metrics, plots, validation) with TFMA's loaders, the data statistics
with TFDV and the anomalies ExampleValidator found; draws with matplotlib into embedded
PNGs, so the page needs no network, JavaScript or other file to be read.
"""
from __future__ import annotations

import argparse
import os
import time


def cmd_report(args: argparse.Namespace) -> int:
    from app.cli.library_log import quiet_stderr
    from components.paths import replace_file

    start = time.time()
    metadata_path = args.metadata_path or args.default_metadata_path
    if args.metadata_path and not os.path.exists(args.metadata_path):
        # Named, so meant: no falling back to the newest outputs under the pipeline root.
        raise FileNotFoundError(f"{args.metadata_path}: no metadata store there")
    with quiet_stderr("report", args.verbose) as terminal:  # TFMA's, TFDV's and TensorFlow's messages into a log
        from app.report.run_outputs import load_experiments, locate
        from app.report.page import build_report

        artifacts = locate(metadata_path, args.pipeline_root, args.evaluation_uri)
        experiments = load_experiments(args.experiments) if args.experiments else None
        history, drift = None, None
        if os.path.exists(metadata_path) and not args.evaluation_uri:
            from app.report.history import latest_drift, model_history

            history, drift = model_history(metadata_path), latest_drift(metadata_path)
        page = build_report(artifacts, experiments, history, drift)
        os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
        replace_file(args.output, page)  # a failed write leaves an earlier report whole
        print(f"imdb-tfx: wrote {args.output} ({len(page) / 1e3:.0f} kB, {time.time() - start:.1f} s) from "
              f"{artifacts['evaluation'][0]}", file=terminal)
    return 0


def add_parser(sub) -> None:
    from pipeline.configs import PipelineConfig

    d = PipelineConfig()
    p = sub.add_parser("report", help="write an HTML report of the latest evaluation",
                       description=__doc__.split("\n\n")[1].replace("\n", " "))
    p.add_argument("--metadata-path", default=None,
                   help=f"SQLite metadata store to find the run in, opened read-only (default: {d.metadata_path})")
    p.add_argument("--pipeline-root", default=d.pipeline_root,
                   help="used when the default store does not exist: the newest outputs under it")
    p.add_argument("--evaluation-uri", help="a given Evaluator output (default: the latest)")
    p.add_argument("--experiments", help="experiment table to include: JSON list of objects, or CSV")
    p.add_argument("--output", "-o", default=os.path.join("output", "report.html"))
    p.add_argument("--verbose", action="store_true", help="show TensorFlow's and TFMA's messages on stderr (by "
                   "default they go to a log file under ~/.cache/imdb-tfx/logs/)")
    p.set_defaults(func=cmd_report, default_metadata_path=d.metadata_path)
