"""`imdb-tfx build-module`: builds an offline TF-Hub text-embedding module."""
from __future__ import annotations

import argparse
import time


def cmd_build_module(args: argparse.Namespace) -> int:
    from app.cli.library_log import quiet_stderr

    start = time.time()
    with quiet_stderr("build-module", args.verbose) as terminal:  # TensorFlow's messages into a log file
        from components.modules.registry import build_module

        try:
            path = build_module(args.name, args.output)
        except OSError as e:
            if e.filename or e.errno is None:  # named already, or a message of its own (FileExistsError)
                raise
            raise OSError(e.errno, e.strerror, args.output) from None  # a write's error (a full disk): name the output
        print(f"built {args.name} -> {path} in {time.time() - start:.1f} s", file=terminal)
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("build-module", help="build an offline TF-Hub text-embedding module")
    p.add_argument("name", choices=["glove", "random", "minilm"],
                   help="glove: GloVe 6B 50d; random: its random twin; minilm: all-MiniLM-L6-v2 (384-d)")
    p.add_argument("--output", required=True, help="directory to write the SavedModel to")
    p.add_argument("--verbose", action="store_true", help="show TensorFlow's messages on stderr (by default they "
                   "go to a log file under ~/.cache/imdb-tfx/logs/)")
    p.set_defaults(func=cmd_build_module)
