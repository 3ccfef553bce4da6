"""Short-text design study (issue 15): NB-LR trained on reviews, sentences or both, measured
on the eval split and its snippets (first sentence, first 20 / 50 words). Test and the ood
sets are printed only with --final (measure, never choose)."""
import json, os, re, sys, time
import numpy as np, scipy.sparse as sp
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ngram_baselines"))
from feats import load, tok_a, ngram_analyzer  # noqa: E402
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

SENT = re.compile(r"(?<=[.!?])\s+(?=[\"'(]?[A-Z0-9])")
def clean(t): return re.sub(r"\s+", " ", re.sub(r"(?i)<br\s*/?>", " ", t)).strip()
def sentences(t): return [s for s in SENT.split(clean(t)) if s.strip()]
def first_words(t, n): return " ".join(clean(t).split()[:n])
SNIPS = {"full": clean, "sent1": lambda t: sentences(t)[0] if sentences(t) else clean(t),
         "w20": lambda t: first_words(t, 20), "w50": lambda t: first_words(t, 50)}
def ood(name):
    rows = [json.loads(l) for l in open(f"/work/shared/data/ood_dev/{name}.jsonl")]
    return [r["text"] for r in rows], np.array([r["label"] for r in rows])

data = load()
y = {k: np.array(v[1]) for k, v in data.items()}
def nb_r(X, yy, alpha=1.0):
    p = alpha + np.asarray(X[yy == 1].sum(0)).ravel(); q = alpha + np.asarray(X[yy == 0].sum(0)).ravel()
    return np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)

def train_docs(kind):
    docs, labels = [], []
    for t, l in zip(*data["train"]):
        if kind in ("reviews", "both"):
            docs.append(clean(t)); labels.append(l)
        if kind in ("sentences", "both"):
            for s in sentences(t):
                docs.append(s); labels.append(l)
    return docs, np.array(labels)


def main():
    final = "--final" in sys.argv
    kinds = [a for a in sys.argv[1:] if not a.startswith("--")] or ["reviews", "both", "sentences"]
    evalsets = {f"eval_{k}": ([f(t) for t in data["eval"][0]], y["eval"]) for k, f in SNIPS.items()}
    if final:
        evalsets.update({f"test_{k}": ([f(t) for t in data["test"][0]], y["test"]) for k, f in SNIPS.items()})
        evalsets.update({n: ood(n) for n in ("uci_imdb_sentences", "sentiment140_test_tweets")})
    for kind in kinds:
        t0 = time.time()
        docs, labels = train_docs(kind)
        cv = CountVectorizer(analyzer=lambda d: ngram_analyzer(3)(tok_a(d)), min_df=3, binary=True, dtype=np.float32)
        X = cv.fit_transform(docs)
        r = nb_r(X, labels); R = sp.diags(r)
        Xs = {k: cv.transform(v[0]) @ R for k, v in evalsets.items()}
        for C in [float(c) for c in os.environ.get("CS", "0.1,0.3,1").split(",")]:
            m = LogisticRegression(C=C, solver="liblinear", max_iter=1000).fit(X @ R, labels)
            out = dict(train=kind, n=len(docs), vocab=X.shape[1], C=C, b=round(float(m.intercept_[0]), 3))
            for k, (_, yy) in evalsets.items():
                out[k] = round(float((m.predict(Xs[k]) == yy).mean()), 4)
            out["s"] = round(time.time() - t0)
            print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
