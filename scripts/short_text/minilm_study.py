"""Short-text design study (issue 15), MiniLM part: all-MiniLM-L6-v2 vectors (the project's TF
module) of train sentences (one random sentence per train review, the review's label) with a
logistic regression, measured on the eval snippets; --final adds the test snippets (a sample)
and the ood sets. Vectors are cached in $SHORT_TEXT_CACHE."""
import json, os, random, sys, time
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
FINAL = "--final" in sys.argv
from study import SNIPS, data, y, sentences, clean, ood  # noqa: E402
import components  # noqa: F401,E402  (tf_env)
from components.modules.registry import cached_module  # noqa: E402
from components.modules import minilm  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

CACHE = os.environ.get("SHORT_TEXT_CACHE", "/tmp/short-text"); os.makedirs(CACHE, exist_ok=True)
path = cached_module("minilm")
def vectors(name, texts):
    f = os.path.join(CACHE, name + ".npy")
    if not os.path.exists(f):
        t = time.time(); np.save(f, minilm.encode(texts, path, batch_size=64))
        print(f"encoded {name}: {len(texts)} in {time.time() - t:.0f} s", flush=True)
    return np.load(f)
rng = random.Random(0)
train_sent = [rng.choice(sentences(t) or [clean(t)]) for t in data["train"][0]]
X = vectors("train_sent1rand", train_sent); yt = y["train"]
sets = {f"eval_{k}": (vectors(f"eval_{k}", [SNIPS[k](t) for t in data["eval"][0]]), y["eval"]) for k in ("sent1", "w20", "w50")}
if FINAL:
    idx = list(range(0, 25000, 10))  # every 10th test review: 2,500
    for k in ("sent1", "w20", "w50"):
        sets[f"test_{k}"] = (vectors(f"test_{k}_2500", [SNIPS[k](data["test"][0][i]) for i in idx]), y["test"][idx])
    for n in ("uci_imdb_sentences", "sentiment140_test_tweets"):
        texts, labels = ood(n); sets[n] = (vectors(n, texts), labels)
for C in (0.3, 1, 3, 10):
    m = LogisticRegression(C=C, max_iter=3000).fit(X, yt)
    print(json.dumps({"C": C, **{k: round(float((m.predict(v) == yy).mean()), 4) for k, (v, yy) in sets.items()}}), flush=True)
