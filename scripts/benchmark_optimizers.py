"""Seconds per training step of a fine-tuned GloVe model: trainer.LazyAdam against Keras' Adam.

    .venv/bin/python scripts/benchmark_optimizers.py [--steps 30]

Keras' Adam decays both moment tables and rewrites the whole embedding table every
step; LazyAdam touches only the rows of the batch. Same model, batches of 128 reviews of
~200 words. Prints one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import components  # noqa: E402,F401  (the TensorFlow environment)
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras  # noqa: E402

from components.trainer.models import build_model  # noqa: E402
from components.trainer.optimizers import LazyAdam  # noqa: E402


def seconds_per_step(optimizer, steps: int) -> float:
    model = build_model("glove", trainable=True, optimizer="adam", loss_reduction="mean")
    model.compile(optimizer=optimizer, loss=model.loss)
    rng = np.random.default_rng(0)
    words = np.array("the film was good bad great awful acting plot story boring superb long dull".split())
    texts = np.array([" ".join(rng.choice(words, 200)) for _ in range(128)])
    data = tf.data.Dataset.from_tensors(({"text": texts}, np.arange(128) % 2)).repeat()
    model.fit(data, steps_per_epoch=3, verbose=0)  # traces the step
    start = time.perf_counter()
    model.fit(data, steps_per_epoch=steps, verbose=0)
    return (time.perf_counter() - start) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()
    lazy = seconds_per_step(LazyAdam(learning_rate=0.001), args.steps)
    dense = seconds_per_step(tf_keras.optimizers.Adam(learning_rate=0.001), args.steps)
    print(json.dumps({"cpus": os.cpu_count(), "steps": args.steps, "lazy_adam_s_per_step": round(lazy, 4),
                      "keras_adam_s_per_step": round(dense, 4), "ratio": round(dense / lazy, 1)}, indent=1))


if __name__ == "__main__":
    main()
