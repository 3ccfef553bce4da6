"""V2's per-version routes on REST (GET /v2/models/NAME/versions/N[/ready]) against the
session's protocols server (conftest.py, two versions held), and the requests for a model the
server does not serve: each a JSON error with its status, logged as one line, no traceback.
"""
import time

import pytest

from components.serving import client
from tests.unit.components.serving.conftest import NEW, OLD


@pytest.mark.parametrize("version", [OLD, NEW])
def test_a_held_versions_metadata_and_readiness(kept, version):
    code, metadata = client.request(f"{kept.url}/v2/models/imdb/versions/{version}")
    assert code == 200, metadata
    assert metadata["name"] == "imdb" and metadata["versions"] == [str(version)]
    assert [(t["name"], t["datatype"]) for t in metadata["inputs"]] == [("text", "BYTES")]
    assert [t["name"] for t in metadata["outputs"]] == ["probability", "label"]
    assert client.request(f"{kept.url}/v2/models/imdb/versions/{version}/ready") == (200, {"name": "imdb", "ready": True})


@pytest.mark.parametrize("path,status,message", [
    ("/v2/models/imdb/versions/12", 404, "version 12 is not loaded; the versions this server holds: "
                                         f"{NEW}, {OLD}"),
    ("/v2/models/imdb/versions/12/ready", 404, "version 12 is not loaded"),
    ("/v2/models/imdb/versions/v2", 400, "version 'v2' is not a number"),
    ("/v2/models/other/versions/1", 404, "other"),
    ("/v2/models/other", 404, "other"),
    ("/v2/models/other/ready", 404, "other"),
    ("/v1/models/imdb:predict", 405, "predict takes a POST"),
])
def test_bad_version_and_model_requests_are_one_line_errors(kept, path, status, message):
    before = kept.server.log()
    code, answer = client.request(kept.url + path)
    assert code == status and message in answer["error"], answer
    time.sleep(0.2)  # the server's log line
    added = kept.server.log()[len(before):]
    assert "Traceback" not in added and len(added.strip().splitlines()) == 1, added
    client.predict(kept.url, ["still answering?"])


def test_an_unknown_models_predict_is_one_line(kept):
    before = kept.server.log()
    for path in ("/v1/models/other:predict", "/v2/models/other/infer"):
        code, answer = client.request(kept.url + path, b'{"instances": ["x"], "inputs": []}')
        assert code == 404 and "other" in answer["error"], (path, answer)
    time.sleep(0.2)
    assert "Traceback" not in kept.server.log()[len(before):]
