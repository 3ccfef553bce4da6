"""Benchmark: the best preset with hashed n-gram ids against TFT's vocabulary, in one invocation.

    .venv/bin/python scripts/benchmark_ngrams.py --data ../shared/data/aclImdb_v1.tar.gz \
        --output /tmp/imdb-tfx-ngrams.json [--variants hash,vocabulary,hash22]

Runs `--preset best` once per variant, each from scratch in its own temp pipeline root and
store (scripts/benchmark.py's timed_run), the wide member's n-gram ids being

  hash        a 64-bit hash mod 2^32 (the preset's default), the min-count cut in the Trainer;
  hash22      the same mod 2^22 (collisions: ~10 million distinct train n-grams share 4M ids);
  vocabulary  tft.compute_and_apply_vocabulary with frequency_threshold min_count (what Transform did before hashed ids).

and reports each variant's per-component wall times, test accuracy and the ratio of its
times to the first variant's, with the machine's load average before and after each run.
"""
from __future__ import annotations

import dataclasses
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchmark import fresh_config, parser_with_run_args, timed_run, write_report  # noqa: E402

VARIANTS = {
    "hash": {"ngram_index": "hash", "ngram_buckets": 2**32},
    "hash22": {"ngram_index": "hash", "ngram_buckets": 2**22},
    "vocabulary": {"ngram_index": "vocabulary"},
}


def variant_training(name: str):
    from pipeline.configs import PRESETS, preset

    members = tuple({**m, **VARIANTS[name]} if m["head"] == "wide" else m for m in PRESETS["best"]["members"])
    return preset("best", members=members)


def main(argv=None) -> int:
    parser = parser_with_run_args(__doc__.splitlines()[0])
    parser.add_argument("--variants", default="hash,vocabulary")
    args = parser.parse_args(argv)
    from pipeline import local_runner

    names = [v for v in args.variants.split(",") if v]
    unknown = sorted(set(names) - set(VARIANTS))
    if unknown:
        parser.error(f"unknown variants {unknown}: use {', '.join(VARIANTS)}")
    runs = {}
    for name in names:
        workdir = tempfile.mkdtemp(prefix=f"imdb-tfx-ngrams-{name}-")
        config = dataclasses.replace(fresh_config(args, workdir), training=variant_training(name))
        load_before = os.getloadavg()
        runs[name] = {"workdir": workdir, "load_avg_before": load_before, **timed_run(local_runner, config),
                      "load_avg_after": os.getloadavg()}
        print(f"{name}: {runs[name]['total_wall_s']} s, test accuracy "
              f"{(runs[name]['test_metrics'] or {}).get('binary_accuracy')}", file=sys.stderr, flush=True)
    first = runs[names[0]]
    ratios = {name: {"total": round(r["total_wall_s"] / first["total_wall_s"], 2),
                     **{c: round(s / first["component_wall_s"][c], 2)
                        for c, s in r["component_wall_s"].items() if first["component_wall_s"].get(c)}}
              for name, r in runs.items()}
    write_report({"data": args.data, "variants": {n: VARIANTS[n] for n in names}, "runs": runs,
                  f"time_ratio_to_{names[0]}": ratios}, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
