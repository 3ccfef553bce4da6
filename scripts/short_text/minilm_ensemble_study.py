"""Short-text design study (issue 15), part 3: does a MiniLM member (all-MiniLM-L6-v2 vectors,
logistic regression on one random sentence per train review; minilm_study.py caches them) add
to the sentence NB-LR on the eval snippets? Weights chosen on the eval snippets by log loss."""
import json, os, sys
import numpy as np, scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from study import SNIPS, data, y, train_docs, nb_r, tok_a, ngram_analyzer  # noqa: E402
CACHE = os.environ.get("SHORT_TEXT_CACHE", "/tmp/short-text")
docs, labels = train_docs("sentences")
cv = CountVectorizer(analyzer=lambda d: ngram_analyzer(3)(tok_a(d)), min_df=3, binary=True, dtype=np.float32)
X = cv.fit_transform(docs); R = sp.diags(nb_r(X, labels))
nb = LogisticRegression(C=0.1, solver="liblinear", max_iter=1000).fit(X @ R, labels)
mini = LogisticRegression(C=1, max_iter=3000).fit(np.load(f"{CACHE}/train_sent1rand.npy"), y["train"])
P = {}
for k in ("sent1", "w20", "w50"):
    texts = [SNIPS[k](t) for t in data["eval"][0]]
    P[k] = np.stack([nb.predict_proba(cv.transform(texts) @ R)[:, 1], mini.predict_proba(np.load(f"{CACHE}/eval_{k}.npy"))[:, 1]])
yy = np.concatenate([y["eval"]] * 3); pp = np.concatenate([P[k] for k in P], 1)
def ll(p): p = np.clip(p, 1e-7, 1 - 1e-7); return -np.mean(yy * np.log(p) + (1 - yy) * np.log(1 - p))
w = min(np.round(np.arange(0, 1.0001, 0.05), 2), key=lambda w: ll(w * pp[0] + (1 - w) * pp[1]))
print("weight of the NB-LR:", w)
for k in P:
    print(json.dumps({"set": f"eval_{k}", "nblr": round(float(((P[k][0] > .5) == y["eval"]).mean()), 4),
                      "minilm": round(float(((P[k][1] > .5) == y["eval"]).mean()), 4),
                      "ensemble": round(float(((w * P[k][0] + (1 - w) * P[k][1] > .5) == y["eval"]).mean()), 4)}))
