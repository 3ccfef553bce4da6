import json

import numpy as np

from components.drift import TextSample, compare_samples, one_line
from tests.unit.components.drift.synthetic import sample


def test_same_data_raises_no_alarm_over_several_draws():
    for seed in range(4):
        drift = compare_samples(sample(200, seed), sample(150, seed + 100), seed=seed)
        assert not drift["detected"], one_line(drift)
        assert [c["name"] for c in drift["checks"]] == ["label_prior", "rating", "length", "token_js",
                                                        "unknown_tokens", "domain_classifier", "model_scores"]
        assert all(c["p_value"] is not None and c["alpha"] == 0.05 / 7 for c in drift["checks"])


def test_a_shift_is_detected_explained_and_json_able():
    reference = sample(200, 0, "span 1")
    current = sample(200, 1, "span 2", positive_share=0.1, other_share=0.2, mean_words=20)
    drift = json.loads(json.dumps(compare_samples(reference, current)))
    fired = {c["name"] for c in drift["checks"] if c["detected"]}
    assert {"label_prior", "length", "token_js", "unknown_tokens", "domain_classifier"} <= fired
    assert drift["detected"] and "label_prior" in drift["explanation"]
    line = one_line(drift)
    assert line.startswith("drift: detected (label_prior, ") and "span 2 vs span 1" in line
    details = drift["details"]
    assert sum(details["length"]["reference"]) == 200 and sum(details["length"]["current"]) == 200
    assert details["ngrams"]["gained"][0]["ngram"].startswith("menu")
    assert len(details["scores"]["reference"]) == len(details["scores"]["edges"]) - 1


def test_what_a_side_lacks_is_skipped_and_said():
    reference = sample(150, 0)
    current = TextSample(sample(150, 1).texts, name="requests")
    drift = compare_samples(reference, current)
    assert [s["name"] for s in drift["skipped"]] == ["label_prior", "rating", "model_scores"]
    assert drift["skipped"][0]["reason"] == "no labels on requests"
    assert len(drift["checks"]) == 4 and drift["details"]["alpha_per_check"] == 0.05 / 4
    assert one_line(drift).startswith("drift: none in requests vs sample 0 (4 checks")


def test_too_little_data_runs_nothing():
    drift = compare_samples(sample(150, 0), sample(99, 1, "new"))
    assert drift["insufficient"] and not drift["detected"] and drift["checks"] == []
    assert one_line(drift) == "drift: not checked: too little data to judge: new has 99 texts (at least 100 a side)"


def test_large_sides_are_subsampled_for_the_text_checks():
    drift = compare_samples(sample(400, 0), sample(300, 1), max_texts=150)
    assert drift["details"]["texts_compared"] == {"reference": 150, "current": 150}
    assert drift["current"]["size"] == 300


def test_unlabelled_examples_are_no_labels():
    reference = sample(120, 0)
    reference.labels = np.full(120, -1)
    names = [s["name"] for s in compare_samples(reference, sample(120, 1))["skipped"]]
    assert names == ["label_prior"]


def test_reference_scores_of_other_texts_are_compared_with_the_current_scores():
    rng = np.random.default_rng(0)
    reference, current = sample(300, 0), sample(200, 1)
    current.scores[:50] = np.nan  # not scored
    held_out = rng.beta(2, 6, 120)  # the model's scores on held-out reference texts: mostly negative
    drift = compare_samples(reference, current, reference_scores=held_out, max_texts=150)
    scores = {c["name"]: c for c in drift["checks"]}["model_scores"]
    assert scores["detected"]
    assert sum(drift["details"]["scores"]["reference"]) == 120 and sum(drift["details"]["scores"]["current"]) == 150


def test_empty_texts_skip_the_token_checks_instead_of_dividing_by_zero():
    drift = compare_samples(sample(120, 0), TextSample([""] * 120, name="blank"))
    assert {s["name"] for s in drift["skipped"]} >= {"token_js", "unknown_tokens"}
    assert {c["name"]: c["detected"] for c in drift["checks"]}["length"]
    assert json.dumps(drift, allow_nan=False)
