"""app.report: the blessing section against a baseline with failed thresholds, and experiment tables."""
import math

import pytest

from app.report import run_outputs as report_data
from app.report import page


def test_baseline_comparison_and_failed_thresholds():
    """With a baseline, the overall table compares; failed thresholds are listed per slice."""
    from tensorflow_model_analysis.proto import validation_result_pb2

    from components.evaluator.eval_config import eval_config

    validation = validation_result_pb2.ValidationResult(validation_ok=False)
    failure = validation.metric_validations_per_slice.add()
    failure.slice_key.single_slice_keys.add(column="rating", int64_value=4)
    failure.failures.add(metric_key={"name": "binary_accuracy"}, metric_value={"double_value": {"value": 0.39}},
                         metric_threshold={"value_threshold": {"lower_bound": {"value": 0.7}}})
    ev = {"uri": "eval/2", "config": eval_config(0.7), "validation": validation, "candidate": "model/2",
          "baseline": "model/1", "metrics": {(): {"binary_accuracy": 0.75, "binary_accuracy_diff": -0.05}}}
    section = page.evaluation_section(ev)
    assert "NOT BLESSED" in section and "Baseline: model/1" in section
    assert "<th>candidate</th><th>baseline</th><th>change</th>" in section
    assert "<td>binary_accuracy</td><td>0.75</td><td>0.8</td><td>-0.05</td>" in section
    assert "candidate − baseline ≥ -1e-10" in section
    assert "<td>rating=4</td><td>binary_accuracy</td><td>0.39</td><td>value ≥ 0.7</td>" in section


def test_experiments_from_csv_and_json(tmp_path):
    (tmp_path / "e.csv").write_text("name,accuracy\na,0.8\nb,0.9\n")
    assert report_data.load_experiments(str(tmp_path / "e.csv")) == [{"name": "a", "accuracy": "0.8"},
                                                                {"name": "b", "accuracy": "0.9"}]
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbfname,accuracy\r\na,0.8\r\n")  # a spreadsheet's export
    assert report_data.load_experiments(str(tmp_path / "bom.csv")) == [{"name": "a", "accuracy": "0.8"}]
    for name, content, message in (("nul.csv", b"name\na\x00b\n", "not a CSV experiment table"),
                                   ("latin.csv", b"name\ncaf\xe9\n", r"not a UTF-8 experiment table \(byte 8"),
                                   ("empty.csv", b"", "an experiment table with no rows"),
                                   ("empty.json", b"[]", "an experiment table with no rows")):
        (tmp_path / name).write_bytes(content)
        with pytest.raises(ValueError, match=f"^{tmp_path / name}: {message}"):
            report_data.load_experiments(str(tmp_path / name))
    (tmp_path / "e.json").write_text('{"name": "a"}')
    with pytest.raises(ValueError, match="JSON list of objects"):
        report_data.load_experiments(str(tmp_path / "e.json"))
    (tmp_path / "bad.json").write_text('[{"name": "a"}\n{')
    with pytest.raises(ValueError, match=f"^{tmp_path / 'bad.json'}: not a JSON experiment table"):
        report_data.load_experiments(str(tmp_path / "bad.json"))
    table = page.experiments_section([{"name": "a", "acc": 0.81234}, {"name": "b", "steps": 10}])
    assert "<th>name</th><th>acc</th><th>steps</th>" in table and "<td>0.8123</td>" in table
    assert page._fmt(math.nan) == "n/a"


def test_experiment_table_shows_the_snippet_and_guard_set_columns():
    """The rows of `imdb-tfx experiment`'s table (app/experiments/datasets.py: flat keys): every key
    is a column; an empty one (a row without snippet sets) shows as -."""
    from app.experiments import datasets

    rows = [{"row": "a", "test_accuracy": 0.8,
             **datasets.row_columns({"short": {"accuracy": 0.625, "examples": 40}},
                                    {"snippet_sentence": {"accuracy": 0.75, "examples": 30}})},
            {"row": "b", "test_accuracy": 0.7, **datasets.row_columns({}, {})}]
    table = page.experiments_section(rows)
    assert "<th>snippet_sentence_accuracy</th><th>snippet_sentence_examples</th>" in table
    assert "<th>guard_short_accuracy</th><th>guard_short_examples</th>" in table
    assert "<td>0.75</td><td>30</td>" in table and "<td>0.625</td><td>40</td>" in table
    assert "<td>b</td><td>0.7</td><td>-</td>" in table and "None" not in table


def test_snippet_sets_have_their_own_section_with_candidate_and_baseline():
    snippets = {"snippet_sentence": {"example_count": 50.0, "binary_accuracy": 0.625, "binary_accuracy_diff": -0.125,
                                     "auc": 0.7, "mean_label": 0.5}}
    section = page.snippet_section({"snippets": snippets})
    assert section.startswith("<h2>Snippets</h2>") and "no blessing threshold" in section
    assert "<th>snippet set</th><th>examples</th><th>accuracy</th><th>baseline accuracy</th>" in section
    assert "<td>snippet_sentence</td><td>50</td><td>0.625</td><td>0.75</td><td>-0.125</td><td>0.7</td>" in section
    assert page.snippet_section({"snippets": {}}) == page.snippet_section({}) == ""
    assert page.guard_section({"snippets": snippets}) == ""  # the guard section shows guard sets only


def test_history_section_lists_each_run_with_its_span_and_push():
    history = [{"evaluation": "e/1", "span": 1, "accuracy": 0.81, "blessed": True, "pushed_version": "17"},
               {"evaluation": "e/2", "span": 2, "accuracy": 0.79, "blessed": False, "pushed_version": None}]
    section = page.history_section(history)
    assert "<td>1</td><td>1</td><td>0.81</td><td>blessed</td><td>17</td>" in section
    assert "<td>2</td><td>2</td><td>0.79</td><td>not blessed</td><td>not pushed</td>" in section
    assert page.history_section(history[:1]) == ""  # one run: nothing to compare across


def test_thresholds_rating_none_and_a_serving_check_not_tried():
    """A slice TFMA only measures (an empty threshold) is not listed as a threshold; the rating
    slice of reviews given without one (read as 0) is named so; a candidate the Evaluator did not
    bless was not served, which the serving section says rather than "NOT served"."""
    from tensorflow_model_analysis.proto import config_pb2

    from components.infra_validator.canary import NOT_TRIED

    config = config_pb2.EvalConfig()
    metric = config.metrics_specs.add().metrics.add(class_name="BinaryAccuracy")
    metric.per_slice_thresholds.add(slicing_specs=[config_pb2.SlicingSpec(feature_values={"dataset": "tweets"})])
    bounded = metric.per_slice_thresholds.add(slicing_specs=[config_pb2.SlicingSpec()])
    bounded.threshold.value_threshold.lower_bound.value = 0.7
    assert page.thresholds(config) == ["binary_accuracy (overall): value ≥ 0.7"]
    ev = {"metrics": {(): {"binary_accuracy": 0.8}, (("rating", 0),): {"binary_accuracy": 0.7, "mean_label": 0.5},
                      (("rating", 8),): {"binary_accuracy": 0.9, "mean_label": 1.0}}}
    section = page.slices_section(ev)
    assert "<td>none (0)</td>" in section and "<td>8</td>" in section
    assert "<td>not tried</td>" in page.serving_section({"blessed": False, "reason": NOT_TRIED, "uri": "i/1"})
    assert "<td>NOT served</td>" in page.serving_section({"blessed": False, "reason": "timed out", "uri": "i/1"})
