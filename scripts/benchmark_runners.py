"""Benchmark: LocalDagRunner against BeamDagRunner on the same data, in one run.

    .venv/bin/python scripts/benchmark_runners.py --data ../shared/data/aclImdb_v1.tar.gz

Runs the default pipeline from scratch (fresh pipeline root and metadata store; the
embedding module is built beforehand) first with LocalDagRunner and its in-memory Beam jobs,
then with BeamDagRunner and the components' Beam jobs on a multi-processing DirectRunner
(`--workers`, default 2), and writes each run's wall time, per-component times and test
metrics, and the ratio of the wall times (beam / local).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shutil
import sys
import tempfile
import time

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def timed_run(runner, config) -> dict:
    from pipeline import results

    start = time.time()
    progress = runner.run(config)
    total = time.time() - start
    summary = results.run_summary(config.metadata_path)
    return {"beam_pipeline_args": list(config.beam_pipeline_args), "total_wall_s": round(total, 1),
            "component_wall_s": progress.durations(), "test_metrics": summary.get("test_metrics"),
            "blessed": summary.get("blessed"), "pushed": summary.get("pushed")}


def main(argv=None) -> int:
    from pipeline.cli import add_pipeline_args, add_training_args, pipeline_config

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_pipeline_args(parser)
    add_training_args(parser)
    parser.add_argument("--workers", type=int, default=2, help="DirectRunner worker processes for the Beam run")
    parser.add_argument("--output", default="output/benchmark_runners.json")
    parser.add_argument("--workdir", default=None, help="where the runs' artifacts go (default: a temp dir)")
    args = parser.parse_args(argv)

    import warnings

    warnings.filterwarnings("ignore", category=FutureWarning)
    from components.embedding_modules import resolve_module_handle
    from pipeline import beam_runner, configs, local_runner

    workdir = args.workdir or tempfile.mkdtemp(prefix="imdb-tfx-bench-runners-")
    shutil.rmtree(workdir, ignore_errors=True)
    config = pipeline_config(args)
    resolve_module_handle(config.training.module)
    beam_args = configs.beam_args("direct-multiprocess", [f"--direct_num_workers={args.workers}"])

    report = {"data": config.data, "training": config.training.to_custom_config()}
    for name, runner, beam_pipeline_args in (("local", local_runner, config.beam_pipeline_args),
                                             ("beam", beam_runner, beam_args)):
        run_dir = os.path.join(workdir, name)
        report[name] = timed_run(runner, dataclasses.replace(
            config, pipeline_root=os.path.join(run_dir, "pipeline_root"),
            metadata_path=os.path.join(run_dir, "metadata.sqlite"),
            serving_dir=os.path.join(run_dir, "serving_model"), beam_pipeline_args=beam_pipeline_args))
    report["beam_over_local"] = round(report["beam"]["total_wall_s"] / report["local"]["total_wall_s"], 2)
    report["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version()}
    report["command"] = " ".join([os.path.basename(sys.executable), *sys.argv])

    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w") as f:
        json.dump(report, f, indent=2)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.exit(main())
