"""`imdb-tfx serve` on the small run's pushed model (a real pipeline model, Transform graph and
all): V1 and V2 answers equal the model's own predict_text on the same reviews."""
import sys

import pytest

from components.serving import client, versions
from tests.helpers import models
from tests.unit.components.serving.server_process import start_server

pytestmark = pytest.mark.e2e

REVIEWS = ["A great, excellent film.<br />Loved it!", "Awful and boring, the worst waste.", "",
           "Très bien 🎬", " ".join(["great"] * 20000)]


@pytest.fixture(scope="module")
def served(small_run, tmp_path_factory):
    config, _ = small_run
    server = start_server(tmp_path_factory.mktemp("serve"), "--serving-dir", config.serving_dir,
                          command=(sys.executable, "-m", "app", "serve"))
    yield server, versions.latest(config.serving_dir)
    assert server.stop() == 0, server.log()[-3000:]


def test_the_server_answers_as_the_model_does(served):
    server, model_dir = served
    status = client.wait_ready(server.url, 60)
    assert status["path"] == model_dir
    expected = models.in_process(model_dir, REVIEWS)["probability"]
    predictions = client.predict(server.url, REVIEWS)
    assert [p["probability"] for p in predictions] == pytest.approx(expected, abs=1e-5)
    assert [p["label"] for p in predictions] == ["positive" if p > 0.5 else "negative" for p in expected]
    outputs = {o["name"]: o["data"] for o in client.infer_v2(server.url, REVIEWS)["outputs"]}
    assert outputs["probability"] == pytest.approx(expected, abs=1e-5)
