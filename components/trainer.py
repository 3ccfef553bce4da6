"""Trainer module: a TF-Hub text embedding with a DNN head (referenced as `run_fn`).

The model takes the transformed (cleaned) review text, embeds it with
`hub.KerasLayer(module, trainable=...)` and classifies it with the tutorial's head:
Dense(500, relu) -> Dense(100, relu) -> Dense(1, sigmoid). The output is a probability,
so TFMA's BinaryAccuracy (threshold 0.5) measures what it says.

Exported signatures:
  serving_default     serialized tf.Example (with `text`) -> {"probability": [batch, 1]}
  predict_text        raw review strings               -> {"probability": [batch, 1]}
  transform_features  serialized tf.Example            -> transformed features (for TFMA)
"""
from __future__ import annotations

import math
import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import tensorflow as tf  # noqa: E402
import tensorflow_transform as tft  # noqa: E402
import tf_keras  # noqa: E402
from absl import logging  # noqa: E402
from tfx_bsl.public import tfxio  # noqa: E402

from components import transform  # noqa: E402
from components.embedding_modules import import_hub, resolve_module_handle  # noqa: E402

OUTPUT_KEY = "probability"


def build_model(module: str, *, trainable: bool = False, hidden_units=(500, 100), dropout: float = 0.0,
                l2: float = 0.0, optimizer: str = "adagrad", learning_rate: float = 0.003,
                loss_reduction: str = "sum", **_) -> tf_keras.Model:
    """Text (a [batch] string tensor) -> probability of a positive review."""
    text = tf_keras.Input(shape=(), dtype=tf.string, name=transform.TEXT_KEY)
    x = import_hub().KerasLayer(resolve_module_handle(module), trainable=trainable, name="embedding")(text)
    regularizer = tf_keras.regularizers.L2(l2) if l2 else None
    for i, units in enumerate(hidden_units):
        x = tf_keras.layers.Dense(units, activation="relu", kernel_regularizer=regularizer, name=f"hidden_{i}")(x)
        if dropout:
            x = tf_keras.layers.Dropout(dropout, name=f"dropout_{i}")(x)
    probability = tf_keras.layers.Dense(1, activation="sigmoid", kernel_regularizer=regularizer, name=OUTPUT_KEY)(x)
    model = tf_keras.Model(text, probability)

    optimizers = {"adagrad": tf_keras.optimizers.Adagrad, "adam": tf_keras.optimizers.Adam}
    if optimizer not in optimizers:
        raise ValueError(f"Unknown optimizer {optimizer!r}: use one of {sorted(optimizers)}")
    reductions = {"sum": tf_keras.losses.Reduction.SUM, "mean": tf_keras.losses.Reduction.AUTO}
    model.compile(
        optimizer=optimizers[optimizer](learning_rate=learning_rate),
        loss=tf_keras.losses.BinaryCrossentropy(reduction=reductions[loss_reduction]),
        metrics=[tf_keras.metrics.BinaryAccuracy(name="accuracy"), tf_keras.metrics.AUC(name="auc")],
    )
    return model


def input_fn(files, data_accessor, tf_transform_output: tft.TFTransformOutput, batch_size: int,
             num_epochs: int | None = None, shuffle_buffer_size: int = 0) -> tf.data.Dataset:
    """(text [batch], label [batch]) batches of the transformed examples, shuffled if a buffer is given.

    ExampleGen writes the reviews in archive order (all neg/, then all pos/), so the
    training buffer must hold the whole split for the batches to be a fair sample.
    """
    dataset = data_accessor.tf_dataset_factory(
        files,
        tfxio.TensorFlowDatasetOptions(batch_size=batch_size, label_key=transform.LABEL_KEY,
                                       num_epochs=num_epochs, shuffle=shuffle_buffer_size > 0,
                                       shuffle_buffer_size=max(shuffle_buffer_size, 1)),
        tf_transform_output.transformed_metadata.schema)
    return dataset.map(lambda features, label: (tf.reshape(features[transform.TEXT_KEY], [-1]),
                                                tf.reshape(label, [-1])))


def make_signatures(model: tf_keras.Model, tf_transform_output: tft.TFTransformOutput) -> dict:
    model.tft_layer = tf_transform_output.transform_features_layer()
    raw_spec = tf_transform_output.raw_feature_spec()
    text_spec = {transform.TEXT_KEY: raw_spec[transform.TEXT_KEY]}

    def predict(raw_features):
        transformed = model.tft_layer(raw_features)
        return {OUTPUT_KEY: model(tf.reshape(transformed[transform.TEXT_KEY], [-1]))}

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="examples")])
    def serve_tf_examples(serialized):
        return predict(tf.io.parse_example(serialized, text_spec))

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
    def predict_text(text):
        return predict({transform.TEXT_KEY: tf.reshape(text, [-1, 1])})

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="examples")])
    def transform_features(serialized):
        return model.tft_layer(tf.io.parse_example(serialized, raw_spec))

    return {"serving_default": serve_tf_examples, "predict_text": predict_text,
            "transform_features": transform_features}


def run_fn(fn_args) -> None:
    """TFX Trainer entry point (GenericExecutor)."""
    config = dict(fn_args.custom_config or {})
    tf_transform_output = tft.TFTransformOutput(fn_args.transform_output)
    batch_size = int(config.get("batch_size", 128))
    train_steps = int(fn_args.train_steps)
    evaluations = max(1, min(int(config.get("evaluations", 10)), train_steps))
    steps_per_epoch = math.ceil(train_steps / evaluations)

    train = input_fn(fn_args.train_files, fn_args.data_accessor, tf_transform_output, batch_size,
                     shuffle_buffer_size=int(config.get("shuffle_buffer_size", 25000)))
    evaluation = input_fn(fn_args.eval_files, fn_args.data_accessor, tf_transform_output, batch_size,
                          num_epochs=1)
    model = build_model(**config)
    model.summary(print_fn=logging.info)
    model.fit(
        train,
        steps_per_epoch=steps_per_epoch,
        epochs=evaluations,
        validation_data=evaluation,
        validation_steps=fn_args.eval_steps or None,
        callbacks=[tf_keras.callbacks.TensorBoard(log_dir=fn_args.model_run_dir, update_freq="epoch")],
        verbose=2,
    )
    model.save(fn_args.serving_model_dir, save_format="tf",
               signatures=make_signatures(model, tf_transform_output))
