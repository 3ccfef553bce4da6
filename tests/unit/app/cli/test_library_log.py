"""`imdb-tfx predict` and `report` as quiet as `run`: TensorFlow's messages go to a log file
(app/cli/library_log.py) unless --verbose; stdout keeps the command's output."""
import glob
import json
import os
import subprocess
import sys

from app.cli.library_log import quiet_stderr
from tests.helpers import models

CLI = [sys.executable, "-m", "app"]


def test_fd_2_and_warnings_go_to_the_log_and_the_commands_lines_to_the_terminal(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("IMDB_TFX_CACHE", str(tmp_path))
    with quiet_stderr("report") as terminal:
        os.write(2, b"E0000 Unable to register cuDNN factory\n")  # as TensorFlow's C++ log writes it
        print("DeprecationWarning: a deprecation", file=sys.stderr)  # as the warnings module writes it
        print("imdb-tfx: wrote report.html", file=terminal)
    captured = capfd.readouterr()
    assert "imdb-tfx: wrote report.html" in captured.err
    assert "Unable to register" not in captured.err and "deprecation" not in captured.err
    [log] = glob.glob(str(tmp_path / "logs" / "report-*.log"))
    logged = open(log).read()
    assert "Unable to register cuDNN factory" in logged and "a deprecation" in logged
    os.write(2, b"after the block\n")  # fd 2 is the terminal's again
    assert "after the block" in capfd.readouterr().err


def test_an_empty_log_is_removed_and_verbose_redirects_nothing(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("IMDB_TFX_CACHE", str(tmp_path))
    with quiet_stderr("predict"):
        pass
    assert not glob.glob(str(tmp_path / "logs" / "*.log"))
    with quiet_stderr("predict", verbose=True) as terminal:
        os.write(2, b"shown\n")
        assert terminal is sys.stderr
    assert "shown" in capfd.readouterr().err and not glob.glob(str(tmp_path / "logs" / "*.log"))


def test_predict_prints_only_its_own_lines_on_stderr(tmp_path):
    model = models.build_model(str(tmp_path / "model"))
    env = {**os.environ, "IMDB_TFX_CACHE": str(tmp_path / "cache")}
    out = subprocess.run([*CLI, "predict", "--model", model, "A wonderful film."], capture_output=True, text=True,
                         timeout=300, env=env)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["label"] in ("positive", "negative")
    assert [line for line in out.stderr.splitlines() if not line.startswith("imdb-tfx: ")] == [], out.stderr
    [log] = glob.glob(str(tmp_path / "cache" / "logs" / "predict-*.log"))
    assert open(log).read().strip()  # what TensorFlow printed is kept
