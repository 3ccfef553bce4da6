"""app.predict and `imdb-tfx predict`'s input: formats, bad bytes, a missing model."""
import os
import subprocess
import sys

import pytest

from app import predict


def test_read_reviews_detects_the_format():
    assert predict.read_reviews(b"{not json\nsecond", "f") == [{"text": "{not json"}, {"text": "second"}]
    assert predict.read_reviews(b"", "f") == []
    with pytest.raises(predict.InputError, match=r"f:2: a JSON line needs a string field \"text\""):
        predict.read_reviews(b'{"text": "a"}\n{"review": "b"}\n', "f")
    with pytest.raises(predict.InputError, match=r"f:3: not a JSON object"):
        predict.read_reviews(b'{"text": "a"}\n\nplain\n', "f")
    with pytest.raises(predict.InputError, match=r"f:1: a JSON line needs a string field \"text\""):
        predict.read_reviews(b'{"text": 5}\n{"text": "b"}\n', "f")  # not the object's JSON as a review
    bom = b"\xef\xbb\xbf"  # a byte order mark (Windows' Notepad) is not part of the first line
    assert predict.read_reviews(bom + b'{"id": "a", "text": "great"}\r\n', "f") == [{"id": "a", "text": "great"}]
    assert predict.read_reviews(bom + b"great\r\nawful", "f") == [{"text": "great"}, {"text": "awful"}]


def test_invalid_utf8_names_file_and_line(tmp_path):
    """Exit code 2, the place in the message, nothing on stdout (checked before the model loads)."""
    path = tmp_path / "latin1.txt"
    path.write_bytes("fine review\nsecond\ncaf\xe9 terrible\n".encode("latin-1"))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run([sys.executable, "-m", "app", "predict", "--file", str(path)],
                            capture_output=True, env=env)
    assert result.returncode == 2
    assert result.stdout == b""
    assert f"{path}:3: not valid UTF-8 (byte 0xe9 at offset 3)".encode() in result.stderr

    result = subprocess.run([sys.executable, "-m", "app", "predict", "ok", b"caf\xe9"],
                            capture_output=True, env=env)
    assert (result.returncode, result.stdout) == (2, b"")
    assert b"argument 2: not valid UTF-8" in result.stderr


def test_no_pushed_model(tmp_path):
    with pytest.raises(FileNotFoundError, match="no pushed model"):
        predict.latest_model(str(tmp_path))


def test_model_path_without_a_saved_model(tmp_path):
    with pytest.raises(FileNotFoundError, match=f"{tmp_path}: no SavedModel"):
        predict.load(str(tmp_path))


def test_the_newest_complete_version_is_served(tmp_path):
    """A push interrupted mid-copy leaves a version without saved_model.pb: it is passed over."""
    for version, complete in (("100", True), ("200", True), ("300", False)):
        (tmp_path / version / "variables").mkdir(parents=True)
        if complete:
            (tmp_path / version / "saved_model.pb").write_bytes(b"")
    assert predict.latest_model(str(tmp_path)) == str(tmp_path / "200")
    (tmp_path / "200" / "saved_model.pb").unlink()
    (tmp_path / "100" / "saved_model.pb").unlink()
    with pytest.raises(FileNotFoundError, match=r"no pushed model \(3 incomplete version"):
        predict.latest_model(str(tmp_path))


def test_a_broken_newest_version_gives_way_to_the_one_before_as_in_the_server(tmp_path):
    """The server's rules (VersionManager): the newest version that loads is used; a broken one
    is named. `--model` on a broken model: one error naming the directory."""
    from tests.helpers import models

    serving = tmp_path / "serving"
    models.push(models.build_model(str(tmp_path / "good")), str(serving), 100)
    models.push(models.build_corrupt_model(str(tmp_path / "corrupt")), str(serving), 200)
    models.push(models.build_model_without_predict_text(str(tmp_path / "other")), str(serving), 300)
    warnings = []
    path, predict_text = predict.load_newest(str(serving), warnings.append)
    assert path == str(serving / "100")
    assert [w.split(" refused")[0] for w in warnings] == ["version 300", "version 200"]
    assert f"{serving / '200'}: cannot load the SavedModel" in warnings[1]
    assert 0 <= next(predict.probabilities(predict_text, ["a fine film"])) <= 1
    with pytest.raises(predict.ModelError, match=f"{tmp_path / 'corrupt'}: cannot load the SavedModel"):
        predict.load(str(tmp_path / "corrupt"))
    (serving / "100" / "saved_model.pb").write_bytes(b"not a proto")
    with pytest.raises(ValueError, match=f"{serving}: no version can be served"):
        predict.load_newest(str(serving))


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_a_serving_dir_that_is_not_a_directory_is_one_line_before_tensorflow(tmp_path, kind):
    path = tmp_path / "serving"
    if kind == "file":
        path.write_text("x")
    result = subprocess.run([sys.executable, "-m", "app", "predict", "--serving-dir", str(path), "A fine film."],
                            capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout) == (2, "")
    want = "a file, not a directory" if kind == "file" else "no such directory (was a model blessed and pushed?)"
    assert result.stderr.strip() == f"imdb-tfx: error: --serving-dir {path}: {want}"
