"""`imdb-tfx predict`: classifies reviews with the pushed model's `predict_text` signature.

Reviews come from the command line, a file (`--file`) or stdin: one review per line, or
JSON lines with a `text` field (detected from the first non-blank line). All input is read
and checked before anything is printed; each review then gives one JSON line on stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from app.predict import BATCH_SIZE, InputError, decode, load, load_newest, predictions, read_reviews


def _input_reviews(args: argparse.Namespace) -> list[dict]:
    if args.reviews:
        if args.file:
            raise InputError("give reviews as arguments or with --file, not both")
        # Arguments that are not UTF-8 reach Python as surrogate escapes.
        return [{"text": decode(os.fsencode(text), f"argument {n}")} for n, text in enumerate(args.reviews, 1)]
    if args.file and args.file != "-":
        with open(args.file, "rb") as f:
            return read_reviews(f.read(), args.file)
    return read_reviews(sys.stdin.buffer.read(), "<stdin>")


def cmd_predict(args: argparse.Namespace) -> int:
    from app.cli.flag_checks import UsageError, is_remote
    from app.cli.library_log import quiet_stderr

    reviews = _input_reviews(args)
    if not args.model and not is_remote(args.serving_dir) and not os.path.isdir(args.serving_dir):
        # Before TensorFlow's import (3-4 s): a directory that is not there has no model.
        what = ("a file, not a directory" if os.path.exists(args.serving_dir)
                else "no such directory (was a model blessed and pushed?)")
        raise UsageError(f"--serving-dir {args.serving_dir}: {what}")
    with quiet_stderr("predict", args.verbose) as terminal:  # TensorFlow's messages into a log file
        if args.model:
            model, predict_text = args.model, load(args.model)
        else:  # the server's rules: a version that does not load gives way to the one before it
            model, predict_text = load_newest(args.serving_dir, lambda line: print(f"imdb-tfx: {line}", file=terminal))
        print(f"imdb-tfx: {len(reviews)} review{'' if len(reviews) == 1 else 's'}, model {model}", file=terminal)
        for prediction in predictions(predict_text, reviews, args.batch_size):
            print(json.dumps(prediction, ensure_ascii=False))
    return 0


def add_parser(sub) -> None:
    from pipeline.configs import PipelineConfig

    p = sub.add_parser("predict", help="classify reviews with the pushed model",
                       description=__doc__.split("\n\n")[1].replace("\n", " "))
    p.add_argument("reviews", nargs="*", metavar="REVIEW", help="review texts (default: read --file or stdin)")
    p.add_argument("--file", help="one review per line, or JSON lines with a \"text\" (and optional \"id\") "
                                  "field; - for stdin")
    p.add_argument("--model", help="a SavedModel directory (default: the newest version in --serving-dir)")
    p.add_argument("--serving-dir", default=PipelineConfig().serving_dir, help="where Pusher writes models")
    p.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="reviews per model call")
    p.add_argument("--verbose", action="store_true", help="show TensorFlow's messages on stderr (by default they "
                   "go to a log file under ~/.cache/imdb-tfx/logs/)")
    p.set_defaults(func=cmd_predict)
