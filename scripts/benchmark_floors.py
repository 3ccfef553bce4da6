"""Floors for scripts/benchmark.py: the heavy components' work done directly, on the same data.

    .venv/bin/python scripts/benchmark_floors.py --data ../shared/data/aclImdb_v1.tar.gz [--model PUSHED]

  read      ExampleGen's floor: stream the archive and decode the 50,000 labelled reviews
            (components/example_gen/tar_stream.py, as ExampleGen reads it), nothing written;
  ngrams    Transform + Trainer's floor for the n-gram model: scikit-learn's CountVectorizer
            (binary word 1-3-grams with the pipeline's tokens, min_df 3) on the train split
            (ExampleGen's split: components/example_gen/reviews.route), NB log-count ratios and
            LogisticRegression (liblinear, C 1) on them, and the test split vectorised and
            predicted: its test accuracy too;
  predict   the Evaluator's floor: one batched pass (1,000 reviews a call) of a pushed model's
            `predict_text` over the 25,000 test reviews, loading included.

scripts/benchmark.py --floors runs them after the pipeline, in the same invocation.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

_PUNCT = re.compile(r"([^\w'])")
_SPACE = re.compile(r"\s+")


def tokens(text: str) -> list[str]:
    """components/transform: clean_text then text_features.tokenize, in Python."""
    text = re.sub(r"(?i)<br\s*/?>", " ", text).lower()
    return [t for t in _SPACE.split(_PUNCT.sub(r" \1 ", text)) if t]


def read_reviews(archive: str) -> dict[str, tuple[list[str], list[int]]]:
    """{"train", "eval", "test": (texts, labels)} of the archive's labelled reviews."""
    from components.example_gen.layout import LABELS, review_location
    from components.example_gen.reviews import route

    from components.example_gen.tar_stream import iter_files

    splits: dict = {s: ([], []) for s in ("train", "eval", "test")}
    with open(archive, "rb") as f:
        for name, content in iter_files(f):
            location = review_location(name)
            if location is None or location[1] not in LABELS:
                continue
            text = content.decode("utf-8")
            split = route(f"{location[0]}/{location[1]}/{location[2].split('_')[0]}", 10)
            splits[split][0].append(text)
            splits[split][1].append(LABELS[location[1]])
    return splits


def ngram_floor(splits, ngram_size: int = 3, min_df: int = 3) -> dict:
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    def analyzer(text):
        words = tokens(text)
        grams = list(words)
        for n in range(2, ngram_size + 1):
            grams += [" ".join(words[i:i + n]) for i in range(len(words) - n + 1)]
        return grams

    start = time.time()
    vectorizer = CountVectorizer(analyzer=analyzer, min_df=min_df, binary=True, dtype=np.float32)
    x_train = vectorizer.fit_transform(splits["train"][0])
    y_train = np.array(splits["train"][1])
    counted = time.time()
    p = 1 + np.asarray(x_train[y_train == 1].sum(0)).ravel()
    q = 1 + np.asarray(x_train[y_train == 0].sum(0)).ravel()
    r = np.log(p / p.sum()) - np.log(q / q.sum())
    model = LogisticRegression(C=1.0, solver="liblinear", max_iter=1000).fit(x_train.multiply(r).tocsr(), y_train)
    fitted = time.time()
    x_test = vectorizer.transform(splits["test"][0]).multiply(r).tocsr()
    accuracy = float((model.predict(x_test) == np.array(splits["test"][1])).mean())
    done = time.time()
    return {"count_s": round(counted - start, 1), "nb_lr_fit_s": round(fitted - counted, 1),
            "test_transform_predict_s": round(done - fitted, 1), "total_s": round(done - start, 1),
            "features": int(x_train.shape[1]), "test_accuracy": round(accuracy, 4)}


def predict_floor(model_dir: str, texts: list[str], batch: int = 1000) -> dict:
    import components  # noqa: F401  (the TensorFlow environment)
    import tensorflow as tf

    start = time.time()
    predict = tf.saved_model.load(model_dir).signatures["predict_text"]
    loaded = time.time()
    for i in range(0, len(texts), batch):
        predict(text=tf.constant(texts[i:i + batch]))
    done = time.time()
    return {"load_s": round(loaded - start, 1), "pass_s": round(done - loaded, 1), "total_s": round(done - start, 1),
            "reviews": len(texts), "batch": batch}


def floors(archive: str, model_dir: str | None = None, ngrams: bool = True) -> dict:
    import components.example_gen.reviews  # noqa: F401  (imports TensorFlow: not part of the read)

    start = time.time()
    splits = read_reviews(archive)
    result = {"load_avg_before": os.getloadavg(),
              "read": {"total_s": round(time.time() - start, 1), "reviews": sum(len(t) for t, _ in splits.values())}}
    if ngrams:
        result["ngrams"] = ngram_floor(splits)
    if model_dir:
        result["predict"] = predict_floor(model_dir, splits["test"][0])
    result["load_avg_after"] = os.getloadavg()
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--model", default=None, help="a pushed SavedModel for the predict floor")
    args = parser.parse_args(argv)
    print(json.dumps(floors(args.data, args.model), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
