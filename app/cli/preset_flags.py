"""--preset and the training set-up flags: a preset names a whole set-up, so the set-up flags
given beside it are refused with one line (exit status 2), not dropped in silence
(docs/training.md: Presets). The warm-start flags apply on top of a preset.

argparse cannot tell a flag given with its default value from one not given, so the parser's
store actions are replaced by ones that remember, in `given_flags`, the flags the command line
gave (`record`, before the flags are added).
"""
from __future__ import annotations

import argparse

# The flags that describe a training set-up (app/cli/arguments.py: add_training_args).
SET_UP_FLAGS = ("--module", "--trainable", "--hidden-units", "--dropout", "--l2", "--optimizer", "--learning-rate",
                "--optimizer-l1", "--optimizer-l2", "--loss-reduction", "--batch-size", "--train-steps",
                "--ema-momentum", "--evaluations")


class _Store(argparse.Action):
    """argparse's store, remembering in `given_flags` which flags the command line gave."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        _given(namespace, option_string)


class _StoreTrue(argparse.Action):
    """argparse's store_true, remembering in `given_flags` that the flag was given."""

    def __init__(self, option_strings, dest, default=False, required=False, help=None):
        super().__init__(option_strings, dest, nargs=0, const=True, default=default, required=required, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, True)
        _given(namespace, option_string)


def _given(namespace: argparse.Namespace, option_string) -> None:
    if option_string:
        namespace.given_flags = {*getattr(namespace, "given_flags", ()), option_string}


def record(parser: argparse.ArgumentParser) -> None:
    """Flags added to `parser` from now on remember whether the command line gave them."""
    parser.register("action", None, _Store)
    parser.register("action", "store", _Store)
    parser.register("action", "store_true", _StoreTrue)


def check(args: argparse.Namespace) -> None:
    """ValueError (exit status 2) for set-up flags given beside --preset."""
    clashing = [flag for flag in SET_UP_FLAGS if flag in getattr(args, "given_flags", ())]
    if getattr(args, "preset", None) and clashing:
        raise ValueError(f"--preset {args.preset} is a whole training set-up: {', '.join(clashing)} cannot be "
                         "given with it (drop --preset to set the model up with flags)")
