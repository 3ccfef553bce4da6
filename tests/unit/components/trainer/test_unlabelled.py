"""components.trainer.unlabelled: the sentences of the unlabelled reviews a model is sure of,
with the label it gives them; and the Trainer's train files told apart from split unsup's."""
import numpy as np
import pytest
import tensorflow as tf
import tf_keras

from components import snippets
from components.trainer import unlabelled
from components.trainer.input_data import split_of

REVIEWS = ["Great film! Loved it.", "Awful. Truly awful. Avoid", "Hmm. Not sure.", "Superb!", "Dull film."]
SCORE = [0.95, 0.05, 0.5, 0.81, 0.19]  # what the labeller gives each review


def labeller():
    """A real Keras model whose output is its input `score`."""
    score = tf_keras.Input(shape=(1,), name="score")
    return tf_keras.Model({"score": score}, tf_keras.layers.Activation("linear")(score))


def batches(split_at=2):
    clean = [snippets.clean(r) for r in REVIEWS]
    score = np.array(SCORE, np.float32)[:, None]
    return [({"text": tf.constant(clean[:split_at]), "score": tf.constant(score[:split_at])}, tf.constant([-1] * split_at)),
            ({"text": tf.constant(clean[split_at:]), "score": tf.constant(score[split_at:])},
             tf.constant([-1] * (len(REVIEWS) - split_at)))]


def test_confident_reviews_give_their_sentences_the_predicted_label():
    texts, labels, counts = unlabelled.confident_sentences(labeller(), batches(), margin=0.2)
    expected = [(s, int(p > 0.5)) for r, p in zip(REVIEWS, SCORE) if p > 0.8 or p < 0.2 for s in snippets.sentences(r)]
    assert [(t.decode(), int(lab)) for t, lab in zip(texts, labels)] == expected
    assert counts == {"reviews": 5, "confident": 4, "positive": 2, "sentences": len(expected)}
    assert labels.dtype == np.int64


def test_a_narrower_margin_keeps_fewer_and_none_gives_empty_arrays():
    _, _, counts = unlabelled.confident_sentences(labeller(), batches(), margin=0.1)
    assert counts["confident"] == 2  # 0.95 and 0.05
    texts, labels, counts = unlabelled.confident_sentences(labeller(), batches(), margin=0.01)
    assert texts.size == labels.size == 0 and counts["reviews"] == 5 and counts["confident"] == 0
    texts, labels, counts = unlabelled.confident_sentences(labeller(), [], margin=0.2)
    assert texts.size == 0 and counts["reviews"] == 0


def test_trainer_files_of_split_unsup_are_told_apart():
    assert split_of("pipeline_root/Transform/transformed_examples/7/Split-unsup/*") == "unsup"
    assert split_of("pipeline_root/Transform/transformed_examples/7/Split-train/*") == "train"
    assert split_of("gs://bucket/x/Split-eval/*") == "eval"
    assert split_of("/no/split/here/*") == ""


def test_without_split_unsup_the_trainer_says_what_is_missing():
    from components.trainer.input_data import TrainingData
    from components.training_config import TrainingConfig

    data = TrainingData(["train"], ["eval"], None, None)
    with pytest.raises(ValueError, match="no split 'unsup'"):
        unlabelled.pseudo_labelled_sentences(labeller(), TrainingConfig(head="wide"), data, 0.2)
