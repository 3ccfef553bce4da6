"""app.cli: the command line's start-up and its errors."""
import os
import subprocess
import sys

from tests.helpers import corpus

CLI = [sys.executable, "-m", "app"]


def run_cli(*args, **kwargs):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300, **kwargs)


def test_help_does_not_import_tensorflow():
    code = ("import sys; from app.cli import arguments, main as cli; cli.build_parser().format_help(); "
            "print(sorted(m for m in ('tensorflow', 'tfx', 'apache_beam') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_help_lists_subcommands():
    out = run_cli("--help")
    assert out.returncode == 0
    assert "run" in out.stdout and "build-module" in out.stdout


def test_run_with_missing_data_is_a_clear_error(tmp_path):
    out = run_cli("run", "--data", str(tmp_path / "missing.tar.gz"), "--pipeline-root", str(tmp_path))
    assert out.returncode == 2
    assert f"{tmp_path / 'missing.tar.gz'}: no such file or directory" in out.stderr


def test_run_with_missing_module_is_a_clear_error(tmp_path):
    archive = corpus.write_archive(str(tmp_path / "a.tar.gz"), corpus.corpus_files(n_train=2, n_test=2))
    out = run_cli("run", "--data", archive, "--module", str(tmp_path / "no-module"),
                  "--pipeline-root", str(tmp_path / "root"), "--metadata-path", str(tmp_path / "m.sqlite"))
    assert out.returncode == 2
    assert str(tmp_path / "no-module") in out.stderr and "Traceback" not in out.stderr
    assert not os.path.exists(tmp_path / "m.sqlite")  # failed before the pipeline started


def test_experiment_with_an_unknown_row_is_a_clear_error(tmp_path):
    out = run_cli("experiment", "--rows", "glove-frozen,nope", "--data", str(tmp_path))
    assert out.returncode == 2
    assert "grid 'default' has no row nope" in out.stderr and "Traceback" not in out.stderr


def test_presets_and_training_flags():
    from app.cli import arguments, main as cli

    args = cli.build_parser().parse_args(["run", "--preset", "best"])
    best = arguments.training_config(args)
    assert best.head == "ensemble" and [m.head for m in best.member_configs()] == ["wide", "dnn"]
    assert "ngrams" in best.transform_options() and "embed_module" not in best.transform_options()
    args = cli.build_parser().parse_args(["run", "--trainable", "--optimizer", "ftrl", "--train-steps", "5"])
    assert arguments.training_config(args).optimizer == "ftrl" and arguments.training_config(args).train_steps == 5
    args = cli.build_parser().parse_args(["run", "--optimizer", "proximal_adagrad", "--optimizer-l1", "0.001",
                                          "--optimizer-l2", "0.002"])
    proximal = arguments.training_config(args)
    assert (proximal.optimizer, proximal.optimizer_l1, proximal.optimizer_l2) == ("proximal_adagrad", 0.001, 0.002)
