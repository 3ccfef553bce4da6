"""Two `imdb-tfx run` started together on one metadata store: one waits for the
other (pipeline/run_lock.py), and the newest version in the serving directory is the better
of the two models; a worse model that comes second is not blessed.

Before the lock, both runs found no baseline, both pushed, and the later, worse model became
the version that is served."""
import json
import os
import subprocess
import sys

import pytest

from tests.helpers.paths import ROOT

pytestmark = pytest.mark.e2e

COMMON = ["--hidden-units", "16", "--optimizer", "adam", "--learning-rate", "0.01", "--loss-reduction", "mean",
          "--batch-size", "32", "--evaluations", "1", "--eval-percent", "20", "--accuracy-lower-bound", "0"]


def test_two_runs_started_together_push_at_most_the_better_model(tmp_path, small_corpus):
    data, module = small_corpus
    serving = tmp_path / "serving"
    common = ["run", "--data", data, "--module", module, "--pipeline-root", str(tmp_path / "root"),
              "--metadata-path", str(tmp_path / "metadata.sqlite"), "--serving-dir", str(serving), *COMMON]
    # Two different models: 60 steps, and 2 steps (barely trained).
    runs = [subprocess.Popen([sys.executable, "-m", "app", *common, "--train-steps", steps], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for steps in ("60", "2")]
    results = [run.communicate(timeout=900) for run in runs]
    summaries = []
    for run, (out, err) in zip(runs, results):
        assert run.returncode in (0, 3), err[-3000:]  # pushed, or not blessed
        summaries.append(json.loads(out))
    waited = [err for _, err in results if "imdb-tfx: waiting for pid" in err]
    assert len(waited) == 1, "exactly one run waits for the other"

    accuracy = {s["pushed_model"]: s["test_metrics"]["binary_accuracy"] for s in summaries if s["pushed"]}
    versions = sorted((v for v in os.listdir(serving) if v.isdigit()), key=int)
    assert 1 <= len(versions) <= 2 and len(versions) == len(accuracy)
    newest = str(serving / versions[-1])
    best = max(s["test_metrics"]["binary_accuracy"] for s in summaries)
    assert accuracy[newest] >= best - 1e-9, (accuracy, summaries)
    second = summaries[[i for i, (_, err) in enumerate(results) if "imdb-tfx: waiting for pid" in err][0]]
    assert second["blessing"]["baseline_model"] is not None  # the second compared itself with the first
