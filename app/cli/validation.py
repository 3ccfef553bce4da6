"""Start-up validation: every flag and path of every subcommand, checked before anything runs.

`check(args)` (called by app/cli/main.py between parsing and the subcommand) runs the checks
registered for the subcommand, in order; the first that fails raises UsageError (a
ValueError: one line `imdb-tfx: error: --flag VALUE: why`, exit status 2). Nothing here
imports TensorFlow or TFX, and nothing is written: a rejected command leaves no file behind.

Adding a flag? Add a check next to it:

    @checks("run", "experiment")
    def _window(args):
        at_least(args, "--window", 1)

`at_least`, `in_range`, `fraction` and friends (app/cli/flag_checks.py) read `args.<flag with
- as _>` and skip a flag the subcommand does not have (None); `existing_file`, `writable_dir`
name the path given. Checks run in the order they are defined: values before paths
(docs/errors.md: the rules and the exit statuses)."""
from __future__ import annotations

import argparse
import os
from typing import Callable

from app.cli.flag_checks import (  # noqa: F401  (the helpers, for the checks here and those added)
    UsageError, _number, at_least, beam_options, container_path, existing_dir, existing_file, fraction, in_range,
    is_remote, positive, value, writable_dir, writable_file)
from app.cli import store_checks
from components.paths import is_url

_CHECKS: dict[str, list[Callable[[argparse.Namespace], None]]] = {}
INT32_MAX = 2**31 - 1
PIPELINE_COMMANDS = ("run", "experiment", "compile")  # the subcommands with add_pipeline_args' flags
TRAINING_COMMANDS = ("run", "compile")  # with add_training_args' flags


def checks(*commands: str):
    """Registers the decorated function as a start-up check of each of `commands`."""
    def register(fn):
        for command in commands:
            _CHECKS.setdefault(command, []).append(fn)
        return fn
    return register


def check(args: argparse.Namespace) -> None:
    """Runs the subcommand's checks; UsageError for the first that fails."""
    for fn in _CHECKS.get(getattr(args, "command", None), ()):
        fn(args)


# ---- run, experiment, compile: the pipeline's flags ----

@checks("experiment")
def _experiment_rows(args) -> None:
    """The grid's rows first: a wrong row name is the likelier mistake than the data."""
    from app.experiments.rows import grid_rows, named_rows

    # ValueError naming the row; gpu=True: the names only, without asking TensorFlow for a GPU
    grid_rows(args.grid, named_rows(args.rows), gpu=True)


@checks(*PIPELINE_COMMANDS)
def _pipeline_values(args) -> None:
    in_range(args, "--eval-percent", 1, 99, why=" (the share of the train set held out as eval: both "
                                                 "splits need reviews)")
    fraction(args, "--accuracy-lower-bound")
    fraction(args, "--accuracy-change-tolerance")
    if value(args, "--pipeline-name") is not None and not args.pipeline_name.strip():
        raise UsageError("--pipeline-name: must not be empty")
    for arg in value(args, "--beam-arg") or ():
        if not arg.startswith("--"):
            raise UsageError(f"--beam-arg {arg}: a Beam argument starts with --, written with '=' "
                             "(--beam-arg=--direct_num_workers=2)")
    if value(args, "--beam-arg"):
        beam_options("--beam-arg", args.beam_arg)



@checks(*PIPELINE_COMMANDS)
def _guard_values(args) -> None:
    v = value(args, "--snippet-reviews")
    if v is not None and v < 0:
        raise UsageError(f"--snippet-reviews {v}: must be 0 (no snippet sets) or more")
    fraction(args, "--guard-tolerance")
    for spec in value(args, "--guard-set") or ():
        name, sep, path = spec.partition("=")
        if not sep or not name or not path:
            raise UsageError(f"--guard-set {spec!r}: expected NAME=PATH")
        if args.command != "compile":  # compile's paths are read where the containers run
            existing_file("--guard-set", path, "a guard set file (JSON lines or CSV)")
    if args.command != "compile" and value(args, "--guard-set"):
        from app.cli.arguments import guard_config
        from components.example_gen.guard import check_guard_sets

        check_guard_sets(guard_config(args)["guard_sets"])  # names, duplicates, each file's rows (ImdbDataError)
    for spec in value(args, "--guard-floor") or ():
        name, sep, floor = spec.partition("=")
        try:
            number = float(floor)
        except ValueError:
            continue  # arguments.guard_config names it: not a number
        if sep and not 0 <= number <= 1:
            raise UsageError(f"--guard-floor {spec}: the floor must be in [0, 1] (an accuracy)")


@checks("run", "compile")
def _span_values(args) -> None:
    """--span, --window, --test-data, --drift-action (docs/spans.md)."""
    at_least(args, "--span", 0, " (spans are folders span-<N>/, N = 0, 1, ...)")
    at_least(args, "--window", 1, " (the number of spans the Trainer reads)")
    test_data = value(args, "--test-data")
    if test_data and args.command != "compile":
        existing_file("--test-data", test_data, "a labelled file (JSON lines or CSV)")
    from app.span_runs import drift_actions

    try:
        drift_actions(value(args, "--drift-action"))
    except ValueError as e:
        raise UsageError(str(e)) from None


@checks(*TRAINING_COMMANDS)
def _training_values(args) -> None:
    units = value(args, "--hidden-units")
    if units is not None and any(u < 1 for u in units):
        raise UsageError(f"--hidden-units {','.join(map(str, units))}: each layer needs 1 unit or more")
    for flag, values in (("--hidden-units", units or ()), *((f, [value(args, f) or 0]) for f in (
            "--batch-size", "--train-steps", "--evaluations"))):
        if any(v > INT32_MAX for v in values):  # TensorFlow's shapes and step counters
            raise UsageError(f"{flag} {','.join(map(str, values))}: must be at most {INT32_MAX} (TensorFlow's int32)")
    in_range(args, "--dropout", 0, 1, high_open=True)
    at_least(args, "--l2", 0)
    positive(args, "--learning-rate")
    at_least(args, "--optimizer-l1", 0)
    at_least(args, "--optimizer-l2", 0)
    at_least(args, "--batch-size", 1)
    at_least(args, "--train-steps", 1)
    at_least(args, "--evaluations", 1)
    module = value(args, "--module")
    if module and args.command == "run":
        from components.modules.registry import BUILTIN_NAMES

        if module not in BUILTIN_NAMES and not is_url(module):
            if not os.path.exists(module):
                raise UsageError(f"--module {module}: no such directory (a SavedModel directory, a URL, or one "
                                 f"of: {', '.join(BUILTIN_NAMES)})")
            existing_dir("--module", module, "a SavedModel directory")
            if not os.path.isfile(os.path.join(module, "saved_model.pb")):
                raise UsageError(f"--module {module}: no saved_model.pb there (not a SavedModel directory)")
        elif module in BUILTIN_NAMES:
            from components.modules.registry import is_built, missing_data_package

            missing = None if is_built(module) else missing_data_package(module)
            if missing:  # it would be built now, and cannot be
                raise UsageError(f"--module {module}: {missing}")


@checks("run", "experiment")
def _local_paths(args) -> None:
    """A local run writes its root, store and serving directory: each must be writable."""
    for flag in ("--pipeline-root", "--serving-dir", "--metadata-path", "--output"):
        if value(args, flag) is not None and not value(args, flag).strip():
            raise UsageError(f"{flag}: must not be empty")
    writable_dir("--pipeline-root", args.pipeline_root)
    if args.metadata_path:
        writable_file("--metadata-path", args.metadata_path)
    store_checks.local_store(args)
    if args.command != "experiment":  # it pushes nothing (its --serving-dir is accepted, not used)
        writable_dir("--serving-dir", value(args, "--serving-dir"))
    if value(args, "--output"):
        writable_dir("--output", args.output)
        if args.command == "experiment":  # its table files: not found a directory after the rows ran
            from app.experiments.tables import table_paths

            for path in table_paths(args.output).values():
                writable_file("--output", path)
    store_checks.existing_store(args)
    data = value(args, "--data")
    if data:
        _data(data)



def _data(spec: str) -> None:
    from data.dataset import DataError, check_spec

    try:
        check_spec(spec)
    except DataError as e:
        raise UsageError(f"--data {e}") from None


@checks("compile")
def _compile(args) -> None:
    """Its paths are the containers': remote (naming a bucket) or absolute (a --module too), not read here."""
    from components.modules.registry import BUILTIN_NAMES

    if not args.image.strip():
        raise UsageError("--image: must not be empty")
    writable_file("--output", args.output)
    for flag in ("--data", "--pipeline-root", "--serving-dir", "--test-data"):
        container_path(flag, value(args, flag), relative=flag == "--data")  # --data: resolve_data's rules
    module = value(args, "--module")
    if module and module not in BUILTIN_NAMES and not is_url(module) and not os.path.isabs(module):
        raise UsageError(f"--module {module}: not one of {', '.join(BUILTIN_NAMES)}, a URL or a gs:// (or absolute) "
                         "path where the containers read it")
    if value(args, "--window") not in (None, 1):
        raise UsageError(f"--window {args.window}: a compiled pipeline reads one span, with no window "
                         "(KubeflowV2DagRunner compiles no span resolver: docs/spans.md); leave --window out")


# ---- predict, report, serve, build-module ----

@checks("predict")
def _predict(args) -> None:
    at_least(args, "--batch-size", 1, " (reviews per model call)")
    if args.reviews and args.file:
        raise UsageError("give reviews as arguments or with --file, not both")
    if args.file and args.file != "-":
        existing_file("--file", args.file, "a file of reviews")
    if args.model:
        existing_dir("--model", args.model, "a SavedModel directory")
        if not os.path.isfile(os.path.join(args.model, "saved_model.pb")):
            raise UsageError(f"--model {args.model}: no saved_model.pb there (not a SavedModel directory)")
    # --serving-dir: checked after the reviews (bad input is named before a missing model).


@checks("report")
def _report(args) -> None:
    if args.metadata_path:
        if not os.path.exists(args.metadata_path):  # named, so meant: no falling back to the pipeline root
            raise UsageError(f"--metadata-path {args.metadata_path}: no metadata store there")
        existing_file("--metadata-path", args.metadata_path, "a metadata store (SQLite file)")
    if args.evaluation_uri and not is_remote(args.evaluation_uri):
        existing_dir("--evaluation-uri", args.evaluation_uri, "an Evaluator output directory")
        if not is_evaluation(args.evaluation_uri):
            raise UsageError(f"--evaluation-uri {args.evaluation_uri}: not an Evaluator output (no "
                             "eval_config.json and metrics files of TFMA there)")
    if args.experiments:
        existing_file("--experiments", args.experiments, "an experiment table (JSON or CSV)")
    writable_file("--output", args.output)


def is_evaluation(path: str) -> bool:
    """Whether `path` holds TFMA's output: its eval_config.json and a metrics file."""
    try:
        names = os.listdir(path)
    except OSError:
        return False
    return "eval_config.json" in names and any(n.startswith("metrics") for n in names)


@checks("serve")
def _serve(args) -> None:
    from components.serving import settings

    for flag in ("--batch-wait-ms", "--batch-idle-ms", "--poll-seconds", "--request-log-max-seconds"):
        _number(args, flag)  # nan or inf: not a finite number
    settings.from_args(args)  # the server's own checks (ValueError / FileNotFoundError): before TensorFlow


@checks("build-module")
def _build_module(args) -> None:
    if not args.output.strip():
        raise UsageError("--output: must not be empty")
    if os.path.isfile(args.output):
        raise UsageError(f"--output {args.output}: a file, not a directory")
    if os.path.isdir(args.output) and os.listdir(args.output):  # never replaced: it may hold anything
        raise UsageError(f"--output {args.output}: exists and is not empty (give a new or empty directory)")
    writable_dir("--output", args.output)
    from components.modules.registry import missing_data_package

    missing = missing_data_package(args.name)
    if missing:
        raise UsageError(f"build-module {args.name}: {missing}")
