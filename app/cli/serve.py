"""`imdb-tfx serve`: serves the pushed model over HTTP (KServe's V1 and V2 protocols).

It serves the newest complete version under the serving directory through its predict_text
signature, polls for new versions (each loaded and canary-checked before it takes traffic;
one that fails is refused and the served one keeps answering), batches concurrent requests,
and answers bad requests with a 4xx JSON error. With an empty serving directory it waits for
a first version (not ready until then). docs/serving.md: requests, versions, deploying.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys


def cmd_serve(args: argparse.Namespace) -> int:
    from components.serving import settings

    config = settings.from_args(args)  # ValueError / FileNotFoundError: status 2, one line (before TensorFlow)
    from components.serving import server

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    code = server.serve(config)  # ModelLoadError, ServeError (ValueErrors): status 2, one line
    # Stopped cleanly (SIGTERM, Ctrl-C). The interpreter's teardown of a loaded TensorFlow
    # model takes seconds of C++ destructors that nothing needs: exit at once.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def add_parser(sub) -> None:
    from components.serving import settings
    from pipeline.configs import PipelineConfig

    p = sub.add_parser("serve", help="serve the pushed model over HTTP (KServe V1 and V2, TF Serving REST) and gRPC",
                       description=" ".join(__doc__.split("\n\n")[1].split()))
    settings.add_arguments(p, serving_dir_default=PipelineConfig().serving_dir)
    p.set_defaults(func=cmd_serve)
