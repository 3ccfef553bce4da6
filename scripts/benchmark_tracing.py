"""Time to the first training step: AutoGraph converting tf_keras's code or not.

    .venv/bin/python scripts/benchmark_tracing.py [--optimizer adam]

components/trainer/autograph.py keeps AutoGraph off the tf_keras and tensorflow_hub libraries
(TF 2.16 lists `keras` but not `tf_keras`). This builds the same small fine-tuned model
(a tiny word-embedding module, a 16-unit head) in two fresh processes, one with that rule
undone, and times its first `fit` step (tracing included) and the next 19; prints one JSON
object with both and the ratio.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

WORKER = """
import json, sys, tempfile, time
sys.path.insert(0, sys.argv[1])
import components  # the TensorFlow environment
import numpy as np
from tensorflow.python.autograph.core import config
from components.modules.word_embedding import build_word_embedding_module
from components.trainer import models
from tests.helpers import corpus
if sys.argv[2] == "converted":  # undo components/trainer/autograph.py
    config.CONVERSION_RULES = tuple(r for r in config.CONVERSION_RULES
                                    if getattr(r, "_prefix", None) not in ("tf_keras", "tensorflow_hub"))
module = build_word_embedding_module(*corpus.embedding_words(dim=8), tempfile.mkdtemp() + "/m", num_oov_buckets=4)
model = models.build_model(module, trainable=True, hidden_units=(16,), optimizer=sys.argv[3], learning_rate=0.01,
                           loss_reduction="mean")
texts = np.array([" ".join(corpus.POSITIVE[:3]), " ".join(corpus.NEGATIVE[:3])] * 16)
labels = np.array([1, 0] * 16)
start = time.perf_counter()
model.fit(texts, labels, epochs=1, verbose=0)
first = time.perf_counter() - start
start = time.perf_counter()
model.fit(texts, labels, epochs=19, verbose=0)
print(json.dumps({"first_step_s": round(first, 2), "next_19_steps_s": round(time.perf_counter() - start, 2)}))
"""


def run(mode: str, optimizer: str) -> dict:
    out = subprocess.run([sys.executable, "-c", WORKER, ROOT, mode, optimizer], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--optimizer", default="adam", help="adam (LazyAdam) or adagrad")
    args = parser.parse_args()
    converted, unconverted = run("converted", args.optimizer), run("unconverted", args.optimizer)
    print(json.dumps({"cpus": os.cpu_count(), "optimizer": args.optimizer, "tf_keras_converted": converted,
                      "tf_keras_unconverted": unconverted,
                      "first_step_ratio": round(converted["first_step_s"] / unconverted["first_step_s"], 1)},
                     indent=1))


if __name__ == "__main__":
    main()
