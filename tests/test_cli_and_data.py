"""The command line's start-up and errors, the anomalies gate, and downloading the data."""
import functools
import http.server
import os
import subprocess
import sys
import threading

import pandas as pd
import pytest

from data import dataset
from tests import corpus

CLI = [sys.executable, "-m", "pipeline.cli"]


def run_cli(*args, **kwargs):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300, **kwargs)


def test_help_does_not_import_tensorflow():
    code = ("import sys; from pipeline import cli; cli.build_parser().format_help(); "
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
    from pipeline import cli

    args = cli.build_parser().parse_args(["run", "--preset", "best"])
    best = cli.training_config(args)
    assert best.head == "ensemble" and [m.head for m in best.member_configs()] == ["wide", "dnn"]
    assert "ngrams" in best.transform_options() and "embed_module" not in best.transform_options()
    args = cli.build_parser().parse_args(["run", "--trainable", "--optimizer", "ftrl", "--train-steps", "5"])
    assert cli.training_config(args).optimizer == "ftrl" and cli.training_config(args).train_steps == 5
    args = cli.build_parser().parse_args(["run", "--optimizer", "proximal_adagrad", "--optimizer-l1", "0.001",
                                          "--optimizer-l2", "0.002"])
    proximal = cli.training_config(args)
    assert (proximal.optimizer, proximal.optimizer_l1, proximal.optimizer_l2) == ("proximal_adagrad", 0.001, 0.002)


def test_anomalies_stop_the_run(tmp_path):
    """A split that breaks the schema makes AnomaliesGate fail, naming the feature."""
    import tensorflow_data_validation as tfdv
    from tfx.types import artifact_utils, standard_artifacts

    from components.validation import DataAnomaliesError, AnomaliesGate, find_anomalies
    from pipeline.configs import SCHEMA_PATH

    schema = tfdv.load_schema_text(SCHEMA_PATH)
    anomalies = standard_artifacts.ExampleAnomalies()
    anomalies.uri = str(tmp_path)
    anomalies.split_names = artifact_utils.encode_split_names(["train", "test"])
    good = {"text": ["fine"], "label": [1], "rating": [9], "review_id": ["train/pos/1"]}
    bad = {"text": ["fine"], "label": [3], "rating": [9], "review_id": ["test/pos/1"]}
    for split, row in (("train", good), ("test", bad)):
        stats = tfdv.generate_statistics_from_dataframe(pd.DataFrame(row))
        result = tfdv.validate_statistics(stats, schema)
        path = os.path.join(artifact_utils.get_split_uri([anomalies], split), "SchemaDiff.pb")
        os.makedirs(os.path.dirname(path))
        with open(path, "wb") as f:
            f.write(result.SerializeToString())

    found = find_anomalies(anomalies)
    assert len(found) == 1 and found[0].startswith("test: label:")
    executor = AnomaliesGate.EXECUTOR_SPEC.executor_class()
    with pytest.raises(DataAnomaliesError, match="test: label:"):
        executor.Do({"anomalies": [anomalies]}, {}, {})


@pytest.fixture()
def http_server(tmp_path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_url_is_downloaded_once_into_the_cache(tmp_path, http_server, monkeypatch, capsys):
    corpus.write_archive(str(tmp_path / "aclImdb_v1.tar.gz"), corpus.corpus_files(n_train=2, n_test=2))
    monkeypatch.setenv("IMDB_TFX_CACHE", str(tmp_path / "cache"))
    source = dataset.resolve_data(f"{http_server}/aclImdb_v1.tar.gz")
    assert source == dataset.DataSource("archive", str(tmp_path / "cache" / "data" / "aclImdb_v1.tar.gz"))
    assert "Downloading" in capsys.readouterr().err
    os.remove(tmp_path / "aclImdb_v1.tar.gz")  # a second call must not download again
    assert dataset.resolve_data(f"{http_server}/aclImdb_v1.tar.gz") == source


def test_official_url_checks_sha256(tmp_path, http_server, monkeypatch):
    (tmp_path / "aclImdb_v1.tar.gz").write_bytes(b"not the dataset")
    monkeypatch.setattr(dataset, "OFFICIAL_URL", f"{http_server}/aclImdb_v1.tar.gz")
    with pytest.raises(dataset.DataError, match="does not match the official"):
        dataset.download_archive(dataset.OFFICIAL_URL, dest_dir=str(tmp_path / "cache"))
    assert os.listdir(tmp_path / "cache") == []  # nothing half-written is left behind


def test_default_data_prefers_local_copies(tmp_path, monkeypatch):
    monkeypatch.setenv("IMDB_TFX_DATA", str(tmp_path / "mine.tar.gz"))
    (tmp_path / "mine.tar.gz").write_bytes(b"x")
    assert dataset.default_data() == str(tmp_path / "mine.tar.gz")
    monkeypatch.delenv("IMDB_TFX_DATA")
    monkeypatch.setenv("IMDB_TFX_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.chdir(tmp_path)  # no ../shared here
    assert dataset.default_data() == dataset.OFFICIAL_URL
