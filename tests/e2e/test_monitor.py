"""The served traffic watched, end to end on the small run's pushed model: `imdb-tfx serve
--request-log` logs every answered prediction (none lost by a SIGTERM under load, none twice),
`imdb-tfx monitor` finds no drift in traffic like the training data and flags generated
off-topic texts (status 3), and its `--export`, once labelled, is a labelled span file."""
import concurrent.futures
import html
import json
import os
import random
import subprocess
import sys
import time

import pytest

from components.serving import client
from components.serving.request_log import log_files
from tests.helpers import corpus
from tests.unit.components.serving.server_process import start_server

pytestmark = pytest.mark.e2e

N = 150  # texts a side: more than monitor's minimum (100)
TOPICS = ["the pasta", "our waiter", "the hotel room", "my phone", "the battery", "the delivery", "the pizza",
          "customer service", "the laptop", "the weather"]
VERDICTS = ["arrived cold", "was rude", "broke after a week", "tasted fine", "was fast", "is too loud",
            "came late again", "works well", "smelled odd", "needs a charger"]


def off_topic(rng: random.Random) -> str:
    """A short text of another kind: a product, restaurant or weather remark, not a film review."""
    return f"{rng.choice(TOPICS).capitalize()} {rng.choice(VERDICTS)} #{rng.randint(1, 99)}"


def monitor(*flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", "monitor", *flags], capture_output=True, text=True, timeout=300)


def send(url: str, texts: list[str], per_request: int = 5) -> None:
    for i in range(0, len(texts), per_request):
        client.predict(url, texts[i:i + per_request])


@pytest.fixture(scope="module")
def served(small_run, tmp_path_factory):
    config, _ = small_run
    tmp = tmp_path_factory.mktemp("monitor")
    server = start_server(tmp, "--serving-dir", config.serving_dir, "--request-log", str(tmp / "requests"),
                          command=(sys.executable, "-m", "app", "serve"))
    client.wait_ready(server.url, 60)
    yield config, server, tmp
    server.stop()


def test_traffic_like_the_training_data_passes_and_off_topic_traffic_is_flagged(served):
    config, server, tmp = served
    rng = random.Random(11)
    send(server.url, [corpus.review_text(rng, i % 2 == 0) for i in range(N)])
    time.sleep(1.5)  # flushed within a second
    log = str(tmp / "requests")
    page = tmp / "page.html"
    alike = monitor("--request-log", log, "--last", str(N), "--metadata-path", config.metadata_path,
                    "--output", str(page))
    assert alike.returncode == 0, alike.stderr[-3000:]
    drift = json.loads(alike.stdout)["drift"]
    assert not drift["detected"] and not drift["insufficient"] and drift["current"]["size"] == N
    assert {c["name"] for c in drift["checks"]} >= {"token_js", "domain_classifier", "length"}
    assert alike.stderr.startswith("imdb-tfx monitor: drift: none") and len(alike.stderr.splitlines()) == 1  # no TF noise
    assert "<html" in page.read_text() and html.escape(drift["explanation"]) in page.read_text()

    send(server.url, [off_topic(rng) for _ in range(N)])
    time.sleep(1.5)
    shifted = monitor("--request-log", log, "--last", str(N), "--metadata-path", config.metadata_path)
    assert shifted.returncode == 3, shifted.stderr[-3000:]
    drift = json.loads(shifted.stdout)["drift"]
    assert drift["detected"] and any(c["detected"] for c in drift["checks"])
    assert "drift: detected" in shifted.stderr
    # without the store: the served version records its training data (a Kubeflow-compiled pipeline's case)
    by_record = monitor("--request-log", log, "--last", str(N), "--serving-dir", config.serving_dir)
    assert by_record.returncode == 3, by_record.stderr[-3000:]
    assert json.loads(by_record.stdout)["drift"]["detected"]
    trained_on = json.loads(by_record.stdout)["window"]["training_examples"]
    assert trained_on == json.loads(shifted.stdout)["window"]["training_examples"] and "ExampleGen" in trained_on[0]
    # a version exported before models recorded their data: the store's lineage finds the same examples
    version = json.loads(by_record.stdout)["window"]["model_version"]
    record = os.path.join(config.serving_dir, str(version), "assets.extra", "training_data.json")
    os.rename(record, record + ".aside")
    try:
        by_lineage = monitor("--request-log", log, "--last", str(N), "--metadata-path", config.metadata_path)
        assert by_lineage.returncode == 3 and json.loads(by_lineage.stdout)["drift"]["detected"]
        assert [os.path.abspath(u) for u in json.loads(by_lineage.stdout)["window"]["training_examples"]] == trained_on
        no_record = monitor("--request-log", log, "--last", str(N), "--serving-dir", config.serving_dir)
        assert no_record.returncode == 2 and "records no training data" in no_record.stderr
    finally:
        os.rename(record + ".aside", record)

    few = monitor("--request-log", log, "--last", "20", "--metadata-path", config.metadata_path)
    assert few.returncode == 0 and json.loads(few.stdout)["drift"]["insufficient"]
    assert "too little traffic" in few.stderr


def test_export_labelled_is_a_span_file(served, tmp_path):
    config, server, tmp = served
    rng = random.Random(5)
    texts = [corpus.review_text(rng, i % 2 == 0) for i in range(20)]
    client.predict(server.url, texts)
    time.sleep(1.5)
    exported = tmp_path / "span-2" / "requests.jsonl"
    exported.parent.mkdir()
    result = monitor("--request-log", str(tmp / "requests"), "--last", "20", "--export", str(exported),
                     "--metadata-path", config.metadata_path)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [json.loads(line) for line in exported.read_text().splitlines()]
    assert [r["text"] for r in rows] == list(dict.fromkeys(texts))
    assert all(r["label"] is None and r["request_id"] for r in rows)
    from components.example_gen.errors import ImdbDataError

    try:
        from components.example_gen.labelled_files import read_rows
    except ImportError:  # the spans' reader not there: the guard sets' one has the same rules
        from components.example_gen.guard import read_guard_file as read_rows
    with pytest.raises(ImdbDataError, match="label"):
        read_rows(str(exported))  # unlabelled: refused, nothing unlabelled is trained on
    positive = set(texts[::2])
    exported.write_text("".join(json.dumps({**r, "label": int(r["text"] in positive)}) + "\n" for r in rows))
    read = read_rows(str(exported))
    assert len(read) == len(rows)
    try:
        from components.example_gen import spans
    except ImportError:
        return
    assert spans.span_kind(str(exported.parent))[0] == spans.LABELLED


def test_sigterm_under_load_loses_no_answered_prediction(served):
    """Last in the module: it stops the module's server."""
    _, server, tmp = served
    before = {json.loads(line)["text"] for path in log_files(str(tmp / "requests")) for line in open(path)}
    answered, stop = [], []

    def load(worker: int) -> None:
        i = 0
        while not stop:
            text = f"review {worker}-{i}: a great film"
            try:
                client.predict(server.url, [text], timeout=30)
            except Exception:  # noqa: BLE001  (refused or cut by the stop: not answered)
                return
            answered.append(text)
            i += 1

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        futures = [pool.submit(load, w) for w in range(16)]
        time.sleep(4)
        assert server.stop() == 0, server.log()[-3000:]
        stop.append(True)
        concurrent.futures.wait(futures)
    logged = [json.loads(line)["text"] for path in log_files(str(tmp / "requests")) for line in open(path)]
    logged = [text for text in logged if text not in before]
    assert len(answered) > 20
    assert set(answered) <= set(logged) and len(logged) == len(set(logged))
