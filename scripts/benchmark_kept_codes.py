"""kept_codes (components/trainer/lbfgs.py: the distinct n-gram ids above the min-count cut and
each entry's column) on the real ids of a run's Transform output, the way SparseRows.collect
calls it (np.unique for the counts, then a hash lookup of each chunk of ids in the kept keys),
against the previous method (the same counts, then a binary search of each chunk in the kept
keys), both in one invocation, alternating, each checked equal.

    .venv/bin/python scripts/benchmark_kept_codes.py \\
        --transformed <pipeline root>/Transform/transformed_examples/<id> [--split train] [--min-count 3] [--rounds 3]

Prints the seconds of each (median of the rounds), their ratio, and the peak of each one's numpy
allocations (tracemalloc) in bytes per entry.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def ngram_ids(transformed: str, split: str):
    """Every entry of the split's `ngrams` feature (one distinct id per review and n-gram), as
    SparseRows.collect holds them: uint32 (hashed ids)."""
    import numpy as np
    import tensorflow as tf

    files = sorted(glob.glob(os.path.join(transformed, f"Split-{split}", "*")))
    if not files:
        sys.exit(f"benchmark_kept_codes: {transformed}: no files of split {split}")
    spec = {"ngrams": tf.io.VarLenFeature(tf.int64)}
    dataset = tf.data.TFRecordDataset(files, compression_type="GZIP").batch(1000).map(
        lambda r: tf.io.parse_example(r, spec)["ngrams"].values)
    values = np.concatenate([v.numpy() for v in dataset])
    return values.astype(np.uint32) if values.size and values.min() >= 0 and values.max() < 2**32 else values


def previous_kept_codes(values, min_count):
    """What kept_codes did before: np.unique, then np.searchsorted chunk by chunk."""
    import numpy as np

    keys, occurrences = np.unique(values, return_counts=True)
    keys = keys[occurrences >= min_count]
    columns = np.zeros(values.size, np.int32)
    found = np.zeros(values.size, bool)
    step = 1 << 22
    for start in range(0, values.size, step):
        chunk = values[start:start + step]
        position = np.minimum(np.searchsorted(keys, chunk), keys.size - 1)
        columns[start:start + step] = position
        found[start:start + step] = keys[position] == chunk
    return keys, columns, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transformed", required=True, help="a Transform transformed_examples artifact directory")
    parser.add_argument("--split", default="train")
    parser.add_argument("--min-count", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.rounds < 1 or args.min_count < 1:
        parser.error("--rounds and --min-count: at least 1")

    import components  # noqa: F401  (TensorFlow's environment)
    import numpy as np

    from components.trainer.lbfgs import kept_codes

    values = ngram_ids(args.transformed, args.split)
    methods = {"previous": previous_kept_codes, "kept_codes": kept_codes}
    seconds = {name: [] for name in methods}
    results = {}
    for _ in range(args.rounds):
        for name, method in methods.items():
            start = time.perf_counter()
            results[name] = method(values, args.min_count)
            seconds[name].append(time.perf_counter() - start)
    (keys, columns, found), (keys0, columns0, found0) = results["kept_codes"], results["previous"]
    if not (np.array_equal(keys, keys0) and np.array_equal(found, found0) and np.array_equal(columns[found], columns0[found0])):
        sys.exit("benchmark_kept_codes: the two methods disagree")
    median = {name: statistics.median(s) for name, s in seconds.items()}
    peak = {}
    for name, method in methods.items():  # numpy's allocations, one more call each under tracemalloc
        tracemalloc.start()
        result = method(values, args.min_count)
        peak[name] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        del result
    print(json.dumps({"entries": int(values.size), "distinct": int(np.unique(values).size), "kept": int(keys.size),
                      "seconds": {k: round(v, 2) for k, v in median.items()},
                      "kept_codes_vs_previous": round(median["kept_codes"] / median["previous"], 3),
                      "peak_bytes_per_entry": {k: round(v / max(values.size, 1), 1) for k, v in peak.items()},
                      "rounds": args.rounds, "load_average": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
