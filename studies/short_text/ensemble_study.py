"""Short-text design study, part 2: an NB-LR on reviews and an NB-LR on the train reviews'
sentences (each with its review's label), combined with a weight per length bucket (word
count) chosen by log loss on the eval split pooled with its snippets. --final also prints the
test split, its snippets and the ood sets (measured, never chosen on).

    .venv/bin/python -m studies.short_text.ensemble_study [--bounds 15,30,60,120] [--final]
"""
import json, sys, time
import numpy as np
from studies.common import measured_sets, nblr, splits, train_docs

C = 0.1


def words(t):
    return len(t.split())


def logloss(p, yy):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return -np.mean(yy * np.log(p) + (1 - yy) * np.log(1 - p))


def main():
    bounds = [int(b) for b in (sys.argv[sys.argv.index("--bounds") + 1] if "--bounds" in sys.argv
                               else "15,30,60,120").split(",")]
    data = splits()
    t0 = time.time()
    models = {k: nblr(*train_docs(data, k), C=C) for k in ("reviews", "sentences")}
    print("fitted in", round(time.time() - t0), "s", flush=True)
    sets = measured_sets(data, "--final" in sys.argv)
    P = {k: np.stack([models[m](texts) for m in models]) for k, (texts, _) in sets.items()}
    L = {k: np.digitize([words(t) for t in texts], bounds) for k, (texts, _) in sets.items()}
    # weights per bucket, on eval pooled with eval snippets
    ev = [k for k in sets if k.startswith("eval_")]
    p_all = np.concatenate([P[k] for k in ev], 1)
    y_all = np.concatenate([sets[k][1] for k in ev])
    b_all = np.concatenate([L[k] for k in ev])
    grid = np.round(np.arange(0, 1.0001, 0.05), 2)
    W = []
    for b in range(len(bounds) + 1):
        sel = b_all == b
        W.append(min(grid, key=lambda w: logloss(w * p_all[0, sel] + (1 - w) * p_all[1, sel], y_all[sel]))
                 if sel.any() else 0.5)
    print("bounds", bounds, "weight of the review model per bucket", W, "eval texts per bucket",
          np.bincount(b_all).tolist())
    for k, (texts, yy) in sets.items():
        w = np.array(W)[L[k]]
        out = {"set": k, "reviews": (P[k][0] > .5) == yy, "sentences": (P[k][1] > .5) == yy,
               "mean": ((P[k][0] + P[k][1]) / 2 > .5) == yy, "by_length": (w * P[k][0] + (1 - w) * P[k][1] > .5) == yy}
        print(json.dumps({n: (round(float(v.mean()), 4) if n != "set" else v) for n, v in out.items()}), flush=True)


if __name__ == "__main__":
    main()
