"""Where the Trainer's time goes: the newest Trainer execution of a metadata store run again
(its inputs and custom_config from the store, a fresh output directory) under cProfile.

    .venv/bin/python scripts/profile_trainer.py --metadata-path /tmp/q/best/metadata.sqlite \\
        --workdir /tmp/q/prof [--top 45]

Prints the run_fn's total seconds and the --top functions by cumulative time; the profile is
written to <workdir>/trainer.prof (read it with pstats or snakeviz).
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def trainer_fn_args(metadata_path: str, workdir: str):
    """The fn_args of the store's newest Trainer execution, outputs under `workdir`."""
    from tfx.components.trainer import fn_args_utils
    from tfx.types import standard_artifacts

    from app import runs

    store = runs.open_store(metadata_path)
    types = {t.id: t.name for t in store.get_execution_types()}
    trainers = [e for e in store.get_executions() if types[e.type_id].endswith("Trainer")]
    if not trainers:
        sys.exit(f"profile_trainer: {metadata_path}: no Trainer execution in this store")
    trainer = max(trainers, key=lambda e: e.id)
    props = {k: (v.string_value or v.int_value) for k, v in trainer.custom_properties.items()}
    events = [e for e in store.get_events_by_execution_ids([trainer.id]) if e.type == e.INPUT]
    artifacts = {a.id: a for a in store.get_artifacts_by_id([e.artifact_id for e in events])}
    artifact_types = {t.id: t.name for t in store.get_artifact_types()}
    classes = {"Examples": standard_artifacts.Examples, "TransformGraph": standard_artifacts.TransformGraph,
               "Schema": standard_artifacts.Schema}
    inputs = {}
    for event in events:
        mlmd = artifacts[event.artifact_id]
        cls = classes.get(artifact_types[mlmd.type_id])
        if cls is not None:  # the base model is left out: the profile is of a cold start
            artifact = cls()
            artifact.set_mlmd_artifact(mlmd)
            inputs.setdefault(event.path.steps[0].key, []).append(artifact)
    fn_args = fn_args_utils.get_common_fn_args(
        inputs, {k: v for k, v in props.items() if k in ("custom_config", "train_args", "eval_args")})
    fn_args.serving_model_dir = os.path.join(workdir, "serving")
    fn_args.model_run_dir = os.path.join(workdir, "model_run")
    fn_args.custom_config = json.loads(props["custom_config"])
    fn_args.hyperparameters, fn_args.base_model = None, None
    return fn_args


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--metadata-path", required=True, help="the store of a finished run")
    parser.add_argument("--workdir", required=True, help="where the profiled run writes its model and the profile")
    parser.add_argument("--top", type=int, default=45, help="functions to print (by cumulative time)")
    args = parser.parse_args()
    if not os.path.isfile(args.metadata_path):
        sys.exit(f"profile_trainer: {args.metadata_path}: no such metadata store")
    import components  # noqa: F401  (the TensorFlow environment)
    from components.trainer.run_fn import run_fn

    os.makedirs(args.workdir, exist_ok=True)
    fn_args = trainer_fn_args(args.metadata_path, args.workdir)
    profile = cProfile.Profile()
    start = time.time()
    profile.enable()
    run_fn(fn_args)
    profile.disable()
    print(f"run_fn: {time.time() - start:.1f} s under the profiler")
    profile.dump_stats(os.path.join(args.workdir, "trainer.prof"))
    pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
