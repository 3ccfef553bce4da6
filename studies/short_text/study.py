"""Short-text design study: NB-LR trained on reviews, sentences or both, measured on the eval
split and its snippets (first sentence, first 20 / 50 words). Test and the ood sets are
printed only with --final (measure, never choose).

    .venv/bin/python -m studies.short_text.study [reviews|both|sentences ...] [--final]   # CS=0.1,0.3,1
"""
import json, os, sys, time
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from studies.common import WordNgrams, measured_sets, nb_r, splits, train_docs


def main():
    final = "--final" in sys.argv
    kinds = [a for a in sys.argv[1:] if not a.startswith("--")] or ["reviews", "both", "sentences"]
    data = splits()
    evalsets = measured_sets(data, final)
    for kind in kinds:
        t0 = time.time()
        docs, labels = train_docs(data, kind)
        counts = WordNgrams()
        X = counts.fit_transform(docs)
        R = sp.diags(nb_r(X, labels))
        Xs = {k: counts.transform(v[0]) @ R for k, v in evalsets.items()}
        for C in [float(c) for c in os.environ.get("CS", "0.1,0.3,1").split(",")]:
            m = LogisticRegression(C=C, solver="liblinear", max_iter=1000).fit(X @ R, labels)
            out = dict(train=kind, n=len(docs), vocab=X.shape[1], C=C, b=round(float(m.intercept_[0]), 3))
            for k, (_, yy) in evalsets.items():
                out[k] = round(float((m.predict(Xs[k]) == yy).mean()), 4)
            out["s"] = round(time.time() - t0)
            print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
