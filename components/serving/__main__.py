"""`python -m components.serving`: the model server (the flags of components/serving/settings.py).

Exit status 0 after SIGTERM or SIGINT; 2 with one line `components.serving: error: ...` when
the flags are wrong or no model can be served (it fails its load or its canary), or the port
is taken. `--help` answers without importing TensorFlow or kserve.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys


def main(argv: list[str] | None = None) -> int:
    from components.serving import settings

    parser = argparse.ArgumentParser(prog="python -m components.serving",
                                     description="Serve a SavedModel's predict_text over KServe's V1 and V2 protocols.")
    settings.add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        config = settings.from_args(args)
    except (ValueError, FileNotFoundError) as e:
        parser.error(str(e))
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    from components.serving import server

    try:
        return server.serve(config)
    except ValueError as e:  # ModelLoadError, ServeError: expected, one line
        print(f"components.serving: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    code = main()
    # The interpreter's own teardown of a loaded TensorFlow model takes seconds (C++ destructors)
    # and nothing needs it: the server has stopped cleanly. Exit at once.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
