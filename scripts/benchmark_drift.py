"""Benchmark: the drift checks' false alarms and power on the real archive (docs/drift.md).

    .venv/bin/python scripts/benchmark_drift.py --data ../shared/data/aclImdb_v1.tar.gz [--model DIR]

The reference side is always drawn from the official train reviews that ExampleGen holds out
as `eval` (pipeline/configs.py: eval_percent), the data a pushed model did not train on; the
current side from the official test reviews (other movies), changed per scenario:
  same_data     both sides from the held-out train reviews (disjoint samples)
  train_movies  train reviews of one half of the train movies against the other half (the
                archive's urls_*.txt; train data only: what the effect floors are set on)
  train_vs_test test reviews as they are: other movies from the same site (must NOT fire)
  negative_90   90% negative test reviews
  first_sentence_25 / first_sentence_10   25% / 10% of the test reviews cut to their first sentence
`--size` texts a side, `--resamples` draws per scenario. With --model (a pushed SavedModel) both
sides carry the model's P(positive) and the model_scores check runs; without it, it is skipped.
Parsed reviews are cached under ~/.cache/imdb-tfx/drift/. Prints a markdown table of how often
the verdict as a whole and each check fired, and writes a JSON (--output).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import pickle
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import components  # noqa: E402,F401  (the TensorFlow environment)
from components.drift import TextSample, compare_samples  # noqa: E402
from components.drift.compare import ORDER  # noqa: E402
from components.snippets import snippet  # noqa: E402

CACHE = os.path.expanduser("~/.cache/imdb-tfx/drift")
EVAL_PERCENT = 10  # pipeline/configs.py's default: the held-out share of the train reviews
SCENARIOS = ("same_data", "train_movies", "train_vs_test", "negative_90", "first_sentence_25", "first_sentence_10")
TEST_POOL = 6000  # test reviews drawn from (all scored once when --model is given)


def read_archive(path: str) -> dict[str, dict]:
    """{"eval": ..., "test": ...}: texts, labels and ratings of the held-out train reviews and
    of TEST_POOL test reviews (a fixed draw), cached."""
    from components.example_gen.layout import FILE_NAME, LABELS, review_location
    from components.example_gen.reviews import route
    from components.example_gen.tar_stream import iter_files

    cache = os.path.join(CACHE, f"reviews-v2-{os.path.getsize(path)}.pkl")
    if os.path.exists(cache):
        with open(cache, "rb") as f:
            return pickle.load(f)
    parts = {"eval": ([], [], []), "test": ([], [], []), "train": ([], [], [])}
    urls, train_ids = {}, []
    with open(path, "rb") as raw:
        for name, content in iter_files(raw):
            if name.endswith(("train/urls_pos.txt", "train/urls_neg.txt")):
                folder = name.rsplit("_", 1)[1][:3]
                urls.update({(folder, i): u.split("/title/")[-1].split("/")[0]
                             for i, u in enumerate(content.decode().splitlines())})
                continue
            location = review_location(name)
            if location is None or location[1] not in LABELS:
                continue
            split, folder, file_name = location
            part = route(f"{split}/{folder}/{FILE_NAME.match(file_name).group(1)}", EVAL_PERCENT)
            if part == "train":
                train_ids.append((folder, int(FILE_NAME.match(file_name).group(1))))
            if part in parts:
                texts, labels, ratings = parts[part]
                texts.append(content.decode("utf-8"))
                labels.append(LABELS[folder])
                ratings.append(int(FILE_NAME.match(file_name).group(2)))
    rng = np.random.default_rng(0)
    keep = np.sort(rng.choice(len(parts["test"][0]), TEST_POOL, replace=False))
    result = {}
    for part, (texts, labels, ratings) in parts.items():
        index = keep if part == "test" else np.arange(len(texts))
        result[part] = {"texts": [texts[i] for i in index], "labels": np.array(labels)[index],
                        "ratings": np.array(ratings)[index]}
    result["train"]["movies"] = np.array([urls[key] for key in train_ids])
    os.makedirs(CACHE, exist_ok=True)
    with open(cache, "wb") as f:
        pickle.dump(result, f)
    return result


def add_scores(pools: dict, model_dir: str) -> None:
    """The held-out and test pools' P(positive) from the SavedModel at model_dir, in batches (not
    the train pool's: the model trained on it)."""
    from components.serving.served_model import ServedModel

    model = ServedModel.load(model_dir)
    for pool in (pools["eval"], pools["test"]):
        pool["scores"] = model.probabilities(pool["texts"])


def take(pool: dict, index: np.ndarray, name: str, texts: list[str] | None = None) -> TextSample:
    return TextSample(texts if texts is not None else [pool["texts"][i] for i in index], pool["labels"][index],
                      pool["ratings"][index], pool["scores"][index] if "scores" in pool else None, name)


def scenario(name: str, pools: dict, size: int, rng: np.random.Generator) -> tuple[TextSample, TextSample]:
    held, test = pools["eval"], pools["test"]
    if name == "train_movies":
        train = pools["train"]
        movies = np.unique(train["movies"])
        half = set(rng.choice(movies, len(movies) // 2, replace=False).tolist())
        in_half = np.array([m in half for m in train["movies"]])
        a = rng.choice(np.flatnonzero(in_half), size, replace=False)
        b = rng.choice(np.flatnonzero(~in_half), size, replace=False)
        return take(train, a, "train, half the movies"), take(train, b, "train, the other movies")
    if name == "same_data":
        index = rng.choice(len(held["texts"]), 2 * size, replace=False)
        return take(held, index[:size], "train held out"), take(held, index[size:], "train held out (other half)")
    reference = take(held, rng.choice(len(held["texts"]), size, replace=False), "train held out")
    if name == "negative_90":
        neg, pos = np.flatnonzero(test["labels"] == 0), np.flatnonzero(test["labels"] == 1)
        n_neg = int(round(0.9 * size))
        index = rng.permutation(np.r_[rng.choice(neg, n_neg, replace=False), rng.choice(pos, size - n_neg, replace=False)])
        return reference, take(test, index, "test, 90% negative")
    index = rng.choice(len(test["texts"]), size, replace=False)
    if name.startswith("first_sentence_"):
        share = int(name.rsplit("_", 1)[1]) / 100
        cut = set(rng.choice(size, int(round(share * size)), replace=False).tolist())
        texts = [snippet(test["texts"][i], "snippet_sentence") if k in cut else test["texts"][i]
                 for k, i in enumerate(index)]
        # The model's scores follow the text it is shown: a cut review is scored as cut.
        current = take(test, index, f"test, {name}", texts)
        if "scores" in test and cut:
            current.scores = current.scores.copy()
            current.scores[sorted(cut)] = pools["score_fn"]([texts[k] for k in sorted(cut)])
        return reference, current
    return reference, take(test, index, "test")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="aclImdb_v1.tar.gz")
    parser.add_argument("--model", default=None, help="a pushed SavedModel: runs the model_scores check")
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--resamples", type=int, default=20)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--output", default="output/benchmark-drift.json")
    args = parser.parse_args(argv)
    pools = read_archive(args.data)
    if args.model:
        add_scores(pools, args.model)
        from components.serving.served_model import ServedModel

        model = ServedModel.load(args.model)
        pools["score_fn"] = lambda texts: np.array(model.predict_raw(texts)["probability"])
    rows, raw = {}, {}
    for name in args.scenarios.split(","):
        fired, per_check, values, effects, seconds = 0, {}, {}, {}, []
        for r in range(args.resamples):
            reference, current = scenario(name, pools, args.size, np.random.default_rng(1000 * r + 7))
            start = time.perf_counter()
            drift = compare_samples(reference, current, seed=r)
            seconds.append(time.perf_counter() - start)
            fired += drift["detected"]
            for c in drift["checks"]:
                per_check[c["name"]] = per_check.get(c["name"], 0) + c["detected"]
                values.setdefault(c["name"], []).append(c["value"])
                effects.setdefault(c["name"], []).append(c["effect"])
            skipped = {s["name"]: s["reason"] for s in drift["skipped"]}
        rows[name] = {"verdict": fired, "checks": per_check, "skipped": skipped,
                      "median_value": {k: float(np.median(v)) for k, v in values.items()},
                      "max_effect": {k: float(np.max(v)) for k, v in effects.items()},
                      "seconds_median": float(np.median(seconds))}
        raw[name] = {"values": values, "effects": effects}
        print(f"{name}: verdict {fired}/{args.resamples}, {per_check}", file=sys.stderr, flush=True)
    print(table(rows, args.resamples))
    command = " ".join(["python", "scripts/benchmark_drift.py", *(argv if argv is not None else sys.argv[1:])])
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w") as f:
        json.dump({"command": command, "date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
                   "size": args.size, "resamples": args.resamples, "rows": rows, "values": raw}, f, indent=2)
    return 0


def table(rows: dict, resamples: int) -> str:
    """Markdown: per scenario, how many resamples the verdict and each check fired (median value)."""
    names = [n for n in ORDER if any(n in r["checks"] or n in r["skipped"] for r in rows.values())]
    lines = ["| scenario | verdict | " + " | ".join(names) + " | s/compare |",
             "|---|---|" + "---|" * len(names) + "---|"]
    for scenario_name, row in rows.items():
        cells = [f"{row['checks'][n]}/{resamples} ({row['median_value'][n]:.3f})" if n in row["checks"]
                 else "skipped" for n in names]
        lines.append(f"| {scenario_name} | **{row['verdict']}/{resamples}** | " + " | ".join(cells)
                     + f" | {row['seconds_median']:.1f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
