"""`imdb-tfx run`: the whole production pipeline with LocalDagRunner or BeamDagRunner."""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time

from app.cli import arguments, embedding_modules


def cmd_run(args: argparse.Namespace) -> int:
    from app import blessing
    from app.cli import console, status
    from pipeline import beam_runner

    config = arguments.pipeline_config(args)
    config.beam_pipeline_args = arguments.beam_pipeline_args(
        args, beam_runner.DEFAULT_PRESET if args.runner == "beam" else "in-memory")
    checked: list[str] = []  # their lines, shown once all passed: a rejected run is one line and leaves no log
    source = _checked_inputs(config, checked.append)
    if args.no_wait:  # another run holds the store or root: one line, no log (the run still locks below)
        from pipeline.run_lock import check_not_locked

        check_not_locked(config.metadata_path, config.pipeline_root)
    log_file = console.log_path(config.pipeline_root)
    terminal = console.Terminal(sys.stderr)
    terminal.write(f"imdb-tfx: data {config.data}, module {config.training.module}, "
                   f"pipeline root {config.pipeline_root}, runner {args.runner} "
                   f"({' '.join(config.beam_pipeline_args)})\nimdb-tfx: full log in {log_file}"
                   + (" (and streamed here: --verbose)" if args.verbose else "") + "\n" + "".join(checked))
    try:
        # Everything the libraries print goes to the log file; the terminal gets the progress.
        with console.quiet(log_file, verbose=args.verbose) as terminal:
            summary, start = _run(args, config, source, terminal)
    except BaseException as e:
        print(f"imdb-tfx: the run's full log: {log_file}", file=sys.stderr)
        _name_the_job_server(e, config.beam_pipeline_args)
        raise
    if "evaluation_uri" in summary:
        summary["blessing"] = blessing.explain(summary["evaluation_uri"])
    summary["wall_time_s"] = round(time.time() - start, 1)
    print(json.dumps(summary, indent=2))
    if summary.get("cached"):  # TFX's cache: what this run did not run again (docs/training.md)
        print("imdb-tfx: from the cache (the outputs of an earlier run with the same inputs, code and settings): "
              + ", ".join(summary["cached"]), file=sys.stderr)
    from app import span_runs

    drift = span_runs.drift_line(summary)  # the drift check's verdict (docs/spans.md)
    if drift:
        print(drift, file=sys.stderr)
    if summary.get("blocked_by_drift"):
        print(f"imdb-tfx: stopped by the drift check (exit status {status.DRIFT_BLOCKED}): {summary['reason']}",
              file=sys.stderr)
        return status.DRIFT_BLOCKED
    if "warm_start" in summary:  # what the Trainer started from (docs/warm_start.md)
        print(f"imdb-tfx: warm start: {summary['warm_start']['reason']}", file=sys.stderr)
    if "blessing" in summary:
        pushed = summary.get("pushed") and summary["blessing"]["blessed"]
        infra = summary.get("infra_validation")
        served = (f"; served by the model server: {infra['reason']}" if infra["blessed"] else
                  f"; NOT served by the model server: {infra['reason']} (log: {infra['server_log']})") \
            if infra and summary["blessing"]["blessed"] else ""
        print(f"imdb-tfx: {blessing.sentence(summary['blessing'])}{served}; "
              + (f"pushed to {summary.get('pushed_model')}" if pushed else "nothing pushed"), file=sys.stderr)
        return status.OK if pushed else status.NOT_BLESSED
    return status.OK


def _name_the_job_server(error: BaseException, beam_args) -> None:
    """A portable runner's component that timed out reaching its job server (grpc's
    FutureTimeoutError, after about a minute) says which endpoint did not answer."""
    endpoint = next((a.split("=", 1)[1] for a in beam_args if a.startswith("--job_endpoint=")), None)
    if endpoint and error.args and "FutureTimeoutError" in str(error):
        error.args = (f"{error.args[0]} (no Beam job server answered at {endpoint}: is it running? "
                      "docs/scale_out.md)", *error.args[1:])


def _checked_inputs(config, write):
    """The data source, once the guard sets, the data, the span, the window and the test data
    are checked (one line naming the file or flag otherwise), before the heavy imports; what
    each read goes to `write`."""
    from app import span_runs
    from data.dataset import resolve_data

    arguments.announce_guard_sets(config, write)  # fail fast on a broken guard file
    source = resolve_data(config.data)  # fail fast on bad data (and download it once)
    span_runs.announce(config, source, write)  # the span, window, test data: checked here
    return source


def _run(args, config, source, terminal) -> tuple[dict, float]:
    from app import history, runs
    from pipeline import beam_runner, local_runner
    from pipeline.run_lock import run_lock

    from app import span_runs

    embedding_modules.prepare_modules(config.training)
    if not getattr(args, "debug", False):
        # Beam logs a failing element's traceback before re-raising it; the error is reported
        # once, by the caller (--debug shows the traceback).
        logging.getLogger("apache_beam.runners.common").setLevel(logging.CRITICAL)
    # The baseline, the run and its summary under one lock: no other run can bless or push in between.
    with run_lock(config.metadata_path, config.pipeline_root, wait=not args.no_wait, stream=terminal):
        from pipeline.run_lock import check_store_root

        check_store_root(config.metadata_path, config.pipeline_root)  # before the baseline it names
        # The Evaluator's baseline is the latest blessed model other than the candidate itself
        # (components/evaluator/baseline.py); the verdict's line after the run names the one it used.
        latest = runs.latest_blessed_model(config.metadata_path)
        terminal.write(f"imdb-tfx: metadata store {config.metadata_path}; "
                       + (f"latest blessed model {latest}: the baseline, unless it is this run's own model "
                          "(from the cache)" if latest else
                          "no blessed model in this store yet: only the lower bound applies") + "\n")
        terminal.estimates = history.last_durations(config.metadata_path)
        start = time.time()
        floor = runs.max_execution_id(config.metadata_path)  # this run's executions have ids above it
        try:
            (beam_runner if args.runner == "beam" else local_runner).run(config, progress_stream=terminal)
        except Exception as e:  # noqa: BLE001  (a blocking drift check is an outcome, not a failure)
            if not span_runs.is_drift_blocked(e):
                raise
            return span_runs.blocked_summary(config, source, floor, e), start
        return {**runs.run_summary(config.metadata_path), **span_runs.span_summary(config, source, floor),
                "cached": runs.cached_nodes(config.metadata_path, floor)}, start


def add_parser(sub) -> None:
    p = sub.add_parser("run", help="run the whole pipeline with LocalDagRunner or BeamDagRunner",
                       description="ExampleGen -> ... -> Pusher on the IMDB data, with progress.")
    arguments.add_pipeline_args(p)
    arguments.add_training_args(p)
    p.add_argument("--runner", choices=["local", "beam"], default="local",
                   help="orchestrator: LocalDagRunner or BeamDagRunner (default: %(default)s)")
    arguments.add_beam_args(p, "in-memory; direct-multiprocess with --runner beam")
    arguments.add_guard_args(p)
    arguments.add_span_args(p)
    arguments.add_lock_args(p)
    p.add_argument("--verbose", action="store_true",
                   help="stream everything the components print to the terminal (always in the run's log file)")
    p.set_defaults(func=cmd_run)
