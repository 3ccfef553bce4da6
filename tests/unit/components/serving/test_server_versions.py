"""Versions on a running server, over real HTTP: it waits for a first version, picks up a pushed
one without failing a request in flight, refuses broken ones (NaN canary, corrupt SavedModel,
no predict_text) while the served one keeps answering, never loads a half-written directory,
serves a regression model's rating, and rolls back when a version directory is removed.

The tests run in order on one server (a module-scoped fixture), each pushing the next version.
"""
import os
import shutil
import threading
import time

import pytest

from components.serving import client
from tests.helpers import models
from tests.unit.components.serving.server_process import start_server

POLL = "0.2"
TEXTS = ["A wonderful film.", "Dull and far too long.", "", "ok " * 50]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    return {"v1": models.build_model(str(root / "v1"), seed=1), "v2": models.build_model(str(root / "v2"), seed=2),
            "v6": models.build_model(str(root / "v6"), seed=6),
            "regression": models.build_model(str(root / "reg"), seed=3, regression=True),
            "nan": models.build_model(str(root / "nan"), kind="nan"),
            "corrupt": models.build_corrupt_model(str(root / "corrupt")),
            "no_signature": models.build_model_without_predict_text(str(root / "nosig"))}


@pytest.fixture(scope="module")
def serving_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("serving"))


@pytest.fixture(scope="module")
def server(tmp_path_factory, serving_dir):
    process = start_server(tmp_path_factory.mktemp("log"), "--serving-dir", serving_dir, "--poll-seconds", POLL)
    yield process
    assert process.stop() == 0, process.log()[-3000:]


def wait_for(server, condition, what: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.status(server.url)
        if condition(status):
            return status
        time.sleep(0.1)
    pytest.fail(f"{what} not seen in {timeout} s; status {status}\n{server.log()[-2000:]}")


def probabilities(server, texts=TEXTS):
    return [p["probability"] for p in client.predict(server.url, texts)]


def test_an_empty_serving_dir_is_waited_on(server):
    status = client.status(server.url)
    assert status["ready"] is False and status["version"] is None
    assert client.request(server.url + "/v2/health/ready") == (503, {"ready": False})
    code, answer = client.request(server.url + "/v1/models/imdb:predict", b'{"instances": ["a"]}')
    assert code == 503 and "not ready" in answer["error"]


def test_the_first_version_is_served(server, serving_dir, built):
    models.push(built["v1"], serving_dir, 100)
    client.wait_ready(server.url, 30)
    assert client.status(server.url)["version"] == "100"
    assert probabilities(server) == pytest.approx(models.in_process(built["v1"], TEXTS)["probability"], abs=1e-5)


def test_a_pushed_version_is_picked_up_without_failing_requests_in_flight(server, serving_dir, built):
    old = models.in_process(built["v1"], TEXTS)["probability"]
    new = models.in_process(built["v2"], TEXTS)["probability"]
    assert old != pytest.approx(new, abs=1e-3)
    seen, errors, stop = [], [], threading.Event()

    def traffic():
        while not stop.is_set():
            try:
                seen.append(probabilities(server))
            except Exception as e:  # noqa: BLE001  (any failure is the test's finding)
                errors.append(e)

    threads = [threading.Thread(target=traffic) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    models.push(built["v2"], serving_dir, 200)
    wait_for(server, lambda s: s["version"] == "200", "version 200 served")
    time.sleep(0.3)
    stop.set()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    assert seen[0] == pytest.approx(old, abs=1e-5) and seen[-1] == pytest.approx(new, abs=1e-5)
    assert all(s == pytest.approx(old, abs=1e-5) or s == pytest.approx(new, abs=1e-5) for s in seen)
    assert probabilities(server) == pytest.approx(new, abs=1e-5)


@pytest.mark.parametrize("kind,version,why", [
    ("nan", 300, "failed its canary: the canary batch: probability is nan (not a finite number)"),
    ("corrupt", 400, "cannot load the SavedModel"),
    ("no_signature", 500, "the model has no predict_text signature (has: serving_default)"),
])
def test_a_broken_version_is_refused_and_the_old_one_keeps_answering(server, serving_dir, built, kind, version, why):
    models.push(built[kind], serving_dir, version)
    status = wait_for(server, lambda s: str(version) in s["refused"], f"version {version} refused")
    assert why in status["refused"][str(version)]
    assert status["version"] == "200" and status["ready"] is True
    entry = next(e for e in status["model_version_status"] if e["version"] == str(version))
    assert entry["state"] == "END" and why in entry["status"]["error_message"]
    assert f"version {version} refused" in server.log()
    assert probabilities(server) == pytest.approx(models.in_process(built["v2"], TEXTS)["probability"], abs=1e-5)


def test_a_half_written_version_is_not_loaded(server, serving_dir, built):
    """saved_model.pb first, variables later (a copy that is not a rename): loaded only once whole."""
    target = os.path.join(serving_dir, "600")
    os.makedirs(target)
    shutil.copy(os.path.join(built["v6"], "saved_model.pb"), target)
    time.sleep(1.5)  # several polls, past the settle time
    status = client.status(server.url)
    assert status["version"] == "200" and "600" not in status["refused"], status
    shutil.copytree(os.path.join(built["v6"], "variables"), os.path.join(target, "variables"))
    wait_for(server, lambda s: s["version"] == "600", "version 600 served")
    assert probabilities(server) == pytest.approx(models.in_process(built["v6"], TEXTS)["probability"], abs=1e-5)


def test_a_regression_version_answers_its_rating(server, serving_dir, built):
    models.push(built["regression"], serving_dir, 700)
    wait_for(server, lambda s: s["version"] == "700", "version 700 served")
    expected = models.in_process(built["regression"], TEXTS)
    predictions = client.predict(server.url, TEXTS)
    assert [p["rating"] for p in predictions] == pytest.approx(expected["rating"], abs=1e-5)
    assert [p["probability"] for p in predictions] == pytest.approx(expected["probability"], abs=1e-5)
    rating = next(o for o in client.infer_v2(server.url, TEXTS)["outputs"] if o["name"] == "rating")
    assert rating["data"] == pytest.approx(expected["rating"], abs=1e-5)


def test_removing_the_served_version_rolls_back(server, serving_dir, built):
    shutil.rmtree(os.path.join(serving_dir, "700"))
    wait_for(server, lambda s: s["version"] == "600", "rollback to version 600")
    assert probabilities(server) == pytest.approx(models.in_process(built["v6"], TEXTS)["probability"], abs=1e-5)
    assert "rating" not in client.predict(server.url, ["x"])[0]
