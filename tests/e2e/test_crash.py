"""Fault injection: `imdb-tfx run` killed (SIGKILL) in each of ExampleGen, Transform, Trainer,
Evaluator and Pusher in turn (tests/helpers/faults.py), each kill in a rerun of
the last, then a run that completes.

Each rerun marks what the dead run left RUNNING as CANCELED and removes its output
directories; the Pusher killed mid-copy leaves no version directory, only a hidden staging
one that the next push removes. At the end the store holds only COMPLETE, CACHED and
CANCELED executions, and exactly one version is pushed: the blessed model."""
import os
import subprocess
import sys

import pytest

from app.cli import main as cli
from app.cli import status
from pipeline import node_ids
from tests.helpers.paths import ROOT

pytestmark = pytest.mark.e2e

TRAIN = ["--hidden-units", "16", "--optimizer", "adam", "--learning-rate", "0.01", "--loss-reduction", "mean",
         "--batch-size", "32", "--train-steps", "60", "--evaluations", "1", "--eval-percent", "20",
         "--accuracy-lower-bound", "0.8"]
# The components that write outputs or the store (the InfraValidator is left out: its server start would add a minute).
KILLED_IN = [node_ids.EXAMPLE_GEN, node_ids.TRANSFORM, node_ids.TRAINER, node_ids.EVALUATOR, node_ids.PUSHER]


def running(store_path):
    from ml_metadata.proto import metadata_store_pb2

    from app import runs

    store = runs.open_store(store_path)
    types = {t.id: t.name for t in store.get_execution_types()}
    return [(e.id, types[e.type_id]) for e in store.get_executions()
            if e.last_known_state == metadata_store_pb2.Execution.RUNNING]


def test_a_run_killed_in_each_component_is_cleaned_up_by_the_next(tmp_path, small_corpus, capsys):
    from ml_metadata.proto import metadata_store_pb2

    from app import runs

    data, module = small_corpus
    serving = tmp_path / "serving"
    args = ["run", "--data", data, "--module", module, "--pipeline-root", str(tmp_path / "root"),
            "--serving-dir", str(serving), *TRAIN]
    store_path = f"{tmp_path / 'root'}.metadata.sqlite"
    left_running = None
    for node in KILLED_IN:
        run = subprocess.run([sys.executable, "-m", "tests.helpers.faults", node, *args], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=600)
        assert run.returncode == -9, f"not killed in {node} (exit {run.returncode}):\n{run.stderr[-3000:]}"
        if left_running:  # the previous kill's execution, cancelled by this run
            assert f"{left_running[0][1].rsplit('.', 1)[-1]} execution {left_running[0][0]} was left running" \
                   in run.stderr, run.stderr[-3000:]
        left_running = running(store_path)
        assert len(left_running) == 1, (node, left_running)
        versions = os.listdir(serving) if serving.exists() else []
        assert not [v for v in versions if v.isdigit()], f"a version was published by a run killed in {node}"
    assert len(os.listdir(serving)) == 1 and os.listdir(serving)[0].endswith(".incomplete")  # the killed push

    code = cli.main(args)
    out, err = capsys.readouterr()
    assert code == status.OK, err
    assert f"execution {left_running[0][0]} was left running by a run that died: marked CANCELED" in err
    Execution = metadata_store_pb2.Execution
    states = [e.last_known_state for e in runs.open_store(store_path).get_executions()]
    assert set(states) <= {Execution.COMPLETE, Execution.CACHED, Execution.CANCELED}
    assert states.count(Execution.CANCELED) == len(KILLED_IN)
    summary = runs.run_summary(store_path)
    assert summary["blessed"] and summary["pushed"] and summary["infra_validation"]["blessed"]
    assert os.listdir(serving) == [os.path.basename(summary["pushed_model"])]
    # Nothing a killed execution wrote is left under the root: each node's outputs are the published ones.
    published = {a.uri for a in runs.open_store(store_path).get_artifacts()}
    for node in KILLED_IN:
        node_dir = tmp_path / "root" / node
        for key in os.listdir(node_dir) if node_dir.is_dir() else []:
            if key != ".system":
                for execution in os.listdir(node_dir / key):
                    assert str(node_dir / key / execution) in published, f"left behind: {node_dir / key / execution}"
