"""Benchmark: the production Evaluator's TFMA job with a baseline, the baseline run on the test
examples against its outputs read from an earlier evaluation (components/evaluator/
prediction_cache.py), its predictions alone read, and the candidate alone for scale.

    .venv/bin/python scripts/benchmark_prediction_cache.py \\
        --candidate /tmp/s15/spans2/chain/root/Trainer/model/78/Format-Serving \\
        --baseline /tmp/s15/spans2/chain/root/Trainer/model/51/Format-Serving \\
        --examples '/tmp/s15/spans2/chain/root/FileBasedExampleGen/examples/66/Split-test/*' --repeats 3

First evaluates the baseline alone into a folder (as the run that trained it did, untimed), then
in one process and in turn, `--repeats` times each: the candidate alone; candidate and baseline
in a folder with no earlier evaluation beside it (the baseline runs); candidate and baseline
beside the baseline's evaluation (its predictions and transformed features read: the baseline
is not loaded); the same beside a copy of that evaluation's predictions alone (the baseline
loaded and its transform_features run, as before they were kept). The production eval config (accuracy
thresholds, sliced as in production, no snippet sets). Prints each one's wall time, the ratio
of the two with a baseline, the Beam counters of predictions reused and computed, and whether
the two wrote the same metrics, plots and validation (tests/helpers/evaluations.py).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time

from json_report import print_report  # beside this script

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
import components  # noqa: E402,F401  (the TensorFlow environment)

PIPELINE_ARGS = ("--direct_running_mode=in_memory", "--direct_num_workers=1")  # as the pipeline's default


def _evaluate(read, paths: list[str], output: str) -> tuple[float, dict]:
    """(seconds, the prediction cache's counters) of evaluating `paths` (candidate, baseline)."""
    import tensorflow_model_analysis as tfma

    from components.evaluator import prediction_cache
    from components.evaluator.eval_config import eval_config
    from tests.helpers.evaluations import evaluate_counted

    start = time.time()
    config = tfma.utils.update_eval_config_with_defaults(eval_config(), has_baseline=len(paths) > 1,
                                                         rubber_stamp=len(paths) == 1)
    models = [tfma.default_eval_shared_model(eval_saved_model_path=p, model_name=s.name, eval_config=config)
              for p, s in zip(paths, config.model_specs)]
    _, counts = evaluate_counted(read, config, models if len(models) > 1 else models[0], output,
                                 prediction_cache.COUNTERS, PIPELINE_ARGS)
    return time.time() - start, counts


def main() -> int:
    from tests.helpers.evaluations import differences, read_examples, written

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidate", required=True, help="a model's serving directory")
    parser.add_argument("--baseline", required=True, help="another model's serving directory")
    parser.add_argument("--examples", required=True, help="file pattern of the test examples (TFRecord, gzip)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", default="output/benchmark-prediction-cache.json")
    args = parser.parse_args()
    read = read_examples([args.examples])
    variants = {"candidate alone": [args.candidate], "baseline run": [args.candidate, args.baseline],
                "baseline read": [args.candidate, args.baseline], "predictions read": [args.candidate, args.baseline]}
    times = {name: [] for name in variants}
    counts, results = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        from components.evaluator import prediction_cache

        _evaluate(read, [args.baseline], os.path.join(tmp, "read", "evaluation", "0"))
        shutil.copytree(os.path.join(tmp, "read", "evaluation", "0", prediction_cache.DIRECTORY),
                        os.path.join(tmp, "predictions", "evaluation", "0", prediction_cache.DIRECTORY))
        for repeat in range(args.repeats):
            for name, paths in variants.items():
                # "baseline read" beside the baseline's evaluation, "predictions read" beside its
                # predictions; the others each in a folder of their own
                folder = {"baseline read": "read", "predictions read": "predictions"}.get(
                    name, f"{name.replace(' ', '-')}-{repeat}")
                output = os.path.join(tmp, folder, "evaluation", f"{repeat + 1}")
                seconds, counts[name] = _evaluate(read, paths, output)
                times[name].append(round(seconds, 1))
                if repeat == 0 and name in ("baseline read", "baseline run"):
                    results[name] = written(output)
                print(f"{name}: {seconds:.1f} s {counts[name]}", flush=True)
    median = {name: sorted(t)[len(t) // 2] for name, t in times.items()}
    report = {"candidate": args.candidate, "baseline": args.baseline, "examples": args.examples,
              "wall_s": times, "median_s": median,
              "read/run": round(median["baseline read"] / median["baseline run"], 3),
              "read/predictions read": round(median["baseline read"] / median["predictions read"], 3),
              "read/predictions read by repeat": [round(a / b, 3) for a, b in zip(times["baseline read"],
                                                                                  times["predictions read"])],
              "counters": counts, "differences": differences(results["baseline read"], results["baseline run"])[:20]}
    print_report(report, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
