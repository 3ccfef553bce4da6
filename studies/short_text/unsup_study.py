"""Short-text study: the 50,000 unlabelled reviews as more sentence data, on the eval split.

The review model (NB-LR on the train reviews, C 0.1, the best preset's review member) labels
each unlabelled review (`train/unsup`); the sentences of the reviews it is confident about
(probability above 1 - MARGIN or below MARGIN) join the train reviews' sentences, each with its
review's predicted label, and a sentence model (NB-LR, C 0.1, the preset's sentence member) is
trained on them. Printed: the sentence model without and with them on the eval split and its
snippets (first sentence, first 20 / 50 words); with --final also the test split, its
snippets and the two ood_dev sets (measured, never chosen on). With HOLDOUT=N, N train reviews
(a fixed random sample) are held out of all training and measured as a second selection set,
larger than the eval split (2,580 reviews), whose first sentences vary by about ±0.8 points.

    [HOLDOUT=5000] .venv/bin/python -m studies.short_text.unsup_study [--final]
"""
import json, os, sys, time
import numpy as np
from studies.common import clean, measured_sets, nblr, sentences, snippet_sets, splits, unsup_reviews

MARGIN = float(os.environ.get("MARGIN", "0.2"))


def main():
    data = splits()
    evalsets = measured_sets(data, "--final" in sys.argv)
    holdout = int(os.environ.get("HOLDOUT", "0"))
    train = data["train"]
    if holdout:
        order = np.random.RandomState(0).permutation(len(train[0]))
        held, kept = order[:holdout], order[holdout:]
        evalsets.update(snippet_sets({"held": ([train[0][i] for i in held], [train[1][i] for i in held])}, "held",
                                     "holdout"))
        train = ([train[0][i] for i in kept], [train[1][i] for i in kept])
    t0 = time.time()
    unsup = unsup_reviews()
    review_model = nblr([clean(t) for t in train[0]], np.array(train[1]))
    p = review_model([clean(t) for t in unsup])
    confident = (p > 1 - MARGIN) | (p < MARGIN)
    print(json.dumps({"unsup_reviews": len(unsup), "confident": int(confident.sum()),
                      "confident_positive": int((p > 1 - MARGIN).sum()), "s": round(time.time() - t0)}), flush=True)
    compare(train, unsup, p, confident, evalsets)


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
