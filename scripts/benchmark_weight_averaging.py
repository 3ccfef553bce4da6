"""Benchmark: the default DNN's test accuracy with and without weight averaging (--ema-momentum,
components/trainer/optimizers.py: AveragedWeights), warm-started and cold, on the spans of
scripts/benchmark_spans.py (docs/training.md#optimisers has the table).

    .venv/bin/python scripts/benchmark_weight_averaging.py --metadata-path /tmp/s14/spans/chain/metadata.sqlite \\
        --data ../shared/data/aclImdb_v1.tar.gz --output /tmp/s14/weight_averaging.json

From the store of a benchmark_spans chain (its transformed spans), in one invocation, for each
`--momenta` (ema_momentum; default 0.99 and 0): a base model trained on span 1 (1,000 steps);
`--orders` warm starts from it on the spans of `--window` (default 1,2) for each of
`--warm-steps` (default 500, the share a warm start trains on spans 1-2, half of them new to the
base), differing only in the order of the batches; `--orders` cold models on the same window
(1,000 steps). Each model's accuracy on the official test reviews at the 0.5 threshold, its AUC
and its mean predicted probability; the median time of the fits by setting and steps (the
settings take turns, order by order, so that their ratio is taken under the same load). The
training loop is Keras' fit on the transformed examples, as the Trainer's.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import tarfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from components import tf_env  # noqa: E402,F401  (Keras 2, before TensorFlow is imported)


def transformed_spans(metadata_path: str) -> tuple[dict, str]:
    """({span: transformed examples uri}, a transform graph uri) from the chain's store."""
    from app import runs

    store = runs.open_store(metadata_path)
    spans = {a.properties["span"].int_value: a.uri for a in store.get_artifacts_by_type("Examples")
             if "/Transform/" in a.uri}
    graph = store.get_artifacts_by_type("TransformGraph")[0].uri
    return spans, graph


def test_reviews(archive: str):
    import numpy as np

    texts, labels = [], []
    with tarfile.open(archive) as tar:
        for member in tar:
            parts = member.name.split("/")
            if len(parts) == 4 and parts[1] == "test" and parts[2] in ("pos", "neg") and parts[3].endswith(".txt"):
                texts.append(tar.extractfile(member).read().decode("utf-8"))
                labels.append(parts[2] == "pos")
    return texts, np.array(labels)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--metadata-path", required=True, help="the store of a benchmark_spans chain")
    parser.add_argument("--data", required=True, help="the aclImdb archive (its test reviews)")
    parser.add_argument("--orders", type=int, default=5, help="warm starts and cold models per setting")
    parser.add_argument("--window", default="1,2", help="the spans the warm and cold models train on")
    parser.add_argument("--warm-steps", default="500", help="the warm starts' steps, comma-separated")
    parser.add_argument("--momenta", default="0.99,0", help="the ema_momentum values, comma-separated")
    parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)

    import numpy as np
    import tensorflow as tf
    import tensorflow_transform as tft
    import tf_keras
    from sklearn.metrics import roc_auc_score

    from components import features
    from components.trainer.models import build_model
    from components.training_config import TrainingConfig
    from components.transform.preprocessing import clean_text

    spans, graph = transformed_spans(args.metadata_path)
    spec = tft.TFTransformOutput(graph).transformed_feature_spec()
    texts, labels = test_reviews(args.data)
    test = np.concatenate([clean_text(tf.constant(texts[i:i + 5000])).numpy() for i in range(0, len(texts), 5000)])

    def batches(window, seed):
        files = sorted(f for s in window for f in glob.glob(os.path.join(spans[s], "Split-train", "*")))
        data = tf.data.TFRecordDataset(files, compression_type="GZIP")
        data = data.shuffle(100_000, seed=seed, reshuffle_each_iteration=True).repeat().batch(128)
        return data.map(lambda x: tf.io.parse_example(x, spec)).map(
            lambda b: ({features.TEXT: b[features.TEXT]}, b[features.LABEL]))

    def scores(model):
        p = model.predict({features.TEXT: test}, batch_size=1000, verbose=0).reshape(-1)
        return {"accuracy": round(float(((p > 0.5) == labels).mean()), 5),
                "auc": round(float(roc_auc_score(labels, p)), 4), "mean_probability": round(float(p.mean()), 3)}

    fit_seconds: dict = {}

    def trained(config, window, steps, seed, start=None):
        tf_keras.utils.set_random_seed(seed)
        model = build_model(config)
        for variable, value in zip(model.trainable_weights, start or []):
            variable.assign(value)
        begin = time.perf_counter()
        model.fit(batches(window, seed), steps_per_epoch=steps, epochs=1, verbose=0)
        fit_seconds.setdefault((config.ema_momentum, steps), []).append(time.perf_counter() - begin)
        return model

    window = [int(s) for s in args.window.split(",")]
    warm_steps = [int(s) for s in args.warm_steps.split(",")]
    momenta = [float(m) for m in args.momenta.split(",")]
    kinds = [f"warm_{steps}" for steps in warm_steps] + ["cold"]
    results = {"command": " ".join(sys.argv), "window": window, "settings": {}}
    starts = {}
    for momentum in momenta:
        base = trained(TrainingConfig(ema_momentum=momentum), [1], 1000, 1)
        results["settings"][str(momentum)] = {"base": scores(base), **{kind: [] for kind in kinds}}
        starts[momentum] = [v.numpy() for v in base.trainable_weights]
    for order in range(args.orders):
        for momentum in momenta:
            config, row = TrainingConfig(ema_momentum=momentum), results["settings"][str(momentum)]
            for steps in warm_steps:
                row[f"warm_{steps}"].append(scores(trained(config, window, steps, 300 + order, starts[momentum])))
            row["cold"].append(scores(trained(config, window, 1000, 400 + order)))
            print(momentum, order, {kind: row[kind][-1]["accuracy"] for kind in kinds}, flush=True)
    for momentum in momenta:
        row = results["settings"][str(momentum)]
        for kind in kinds:
            accuracies = [r["accuracy"] for r in row[kind]]
            row[f"{kind}_accuracy_range"] = [min(accuracies), max(accuracies)]
        row["fit_seconds_median"] = {steps: round(float(np.median(t)), 2)
                                     for (m, steps), t in fit_seconds.items() if m == momentum}
    with open(args.output, "w") as f:
        json.dump(results, f, indent=1)
    print(json.dumps({m: {k: v for k, v in r.items() if k.endswith("range")} for m, r in results["settings"].items()}))


if __name__ == "__main__":
    main()
