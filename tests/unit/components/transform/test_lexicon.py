"""The in-graph VADER scores (components/transform/lexicon.py) against the reference package,
vaderSentiment 3.3.2's SentimentIntensityAnalyzer, on texts made here to exercise its rules."""
import random

import numpy as np
import pytest
import tensorflow as tf
from vaderSentiment.vaderSentiment import BOOSTER_DICT, NEGATE, SentimentIntensityAnalyzer

from components.transform import lexicon

ANALYZER = SentimentIntensityAnalyzer()
SCORES = tf.function(lexicon.vader_scores, input_signature=[tf.TensorSpec([None], tf.string)])

# From the package's own demonstration (vaderSentiment.py, __main__), emoji excepted.
PACKAGE_EXAMPLES = [
    "VADER is smart, handsome, and funny.", "VADER is smart, handsome, and funny!",
    "VADER is very smart, handsome, and funny.", "VADER is VERY SMART, handsome, and FUNNY.",
    "VADER is VERY SMART, handsome, and FUNNY!!!", "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
    "VADER is not smart, handsome, nor funny.", "The book was good.", "At least it isn't a horrible book.",
    "The book was only kind of good.",
    "The plot was good, but the characters are uncompelling and the dialog is not great.",
    "Today SUX!", "Today only kinda sux! But I'll get by, lol", "Make sure you :) or :D today!", "Not bad at all",
    "Sentiment analysis has never been good.", "Sentiment analysis has never been this good!",
    "Most automated sentiment analysis tools are shit.", "With VADER, sentiment analysis is the shit!",
    "Other sentiment analysis tools can be quite bad.", "On the other hand, VADER is quite bad ass",
    "VADER is such a badass!", "Without a doubt, excellent idea.",
    "Roger Dodger is one of the most compelling variations on this theme.",
    "Roger Dodger is at least compelling as a variation on the theme.",
    "Roger Dodger is one of the least compelling variations on this theme.",
    "Not such a badass after all.", "Without a doubt, an excellent idea.",
]


def reference(texts):
    return np.array([[d[c] for c in lexicon.COLUMNS] for d in map(ANALYZER.polarity_scores, texts)])


def graph(texts):
    return SCORES(tf.constant(texts, tf.string)).numpy()


def generated_texts(n: int, seed: int = 0) -> list[str]:
    """Texts of 1-25 tokens drawn from lexicon words, boosters, negations, the rules' words,
    plain words and punctuation, some in capitals, with commas, '!' and '?' attached."""
    rng = random.Random(seed)
    lexicon_words = sorted(w for w in lexicon.lexicon() if w.isalpha())
    rule_words = ["no", "not", "never", "so", "this", "without", "doubt", "least", "at", "very", "but", "kind",
                  "of", "sort", "just", "enough", "the", "bomb", "shit", "kiss", "death", "to", "die", "for",
                  "yeah", "right", "or", "nor", "isn't", "don't", "ain't"]
    plain = ["film", "movie", "the", "a", "it", "was", "is", "and", "plot", "acting", "I", "we", "really"]
    boosters = [w for w in BOOSTER_DICT if " " not in w]
    texts = []
    for _ in range(n):
        words = []
        for _ in range(rng.randint(1, 25)):
            pool = rng.choices([lexicon_words, rule_words, plain, boosters, NEGATE], [4, 4, 4, 2, 1])[0]
            word = rng.choice(pool)
            if rng.random() < 0.1:
                word = word.upper()
            elif rng.random() < 0.1:
                word = word.capitalize()
            if rng.random() < 0.1:
                word += rng.choice([",", ".", "!", "?", "!!", "...", "?!"])
            words.append(word)
        texts.append(" ".join(words))
    return texts


def test_the_package_examples_score_as_the_package_scores_them():
    np.testing.assert_allclose(graph(PACKAGE_EXAMPLES), reference(PACKAGE_EXAMPLES), atol=1e-4)


@pytest.mark.parametrize("text", [
    "", "!!!", "ok", "ok.", ":)", "great", "GREAT film", "not great", "never so good", "no problems here",
    "very good", "VERY good movie", "kind of good", "good but boring", "good, but boring!!", "the least bit good",
    "at least good", "is it good???", "is it good????", "yeah right", "kiss of death", "really really good",
    "GREAT FILM", "GREAT FILM 10", "GREAT FILM :)"])
def test_each_rule_scores_as_the_package(text):
    np.testing.assert_allclose(graph([text]), reference([text]), atol=1e-4, err_msg=text)


def test_agrees_with_the_package_on_generated_texts():
    """Stated agreement (docs/lexicon.md): compound within 0.05 on at least 98% of the texts, the
    same sign on at least 99%, pos and neg within 0.05 on at least 98%. The rest are the
    package's "but" rule applied through list.index (a repeated score after "but" can be scaled
    at the wrong place), which the port does not copy."""
    texts = generated_texts(3000)
    got, want = graph(texts), reference(texts)
    diff = np.abs(got - want)
    assert (diff[:, 0] <= 0.05).mean() >= 0.98
    assert (np.sign(got[:, 0]) == np.sign(want[:, 0])).mean() >= 0.99
    assert (diff[:, 1:] <= 0.05).all(axis=1).mean() >= 0.98
    without_but = np.array(["but" not in t.lower().split() for t in texts])
    np.testing.assert_allclose(got[without_but], want[without_but], atol=1e-3)


def test_a_batch_scores_each_text_alone():
    texts = generated_texts(50, seed=1)
    np.testing.assert_allclose(graph(texts), np.concatenate([graph([t]) for t in texts]), atol=1e-6)
