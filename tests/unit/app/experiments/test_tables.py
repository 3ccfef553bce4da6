"""app.experiments.tables and datasets: the table's snippet and guard set columns in Markdown, CSV and JSON."""
import csv
import json

from app.experiments import datasets, tables

SNIPPETS = ("snippet_sentence", "snippet_20_words", "snippet_50_words")


def metrics(accuracy, examples):
    return {"accuracy": accuracy, "examples": examples, "baseline_accuracy": None}


def row(name, guard_sets=None, snippets=None, **values):
    """A table row as running.row_result makes it, with the given datasets (app.runs.dataset_metrics' shape)."""
    return {"row": name, "module": "glove", "trainable": False, "head": "dnn 16", "task": "classification",
            "test_accuracy": 0.8, "params": 10, **datasets.row_columns(guard_sets or {}, snippets or {}), **values}


def test_row_columns_are_flat_keys_snippets_first_then_guard_sets_by_name():
    columns = datasets.row_columns({"tweets": metrics(0.7, 40), "b": metrics(0.6, 10)},
                                   {"snippet_20_words": metrics(0.75, 30), "snippet_sentence": metrics(0.65, 30),
                                    "snippet_50_words": metrics(0.8, 30)})
    assert list(columns) == [
        "snippet_sentence_accuracy", "snippet_sentence_examples", "snippet_20_words_accuracy",
        "snippet_20_words_examples", "snippet_50_words_accuracy", "snippet_50_words_examples",
        "guard_b_accuracy", "guard_b_examples", "guard_tweets_accuracy", "guard_tweets_examples"]
    assert columns["snippet_20_words_accuracy"] == 0.75 and columns["guard_tweets_examples"] == 40
    # Without snippet sets their keys are still there, empty; a guard set's only where it was measured.
    assert datasets.row_columns({}, {}) == {f"{name}_{what}": None for name in SNIPPETS
                                           for what in ("accuracy", "examples")}


def test_a_guard_set_named_like_a_column_does_not_overwrite_it():
    r = row("a", {"test": metrics(0.55, 8), "x_examples": metrics(0.6, 9)})
    assert r["test_accuracy"] == 0.8 and r["guard_test_accuracy"] == 0.55
    assert datasets.guard_set_names([r]) == ["test", "x_examples"]


def test_markdown_has_the_columns_in_a_stable_order_and_a_dash_where_a_row_has_none():
    table = [row("with", {"zeta": metrics(0.5, 4), "alpha": metrics(0.25, 4)},
                 {name: metrics(0.625, 30) for name in SNIPPETS}),
             row("without")]
    titles = [title for _, title in tables.columns(table)]
    assert titles == [t for _, t in tables.COLUMNS] + [
        "snippet_sentence acc", "snippet_20_words acc", "snippet_50_words acc", "alpha acc", "zeta acc"]
    header, _, with_sets, without = tables.markdown(table).splitlines()[:4]
    assert header.endswith("| params | snippet_sentence acc | snippet_20_words acc | snippet_50_words acc "
                           "| alpha acc | zeta acc |")
    assert with_sets.endswith("| 10 | 0.6250 | 0.6250 | 0.6250 | 0.2500 | 0.5000 |")
    assert without.endswith("| 10 | - | - | - | - | - |")


def test_markdown_without_guard_sets_still_has_the_snippet_columns():
    titles = [title for _, title in tables.columns([row("plain")])]
    assert titles[-3:] == ["snippet_sentence acc", "snippet_20_words acc", "snippet_50_words acc"]
    assert len(titles) == len(tables.COLUMNS) + 3


def test_csv_and_json_have_every_dataset_key(tmp_path):
    table = [row("a", {"short": metrics(0.5, 40)}, {name: metrics(0.75, 30) for name in SNIPPETS},
                 hyperparameters={"dropout": 0.1})]
    paths = tables.write_table(table, str(tmp_path))
    with open(paths["json"]) as f:
        assert json.load(f) == table
    with open(paths["csv"]) as f:
        (written,) = csv.DictReader(f)
    for name in SNIPPETS:
        assert (written[f"{name}_accuracy"], written[f"{name}_examples"]) == ("0.75", "30")
    assert (written["guard_short_accuracy"], written["guard_short_examples"]) == ("0.5", "40")
    assert json.loads(written["hyperparameters"]) == {"dropout": 0.1}
    with open(paths["md"]) as f:
        assert "| snippet_sentence acc | snippet_20_words acc | snippet_50_words acc | short acc |" in f.read()
