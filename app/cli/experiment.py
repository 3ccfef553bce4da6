"""`imdb-tfx experiment`: a grid of training set-ups through the experiment pipeline, tabulated."""
from __future__ import annotations

import argparse
import os
import sys
import time

from app.cli import arguments, embedding_modules


def cmd_experiment(args: argparse.Namespace) -> int:
    from app.experiments import rows as grids
    from app.experiments import running, tables

    from app.cli.library_log import quiet_stderr

    with quiet_stderr("experiment", args.verbose):  # whether TensorFlow sees a GPU: its import's C++ lines to a log
        rows = grids.grid_rows(args.grid, grids.named_rows(args.rows))
    config = arguments.pipeline_config(args)
    config.beam_pipeline_args = arguments.beam_pipeline_args(args, "in-memory")
    from data.dataset import resolve_data

    from app import span_runs

    arguments.announce_guard_sets(config, sys.stderr.write)  # fail fast on a broken guard file
    span_runs.announce(config, resolve_data(config.data), sys.stderr.write)  # its span, as run checks it
    print(f"imdb-tfx: experiment grid {args.grid}: {len(rows)} rows ({', '.join(r.name for r in rows)}), "
          f"data {config.data}, table -> {args.output}", file=sys.stderr)
    for row in rows:
        embedding_modules.prepare_modules(row.training)
    start = time.time()
    from pipeline.run_lock import run_lock

    from app.cli import console

    log_file = console.log_path(config.pipeline_root)
    print(f"imdb-tfx: full log in {log_file}" + (" (and streamed here: --verbose)" if args.verbose else ""),
          file=sys.stderr)
    with run_lock(config.metadata_path, config.pipeline_root, wait=not args.no_wait):
        # Everything the libraries print goes to the log file; the terminal gets the progress, as in `run`.
        with console.quiet(log_file, verbose=args.verbose) as terminal:
            table = running.run_grid(config, rows, args.output, progress_stream=terminal)
    print(tables.markdown(table))
    print(f"imdb-tfx: {len(table)} rows in {time.time() - start:.0f} s; table in {args.output}/experiments.{{md,csv,json}}",
          file=sys.stderr)
    return 0


def _row_names() -> list[str]:
    """Every row of every grid, once, in grid order."""
    from app.experiments.rows import GRIDS

    return list(dict.fromkeys(row.name for grid in GRIDS.values() for row in grid()))


def add_parser(sub) -> None:
    from app.experiments.rows import GRIDS

    p = sub.add_parser("experiment", help="run a grid of training set-ups through the pipeline, tabulated",
                       description="Each row reuses the pipeline's cached data and statistics and the grid's "
                                   "transform (one per kind of features), "
                                   "trains and evaluates (never blesses or pushes) one model on the test split "
                                   "and the guard and snippet sets, and adds a row to "
                                   "experiments.md/.csv/.json. Give the production run's --guard-set and "
                                   "--snippet-reviews to reuse its cached data. See app/experiments/.")
    arguments.add_pipeline_args(p, "experiment")
    arguments.add_beam_args(p, "in-memory")
    # Measured beside the test split, as in `imdb-tfx run` (no blessing thresholds: nothing is
    # blessed). The same sets as the production run's reuse its cached ExampleGen and Transform.
    arguments.add_guard_args(p, blessing=False)
    arguments.add_lock_args(p)
    p.add_argument("--grid", choices=list(GRIDS), default="default",
                   help="tutorial: the tutorial's four module set-ups and the majority baseline; "
                        "default: those and the improvements, with minilm-trained when TensorFlow sees a GPU; "
                        "short-text: the n-gram models for short text, --preset best's members (default: "
                        "%(default)s)")
    p.add_argument("--rows", default=None, help="comma-separated row names: run only these (any row of the "
                                              "grid, minilm-trained included): " + ", ".join(_row_names()))
    p.add_argument("--output", default=os.path.join("output", "experiments"), help="default: %(default)s")
    p.add_argument("--verbose", action="store_true", help="stream the full log (TensorFlow's and Beam's messages, "
                   "Keras' epochs) to the terminal too")
    p.set_defaults(func=cmd_experiment)
