import numpy as np
import pytest

from components.drift import structured

ALPHA = 0.05 / 7


def labels(n, share, seed):
    return (np.random.default_rng(seed).random(n) < share).astype(int)


@pytest.mark.parametrize("n_ref,n_cur", [(100, 100), (1000, 1000), (200, 20000)])
def test_label_prior_of_the_same_mix_does_not_fire_whatever_the_sizes(n_ref, n_cur):
    for seed in range(5):
        result = structured.label_prior(labels(n_ref, 0.5, seed), labels(n_cur, 0.5, seed + 100), ALPHA)
        assert not result["detected"], result


def test_label_prior_fires_on_a_90_percent_negative_side():
    result = structured.label_prior(labels(1000, 0.5, 0), labels(1000, 0.1, 1), ALPHA)
    assert result["detected"] and result["value"] == pytest.approx(0.4, abs=0.05)
    assert result["p_value"] < ALPHA


def test_a_significant_but_small_move_does_not_fire():
    # 50% -> 46% on 50,000 a side is significant (p ~ 1e-36) but below the 10-point minimum effect.
    result = structured.label_prior(labels(50000, 0.5, 0), labels(50000, 0.46, 1), ALPHA)
    assert result["p_value"] < ALPHA and not result["detected"]
    assert "minimum effect" in result["explanation"]


def test_rating_fires_when_the_ratings_move():
    rng = np.random.default_rng(0)
    same = rng.choice([1, 2, 3, 4, 7, 8, 9, 10], 1000)
    assert not structured.rating(same, rng.choice([1, 2, 3, 4, 7, 8, 9, 10], 1000), ALPHA)["detected"]
    extreme = rng.choice([1, 10], 1000)
    assert structured.rating(same, extreme, ALPHA)["detected"]


def test_length_of_the_same_distribution_does_not_fire_and_short_texts_do():
    rng = np.random.default_rng(0)
    words = lambda n: [" ".join(["w"] * k) for k in rng.poisson(200, n) + 5]  # noqa: E731
    assert not structured.length(words(300), words(3000), ALPHA)["detected"]
    current = words(1000)
    current[:250] = ["w w w."] * 250  # a quarter cut to a few words
    result = structured.length(words(1000), current, ALPHA)
    assert result["detected"] and result["value"] >= 0.2
