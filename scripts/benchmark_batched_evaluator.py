"""Benchmark: the production Evaluator's TFMA job with TFMA's own evaluator against the batched
one (components/evaluator/batched_metrics.py), candidate and baseline, and how far apart what
they write is.

    .venv/bin/python scripts/benchmark_batched_evaluator.py --pipeline-root /tmp/bench-a/pipeline_root \
        --baseline-root /tmp/bench-b/pipeline_root --repeats 2

Runs, in one process and in turn, `--repeats` times each, the production run's eval config
(accuracy thresholds, the test split plus the snippet sets, sliced as in production) with the
Trainer model under --pipeline-root as candidate and the one under --baseline-root as baseline
(two runs of scripts/benchmark.py --workdir leave them; without --baseline-root, no baseline),
over the first root's ExampleGen examples; prints each one's wall time, the ratio, and the
largest difference between the metrics, plots and validation results they wrote
(tests/helpers/evaluations.py, the comparison the tests make). Writes a JSON with the same.
"""
from __future__ import annotations

import argparse
import glob
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import components  # noqa: E402,F401  (the TensorFlow environment)
from benchmark import write_report  # noqa: E402

PIPELINE_ARGS = ("--direct_running_mode=in_memory", "--direct_num_workers=1")  # as the pipeline's default


def _model(root: str) -> str:
    found = sorted(glob.glob(os.path.join(root, "Trainer", "model", "*", "Format-Serving")))
    if not found:
        raise SystemExit(f"{root}: no Trainer model (run scripts/benchmark.py --workdir first)")
    return found[-1]


def main() -> int:
    import tensorflow_model_analysis as tfma

    from components.evaluator.eval_config import eval_config
    from components.snippets import SNIPPETS
    from tests.helpers.evaluations import VARIANTS, evaluate, largest_difference, read_examples, written

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipeline-root", required=True)
    parser.add_argument("--baseline-root", default=None)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--output", default="output/benchmark-batched-evaluator.json")
    args = parser.parse_args()
    paths = [_model(args.pipeline_root)] + ([_model(args.baseline_root)] if args.baseline_root else [])
    examples = sorted(glob.glob(os.path.join(args.pipeline_root, "FileBasedExampleGen", "examples", "*")))
    if not examples:
        raise SystemExit(f"{args.pipeline_root}: no ExampleGen examples (run scripts/benchmark.py --workdir first)")
    examples = examples[-1]
    splits = [s for s in (os.path.join(examples, f"Split-{n}") for n in ("test", "guard")) if os.path.isdir(s)]
    cfg = tfma.utils.update_eval_config_with_defaults(eval_config(snippet_sets=tuple(SNIPPETS)),
                                                      has_baseline=len(paths) > 1, rubber_stamp=len(paths) == 1)
    models = [tfma.default_eval_shared_model(eval_saved_model_path=p, model_name=s.name, eval_config=cfg)
              for p, s in zip(paths, cfg.model_specs)]
    read = read_examples([os.path.join(s, "*") for s in splits])
    shared = models if len(models) > 1 else models[0]
    times: dict[str, list[float]] = {name: [] for name in VARIANTS}
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for repeat in range(args.repeats):
            for name in VARIANTS:
                output = os.path.join(tmp, f"{name}-{repeat}")
                times[name].append(evaluate(name, read, cfg, shared, output, PIPELINE_ARGS))
                results[name] = written(output)
                print(f"{name}: {times[name][-1]:.1f} s", flush=True)
    largest, other = largest_difference(results["tfma"], results["batched"])
    ratio = min(times["batched"]) / min(times["tfma"])
    report = {"models": paths, "splits": splits, "repeats": args.repeats,
              "wall_s": {k: [round(t, 1) for t in v] for k, v in times.items()},
              "best_s": {k: round(min(v), 1) for k, v in times.items()}, "ratio_batched_to_tfma": round(ratio, 3),
              "largest_difference": largest, "non_numeric_differences": other[:20],
              "slices": len([k for k in results["tfma"] if k[0] == "metrics"])}
    print(f"tfma best {min(times['tfma']):.1f} s, batched best {min(times['batched']):.1f} s, ratio {ratio:.3f}; "
          f"{report['slices']} slices, largest difference {largest:.2e}, {len(other)} non-numeric differences")
    write_report(report, args.output)
    return 0 if not other else 1


if __name__ == "__main__":
    sys.exit(main())
