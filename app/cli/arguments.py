"""The flags several subcommands share, and the configs they map to (pipeline/configs.py)."""
from __future__ import annotations

import argparse
import dataclasses
import os

from app.cli import preset_flags
from components.paths import is_remote


def _int_list(value: str) -> tuple[int, ...]:
    return tuple(int(v) for v in value.split(",") if v)


def add_training_args(parser: argparse.ArgumentParser) -> None:
    from components.modules.registry import BUILTIN_NAMES
    from components.training_config import OPTIMIZERS, TrainingConfig

    d = TrainingConfig()
    preset_flags.record(parser)  # --preset refuses the set-up flags given beside it
    g = parser.add_argument_group("training")
    g.add_argument("--module", default=d.module,
                   help=f"embedding module: a builtin ({', '.join(BUILTIN_NAMES)}), a local SavedModel path, or a "
                        "TF-Hub handle such as https://tfhub.dev/google/nnlm-en-dim128/2 (default: %(default)s)")
    g.add_argument("--trainable", action="store_true", help="fine-tune the embedding module too")
    g.add_argument("--hidden-units", type=_int_list, default=d.hidden_units, metavar="N,N",
                   help="DNN head (default: 500,100)")
    g.add_argument("--dropout", type=float, default=d.dropout)
    g.add_argument("--l2", type=float, default=d.l2, help="L2 penalty on the head's kernels")
    g.add_argument("--optimizer", choices=OPTIMIZERS, default=d.optimizer,
                   help="adam updates only an embedding table's rows in the batch; proximal_adagrad and ftrl "
                        "apply --optimizer-l1/--optimizer-l2 in their steps (default: %(default)s)")
    g.add_argument("--learning-rate", type=float, default=d.learning_rate)
    g.add_argument("--optimizer-l1", type=float, default=d.optimizer_l1, help="proximal_adagrad, ftrl: L1 strength")
    g.add_argument("--optimizer-l2", type=float, default=d.optimizer_l2, help="proximal_adagrad, ftrl: L2 strength")
    g.add_argument("--loss-reduction", choices=["sum", "mean"], default=d.loss_reduction,
                   help="sum over the batch as TF1's DNNClassifier (the tutorial), or mean as Keras")
    g.add_argument("--batch-size", type=int, default=d.batch_size)
    g.add_argument("--train-steps", type=int, default=d.train_steps)
    g.add_argument("--ema-momentum", type=float, default=d.ema_momentum, metavar="M",
                   help="the trained weights are the moving average of the steps' weights with this decay (0: the "
                        "last step's; not for ftrl, lbfgs or a trainable embedding) (default: %(default)s)")
    g.add_argument("--evaluations", type=int, default=d.evaluations,
                   help="validation passes over the eval split during training")
    g.add_argument("--no-warm-start", action="store_true",
                   help="train from scratch, not from the latest blessed model of the same architecture "
                        "(docs/warm_start.md)")
    g.add_argument("--warm-start-fraction", type=float, default=d.warm_start_fraction, metavar="F",
                   help="a warm start trains this fraction of the steps (L-BFGS: iterations), or the share of the "
                        "window's train reviews new to the base model if larger (default: %(default)s)")
    from pipeline.configs import PRESETS

    g.add_argument("--preset", choices=list(PRESETS), default=None,
                   help="a named training set-up (pipeline/configs.py: PRESETS) in place of the set-up flags above "
                        "(given with them: an error; the warm-start flags apply on top); tutorial: the tutorial's "
                        "set-up, the flags' defaults; best: two n-gram NB logistic regressions, on reviews and on "
                        "sentences (with those of the unlabelled reviews the first is sure of, and the VADER "
                        "lexicon's scores of the text), weighted by text length")


def training_config(args: argparse.Namespace):
    from components.training_config import TrainingConfig
    from pipeline.configs import preset

    warm = {"warm_start": not getattr(args, "no_warm_start", False),
            "warm_start_fraction": getattr(args, "warm_start_fraction", TrainingConfig.warm_start_fraction)}
    if getattr(args, "preset", None):
        preset_flags.check(args)
        return dataclasses.replace(preset(args.preset), **warm)
    return TrainingConfig(**warm, module=args.module, trainable=args.trainable, hidden_units=args.hidden_units,
                          dropout=args.dropout, l2=args.l2, optimizer=args.optimizer,
                          learning_rate=args.learning_rate, optimizer_l1=args.optimizer_l1,
                          optimizer_l2=args.optimizer_l2, loss_reduction=args.loss_reduction,
                          batch_size=args.batch_size, train_steps=args.train_steps,
                          ema_momentum=args.ema_momentum, evaluations=args.evaluations)


def add_pipeline_args(parser: argparse.ArgumentParser, command: str = "run") -> None:
    """The pipeline's flags. `experiment` (nothing is blessed or pushed) and `compile` (the
    cluster's store) accept the ones they do not use, so that a run's flags can be given as they
    are, and their help says so."""
    from pipeline.configs import PipelineConfig

    d = PipelineConfig()
    blessing = command != "experiment"
    unused = "not used here: nothing is blessed or pushed (accepted, as `imdb-tfx run` takes it)"
    parser.add_argument("--data", default=None, help=(
        "where the containers read the data (required): gs://.../aclImdb_v1.tar.gz, an aclImdb/ directory or a "
        "folder of span folders" if command == "compile" else
        "aclImdb_v1.tar.gz, an extracted aclImdb/ directory, a folder of span folders span-<N>/ (aclImdb trees, "
        "archives or labelled .jsonl/.csv files: docs/spans.md), or the official URL (default: $IMDB_TFX_DATA, "
        "../shared/data/aclImdb_v1.tar.gz, a cached download, else the URL)"))
    parser.add_argument("--pipeline-root", default=d.pipeline_root, help="default: %(default)s")
    parser.add_argument("--metadata-path", default=None, help=(
        "not used here: a compiled pipeline uses the cluster's metadata store (accepted, as `imdb-tfx run` takes "
        "it)" if command == "compile" else
        f"SQLite metadata store, a local file (default: {d.metadata_path} for the default pipeline root, "
        "else ROOT.metadata.sqlite beside the root: each root its own store; a gs:// root needs this flag)"))
    parser.add_argument("--serving-dir", default=d.serving_dir, help="where Pusher writes blessed models "
                        "(default: %(default)s)" if blessing else unused)
    parser.add_argument("--pipeline-name", default=d.pipeline_name)
    parser.add_argument("--eval-percent", type=int, default=d.eval_percent,
                        help="share of the official train set held out for validation")
    parser.add_argument("--include-unsup", action="store_true", help="also emit the unlabelled reviews as split unsup "
                        "(a model that learns from them, as --preset best, gets them without this flag)")
    parser.add_argument("--accuracy-lower-bound", type=float, default=d.accuracy_lower_bound,
                        help="test accuracy a model needs to be blessed" if blessing else unused)
    parser.add_argument("--accuracy-change-tolerance", type=float, default=d.accuracy_change_tolerance,
                        metavar="T", help=(f"blessing: test accuracy at most T (absolute) below the baseline's "
                                           f"(default {d.accuracy_change_tolerance:g}: not lower, as TFX's examples)"
                                           if blessing else unused))
    parser.add_argument("--no-cache", action="store_true", help="rerun every component")


def add_guard_args(parser: argparse.ArgumentParser, *, blessing: bool = True) -> None:
    """--guard-set and --snippet-reviews, and with `blessing` the guard sets' blessing thresholds
    (--guard-tolerance, --guard-floor): `imdb-tfx experiment` never blesses, so it has none."""
    from pipeline.configs import PipelineConfig

    g = parser.add_argument_group("guard sets and snippets", "extra labelled sets the Evaluator measures "
                                  "beside the IMDB test split (components/example_gen/guard.py, snippet_sets.py)")
    g.add_argument("--guard-set", action="append", default=[], metavar="NAME=PATH",
                   help="JSON lines {\"text\", \"label\"} (1 = positive) or CSV with a text,label header; "
                        "evaluated as the slice dataset: NAME; repeatable")
    if blessing:
        g.add_argument("--guard-tolerance", type=float, default=PipelineConfig.guard_tolerance,
                       help="blessing: accuracy on each guard set at most this much (absolute) below the "
                            "baseline's (default: %(default)s)")
        g.add_argument("--guard-floor", action="append", default=[], metavar="NAME=VALUE",
                       help="blessing: accuracy on guard set NAME at least VALUE; repeatable")
    g.add_argument("--snippet-reviews", type=int, default=PipelineConfig.snippet_reviews, metavar="N",
                   help="snippet sets: N test reviews (a sample by hashed review id) cut to their first "
                        "sentence and first 20 and 50 words, each measured as the slice dataset: snippet_..., "
                        "no blessing threshold; 0: none (default: %(default)s)")


def _pairs(values, flag: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name or not rest:
            raise ValueError(f"{flag} {value!r}: expected NAME=VALUE")
        pairs.append((name, rest))
    return pairs


def guard_config(args: argparse.Namespace) -> dict:
    """PipelineConfig's guard fields from --guard-set, --guard-tolerance, --guard-floor (names and
    duplicates checked here; the files by components.example_gen.guard.check_guard_sets)."""
    from components.example_gen.guard import ImdbDataError, check_name

    sets = tuple(_pairs(getattr(args, "guard_set", None) or [], "--guard-set"))
    seen = set()
    for name, _ in sets:
        check_name(name)
        if name in seen:
            raise ImdbDataError(f"--guard-set: guard set name {name!r} given twice")
        seen.add(name)
    floors = []
    for name, value in _pairs(getattr(args, "guard_floor", None) or [], "--guard-floor"):
        if name not in seen:
            raise ValueError(f"--guard-floor {name}={value}: no --guard-set named {name!r}")
        try:
            floors.append((name, float(value)))
        except ValueError:
            raise ValueError(f"--guard-floor {name}={value}: not a number") from None
    tolerance = getattr(args, "guard_tolerance", None)
    return {"guard_sets": sets, "guard_floors": tuple(floors),
            **({"guard_tolerance": tolerance} if tolerance is not None else {})}


def snippet_reviews(args: argparse.Namespace) -> int:
    """PipelineConfig.snippet_reviews from --snippet-reviews (the default where the subcommand has no such flag)."""
    from pipeline.configs import PipelineConfig

    reviews = getattr(args, "snippet_reviews", None)
    if reviews is None:
        return PipelineConfig.snippet_reviews
    if reviews < 0:
        raise ValueError(f"--snippet-reviews {reviews}: must be 0 (no snippet sets) or more")
    return reviews


def announce_guard_sets(config, write) -> None:
    """Checks the config's guard files (ImdbDataError for a broken one: the run stops before it
    starts) and writes one line per guard set and one for the snippet sets."""
    from components.example_gen.guard import check_guard_sets
    from components.example_gen.snippet_sets import NAMES as SNIPPET_SETS

    for name, rows in check_guard_sets(config.guard_sets).items():
        write(f"imdb-tfx: guard set {name}: {rows} rows ({dict(config.guard_sets)[name]})\n")
    if config.snippet_reviews:
        write(f"imdb-tfx: snippet sets {', '.join(SNIPPET_SETS)}: {config.snippet_reviews} test "
              "reviews (or all, if fewer), measured only\n")


def add_span_args(parser: argparse.ArgumentParser) -> None:
    """--span, --window, --test-data and --drift-action: data in spans (docs/spans.md)."""
    g = parser.add_argument_group("spans", "--data may be a folder of spans span-<N>/ (docs/spans.md)")
    g.add_argument("--span", type=int, default=None, metavar="N",
                   help="the span to read (default: the newest; TFX's RangeConfig static_range)")
    g.add_argument("--window", type=int, default=1, metavar="K",
                   help="the Trainer reads the last K spans, each transformed once, by the run that ingested it (TFX's "
                        "LatestSpan; default: %(default)s; compile: 1 only, a compiled pipeline reads one span)")
    g.add_argument("--test-data", default="", metavar="PATH",
                   help="the labelled test set the blessing compares candidate and baseline on (JSON lines or "
                        "CSV: text,label[,rating]); default: the span's official test/, else a held-out part "
                        "of the span")
    g.add_argument("--drift-action", action="append", default=[], metavar="warn|block|CHECK=warn|block",
                   help="what a drift check that fires does: warn (record, go on; the default) or block "
                        "(stop before training, exit status 5; compiled: the run fails at DriftCheck); "
                        "CHECK=ACTION for one check; repeatable")


def span_config(args: argparse.Namespace) -> dict:
    """PipelineConfig's span fields from --span, --window, --test-data, --drift-action (defaults where absent)."""
    from app.span_runs import drift_actions

    default, per_check = drift_actions(getattr(args, "drift_action", None))
    test_data = getattr(args, "test_data", "") or ""
    return {"span": getattr(args, "span", None), "window": getattr(args, "window", None) or 1,
            "test_data": _absolute(test_data),
            "drift_action": default, "drift_check_actions": per_check}


def add_lock_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-wait", action="store_true",
                        help="refuse at once, instead of waiting, when another run uses the same store or root")


def store_for_root(pipeline_root: str) -> str:
    """The metadata store of a pipeline root: output/metadata.sqlite for the default root, else a
    store beside the root named after it, so that a run into its own root never compares itself
    with the models of another root's runs."""
    from pipeline.configs import PipelineConfig

    default = PipelineConfig()
    if os.path.normpath(pipeline_root) == os.path.normpath(default.pipeline_root):
        return default.metadata_path
    return pipeline_root.rstrip("/") + ".metadata.sqlite"


def pipeline_config(args: argparse.Namespace, *, containers: bool = False):
    """The PipelineConfig of run's, experiment's or compile's flags. A local run's root, store and
    serving directory are made absolute: the store records its artifacts' paths as the run gives
    them, and a relative one would mean nothing to `report`, `monitor` or the notebook started
    in another directory. With `containers` (compile) they are the containers' paths, as given."""
    from data.dataset import default_data
    from pipeline.configs import PipelineConfig

    local = (lambda path: path) if containers else _absolute
    return PipelineConfig(
        data=args.data or default_data(), pipeline_name=args.pipeline_name,
        pipeline_root=local(args.pipeline_root),
        metadata_path=local(args.metadata_path or store_for_root(args.pipeline_root)),
        serving_dir=local(args.serving_dir),
        eval_percent=args.eval_percent, include_unsup=args.include_unsup,
        accuracy_lower_bound=args.accuracy_lower_bound, accuracy_change_tolerance=args.accuracy_change_tolerance,
        enable_cache=not args.no_cache,
        training=training_config(args) if hasattr(args, "module") else None, **guard_config(args),
        snippet_reviews=snippet_reviews(args), **span_config(args))


def _absolute(path: str) -> str:
    """A local path made absolute; a remote one (gs://) or none as it is."""
    return os.path.abspath(path) if path and not is_remote(path) else path


def add_beam_args(parser: argparse.ArgumentParser, default_help: str) -> None:
    from pipeline.configs import BEAM_PRESETS

    g = parser.add_argument_group("Beam", "where the components' Beam jobs run (pipeline/configs.py: BEAM_PRESETS)")
    g.add_argument("--beam-preset", choices=list(BEAM_PRESETS), default=None,
                   help=f"a named set of Beam arguments (default: {default_help})")
    g.add_argument("--beam-arg", action="append", default=[], metavar="ARG",
                   help="a Beam argument added to the preset's, replacing the preset's of that name; "
                        "repeatable, written with '=', e.g. --beam-arg=--direct_num_workers=4 with --runner beam "
                        "or --beam-preset direct-multiprocess (the in-memory preset runs one worker whatever it "
                        "is told)")


def beam_pipeline_args(args: argparse.Namespace, default_preset: str) -> tuple[str, ...]:
    from pipeline.configs import beam_args

    return beam_args(args.beam_preset or default_preset, args.beam_arg)
