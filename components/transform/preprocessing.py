"""Transform's `preprocessing_fn` (referenced as `components.transform.preprocessing.preprocessing_fn`).

The same graph runs at training time (Transform materialises the train/eval/test splits) and
at serving time (the exported model applies it through `transform_features_layer`).
"""
import tensorflow as tf

from components import features


def clean_text(text: tf.Tensor) -> tf.Tensor:
    """Replaces HTML line breaks (`<br />`) with spaces and collapses runs of whitespace."""
    text = tf.strings.regex_replace(text, r"(?i)<br\s*/?>", " ")
    text = tf.strings.regex_replace(text, r"\s+", " ")
    return tf.strings.strip(text)


def word_count(clean: tf.Tensor) -> tf.Tensor:
    """Each cleaned text's number of words (runs of non-space): [batch] int64."""
    return tf.strings.split(clean).row_lengths()


def length_bucket(words: tf.Tensor) -> tf.Tensor:
    """Slice name of each review's word count (see features.LENGTH_BUCKET_NAMES)."""
    index = tf.raw_ops.Bucketize(input=words, boundaries=[float(b) for b in features.LENGTH_BOUNDARIES])
    return tf.gather(tf.constant(features.LENGTH_BUCKET_NAMES), index)


def preprocessing_fn(inputs, custom_config=None):
    """Cleans the review text, passes label, rating and dataset through, adds the word count and
    the length bucket (a slice name).

    `dataset` ("imdb", or a guard or snippet set's name) passes through so that the
    experiments' Evaluator, which reads Transform's output, can slice by it as the production
    Evaluator slices the raw examples (components/evaluator/eval_config.py: slicing_specs).

    `custom_config` carries the code version (pipeline/fingerprint.py) and the optional
    features that TrainingConfig.transform_options asks for: "ngrams" ({size, ids, buckets
    or min_count}: the ids of each review's distinct n-grams, hashed or in a vocabulary of the
    analysed split: text_features.ngram_ids) and
    "embed_module" (a frozen module's vector of each review).
    """
    config = custom_config or {}
    text = clean_text(tf.reshape(inputs[features.TEXT], [-1]))
    words = word_count(text)
    outputs = {
        features.TEXT: text,
        features.WORD_COUNT: words,
        features.LENGTH_BUCKET: length_bucket(words),
    }
    for key in (features.LABEL, features.RATING, features.DATASET):
        if key in inputs:
            outputs[key] = tf.reshape(inputs[key], [-1])
    if config.get("ngrams"):
        from components.transform import text_features

        outputs[features.NGRAMS] = text_features.ngram_ids(text, config["ngrams"], features.NGRAM_VOCABULARY)
    if config.get("embed_module"):
        from components.transform import embedding

        outputs[features.EMBEDDING] = embedding.module_embedding(text, config["embed_module"])
    return outputs
