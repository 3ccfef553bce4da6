"""Short-text study: a selection set of other movies, derived from the train split.

The official test reviews are of other movies than the train reviews (and the 50,000 unlabelled
reviews of yet others: `train/urls_*.txt` and `test/urls_*.txt` name each review's movie, and
the three sets of movies are disjoint). The pipeline's eval split is a random part of train, so
it shares train's movies and cannot reward what only helps on unseen movies. This study holds
out every train review of a fixed fifth of the movies (chosen by a hash of the movie id) and
measures on those reviews and their snippets: a selection set of unseen movies built from the
train split alone. It compares the sentence model (NB-LR, C 0.1, the best preset's sentence
member) trained on the remaining train reviews' sentences, without and with the sentences of
the unlabelled reviews that the review model (NB-LR on the remaining train reviews) labels
confidently (as unsup_study.py). --final adds the test split's snippets and the ood_dev sets,
measured only.

    [HELD_OUT_MOVIES=0.2] .venv/bin/python -m studies.short_text.movie_holdout_study [--final]
"""
import hashlib, json, os, sys, time
import numpy as np
from studies.common import OOD_SETS, clean, nblr, ood, read_archive, snippet_sets, splits
from studies.short_text.unsup_study import MARGIN, compare

FRACTION = float(os.environ.get("HELD_OUT_MOVIES", "0.2"))


def held_out(movie: str) -> bool:
    return int(hashlib.sha256(movie.encode()).hexdigest()[:8], 16) / 2 ** 32 < FRACTION


def main():
    final = "--final" in sys.argv
    t0 = time.time()
    reviews, movies = read_archive()
    train, held = ([], []), ([], [])
    for label_dir, label in (("pos", 1), ("neg", 0)):
        for rid, text in reviews["train", label_dir]:
            part = held if held_out(movies["train", label_dir][rid]) else train
            part[0].append(text); part[1].append(label)
    unsup = [t for _, t in reviews["train", "unsup"]]
    n_movies = len(set(movies["train", "pos"] + movies["train", "neg"]))
    n_held = len({m for d in ("pos", "neg") for m in movies["train", d] if held_out(m)})
    print(json.dumps({"train_reviews": len(train[0]), "held_out_reviews": len(held[0]), "movies": n_movies,
                      "held_out_movies": n_held, "unsup": len(unsup), "s": round(time.time() - t0)}), flush=True)
    evalsets = snippet_sets({"held": held}, "held", "movies")
    if final:
        evalsets.update(snippet_sets(splits(), "test"))
        evalsets.update({n: ood(n) for n in OOD_SETS})
    review_model = nblr([clean(t) for t in train[0]], np.array(train[1]))
    p = review_model([clean(t) for t in unsup])
    confident = (p > 1 - MARGIN) | (p < MARGIN)
    print(json.dumps({"confident_unsup": int(confident.sum()), "s": round(time.time() - t0)}), flush=True)
    out = {"trained_on": "review model (train reviews)"}
    for k, (texts, yy) in evalsets.items():
        out[k] = round(float(((review_model(texts) > 0.5) == yy).mean()), 4)
    print(json.dumps(out), flush=True)
    compare(train, unsup, p, confident, evalsets)


if __name__ == "__main__":
    main()
