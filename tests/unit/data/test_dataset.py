"""data.dataset: resolving --data (archive, directory, URL), downloading once, the default."""
import functools
import http.server
import os
import threading

import pytest

from data import dataset
from data.dataset import DataError, DataSource, resolve_data
from tests.helpers import corpus


@pytest.fixture(scope="module")
def files():
    return corpus.corpus_files(n_train=60, n_test=20, n_unsup=5)


def test_resolve_data_errors(tmp_path):
    with pytest.raises(DataError, match="no such file or directory"):
        resolve_data(str(tmp_path / "nope.tar.gz"))
    not_tar = tmp_path / "aclImdb_v1.tar.gz"
    not_tar.write_bytes(b"this is not an archive")
    with pytest.raises(DataError, match="not a tar archive"):
        resolve_data(str(not_tar))
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no train/ and test/ folders"):
        resolve_data(str(tmp_path / "empty"))


def test_resolve_directory_or_its_parent(tmp_path, files):
    root = corpus.write_directory(str(tmp_path / "d"), files)
    assert resolve_data(root) == resolve_data(str(tmp_path / "d")) == DataSource("directory", root)


@pytest.fixture()
def http_server(tmp_path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_url_is_downloaded_once_into_the_cache(tmp_path, http_server, monkeypatch, capsys):
    import hashlib

    archive = corpus.write_archive(str(tmp_path / "aclImdb_v1.tar.gz"), corpus.corpus_files(n_train=2, n_test=2))
    # Only the official URL is downloaded: the loopback server stands in for it, with its sha256.
    monkeypatch.setattr(dataset, "OFFICIAL_URL", f"{http_server}/aclImdb_v1.tar.gz")
    monkeypatch.setattr(dataset, "OFFICIAL_SHA256", hashlib.sha256(open(archive, "rb").read()).hexdigest())
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


def test_only_the_official_url_is_downloaded(tmp_path, http_server, monkeypatch):
    monkeypatch.setenv("IMDB_TFX_CACHE", str(tmp_path / "cache"))
    with pytest.raises(DataError, match="only the official URL"):
        resolve_data(f"{http_server}/aclImdb_v1.tar.gz")
    assert not (tmp_path / "cache").exists()  # nothing attempted, nothing written


def test_an_unreachable_url_is_one_data_error(tmp_path, monkeypatch):
    import socket

    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(dataset, "OFFICIAL_URL", f"http://127.0.0.1:{port}/aclImdb_v1.tar.gz")
    monkeypatch.setenv("IMDB_TFX_CACHE", str(tmp_path / "cache"))
    with pytest.raises(DataError, match="cannot download it .*local copy"):
        resolve_data(dataset.OFFICIAL_URL)
    assert os.listdir(tmp_path / "cache" / "data") == []  # no half-written download left
