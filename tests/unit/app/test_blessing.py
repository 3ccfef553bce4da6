"""app.blessing: the one line that says why a model was blessed or not."""
from app import blessing


def test_metric_names():
    assert blessing.metric_name("BinaryAccuracy") == "binary_accuracy"
    assert blessing.metric_name("MeanSquaredError") == "mean_squared_error"
    assert blessing.metric_name("HistogramBinaryAccuracy", "components.evaluator.histogram_metrics") == "binary_accuracy"


def test_sentence_names_each_check_and_the_failure():
    explanation = {"blessed": False, "baseline_model": "root/Trainer/model/7", "checks": [
        {"metric": "binary_accuracy", "check": "candidate >= lower bound", "op": ">=", "threshold": 0.7, "candidate": 0.7391,
         "baseline": None, "passed": True},
        {"metric": "binary_accuracy", "check": "candidate - baseline >= threshold", "op": ">=",
         "threshold": -1e-10, "candidate": 0.7391, "baseline": 0.9214, "passed": False}]}
    assert blessing.sentence(explanation) == (
        "NOT blessed (baseline root/Trainer/model/7): binary_accuracy 0.7391 >= 0.7: passed; "
        "binary_accuracy 0.7391 - baseline 0.9214 = -0.1823 >= -1e-10: FAILED")
    first = {"blessed": True, "baseline_model": None, "checks": [
        dict(explanation["checks"][0]),
        {"metric": "binary_accuracy", "check": "candidate - baseline >= threshold", "op": ">=",
         "threshold": -1e-10, "candidate": 0.7391, "baseline": None, "passed": True, "note": "no blessed baseline: not applied"}]}
    assert blessing.sentence(first) == (
        "blessed: binary_accuracy 0.7391 >= 0.7: passed; "
        "binary_accuracy against a baseline: not applied (no blessed model before)")


def test_sentence_names_the_guard_set_of_its_checks():
    explanation = {"blessed": False, "baseline_model": "m/1", "checks": [
        {"metric": "binary_accuracy", "check": "candidate - baseline >= threshold", "op": ">=", "threshold": -0.02,
         "candidate": 0.70, "baseline": 0.75, "passed": False, "dataset": "tweets"}]}
    assert blessing.sentence(explanation) == (
        "NOT blessed (baseline m/1): tweets: binary_accuracy 0.7000 - baseline 0.7500 = -0.0500 >= -0.02: FAILED")


def test_a_small_test_set_is_said_with_the_accuracys_standard_error():
    """A small span's held-out part (a few reviews) blesses on noise: the line says how much."""
    check = {"metric": "binary_accuracy", "check": "candidate >= lower bound", "op": ">=", "threshold": 0.7,
             "candidate": 0.75, "baseline": None, "passed": True}
    small = {"blessed": True, "baseline_model": None, "examples": 48, "checks": [check]}
    assert blessing.sentence(small) == ("blessed: binary_accuracy 0.7500 >= 0.7: passed (on 48 test examples only: "
                                        "one standard error of the accuracy is about 6.2 points; --test-data gives "
                                        "a fixed, larger set)")
    perfect = {**small, "examples": 3, "checks": [{**check, "candidate": 1.0}]}
    assert "(on 3 test examples only: one standard error of the accuracy is about 16.7 points" in blessing.sentence(perfect)
    assert blessing.sentence({**small, "examples": 25000}) == "blessed: binary_accuracy 0.7500 >= 0.7: passed"
