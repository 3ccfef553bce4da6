"""`imdb-tfx run` killed while the InfraValidator's model server runs: no server outlives it.

kill -9 (no handler runs: the OS's parent-death signal ends the server, components/
process_supervisor.py), then, in the rerun (everything before the InfraValidator from the
cache), kill -TERM (one line, status 143, the server ended on the way out); that rerun first ends
a server a dead run left behind (a stand-in without the parent-death signal, recorded in the
root's pid files as the InfraValidator's server is). Ctrl-C (130): tests/unit/app/cli/test_bad_input.py."""
import glob
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from app.cli import status
from components import process_supervisor
from tests.helpers.paths import ROOT

pytestmark = pytest.mark.e2e

TRAIN = ["--hidden-units", "16", "--optimizer", "adam", "--learning-rate", "0.01", "--loss-reduction", "mean",
         "--batch-size", "32", "--train-steps", "30", "--evaluations", "1", "--eval-percent", "20",
         "--accuracy-lower-bound", "0.5", "--snippet-reviews", "0"]


def start_run(args):
    return subprocess.Popen([sys.executable, "-m", "app", "run", *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def wait_for_server(run, children: str, timeout: float = 300, settle: float = 1.0) -> int:
    """The server's pid, once the run has started it (its pid file is written), `settle` seconds after."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for pid_file in glob.glob(os.path.join(children, "*.json")):
            with open(pid_file) as f:
                info = json.load(f)
            if info["parent"] == run.pid and process_supervisor.start_time(info["pid"]) is not None:
                time.sleep(settle)  # the server is starting (importing, loading the model)
                return info["pid"]
        if run.poll() is not None:
            pytest.fail(f"the run ended (status {run.returncode}) before its server started:\n{run.stderr.read()[-3000:]}")
        time.sleep(0.2)
    run.kill()
    pytest.fail("no model server started")


def gone_within(pid: int, seconds: float) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process_supervisor.start_time(pid) is None:
            return True
        time.sleep(0.1)
    return False


def test_no_server_outlives_a_killed_run(tmp_path, small_corpus):
    data, module = small_corpus
    root = tmp_path / "root"
    args = ["--data", data, "--module", module, "--pipeline-root", str(root), "--serving-dir",
            str(tmp_path / "serving"), *TRAIN]
    children = process_supervisor.children_dir(str(root))

    run = start_run(args)
    server = wait_for_server(run, children)
    run.kill()
    run.wait()
    assert gone_within(server, 5), "the model server outlived its run (kill -9)"

    # A server left by a dead run where no parent-death signal ended it (a stand-in, recorded in
    # the root's pid files as the InfraValidator's server is): the next run ends it first.
    survivor = subprocess.Popen(["sleep", "300"], start_new_session=True)
    dead = subprocess.Popen(["true"])
    dead.wait()
    with open(os.path.join(children, f"{survivor.pid}.json"), "w") as f:
        json.dump({"pid": survivor.pid, "start_time": process_supervisor.start_time(survivor.pid),
                   "parent": dead.pid, "parent_start_time": 1, "command": ["sleep", "300"]}, f)
    try:
        run = start_run(args)  # the rerun: from the cache up to the InfraValidator
        server = wait_for_server(run, children, settle=0.2)
        run.send_signal(signal.SIGTERM)  # at once: the cached rerun's canary lasts only a few seconds
        _, err = run.communicate(timeout=60)
        # ended before the components ran, long before the server started
        assert survivor.wait(timeout=10) == -signal.SIGTERM, "the next run did not end the survivor"
    finally:
        if survivor.poll() is None:
            survivor.kill()
    assert run.returncode == status.TERMINATED, err[-3000:]
    assert f"ended pid {survivor.pid} (sleep 300), left running by a run that died (pid {dead.pid})" in err
    assert err.strip().splitlines()[-1] == "imdb-tfx: terminated (SIGTERM): stopped; no child process left running"
    assert "Traceback" not in err
    assert gone_within(server, 5), "the model server outlived its run (kill -TERM)"
    # The stopped run's InfraValidator execution is no verdict and is not left RUNNING for the next
    # run to find: cancelled by the run on its way out (the line says so), or FAILED by TFX when
    # the signal's exception came back from TensorFlow's C++ as an error (the SIGTERM during the
    # canary's in-process model load: no verdict then either, components/infra_validator/canary.py).
    from ml_metadata.proto import metadata_store_pb2

    from app import runs

    store = runs.open_store(f"{root}.metadata.sqlite")
    assert metadata_store_pb2.Execution.RUNNING not in [e.last_known_state for e in store.get_executions()]
    newest = max((e for c in runs.node_contexts(store, "InfraValidator") for e in store.get_executions_by_context(c.id)),
                 key=lambda e: e.id)
    cancelled = re.search(rf"InfraValidator execution {newest.id} stopped before it finished: marked CANCELED", err)
    assert newest.last_known_state == (metadata_store_pb2.Execution.CANCELED if cancelled
                                       else metadata_store_pb2.Execution.FAILED), err[-3000:]
