"""Tiny SavedModels with the exported model's serving interface, for the server's tests.

Each has a `predict_text` signature like components/trainer/signatures.py's: `text` (tf.string,
[None]) -> {"probability": float32 [n, 1]} (a regression model also "rating"). The probability
is a deterministic function of the text (a seeded table looked up by the text's hash, plus its
length), so two seeds give two distinguishable versions; saving one takes well under a second,
with no pipeline run. The broken ones are what a server must refuse: NaN answers, no
predict_text, a corrupt saved_model.pb, a probability outside [0, 1].
"""
from __future__ import annotations

import os
import shutil

import components  # noqa: F401  (the TensorFlow environment first)
import numpy as np
import tensorflow as tf

BUCKETS = 1000
TEXT_SPEC = tf.TensorSpec([None], tf.string, name="text")


class _TextModel(tf.Module):
    def __init__(self, seed: int, regression: bool = False, kind: str = "good"):
        super().__init__()
        self.table = tf.Variable(np.random.default_rng(seed).normal(0, 2, BUCKETS).astype(np.float32))
        self.regression = regression
        self.kind = kind

    @tf.function(input_signature=[TEXT_SPEC])
    def predict_text(self, text):
        logit = tf.gather(self.table, tf.strings.to_hash_bucket_fast(text, BUCKETS))
        logit += tf.cast(tf.strings.length(text) % 7, tf.float32) * 0.1
        if self.kind == "nan":
            logit *= float("nan")
        probability = tf.sigmoid(logit)
        if self.kind == "out_of_range":
            probability += 1.0
        outputs = {"probability": tf.reshape(probability, [-1, 1])}
        if self.regression:
            outputs["rating"] = tf.reshape(logit + 5.5, [-1, 1])
        return outputs


def build_model(path: str, seed: int = 0, regression: bool = False, kind: str = "good", examples: bool = False,
                transform: bool = False) -> str:
    """A SavedModel at path; kind "good", "nan" (every probability NaN) or "out_of_range" (p + 1);
    with `examples`, also the exported model's serving_default (serialized tf.Examples with `text`);
    with `transform` too, a `transform_features` like the exported model's: the example's text,
    label and rating, and a `length_bucket` of its own ("100-199" from 4 + seed % 3 words on)."""
    module = _TextModel(seed, regression, kind)
    signatures = {"predict_text": module.predict_text}
    if examples:
        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="examples")])
        def serving_default(serialized):
            parsed = tf.io.parse_example(serialized, {"text": tf.io.FixedLenFeature([1], tf.string)})
            return module.predict_text(tf.reshape(parsed["text"], [-1]))

        signatures["serving_default"] = serving_default
    if transform:
        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="examples")])
        def transform_features(serialized):
            parsed = tf.io.parse_example(serialized, {
                "text": tf.io.FixedLenFeature([1], tf.string), "label": tf.io.FixedLenFeature([1], tf.int64),
                "rating": tf.io.FixedLenFeature([1], tf.int64)})
            words = tf.strings.split(tf.reshape(parsed["text"], [-1])).row_lengths()
            bucket = tf.where(words >= 4 + seed % 3, tf.constant(b"100-199"), tf.constant(b"000-099"))
            return {**parsed, "length_bucket": tf.reshape(bucket, [-1, 1])}

        signatures["transform_features"] = transform_features
    tf.saved_model.save(module, path, signatures=signatures)
    return path


def build_model_without_predict_text(path: str) -> str:
    """Loads fine, but only has serving_default (a tf.Example model, not the raw-text one)."""
    module = _TextModel(0)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="examples")])
    def serving_default(examples):
        return module.predict_text(examples)

    tf.saved_model.save(module, path, signatures={"serving_default": serving_default})
    return path


def build_corrupt_model(path: str) -> str:
    """A complete-looking version (saved_model.pb, variables/) whose saved_model.pb is not a proto."""
    build_model(path)
    with open(os.path.join(path, "saved_model.pb"), "wb") as f:
        f.write(b"\x00 this is not a SavedModel proto \xff" * 10)
    return path


def push(model_path: str, serving_dir: str, version: int) -> str:
    """Copies a model into serving_dir/<version> as the Pusher does: into a hidden staging
    directory, then one rename."""
    staging = os.path.join(serving_dir, f".{version}.0.incomplete")
    shutil.copytree(model_path, staging)
    final = os.path.join(serving_dir, str(version))
    os.rename(staging, final)
    return final


def in_process(model_path: str, texts: list[str]) -> dict[str, list[float]]:
    """The model's own predict_text answers: {"probability": [...] (, "rating": [...])}."""
    signature = tf.saved_model.load(model_path).signatures["predict_text"]
    outputs = signature(text=tf.constant(texts, dtype=tf.string))
    return {k: v.numpy().reshape(-1).astype(float).tolist() for k, v in outputs.items()}
