"""Benchmark: five spans of the IMDB train reviews, run one after another, against runs from an
empty cache and against cold starts (docs/warm_start.md has the table).

    .venv/bin/python scripts/benchmark_spans.py --data ../shared/data/aclImdb_v1.tar.gz \\
        --workdir /tmp/warmstart/bench --output /tmp/warmstart/bench/benchmark_spans.json

The 25,000 train reviews split into 5 spans by movie (scripts/make_spans.py: no movie in two
spans; each span with the official test set, which the blessing compares on), written once
under ~/.cache/imdb-tfx/spans. Then, in this one invocation, with the default model (the
tutorial's DNN on GloVe) unless training flags are given after `--`:

  chain   `imdb-tfx run --span N --window 3` for N = 1..5 in one pipeline root and store: each
          run ingests its span, trains on the last 3 spans, warm-started from the latest
          blessed model (the previous span's);
  fresh   for N >= 2, the same command in a new, empty root and store, which first ingests the
          window's older spans (pipeline/window_backfill.py: ExampleGen to Transform for each),
          then trains cold on the same window: chain / fresh wall time (target <= 0.6: work done
          for older spans is not redone);
  cold    for N >= 2, right after the chain's run, the same command with `--no-warm-start`
          in the chain's store (ExampleGen and Transform from the cache, the same window's
          examples), with an unreachable accuracy bound so that the cold model is never blessed
          and the chain stays warm: test accuracy warm - cold (target within 0.3 points) and
          Trainer time warm / cold (target <= 0.5).

Each run is a subprocess (as a user runs it); its stdout is the JSON summary, its stderr goes
to <workdir>/logs/. The Trainer's time is its execution's in the metadata store (from its
start to its end, reading the data and exporting included); `training_seconds` (metrics.json)
is the fit alone. Partial results are written after every run.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from make_spans import DEFAULT_DIR, make_spans  # noqa: E402

CLI = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".venv", "bin", "imdb-tfx")


def node_times(metadata_path: str, floor: int) -> dict:
    """{node id: seconds} of the executions above id `floor` (this run's), from the store."""
    from app import runs

    store = runs.open_store(metadata_path)
    times = {}
    for context in store.get_contexts_by_type("node"):
        node = context.name.rsplit(".", 1)[-1]
        for execution in store.get_executions_by_context(context.id):
            if execution.id > floor:  # summed over the run's executions of the node (a fresh run ingests spans first)
                times[node] = round(times.get(node, 0) + (execution.last_update_time_since_epoch
                                                          - execution.create_time_since_epoch) / 1000, 1)
    return times


def trainer_details(metadata_path: str, floor: int) -> dict:
    """The newest Trainer execution's metrics.json: training_seconds, warm_start, config."""
    from app import runs
    from pipeline import node_ids

    store = runs.open_store(metadata_path)
    model_run = runs.node_output(store, node_ids.TRAINER, "model_run", floor)
    if model_run is None:
        return {}
    path = os.path.join(model_run.uri, "metrics.json")
    if not os.path.isfile(path):
        return {}
    with open(path) as f:
        metrics = json.load(f)
    return {"training_seconds": metrics.get("training_seconds"), "warm_start": metrics.get("warm_start"),
            "train_steps": metrics.get("config", {}).get("train_steps"), "phase_seconds": metrics.get("phase_seconds")}


def run(name: str, workdir: str, store_dir: str, span: int, window: int, data: str, extra: list[str]) -> dict:
    """One `imdb-tfx run` in the root and store of `store_dir`: wall time, summary, node times."""
    from app import runs

    metadata = os.path.join(store_dir, "metadata.sqlite")
    floor = runs.max_execution_id(metadata)
    command = [CLI, "run", "--data", data, "--span", str(span), "--window", str(window),
               "--pipeline-root", os.path.join(store_dir, "root"), "--metadata-path", metadata,
               "--serving-dir", os.path.join(store_dir, "serving"), *extra]
    log = os.path.join(workdir, "logs", f"{name}.stderr")
    os.makedirs(os.path.dirname(log), exist_ok=True)
    start = time.time()
    with open(log, "w") as err:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=err, text=True)
    wall = time.time() - start
    result = {"name": name, "command": " ".join(command), "exit": done.returncode, "wall_s": round(wall, 1),
              "load_avg_after": [round(x, 2) for x in os.getloadavg()], "stderr": log}
    try:
        summary = json.loads(done.stdout)
    except json.JSONDecodeError:
        result["error"] = f"no JSON summary (exit {done.returncode}): see {log}"
        return result
    metrics = summary.get("test_metrics") or {}
    result.update(accuracy=metrics.get("binary_accuracy", metrics.get("accuracy")),
                  blessed=summary.get("blessed"), pushed=summary.get("pushed"),
                  warm_start=summary.get("warm_start"), drift=(summary.get("drift") or {}).get("detected"),
                  node_s=node_times(metadata, floor), trainer=trainer_details(metadata, floor),
                  window_spans=summary.get("window_spans"))
    return result


def ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


def table(report: dict) -> list[dict]:
    rows = []
    for span, entry in sorted(report["spans"].items(), key=lambda kv: int(kv[0])):
        chain, fresh, cold = entry.get("chain", {}), entry.get("fresh", {}), entry.get("cold", {})
        trainer = lambda r: (r.get("node_s") or {}).get("Trainer")  # noqa: E731
        accuracy = lambda r: r.get("accuracy")  # noqa: E731
        rows.append({
            "span": int(span), "chain_window": chain.get("window_spans"), "fresh_window": fresh.get("window_spans"),
            "chain_wall_s": chain.get("wall_s"), "fresh_wall_s": fresh.get("wall_s"),
            "chain/fresh": ratio(chain.get("wall_s"), fresh.get("wall_s")),
            "warm_from": (chain.get("warm_start") or {}).get("from"),
            "warm_accuracy": accuracy(chain), "cold_accuracy": accuracy(cold),
            "warm-cold_points": round(100 * (accuracy(chain) - accuracy(cold)), 2)
            if accuracy(chain) is not None and accuracy(cold) is not None else None,
            "warm_trainer_s": trainer(chain), "cold_trainer_s": trainer(cold),
            "trainer_warm/cold": ratio(trainer(chain), trainer(cold)),
            "fit_warm/cold": ratio((chain.get("trainer") or {}).get("training_seconds"),
                                   (cold.get("trainer") or {}).get("training_seconds")),
        })
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data/aclImdb_v1.tar.gz", help="the official archive")
    parser.add_argument("--spans", type=int, default=5)
    parser.add_argument("--window", type=int, default=3)
    parser.add_argument("--spans-dir", default=DEFAULT_DIR)
    parser.add_argument("--workdir", default="/tmp/imdb-tfx-bench-spans", help="emptied first")
    parser.add_argument("--output", default=None, help="default: <workdir>/benchmark_spans.json")
    parser.add_argument("--no-fresh", action="store_true", help="skip the runs from an empty cache")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold starts")
    parser.add_argument("--resume", action="store_true",
                        help="keep the workdir and the output's runs that succeeded; run the rest")
    parser.add_argument("run_args", nargs="*", help="after --: more `imdb-tfx run` flags for every run")
    args = parser.parse_args(argv)
    output = args.output or os.path.join(args.workdir, "benchmark_spans.json")
    spans_record = make_spans(args.data, args.spans, args.spans_dir)
    previous = {}
    if args.resume and os.path.isfile(output):
        with open(output) as f:
            previous = json.load(f)
    else:
        shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir, exist_ok=True)
    extra = ["--snippet-reviews", "0", *args.run_args]
    report = {"command": " ".join([os.path.basename(sys.executable), *sys.argv]),
              "earlier_commands": previous.get("earlier_commands", []) + ([previous["command"]] if previous else []),
              "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "spans_dir": args.spans_dir,
              "split": spans_record["spans"], "window": args.window, "run_flags": extra,
              "load_avg_before": os.getloadavg(), "cpus": os.cpu_count(), "spans": {}}

    def save():
        report["table"] = table(report)
        with open(output, "w") as f:
            json.dump(report, f, indent=2)

    chain_dir = os.path.join(args.workdir, "chain")

    def step(span: int, kind: str, store_dir: str, flags: list[str]) -> None:
        entry = report["spans"].setdefault(str(span), {})
        done = previous.get("spans", {}).get(str(span), {}).get(kind)
        if done and "error" not in done:  # --resume: this run succeeded before
            entry[kind] = done
            return
        entry[kind] = run(f"{kind}-{span}", args.workdir, store_dir, span, args.window, args.spans_dir, flags)
        save()
        print(json.dumps(entry[kind]), flush=True)

    for span in range(1, args.spans + 1):
        step(span, "chain", chain_dir, extra)
        if span == 1:
            continue
        if not args.no_cold:
            # an accuracy bound of 1.0: the cold model is never blessed, the chain stays warm
            step(span, "cold", chain_dir, [*extra, "--no-warm-start", "--accuracy-lower-bound", "1.0"])
        if not args.no_fresh:
            fresh_dir = os.path.join(args.workdir, f"fresh-{span}")
            step(span, "fresh", fresh_dir, extra)
            shutil.rmtree(fresh_dir, ignore_errors=True)  # its ~GB of artifacts
    report["load_avg_after"] = os.getloadavg()
    save()
    print(json.dumps(report["table"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
