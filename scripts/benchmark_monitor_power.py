"""Detection power of `imdb-tfx monitor` on logged traffic: the spans' power table (docs/drift.md),
with the served side as monitor sees it (texts and the model's probabilities; no labels, no ratings).

For each resample r of --resamples, --size test reviews of the aclImdb archive (movies the
model did not train on) are drawn, altered per scenario, scored by the pushed model (what the
server answers), written through the server's RequestLog and read back as monitor reads a
window; then monitor's checks (app/monitor/check.py, the version's training data found through
the metadata store: its eval split, --size reviews, scored once) decide. Scenarios:
- same: the reviews as they are (a false alarm when anything fires);
- negative_90: 90% negative reviews;
- first_sentence_25 / first_sentence_10: 25% / 10% of the reviews cut to their first sentence.
Reported: how many of the resamples fired, and which checks.

    .venv/bin/python scripts/benchmark_monitor_power.py --serving-dir /tmp/monitor/serving \\
        --metadata-path /tmp/monitor/metadata.sqlite [--resamples 20] [--size 1000]
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import random
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import components  # noqa: E402,F401  (the TensorFlow environment)
from app.monitor import check, lineage, window  # noqa: E402
from components.serving import versions  # noqa: E402
from components.serving.served_model import ServedModel  # noqa: E402
from components.serving.request_log import RequestLog  # noqa: E402
from data.dataset import SHARED_ARCHIVE  # noqa: E402
from data.sample import archive_reviews  # noqa: E402

FIRST_SENTENCE = re.compile(r"^(.+?[.!?])(?:\s|<br|$)", re.S)


def first_sentence(text: str) -> str:
    match = FIRST_SENTENCE.match(text)
    return match.group(1) if match else text


def draw(reviews: list[tuple[str, int]], scenario: str, size: int, rng: random.Random) -> list[str]:
    if scenario == "negative_90":
        negative = [t for t, label in reviews if label == 0]
        positive = [t for t, label in reviews if label == 1]
        return rng.sample(negative, int(size * 0.9)) + rng.sample(positive, size - int(size * 0.9))
    texts = [t for t, _ in rng.sample(reviews, size)]
    if scenario.startswith("first_sentence_"):
        share = int(scenario.rsplit("_", 1)[1]) / 100
        for i in rng.sample(range(size), int(size * share)):
            texts[i] = first_sentence(texts[i])
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serving-dir", required=True)
    parser.add_argument("--metadata-path", required=True)
    parser.add_argument("--data", default=SHARED_ARCHIVE)
    parser.add_argument("--resamples", type=int, default=20)
    parser.add_argument("--size", type=int, default=1000, help="texts a side")
    parser.add_argument("--scenarios", default="same,negative_90,first_sentence_25,first_sentence_10")
    args = parser.parse_args()
    model_dir = versions.latest(args.serving_dir)
    version = os.path.basename(model_dir)
    trained = lineage.trained_on(args.metadata_path, version)
    reference, why = check.reference_sample(trained, 100, seed=0, limit=args.size)
    model = ServedModel.load(model_dir)
    reviews = archive_reviews(args.data, 25_000)
    from components.drift import compare_samples

    table = {}
    for scenario in args.scenarios.split(","):
        fired, by_check, seconds = 0, collections.Counter(), []
        for r in range(args.resamples):
            texts = draw(reviews, scenario, args.size, random.Random(1000 * r + 7))
            with tempfile.TemporaryDirectory() as log_dir:
                log = RequestLog(log_dir)
                for i in range(0, len(texts), 64):
                    batch = texts[i:i + 64]
                    log.record(f"{scenario}-{r}-{i}", batch, [(version, a) for a in model.predict(batch)])
                log.close()
                logged = check.distinct(window.read_window(log_dir))
            start = time.perf_counter()
            drift = compare_samples(reference, check.current_sample(logged, f"{scenario} {r}"), seed=r)
            seconds.append(time.perf_counter() - start)
            fired += drift["detected"]
            by_check.update(c["name"] for c in drift["checks"] if c["detected"])
        table[scenario] = {"fired": fired, "of": args.resamples, "by_check": dict(by_check),
                           "mean_check_seconds": sum(seconds) / len(seconds)}
        print(f"{scenario}: fired {fired}/{args.resamples} {dict(by_check)}", file=sys.stderr, flush=True)
    print(json.dumps({"reference": reference.name, "reference_scores": why or "eval split, scored by the model",
                      "size": args.size, "table": table}, indent=2))


if __name__ == "__main__":
    main()
