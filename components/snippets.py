"""Short pieces of a review: its sentences, its first sentence, its first N words.

One definition for the three places that cut reviews: ExampleGen's snippet evaluation sets
(the test reviews cut to their first sentence and first 20 / 50 words), the Trainer's wide
models trained on sentences, and the eval snippets the Trainer chooses ensemble weights on.
A sentence ends at a run of `.`, `!` or `?` followed by white space; the text is cleaned as
Transform cleans it first (`<br />` to a space, white space collapsed), so Python's `re` here
and TensorFlow's RE2 in `split_sentences` cut the same text at the same places.
"""
from __future__ import annotations

import re

BREAK = r"(?i)<br\s*/?>"
SENTENCE_END = r"([.!?]+)\s+"  # the same in Python's re and RE2
SEPARATOR = "\x1e"  # ASCII record separator: not in cleaned review text
# The snippet sets: name -> (kind, words); the names are the `dataset` of their examples.
SNIPPETS = {
    "snippet_sentence": ("sentence", 0),
    "snippet_20_words": ("words", 20),
    "snippet_50_words": ("words", 50),
}


def clean(text: str) -> str:
    """As components/transform/preprocessing.clean_text: no `<br />`, single spaces, stripped."""
    return re.sub(r"\s+", " ", re.sub(BREAK, " ", text)).strip()


def sentences(text: str) -> list[str]:
    """The sentences of a review (after cleaning); a text without a sentence end is one sentence."""
    cut = re.sub(SENTENCE_END, lambda m: m.group(1) + SEPARATOR, clean(text))
    return [s for s in (part.strip() for part in cut.split(SEPARATOR)) if s]


def first_words(text: str, words: int) -> str:
    return " ".join(clean(text).split(" ")[:words])


def snippet(text: str, name: str) -> str:
    """The snippet `name` (a key of SNIPPETS) of a review."""
    kind, words = SNIPPETS[name]
    if kind == "sentence":
        found = sentences(text)
        return found[0] if found else clean(text)
    return first_words(text, words)


def split_sentences(clean_text):
    """The sentences of each cleaned text in a [batch] string tensor: ragged [batch, None]."""
    import tensorflow as tf

    cut = tf.strings.regex_replace(clean_text, SENTENCE_END, "\\1" + SEPARATOR)
    parts = tf.strings.strip(tf.strings.split(cut, sep=SEPARATOR))
    return tf.ragged.boolean_mask(parts, tf.strings.length(parts) > 0)
