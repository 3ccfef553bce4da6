"""The Keras layers of the models: NB logistic regression, a constant, weighted averages."""
from __future__ import annotations

import numpy as np
import tensorflow as tf
import tf_keras


class NBLogisticRegression(tf_keras.layers.Layer):
    """logit = b + sum over the review's distinct known n-grams i of w_i * r_i (r: NB log-count ratios).

    The layer owns its n-gram table: `keys`, the kept n-gram ids (hashed or vocabulary ids,
    sorted), with their ratios; an id that is not in the table (below the min-count cut)
    contributes nothing. Keys, ratios and the learned w are weights, so a clone with
    set_weights (ensemble.inference_copy) and the SavedModel carry them.

    An id's position among the keys is looked up in a hash table made from the keys (a resource
    the SavedModel carries and rebuilds when loaded): one probe an id, where a binary search of
    a million keys takes ~20 (scripts/benchmark_ngram_lookup.py). The table is made when the
    layer is built, from the keys it is given (a clone is given them: ensemble.inference_copy);
    keys assigned later (set_weights) need `index_keys()`. A table that is behind its keys finds
    fewer ids, never wrong ones: each hit is checked against the keys.
    """

    def __init__(self, vocab_size: int, ratios=None, l2: float = 0.0, keys=None, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.l2 = int(vocab_size), float(l2)
        self._initial_ratios, self._initial_keys = ratios, keys

    def build(self, input_shape):
        def constant(value, dtype):
            return tf_keras.initializers.Constant(np.asarray(value, dtype)) if value is not None else "zeros"

        self.keys = self.add_weight(name="ngram_keys", shape=(self.vocab_size,), dtype=tf.int64, trainable=False,
                                    initializer=constant(self._initial_keys, np.int64) if self._initial_keys is not None
                                    else tf_keras.initializers.Constant(np.arange(self.vocab_size, dtype=np.int64)))
        self.ratios = self.add_weight(name="nb_ratios", shape=(self.vocab_size,),
                                      initializer=constant(self._initial_ratios, np.float32), trainable=False)
        self.kernel = self.add_weight(name="kernel", shape=(self.vocab_size,), initializer="zeros",
                                      regularizer=tf_keras.regularizers.L2(self.l2) if self.l2 else None)
        self.bias = self.add_weight(name="bias", shape=(), initializer="zeros")
        self._initial_ratios = self._initial_keys = None
        self.index_keys()
        super().build(input_shape)

    def index_keys(self) -> None:
        """(Re)makes the table id -> position from the current keys."""
        self.table = tf.lookup.StaticHashTable(KeyPositions(self.keys), default_value=-1)

    def call(self, ids: tf.SparseTensor):
        values = ids.values
        position = self.table.lookup(values)
        position = tf.maximum(position, 0)
        known = tf.equal(tf.gather(self.keys, position), values)
        position = tf.boolean_mask(position, known)
        rows = tf.boolean_mask(ids.indices[:, 0], known)
        weights = tf.gather(self.kernel, position) * tf.gather(self.ratios, position)
        logits = tf.math.unsorted_segment_sum(weights, rows, num_segments=ids.dense_shape[0])
        return logits[:, None] + self.bias

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size, "l2": self.l2}


class KeyPositions(tf.lookup.KeyValueTensorInitializer):
    """Fills a table with key -> its position, read from a variable of keys when the table is
    initialised: in a loaded SavedModel, from the restored variable. (KeyValueTensorInitializer
    given the keys would capture them as a constant of the initialiser's function: a second copy
    of every key, and of the positions, in the SavedModel.)"""

    def __init__(self, keys: tf.Variable):
        super().__init__(tf.zeros([0], keys.dtype), tf.zeros([0], tf.int64))
        self.keys = keys

    def initialize(self, table):
        keys = tf.convert_to_tensor(self.keys)
        return tf.raw_ops.LookupTableImportV2(table_handle=table.resource_handle, keys=keys,
                                              values=tf.range(tf.size(keys, out_type=tf.int64)))


class ConstantOutput(tf_keras.layers.Layer):
    """The same value for every review (the majority-class baseline)."""

    def __init__(self, value: float = 0.5, **kwargs):
        super().__init__(**kwargs)
        self.value = float(value)

    def call(self, text):
        return tf.fill([tf.shape(text)[0], 1], tf.constant(self.value, tf.float32))

    def get_config(self):
        return {**super().get_config(), "value": self.value}


class WeightedAverage(tf_keras.layers.Layer):
    """sum_i weights[i] * inputs[i] (the weights sum to 1)."""

    def __init__(self, weights, **kwargs):
        super().__init__(**kwargs)
        self.member_weights = [float(w) for w in weights]

    def call(self, inputs):
        return tf.add_n([w * x for w, x in zip(self.member_weights, inputs)])

    def get_config(self):
        return {**super().get_config(), "weights": self.member_weights}


class LengthWeightedAverage(tf_keras.layers.Layer):
    """sum_i weights[b][i] * inputs[i], where b is the bucket of the text's word count (the last
    input, [batch, 1]) among `bounds` (a count <= bounds[0] is bucket 0; above bounds[-1], the last)."""

    def __init__(self, weights, bounds, **kwargs):
        super().__init__(**kwargs)
        self.member_weights = [[float(w) for w in row] for row in weights]
        self.bounds = [int(b) for b in bounds]
        if len(self.member_weights) != len(self.bounds) + 1:
            raise ValueError(f"{len(self.bounds)} bounds need {len(self.bounds) + 1} rows of weights")

    def call(self, inputs):
        *outputs, words = inputs
        # bucket = how many bounds the count exceeds
        bucket = tf.reduce_sum(tf.cast(tf.cast(tf.reshape(words, [-1, 1]), tf.float32)
                                       > tf.constant(self.bounds, tf.float32), tf.int32), axis=1)
        weights = tf.gather(tf.constant(self.member_weights, tf.float32), bucket)  # [batch, members]
        return tf.add_n([weights[:, i:i + 1] * x for i, x in enumerate(outputs)])

    def get_config(self):
        return {**super().get_config(), "weights": self.member_weights, "bounds": self.bounds}
