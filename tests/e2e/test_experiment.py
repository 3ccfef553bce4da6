"""`imdb-tfx experiment`: the grid machinery on a generated corpus (not the figures)."""
import csv
import json
import os

import pytest
import tensorflow as tf

from app import runs
from app.experiments import rows as grids
from app.experiments import running
from pipeline import node_ids
from tests.helpers.pipelines import small_config

pytestmark = pytest.mark.e2e


TINY = dict(hidden_units=(16,), optimizer="adam", learning_rate=0.01, loss_reduction="mean", batch_size=32,
            train_steps=40, evaluations=2, shuffle_buffer_size=1000)


GUARD_EXAMPLES = 40  # corpus.write_guard_set's default: 20 positive and 20 negative reviews
SNIPPET_REVIEWS = 30  # of the 120 test reviews
SNIPPETS = ("snippet_sentence", "snippet_20_words", "snippet_50_words")


@pytest.fixture(scope="module")
def grid_run(tmp_path_factory, small_corpus):
    """A production run, then a grid of every kind of row, on the same metadata store, both with
    a guard set ("short") and snippet sets of 30 test reviews."""
    from pipeline import local_runner
    from tests.helpers import corpus

    data, module = small_corpus
    tmp = tmp_path_factory.mktemp("grid")
    config = small_config(tmp, data, module)
    config.guard_sets = (("short", corpus.write_guard_set(str(tmp / "short.jsonl"))),)
    config.snippet_reviews = SNIPPET_REVIEWS
    local_runner.run(config)
    wide = dict(TINY, head="wide", ngram_size=2, min_count=1, l2=1e-5, train_steps=60)
    lbfgs = dict(head="wide", ngram_size=2, min_count=1, optimizer="lbfgs", l2=1e-3, train_steps=300)
    rows = [
        grids._row("majority", "baseline", head="majority"),
        grids._row("frozen", "tiny module", module=module, **TINY),
        grids._row("regression", "rating", module=module, task="regression", trainable=True, **TINY),
        grids._row("wide", "n-grams", **wide),
        grids._row("ensemble", "averaged", head="ensemble",
                        members=(dict(TINY, module=module, precompute=True), wide)),
        grids._row("tuned", "2 trials", module=module, tune=True, tuner_trials=2, tuner_steps=20, **TINY),
        grids._row("unlabelled", "L-BFGS on reviews and on sentences (the unlabelled reviews' too), weighted by length",
                   head="ensemble", ensemble_weights="eval_by_length",
                   members=(lbfgs, dict(lbfgs, train_on="sentences", unlabelled_margin=0.2))),
    ]
    table = running.run_grid(config, rows, str(tmp / "table"))
    return config, rows, table, str(tmp / "table")


def test_every_row_is_measured(grid_run):
    _, rows, table, _ = grid_run
    assert [r["row"] for r in table] == [r.name for r in rows]
    by_row = {r["row"]: r for r in table}
    for row in table:
        assert row["test_examples"] == 120
        assert 0 <= row["train_accuracy"] <= 1 and 0 <= row["eval_accuracy"] <= 1
        assert os.path.exists(os.path.join(row["model_uri"], "Format-Serving", "saved_model.pb"))
    assert by_row["majority"]["test_accuracy"] == pytest.approx(0.5)
    assert by_row["majority"]["test_auc"] == pytest.approx(0.5)
    assert by_row["majority"]["trainable_params"] == 0
    for name in ("frozen", "wide", "ensemble", "unlabelled"):
        assert by_row[name]["test_accuracy"] >= 0.8, name
    # The 60 unlabelled reviews (ExampleGen's split unsup, for this row only) went through
    # Transform to the Trainer; the review member was sure of most of them (the generated
    # reviews are easy) and their sentences joined the train sentences.
    counts = by_row["unlabelled"]["unlabelled"]
    assert counts["reviews"] == 60 and 30 <= counts["confident"] <= 60 and counts["sentences"] >= counts["confident"]
    assert 0 < counts["positive"] < counts["confident"]
    assert all(by_row[name]["unlabelled"] is None for name in by_row if name != "unlabelled")
    assert by_row["regression"]["test_rmse"] > 0 and by_row["regression"]["test_mae"] > 0
    assert by_row["regression"]["test_accuracy"] >= 0.7
    assert by_row["frozen"]["trainable_params"] < by_row["frozen"]["params"]  # the module is frozen
    assert set(by_row["tuned"]["hyperparameters"]) == {"learning_rate", "hidden_units", "dropout"}


def test_every_row_is_measured_on_the_snippet_and_guard_sets(grid_run):
    """Each row's evaluation has the slices `dataset: NAME` of the guard split (Transform's, read
    through serving_transformed) beside the IMDB test split's 120 reviews."""
    _, _, table, _ = grid_run
    by_row = {r["row"]: r for r in table}
    for row in table:
        for name in SNIPPETS:
            assert 0 <= row[f"{name}_accuracy"] <= 1, (row["row"], name)
            assert row[f"{name}_examples"] == SNIPPET_REVIEWS, (row["row"], name)
        assert 0 <= row["guard_short_accuracy"] <= 1 and row["guard_short_examples"] == GUARD_EXAMPLES, row["row"]
        assert row["test_examples"] == 120
    # The majority baseline gives every text one class: half of the balanced guard set right;
    # the trained models tell its generated reviews apart as they do the test split's.
    assert by_row["majority"]["guard_short_accuracy"] == pytest.approx(0.5)
    for name in ("frozen", "wide", "unlabelled"):
        assert by_row[name]["guard_short_accuracy"] >= 0.7, name


def test_table_files(grid_run):
    _, rows, table, out = grid_run
    with open(os.path.join(out, "experiments.json")) as f:
        assert json.load(f) == table
    with open(os.path.join(out, "experiments.csv")) as f:
        written = list(csv.DictReader(f))
    assert [r["row"] for r in written] == [r.name for r in rows]
    for r in written:
        assert float(r["guard_short_accuracy"]) == pytest.approx(next(
            t["guard_short_accuracy"] for t in table if t["row"] == r["row"]))
        assert float(r["snippet_20_words_examples"]) == SNIPPET_REVIEWS
    with open(os.path.join(out, "experiments.md")) as f:
        md = f.read()
    assert md.startswith("| row | module | trainable | head | task | train acc | eval acc | test acc |")
    header = md.splitlines()[0]
    assert header.endswith("| params | snippet_sentence acc | snippet_20_words acc | snippet_50_words acc "
                           "| short acc |")
    assert "| majority | - | no | majority | classification |" in md
    majority = next(line for line in md.splitlines() if line.startswith("| majority |"))
    assert majority.endswith("| 0.5000 |")  # the guard set's accuracy, last


def test_report_shows_the_table_with_its_snippet_and_guard_columns(grid_run):
    from app.report import run_outputs as report_data
    from app.report import page

    _, _, _, out = grid_run
    for ext in ("json", "csv"):
        section = page.experiments_section(report_data.load_experiments(os.path.join(out, f"experiments.{ext}")))
        for key in ("snippet_sentence_accuracy", "snippet_50_words_examples", "guard_short_accuracy"):
            assert f"<th>{key}</th>" in section, (ext, key)


def test_experiments_leave_production_alone(grid_run):
    config, _, table, _ = grid_run
    from ml_metadata.proto import metadata_store_pb2

    store = runs.open_store(config.metadata_path)
    # One push (the production run's); no experiment model is ever blessed.
    assert len(store.get_artifacts_by_type("PushedModel")) == 1
    blessed = [a for a in store.get_artifacts_by_type("ModelBlessing")
               if a.custom_properties.get("blessed") and a.custom_properties["blessed"].int_value == 1]
    assert len(blessed) == 1
    summary = runs.run_summary(config.metadata_path)
    assert summary["evaluation_uri"] not in {r["evaluation_uri"] for r in table}
    # The upstream components ran once for the production run, every row reused them; and once
    # more with split unsup for the row that learns from the unlabelled reviews.
    types = {t.id: t.name.split(".")[-1] for t in store.get_execution_types()}
    ran = [types[e.type_id] for e in store.get_executions()
           if e.last_known_state == metadata_store_pb2.Execution.COMPLETE]
    assert ran.count("FileBasedExampleGen") == 2 and ran.count("StatisticsGen") == 2
    # Transform ran for production (train and eval only), and for the experiments' production
    # features, n-grams, n-grams beside precomputed vectors (test and guard too), and n-grams with unsup.
    assert ran.count("Transform") == 5
    # A row with the production features evaluated the experiments' Transform of them: the
    # production Trainer's examples (train, eval), plus the test and guard splits.
    Event = metadata_store_pb2.Event
    frozen = next(r for r in table if r["row"] == "frozen")
    (evaluation,) = store.get_artifacts_by_uri(frozen["evaluation_uri"])
    (evaluated,) = runs.linked(store, evaluation.id, Event.OUTPUT, "Evaluator", "examples")
    production_model = runs.node_output(store, node_ids.TRAINER, "model")
    (trained_on,) = runs.linked(store, production_model.id, Event.OUTPUT, "Trainer", "examples")
    assert evaluated.id != trained_on.id
    assert sorted(json.loads(evaluated.properties["split_names"].string_value)) == ["eval", "guard", "test", "train"]
    assert sorted(json.loads(trained_on.properties["split_names"].string_value)) == ["eval", "train"]
    # Split guard's rows, without a rating, got rating 0 and kept their dataset.
    rows = [tf.train.Example.FromString(r.numpy()) for r in tf.data.TFRecordDataset(
        tf.io.gfile.glob(os.path.join(evaluated.uri, "Split-guard", "*")), compression_type="GZIP")]
    short = [r.features.feature for r in rows if r.features.feature["dataset"].bytes_list.value == [b"short"]]
    assert short and all(f["rating"].int64_list.value == [0] for f in short)
    # The unlabelled row's Trainer read Transform's split unsup too, whose rows have label -1.
    model = next(r for r in table if r["row"] == "unlabelled")["model_uri"]
    (model_artifact,) = store.get_artifacts_by_uri(model)
    (examples,) = runs.linked(store, model_artifact.id, Event.OUTPUT, "Trainer", "examples")
    assert sorted(json.loads(examples.properties["split_names"].string_value)) == [
        "eval", "guard", "test", "train", "unsup"]
    unsup = [tf.train.Example.FromString(r.numpy()) for r in tf.data.TFRecordDataset(
        tf.io.gfile.glob(os.path.join(examples.uri, "Split-unsup", "*")), compression_type="GZIP")]
    assert len(unsup) == 60 and all(r.features.feature["label"].int64_list.value == [-1] for r in unsup)


def test_wide_model_serves_raw_text(grid_run):
    _, _, table, _ = grid_run
    uri = next(r["model_uri"] for r in table if r["row"] == "ensemble")
    model = tf.saved_model.load(os.path.join(uri, "Format-Serving"))
    prob = model.signatures["predict_text"](text=tf.constant(["great excellent film", "awful boring", ""]))
    prob = prob["probability"].numpy()[:, 0]
    assert prob[0] > 0.5 > prob[1]


def test_length_weighted_ensemble_serves_short_and_long_text(grid_run):
    _, _, table, _ = grid_run
    row = next(r for r in table if r["row"] == "unlabelled")
    model = tf.saved_model.load(os.path.join(row["model_uri"], "Format-Serving"))
    long_positive = "The plot was great and the actor was excellent. " * 4 + "A wonderful film."
    texts = ["great excellent", "awful boring", long_positive, "The story was dull. The scene was horrible.", ""]
    prob = model.signatures["predict_text"](text=tf.constant(texts))["probability"].numpy()[:, 0]
    assert prob[0] > 0.5 > prob[1] and prob[2] > 0.5 > prob[3]
    # The weights were chosen per length bucket on the eval reviews and their snippets.
    weights = row["ensemble_weights"]
    assert weights["bounds"] == [15, 30, 60, 120] and len(weights["weights"]) == 5
    assert all(abs(sum(w) - 1) < 1e-6 for w in weights["weights"])


def test_rerun_of_a_row_comes_from_the_cache(grid_run):
    config, rows, table, out = grid_run
    again = running.run_grid(config, rows[:1], out + "-again")
    assert again[0]["model_uri"] == table[0]["model_uri"]
    assert again[0]["test_accuracy"] == table[0]["test_accuracy"]
