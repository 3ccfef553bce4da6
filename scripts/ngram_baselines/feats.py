"""Tokenisers and n-gram count matrices (scikit-learn)."""
import os
CACHE = os.environ.get("NGRAM_BASELINES_CACHE", "/tmp/ngram-baselines")
import re, pickle, os, time, numpy as np, scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer
PUNCT = re.compile(r"([^\w'])", re.ASCII)   # RE2 \w is ASCII-only
WORD = re.compile(r"\w+", re.ASCII)
WS = re.compile(r"[ \t\n\r\f\v]+")
def tok_a(t):
    t = t.replace("<br />", " ").lower()
    return [w for w in WS.split(PUNCT.sub(r" \1 ", t)) if w]
def tok_b(t):
    return WORD.findall(t.replace("<br />", " ").lower())
TOK = {"a": tok_a, "b": tok_b}
def load():
    return pickle.load(open(os.path.join(CACHE, "data.pkl"), "rb"))
def tokens(data, tk):
    p = os.path.join(CACHE, f"tok_{tk}.pkl")
    if os.path.exists(p): return pickle.load(open(p, "rb"))
    out = {k: [TOK[tk](t) for t in v[0]] for k, v in data.items()}
    pickle.dump(out, open(p, "wb")); return out
def ngram_analyzer(n):
    def an(toks):
        res = list(toks)
        for k in range(2, n + 1):
            res += [" ".join(toks[i:i + k]) for i in range(len(toks) - k + 1)]
        return res
    return an
def build(toks, n, min_df, fit_on=("train",), binary=True):
    cv = CountVectorizer(analyzer=ngram_analyzer(n), min_df=min_df, binary=binary, dtype=np.float32)
    fit_docs = sum((toks[s] for s in fit_on), [])
    Xfit = cv.fit_transform(fit_docs)
    return cv, Xfit
