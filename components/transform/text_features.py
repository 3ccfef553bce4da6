"""Word n-gram features for the wide (NB logistic regression) models, computed in Transform.

Imported by preprocessing_fn only for a model that needs n-grams.
"""
import tensorflow as tf


def tokenize(clean: tf.Tensor) -> tf.RaggedTensor:
    """Lowercased words and punctuation marks ("!" and "?" carry sentiment): ragged [batch, None]."""
    text = tf.strings.lower(clean, encoding="utf-8")
    text = tf.strings.regex_replace(text, r"([^\w'])", r" \1 ")
    return tf.strings.split(text)


def ngrams(clean: tf.Tensor, size: int) -> tf.RaggedTensor:
    """The word 1..size-grams of each review, joined by spaces: ragged [batch, None]."""
    return tf.strings.ngrams(tokenize(clean), ngram_width=list(range(1, size + 1)), separator=" ")


def distinct_per_row(values: tf.RaggedTensor) -> tf.RaggedTensor:
    """Each row's distinct values, in order of first occurrence (a binary bag of n-grams)."""
    rows = values.value_rowids()
    flat = values.flat_values
    keys = tf.strings.to_hash_bucket_fast(flat, 2**62) if flat.dtype == tf.string else tf.cast(flat, tf.int64)
    # Key per (row, value); a 62-bit hash makes a collision within one review vanishingly rare.
    pair = tf.strings.join([tf.strings.as_string(rows), tf.strings.as_string(keys)], ":")
    unique, index = tf.unique(pair)
    positions = tf.range(tf.shape(flat, out_type=tf.int64)[0])
    first = tf.math.unsorted_segment_min(positions, index, tf.shape(unique)[0])
    return tf.RaggedTensor.from_value_rowids(tf.gather(flat, first), tf.gather(rows, first), nrows=values.nrows())


def ngram_ids(text: tf.Tensor, options: dict, vocab_filename: str) -> tf.SparseTensor:
    """The ids of each review's distinct 1..options["size"]-grams, in a vocabulary of the n-grams
    that at least options["min_count"] reviews of the analysed split contain (others are dropped):
    a [batch, None] SparseTensor."""
    import tensorflow_transform as tft

    grams = distinct_per_row(ngrams(text, int(options["size"])))
    ids = tft.compute_and_apply_vocabulary(grams, frequency_threshold=int(options["min_count"]),
                                           default_value=-1, vocab_filename=vocab_filename)
    ids = tf.cast(ids, tf.int64)
    known = tf.ragged.boolean_mask(ids, ids >= 0)
    return known.to_sparse()
