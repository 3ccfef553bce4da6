"""`imdb-tfx`: the project's command line (one module per subcommand in this package).

Heavy libraries (TensorFlow, TFX) are imported inside the subcommands, so `--help`
answers at once.
"""
from __future__ import annotations

import argparse
import os
import sys
import warnings

import components  # noqa: F401  (sets the TensorFlow environment before anything imports TensorFlow)

SUBCOMMANDS = ("run", "compile", "build_module", "experiment", "report", "predict")


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(prog="imdb-tfx", description="imdb-tfx: the project's command line.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in SUBCOMMANDS:
        importlib.import_module(f"app.cli.{name}").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    try:
        return args.func(args)
    except (FileNotFoundError, ValueError) as e:
        if os.environ.get("IMDB_TFX_DEBUG"):
            raise
        print(f"imdb-tfx: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
