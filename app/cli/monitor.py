"""`imdb-tfx monitor`: is the served traffic still like the data the model learned from?

It reads a window of the model server's request log (`imdb-tfx serve --request-log DIR`),
finds the training data of the version that answered it (as the model records it, through the
metadata store, or with --serving-dir from the served version alone), and runs
the drift checks of `imdb-tfx run` (token distribution, domain classifier, length, the
model's scores) between the two. It prints {"drift": ..., "window": ...} as JSON on stdout and
one line on stderr, after a line on what `--export` wrote (TensorFlow's messages go to a log
file, as `predict`'s); `--output` writes
an HTML page, `--export` the logged texts as a span file to label. Exit status: 0 no check
fired (or too little traffic to judge: said so), 3 a check fired, 2 bad input (one line naming
the file or flag; a metadata store that is missing or is none, whatever the traffic).
docs/monitoring.md.
"""
from __future__ import annotations

import argparse
import json
import os

from app.cli import status

MIN_SIZE = 100  # logged predictions (and reference texts) needed to judge: components.drift's default
DRIFT = status.NOT_BLESSED  # 3: a check fired (`run`'s "not blessed": the model is not fit for what it is asked)


def _window_name(predictions, since, last) -> str:
    what = f"the last {last} " if last else ""
    when = f" since {since}" if since else ""
    return f"{what}served requests{when} ({predictions[0].time} to {predictions[-1].time})" if predictions \
        else f"{what}served requests{when}"


def cmd_monitor(args: argparse.Namespace) -> int:
    from app.cli import flag_checks
    from app.cli.library_log import quiet_stderr

    for flag, value in (("--last", args.last), ("--min-size", args.min_size)):
        if value is not None and value < 1:
            raise ValueError(f"{flag} must be at least 1 (got {value})")
    for flag, path in (("--output", args.output), ("--export", args.export)):
        flag_checks.writable_file(flag, path)  # its directory is made when it is written
    if args.serving_dir is not None:
        if args.metadata_path is not None:
            raise ValueError("give --metadata-path or --serving-dir, not both")
        flag_checks.existing_dir("--serving-dir", args.serving_dir, "the served versions' directory")
    elif args.metadata_path is None:
        from pipeline.configs import PipelineConfig

        args.metadata_path = PipelineConfig().metadata_path
    with quiet_stderr("monitor", args.verbose) as terminal:  # TensorFlow's messages into a log file
        drift = _monitor(args, terminal)
        print(f"imdb-tfx monitor: {_one_line(drift)}", file=terminal)
    return DRIFT if drift["detected"] else status.OK


def _monitor(args: argparse.Namespace, terminal) -> dict:
    """The checks of the request log's window (printed as JSON on stdout, and as a page with
    --output); the drift dict."""
    import time

    from app import runs
    from app.monitor import window as log_window

    start = time.perf_counter()
    # The store first, whatever the traffic: a scheduled monitor with a mistyped store must not
    # pass as "too little traffic" on a quiet day.
    if args.serving_dir is None:
        runs.open_store(args.metadata_path)
    else:
        from components.paths import is_remote, isdir

        if is_remote(args.serving_dir) and not isdir(args.serving_dir):  # a local one: checked at start-up
            raise ValueError(f"--serving-dir {args.serving_dir}: no such directory")
    since = log_window.parse_since(args.since) if args.since is not None else None  # "": an error, not "none"
    predictions = log_window.read_window(args.request_log, since, args.last)
    info = {"request_log": args.request_log, "predictions": len(predictions),
            "since": since, "last": args.last, "seconds": {"read_log": round(time.perf_counter() - start, 3)}}
    if args.export:
        from app.monitor.export import export

        os.makedirs(os.path.dirname(os.path.abspath(args.export)), exist_ok=True)
        info["exported"] = {"path": args.export, "texts": export(predictions, args.export)}
        print(f"imdb-tfx monitor: {info['exported']['texts']} distinct texts written to {args.export}: set each "
              f"\"label\" to 1 (positive) or 0 (negative) and it is a span file (span-<N>/*.jsonl)", file=terminal)
    versions = {}
    for p in predictions:
        versions[p.model_version] = versions.get(p.model_version, 0) + 1
    info["versions"] = {str(v): n for v, n in versions.items()}
    from app.monitor import check

    name = _window_name(predictions, since, args.last)
    if predictions:  # the version serving at the window's end; the others' traffic is left out
        version = predictions[-1].model_version
        predictions = check.distinct([p for p in predictions if p.model_version == version])
        info.update(model_version=version, compared=len(predictions))
    if len(predictions) < args.min_size:
        drift = check.too_little(len(predictions), args.min_size, name, "the training data")
    else:
        if version is None:
            raise ValueError(f"{args.request_log}: the window was answered by a --model-dir model (no version): "
                             "monitor needs a version pushed by the pipeline, to find its training data")
        from app.monitor.lineage import trained_from_serving_dir, trained_on

        lap = time.perf_counter()
        trained = (trained_from_serving_dir(args.serving_dir, version) if args.serving_dir is not None
                   else trained_on(args.metadata_path, version))
        info["training_examples"] = trained.examples_uris
        info["seconds"]["lineage"] = round(time.perf_counter() - lap, 3)
        drift = check.compare(trained, predictions, name, args.min_size, args.seed, info["seconds"])
    info["seconds"]["total"] = round(time.perf_counter() - start, 3)
    print(json.dumps({"drift": drift, "window": info}, indent=2, default=str))
    if args.output:
        from app.monitor.page import write_page

        os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
        write_page(args.output, drift, info)
    return drift


def _one_line(drift: dict) -> str:
    if drift.get("insufficient"):
        return f"drift: not checked: {drift['explanation']}"
    from components.drift import one_line

    return one_line(drift)


def add_parser(sub) -> None:
    from pipeline.configs import PipelineConfig

    p = sub.add_parser("monitor", help="drift checks of the served traffic (the request log) against the "
                                       "served version's training data",
                       description=" ".join(__doc__.split("\n\n")[1].split()))
    p.add_argument("--request-log", required=True, metavar="DIR",
                   help="the server's request log directory (imdb-tfx serve --request-log DIR; gs://... too)")
    p.add_argument("--since", metavar="TIME",
                   help="only predictions logged at or after TIME: ISO 8601 (UTC unless an offset is given, e.g. "
                        "2026-12-03T10:00) or an age (30m, 2h, 1d)")
    p.add_argument("--last", type=int, metavar="N", help="only the last N logged predictions (after --since)")
    p.add_argument("--metadata-path", default=None,
                   help=f"the metadata store of the pipeline that pushed the model (default: "
                        f"{PipelineConfig().metadata_path})")
    p.add_argument("--serving-dir", default=None, metavar="DIR",
                   help="instead of a metadata store: the served versions' directory (gs:// too); each "
                        "version records its training data (a pipeline compiled for Kubeflow has no local store)")
    p.add_argument("--output", metavar="PAGE.html", help="write an HTML page of the checks")
    p.add_argument("--export", metavar="PATH",
                   help="write the window's logged texts as JSON lines {text, label: null, request_id, ...}: "
                        "labelled, a span file for imdb-tfx run")
    p.add_argument("--min-size", type=int, default=MIN_SIZE, help=f"fewest distinct texts of the compared version to judge (default {MIN_SIZE})")
    p.add_argument("--seed", type=int, default=0, help="seed of the checks' samples and permutations (default 0)")
    p.add_argument("--verbose", action="store_true", help="show TensorFlow's messages on stderr (by default they "
                   "go to a log file under ~/.cache/imdb-tfx/logs/)")
    p.set_defaults(func=cmd_monitor)
