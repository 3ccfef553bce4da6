"""app/cli/console.py: inside `quiet`, whatever the process and its children print goes to the
log file; the terminal gets the progress lines (and everything with verbose)."""
import subprocess
import sys

from tests.helpers.paths import ROOT

SCRIPT = """
import logging, os, subprocess, sys
from app.cli import console
with console.quiet(sys.argv[1], verbose=sys.argv[2] == "1") as terminal:
    terminal.write("[1/2] Trainer ...\\n")
    print("Epoch 1/2")
    print("python print")
    print("python stderr", file=sys.stderr)
    os.write(2, b"fd 2 write, as TensorFlow's C++ log does\\n")
    logging.getLogger("x").warning("a logging warning")
    subprocess.run(["sh", "-c", "echo child process output"])
    terminal.write("      Trainer finished in 1.0 s\\n")
print("after: stdout")
print("after: stderr", file=sys.stderr)
"""
CAPTURED = ["Epoch 1/2", "python print", "python stderr", "fd 2 write, as TensorFlow's C++ log does",
            "a logging warning", "child process output"]


def run(tmp_path, verbose):
    log = tmp_path / f"run-{verbose}.log"
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(log), "1" if verbose else "0"],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    return result, log.read_text()


def test_quiet_sends_everything_to_the_log_and_progress_to_the_terminal(tmp_path):
    result, log = run(tmp_path, verbose=False)
    assert result.stderr.splitlines() == ["[1/2] Trainer ...", "      Trainer finished in 1.0 s", "after: stderr"]
    assert result.stdout == "after: stdout\n"
    for line in CAPTURED:
        assert line in log
    assert "Trainer ..." not in log and "after" not in log


def test_verbose_streams_everything_too(tmp_path):
    result, log = run(tmp_path, verbose=True)
    for line in CAPTURED:
        assert line in log and line in result.stderr
    assert "[1/2] Trainer ..." in result.stderr and result.stdout == "after: stdout\n"


def test_log_path_is_under_a_local_root(tmp_path):
    from app.cli import console

    path = console.log_path(str(tmp_path / "root"))
    assert path.startswith(str(tmp_path / "root" / "logs" / "run-")) and path.endswith(".log")


class Tty:
    """A stream that says it is a terminal, and keeps what was written."""

    def __init__(self):
        self.text = ""

    def isatty(self):
        return True

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_the_status_line_shows_epochs_or_the_time_against_the_last_run():
    from app.cli import console

    stream = Tty()
    terminal = console.Terminal(stream)
    terminal.estimates = {"Transform": 20.0}
    terminal.write("[6/11] Transform ...\n")
    terminal.started -= 10  # ten seconds into it
    terminal.tick()
    status = stream.text.rsplit("\r\033[K", 1)[-1]
    assert status.startswith("      Transform 10 s  [##########..........] ~50% of last run's 20 s"), status
    terminal.write("      Transform finished in 10.0 s\n[7/11] Trainer ...\n")
    terminal.epoch(3, 10)
    status = stream.text.rsplit("\r\033[K", 1)[-1]
    assert "epoch 3/10 [######..............]" in status and "last run" not in status  # no estimate: epochs only
    terminal.estimates = {}
    terminal.write("      Trainer finished in 1.0 s\n[9/11] Evaluator ...\n")
    assert stream.text.endswith("[9/11] Evaluator ...\n      Evaluator 0 s")  # nothing to estimate from: seconds
