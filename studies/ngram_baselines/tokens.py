"""Token lists of the three splits (cached) and n-gram count matrices, for exp.py and final.py.

Tokeniser `a` is the product's (studies/common.py: tokens, as Transform cuts words and
punctuation); `b` keeps `\\w+` words only (an alternative the study compared).
"""
import os, pickle, re
import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from studies.common import ngram_analyzer, study_cache, tokens

WORD = re.compile(r"\w+", re.ASCII)
TOK = {"a": lambda texts: list(tokens(texts)),
       "b": lambda texts: [WORD.findall(t.replace("<br />", " ").lower()) for t in texts]}


def split_tokens(data, tk):
    p = os.path.join(study_cache("ngram_baselines"), f"tok_{tk}.pkl")
    if os.path.exists(p):
        with open(p, "rb") as f:
            return pickle.load(f)
    out = {k: TOK[tk](v[0]) for k, v in data.items()}
    with open(p, "wb") as f:
        pickle.dump(out, f)
    return out


def build(toks, n, min_df, fit_on=("train",), binary=True):
    cv = CountVectorizer(analyzer=ngram_analyzer(n), min_df=min_df, binary=binary, dtype=np.float32)
    fit_docs = sum((toks[s] for s in fit_on), [])
    return cv, cv.fit_transform(fit_docs)
