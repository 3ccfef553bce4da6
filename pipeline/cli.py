"""`imdb-tfx`: the project's command line.

Heavy libraries (TensorFlow, TFX) are imported inside the subcommands, so `--help`
answers at once.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# oneDNN kernels are TensorFlow's default only on CPUs with AVX-512; elsewhere (e.g. AMD EPYC)
# they make the MiniLM encoder ~1.7x faster (scripts/benchmark_minilm.py). TF_ENABLE_ONEDNN_OPTS=0 opts out.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")


def _int_list(value: str) -> tuple[int, ...]:
    return tuple(int(v) for v in value.split(",") if v)


def add_training_args(parser: argparse.ArgumentParser) -> None:
    from pipeline.configs import TrainingConfig

    d = TrainingConfig()
    g = parser.add_argument_group("training")
    g.add_argument("--module", default=d.module,
                   help="embedding module: a builtin (glove, random), a local SavedModel path, or a "
                        "TF-Hub handle such as https://tfhub.dev/google/nnlm-en-dim128/2 (default: %(default)s)")
    g.add_argument("--trainable", action="store_true", help="fine-tune the embedding module too")
    g.add_argument("--hidden-units", type=_int_list, default=d.hidden_units, metavar="N,N",
                   help="DNN head (default: 500,100)")
    g.add_argument("--dropout", type=float, default=d.dropout)
    g.add_argument("--l2", type=float, default=d.l2, help="L2 penalty on the head's kernels")
    g.add_argument("--optimizer", choices=["adagrad", "adam", "proximal_adagrad", "ftrl"], default=d.optimizer,
                   help="adam updates only an embedding table's rows in the batch; proximal_adagrad and ftrl "
                        "apply --optimizer-l1/--optimizer-l2 in their steps (default: %(default)s)")
    g.add_argument("--learning-rate", type=float, default=d.learning_rate)
    g.add_argument("--optimizer-l1", type=float, default=d.optimizer_l1, help="proximal_adagrad, ftrl: L1 strength")
    g.add_argument("--optimizer-l2", type=float, default=d.optimizer_l2, help="proximal_adagrad, ftrl: L2 strength")
    g.add_argument("--loss-reduction", choices=["sum", "mean"], default=d.loss_reduction,
                   help="sum over the batch as TF1's DNNClassifier (the tutorial), or mean as Keras")
    g.add_argument("--batch-size", type=int, default=d.batch_size)
    g.add_argument("--train-steps", type=int, default=d.train_steps)
    g.add_argument("--evaluations", type=int, default=d.evaluations,
                   help="validation passes over the eval split during training")
    from pipeline.configs import PRESETS

    g.add_argument("--preset", choices=list(PRESETS), default=None,
                   help="a named training set-up (pipeline/configs.py: PRESETS) in place of the flags above; "
                        "best: n-gram NB logistic regression + fine-tuned GloVe DNN")


def training_config(args: argparse.Namespace):
    from pipeline.configs import TrainingConfig, preset

    if getattr(args, "preset", None):
        return preset(args.preset)
    return TrainingConfig(module=args.module, trainable=args.trainable, hidden_units=args.hidden_units,
                          dropout=args.dropout, l2=args.l2, optimizer=args.optimizer,
                          learning_rate=args.learning_rate, optimizer_l1=args.optimizer_l1,
                          optimizer_l2=args.optimizer_l2, loss_reduction=args.loss_reduction,
                          batch_size=args.batch_size, train_steps=args.train_steps,
                          evaluations=args.evaluations)


def add_pipeline_args(parser: argparse.ArgumentParser) -> None:
    from pipeline.configs import PipelineConfig

    d = PipelineConfig()
    parser.add_argument("--data", default=None,
                        help="aclImdb_v1.tar.gz, an extracted aclImdb/ directory, or the official URL "
                             "(default: $IMDB_TFX_DATA, ../shared/data/aclImdb_v1.tar.gz, a cached "
                             "download, else the URL)")
    parser.add_argument("--pipeline-root", default=d.pipeline_root)
    parser.add_argument("--metadata-path", default=d.metadata_path, help="SQLite metadata store")
    parser.add_argument("--serving-dir", default=d.serving_dir, help="where Pusher writes blessed models")
    parser.add_argument("--pipeline-name", default=d.pipeline_name)
    parser.add_argument("--eval-percent", type=int, default=d.eval_percent,
                        help="share of the official train set held out for validation")
    parser.add_argument("--include-unsup", action="store_true", help="also emit the unlabelled reviews")
    parser.add_argument("--accuracy-lower-bound", type=float, default=d.accuracy_lower_bound,
                        help="test accuracy a model needs to be blessed")
    parser.add_argument("--no-cache", action="store_true", help="rerun every component")


def pipeline_config(args: argparse.Namespace):
    from data.dataset import default_data
    from pipeline.configs import PipelineConfig

    return PipelineConfig(
        data=args.data or default_data(), pipeline_name=args.pipeline_name,
        pipeline_root=args.pipeline_root, metadata_path=args.metadata_path, serving_dir=args.serving_dir,
        eval_percent=args.eval_percent, include_unsup=args.include_unsup,
        accuracy_lower_bound=args.accuracy_lower_bound, enable_cache=not args.no_cache,
        training=training_config(args) if hasattr(args, "module") else None)


def add_beam_args(parser: argparse.ArgumentParser, default_help: str) -> None:
    from pipeline.configs import BEAM_PRESETS

    g = parser.add_argument_group("Beam", "where the components' Beam jobs run (pipeline/configs.py: BEAM_PRESETS)")
    g.add_argument("--beam-preset", choices=list(BEAM_PRESETS), default=None,
                   help=f"a named set of Beam arguments (default: {default_help})")
    g.add_argument("--beam-arg", action="append", default=[], metavar="ARG",
                   help="a Beam argument added to the preset's, replacing the preset's of that name; "
                        "repeatable, written with '=', e.g. --beam-arg=--direct_num_workers=2")


def beam_pipeline_args(args: argparse.Namespace, default_preset: str) -> tuple[str, ...]:
    from pipeline.configs import beam_args

    return beam_args(args.beam_preset or default_preset, args.beam_arg)


def cmd_run(args: argparse.Namespace) -> int:
    from pipeline import beam_runner, local_runner, results

    config = pipeline_config(args)
    config.beam_pipeline_args = beam_pipeline_args(
        args, beam_runner.DEFAULT_PRESET if args.runner == "beam" else "in-memory")
    print(f"imdb-tfx: data {config.data}, module {config.training.module}, "
          f"pipeline root {config.pipeline_root}, runner {args.runner} "
          f"({' '.join(config.beam_pipeline_args)})", file=sys.stderr)
    from data.dataset import resolve_data

    resolve_data(config.data)  # fail fast on bad data (and download it once) before the heavy imports
    _prepare_modules(config.training)
    start = time.time()
    (beam_runner if args.runner == "beam" else local_runner).run(config)
    summary = results.run_summary(config.metadata_path)
    summary["wall_time_s"] = round(time.time() - start, 1)
    print(json.dumps(summary, indent=2))
    return 0


def _prepare_modules(training) -> None:
    """Builds the builtin embedding modules that a training config uses, once, before the run."""
    configs = training.member_configs() if training.head == "ensemble" else [training]
    for module in sorted({c.module for c in configs if c.head == "dnn"}):
        _prepare_module(module)


def cmd_experiment(args: argparse.Namespace) -> int:
    from pipeline import experiment

    rows = experiment.grid_rows(args.grid, [r for r in args.rows.split(",") if r] if args.rows else None)
    config = pipeline_config(args)
    config.beam_pipeline_args = beam_pipeline_args(args, "in-memory")
    from data.dataset import resolve_data

    resolve_data(config.data)
    print(f"imdb-tfx: experiment grid {args.grid}: {len(rows)} rows ({', '.join(r.name for r in rows)}), "
          f"data {config.data}, table -> {args.output}", file=sys.stderr)
    for row in rows:
        _prepare_modules(row.training)
    start = time.time()
    table = experiment.run_grid(config, rows, args.output)
    print(experiment.markdown(table))
    print(f"imdb-tfx: {len(table)} rows in {time.time() - start:.0f} s; table in {args.output}/experiments.{{md,csv,json}}",
          file=sys.stderr)
    return 0


def _prepare_module(module: str) -> str:
    """Resolves (and for builtins, builds once) the embedding module before the run starts."""
    from components.embedding_modules import resolve_module_handle

    start = time.time()
    path = resolve_module_handle(module)
    if time.time() - start > 1:
        print(f"imdb-tfx: built module {module} in {time.time() - start:.0f} s -> {path}", file=sys.stderr)
    return path


def cmd_compile(args: argparse.Namespace) -> int:
    from pipeline import kubeflow_runner
    from pipeline.configs import KubeflowConfig

    if not args.data:
        raise ValueError("compile needs --data: where the containers read the data (gs://...)")
    config = pipeline_config(args)
    config.beam_pipeline_args = beam_pipeline_args(args, "in-memory")
    kubeflow_runner.compile_pipeline(
        config, KubeflowConfig(image=args.image, output=args.output, display_name=args.display_name))
    print(f"compiled {config.pipeline_name} (image {args.image}) -> {args.output}", file=sys.stderr)
    return 0


def cmd_build_module(args: argparse.Namespace) -> int:
    start = time.time()
    if args.name == "minilm":
        from components.minilm_module import build_minilm_module

        path = build_minilm_module(args.output)
    else:
        from components.embedding_modules import build_module

        path = build_module(args.name, args.output)
    print(f"built {args.name} -> {path} in {time.time() - start:.1f} s", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="imdb-tfx", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the whole pipeline with LocalDagRunner or BeamDagRunner",
                         description="ExampleGen -> ... -> Pusher on the IMDB data, with progress.")
    add_pipeline_args(run)
    add_training_args(run)
    run.add_argument("--runner", choices=["local", "beam"], default="local",
                     help="orchestrator: LocalDagRunner or BeamDagRunner (default: %(default)s)")
    add_beam_args(run, "in-memory; direct-multiprocess with --runner beam")
    run.set_defaults(func=cmd_run)

    from pipeline.configs import KubeflowConfig

    compile_ = sub.add_parser("compile", help="compile the pipeline for Kubeflow Pipelines v2 / Vertex AI",
                              description="Writes a PipelineJob JSON (Vertex AI) or, for a .yaml output, "
                                          "a PipelineSpec (KFP client). See docs/scale_out.md.")
    add_pipeline_args(compile_)
    add_training_args(compile_)
    add_beam_args(compile_, "in-memory")
    compile_.add_argument("--image", required=True, help="the project image (Dockerfile) the components run in")
    compile_.add_argument("--output", default=KubeflowConfig.output, help="default: %(default)s")
    compile_.add_argument("--display-name", default="", help="default: the pipeline name")
    compile_.set_defaults(func=cmd_compile)

    build = sub.add_parser("build-module", help="build an offline TF-Hub text-embedding module")
    build.add_argument("name", choices=["glove", "random", "minilm"],
                       help="glove: GloVe 6B 50d; random: its random twin; minilm: all-MiniLM-L6-v2 (384-d)")
    build.add_argument("--output", required=True, help="directory to write the SavedModel to")
    build.set_defaults(func=cmd_build_module)

    from pipeline.experiment import GRIDS

    exp = sub.add_parser("experiment", help="run a grid of training set-ups through the pipeline, tabulated",
                         description="Each row reuses the pipeline's cached data, statistics and transform, "
                                     "trains and evaluates (never blesses or pushes) one model, and adds a row "
                                     "to experiments.md/.csv/.json. See pipeline/experiment.py.")
    add_pipeline_args(exp)
    add_beam_args(exp, "in-memory")
    exp.add_argument("--grid", choices=list(GRIDS), default="default",
                     help="tutorial: the tutorial's four module set-ups and the majority baseline; "
                          "default: those and the improvements, with minilm-trained when TensorFlow sees a GPU "
                          "(default: %(default)s)")
    exp.add_argument("--rows", default="", help="comma-separated row names: run only these (any row of the "
                                                "grid, minilm-trained included)")
    exp.add_argument("--output", default=os.path.join("output", "experiments"), help="default: %(default)s")
    exp.set_defaults(func=cmd_experiment)

    from pipeline import predict, report

    report.add_parser(sub)
    predict.add_parser(sub)
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
