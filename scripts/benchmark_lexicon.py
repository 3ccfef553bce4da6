"""Speed of the in-graph VADER scores as the Trainer and the server run them: the sentences of
the first --reviews test reviews of the archive through `LexiconScores` (the model's layer,
components/trainer/lexicon_columns.py) in batches of --batch-size.

    .venv/bin/python scripts/benchmark_lexicon.py [--data ../shared/data/aclImdb_v1.tar.gz] [--reviews 4000]
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
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()

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
    start = time.time()
    for i in range(0, len(sentences), args.batch_size):
        layer(tf.constant(sentences[i:i + args.batch_size]))
    seconds = time.time() - start
    print(json.dumps({"sentences": len(sentences), "build_and_trace_s": round(build, 2), "seconds": round(seconds, 2),
                      "sentences_per_s": round(len(sentences) / seconds), "load_average": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
