"""components.trainer.review_pieces: sentences and snippets cut in TensorFlow as components.snippets
cuts them in Python (ExampleGen's snippet sets), with their reviews' labels."""
import numpy as np
import tensorflow as tf

from components import snippets
from components.trainer import review_pieces

REVIEWS = [
    "Great film!! Loved it.<br /><br />The end... Really? yes",
    "no sentence end here at all, just words and words and more words to count past twenty of them surely yes",
    "  One.   Two! ",
    "Short.",
]


def test_cut_matches_the_python_snippets():
    clean = tf.constant([snippets.clean(r) for r in REVIEWS])
    assert [[s.decode() for s in row] for row in review_pieces.cut(clean, review_pieces.SENTENCES).to_list()] == \
        [snippets.sentences(r) for r in REVIEWS]
    for name in snippets.SNIPPETS:
        cut = review_pieces.cut(clean, name).to_list()
        assert [[s.decode() for s in row] for row in cut] == [[snippets.snippet(r, name)] for r in REVIEWS], name
    assert review_pieces.cut(clean, review_pieces.REVIEWS).to_list() == [[c] for c in clean.numpy().tolist()]
    assert review_pieces.cut(tf.constant([""]), "snippet_20_words").to_list() == [[]]


def test_piece_texts_repeat_each_reviews_label():
    clean = [snippets.clean(r) for r in REVIEWS]
    batches = [({"text": tf.constant(clean[:2])}, tf.constant([1, 0])),
               ({"text": tf.constant(clean[2:])}, tf.constant([0, 1]))]
    texts, labels = review_pieces.piece_texts(batches, [review_pieces.SENTENCES, "snippet_sentence"])
    expected = [(s, label) for r, label in zip(REVIEWS, [1, 0, 0, 1]) for s in snippets.sentences(r)]
    expected += [(snippets.snippet(r, "snippet_sentence"), label) for r, label in zip(REVIEWS, [1, 0, 0, 1])]
    assert sorted(zip([t.decode() for t in texts], labels.tolist())) == sorted(expected)
    assert len(texts) == len(expected)


def test_length_weighted_average_buckets_by_word_count():
    from components.trainer.ensemble import eval_weights_by_length
    from components.trainer.layers import LengthWeightedAverage

    layer = LengthWeightedAverage([[1.0, 0.0], [0.25, 0.75], [0.0, 1.0]], bounds=[10, 20])
    a, b = tf.constant([[0.2]] * 5), tf.constant([[0.8]] * 5)
    words = tf.constant([[0], [10], [11], [20], [500]], tf.int64)
    np.testing.assert_allclose(layer([a, b, words]).numpy()[:, 0], [0.2, 0.2, 0.65, 0.65, 0.8], rtol=1e-6)

    # Two "members" that read a feature each: one right on short texts, one on long ones.
    class Member:
        def __init__(self, key):
            self.key = key

        def __call__(self, batch, training=False):
            return batch[self.key]

    short = np.array([[0.9], [0.1], [0.9], [0.1]], np.float32)  # right on the two short texts
    long = np.array([[0.1], [0.9], [0.1], [0.9]], np.float32)  # right on the two long ones
    count = np.array([[5], [5], [50], [50]], np.int64)
    labels = np.array([1, 0, 0, 1])
    dataset = [({"short": tf.constant(short), "long": tf.constant(long), "word_count": tf.constant(count)},
                tf.constant(labels))]
    weights = eval_weights_by_length([Member("short"), Member("long")], dataset, "classification", bounds=[10, 20])
    assert weights == [[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]  # the empty middle bucket averages
