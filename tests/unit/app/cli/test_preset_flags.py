"""--preset names a whole training set-up: set-up flags beside it are refused with one line
(exit status 2), not dropped in silence; the warm-start flags apply on top of it."""
import pytest

from app.cli import arguments, main as cli, preset_flags


def _config(*flags):
    return arguments.training_config(cli.build_parser().parse_args(["run", "--data", "x", *flags]))


@pytest.mark.parametrize("flags", [["--learning-rate", "0.1"], ["--trainable"], ["--module", "glove"],
                                   ["--batch-size", "128"]])  # the default value counts too: it was given
def test_a_set_up_flag_beside_a_preset_is_refused_naming_both(flags):
    with pytest.raises(ValueError) as error:
        _config("--preset", "best", *flags)
    assert str(error.value).startswith(f"--preset best is a whole training set-up: {flags[0]} cannot be given")
    assert cli.classify(error.value)[0] == 2


def test_every_clashing_flag_is_named():
    with pytest.raises(ValueError, match="--dropout, --learning-rate cannot be given"):
        _config("--learning-rate", "0.1", "--preset", "tutorial", "--dropout", "0.3")


def test_a_preset_alone_or_with_warm_start_flags_and_flags_alone_are_taken():
    from pipeline.configs import preset

    assert _config("--preset", "best").members == preset("best").members
    assert _config("--preset", "best", "--no-warm-start").warm_start is False
    assert _config("--learning-rate", "0.1", "--trainable").learning_rate == 0.1


def test_the_set_up_flags_are_the_training_groups_flags():
    parser = cli.build_parser()
    run = next(a for a in parser._subparsers._group_actions if a.dest == "command").choices["run"]
    training = next(g for g in run._action_groups if g.title == "training")
    flags = {f for a in training._group_actions for f in a.option_strings}
    assert set(preset_flags.SET_UP_FLAGS) == flags - {"--preset", "--no-warm-start", "--warm-start-fraction"}
