"""Small aclImdb-shaped corpora that tests generate (as a directory or a .tar.gz).

Positive reviews use words from POSITIVE, negative ones from NEGATIVE, both padded with
neutral filler, so a model with a tiny embedding can learn the task from a few hundred.
"""
from __future__ import annotations

import io
import os
import random
import tarfile

POSITIVE = ["great", "excellent", "wonderful", "superb", "brilliant", "loved", "masterpiece", "enjoyable"]
NEGATIVE = ["awful", "terrible", "boring", "worst", "waste", "dull", "horrible", "disappointing"]
NEUTRAL = ["the", "movie", "film", "plot", "actor", "scene", "story", "director", "and", "was", "it", "this"]


def review_text(rng: random.Random, positive: bool) -> str:
    words = [rng.choice(NEUTRAL) for _ in range(rng.randint(5, 40))]
    for _ in range(rng.randint(2, 5)):
        words.insert(rng.randrange(len(words) + 1), rng.choice(POSITIVE if positive else NEGATIVE))
    sentences = " ".join(words).capitalize() + "."
    return sentences.replace(" and ", ".<br /><br />And ", 1)


def corpus_files(n_train: int = 40, n_test: int = 40, n_unsup: int = 0, seed: int = 0) -> dict[str, bytes]:
    """{"aclImdb/train/pos/0_9.txt": b"...", ...}: n per split and polarity."""
    rng = random.Random(seed)
    files = {"aclImdb/README": b"readme", "aclImdb/imdb.vocab": b"the\nmovie\n",
             "aclImdb/train/urls_pos.txt": b"http://example/1\n"}
    for split, n in (("train", n_train), ("test", n_test)):
        for folder, positive in (("pos", True), ("neg", False)):
            for i in range(n):
                rating = rng.randint(7, 10) if positive else rng.randint(1, 4)
                files[f"aclImdb/{split}/{folder}/{i}_{rating}.txt"] = review_text(rng, positive).encode()
    for i in range(n_unsup):
        files[f"aclImdb/train/unsup/{i}_0.txt"] = review_text(rng, rng.random() < 0.5).encode()
    return files


def write_guard_set(path: str, n: int = 20, seed: int = 2) -> str:
    """A guard set file (components/example_gen/guard.py): n positive and n negative generated
    reviews as JSON lines {"text", "label"}."""
    import json

    rng = random.Random(seed)
    with open(path, "w") as f:
        for i in range(2 * n):
            f.write(json.dumps({"text": review_text(rng, i % 2 == 0), "label": int(i % 2 == 0)}) + "\n")
    return path


def write_directory(root: str, files: dict[str, bytes]) -> str:
    """Writes the files under root; returns root/aclImdb."""
    for name, content in files.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content)
    return os.path.join(root, "aclImdb")


def write_archive(path: str, files: dict[str, bytes]) -> str:
    with tarfile.open(path, "w:gz") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path


def embedding_words(dim: int = 8, seed: int = 0):
    """A tiny vocabulary for a test embedding module: sentiment words on opposite axes."""
    import numpy as np

    rng = np.random.default_rng(seed)
    words = POSITIVE + NEGATIVE + NEUTRAL
    vectors = rng.normal(0, 0.1, (len(words), dim)).astype("float32")
    vectors[: len(POSITIVE), 0] += 1.0
    vectors[len(POSITIVE): len(POSITIVE) + len(NEGATIVE), 0] -= 1.0
    return words, vectors
