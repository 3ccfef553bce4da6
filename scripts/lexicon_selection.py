"""The lexicon's check on the IMDB selection set the pipeline has: the eval reviews and their
snippets (first sentence, first 20 and 50 words), for two exported models side by side (the
best preset with and without the VADER columns: docs/lexicon.md).

    .venv/bin/python scripts/lexicon_selection.py --transformed ROOT/Transform/transformed_examples/N \
        --model with=ROOT/ExperimentTrainer/model/A/Format-Serving --model without=.../B/Format-Serving

Reads Transform's materialised eval split (the cleaned text and the label), cuts the pieces as the
Trainer does (components/trainer/review_pieces.py), scores them with each model's `predict_text`, and
prints each model's accuracy per piece kind, the paired difference and its standard error (the
two models' disagreements, sqrt(b + c) / n).
"""
from __future__ import annotations

import argparse
import glob
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transformed", required=True, help="Transform's transformed_examples/N directory")
    parser.add_argument("--model", action="append", required=True, help="NAME=SAVED_MODEL_DIR (two)")
    args = parser.parse_args()

    import components  # noqa: F401
    import numpy as np
    import tensorflow as tf

    from components import features, snippets
    from components.trainer import review_pieces

    files = sorted(glob.glob(os.path.join(args.transformed, "Split-eval", "*")))
    if not files:
        sys.exit(f"lexicon_selection: no Split-eval files under --transformed {args.transformed}")
    spec = {features.TEXT: tf.io.FixedLenFeature([], tf.string), features.LABEL: tf.io.FixedLenFeature([], tf.int64)}
    data = tf.data.TFRecordDataset(files, compression_type="GZIP").batch(1000).map(
        lambda s: tf.io.parse_example(s, spec)).map(lambda b: ({features.TEXT: b[features.TEXT]}, b[features.LABEL]))
    kinds = (review_pieces.REVIEWS, *snippets.SNIPPETS)
    per_kind = {k: review_pieces.piece_texts(data, [k]) for k in kinds}
    predictions = {}
    for name, path in (m.split("=", 1) for m in args.model):
        predict = tf.saved_model.load(path).signatures["predict_text"]
        predictions[name] = {k: np.concatenate([predict(text=tf.constant(texts[i:i + 500]))[features.PROBABILITY]
                                                .numpy().reshape(-1) > 0.5 for i in range(0, len(texts), 500)])
                             for k, (texts, _) in per_kind.items()}
    (a, pa), (b, pb) = predictions.items()
    for kind, (texts, labels) in per_kind.items():
        right_a, right_b = pa[kind] == (labels == 1), pb[kind] == (labels == 1)
        n = len(labels)
        print(json.dumps({"eval": kind, "examples": n, a: round(float(right_a.mean()), 4), b: round(float(right_b.mean()), 4),
                          f"{a} - {b}": round(float(right_a.mean() - right_b.mean()), 4),
                          "paired_se": round(math.sqrt(float((right_a != right_b).sum())) / n, 4)}), flush=True)


if __name__ == "__main__":
    main()
