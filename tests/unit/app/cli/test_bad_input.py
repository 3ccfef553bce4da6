"""Bad flag values and paths for every subcommand: one line on stderr naming the flag or path,
no traceback, the documented exit status (app/cli/status.py, docs/errors.md), nothing written,
nothing started, and no TensorFlow imported (app/cli/validation.py rejects them at start-up).

Most cases run `app.cli.main.main([...])` in this process; one subprocess runs every case again
to show that none of them imports TensorFlow, and two more show SIGTERM and Ctrl-C statuses."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.cli import main as cli
from app.cli import status, validation
from tests.helpers import corpus
from tests.helpers.paths import ROOT

USAGE = status.USAGE


@pytest.fixture()
def place(tmp_path, monkeypatch):
    """A working directory with a file, a directory, a guard file and a small archive in it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "saved_model.pb").write_bytes(b"not a SavedModel")  # a --model DIR of sorts
    (tmp_path / "dir" / "variables").mkdir()
    (tmp_path / "file").write_text("x")
    corpus.write_guard_set(str(tmp_path / "guard.jsonl"), n=2)
    corpus.write_archive(str(tmp_path / "data.tar.gz"), corpus.corpus_files(n_train=2, n_test=2))
    (tmp_path / "notes.sqlite").write_text("a text file, not a store")
    (tmp_path / "experiments.md").mkdir()  # in the way of `experiment --output .`'s table
    return tmp_path


BASE = ["--data", "data.tar.gz", "--pipeline-root", "out/root", "--serving-dir", "out/serving"]

# (argv, what the one line must say): every case ends with status 2.
CASES = [
    (["run", *BASE, "--train-steps", "0"], "--train-steps 0: must be 1 or more"),
    (["run", *BASE, "--train-steps", "-5"], "--train-steps -5: must be 1 or more"),
    (["run", *BASE, "--train-steps", "abc"], "argument --train-steps: invalid int value"),
    (["run", *BASE, "--hidden-units", "0"], "--hidden-units 0: each layer needs 1 unit or more"),
    (["run", *BASE, "--hidden-units", "500,-1"], "--hidden-units 500,-1"),
    (["run", *BASE, "--eval-percent", "0"], "--eval-percent 0: must be in [1, 99]"),
    (["run", *BASE, "--eval-percent", "100"], "--eval-percent 100: must be in [1, 99]"),
    (["run", *BASE, "--accuracy-lower-bound", "1.5"], "--accuracy-lower-bound 1.5: must be in [0, 1]"),
    (["run", *BASE, "--accuracy-lower-bound", "-0.1"], "--accuracy-lower-bound -0.1"),
    (["run", *BASE, "--accuracy-change-tolerance", "-0.01"], "--accuracy-change-tolerance -0.01: must be in [0, 1]"),
    (["run", *BASE, "--dropout", "1"], "--dropout 1.0: must be in [0, 1)"),
    (["run", *BASE, "--dropout", "nan"], "--dropout nan: not a finite number"),
    (["run", *BASE, "--learning-rate", "0"], "--learning-rate 0.0: must be more than 0"),
    (["run", *BASE, "--batch-size", "0"], "--batch-size 0: must be 1 or more"),
    (["run", *BASE, "--batch-size", "9" * 24], f"--batch-size {'9' * 24}: must be at most 2147483647"),
    (["run", *BASE, "--hidden-units", "500," + "9" * 20], "--hidden-units 500,99999999999999999999: must be at most"),
    (["run", *BASE, "--evaluations", "0"], "--evaluations 0"),
    (["run", *BASE, "--l2", "-1"], "--l2 -1.0"),
    (["run", *BASE, "--snippet-reviews", "-1"], "--snippet-reviews -1"),
    (["run", *BASE, "--guard-tolerance", "2"], "--guard-tolerance 2.0"),
    (["run", *BASE, "--guard-set", "tweets=dir"], "--guard-set dir: a directory, not a guard set file"),
    (["run", *BASE, "--guard-set", "tweets=nope.jsonl"], "--guard-set nope.jsonl: no such file"),
    (["run", *BASE, "--guard-set", "tweets"], "--guard-set 'tweets': expected NAME=PATH"),
    (["run", *BASE, "--guard-set", "g=guard.jsonl", "--guard-floor", "g=1.5"], "--guard-floor g=1.5"),
    (["run", *BASE, "--beam-arg", "direct_num_workers=2"], "--beam-arg direct_num_workers=2"),
    (["run", *BASE, "--beam-arg=--direct_num_workers"], "--beam-arg: Beam refuses --direct_num_workers: argument "
                                                          "--direct_num_workers: expected one argument"),
    (["run", *BASE, "--beam-arg=--direct_running_mode=multi_procesing"], "argument --direct_running_mode: invalid "
                                                                         "choice: 'multi_procesing'"),
    (["run", *BASE, "--module", "no/such/module"], "--module no/such/module: no such directory (a SavedModel "
                                                   "directory, a URL, or one of: glove, random, minilm)"),
    (["run", *BASE, "--module", "."], "--module .: no saved_model.pb there (not a SavedModel directory)"),
    (["run", *BASE, "--runner", "kubeflow"], "argument --runner: invalid choice"),
    (["run", *BASE, "--no-such-flag"], "imdb-tfx: error: unrecognized arguments: --no-such-flag (see imdb-tfx run --help)"),
    (["run", *BASE, "--span", "1"], "--span 1: "),
    (["run", *BASE, "--window", "3"], "--window 3: "),
    (["run", *BASE, "--drift-action", "block"], "--drift-action block: "),
    (["run", *BASE, "--test-data", "nope.jsonl"], "--test-data nope.jsonl: no such file"),
    (["run", *BASE, "--guard-set", "g=file"], "file"),
    (["run", *BASE[2:], "--data", "http://example.com/aclImdb_v1.tar.gz"], "only the official URL"),
    (["run", *BASE[2:], "--data", "nope.tar.gz"], "--data nope.tar.gz: no such file or directory"),
    (["run", *BASE[2:], "--data", "file"], "not a tar archive"),
    (["run", *BASE[2:], "--data", "dir"], "not an aclImdb directory"),
    (["run", *BASE[:2], "--pipeline-root", "/sys/imdb-root"], "--pipeline-root /sys/imdb-root: /sys is read-only"),
    (["run", *BASE[:2], "--pipeline-root", "file/root"], "--pipeline-root file/root:"),
    (["run", *BASE, "--metadata-path", "/sys/m/metadata.sqlite"], "--metadata-path /sys/m/metadata.sqlite: /sys is read-only"),
    (["run", *BASE, "--metadata-path", "dir"], "--metadata-path dir: a directory, not a file"),
    (["run", *BASE, "--metadata-path", "gs://b/m.sqlite"], "--metadata-path gs://b/m.sqlite: the metadata store is "
                                                             "an SQLite file, which SQLite cannot open on a remote"),
    (["run", *BASE[:2], "--pipeline-root", "gs://b/root"], "--pipeline-root gs://b/root: its default metadata store, "
                                                            "gs://b/root.metadata.sqlite, would be on a remote"),
    (["run", *BASE[:4], "--serving-dir", "file"], "--serving-dir file:"),
    (["run", *BASE[:2], "--pipeline-root", ""], "--pipeline-root: must not be empty"),
    (["experiment", *BASE, "--eval-percent", "100"], "--eval-percent 100"),
    (["experiment", *BASE, "--output", "file"], "--output file:"),
    (["experiment", *BASE, "--guard-set", "g=dir"], "--guard-set dir: a directory"),
    (["experiment", *BASE, "--rows", ","], "--rows ',': names no row"),
    (["experiment", *BASE, "--rows", ""], "--rows '': names no row"),  # not the whole grid
    (["experiment", *BASE, "--rows", "majority,majority"], "row majority named twice"),
    (["experiment", *BASE, "--output", "."], "--output ./experiments.md: a directory, not a file"),
    (["run", *BASE, "--metadata-path", "notes.sqlite"], "--metadata-path notes.sqlite: not a metadata store"),
    (["experiment", *BASE, "--metadata-path", "notes.sqlite"], "notes.sqlite: not a metadata store"),
    (["compile", "--image", "img", "--data", "gs://b/a.tar.gz", "--output", "dir"], "--output dir: a directory"),
    (["compile", "--image", "img", "--data", "gs://b/a.tar.gz", "--train-steps", "0"], "--train-steps 0"),
    (["compile", "--image", " ", "--data", "gs://b/a.tar.gz"], "--image: must not be empty"),
    (["compile", "--data", "gs://b/a.tar.gz"], "the following arguments are required: --image"),
    *[(["compile", "--image", "i", "--data", "gs://b/a.tar.gz", "--pipeline-root", "gs://b/r", "--serving-dir",
        "gs://b/s", *extra], message) for extra, message in [
        (["--module", "glvoe"], "--module glvoe: not one of glove, random, minilm, a URL or a gs:// (or absolute) path"),
        (["--pipeline-root", "gs://"], "--pipeline-root gs://: names no bucket"),
        (["--pipeline-root", "gs:///root"], "--pipeline-root gs:///root: names no bucket"),
        (["--serving-dir", "file:///serving"], "--serving-dir file:///serving: not a path the containers read"),
        (["--serving-dir", "out/serving"], "--serving-dir out/serving: a relative path; the containers need"),
        (["--test-data", "test.jsonl"], "--test-data test.jsonl: a relative path"),
        (["--window", "2"], "--window 2: a compiled pipeline reads one span")]],
    (["predict", "--batch-size", "0", "fine"], "--batch-size 0: must be 1 or more"),
    (["predict", "--file", "dir"], "--file dir: a directory, not a file of reviews"),
    (["predict", "--file", "nope.txt"], "--file nope.txt: no such file"),
    (["predict", "--file", "file", "a review"], "give reviews as arguments or with --file, not both"),
    (["predict", "--model", "out", "fine"], "--model out: no such directory"),
    (["predict", "--model", "file", "fine"], "--model file: a file, not a SavedModel directory"),
    (["predict", "--model", "out/../file/..", "fine"], "--model out/../file/..: no such directory"),
    (["report", "--evaluation-uri", "dir"], "--evaluation-uri dir: not an Evaluator output"),
    (["report", "--evaluation-uri", "file"], "--evaluation-uri file: a file"),
    (["report", "--metadata-path", "nope.sqlite"], "--metadata-path nope.sqlite: no metadata store there"),
    (["report", "--experiments", "dir"], "--experiments dir: a directory"),
    (["report", "--output", "dir"], "--output dir: a directory, not a file"),
    (["serve", "--port", "-1", "--model-dir", "dir"], "--port must be at least 0"),
    (["serve", "--model-dir", "nope"], "nope: no such directory"),
    (["serve", "--model-dir", "dir", "--batch-wait-ms", "nan"], "--batch-wait-ms nan: not a finite number"),
    (["serve", "--model-dir", "dir", "--batch-idle-ms", "inf"], "--batch-idle-ms inf: not a finite number"),
    (["serve", "--model-dir", "dir", "--request-log-max-seconds", "nan"], "--request-log-max-seconds nan: not a finite"),
    (["serve", "--model-dir", "dir", "--model-name", "a/b"], "--model-name 'a/b': letters, digits"),
    (["build-module", "glove", "--output", "file"], "--output file: a file, not a directory"),
    (["build-module", "glove", "--output", "/sys/module-out"], "/sys is read-only"),
    (["build-module", "word2vec", "--output", "x"], "argument name: invalid choice"),
    (["build-module", "glove", "--output", ""], "--output: must not be empty"),
    (["build-module", "minilm", "--output", "dir"], "--output dir: exists and is not empty"),
    (["build-module", "glove", "--output", "."], "--output .: exists and is not empty"),
]


def tree(root) -> set:
    return {os.path.join(d, n) for d, dirs, files in os.walk(root) for n in dirs + files}


def run_cli(argv) -> int:
    try:
        return cli.main(argv)
    except SystemExit as e:  # argparse's errors
        return e.code


@pytest.mark.parametrize("argv, message", CASES, ids=[" ".join(a)[:60] for a, _ in CASES])
def test_bad_value_or_path_is_one_line_and_status_2(place, capsys, argv, message):
    from components import process_supervisor

    before = tree(place)
    code = run_cli(argv)
    out, err = capsys.readouterr()
    assert code == USAGE, err
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("imdb-tfx: error: "), err
    assert message in err, err
    assert "Traceback" not in err
    assert tree(place) == before, "something was written"
    assert not process_supervisor._LIVE  # nothing started


def test_no_case_imports_tensorflow(place):
    """Every rejection above comes before TensorFlow (and TFX) is imported: in a fresh process."""
    script = ("import json, sys\nfrom app.cli import main\nbad = []\n"
              "for argv in json.loads(sys.argv[1]):\n"
              "    try:\n        main.main(argv)\n    except SystemExit:\n        pass\n"
              "    if 'tensorflow' in sys.modules or 'tfx' in sys.modules:\n        bad.append(argv)\n        break\n"
              "print(json.dumps(bad))\n")
    env = dict(os.environ, PYTHONPATH=ROOT)
    result = subprocess.run([sys.executable, "-c", script, json.dumps([a for a, _ in CASES])], cwd=place,
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    imported = json.loads(result.stdout.strip().splitlines()[-1])
    assert imported == [], f"TensorFlow imported by: {' '.join(imported[0])}"


def _args(argv):
    return cli.build_parser().parse_args(argv)


@settings(max_examples=60, deadline=None)
@given(steps=st.integers(-10**6, 10**6), percent=st.integers(-1000, 1000),
       bound=st.floats(allow_nan=True, allow_infinity=True), units=st.lists(st.integers(-5, 600), min_size=1, max_size=3))
def test_numeric_flags_are_checked_against_their_documented_ranges(steps, percent, bound, units):
    """Property: `validation.check` accepts exactly the documented ranges (train steps >= 1,
    eval percent 1..99, accuracy bound a finite number in [0, 1], hidden units >= 1 each)
    and names the flag otherwise."""
    argv = ["run", "--data", "gs://b/a.tar.gz", "--pipeline-root", "gs://b/root", "--serving-dir", "gs://b/s",
            "--metadata-path", "m.sqlite",
            f"--train-steps={steps}", f"--eval-percent={percent}", f"--accuracy-lower-bound={bound!r}",
            f"--hidden-units={','.join(map(str, units))}"]  # with '=': argparse reads -1e-05 as a value
    bad = []
    if any(u < 1 for u in units):
        bad.append("--hidden-units")
    if steps < 1:
        bad.append("--train-steps")
    if not 1 <= percent <= 99:
        bad.append("--eval-percent")
    if not (bound == bound and 0 <= bound <= 1):
        bad.append("--accuracy-lower-bound")
    try:
        validation.check(_args(argv))
    except validation.UsageError as e:
        assert bad and any(str(e).startswith(flag) for flag in bad), (str(e), bad)
    else:
        assert not bad


def test_experiment_accepts_and_does_not_check_the_flags_it_does_not_use(place, capsys):
    """`experiment` pushes nothing: run's --serving-dir is accepted as given (a file in the way is
    no error there, as it is for run) and its help says the flag and the blessing thresholds are
    not used."""
    validation.check(_args(["experiment", *BASE[:4], "--serving-dir", "file", "--accuracy-lower-bound", "0.9"]))
    with pytest.raises(validation.UsageError, match="--serving-dir file:"):
        validation.check(_args(["run", *BASE[:4], "--serving-dir", "file"]))
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["experiment", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    for flag in ("--serving-dir SERVING_DIR", "--accuracy-lower-bound ACCURACY_LOWER_BOUND", "--accuracy-change-tolerance T"):
        assert f"{flag} not used here: nothing is blessed or pushed" in help_text, flag


@settings(max_examples=40, deadline=None)
@given(batch=st.integers(-100, 100))
def test_predict_batch_size(batch):
    args = _args(["predict", f"--batch-size={batch}", "a review"])
    if batch >= 1:
        validation.check(args)
    else:
        with pytest.raises(validation.UsageError, match=f"--batch-size {batch}: must be 1 or more"):
            validation.check(args)


@pytest.mark.parametrize("sig, code, word", [(signal.SIGTERM, status.TERMINATED, "terminated (SIGTERM)"),
                                             (signal.SIGINT, status.INTERRUPTED, "interrupted (Ctrl-C)")])
def test_sigterm_and_ctrl_c_end_a_command_with_one_line_and_their_status(tmp_path, sig, code, word):
    """`predict --file -` waits on stdin: the signal ends it with one line and 143 or 130."""
    process = subprocess.Popen([sys.executable, "-m", "app", "predict", "--file", "-"], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2)  # past start-up, reading stdin
    process.send_signal(sig)
    out, err = process.communicate(timeout=30)
    assert process.returncode == code, err
    assert err.splitlines() == [f"imdb-tfx: {word}: stopped; no child process left running"], err
    assert out == ""


# A command that starts a child and, stopped, waits for it while it unwinds (as Beam's runner
# joins its multiprocess workers), then wraps the exception (as Beam does). In its own process:
# the signal is passed on to the process's children, which in a test worker are other tests'.
WRAPPING = r"""
import os, subprocess, sys
from app.cli import main as cli, report

def wrapping(args):
    child = subprocess.Popen(["sleep", "60"])
    print(child.pid, flush=True)
    try:
        child.wait()
    except BaseException as e:
        child.wait()  # a child the signal does not reach keeps this waiting
        raise RuntimeError(f"{type(e).__name__} [while running 'Run[StatisticsGen]']") from None
    return 0

report.cmd_report = wrapping
sys.exit(cli.main(["report", "--output", sys.argv[1]]))
"""


@pytest.mark.parametrize("sig, code, word", [(signal.SIGTERM, status.TERMINATED, "terminated (SIGTERM)"),
                                             (signal.SIGINT, status.INTERRUPTED, "interrupted (Ctrl-C)")])
@pytest.mark.parametrize("library", ["wraps", "catches"])
def test_a_signal_to_the_pid_alone_reaches_the_children_and_gives_its_status(tmp_path, sig, code, word, library):
    """`kill PID` (not the process group, as a terminal's Ctrl-C): the children get the signal too,
    so a command that waits on them ends; the exception a library wrapped, or caught and carried on
    from (as TensorFlow's C++ did in the InfraValidator's model load), still gives 130 / 143."""
    script = WRAPPING if library == "wraps" else WRAPPING.replace(
        "        raise RuntimeError(f\"{type(e).__name__} [while running 'Run[StatisticsGen]']\") from None",
        "        return 3  # the command's own outcome, as if nothing had stopped it")
    assert script.count("return 3") == (library == "catches")
    process = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "page.html")], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=dict(os.environ, PYTHONPATH=ROOT), start_new_session=True)
    child = int(process.stdout.readline())
    process.send_signal(sig)  # to the pid alone
    try:
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == code, err
    assert err.splitlines() == [f"imdb-tfx: {word}: stopped; no child process left running"], err
    assert not os.path.exists(f"/proc/{child}") or open(f"/proc/{child}/stat").read().split(") ")[1][0] == "Z"


def test_build_module_without_its_data_package_is_one_line(place, capsys, monkeypatch):
    """Named with its install command, before TensorFlow, nothing written."""
    from components.modules import registry

    monkeypatch.setitem(registry.DATA_PACKAGES, "glove", ("no_such_data_package_imdb", "uv pip install no-such"))
    before = tree(place)
    assert run_cli(["build-module", "glove", "--output", "new"]) == USAGE
    err = capsys.readouterr().err
    assert err == ("imdb-tfx: error: build-module glove: the glove module needs the data package "
                   "no_such_data_package_imdb; install it with: uv pip install no-such\n")
    assert tree(place) == before


def test_a_commands_stop_ends_with_it(tmp_path, monkeypatch, capsys):
    """SIGTERM during a command: 143, and the stop is not left recorded for what the process does
    next (a later in-process caller, such as the canary, would take its own error for a stop)."""
    from app.cli import report
    from components import process_supervisor

    def stopped(args):
        os.kill(os.getpid(), signal.SIGTERM)  # `kill PID` while the command runs
        time.sleep(5)
        return 0

    monkeypatch.setattr(report, "cmd_report", stopped)
    for name in ("signal_children", "end_children", "stop_all"):  # nothing of this test process's to end
        monkeypatch.setattr(process_supervisor, name, lambda *args, **kwargs: None)
    assert run_cli(["report", "--output", str(tmp_path / "page.html")]) == status.TERMINATED
    assert process_supervisor.stop_signal() is None
    assert capsys.readouterr().err.endswith("imdb-tfx: terminated (SIGTERM): stopped; no child process left running\n")


TEARDOWN = r"""
import atexit, sys, time
from app.cli import main as cli, report

def done(args):
    print("done", flush=True)
    return 0

report.cmd_report = done
atexit.register(lambda: time.sleep(20))  # a library's slow clean-up at exit (TensorFlow's remove files)
sys.argv = ["imdb-tfx", "report", "--output", sys.argv[1]]
sys.exit(cli.main())
"""


FINALIZATION = r"""
import os, sys, time
from app.cli import main as cli, report

class Slow:  # freed when the interpreter tears down its modules, after the atexit callbacks
    def __del__(self):
        os.write(1, b"tearing down\n")
        time.sleep(3)

def done(args):
    print("done", flush=True)
    return 0

report.cmd_report = done
cli.slow = Slow()
sys.argv = ["imdb-tfx", "report", "--output", sys.argv[1]]
sys.exit(cli.main())
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_the_modules_are_torn_down_keeps_the_commands_status(tmp_path, sig):
    """After the atexit callbacks Python gives every signal with a Python handler its default
    action back, and tearing down TensorFlow's modules takes a second or more: a signal then
    killed the process (status -2 / -15) after its work was done. It is ignored from there on."""
    process = subprocess.Popen([sys.executable, "-c", FINALIZATION, str(tmp_path / "page.html")], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=dict(os.environ, PYTHONPATH=ROOT))
    assert process.stdout.readline() == "done\n"
    assert process.stdout.readline() == "tearing down\n"
    process.send_signal(sig)
    out, err = process.communicate(timeout=15)
    assert process.returncode == 0, (process.returncode, err)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_after_the_command_ends_the_process_at_once_with_its_status(tmp_path, sig):
    """Ctrl-C while the interpreter shuts down: no "Exception ignored in atexit callback" traceback,
    the command's own status (its work is done), no waiting for the rest of the clean-up."""
    process = subprocess.Popen([sys.executable, "-c", TEARDOWN, str(tmp_path / "page.html")], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=dict(os.environ, PYTHONPATH=ROOT))
    assert process.stdout.readline() == "done\n"
    time.sleep(1.0)  # main has returned: the interpreter is in its atexit callbacks
    start = time.time()
    process.send_signal(sig)
    out, err = process.communicate(timeout=15)
    assert process.returncode == 0 and time.time() - start < 5, err
    assert "Traceback" not in err and "Exception ignored" not in err, err
