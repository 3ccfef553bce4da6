"""Short-text design study, part 3: does a MiniLM member (all-MiniLM-L6-v2 vectors, logistic
regression on one random sentence per train review) add to the sentence NB-LR on the eval
snippets? Weights chosen on the eval snippets by log loss. The vectors are minilm_study.py's
(made, or read from the studies' cache).

    .venv/bin/python -m studies.short_text.minilm_ensemble_study
"""
import json, random
import numpy as np
from sklearn.linear_model import LogisticRegression
from studies.common import SNIPS, clean, nblr, sentences, splits, train_docs
from studies.short_text.minilm_study import SNIPPETS, vectors


def main():
    data = splits()
    y = {k: np.array(v[1]) for k, v in data.items()}
    nb = nblr(*train_docs(data, "sentences"), C=0.1)
    rng = random.Random(0)
    train_sent = [rng.choice(sentences(t) or [clean(t)]) for t in data["train"][0]]
    mini = LogisticRegression(C=1, max_iter=3000).fit(vectors("train_sent1rand", train_sent), y["train"])
    P = {}
    for k in SNIPPETS:
        texts = [SNIPS[k](t) for t in data["eval"][0]]
        P[k] = np.stack([nb(texts), mini.predict_proba(vectors(f"eval_{k}", texts))[:, 1]])
    yy = np.concatenate([y["eval"]] * len(P)); pp = np.concatenate([P[k] for k in P], 1)

    def ll(p):
        p = np.clip(p, 1e-7, 1 - 1e-7)
        return -np.mean(yy * np.log(p) + (1 - yy) * np.log(1 - p))

    w = min(np.round(np.arange(0, 1.0001, 0.05), 2), key=lambda w: ll(w * pp[0] + (1 - w) * pp[1]))
    print("weight of the NB-LR:", w)
    for k in P:
        print(json.dumps({"set": f"eval_{k}", "nblr": round(float(((P[k][0] > .5) == y["eval"]).mean()), 4),
                          "minilm": round(float(((P[k][1] > .5) == y["eval"]).mean()), 4),
                          "ensemble": round(float(((w * P[k][0] + (1 - w) * P[k][1] > .5) == y["eval"]).mean()), 4)}))


if __name__ == "__main__":
    main()
