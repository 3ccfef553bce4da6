"""The VADER lexicon's scores as three more columns of a wide model (TrainingConfig.lexicon).

The model computes VADER's compound, pos and neg scores of its input text in its own graph
(`LexiconScores`, the ops of components/transform/lexicon.py) and adds w . scores to the
n-gram logit: logit = b + sum_i w_i r_i + sum_j u_j s_j. Being a layer of the model, the scores
are computed by training, `predict_text`, the model server and the Evaluator alike, and only
for the models that use them (Transform, shared by the experiment grid's rows, is unchanged).

L-BFGS (components/trainer/lbfgs.py) fits u with w: `SideColumns` collects the scores of the
train rows in the same pass that collects their n-grams, and `with_columns` appends them to
the fit's X^T as three dense rows, under the same L2 penalty.

Only texts of at most MAX_BYTES are scored; a longer one has the scores (0, 0, 0), so that its
lexicon term is 0 (docs/lexicon.md). 700 bytes is about 120 words of English (the 95th
percentile of IMDB test reviews of at most 120 words: 683 bytes), the longest texts for which
the length-weighted ensemble gives the sentence model half or more of the weight
(LENGTH_WEIGHT_BOUNDS: 61-120 words 0.5); on whole reviews VADER's compound saturates and the
review model, which reads the n-grams alone, carries the ensemble. The same rule in training,
in serving and in the Evaluator, being in the layer; it keeps the lexicon off 88% of the tokens
of IMDB reviews, where it cost the model server 15-28% more CPU per review.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import tensorflow as tf
import tf_keras

from components import features
from components.transform import lexicon

LAYER, WEIGHTS = "lexicon", "lexicon_weights"
MAX_BYTES = 700  # the longest text scored (module docstring)


def short_text_scores(text: tf.Tensor, tables: lexicon.VaderTables) -> tf.Tensor:
    """VADER's scores of the texts of at most MAX_BYTES in a [batch] string tensor, (0, 0, 0) for
    the others: [batch, 3] float32."""
    short = tf.where(tf.strings.length(text) <= MAX_BYTES)
    scores = lexicon.vader_scores(tf.gather_nd(text, short), tables)
    return tf.scatter_nd(short, scores, tf.stack([tf.size(text, out_type=tf.int64), len(lexicon.COLUMNS)]))


class LexiconScores(tf_keras.layers.Layer):
    """[batch] (or [batch, 1]) texts -> [batch, 3] VADER scores (lexicon.COLUMNS) of the texts
    of at most MAX_BYTES, 0 for longer ones; no weights (the lexicon's table is a resource the
    SavedModel carries)."""

    def build(self, input_shape):
        self.tables = lexicon.VaderTables()
        # traced once (its ~540 ops): every trace of the model (training, each signature,
        # saving) calls this function instead of tracing the ops again
        self.scores = tf.function(lambda text: short_text_scores(text, self.tables),
                                  input_signature=[tf.TensorSpec([None], tf.string)])
        super().build(input_shape)

    def call(self, text):
        return self.scores(tf.reshape(text, [-1]))

    def compute_output_shape(self, input_shape):
        return tf.TensorShape([input_shape[0], len(lexicon.COLUMNS)])


def lexicon_logit(text, l2: float = 0.0):
    """The lexicon's term of the logit, u . scores(text): [batch, 1] (a Keras tensor)."""
    scores = LexiconScores(name=LAYER)(text)
    return tf_keras.layers.Dense(1, use_bias=False, kernel_initializer="zeros", name=WEIGHTS,
                                 kernel_regularizer=tf_keras.regularizers.L2(l2) if l2 else None)(scores)


class SideColumns:
    """Iterates over ({..., TEXT}, label) batches unchanged, keeping each batch's VADER scores
    (`columns()`: [rows, 3] in the order of the rows). The texts are scored `chunk` at a time:
    a call costs about 1 ms whatever its size (the ~540 ops' launch), as much as scoring ~150
    sentences (scripts/benchmark_lexicon.py, scripts/benchmark_vader_ops.py)."""

    def __init__(self, batches, chunk: int = 16384):
        self.batches, self.chunk, self.scored, self.pending, self.pending_rows = batches, chunk, [], [], 0
        self.scores = LexiconScores()

    def __iter__(self):
        for batch, label in self.batches:
            self.pending.append(tf.reshape(batch[features.TEXT], [-1]))
            self.pending_rows += int(self.pending[-1].shape[0])
            if self.pending_rows >= self.chunk:
                self._score()
            yield batch, label
        self._score()

    def _score(self) -> None:
        if self.pending:
            self.scored.append(self.scores(tf.concat(self.pending, axis=0)).numpy())
            self.pending, self.pending_rows = [], 0

    def columns(self) -> np.ndarray:
        self._score()
        return np.concatenate(self.scored) if self.scored else np.zeros((0, len(lexicon.COLUMNS)), np.float32)


def with_columns(matrix_t: sp.csr_matrix, columns: np.ndarray) -> sp.csr_matrix:
    """X^T with the columns' rows appended: the fit's weights are then (w, u)."""
    return sp.vstack([matrix_t, sp.csr_matrix(np.asarray(columns, np.float64).T)], format="csr")


def get_weights(model: tf_keras.Model) -> np.ndarray:
    """u, the lexicon columns' weights of the model: [len(COLUMNS)]."""
    return model.get_layer(WEIGHTS).kernel.numpy().reshape(-1)


def set_weights(model: tf_keras.Model, weights: np.ndarray) -> np.ndarray:
    """Sets u, the last len(COLUMNS) of the fit's weights (with_columns' rows), on the model;
    returns the others (the n-grams')."""
    k = len(lexicon.COLUMNS)
    model.get_layer(WEIGHTS).kernel.assign(np.asarray(weights[-k:], np.float32).reshape(-1, 1))
    return weights[:-k]
