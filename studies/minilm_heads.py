"""Design study: which head to put on frozen all-MiniLM-L6-v2 vectors (chosen on the eval split).

Reads the vectors that Transform materialised for the experiments' minilm-frozen row
(feature `embedding` of Split-train/eval/test) and fits candidate heads on train, scoring
each on eval; the test split is scored only for the head chosen on eval (`--test`).

Usage: .venv/bin/python -m studies.minilm_heads output/pipeline_root/Transform/transformed_examples/<id> [--test]
"""
from __future__ import annotations

import argparse
import glob
import os

import components  # noqa: F401  (the TensorFlow environment)
import numpy as np
import tensorflow as tf

from components import features


def read_split(uri: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    files = sorted(glob.glob(os.path.join(uri, f"Split-{split}", "*.gz")))
    if not files:
        raise SystemExit(f"{uri}: no Split-{split} examples")
    xs, ys = [], []
    for rec in tf.data.TFRecordDataset(files, compression_type="GZIP"):
        f = tf.train.Example.FromString(rec.numpy()).features.feature
        if features.EMBEDDING not in f:
            raise SystemExit(f"{uri}: examples have no `embedding` feature (not a precomputed-module Transform)")
        xs.append(f[features.EMBEDDING].float_list.value)
        ys.append(f[features.LABEL].int64_list.value[0])
    return np.asarray(xs, np.float32), np.asarray(ys)


def mlp(x, y, units, dropout, epochs, seed=0):
    import tf_keras

    tf_keras.utils.set_random_seed(seed)
    layers = []
    for u in units:
        layers += [tf_keras.layers.Dense(u, activation="relu"), tf_keras.layers.Dropout(dropout)]
    model = tf_keras.Sequential(layers + [tf_keras.layers.Dense(1, activation="sigmoid")])
    model.compile(tf_keras.optimizers.Adam(0.001), "binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=128, epochs=epochs, verbose=0)
    return lambda z: model.predict(z, batch_size=1024, verbose=0)[:, 0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("transformed_examples")
    ap.add_argument("--test", action="store_true", help="also score the eval-chosen head on the test split")
    args = ap.parse_args()
    from sklearn.linear_model import LogisticRegression

    (xtr, ytr), (xev, yev) = (read_split(args.transformed_examples, s) for s in ("train", "eval"))
    print(f"train {xtr.shape}, eval {xev.shape}")
    candidates = {}
    for c in (0.3, 1, 3, 10, 30):
        lr = LogisticRegression(C=c, max_iter=2000).fit(xtr, ytr)
        candidates[f"logistic C={c}"] = lambda z, lr=lr: lr.predict_proba(z)[:, 1]
    for units, dropout, epochs in [((500, 100), 0.0, 10), ((500, 100), 0.0, 2), ((500, 100), 0.5, 4),
                                   ((256,), 0.5, 4), ((256,), 0.5, 10), ((64,), 0.3, 4)]:
        candidates[f"mlp {units} dropout {dropout} {epochs} epochs"] = mlp(xtr, ytr, units, dropout, epochs)
    scores = {}
    for name, predict in candidates.items():
        scores[name] = (float(np.mean((predict(xtr) > 0.5) == ytr)), float(np.mean((predict(xev) > 0.5) == yev)))
        print(f"{name:40s} train {scores[name][0]:.4f} eval {scores[name][1]:.4f}", flush=True)
    best = max(scores, key=lambda k: scores[k][1])
    print(f"chosen on eval: {best}")
    if args.test:
        xte, yte = read_split(args.transformed_examples, "test")
        print(f"{best}: test {np.mean((candidates[best](xte) > 0.5) == yte):.4f} ({len(yte)} reviews)")


if __name__ == "__main__":
    main()
