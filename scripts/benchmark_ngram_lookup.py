"""The NB layer's n-gram lookup (components/trainer/layers.py: each id's position among the kept
keys) on the real ids of a run's Transform output, batch by batch as the model reads them: the
layer's hash table (tf.lookup.StaticHashTable) against a binary search of the sorted keys
(tf.searchsorted, what the layer did before), both in one invocation, alternating, checked equal.

    .venv/bin/python scripts/benchmark_ngram_lookup.py \\
        --transformed <pipeline root>/Transform/transformed_examples/<id> [--split train] [--min-count 3] [--rounds 3]

The keys are the split's ids in at least --min-count reviews (the model's table); prints the
seconds of each over all the batches (median of the rounds) and their ratio.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmark_kept_codes import ngram_ids  # noqa: E402  (beside this script)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transformed", required=True, help="a Transform transformed_examples artifact directory")
    parser.add_argument("--split", default="train")
    parser.add_argument("--min-count", type=int, default=3)
    parser.add_argument("--batch-entries", type=int, default=700_000, help="ids a batch (about 1,000 reviews)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.rounds < 1 or args.min_count < 1 or args.batch_entries < 1:
        parser.error("--rounds, --min-count and --batch-entries: at least 1")

    import components  # noqa: F401  (TensorFlow's environment)
    import numpy as np
    import tensorflow as tf

    from components.trainer.lbfgs import kept_codes

    values = ngram_ids(args.transformed, args.split)
    keys = tf.constant(kept_codes(values, args.min_count)[0].astype(np.int64))
    batches = [tf.constant(values[i:i + args.batch_entries].astype(np.int64)) for i in range(0, values.size, args.batch_entries)]
    table = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(keys, tf.range(tf.size(keys, out_type=tf.int64))), -1)
    last = tf.size(keys, out_type=tf.int64) - 1

    def search(ids):
        position = tf.minimum(tf.searchsorted(keys, ids, out_type=tf.int64), last)
        return tf.where(tf.equal(tf.gather(keys, position), ids), position, -1)

    methods = {"searchsorted": tf.function(search), "hash_table": tf.function(table.lookup)}
    for method in methods.values():
        method(batches[0])  # traced before timing
    seconds = {name: [] for name in methods}
    for _ in range(args.rounds):
        for name, method in methods.items():
            start = time.perf_counter()
            for ids in batches:
                method(ids).numpy()
            seconds[name].append(time.perf_counter() - start)
    for ids in batches:
        if not np.array_equal(methods["searchsorted"](ids).numpy(), methods["hash_table"](ids).numpy()):
            sys.exit("benchmark_ngram_lookup: the two lookups disagree")
    median = {name: statistics.median(s) for name, s in seconds.items()}
    print(json.dumps({"entries": int(values.size), "keys": int(keys.shape[0]), "batches": len(batches),
                      "seconds": {k: round(v, 2) for k, v in median.items()},
                      "hash_table_vs_searchsorted": round(median["hash_table"] / median["searchsorted"], 3),
                      "rounds": args.rounds, "load_average": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
