"""components.process_supervisor: a child dies with its parent however the parent ends, and the
next run ends one that survived (pid files)."""
import json
import os
import signal
import subprocess
import sys
import time

from components import process_supervisor as supervisor
from tests.helpers.paths import ROOT

PARENT = """
import sys, time
from components import process_supervisor as s
p = s.start(["sleep", "120"], pid_dir=sys.argv[1])
print(p.pid, flush=True)
time.sleep(120)
"""


def gone_within(pid: int, seconds: float) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if supervisor.start_time(pid) is None:
            return True
        time.sleep(0.05)
    return False


def test_a_child_dies_with_a_parent_killed_by_sigkill(tmp_path):
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    assert supervisor.start_time(child) is not None
    assert json.loads((tmp_path / f"{child}.json").read_text())["parent"] == parent.pid
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    assert gone_within(child, 5), "the child outlived its SIGKILLed parent"
    assert supervisor.end_orphans(str(tmp_path)) == []  # nothing left to end; the stale pid file goes
    assert os.listdir(tmp_path) == []


def test_the_next_run_ends_a_child_whose_parent_is_gone(tmp_path):
    # A survivor: started without the parent-death signal, its parent (a finished process) gone.
    orphan = subprocess.Popen(["sleep", "120"], start_new_session=True)
    finished = subprocess.Popen(["true"])
    finished.wait()
    (tmp_path / f"{orphan.pid}.json").write_text(json.dumps({
        "pid": orphan.pid, "start_time": supervisor.start_time(orphan.pid), "parent": finished.pid,
        "parent_start_time": 1, "command": ["sleep", "120"]}))
    lines = []
    assert supervisor.end_orphans(str(tmp_path), lines.append) == [orphan.pid]
    assert orphan.wait(timeout=5) == -signal.SIGTERM
    assert "left running by a run that died" in lines[0] and os.listdir(tmp_path) == []


def test_a_child_of_a_live_parent_and_a_reused_pid_are_left_alone(tmp_path):
    child = supervisor.start(["sleep", "120"], pid_dir=str(tmp_path))
    other = subprocess.Popen(["sleep", "120"], start_new_session=True)
    try:
        assert supervisor.end_orphans(str(tmp_path)) == []  # this process, its parent, is alive
        assert child.poll() is None
        # A pid file whose pid now belongs to another process (another start time): not ended.
        (tmp_path / "x.json").write_text(json.dumps({"pid": other.pid, "start_time": 1, "parent": 999999999,
                                                     "parent_start_time": 1, "command": ["x"]}))
        assert supervisor.end_orphans(str(tmp_path)) == [] and other.poll() is None
    finally:
        supervisor.stop(child, timeout=5)
        other.kill()
        other.wait()
    assert child.returncode is not None and not (tmp_path / f"{child.pid}.json").exists()


def test_stop_ends_the_whole_process_group(tmp_path):
    child = supervisor.start(["sh", "-c", "sleep 120 & echo $!; wait"], stdout=subprocess.PIPE, text=True)
    grandchild = int(child.stdout.readline())
    supervisor.stop(child, timeout=5)
    assert gone_within(grandchild, 5)


def test_a_stop_is_passed_on_until_it_has_reached_the_children(monkeypatch):
    """A second signal arriving inside the first's handler raises out of its pass-on: the second
    then passes its own on (the children ran on when the first's arrival alone marked it done)."""
    passed = []

    def interrupted_once(sig):
        if not passed:
            passed.append(None)
            raise KeyboardInterrupt  # the second signal's handler, run inside the first's
        passed.append(sig)

    monkeypatch.setattr(supervisor, "signal_children", interrupted_once)
    supervisor.reset_stop()
    try:
        supervisor.request_stop(signal.SIGTERM)
        try:
            supervisor.pass_stop_on(signal.SIGTERM)
        except KeyboardInterrupt:
            supervisor.request_stop(signal.SIGINT)
            supervisor.pass_stop_on(signal.SIGINT)
        supervisor.pass_stop_on(signal.SIGINT)  # reached: not again
        assert passed == [None, signal.SIGINT] and supervisor.stop_signal() == signal.SIGTERM
    finally:
        supervisor.reset_stop()
    assert supervisor.stop_signal() is None
