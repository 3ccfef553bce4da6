"""`imdb-tfx run` end to end on the small corpus: its own store beside its root, the store and
baseline printed, the blessing explained, and the exit status of a blessed and of an unblessed run."""
import os

import pytest

from app.cli import main as cli
from app.cli import status
from components.snippets import SNIPPETS
from tests.helpers.cli import run as cli_run

pytestmark = pytest.mark.e2e

TINY = ["--hidden-units", "16", "--optimizer", "adam", "--learning-rate", "0.01", "--loss-reduction", "mean",
        "--batch-size", "32", "--train-steps", "60", "--evaluations", "2", "--eval-percent", "20"]


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return tmp_path_factory.mktemp("cli_run")


def run(capsys, root, small_corpus, *extra):
    return cli_run(capsys, root, small_corpus, TINY, *extra)


def test_blessed_run_then_one_that_fails_a_threshold(capsys, root, small_corpus, monkeypatch):
    monkeypatch.chdir(root)  # output/ here stays untouched: the store follows the root
    store = f"{root / 'root'}.metadata.sqlite"

    code, summary, err = run(capsys, root, small_corpus, "--accuracy-lower-bound", "0.8")
    assert code == status.OK, err
    assert f"metadata store {store}; no blessed model in this store yet" in err
    assert summary["blessed"] and summary["pushed"] and summary["blessing"]["baseline_model"] is None
    checks = {c["check"]: c for c in summary["blessing"]["checks"]}
    assert checks["candidate >= lower bound"]["threshold"] == 0.8 and checks["candidate >= lower bound"]["passed"]
    assert "blessed: binary_accuracy" in err and f"pushed to {summary['pushed_model']}" in err
    assert summary["infra_validation"]["blessed"] and "; served by the model server: served " in err
    assert os.path.isfile(store) and not (root / "output").exists()
    assert summary["cached"] == [] and "from the cache" not in err
    # The default --snippet-reviews (1000) takes every one of the 120 test reviews.
    assert {name: s["examples"] for name, s in summary["snippets"].items()} == {name: 120 for name in SNIPPETS}
    assert "imdb-tfx: snippet sets snippet_sentence, snippet_20_words, snippet_50_words: 1000 test reviews" in err
    first_model = summary["pushed_model"]

    # A new candidate that stays at its random start (one step at a learning rate of 1e-9: one
    # step at TINY's 0.01 reached a perfect accuracy on this easy corpus in one clean-clone run),
    # compared with the first model; a bound of 1.0 it cannot meet.
    code, summary, err = run(capsys, root, small_corpus, "--accuracy-lower-bound", "1.0", "--train-steps", "1",
                             "--learning-rate", "1e-9", "--no-warm-start")
    assert code == status.NOT_BLESSED
    baseline = summary["blessing"]["baseline_model"]
    assert baseline and f"latest blessed model {baseline}: the baseline" in err
    assert f"NOT blessed (baseline {baseline})" in err
    assert not summary["blessed"] and not summary["pushed"]
    lower = next(c for c in summary["blessing"]["checks"] if c["check"] == "candidate >= lower bound")
    assert lower["threshold"] == 1.0 and not lower["passed"]
    change = next(c for c in summary["blessing"]["checks"] if c["check"].startswith("candidate - baseline"))
    assert change["baseline"] is not None
    assert "NOT blessed" in err and ">= 1: FAILED" in err and "nothing pushed" in err
    assert sorted(os.listdir(root / "serving")) == [os.path.basename(first_model)]  # no new version
    # the same data: its nodes came from TFX's cache, the new training did not, and the run says so
    assert {"FileBasedExampleGen", "ImportSchemaGen", "StatisticsGen", "Transform"} <= set(summary["cached"])
    assert "Trainer" not in summary["cached"]
    assert f"imdb-tfx: from the cache (the outputs of an earlier run with the same inputs, code and settings): " \
           f"{', '.join(summary['cached'])}" in err


def test_a_second_run_on_a_store_in_use_refuses_with_no_wait(capsys, root, small_corpus):
    import subprocess
    import sys

    from tests.helpers.paths import ROOT

    store = root / "busy.sqlite"
    hold = ("import sys, time\nfrom pipeline.run_lock import run_lock\n"
            "with run_lock(sys.argv[1], sys.argv[2]):\n    print('locked', flush=True)\n    time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", hold, str(store), str(root / "elsewhere")],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "locked"
        data, module = small_corpus
        code = cli.main(["run", "--data", data, "--module", module, "--pipeline-root", str(root / "busy"),
                         "--metadata-path", str(store), "--no-wait", *TINY])
        err = capsys.readouterr().err
        assert code == status.USAGE
        assert f"{store} is in use by pid {holder.pid}" in err and "Traceback" not in err
        assert not os.path.exists(root / "busy")  # nothing ran, nothing written (no log file either)
    finally:
        holder.kill()
        holder.wait()
