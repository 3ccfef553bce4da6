"""Benchmark: the default pipeline on the real data, from scratch, timed per component.

    make benchmark            # or: .venv/bin/python scripts/benchmark.py --data ../shared/data/aclImdb_v1.tar.gz
    .venv/bin/python scripts/benchmark.py --preset best --output output/benchmark-best.json
    .venv/bin/python scripts/benchmark.py --preset best --floors --rerun --workdir /tmp/bench-best

Runs `imdb-tfx run` with a fresh pipeline root and metadata store (nothing cached; the
embedding module is built beforehand, as the cache would hold it) and writes a JSON with
each component's wall time, the total, peak memory (RSS; the pipeline's own, measured before
the floors run), the machine's load average before and after, the test metrics and the size
of the pushed SavedModel (scripts/benchmark_predict.py measures its prediction latency).
With --rerun it runs the same pipeline a second time (everything cached up to the Trainer).
With --floors it then runs, in the same process, each heavy component's floor
(scripts/benchmark_floors.py) and reports pipeline / floor per component and overall.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import components  # noqa: E402,F401  (the TensorFlow environment)
from json_report import print_report  # noqa: E402  (scripts/, this file's folder, is on sys.path)


def parser_with_run_args(description: str) -> argparse.ArgumentParser:
    """`imdb-tfx run`'s pipeline and training flags, plus --output and --workdir."""
    from app.cli.arguments import add_pipeline_args, add_training_args

    parser = argparse.ArgumentParser(description=description)
    add_pipeline_args(parser)
    add_training_args(parser)
    parser.add_argument("--output", default="output/benchmark.json")
    parser.add_argument("--workdir", default=None, help="where the run's artifacts go (default: a temp dir)")
    parser.add_argument("--rerun", action="store_true", help="run it again, identical (from the cache)")
    parser.add_argument("--floors", action="store_true", help="also time each heavy component's floor")
    return parser


def fresh_config(args, workdir: str):
    """The run's PipelineConfig with everything under an emptied `workdir`; builds the module."""
    import warnings

    warnings.filterwarnings("ignore", category=FutureWarning)
    from app.cli.arguments import pipeline_config
    from components.modules.registry import resolve_module_handle

    shutil.rmtree(workdir, ignore_errors=True)
    args.pipeline_root = os.path.join(workdir, "pipeline_root")
    args.metadata_path = os.path.join(workdir, "metadata.sqlite")
    args.serving_dir = os.path.join(workdir, "serving_model")
    config = pipeline_config(args)
    resolve_module_handle(config.training.module)
    return config


def timed_run(runner, config) -> dict:
    """Runs `runner.run(config)`; its wall times per component and in all, and the results."""
    from app import runs

    start = time.time()
    progress = runner.run(config)
    total = time.time() - start
    summary = runs.run_summary(config.metadata_path)
    pushed = summary.get("pushed_model")
    return {"beam_pipeline_args": list(config.beam_pipeline_args), "component_wall_s": progress.durations(),
            "total_wall_s": round(total, 1), "test_metrics": summary.get("test_metrics"),
            "blessed": summary.get("blessed"), "pushed": summary.get("pushed"), "pushed_model": pushed,
            "pushed_model_mb": round(directory_size(pushed) / 1e6, 1) if pushed else None}


def directory_size(path: str) -> int:
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(path) for f in files)


def peak_rss_mib() -> int:
    """This process's (and its waited-for children's) peak resident memory so far, MiB."""
    return round(max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                     resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024)


def floor_ratios(run: dict, floors: dict) -> dict:
    """pipeline / floor per heavy component and overall (scripts/benchmark_floors.py)."""
    times = run["component_wall_s"]
    pairs = {"ExampleGen / read": (times.get("FileBasedExampleGen"), floors["read"]["total_s"]),
             "Evaluator / predict": (times.get("Evaluator"), floors.get("predict", {}).get("total_s"))}
    floor_total = floors["read"]["total_s"] + floors.get("predict", {}).get("total_s", 0)
    if "ngrams" in floors:
        pairs["Transform + Trainer / ngrams"] = (times.get("Transform", 0) + times.get("Trainer", 0),
                                                 floors["ngrams"]["total_s"])
        floor_total += floors["ngrams"]["total_s"]
    pairs["overall"] = (run["total_wall_s"], floor_total)
    return {name: {"pipeline_s": round(a, 1), "floor_s": round(b, 1), "ratio": round(a / b, 2)}
            for name, (a, b) in pairs.items() if a and b}


def write_report(report: dict, output: str) -> None:
    report["peak_rss_mib"] = peak_rss_mib()
    report["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version()}
    report["command"] = " ".join([os.path.basename(sys.executable), *sys.argv])
    print_report(report, output)


def main(argv=None) -> int:
    args = parser_with_run_args(__doc__.splitlines()[0]).parse_args(argv)
    config = fresh_config(args, args.workdir or tempfile.mkdtemp(prefix="imdb-tfx-bench-"))
    from pipeline import local_runner

    report = {"data": config.data, "training": config.training.to_custom_config(), "load_avg_before": os.getloadavg()}
    report.update(timed_run(local_runner, config))
    report["load_avg_after"] = os.getloadavg()
    if args.rerun:
        report["rerun"] = timed_run(local_runner, config)
        report["rerun"]["load_avg_after"] = os.getloadavg()
    report["pipeline_peak_rss_mib"] = peak_rss_mib()
    if args.floors:
        from benchmark_floors import floors

        wide = any(m.head == "wide" for m in config.training.single_models())
        report["floors"] = floors(config.data, report.get("pushed_model"), ngrams=wide)
        report["pipeline_over_floor"] = floor_ratios(report, report["floors"])
    write_report(report, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
