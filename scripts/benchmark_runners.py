"""Benchmark: LocalDagRunner against BeamDagRunner on the same data, in one run.

    .venv/bin/python scripts/benchmark_runners.py --data ../shared/data/aclImdb_v1.tar.gz

Runs the default pipeline from scratch (fresh pipeline root and metadata store; the
embedding module is built beforehand) first with LocalDagRunner and its in-memory Beam jobs,
then with BeamDagRunner and the components' Beam jobs on a multi-processing DirectRunner
(`--workers`, default 2), and writes each run's wall time, per-component times and test
metrics, and the ratio of the wall times (beam / local).
"""
from __future__ import annotations

import dataclasses
import os
import sys
import tempfile

from benchmark import fresh_config, parser_with_run_args, timed_run, write_report  # noqa: E402  (sets sys.path)


def main(argv=None) -> int:
    parser = parser_with_run_args(__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="DirectRunner worker processes for the Beam run")
    parser.set_defaults(output="output/benchmark_runners.json")
    args = parser.parse_args(argv)
    workdir = args.workdir or tempfile.mkdtemp(prefix="imdb-tfx-bench-runners-")
    config = fresh_config(args, workdir)
    from pipeline import beam_runner, configs, local_runner

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
    write_report(report, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
