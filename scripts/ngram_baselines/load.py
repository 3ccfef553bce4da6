"""Reads the archive into train/eval/test texts (the pipeline's split) -> $CACHE/data.pkl."""
import os, sys
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, ROOT)
from components.example_gen.layout import FILE_NAME  # the pipeline's file names and split
from components.example_gen.reviews import route
from data.dataset import SHARED_ARCHIVE
CACHE = os.environ.get("NGRAM_BASELINES_CACHE", "/tmp/ngram-baselines")
os.makedirs(CACHE, exist_ok=True)
ARCHIVE = os.environ.get("IMDB_ARCHIVE", os.path.join(ROOT, SHARED_ARCHIVE))
import tarfile, pickle, time
t=time.time()
data = {"train": ([],[]), "eval": ([],[]), "test": ([],[])}
alt_eval = 0
with tarfile.open(ARCHIVE, "r|gz") as tar:
    for m in tar:
        if not m.isfile(): continue
        parts = m.name.split("/")
        if len(parts) < 3 or parts[-3] not in ("train","test") or parts[-2] not in ("pos","neg"): continue
        mt = FILE_NAME.match(parts[-1])
        if not mt: continue
        text = tar.extractfile(m).read().decode("utf-8")
        if not text.strip(): continue
        rid = f"{parts[-3]}/{parts[-2]}/{mt.group(1)}"
        s = route(rid, 10)
        if parts[-3]=="train" and route(f"{parts[-3]}/{parts[-2]}/{parts[-1][:-4]}", 10)=="eval": alt_eval+=1
        data[s][0].append(text); data[s][1].append(1 if parts[-2]=="pos" else 0)
for k,(x,y) in data.items(): print(k, len(x), sum(y))
print("alt (with _rating) eval size", alt_eval, time.time()-t)
pickle.dump(data, open(os.path.join(CACHE, "data.pkl"),"wb"))
