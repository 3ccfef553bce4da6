"""Encoding throughput of the TF all-MiniLM-L6-v2 module vs sentence-transformers on PyTorch (CPU).

Both encode the same N IMDB test reviews (batch 32, max 256 tokens) in one run; prints and
optionally writes JSON with both rates (reviews/s), their ratio and the cosine agreement.

PyTorch must not go into .venv, so the sentence-transformers side runs this file again under
another interpreter (`--torch-python`, default .venv-torch/bin/python), set up once from
studies/requirements-torch.txt (the versions it ran with) with any Python 3.11:

    uv venv -p 3.11 .venv-torch
    uv pip install -p .venv-torch -r studies/requirements-torch.txt

TF_ENABLE_ONEDNN_OPTS defaults to 1 here (set it to 0 to measure TF's default Eigen kernels).

Usage: .venv/bin/python studies/benchmark_minilm.py [-n 512] [--output minilm_benchmark.json]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))



def torch_worker(reviews_json: str, out_npy: str, model_dir: str, batch_size: int, max_length: int) -> None:
    """Runs under the torch interpreter: times sentence-transformers.encode, saves embeddings."""
    import torch
    from sentence_transformers import SentenceTransformer

    texts = json.loads(Path(reviews_json).read_text())
    model = SentenceTransformer(model_dir, device="cpu")
    model.max_seq_length = max_length
    model.encode(texts[:batch_size], batch_size=batch_size)  # warm-up
    start, cpu = time.perf_counter(), time.process_time()
    emb = model.encode(texts, batch_size=batch_size)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    np.save(out_npy, emb)
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "threads": torch.get_num_threads(),
                      "torch": torch.__version__}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="default: as imdb-tfx run finds it")
    parser.add_argument("-n", "--num-reviews", type=int, default=512)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--module", type=Path, help="existing SavedModel (default: build a fresh one)")
    parser.add_argument("--torch-python", default=str(ROOT / ".venv-torch/bin/python"))
    parser.add_argument("--output", type=Path, help="write the results as JSON here too")
    parser.add_argument("--torch-worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.torch_worker:
        return torch_worker(*args.torch_worker, args.batch_size, args.max_length)

    # The TensorFlow environment (components/tf_env.py): oneDNN kernels (fused MatMul+BiasAdd+GELU,
    # faster batched matmul and softmax), off by default on CPUs without AVX-512, are on.
    import components  # noqa: F401
    import tensorflow as tf

    from components.modules import minilm as mm
    from data.sample import archive_reviews

    from data.dataset import default_data

    load_before = os.getloadavg()[0]
    texts = [text for text, _ in archive_reviews(str(args.data or default_data()), args.num_reviews)]
    lengths = np.array([len(ids) for ids in mm.tokenize(texts, max_length=1 << 20)])
    with tempfile.TemporaryDirectory() as tmp:
        path = args.module or mm.build_minilm_module(f"{tmp}/minilm", max_length=args.max_length)
        module = tf.saved_model.load(str(path))
        mm.encode(texts[:args.batch_size], module, args.batch_size)  # warm-up
        start, cpu = time.perf_counter(), time.process_time()
        ours = mm.encode(texts, module, args.batch_size)
        tf_seconds, tf_cpu_seconds = time.perf_counter() - start, time.process_time() - cpu

    with tempfile.TemporaryDirectory() as tmp:
        reviews, out = Path(tmp, "reviews.json"), Path(tmp, "emb.npy")
        reviews.write_text(json.dumps(texts))
        proc = subprocess.run(
            [args.torch_python, __file__, "--torch-worker", str(reviews), str(out), str(mm.model_dir()),
             "--batch-size", str(args.batch_size), "--max-length", str(args.max_length)],
            check=True, stdout=subprocess.PIPE, text=True)
        torch_run = json.loads(proc.stdout.strip().splitlines()[-1])
        theirs = np.load(out)

    tf_rate, torch_rate = len(texts) / tf_seconds, len(texts) / torch_run["seconds"]
    cosine = np.sum(ours * theirs, axis=1) / np.linalg.norm(theirs, axis=1)
    result = {
        "reviews": len(texts), "batch_size": args.batch_size, "max_length": args.max_length,
        "cpu_count": os.cpu_count(), "tf_onednn": os.environ["TF_ENABLE_ONEDNN_OPTS"],
        "tf_reviews_per_s": round(tf_rate, 2), "torch_reviews_per_s": round(torch_rate, 2),
        "tf_over_torch": round(tf_rate / torch_rate, 3),
        # CPU seconds (all threads) are less sensitive to other processes than wall time
        "tf_reviews_per_cpu_s": round(len(texts) / tf_cpu_seconds, 2),
        "torch_reviews_per_cpu_s": round(len(texts) / torch_run["cpu_seconds"], 2),
        "torch_threads": torch_run["threads"],
        "torch": torch_run["torch"], "min_cosine_tf_vs_torch": round(float(cosine.min()), 6),
        "fraction_over_max_length": round(float(np.mean(lengths > args.max_length)), 4),
        "median_wordpieces": int(np.median(lengths)),
        "load_avg_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],  # other processes
    }
    print(json.dumps(result, indent=2))
    if args.output:
        args.output.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
