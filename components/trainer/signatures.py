"""The serving signatures of an exported model, all through the Transform graph of training.

  serving_default     serialized tf.Example (with `text`) -> {"probability": [batch, 1] (, "rating")}
  predict_text        raw review strings                  -> the same
  transform_features  serialized tf.Example               -> transformed features (for TFMA)
  serving_transformed serialized transformed tf.Example   -> the outputs (experiments' TFMA)

A regression model's signatures also give sigmoid(rating - 5.5) as the probability of a
positive review. They are traced without AutoGraph (no control flow on tensors here; see
components/trainer/autograph.py).
"""
from __future__ import annotations

import tensorflow as tf
import tensorflow_transform as tft
import tf_keras

from components import features


def make_signatures(model: tf_keras.Model, tf_transform_output: tft.TFTransformOutput,
                    task: str = "classification") -> dict:
    model.tft_layer = tf_transform_output.transform_features_layer()
    raw_spec = tf_transform_output.raw_feature_spec()
    text_spec = {features.TEXT: raw_spec[features.TEXT]}
    keys = list(model.input_names)

    def outputs(transformed):
        inputs = {k: transformed[k] if k != features.TEXT else tf.reshape(transformed[k], [-1]) for k in keys}
        output = model(inputs)
        if task == "regression":
            return {features.PREDICTED_RATING: output,
                    features.PROBABILITY: tf.sigmoid(output - features.RATING_THRESHOLD)}
        return {features.PROBABILITY: output}

    def predict(raw_features):
        return outputs(model.tft_layer(raw_features))

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="examples")], autograph=False)
    def serve_tf_examples(serialized):
        return predict(tf.io.parse_example(serialized, text_spec))

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")], autograph=False)
    def predict_text(text):
        return predict({features.TEXT: tf.reshape(text, [-1, 1])})

    # A guard set's examples (components/example_gen/guard.py) have no rating (0 here), and
    # examples from elsewhere need no dataset.
    eval_spec = dict(raw_spec)
    for key, default in ((features.RATING, [0]), (features.DATASET, [b""])):
        if isinstance(raw_spec.get(key), tf.io.FixedLenFeature):
            eval_spec[key] = raw_spec[key]._replace(default_value=default)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="examples")], autograph=False)
    def transform_features(serialized):
        return model.tft_layer(tf.io.parse_example(serialized, eval_spec))

    transformed_spec = tf_transform_output.transformed_feature_spec()

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="examples")], autograph=False)
    def serve_transformed(serialized):
        return outputs(tf.io.parse_example(serialized, transformed_spec))

    return {"serving_default": serve_tf_examples, "predict_text": predict_text,
            "transform_features": transform_features, "serving_transformed": serve_transformed}
