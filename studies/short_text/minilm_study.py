"""Short-text design study, MiniLM part: all-MiniLM-L6-v2 vectors (the project's TF module) of
train sentences (one random sentence per train review, the review's label) with a logistic
regression, measured on the eval snippets; --final adds the test snippets (every 10th test
review) and the ood sets. Vectors are cached in the studies' cache (short_text/).

    .venv/bin/python -m studies.short_text.minilm_study [--final]
"""
import json, os, random, sys, time
import numpy as np
from sklearn.linear_model import LogisticRegression
from studies.common import OOD_SETS, SNIPS, clean, ood, sentences, splits, study_cache

SNIPPETS = ("sent1", "w20", "w50")


def vectors(name, texts, path=None):
    """MiniLM vectors of `texts`, cached under `name` (minilm_ensemble_study.py reads them)."""
    f = os.path.join(study_cache("short_text"), name + ".npy")
    if not os.path.exists(f):
        import components  # noqa: F401  (the TensorFlow environment)
        from components.modules import minilm
        from components.modules.registry import cached_module

        t = time.time(); np.save(f, minilm.encode(texts, path or cached_module("minilm"), batch_size=64))
        print(f"encoded {name}: {len(texts)} in {time.time() - t:.0f} s", flush=True)
    return np.load(f)


def main():
    data = splits()
    y = {k: np.array(v[1]) for k, v in data.items()}
    rng = random.Random(0)
    train_sent = [rng.choice(sentences(t) or [clean(t)]) for t in data["train"][0]]
    X = vectors("train_sent1rand", train_sent)
    sets = {f"eval_{k}": (vectors(f"eval_{k}", [SNIPS[k](t) for t in data["eval"][0]]), y["eval"]) for k in SNIPPETS}
    if "--final" in sys.argv:
        idx = list(range(0, len(data["test"][0]), 10))  # every 10th test review: 2,500
        for k in SNIPPETS:
            sets[f"test_{k}"] = (vectors(f"test_{k}_2500", [SNIPS[k](data["test"][0][i]) for i in idx]), y["test"][idx])
        for n in OOD_SETS:
            texts, labels = ood(n); sets[n] = (vectors(n, texts), labels)
    for C in (0.3, 1, 3, 10):
        m = LogisticRegression(C=C, max_iter=3000).fit(X, y["train"])
        print(json.dumps({"C": C, **{k: round(float((m.predict(v) == yy).mean()), 4) for k, (v, yy) in sets.items()}}),
              flush=True)


if __name__ == "__main__":
    main()
