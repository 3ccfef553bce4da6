"""Benchmark: the default pipeline on the real data, from scratch, timed per component.

    make benchmark            # or: .venv/bin/python scripts/benchmark.py --data ../shared/data/aclImdb_v1.tar.gz

Runs `imdb-tfx run` with a fresh pipeline root and metadata store (nothing cached; the
embedding module is built beforehand, as the cache would hold it) and writes a JSON with
each component's wall time, the total, peak memory (RSS) and the test metrics.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main(argv=None) -> int:
    from pipeline.cli import add_pipeline_args, add_training_args, pipeline_config

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_pipeline_args(parser)
    add_training_args(parser)
    parser.add_argument("--output", default="output/benchmark.json")
    parser.add_argument("--workdir", default=None, help="where the run's artifacts go (default: a temp dir)")
    args = parser.parse_args(argv)

    import warnings

    warnings.filterwarnings("ignore", category=FutureWarning)
    from components.embedding_modules import resolve_module_handle
    from pipeline import local_runner, results

    workdir = args.workdir or tempfile.mkdtemp(prefix="imdb-tfx-bench-")
    shutil.rmtree(workdir, ignore_errors=True)
    args.pipeline_root = os.path.join(workdir, "pipeline_root")
    args.metadata_path = os.path.join(workdir, "metadata.sqlite")
    args.serving_dir = os.path.join(workdir, "serving_model")
    config = pipeline_config(args)
    resolve_module_handle(config.training.module)

    start = time.time()
    progress = local_runner.run(config)
    total = time.time() - start
    summary = results.run_summary(config.metadata_path)

    report = {
        "data": config.data,
        "training": config.training.to_custom_config(),
        "component_wall_s": progress.durations(),
        "total_wall_s": round(total, 1),
        "peak_rss_mib": round(max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                                  resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024),
        "test_metrics": summary.get("test_metrics"),
        "blessed": summary.get("blessed"),
        "pushed": summary.get("pushed"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "command": " ".join([os.path.basename(sys.executable), *sys.argv]),
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w") as f:
        json.dump(report, f, indent=2)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.exit(main())
