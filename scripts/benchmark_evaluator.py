"""Benchmark: the Evaluator's TFMA job, TFMA's own metrics against the histogram-derived ones
(components/evaluator/histogram_metrics.py), and Beam's side-input cache on (100 MB, Beam's
default, what the pipeline uses) or off (--max_cache_memory_usage_mb=0; the in-memory runner
reads a module constant: it costs time to size each cached value with objsize). Turning it off
gained nothing here (docs/results.md), so the pipeline keeps Beam's default.

    .venv/bin/python scripts/benchmark_evaluator.py --pipeline-root /tmp/bench/pipeline_root

Runs, in one process and in turn, the production Evaluator's TFMA pipeline (the eval config of
a default run: test split plus the snippet sets, sliced as in production, no baseline) over the
examples and the model of a finished run under --pipeline-root (scripts/benchmark.py --workdir
leaves one), `--repeats` times per variant; prints each variant's wall time, its ratio to
TFMA's own metrics with the cache on, and the largest difference between the variants' metric
values over all slices. Writes a JSON with the same.
"""
from __future__ import annotations

import argparse
import glob
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import components  # noqa: E402,F401  (the TensorFlow environment)
from benchmark import write_report  # noqa: E402

VARIANTS = (("tfma-metrics", False, 100), ("tfma-metrics, no cache", False, 0),
            ("histogram-metrics", True, 100), ("histogram-metrics, no cache", True, 0))


def config(histogram: bool):
    import tensorflow_model_analysis as tfma

    from components.evaluator.eval_config import eval_config
    from components.snippets import SNIPPETS

    cfg = eval_config(thresholds=False, snippet_sets=tuple(SNIPPETS))
    if not histogram:  # TFMA's classes of the same metrics
        for metric in cfg.metrics_specs[0].metrics:
            if metric.module:
                metric.class_name, metric.module = metric.class_name.replace("Histogram", ""), ""
    return cfg


def evaluate(model: str, splits: list[str], cfg, cache_mb: int, output: str) -> float:
    import apache_beam as beam
    import tensorflow_model_analysis as tfma
    from apache_beam.runners.portability.fn_api_runner import worker_handlers
    from tfx_bsl.tfxio.tf_example_record import TFExampleRecord

    worker_handlers.STATE_CACHE_SIZE_MB = cache_mb
    shared = tfma.default_eval_shared_model(eval_saved_model_path=model, eval_config=cfg)
    start = time.time()
    with beam.Pipeline(argv=["--direct_running_mode=in_memory", "--direct_num_workers=1"]) as p:
        reads = [p | f"Read[{i}]" >> TFExampleRecord(
            os.path.join(split, "*"), raw_record_column_name=tfma.constants.ARROW_INPUT_COLUMN).BeamSource()
            for i, split in enumerate(splits)]
        _ = (reads | beam.Flatten()
             | tfma.ExtractEvaluateAndWriteResults(eval_shared_model=shared, eval_config=cfg, output_path=output))
    return time.time() - start


def metric_values(output: str) -> dict:
    import tensorflow_model_analysis as tfma

    result = tfma.load_eval_result(output)
    return {(str(key), name): float(value["doubleValue"]) for key, metrics in result.slicing_metrics
            for name, value in metrics[""][""].items() if "doubleValue" in value}  # float("NaN") too


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipeline-root", required=True)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--output", default="output/benchmark-evaluator.json")
    args = parser.parse_args()
    models = sorted(glob.glob(os.path.join(args.pipeline_root, "Trainer", "model", "*", "Format-Serving")))
    examples = sorted(glob.glob(os.path.join(args.pipeline_root, "FileBasedExampleGen", "examples", "*")))
    if not models or not examples:
        parser.error(f"{args.pipeline_root}: no Trainer model or ExampleGen examples (run scripts/benchmark.py --workdir first)")
    splits = [s for s in (os.path.join(examples[-1], f"Split-{n}") for n in ("test", "guard")) if os.path.isdir(s)]
    times: dict[str, list[float]] = {name: [] for name, _, _ in VARIANTS}
    values = {}
    with tempfile.TemporaryDirectory() as tmp:
        for repeat in range(args.repeats):
            for name, histogram, cache_mb in VARIANTS:
                output = os.path.join(tmp, f"{repeat}-{len(values)}")
                times[name].append(evaluate(models[-1], splits, config(histogram), cache_mb, output))
                values[name] = metric_values(output)
                print(f"{name}: {times[name][-1]:.1f} s", flush=True)
    base = min(times[VARIANTS[0][0]])
    reference = values[VARIANTS[0][0]]
    report = {"model": models[-1], "splits": splits, "repeats": args.repeats, "variants": {}}
    for name, _, _ in VARIANTS:
        diff = max(abs(values[name][k] - v) for k, v in reference.items() if v == v)  # NaN != NaN
        report["variants"][name] = {"wall_s": [round(t, 1) for t in times[name]], "best_s": round(min(times[name]), 1),
                                    "ratio_to_tfma_metrics": round(min(times[name]) / base, 3),
                                    "max_metric_difference": diff}
        print(f"{name:30s} best {min(times[name]):6.1f} s  ratio {min(times[name]) / base:.3f}  "
              f"max |metric difference| {diff:.2e}")
    write_report(report, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
