"""Transform module: `preprocessing_fn` for tf.Transform (referenced by module path).

The same graph runs at training time (Transform materialises the train/eval splits) and
at serving time (the exported model applies it through `transform_features_layer`).
"""
import os

import tensorflow as tf

TEXT_KEY = "text"
NGRAMS_KEY = "ngrams"  # ids of the review's distinct word n-grams (wide models)
NGRAM_VOCABULARY = "ngrams"  # the n-gram vocabulary's name in the transform graph
EMBEDDING_KEY = "embedding"  # a frozen module's vector of the review (precomputed modules)
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


PROGRESS_MIN_BATCH = 100
EMBED_CHUNK = 32  # reviews per module call: a sequence encoder pads each call to its longest review


def embed_in_chunks(module, text: tf.Tensor, chunk: int = EMBED_CHUNK) -> tf.Tensor:
    """module(text) computed `chunk` reviews at a time, longest first (similar lengths share a
    call, so little is padded), and returned in the input order: [batch, dim]."""
    order = tf.argsort(tf.strings.length(text), direction="DESCENDING", stable=True)
    ordered = tf.gather(text, order)
    n = tf.shape(text)[0]
    chunks = tf.maximum((n + chunk - 1) // chunk, 1)  # one (empty) call for an empty batch
    vectors = tf.TensorArray(tf.float32, size=chunks, infer_shape=False, element_shape=tf.TensorShape(None))

    def body(i, vectors):
        return i + 1, vectors.write(i, module(ordered[i * chunk:(i + 1) * chunk]))

    _, vectors = tf.while_loop(lambda i, _: i < chunks, body, (tf.constant(0), vectors))
    embedded = vectors.concat()
    return tf.scatter_nd(order[:, None], embedded, tf.stack([n, tf.shape(embedded)[1]]))


def _embedding(text: tf.Tensor, module: str) -> tf.Tensor:
    import tensorflow_transform as tft

    from components.embedding_modules import import_hub, resolve_module_handle

    layer = tft.make_and_track_object(
        lambda: import_hub().KerasLayer(resolve_module_handle(module), trainable=False), name="embed_module")
    with tf.init_scope():  # the vector size, which the transformed schema needs
        dim = int(layer(tf.constant([""])).shape[-1])
    embedded = embed_in_chunks(layer, text)
    embedded.set_shape([None, dim])
    # Progress of bulk encoding (Transform, the Evaluator): a sequence encoder takes hours on a
    # CPU. Served requests, smaller than PROGRESS_MIN_BATCH, stay quiet.
    n = tf.shape(text)[0]
    with tf.control_dependencies([tf.cond(
            n >= PROGRESS_MIN_BATCH,
            lambda: tf.print("imdb-tfx:", os.path.basename(module.rstrip("/")), "embedded", n, "reviews"),
            tf.no_op)]):
        return tf.identity(embedded)


def preprocessing_fn(inputs, custom_config=None):
    """Cleans the review text, passes label and rating through, adds the length bucket.

    `custom_config` carries the code version (see pipeline.configs.code_fingerprint) and the
    optional features that TrainingConfig.transform_options asks for: "ngrams" ({size,
    min_count}: the ids of each review's distinct n-grams in a vocabulary of the analysed
    split) and "embed_module" (a frozen module's vector of each review).
    """
    config = custom_config or {}
    text = clean_text(tf.reshape(inputs[TEXT_KEY], [-1]))
    outputs = {
        TEXT_KEY: text,
        LENGTH_BUCKET_KEY: length_bucket(text),
    }
    for key in (LABEL_KEY, RATING_KEY):
        if key in inputs:
            outputs[key] = tf.reshape(inputs[key], [-1])
    if config.get("ngrams"):
        from components import text_features

        outputs[NGRAMS_KEY] = text_features.ngram_ids(text, config["ngrams"], NGRAM_VOCABULARY)
    if config.get("embed_module"):
        outputs[EMBEDDING_KEY] = _embedding(text, config["embed_module"])
    return outputs
