"""Pieces of reviews as training and selection data: the train reviews' sentences, the eval
reviews' snippets.

A model trained on sentences (TrainingConfig.train_on "sentences") sees each sentence of a
train review as one example with its review's label; an ensemble weighted by length
(ensemble_weights "eval_by_length") chooses its weights on the eval reviews pooled with their
snippets (the first sentence, the first 20 and 50 words: components/snippets.py). Pieces are
cut from the transformed `text` (the cleaned review) and go through the Transform graph as raw
text, as a served text does, so their features (n-gram ids, word count, ...) are what serving
computes for a text of that length.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from components import features, snippets

REVIEWS, SENTENCES = "reviews", "sentences"
KINDS = (REVIEWS, SENTENCES, *snippets.SNIPPETS)


def cut(text: tf.Tensor, kind: str) -> tf.RaggedTensor:
    """The pieces of `kind` (a KINDS name) of each cleaned text in a [batch] string tensor:
    ragged [batch, None] (a snippet kind gives one piece a text, none for an empty text)."""
    if kind == REVIEWS:
        return tf.RaggedTensor.from_tensor(text[:, None])
    if kind == SENTENCES:
        return snippets.split_sentences(text)
    how, words = snippets.SNIPPETS[kind]
    if how == "sentence":
        return snippets.split_sentences(text)[:, :1]
    first = tf.strings.reduce_join(tf.strings.split(text, sep=" ")[:, :words], axis=1, separator=" ")
    return tf.ragged.boolean_mask(first[:, None], (tf.strings.length(text) > 0)[:, None])


def piece_texts(texts_and_labels: tf.data.Dataset, kinds) -> tuple[np.ndarray, np.ndarray]:
    """(piece texts, their reviews' labels) of every review in a finite dataset of
    ({TEXT: [batch]}, label [batch]) batches, for each kind in `kinds` in turn."""
    texts, labels = {k: [] for k in kinds}, {k: [] for k in kinds}
    for batch, label in texts_and_labels:
        for kind in kinds:
            pieces = cut(batch[features.TEXT], kind)
            texts[kind].append(pieces.flat_values.numpy())
            labels[kind].append(np.repeat(label.numpy(), pieces.row_lengths().numpy()))
    flat_texts = [t for k in kinds for t in texts[k]]
    flat_labels = [label for k in kinds for label in labels[k]]
    if not flat_texts:
        return np.zeros(0, object), np.zeros(0)
    return np.concatenate(flat_texts), np.concatenate(flat_labels)


def transformed_dataset(texts: np.ndarray, labels: np.ndarray, tf_transform_output, select, *,
                        batch_size: int, train: bool = False) -> tf.data.Dataset:
    """(select(transformed features), label) batches of raw `texts` through the Transform graph;
    shuffled (the whole set) and repeated if `train`."""
    layer = tf_transform_output.transform_features_layer()
    dataset = tf.data.Dataset.from_tensor_slices((tf.constant(texts, tf.string), tf.constant(labels)))
    if train:
        dataset = dataset.shuffle(max(len(texts), 1), reshuffle_each_iteration=True).repeat()

    def transform(text, label):
        return select(layer({features.TEXT: tf.reshape(text, [-1, 1])}), label)

    return dataset.batch(batch_size).map(transform)
