"""What the design studies share: the data, the product's tokeniser and sentence splitter, NB-LR.

Run every study as a module from the repository root (`.venv/bin/python -m studies.short_text.study`).
Nothing is read at import time; data is read on first use and cached under the project's cache
directory (`components/paths.py`: $IMDB_TFX_CACHE, else ~/.cache/imdb-tfx), in `studies/`.

- The archive: $IMDB_TFX_DATA, `../shared/data/aclImdb_v1.tar.gz`, or the cached download, as
  `imdb-tfx run` finds it (`data/dataset.py: default_data`); downloaded once if none is there.
- The train / eval / test split: the pipeline's own (`components/example_gen/reviews.py: route`).
- Words: the product's tokeniser (`components/transform/text_features.py: tokenize` after
  `components/transform/preprocessing.py: clean_text`), run in TensorFlow, in batches.
- Sentences and snippets: the product's (`components/snippets.py`).
- The out-of-domain sets: $IMDB_TFX_OOD_DIR, else `../shared/data/ood_dev/` beside the archive's.
"""
from __future__ import annotations

import json
import os
import pickle
import re
import time
from typing import Iterable, Iterator

import numpy as np
import scipy.sparse as sp

from components import features, snippets
from components.paths import cache_dir

SPLITS = (features.TRAIN_SPLIT, features.EVAL_SPLIT, features.TEST_SPLIT)
OOD_SETS = ("uci_imdb_sentences", "sentiment140_test_tweets")
REVIEW = re.compile(r"aclImdb/(train|test)/(pos|neg|unsup)/(\d+)_\d+\.txt$")
URLS = re.compile(r"aclImdb/(train|test)/urls_(pos|neg|unsup)\.txt$")
# The snippets the studies measure, by the names their outputs use: the whole (cleaned) review,
# and components/snippets.py's three snippet sets.
SNIPS = {
    "full": snippets.clean,
    "sent1": lambda text: snippets.snippet(text, "snippet_sentence"),
    "w20": lambda text: snippets.snippet(text, "snippet_20_words"),
    "w50": lambda text: snippets.snippet(text, "snippet_50_words"),
}
sentences = snippets.sentences
clean = snippets.clean


def study_cache(*parts: str) -> str:
    path = os.path.join(cache_dir(), "studies", *parts)
    os.makedirs(path, exist_ok=True)
    return path


def archive() -> str:
    from data.dataset import default_data, download_archive

    found = default_data()
    return found if os.path.exists(found) else download_archive(found)


def read_archive() -> tuple[dict, dict]:
    """{(split dir, label dir): [(review number, text)]} and {(split dir, label dir): [movie id by review number]}."""
    from components.example_gen.tar_stream import iter_files

    reviews, movies = {}, {}
    with open(archive(), "rb") as f:
        for name, content in iter_files(f):
            if m := REVIEW.search(name):
                reviews.setdefault(m.group(1, 2), []).append((int(m.group(3)), content.decode("utf-8")))
            elif m := URLS.search(name):
                movies[m.group(1, 2)] = re.findall(r"title/(tt\d+)", content.decode("utf-8"))
    return reviews, movies


def splits() -> dict[str, tuple[list[str], list[int]]]:
    """{split: (texts, labels)} of the labelled reviews, in the pipeline's train / eval / test split."""
    from components.example_gen.reviews import route

    cached = os.path.join(study_cache(), "splits.pkl")
    if os.path.exists(cached):
        with open(cached, "rb") as f:
            return pickle.load(f)
    start = time.time()
    data = {split: ([], []) for split in SPLITS}
    reviews, _ = read_archive()
    for (split_dir, label_dir), items in sorted(reviews.items()):
        if label_dir == "unsup":
            continue
        for number, text in items:
            if text.strip():
                split = route(f"{split_dir}/{label_dir}/{number}", 10)
                data[split][0].append(text)
                data[split][1].append(1 if label_dir == "pos" else 0)
    print(json.dumps({k: len(v[0]) for k, v in data.items()} | {"s": round(time.time() - start)}), flush=True)
    with open(cached, "wb") as f:
        pickle.dump(data, f)
    return data


def unsup_reviews() -> list[str]:
    reviews, _ = read_archive()
    return [text for _, text in reviews["train", "unsup"]]


def ood(name: str) -> tuple[list[str], np.ndarray]:
    from data.dataset import default_data

    folder = os.environ.get("IMDB_TFX_OOD_DIR") or os.path.join(os.path.dirname(default_data()), "ood_dev")
    with open(os.path.join(folder, f"{name}.jsonl")) as f:
        rows = [json.loads(line) for line in f]
    return [r["text"] for r in rows], np.array([r["label"] for r in rows])


def tokens(texts: Iterable[str], batch: int = 4096) -> Iterator[list[str]]:
    """Each text's words and punctuation marks, as the product's Transform graph cuts them."""
    import components  # noqa: F401  (the TensorFlow environment)
    import tensorflow as tf

    from components.transform.preprocessing import clean_text
    from components.transform.text_features import tokenize

    texts = list(texts)
    for i in range(0, len(texts), batch):
        for row in tokenize(clean_text(tf.constant(texts[i:i + batch]))).to_list():
            yield [t.decode("utf-8") for t in row]


def ngram_analyzer(n: int):
    def analyse(toks: list[str]) -> list[str]:
        grams = list(toks)
        for k in range(2, n + 1):
            grams += [" ".join(toks[i:i + k]) for i in range(len(toks) - k + 1)]
        return grams
    return analyse


class WordNgrams:
    """Binary counts of word 1..n-grams (the product's tokeniser), min document frequency min_df."""

    def __init__(self, n: int = 3, min_df: int = 3):
        from sklearn.feature_extraction.text import CountVectorizer

        self.vectorizer = CountVectorizer(analyzer=ngram_analyzer(n), min_df=min_df, binary=True, dtype=np.float32)

    def fit_transform(self, texts):
        return self.vectorizer.fit_transform(tokens(texts))

    def transform(self, texts):
        return self.vectorizer.transform(tokens(texts))


def nb_r(X, y, alpha: float = 1.0) -> np.ndarray:
    """Wang & Manning's naive-Bayes log-count ratios of binary features X for labels y."""
    p = alpha + np.asarray(X[y == 1].sum(0)).ravel()
    q = alpha + np.asarray(X[y == 0].sum(0)).ravel()
    return np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)


def nblr(docs: list[str], labels: np.ndarray, C: float = 0.1):
    """NB-weighted logistic regression on word 1-3-grams (min df 3): a function texts -> P(positive)."""
    from sklearn.linear_model import LogisticRegression

    counts = WordNgrams()
    X = counts.fit_transform(docs)
    R = sp.diags(nb_r(X, labels))
    model = LogisticRegression(C=C, solver="liblinear", max_iter=1000).fit(X @ R, labels)
    return lambda texts: model.predict_proba(counts.transform(texts) @ R)[:, 1]


def train_docs(data, kind: str) -> tuple[list[str], np.ndarray]:
    """The train split as reviews, sentences (each with its review's label) or both."""
    docs, labels = [], []
    for text, label in zip(*data[features.TRAIN_SPLIT]):
        if kind in ("reviews", "both"):
            docs.append(clean(text)); labels.append(label)
        if kind in ("sentences", "both"):
            for s in sentences(text):
                docs.append(s); labels.append(label)
    return docs, np.array(labels)


def snippet_sets(data, split: str, prefix: str | None = None) -> dict:
    """{f"{prefix}_{snippet}": (texts, labels)} of a split, for every snippet of SNIPS."""
    y = np.array(data[split][1])
    return {f"{prefix or split}_{k}": ([f(t) for t in data[split][0]], y) for k, f in SNIPS.items()}


def measured_sets(data, final: bool) -> dict:
    """The eval split's snippets; with `final` also the test split's and the ood sets (measured, never chosen on)."""
    sets = snippet_sets(data, features.EVAL_SPLIT)
    if final:
        sets.update(snippet_sets(data, features.TEST_SPLIT))
        sets.update({name: ood(name) for name in OOD_SETS})
    return sets
