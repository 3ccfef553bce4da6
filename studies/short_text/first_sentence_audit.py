"""How much of a review's label its first sentence carries (the first-sentence target of the
short-text work).

first_sentence_audit.txt holds a blind reading of the first sentence of 200 random test reviews
(a fixed sample): P or N where the sentence itself says positive or negative, ? where it
cannot be told from the sentence alone (plot summary, "I saw this at a festival", a title).
The reading was made without the labels. Printed: the share that cannot be told, how often the
polar readings agree with the review's label, what a reader who guesses on the rest would score
(with a bootstrap 95% interval), and the sentence model (NB-LR on the train sentences, C 0.1,
the best preset's sentence member) on the same sentences, polar and not.

    .venv/bin/python -m studies.short_text.first_sentence_audit
"""
import json, os
import numpy as np
from studies.common import SNIPS, nblr, read_archive, splits, train_docs

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    with open(os.path.join(HERE, "first_sentence_audit.txt")) as f:
        rows = [line.split() for line in f if not line.startswith("#")]
    reviews, _ = read_archive()
    by_id = {f"{s}/{d}/{rid}": text for (s, d), items in reviews.items() for rid, text in items}
    texts = [SNIPS["sent1"](by_id[rid]) for rid, _ in rows]
    label = np.array([1 if rid.split("/")[1] == "pos" else 0 for rid, _ in rows])
    reading = np.array([r for _, r in rows])
    polar = reading != "?"
    human = (reading == "P").astype(int)
    pred = (nblr(*train_docs(splits(), "sentences"))(texts) > 0.5).astype(int)
    guesser = np.where(polar, human == label, 0.5)  # a coin on what cannot be told
    boot = np.random.RandomState(0).randint(0, len(rows), (10000, len(rows)))
    lo, hi = np.percentile(guesser[boot].mean(1), [2.5, 97.5])
    print(json.dumps({
        "sentences": len(rows), "cannot_tell": int((~polar).sum()), "cannot_tell_share": round(float((~polar).mean()), 3),
        "polar_readings_agreeing_with_label": round(float((human[polar] == label[polar]).mean()), 4),
        "reader_guessing_the_rest": round(float(guesser.mean()), 4), "reader_95pct": [round(lo, 4), round(hi, 4)],
        "model_all": round(float((pred == label).mean()), 4),
        "model_polar": round(float((pred[polar] == label[polar]).mean()), 4),
        "model_cannot_tell": round(float((pred[~polar] == label[~polar]).mean()), 4),
        "reader_on_polar_model_on_rest": round(float(np.where(polar, human == label, pred == label).mean()), 4),
    }), flush=True)


if __name__ == "__main__":
    main()
