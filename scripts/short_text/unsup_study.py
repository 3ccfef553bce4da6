"""Short-text study (issue 15): the 50,000 unlabelled reviews as more sentence data.

The review model (NB-LR on the train reviews, C 0.1, the best preset's review member) labels
each unlabelled review (`train/unsup`); the sentences of the reviews it is confident about
(probability above 1 - MARGIN or below MARGIN) join the train reviews' sentences, each with its
review's predicted label, and a sentence model (NB-LR, C 0.1, the preset's sentence member) is
trained on them. Printed: the sentence model without and with them on the eval split and its
snippets (first sentence, first 20 / 50 words); with --final also the test split, its
snippets and the two ood_dev sets (measured, never chosen on). With HOLDOUT=N, N train reviews
(a fixed random sample) are held out of all training and measured as a second selection set,
larger than the eval split (2,580 reviews), whose first sentences vary by about ±0.8 points.

    .venv/bin/python scripts/ngram_baselines/load.py      # once: the splits -> /tmp/ngram-baselines
    .venv/bin/python scripts/short_text/unsup_study.py [--final]
"""
import json, os, sys, time
import numpy as np, scipy.sparse as sp
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
sys.argv = [sys.argv[0]] + [a for a in sys.argv[1:]]
from study import SNIPS, clean, data, nb_r, ood, sentences, y  # noqa: E402  (scripts/short_text/study.py)
from feats import ngram_analyzer, tok_a  # noqa: E402
from sklearn.feature_extraction.text import CountVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from components.example_gen.tar_stream import iter_files  # noqa: E402
from data.dataset import SHARED_ARCHIVE  # noqa: E402

MARGIN = float(os.environ.get("MARGIN", "0.2"))


def unsup_reviews() -> list[str]:
    archive = os.environ.get("IMDB_ARCHIVE", os.path.join(HERE, "..", "..", SHARED_ARCHIVE))
    with open(archive, "rb") as f:
        return [c.decode("utf-8") for n, c in iter_files(f) if "/train/unsup/" in n]


def nblr(docs, labels, C=0.1):
    cv = CountVectorizer(analyzer=lambda d: ngram_analyzer(3)(tok_a(d)), min_df=3, binary=True, dtype=np.float32)
    X = cv.fit_transform(docs)
    R = sp.diags(nb_r(X, labels))
    model = LogisticRegression(C=C, solver="liblinear", max_iter=1000).fit(X @ R, labels)
    return lambda texts: model.predict_proba(cv.transform(texts) @ R)[:, 1]


def main():
    final = "--final" in sys.argv
    evalsets = {f"eval_{k}": ([f(t) for t in data["eval"][0]], y["eval"]) for k, f in SNIPS.items()}
    holdout = int(os.environ.get("HOLDOUT", "0"))
    if holdout:
        order = np.random.RandomState(0).permutation(len(data["train"][0]))
        texts, labels = data["train"]
        held, kept = order[:holdout], order[holdout:]
        evalsets.update({f"holdout_{k}": ([f(texts[i]) for i in held], y["train"][held]) for k, f in SNIPS.items()})
        data["train"] = ([texts[i] for i in kept], [labels[i] for i in kept])
        y["train"] = y["train"][kept]
    if final:
        evalsets.update({f"test_{k}": ([f(t) for t in data["test"][0]], y["test"]) for k, f in SNIPS.items()})
        evalsets.update({n: ood(n) for n in ("uci_imdb_sentences", "sentiment140_test_tweets")})
    t0 = time.time()
    unsup = unsup_reviews()
    review_model = nblr([clean(t) for t in data["train"][0]], y["train"])
    p = review_model([clean(t) for t in unsup])
    confident = (p > 1 - MARGIN) | (p < MARGIN)
    print(json.dumps({"unsup_reviews": len(unsup), "confident": int(confident.sum()),
                      "confident_positive": int((p > 1 - MARGIN).sum()), "s": round(time.time() - t0)}), flush=True)
    compare(data["train"], unsup, p, confident, evalsets)


def compare(train, unsup, p, confident, evalsets):
    """Trains the sentence model on the sentences of `train` (texts, labels), then also on those
    of the confident unlabelled reviews with their predicted label (p > 0.5), and prints each
    one's accuracy on every set of `evalsets` ({name: (texts, labels)})."""
    sents, labels = [], []
    for t, lab in zip(*train):
        for s in sentences(t):
            sents.append(s); labels.append(lab)
    pseudo_sents, pseudo_labels = [], []
    for t, prob, keep in zip(unsup, p, confident):
        if keep:
            for s in sentences(t):
                pseudo_sents.append(s); pseudo_labels.append(int(prob > 0.5))
    for name, docs, lab in (("train sentences", sents, labels),
                            ("+ pseudo-labelled unsup sentences", sents + pseudo_sents, labels + pseudo_labels)):
        t1 = time.time()
        model = nblr(docs, np.array(lab))
        out = {"trained_on": name, "n": len(docs)}
        for k, (texts, yy) in evalsets.items():
            out[k] = round(float(((model(texts) > 0.5) == yy).mean()), 4)
        out["s"] = round(time.time() - t1)
        print(json.dumps(out), flush=True)

if __name__ == "__main__":
    main()
