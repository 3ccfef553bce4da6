"""Fault injection: `imdb-tfx run` killed (SIGKILL) during the Trainer, then run again.

The rerun takes the data stages from the cache, marks the killed execution CANCELED and
removes the output directories it had made, trains, blesses and pushes exactly one version;
the store then holds only COMPLETE, CACHED and CANCELED executions."""
import os
import signal
import subprocess
import sys
import time

import pytest

from app.cli import main as cli
from app.cli import status
from tests.helpers.paths import ROOT

pytestmark = pytest.mark.e2e

TRAIN = ["--hidden-units", "16", "--optimizer", "adam", "--learning-rate", "0.01", "--loss-reduction", "mean",
         "--batch-size", "32", "--train-steps", "600", "--evaluations", "2", "--eval-percent", "20",
         "--accuracy-lower-bound", "0.8"]


def test_a_run_killed_in_the_trainer_is_cleaned_up_by_the_next(tmp_path, small_corpus, capsys):
    from ml_metadata.proto import metadata_store_pb2

    from app import runs

    data, module = small_corpus
    args = ["run", "--data", data, "--module", module, "--pipeline-root", str(tmp_path / "root"),
            "--serving-dir", str(tmp_path / "serving"), *TRAIN]
    run = subprocess.Popen([sys.executable, "-m", "app", *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
    try:
        for line in run.stderr:
            if "] Trainer ..." in line:
                break
        time.sleep(3)  # inside the Trainer's execution
        assert run.poll() is None, "the run ended before it could be killed"
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    store_path = f"{tmp_path / 'root'}.metadata.sqlite"
    Execution = metadata_store_pb2.Execution
    killed = [e for e in runs.open_store(store_path).get_executions() if e.last_known_state == Execution.RUNNING]
    assert len(killed) == 1
    left_dirs = [os.path.join(tmp_path, "root", "Trainer", key, str(killed[0].id)) for key in ("model", "model_run")]
    assert any(os.path.isdir(d) for d in left_dirs)

    code = cli.main(args)
    err = capsys.readouterr().err
    assert code == status.OK, err
    assert f"Trainer execution {killed[0].id} was left running by a run that died: marked CANCELED" in err
    assert not any(os.path.isdir(d) for d in left_dirs)
    states = {e.id: e.last_known_state for e in runs.open_store(store_path).get_executions()}
    assert states[killed[0].id] == Execution.CANCELED
    assert set(states.values()) <= {Execution.COMPLETE, Execution.CACHED, Execution.CANCELED}
    assert len(os.listdir(tmp_path / "serving")) == 1
