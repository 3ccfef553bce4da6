"""`imdb-tfx compile`: the production pipeline for Kubeflow Pipelines v2 / Vertex AI."""
from __future__ import annotations

import argparse
import sys

from app.cli import arguments


def cmd_compile(args: argparse.Namespace) -> int:
    from pipeline import kubeflow_runner
    from pipeline.configs import KubeflowConfig

    if not args.data:
        raise ValueError("compile needs --data: where the containers read the data (gs://...)")
    config = arguments.pipeline_config(args)
    config.beam_pipeline_args = arguments.beam_pipeline_args(args, "in-memory")
    kubeflow_runner.compile_pipeline(
        config, KubeflowConfig(image=args.image, output=args.output, display_name=args.display_name))
    print(f"compiled {config.pipeline_name} (image {args.image}) -> {args.output}", file=sys.stderr)
    return 0


def add_parser(sub) -> None:
    from pipeline.configs import KubeflowConfig

    p = sub.add_parser("compile", help="compile the pipeline for Kubeflow Pipelines v2 / Vertex AI",
                       description="Writes a PipelineJob JSON (Vertex AI) or, for a .yaml output, "
                                   "a PipelineSpec (KFP client). See docs/scale_out.md.")
    arguments.add_pipeline_args(p)
    arguments.add_training_args(p)
    arguments.add_beam_args(p, "in-memory")
    p.add_argument("--image", required=True, help="the project image (Dockerfile) the components run in")
    p.add_argument("--output", default=KubeflowConfig.output, help="default: %(default)s")
    p.add_argument("--display-name", default="", help="default: the pipeline name")
    p.set_defaults(func=cmd_compile)
