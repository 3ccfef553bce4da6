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
import tarfile
import tempfile
import time

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from data.dataset import SHARED_ARCHIVE  # noqa: E402
from pipeline import predict  # noqa: E402
from pipeline.configs import PipelineConfig  # noqa: E402


def test_reviews(archive: str, n: int) -> list[tuple[str, int]]:
    """The first n/2 positive and n/2 negative reviews of the archive's test split."""
    wanted = {"pos": n // 2, "neg": n - n // 2}
    found: list[tuple[str, int]] = []
    with tarfile.open(archive) as tar:
        for member in tar:
            parts = member.name.split("/")
            if len(parts) == 4 and parts[1] == "test" and wanted.get(parts[2], 0) > 0 and member.isfile():
                wanted[parts[2]] -= 1
                text = tar.extractfile(member).read().decode("utf-8").replace("\n", " ")
                found.append((text, int(parts[2] == "pos")))
                if not any(wanted.values()):
                    break
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="SavedModel directory (default: the newest pushed model)")
    parser.add_argument("--data", default=SHARED_ARCHIVE, help="aclImdb_v1.tar.gz")
    parser.add_argument("--n", type=int, default=1000, help="reviews in the batch")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    model = args.model or predict.latest_model(PipelineConfig().serving_dir)

    reviews = test_reviews(args.data, args.n)
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
