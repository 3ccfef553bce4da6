"""`imdb-tfx serve` and `python -m components.serving`: flags, and the one-line errors of a
server that cannot start (the server itself: tests/unit/components/serving/)."""
import subprocess
import sys

from tests.helpers import models

CLI = [sys.executable, "-m", "app"]
ENTRY = [sys.executable, "-m", "components.serving"]


def run(command, *args):
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=300)


def test_help_lists_the_server_flags_without_importing_tensorflow():
    out = run(CLI, "serve", "--help")
    assert out.returncode == 0
    for flag in ("--serving-dir", "--model-dir", "--port", "--model-name", "--max-batch-size", "--batch-wait-ms", "--batch-idle-ms",
                 "--max-body-bytes", "--max-instances", "--poll-seconds"):
        assert flag in out.stdout, flag
    assert "output/serving_model" in out.stdout  # the config's serving dir is the default
    code = "import sys; from components.serving import __main__, client, settings, versions; " \
           "print(sorted(m for m in ('tensorflow', 'kserve') if m in sys.modules))"
    assert run([sys.executable, "-c", code]).stdout.strip() == "[]"


def test_bad_flags_are_one_line_and_status_2(tmp_path):
    for args, message in ((["--serving-dir", str(tmp_path / "nope")], f"{tmp_path / 'nope'}: no such directory"),
                          (["--serving-dir", str(tmp_path), "--model-dir", str(tmp_path)], "not both"),
                          (["--serving-dir", str(tmp_path), "--port", "70000"], "--port must be at most 65535"),
                          (["--serving-dir", str(tmp_path), "--max-batch-size", "0"], "--max-batch-size must be at least 1")):
        out = run(CLI, "serve", *args)
        lines = out.stderr.strip().splitlines()
        assert out.returncode == 2 and len(lines) == 1 and lines[0].startswith("imdb-tfx: error: "), (args, lines)
        assert message in out.stderr and "Traceback" not in out.stderr
        out = run(ENTRY, *args)
        assert out.returncode == 2 and message in out.stderr, (args, out.stderr)


def test_a_model_that_fails_its_canary_or_load_exits_2_with_one_line(tmp_path):
    """What the pipeline's canary component sees for a bad candidate: status 2, one line naming
    the model and why, before the port is bound. Both entry points, run at the same time."""
    nan = models.build_model(str(tmp_path / "nan"), kind="nan")
    corrupt = models.build_corrupt_model(str(tmp_path / "corrupt"))
    runs = [subprocess.Popen([*ENTRY, "--model-dir", nan, "--port", "0"], stderr=subprocess.PIPE, text=True),
            subprocess.Popen([*CLI, "serve", "--model-dir", corrupt, "--port", "0"], stderr=subprocess.PIPE, text=True)]
    (nan_status, nan_err), (corrupt_status, corrupt_err) = [(p.wait(300), p.stderr.read()) for p in runs]
    assert nan_status == 2 and "Traceback" not in nan_err
    assert nan_err.strip().splitlines()[-1] == (f"components.serving: error: {nan}: failed its canary: the canary "
                                                "batch: probability is nan (not a finite number)")
    assert corrupt_status == 2 and "Traceback" not in corrupt_err
    assert corrupt_err.strip().splitlines()[-1].startswith(f"imdb-tfx: error: {corrupt}: cannot load the SavedModel: ")
