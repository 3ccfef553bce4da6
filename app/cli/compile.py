"""`imdb-tfx compile`: the production pipeline for Kubeflow Pipelines v2 / Vertex AI."""
from __future__ import annotations

import argparse

from app.cli import arguments


def cmd_compile(args: argparse.Namespace) -> int:
    from app.cli.library_log import quiet_stderr

    if not args.data:
        raise ValueError("compile needs --data: where the containers read the data (gs://...)")
    with quiet_stderr("compile", args.verbose) as terminal:  # TFX's and TensorFlow's messages into a log file
        from pipeline import kubeflow_runner
        from pipeline.configs import KubeflowConfig

        config = arguments.pipeline_config(args, containers=True)
        config.beam_pipeline_args = arguments.beam_pipeline_args(args, "in-memory")
        kubeflow_runner.compile_pipeline(
            config, KubeflowConfig(image=args.image, output=args.output, display_name=args.display_name))
        print(f"compiled {config.pipeline_name} (image {args.image}) -> {args.output}", file=terminal)
    return 0


def add_parser(sub) -> None:
    from pipeline.configs import KubeflowConfig

    p = sub.add_parser("compile", help="compile the pipeline for Kubeflow Pipelines v2 / Vertex AI",
                       description="Writes a PipelineJob JSON (Vertex AI) or, for a .yaml output, "
                                   "a PipelineSpec (KFP client). See docs/scale_out.md.")
    arguments.add_pipeline_args(p, "compile")
    arguments.add_training_args(p)
    arguments.add_beam_args(p, "in-memory")
    arguments.add_span_args(p)  # the span: a runtime parameter of the compiled pipeline
    p.add_argument("--image", required=True, help="the project image (Dockerfile) the components run in")
    p.add_argument("--verbose", action="store_true", help="show TFX's and TensorFlow's messages on stderr (by "
                   "default they go to a log file under ~/.cache/imdb-tfx/logs/)")
    p.add_argument("--output", default=KubeflowConfig.output, help="default: %(default)s")
    p.add_argument("--display-name", default="", help="default: the pipeline name")
    p.set_defaults(func=cmd_compile)
