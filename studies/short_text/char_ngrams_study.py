"""Short-text study: character 2-5-grams (within word boundaries, scikit-learn char_wb) for the
sentence NB-LR, alone and beside the word 1-3-grams, C 0.03 and 0.1, on the eval snippets;
--final adds the test snippets and the ood_dev sets (measured only).

    .venv/bin/python -m studies.short_text.char_ngrams_study [word] [char-2-5] [--final]
"""
import json, sys, time
import numpy as np, scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from studies.common import WordNgrams, measured_sets, nb_r, splits, train_docs


def counts(kind):
    if kind == "word":
        return WordNgrams()
    lo, hi = map(int, kind.split("-")[1:])
    return CountVectorizer(analyzer="char_wb", ngram_range=(lo, hi), lowercase=True, min_df=3, binary=True,
                           dtype=np.float32)


def main():
    data = splits()
    evalsets = measured_sets(data, "--final" in sys.argv)
    docs, labels = train_docs(data, "sentences")
    mats = {}
    for kind in [a for a in sys.argv[1:] if not a.startswith("--")] or ["word", "char-2-5"]:
        t = time.time(); cv = counts(kind); X = cv.fit_transform(docs); R = sp.diags(nb_r(X, labels))
        mats[kind] = (X @ R, {k: cv.transform(v[0]) @ R for k, v in evalsets.items()})
        print(kind, X.shape, round(time.time() - t), "s", flush=True)
    combos = [[k] for k in mats] + ([list(mats)] if len(mats) > 1 else [])
    for combo in combos:
        A = sp.hstack([mats[k][0] for k in combo]).tocsr()
        for C in (0.03, 0.1):
            t = time.time(); m = LogisticRegression(C=C, solver="liblinear", max_iter=1000).fit(A, labels)
            out = dict(feats="+".join(combo), C=C)
            for k, (_, yy) in evalsets.items():
                B = sp.hstack([mats[c][1][k] for c in combo]).tocsr()
                out[k] = round(float((m.predict(B) == yy).mean()), 4)
            out["s"] = round(time.time() - t); print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
