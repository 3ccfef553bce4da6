"""Speed of the in-graph VADER scores as the Trainer and the server run them: the sentences of
the first --reviews test reviews of the archive through `LexiconScores` (the model's layer,
components/trainer/lexicon_columns.py) in batches of each of --batch-sizes, in one invocation,
with each size's rate against the first's (the Trainer scores its training sentences in chunks of
16,384: SideColumns).

    .venv/bin/python scripts/benchmark_lexicon.py [--data ../shared/data/aclImdb_v1.tar.gz] [--reviews 4000] \
        [--batch-sizes 1000,16384] [--rounds 2]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="../shared/data/aclImdb_v1.tar.gz")
    parser.add_argument("--reviews", type=int, default=4000)
    parser.add_argument("--batch-sizes", default="1000,16384", help="comma-separated; the first is the reference")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the sentences per size, sizes alternating")
    args = parser.parse_args()
    sizes = [int(b) for b in args.batch_sizes.split(",")]
    if not sizes or min(sizes) < 1 or args.rounds < 1:
        parser.error("--batch-sizes: positive integers; --rounds: at least 1")

    import components  # noqa: F401
    import tensorflow as tf

    from components import snippets
    from components.trainer.lexicon_columns import LexiconScores
    from data.sample import archive_reviews

    sentences = [s for text, _ in archive_reviews(args.data, args.reviews) for s in snippets.sentences(text)]
    start = time.time()
    layer = LexiconScores()
    layer(tf.constant(sentences[:10]))
    build = time.time() - start
    seconds = dict.fromkeys(sizes, 0.0)
    for _ in range(args.rounds):
        for size in sizes:
            start = time.time()
            for i in range(0, len(sentences), size):
                layer(tf.constant(sentences[i:i + size]))
            seconds[size] += time.time() - start
    rates = {size: len(sentences) * args.rounds / s for size, s in seconds.items()}
    print(json.dumps({"sentences": len(sentences), "rounds": args.rounds, "build_and_trace_s": round(build, 2),
                      "sentences_per_s": {str(b): round(r) for b, r in rates.items()},
                      "rate_vs_first": {str(b): round(r / rates[sizes[0]], 2) for b, r in rates.items()},
                      "load_average": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
