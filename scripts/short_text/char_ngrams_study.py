"""Short-text study (issue 15): character 2-5-grams (within word boundaries, scikit-learn char_wb)
for the sentence NB-LR, alone and beside the word 1-3-grams, C 0.03 and 0.1, on the eval
snippets; --final adds the test snippets and the ood_dev sets (measured only).

    .venv/bin/python scripts/ngram_baselines/load.py      # once
    .venv/bin/python scripts/short_text/char_ngrams_study.py [--final]
"""
import json, os, sys, time
import numpy as np, scipy.sparse as sp
from study import SNIPS, data, y, ood, nb_r, train_docs
from feats import tok_a, ngram_analyzer
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
FINAL = "--final" in sys.argv
evalsets = {f"eval_{k}": ([f(t) for t in data["eval"][0]], y["eval"]) for k, f in SNIPS.items()}
if FINAL:
    evalsets.update({f"test_{k}": ([f(t) for t in data["test"][0]], y["test"]) for k, f in SNIPS.items()})
    evalsets.update({n: ood(n) for n in ("uci_imdb_sentences", "sentiment140_test_tweets")})
docs, labels = train_docs("sentences")
def feats(kind):
    if kind == "word":
        return CountVectorizer(analyzer=lambda d: ngram_analyzer(3)(tok_a(d)), min_df=3, binary=True, dtype=np.float32)
    lo, hi = map(int, kind.split("-")[1:])
    return CountVectorizer(analyzer="char_wb", ngram_range=(lo, hi), lowercase=True, min_df=3, binary=True, dtype=np.float32)
mats = {}
for kind in sys.argv[1:] if len(sys.argv) > 1 and not sys.argv[1].startswith("--") else ["word", "char-2-5"]:
    t = time.time(); cv = feats(kind); X = cv.fit_transform(docs); r = nb_r(X, labels)
    mats[kind] = (X @ sp.diags(r), {k: cv.transform(v[0]) @ sp.diags(r) for k, v in evalsets.items()})
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
