"""Short-text study: the VADER sentiment lexicon (Hutto & Gilbert 2014, built for social media
text: emoticons, slang, intensifiers; MIT, the PyPI package vaderSentiment, in the lock) beside
the sentence NB-LR. VADER alone, and its compound/pos/neg scores as three more columns of the
sentence model (scaled by 1, 3 or 10), on the eval snippets; --final adds the test snippets and
the ood_dev sets (measured only). VADER's scores are cached in the studies' cache.

    .venv/bin/python -m studies.short_text.lexicon_study [--final]
"""
import json, os, sys, time
import numpy as np, scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from studies.common import WordNgrams, measured_sets, nb_r, splits, study_cache, train_docs


def vader_scores(name, texts, analyzer):
    f = os.path.join(study_cache("lexicon"), f"{name}.npy")
    if not os.path.exists(f):
        t = time.time()
        np.save(f, np.array([[d["compound"], d["pos"], d["neg"]] for d in map(analyzer.polarity_scores, texts)],
                            np.float32))
        print("vader", name, len(texts), round(time.time() - t), "s", flush=True)
    return np.load(f)


def main():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    final = "--final" in sys.argv
    an = SentimentIntensityAnalyzer()
    data = splits()
    evalsets = measured_sets(data, final)
    V = {k: vader_scores(k, v[0], an) for k, v in evalsets.items()}
    print(json.dumps({"vader_alone": {k: round(float(((V[k][:, 0] > 0) == (yy == 1)).mean()), 4)
                                      for k, (_, yy) in evalsets.items()}}), flush=True)
    docs, labels = train_docs(data, "sentences")
    Vt = vader_scores("train_sentences", docs, an)
    counts = WordNgrams()
    X = counts.fit_transform(docs); R = sp.diags(nb_r(X, labels))
    Xs = {k: counts.transform(v[0]) @ R for k, v in evalsets.items()}
    Xt = X @ R
    for scale in [0, 1, 3, 10]:
        A = sp.hstack([Xt, sp.csr_matrix(Vt * scale)]).tocsr() if scale else Xt
        m = LogisticRegression(C=0.1, solver="liblinear", max_iter=1000).fit(A, labels)
        out = dict(scale=scale, C=0.1, w=[round(float(w), 3) for w in m.coef_[0, -3:]] if scale else None)
        for k, (_, yy) in evalsets.items():
            B = sp.hstack([Xs[k], sp.csr_matrix(V[k] * scale)]).tocsr() if scale else Xs[k]
            out[k] = round(float((m.predict(B) == yy).mean()), 4)
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
