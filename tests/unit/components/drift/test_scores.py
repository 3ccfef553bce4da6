import numpy as np

from components.drift.scores import model_scores

ALPHA = 0.05 / 7


def test_the_same_score_distribution_does_not_fire():
    rng = np.random.default_rng(0)
    for seed in range(5):
        rng = np.random.default_rng(seed)
        assert not model_scores(rng.beta(2, 2, 1000), rng.beta(2, 2, 300), ALPHA)["detected"]


def test_scores_moved_towards_negative_fire():
    rng = np.random.default_rng(0)
    result = model_scores(rng.beta(2, 2, 1000), rng.beta(2, 5, 1000), ALPHA)
    assert result["detected"] and result["p_value"] < ALPHA and result["value"] > result["threshold"]


def test_a_tiny_shift_on_many_scores_is_significant_but_not_drift():
    rng = np.random.default_rng(0)
    result = model_scores(rng.beta(2, 2, 100000), rng.beta(2.1, 2, 100000), ALPHA)
    assert result["p_value"] < ALPHA and not result["detected"]
