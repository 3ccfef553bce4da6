from components.drift import domain, tokens
from tests.unit.components.drift.synthetic import texts

ALPHA = 0.05 / 7


def check(reference, current):
    counts, _ = tokens.count_matrix(reference + current, ngrams=2)
    return domain.domain_classifier(counts, len(reference), ALPHA, seed=0)


def test_two_samples_of_the_same_texts_are_told_apart_by_chance_only():
    for seed in range(3):
        result = check(texts(200, seed), texts(150, seed + 10))
        assert not result["detected"] and result["value"] < 0.6, result


def test_another_topic_is_told_apart():
    result = check(texts(200, 0), texts(200, 1, other_share=0.1))
    assert result["detected"] and result["value"] > 0.9 and result["p_value"] < ALPHA


def test_a_slight_but_learnable_difference_stays_below_the_minimum_auc():
    # 1% of the words from another topic: significant for many texts, not a shift of site.
    result = check(texts(300, 0), texts(300, 1, other_share=0.004))
    assert not result["detected"] and result["value"] < domain.AUC_FLOOR
