"""Word n-gram features for the wide (NB logistic regression) models, computed in Transform.

Imported by preprocessing_fn only for a model that needs n-grams. Two ways to give each
n-gram an id (TrainingConfig.ngram_index):

  hash        (default) a 64-bit hash of the n-gram (Fingerprint64), bucketed into
              options["buckets"] ids: no analyzer, so Transform makes one pass over the
              data; the Trainer keeps the ids that at least min_count train reviews contain
              (components/trainer/naive_bayes.py).
  vocabulary  tft.compute_and_apply_vocabulary over the analysed split with
              frequency_threshold min_count: exact, but an analyzer over every (review,
              n-gram) pair (17 million on the train split) in Beam.
"""
import tensorflow as tf

NGRAM_BUCKETS = 2**32  # default hash buckets: far more than the ~10 million distinct n-grams


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


def distinct_ids_per_row(ids: tf.RaggedTensor, buckets: int) -> tf.RaggedTensor:
    """Each row's distinct ids (0 <= id < buckets), in order of first occurrence: one tf.unique
    over row * buckets + id (so batch rows * buckets must stay below 2^63)."""
    rows = ids.value_rowids()
    unique, _ = tf.unique(rows * buckets + ids.flat_values)
    return tf.RaggedTensor.from_value_rowids(unique % buckets, unique // buckets, nrows=ids.nrows())


def hashed_ngram_ids(text: tf.Tensor, size: int, buckets: int = NGRAM_BUCKETS) -> tf.SparseTensor:
    """Fingerprint64 of each of the review's distinct 1..size-grams, mod `buckets`: [batch, None]."""
    grams = ngrams(text, size)
    ids = grams.with_flat_values(tf.strings.to_hash_bucket_fast(grams.flat_values, buckets))
    return distinct_ids_per_row(ids, buckets).to_sparse()


def ngram_ids(text: tf.Tensor, options: dict, vocab_filename: str) -> tf.SparseTensor:
    """The ids of each review's distinct 1..options["size"]-grams: [batch, None] SparseTensor.

    options["ids"] "hash" (default): hashed ids (options["buckets"], default NGRAM_BUCKETS),
    every n-gram kept. "vocabulary": ids in a vocabulary of the n-grams that at least
    options["min_count"] reviews of the analysed split contain (others are dropped)."""
    size = int(options["size"])
    if options.get("ids", "hash") == "hash":
        return hashed_ngram_ids(text, size, int(options.get("buckets", NGRAM_BUCKETS)))
    import tensorflow_transform as tft

    grams = distinct_per_row(ngrams(text, size))
    ids = tft.compute_and_apply_vocabulary(grams, frequency_threshold=int(options["min_count"]),
                                           default_value=-1, vocab_filename=vocab_filename)
    ids = tf.cast(ids, tf.int64)
    known = tf.ragged.boolean_mask(ids, ids >= 0)
    return known.to_sparse()
