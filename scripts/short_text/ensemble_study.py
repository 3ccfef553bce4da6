"""Short-text design study (issue 15), part 2: an NB-LR on reviews and an NB-LR on the train
reviews' sentences (each with its review's label), combined with a weight per length bucket
(word count) chosen by log loss on the eval split pooled with its snippets. --final also
prints the test split, its snippets and the ood sets (measured, never chosen on)."""
import json, sys, time
import numpy as np, scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__)))
from study import SNIPS, data, y, train_docs, nb_r, ood, tok_a, ngram_analyzer  # noqa: E402

BOUNDS = [int(b) for b in (sys.argv[sys.argv.index("--bounds") + 1].split(",") if "--bounds" in sys.argv else "15,30,60,120".split(","))]
C = 0.1
def words(t): return len(t.split())
def fit(kind):
    docs, labels = train_docs(kind)
    cv = CountVectorizer(analyzer=lambda d: ngram_analyzer(3)(tok_a(d)), min_df=3, binary=True, dtype=np.float32)
    X = cv.fit_transform(docs); R = sp.diags(nb_r(X, labels))
    m = LogisticRegression(C=C, solver="liblinear", max_iter=1000).fit(X @ R, labels)
    return lambda texts: m.predict_proba(cv.transform(texts) @ R)[:, 1]
t0 = time.time()
models = {k: fit(k) for k in ("reviews", "sentences")}
print("fitted in", round(time.time() - t0), "s", flush=True)
sets = {f"eval_{k}": ([f(t) for t in data["eval"][0]], y["eval"]) for k, f in SNIPS.items()}
if "--final" in sys.argv:
    sets.update({f"test_{k}": ([f(t) for t in data["test"][0]], y["test"]) for k, f in SNIPS.items()})
    sets.update({n: ood(n) for n in ("uci_imdb_sentences", "sentiment140_test_tweets")})
P = {k: np.stack([models[m](texts) for m in models]) for k, (texts, _) in sets.items()}
L = {k: np.digitize([words(t) for t in texts], BOUNDS) for k, (texts, _) in sets.items()}
# weights per bucket, on eval pooled with eval snippets
ev = [k for k in sets if k.startswith("eval_")]
p_all = np.concatenate([P[k] for k in ev], 1); y_all = np.concatenate([sets[k][1] for k in ev]); b_all = np.concatenate([L[k] for k in ev])
grid = np.round(np.arange(0, 1.0001, 0.05), 2)
def logloss(p, yy): p = np.clip(p, 1e-7, 1 - 1e-7); return -np.mean(yy * np.log(p) + (1 - yy) * np.log(1 - p))
W = []
for b in range(len(BOUNDS) + 1):
    sel = b_all == b
    W.append(min(grid, key=lambda w: logloss(w * p_all[0, sel] + (1 - w) * p_all[1, sel], y_all[sel])) if sel.any() else 0.5)
print("bounds", BOUNDS, "weight of the review model per bucket", W, "eval texts per bucket", np.bincount(b_all).tolist())
for k, (texts, yy) in sets.items():
    w = np.array(W)[L[k]]
    out = {"set": k, "reviews": (P[k][0] > .5) == yy, "sentences": (P[k][1] > .5) == yy,
           "mean": ((P[k][0] + P[k][1]) / 2 > .5) == yy, "by_length": (w * P[k][0] + (1 - w) * P[k][1] > .5) == yy}
    print(json.dumps({n: (round(float(v.mean()), 4) if n != "set" else v) for n, v in out.items()}), flush=True)
