"""Short-text study (issue 15): the VADER sentiment lexicon (Hutto & Gilbert 2014, built for social
media text: emoticons, slang, intensifiers) beside the sentence NB-LR. VADER alone, and its
compound/pos/neg scores as three more columns of the sentence model (scaled by 1, 3 or 10),
on the eval snippets; --final adds the test snippets and the ood_dev sets (measured only).

    python3 -m pip install --target /tmp/tools vaderSentiment --no-deps   # MIT, lexicon inside
    .venv/bin/python scripts/ngram_baselines/load.py                     # once
    VADER_PATH=/tmp/tools .venv/bin/python scripts/short_text/lexicon_study.py [--final]
"""
import json, os, sys, time, pickle
import numpy as np, scipy.sparse as sp
sys.path.insert(0, os.environ.get("VADER_PATH", "/tmp/tools"))
from study import SNIPS, data, y, sentences, clean, ood, nb_r, train_docs
from feats import tok_a, ngram_analyzer
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
FINAL = "--final" in sys.argv
an = SentimentIntensityAnalyzer()
CACHE = os.environ.get("LEXICON_CACHE", "/tmp/lexicon-study"); os.makedirs(CACHE, exist_ok=True)
def vfeat(name, texts):
    f = f"{CACHE}/{name}.npy"
    if not os.path.exists(f):
        t = time.time()
        np.save(f, np.array([[d["compound"], d["pos"], d["neg"]] for d in map(an.polarity_scores, texts)], np.float32))
        print("vader", name, len(texts), round(time.time() - t), "s", flush=True)
    return np.load(f)
evalsets = {f"eval_{k}": ([f(t) for t in data["eval"][0]], y["eval"]) for k, f in SNIPS.items()}
if FINAL:
    evalsets.update({f"test_{k}": ([f(t) for t in data["test"][0]], y["test"]) for k, f in SNIPS.items()})
    evalsets.update({n: ood(n) for n in ("uci_imdb_sentences", "sentiment140_test_tweets")})
V = {k: vfeat(k, v[0]) for k, v in evalsets.items()}
print(json.dumps({"vader_alone": {k: round(float(((V[k][:, 0] > 0) == (yy == 1)).mean()), 4) for k, (_, yy) in evalsets.items()}}), flush=True)
docs, labels = train_docs("sentences")
Vt = vfeat("train_sentences", docs)
cv = CountVectorizer(analyzer=lambda d: ngram_analyzer(3)(tok_a(d)), min_df=3, binary=True, dtype=np.float32)
X = cv.fit_transform(docs); r = nb_r(X, labels); R = sp.diags(r)
Xs = {k: cv.transform(v[0]) @ R for k, v in evalsets.items()}
Xt = X @ R
for scale in [0, 1, 3, 10]:
    for C in (0.1,):
        A = sp.hstack([Xt, sp.csr_matrix(Vt * scale)]).tocsr() if scale else Xt
        m = LogisticRegression(C=C, solver="liblinear", max_iter=1000).fit(A, labels)
        out = dict(scale=scale, C=C, w=[round(float(w), 3) for w in m.coef_[0, -3:]] if scale else None)
        for k, (_, yy) in evalsets.items():
            B = sp.hstack([Xs[k], sp.csr_matrix(V[k] * scale)]).tocsr() if scale else Xs[k]
            out[k] = round(float((m.predict(B) == yy).mean()), 4)
        print(json.dumps(out), flush=True)
