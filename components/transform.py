"""Transform module: `preprocessing_fn` for tf.Transform (referenced by module path).

The same graph runs at training time (Transform materialises the train/eval splits) and
at serving time (the exported model applies it through `transform_features_layer`).
"""
import tensorflow as tf

TEXT_KEY = "text"
LABEL_KEY = "label"
RATING_KEY = "rating"
LENGTH_BUCKET_KEY = "length_bucket"
# Review length in words (after cleaning) -> slice name; the names sort in length order.
LENGTH_BOUNDARIES = (100, 200, 400)
LENGTH_BUCKET_NAMES = ("000-099", "100-199", "200-399", "400+")


def clean_text(text: tf.Tensor) -> tf.Tensor:
    """Replaces HTML line breaks (`<br />`) with spaces and collapses runs of whitespace."""
    text = tf.strings.regex_replace(text, r"(?i)<br\s*/?>", " ")
    text = tf.strings.regex_replace(text, r"\s+", " ")
    return tf.strings.strip(text)


def length_bucket(clean: tf.Tensor) -> tf.Tensor:
    """Slice name of each review's word count (see LENGTH_BUCKET_NAMES)."""
    words = tf.strings.split(clean).row_lengths()
    index = tf.raw_ops.Bucketize(input=words, boundaries=[float(b) for b in LENGTH_BOUNDARIES])
    return tf.gather(tf.constant(LENGTH_BUCKET_NAMES), index)


def preprocessing_fn(inputs, custom_config=None):
    """Cleans the review text, passes label and rating through, adds the length bucket.

    `custom_config` carries only the code version (see pipeline.configs.code_fingerprint).
    """
    text = clean_text(tf.reshape(inputs[TEXT_KEY], [-1]))
    outputs = {
        TEXT_KEY: text,
        LENGTH_BUCKET_KEY: length_bucket(text),
    }
    for key in (LABEL_KEY, RATING_KEY):
        if key in inputs:
            outputs[key] = tf.reshape(inputs[key], [-1])
    return outputs
