"""Agreement of the in-graph VADER scores (components/transform/lexicon.py) with the reference
package's SentimentIntensityAnalyzer (vaderSentiment 3.3.2) on real text, and the ops' speed.

    .venv/bin/python scripts/lexicon_agreement.py [--archive ../shared/data/aclImdb_v1.tar.gz]
        [--reviews 1000] [--ood-dir ../shared/data/ood_dev]

Texts: the sentences of the first --reviews test reviews of the archive (half positive), the
whole reviews, and every text of each *.jsonl in --ood-dir; each cleaned as Transform cleans
it. Prints, per set, the share of texts whose compound score is within 0.05 and 0.001 of the
package's, the share with the same sign, and pos/neg within 0.05; and the graph's texts/s.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archive", default="../shared/data/aclImdb_v1.tar.gz")
    parser.add_argument("--reviews", type=int, default=1000)
    parser.add_argument("--ood-dir", default="../shared/data/ood_dev")
    args = parser.parse_args()

    import components  # noqa: F401  (the TensorFlow environment)
    import numpy as np
    import tensorflow as tf
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from components import snippets
    from data.sample import archive_reviews
    from components.transform.lexicon import vader_scores

    reviews = [snippets.clean(t) for t, _ in archive_reviews(args.archive, args.reviews)]
    sets = {"imdb_test_sentences": [s for r in reviews for s in snippets.sentences(r)], "imdb_test_reviews": reviews}
    for path in sorted(glob.glob(os.path.join(args.ood_dir, "*.jsonl"))):
        with open(path, encoding="utf-8") as f:
            sets[os.path.basename(path)[:-6]] = [snippets.clean(json.loads(line)["text"]) for line in f if line.strip()]
    analyzer = SentimentIntensityAnalyzer()
    scores = tf.function(vader_scores, input_signature=[tf.TensorSpec([None], tf.string)])
    scores(tf.constant(["warm up"]))
    results = {}
    for name, texts in sets.items():
        start = time.time()
        reference = np.array([[d["compound"], d["pos"], d["neg"]] for d in map(analyzer.polarity_scores, texts)])
        package_seconds = time.time() - start
        start = time.time()
        graph = np.concatenate([scores(tf.constant(texts[i:i + 1000])).numpy() for i in range(0, len(texts), 1000)])
        graph_seconds = time.time() - start
        diff = np.abs(graph - reference)
        results[name] = {
            "texts": len(texts),
            "compound_within_0.05": round(float((diff[:, 0] <= 0.05).mean()), 4),
            "compound_within_0.001": round(float((diff[:, 0] <= 0.001).mean()), 4),
            "compound_sign": round(float((np.sign(graph[:, 0]) == np.sign(reference[:, 0])).mean()), 4),
            "pos_neg_within_0.05": round(float((diff[:, 1:] <= 0.05).all(axis=1).mean()), 4),
            "graph_texts_per_s": round(len(texts) / graph_seconds),
            "package_texts_per_s": round(len(texts) / package_seconds),
        }
        print(json.dumps({name: results[name]}), flush=True)


if __name__ == "__main__":
    main()
