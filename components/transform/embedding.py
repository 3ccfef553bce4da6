"""A frozen embedding module applied in Transform (TrainingConfig.precompute): each review's
vector, computed once, with progress for bulk encoding."""
import os

import tensorflow as tf

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


def module_embedding(text: tf.Tensor, module: str) -> tf.Tensor:
    """The frozen `module`'s vector of each cleaned review, [batch, dim], inside preprocessing_fn."""
    import tensorflow_transform as tft

    from components.modules.hub import import_hub
    from components.modules.registry import resolve_module_handle

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
