"""The unlabelled reviews as training sentences (TrainingConfig.unlabelled_margin).

A model trained on the train reviews (the ensemble's labeller) scores each unlabelled review
(Transform's split `unsup`: the 50,000 reviews of `train/unsup`, of other movies than train's
and test's); the sentences of the reviews it is confident about (probability above 1 - margin or
below margin) join the train reviews' sentences, each with its review's predicted label, for a
model trained on sentences. Chosen on the train reviews of held-out movies
(studies/short_text/movie_holdout_study.py; docs/results.md, "Short text").
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf
import tf_keras
from absl import logging

from components import features
from components.trainer import review_pieces
from components.trainer.input_data import TrainingData, feature_keys
from components.training_config import TrainingConfig


def pseudo_labelled_sentences(labeller: tf_keras.Model, labeller_config: TrainingConfig, data: TrainingData,
                              margin: float) -> tuple[np.ndarray, np.ndarray, dict]:
    """confident_sentences of Transform's split `unsup` as the labeller reads it."""
    if not data.unlabelled_files:
        raise ValueError(f"unlabelled_margin: the Trainer got no split {features.UNSUP_SPLIT!r} (ExampleGen's "
                         "unlabelled reviews; the pipeline asks for it when a model uses them)")
    keys = sorted(set(feature_keys(labeller_config)) | {features.TEXT})
    texts, labels, counts = confident_sentences(
        labeller, data.dataset(labeller_config, features.UNSUP_SPLIT, keys=keys, batch_size=1000), margin)
    if not counts["reviews"]:
        logging.warning("split %s has no reviews: no unlabelled sentences", features.UNSUP_SPLIT)
    logging.info("unlabelled reviews (margin %s): %s", margin, counts)
    return texts, labels, counts


def confident_sentences(labeller, batches, margin: float) -> tuple[np.ndarray, np.ndarray, dict]:
    """(sentences, their predicted labels, counts) of the reviews in `batches` (({TEXT: cleaned
    [batch], the labeller's inputs...}, label) pairs; the label is not read) that `labeller` gives
    a probability above 1 - margin or below margin."""
    texts, labels = [], []
    counts = {"reviews": 0, "confident": 0, "positive": 0, "sentences": 0}
    for batch, _ in batches:
        probability = np.asarray(labeller({k: batch[k] for k in labeller.input_names}, training=False)).reshape(-1)
        keep = (probability > 1 - margin) | (probability < margin)
        counts["reviews"] += int(probability.size)
        counts["confident"] += int(keep.sum())
        counts["positive"] += int((probability > 1 - margin).sum())
        if not keep.any():
            continue
        sentences = review_pieces.cut(tf.boolean_mask(batch[features.TEXT], keep), review_pieces.SENTENCES)
        texts.append(sentences.flat_values.numpy())
        labels.append(np.repeat((probability[keep] > features.DECISION_THRESHOLD).astype(np.int64), sentences.row_lengths().numpy()))
    texts = np.concatenate(texts) if texts else np.zeros(0, object)
    labels = np.concatenate(labels) if labels else np.zeros(0, np.int64)
    counts["sentences"] = int(texts.size)
    return texts, labels, counts
