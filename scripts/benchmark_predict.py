"""Throughput and latency of `imdb-tfx predict` on real IMDB test reviews.

Measures, on the pushed model (or --model): reviews per second for a batch of --n reviews
classified in-process with the command's own code (batches of 256), the latency of one
review per call, and the command end to end on a file (TensorFlow import and model load
included). Prints one JSON object.

    .venv/bin/python scripts/benchmark_predict.py [--model DIR] [--n 1000]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from app import predict  # noqa: E402  (imports components: the TensorFlow environment)
from data.dataset import SHARED_ARCHIVE  # noqa: E402
from data.sample import archive_reviews  # noqa: E402
from pipeline.configs import PipelineConfig  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="SavedModel directory (default: the newest pushed model)")
    parser.add_argument("--data", default=SHARED_ARCHIVE, help="aclImdb_v1.tar.gz")
    parser.add_argument("--n", type=int, default=1000, help="reviews in the batch")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    model = args.model or predict.latest_model(PipelineConfig().serving_dir)

    reviews = [(text.replace("\n", " "), label) for text, label in archive_reviews(args.data, args.n)]
    texts = [t for t, _ in reviews]
    start = time.perf_counter()
    predict_text = predict.load(model)
    load_s = time.perf_counter() - start

    list(predict.predictions(predict_text, [{"text": t} for t in texts[:256]]))  # warm-up (traces the graph)
    batch_s = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        out = list(predict.predictions(predict_text, [{"text": t} for t in texts]))
        batch_s.append(time.perf_counter() - start)
    accuracy = sum((o["label"] == "positive") == bool(y) for o, (_, y) in zip(out, reviews)) / len(reviews)

    single_ms = []
    for text in texts[:100]:
        start = time.perf_counter()
        list(predict.probabilities(predict_text, [text]))
        single_ms.append((time.perf_counter() - start) * 1e3)

    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as f:
        f.write("\n".join(texts) + "\n")
        f.flush()
        start = time.perf_counter()
        subprocess.run([os.path.join(os.path.dirname(sys.executable), "imdb-tfx"), "predict", "--model", model,
                        "--file", f.name], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cli_s = time.perf_counter() - start

    single_ms.sort()
    print(json.dumps({
        "model": model, "reviews": len(texts), "cpus": os.cpu_count(), "accuracy": round(accuracy, 4),
        "tf_import_and_model_load_s": round(load_s, 2),
        "batch_s": [round(s, 3) for s in batch_s],
        "reviews_per_s_median": round(len(texts) / statistics.median(batch_s)),
        "reviews_per_s_best": round(len(texts) / min(batch_s)),
        "single_review_ms_median": round(statistics.median(single_ms), 2),
        "single_review_ms_p90": round(single_ms[int(0.9 * len(single_ms))], 2),
        "cli_end_to_end_s": round(cli_s, 2),
    }, indent=1))


if __name__ == "__main__":
    main()
