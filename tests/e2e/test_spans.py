"""`imdb-tfx run` over spans (docs/spans.md), end to end on generated data, one store, spans
with gaps (1, 3, 5):

span 1 (an aclImdb tree) trains and pushes (nothing to compare its drift with); span 3 (JSON
lines of the same distribution, its test split a held-out part) passes the drift checks, reads
the window of spans 1 and 3 (the two newest: there is no span 2), trains warm from span 1's
model, is blessed against the served model and pushed; span 5 (short off-topic texts, 90%
negative), with --drift-action block, is flagged against spans 1 and 3 and stopped with exit
status 5: no new Trainer execution in the store, nothing pushed. In a new store, span 3's run
ingests span 1 first, so that its Trainer reads the same window."""
import glob
import json
import os
import random
import re
import subprocess
import sys

import pytest

from app.cli import status
from tests.helpers import corpus
from tests.helpers.paths import ROOT

pytestmark = pytest.mark.e2e

TINY = ["--hidden-units", "16", "--optimizer", "adam", "--learning-rate", "0.01", "--loss-reduction", "mean",
        "--batch-size", "32", "--train-steps", "60", "--evaluations", "2", "--eval-percent", "20",
        "--snippet-reviews", "0", "--accuracy-lower-bound", "0.7"]
OFF_TOPIC = ["weather", "traffic", "invoice", "printer", "parking", "battery", "delivery", "router"]


def labelled_rows(n: int, seed: int, shifted: bool = False) -> list[dict]:
    """n rows like corpus.review_text's (ratings as in the aclImdb corpus) or, `shifted`, short
    off-topic texts, 90% of them negative."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        positive = rng.random() < 0.1 if shifted else i % 2 == 0
        if shifted:
            words = [rng.choice(OFF_TOPIC) for _ in range(rng.randint(2, 4))]
            words.insert(rng.randrange(len(words) + 1), rng.choice(corpus.POSITIVE if positive else corpus.NEGATIVE))
            text = " ".join(words).capitalize() + "."
        else:
            text = corpus.review_text(rng, positive)
        rows.append({"text": text, "label": int(positive),
                     "rating": rng.randint(7, 10) if positive else rng.randint(1, 4)})
    return rows


def write_jsonl(path, rows) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("".join(json.dumps(row) + "\n" for row in rows))


@pytest.fixture(scope="module")
def spans_root(tmp_path_factory, small_corpus):
    root = tmp_path_factory.mktemp("spans")
    corpus.write_directory(str(root / "data" / "span-1"), corpus.corpus_files(n_train=120, n_test=50, seed=11))
    # spans with gaps (no 2, no 4): the window and the drift reference are the newest spans the store has
    write_jsonl(str(root / "data" / "span-3" / "reviews.jsonl"), labelled_rows(320, seed=12))
    write_jsonl(str(root / "data" / "span-5" / "reviews.jsonl"), labelled_rows(320, seed=13, shifted=True))
    return root


def run(root, module, span, *extra, store="root"):
    """`imdb-tfx run` in its own process (as a user runs it: exit status, stdout, stderr)."""
    done = subprocess.run([sys.executable, "-m", "app", "run", "--data", str(root / "data"), "--span", str(span),
                           "--window", "2", "--module", module, "--pipeline-root", str(root / store),
                           "--serving-dir", str(root / f"{store}-serving"), *TINY, *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    out, err, code = done.stdout, done.stderr, done.returncode
    assert out.startswith("{"), f"stdout is not the JSON summary alone (exit {code}); stderr ends:\n{err[-3000:]}"
    return code, json.loads(out), err


def trainer_executions(store_path) -> int:
    from app import runs
    from pipeline import node_ids

    store = runs.open_store(store_path)
    return sum(len(store.get_executions_by_context(c.id)) for c in runs.node_contexts(store, node_ids.TRAINER))


def test_spans_drift_and_block(spans_root, small_corpus):
    _, module = small_corpus
    root = spans_root
    store = f"{root / 'root'}.metadata.sqlite"

    code, summary, err = run(root, module, 1)
    assert code == status.OK, err[-3000:]
    assert summary["span"] == 1 and summary["window"] == 2 and summary["window_spans"] == [1]
    assert summary["pushed"] and summary["blessed"]
    assert not summary["drift"]["detected"] and "imdb-tfx: drift: " in err
    first = summary["pushed_model"]

    code, summary, err = run(root, module, 3)
    assert code == status.OK, err[-3000:]
    assert summary["span"] == 3 and summary["window_spans"] == [1, 3]  # the two newest up to 3, not 2..3
    assert "ingesting" not in err  # span 1 is in the store: transformed once, by the first run
    drift = summary["drift"]
    assert not drift["detected"], drift["explanation"]
    assert drift["checks"] and drift["reference"]["size"] >= 100 and drift["current"]["size"] >= 100
    assert summary["blessed"] and summary["pushed"] and summary["blessing"]["baseline_model"]
    assert summary["warm_start"]["from"], summary["warm_start"]  # the Trainer started from span 1's model
    # span 3's reviews are new to span 1's model, span 1's are not: more than none, less than all
    new = re.search(r"\((\d+)% of this window's [\d,]+ train reviews new to it\)", summary["warm_start"]["reason"])
    assert new and 0 < int(new.group(1)) < 100, summary["warm_start"]["reason"]
    second = summary["pushed_model"]
    assert second != first
    # the pushed model records the raw examples of its window (the drift reference where no
    # span resolver runs: a compiled Kubeflow pipeline)
    from components import training_data_record

    recorded = training_data_record.read_model_record(second)
    assert recorded and sorted(e["span"] for e in recorded) == [1, 3], recorded
    assert all(os.path.isdir(os.path.join(e["uri"], "Split-train")) and "FileBasedExampleGen" in e["uri"]
               for e in recorded)
    # each evaluation keeps its candidate's predictions and transformed features for the next one's baseline
    for kept in ("predictions", "transformed_features"):
        assert len(glob.glob(str(root / "root" / "Evaluator" / "evaluation" / "*" / kept / "*" / "part-*.npz"))) >= 2
    trained = trainer_executions(store)
    served = sorted(os.listdir(root / "root-serving"))

    page = root / "report.html"  # the report shows span 3's drift check and both runs
    done = subprocess.run([sys.executable, "-m", "app", "report", "--metadata-path", store, "--output", str(page)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == status.OK, done.stderr[-3000:]
    html = page.read_text()
    assert "Drift of the newest span" in html and "domain_classifier" in html
    assert "Runs: test metrics across spans and pushed versions" in html
    assert html.count(f"<td>{os.path.basename(second)}</td>") == 1, "the second run's pushed version"

    code, summary, err = run(root, module, 5, "--drift-action", "block")
    assert code == status.DRIFT_BLOCKED, err[-3000:]
    assert summary["span"] == 5 and summary["blocked_by_drift"] and not summary["pushed"]
    assert summary["drift"]["detected"] and any(c["detected"] for c in summary["drift"]["checks"])
    assert "vs span 1, 3 (train+eval)" in summary["drift"]["one_line"]
    assert "imdb-tfx: stopped by the drift check (exit status 5): drift blocked the run before training" in err
    assert "nothing trained or pushed" in err
    assert trainer_executions(store) == trained and not summary["trained"]
    assert sorted(os.listdir(root / "root-serving")) == served


def test_a_new_store_ingests_the_window_first(spans_root, small_corpus):
    """Span 3 with a window of 2 in an empty store: span 1 (the newest before it: there is no
    span 2) is ingested and transformed first (pipeline/window_backfill.py), so that the Trainer
    reads both spans, as in a store that ran span 1."""
    _, module = small_corpus
    code, summary, err = run(spans_root, module, 3, store="fresh")
    assert code == status.OK, err[-3000:]
    assert "imdb-tfx: the window's span(s) 1 not in the store yet: ingesting them first" in err
    assert "the Trainer reads the last 2 span(s) (TFX's LatestSpan): spans 1, 3;" in err
    assert summary["span"] == 3 and summary["window_spans"] == [1, 3]
    assert summary["warm_start"]["from"] is None  # nothing blessed in this store before
