import numpy as np

from components.drift import tokens
from tests.unit.components.drift.synthetic import texts

ALPHA = 0.05 / 7


def checks(reference, current, seed=0):
    matrix, _ = tokens.count_matrix(reference + current)
    return {c["name"]: c for c in tokens.token_checks(matrix, len(reference), ALPHA, seed)}


def test_tokens_are_the_products():
    import tensorflow as tf

    from components.transform.text_features import tokenize as tf_tokenize

    text = "It's GREAT!<br /><br />Really...   (10/10) don't miss_it \u00e9t\u00e9"
    expected = [t.decode() for t in tf_tokenize(tf.constant([" ".join(text.replace("<br />", " ").split())]))
                .to_list()[0]]
    assert tokens.tokenize(text) == expected


def test_count_matrix_counts_unigrams_and_bigrams():
    matrix, vocabulary = tokens.count_matrix(["a b a", "b c"], ngrams=2)
    counts = {v: matrix[:, i].toarray().ravel().tolist() for i, v in enumerate(vocabulary)}
    assert counts == {"a": [2, 0], "b": [1, 1], "c": [0, 1], "a b": [1, 0], "b a": [1, 0], "b c": [0, 1]}


def test_samples_of_the_same_vocabulary_do_not_fire_whatever_the_sizes():
    for n_ref, n_cur, seed in ((100, 100, 0), (300, 60, 1), (400, 400, 2)):
        found = checks(texts(n_ref, seed), texts(n_cur, seed + 50), seed)
        assert not any(c["detected"] for c in found.values()), found


def test_a_new_topic_moves_the_frequencies_and_brings_unknown_tokens():
    found = checks(texts(300, 0), texts(300, 1, other_share=0.15))
    assert found["token_js"]["detected"] and found["unknown_tokens"]["detected"], found
    assert found["unknown_tokens"]["value"] > 0.05
    assert all(c["p_value"] < ALPHA for c in found.values())


def test_the_statistics_are_the_definitions():
    a, b = np.array([[2.0, 2.0, 0.0]]), np.array([[0.0, 2.0, 2.0]])
    assert tokens._js_bits(a, b)[0] == np.float64(0.5)  # half the mass disjoint: 0.5 bit
    assert tokens._unknown(a, b)[0] == 0.5
