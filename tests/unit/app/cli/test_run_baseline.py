"""`imdb-tfx run`'s console agrees with the summary about the baseline: on an identical rerun the
latest blessed model, announced before the run, is the candidate itself, and the Evaluator
compared with the blessed model before it (or none)."""
import types

from app.cli import run


def test_an_announced_baseline_that_was_the_candidate_is_corrected(capsys):
    terminal = types.SimpleNamespace(announced_baseline="/r/Trainer/model/7")
    run._correct_baseline(terminal, {"blessing": {"baseline_model": None}})
    assert capsys.readouterr().err == (
        "imdb-tfx: baseline: none: /r/Trainer/model/7, announced above, is this run's model itself (from the "
        "cache), so it was compared with the blessed model before it (none: only the lower bound applied)\n")
    run._correct_baseline(terminal, {"blessing": {"baseline_model": "/r/Trainer/model/3"}})
    assert capsys.readouterr().err.startswith("imdb-tfx: baseline: /r/Trainer/model/3: /r/Trainer/model/7, announced")


def test_an_announced_baseline_that_was_used_says_nothing_more(capsys):
    run._correct_baseline(types.SimpleNamespace(announced_baseline="/r/m/3"), {"blessing": {"baseline_model": "/r/m/3"}})
    run._correct_baseline(types.SimpleNamespace(announced_baseline=None), {"blessing": {"baseline_model": None}})
    assert capsys.readouterr().err == ""
