"""One tokeniser, n and min_df: LR, NB-LR (and Wang & Manning's interpolation), their average, tf-idf LR, on eval.

    .venv/bin/python -m studies.ngram_baselines.exp a 3 3 [C,C,...]   # tokeniser, 1..n-grams, min_df
"""
import sys, time, json, numpy as np, scipy.sparse as sp
from studies.common import nb_r, splits
from studies.ngram_baselines.tokens import build, split_tokens
from sklearn.linear_model import LogisticRegression
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
data = splits(); ytr = np.array(data["train"][1]); yev = np.array(data["eval"][1])
tk, n, mdf = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
Cs_lr = [float(c) for c in sys.argv[4].split(",")] if len(sys.argv) > 4 else [0.03, 0.1, 0.3, 1]
t = time.time(); toks = split_tokens(data, tk)
cv, Xtr = build(toks, n, mdf); Xev = cv.transform(toks["eval"])
V = Xtr.shape[1]; print(f"## tok={tk} n=1..{n} min_df={mdf} vocab={V} feat_time={time.time()-t:.0f}s", flush=True)
res = []
def fit(name, X, Xe, C, beta=None, **kw):
    t = time.time()
    m = LogisticRegression(C=C, solver="liblinear", max_iter=1000, **kw).fit(X, ytr)
    ft = time.time() - t
    acc = (m.predict(Xe) == yev).mean()
    out = dict(cfg=name, tok=tk, n=n, min_df=mdf, vocab=V, C=C, eval=round(acc, 4), fit_s=round(ft, 1))
    if beta is not None:
        w = m.coef_.ravel(); w2 = (1 - beta) * np.abs(w).mean() + beta * w
        acc2 = ((Xe @ w2 + m.intercept_[0] > 0).astype(int) == yev).mean()
        out["eval_interp"] = round(acc2, 4)
    print(json.dumps(out), flush=True); res.append(out); return m
# 1. plain LR binarized
P = {}
for C in Cs_lr:
    m = fit("LR", Xtr, Xev, C); P[("LR", C)] = m.predict_proba(Xev)[:, 1]
# 2. NB-LR
r = nb_r(Xtr, ytr)
R = sp.diags(r); Xtr_r = Xtr @ R; Xev_r = Xev @ R
for C in [0.01, 0.03, 0.1, 0.3, 1, 3]:
    m = fit("NBLR", Xtr_r, Xev_r, C, beta=0.25); P[("NBLR", C)] = m.predict_proba(Xev_r)[:, 1]
# ensemble best NBLR + best LR
bl = max((k for k in P if k[0] == "LR"), key=lambda k: ((P[k] > .5) == yev).mean())
bn = max((k for k in P if k[0] == "NBLR"), key=lambda k: ((P[k] > .5) == yev).mean())
ens = (((P[bl] + P[bn]) / 2 > .5) == yev).mean()
print(json.dumps(dict(cfg="ENS", lr=bl, nblr=bn, eval=round(ens, 4))), flush=True)
# 3. tf-idf sublinear
cv2 = CountVectorizer(analyzer=cv.analyzer, vocabulary=cv.vocabulary_, dtype=np.float32)
Ctr = cv2.transform(toks["train"]); Cev = cv2.transform(toks["eval"])
tf = TfidfTransformer(sublinear_tf=True).fit(Ctr)
Ttr, Tev = tf.transform(Ctr), tf.transform(Cev)
for C in [10, 30, 100, 300, 1000]:
    fit("TFIDF-LR", Ttr, Tev, C)
