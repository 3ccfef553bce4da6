"""The in-graph VADER scores (components/transform/lexicon.py: vader_scores) of the tree against
those of a commit, in one invocation: the same outputs, bit for bit, and the time per batch.

    .venv/bin/python scripts/benchmark_vader_ops.py [--ref HEAD] [--data ../shared/data/aclImdb_v1.tar.gz] \
        [--reviews 4000] [--ood-dir ../shared/data/ood_dev] [--fuzz 20000] [--batch-sizes 700,64] \
        [--rounds 5] [--default-threading] [--timed sentences,reviews]

Texts checked: the sentences of the first --reviews test reviews of the archive (as
scripts/benchmark_lexicon.py makes them), those reviews whole and uncleaned, the "text" of every
*.jsonl in --ood-dir, uncleaned and cleaned, and --fuzz texts generated here from what the rules
read (lexicon and rule words, capitals, punctuation, every ASCII white space, non-ASCII white
space and letters, invalid UTF-8). Both implementations score every text (batches of 700); the
float32 outputs are compared as bits. Prints the number of texts (by source) and of mismatches
(the first 5 of them), and exits 1 on any mismatch.

Timing: the texts of each --timed set (the sentences; the reviews, cleaned as Transform cleans
them, as the model server's model scores them) in batches of each --batch-sizes, both implementations traced as the
model's layer traces them (one tf.function over a [None] string tensor), both run on each batch,
which first alternating; per round the mean per batch, best of --rounds, in ms of wall time and
of the process's CPU time, with the ratio tree/ref. Single-threaded (TensorFlow's inter- and
intra-op threads 1) unless --default-threading. One JSON line.
"""
from __future__ import annotations

import argparse
import glob
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
# wall time, and the CPU time of the process (all its threads): the machine may be shared
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def fuzz_texts(n: int, seed: int = 0) -> list[bytes]:
    """Texts of 0-12 tokens from pieces that exercise splitting, stripping and case."""
    rng = random.Random(seed)
    words = ["good", "GOOD", "Good", "not", "NOT", "isn't", "ISN'T", "no", "No", "very", "VERY", "kind", "of",
             "the", "bomb", "but", "BUT", "least", "at", "never", "so", "this", "without", "doubt", "I", "A",
             "ok", "yeah", "right", "kiss", "death", "to", "die", "for", "sort", "just", "enough", ":)", ":-)",
             ":D", "<3", "b", "xx", "ab", "abc", "héllo", "ÉCLAT", "naïve", "日本", "1", "22", "333", "musn't",
             "wouldn't've", "DON'T", "uh-uh", "nor", "or", "OK", "Bomb", "kinda", "SORT", "Very", "NO", "LEAST"]
    punct = ["", "", "", ".", ",", "!", "?", "!!", "...", "?!", "'", '"', "(", ")", "-", "*", "#", "_", "~", "`"]
    spaces = [" ", " ", " ", "  ", "\t", "\n", "\v", "\f", "\r", "\u00a0", "\u2003", " \v "]
    texts = []
    for _ in range(n):
        pieces = []
        for _ in range(rng.randint(0, 12)):
            word = rng.choice(words) if rng.random() < 0.9 else "".join(rng.choice("aZ!.'é") for _ in range(3))
            pieces.append(rng.choice(punct) + word + rng.choice(punct) + rng.choice(spaces))
        text = rng.choice(["", " ", "\v"]) + "".join(pieces)
        data = text.encode("utf-8")
        if rng.random() < 0.05:  # invalid UTF-8: a lone continuation byte, a cut sequence, 0xff
            i = rng.randint(0, len(data))
            data = data[:i] + rng.choice([b"\x80", b"\xc3", b"\xff", b"\xe6\x97"]) + data[i:]
        texts.append(data)
    return texts


def load_ref(ref: str):
    """components/transform/lexicon.py at `ref`, imported as a module of another name."""
    source = subprocess.run(["git", "show", f"{ref}:components/transform/lexicon.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    path = os.path.join(tempfile.mkdtemp(prefix="vader_ref_"), "lexicon_at_ref.py")
    with open(path, "w", encoding="utf-8") as f:
        f.write(source)
    spec = importlib.util.spec_from_file_location("lexicon_at_ref", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ref", default="HEAD", help="the commit whose lexicon.py is the reference")
    parser.add_argument("--data", default="../shared/data/aclImdb_v1.tar.gz")
    parser.add_argument("--reviews", type=int, default=4000)
    parser.add_argument("--ood-dir", default="../shared/data/ood_dev")
    parser.add_argument("--fuzz", type=int, default=20000)
    parser.add_argument("--batch-sizes", default="700,64")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--default-threading", action="store_true", help="TensorFlow's own thread pools")
    parser.add_argument("--timed", default="sentences", help="the sets timed: sentences, reviews (comma-separated)")
    args = parser.parse_args()
    sizes = [int(b) for b in args.batch_sizes.split(",")]

    import components  # noqa: F401  (the TensorFlow environment)
    import numpy as np
    import tensorflow as tf

    if not args.default_threading:
        tf.config.threading.set_inter_op_parallelism_threads(1)
        tf.config.threading.set_intra_op_parallelism_threads(1)
    from components import snippets
    from components.transform import lexicon as tree
    from data.sample import archive_reviews

    try:
        ref = load_ref(args.ref)
    except subprocess.CalledProcessError as error:
        parser.error(f"--ref {args.ref}: {error.stderr.strip()}")
    reviews = [text for text, _ in archive_reviews(args.data, args.reviews)]
    sentences = [s for text in reviews for s in snippets.sentences(text)]
    ood = []
    for path in sorted(glob.glob(os.path.join(args.ood_dir, "*.jsonl"))):
        with open(path, encoding="utf-8") as f:
            ood += [json.loads(line)["text"] for line in f if line.strip()]
    sources = {"sentences": sentences, "reviews": reviews, "ood": ood, "ood_cleaned": [snippets.clean(t) for t in ood]}
    checked = [t.encode("utf-8") for texts in sources.values() for t in texts] + fuzz_texts(args.fuzz)

    spec = [tf.TensorSpec([None], tf.string)]
    ref_tables, tree_tables = ref.VaderTables(), tree.VaderTables()
    functions = {"ref": tf.function(lambda t: ref.vader_scores(t, ref_tables), input_signature=spec),
                 "tree": tf.function(lambda t: tree.vader_scores(t, tree_tables), input_signature=spec)}
    outputs = {}
    for name, fn in functions.items():
        outputs[name] = np.concatenate([fn(tf.constant(checked[i:i + 700], tf.string)).numpy()
                                        for i in range(0, len(checked), 700)])
    bits = {name: out.view(np.int32) for name, out in outputs.items()}
    mismatched = np.flatnonzero((bits["ref"] != bits["tree"]).any(axis=1))
    for i in mismatched[:5]:
        print(json.dumps({"text": checked[i].decode("utf-8", "backslashreplace"),
                          "ref": outputs["ref"][i].tolist(), "tree": outputs["tree"][i].tolist()}))

    timing = {}
    timed = {"sentences": sentences, "reviews": [snippets.clean(t) for t in reviews]}
    for texts, size in [(timed[name], size) for name in args.timed.split(",") for size in sizes]:
        batches = [tf.constant(texts[i:i + size], tf.string) for i in range(0, len(texts) - size + 1, size)]
        best = {(name, clock): float("inf") for name in functions for clock in CLOCKS}
        for r in range(args.rounds):
            spent = dict.fromkeys(best, 0.0)
            for i, batch in enumerate(batches):  # both on each batch, in turn first
                for name in (("ref", "tree") if (r + i) % 2 == 0 else ("tree", "ref")):
                    start = {clock: CLOCKS[clock]() for clock in CLOCKS}
                    functions[name](batch).numpy()
                    for clock in CLOCKS:
                        spent[name, clock] += CLOCKS[clock]() - start[clock]
            best = {key: min(best[key], spent[key] / len(batches)) for key in best}
        key = str(size) if texts is sentences else f"reviews/{size}"
        timing[key] = {"batches": len(batches)}
        for clock in CLOCKS:
            ref_ms, tree_ms = best["ref", clock] * 1e3, best["tree", clock] * 1e3
            timing[key][clock] = {"ref_ms": round(ref_ms, 3), "tree_ms": round(tree_ms, 3),
                                        "ratio": round(tree_ms / ref_ms, 3)}
    print(json.dumps({"ref": args.ref, "threading": "default" if args.default_threading else "single",
                      "texts_checked": len(checked), "by_source": {**{k: len(v) for k, v in sources.items()},
                                                                   "fuzz": args.fuzz},
                      "mismatches": int(len(mismatched)), "sentences": len(sentences),
                      "ms_per_batch": timing, "rounds": args.rounds, "load_average": os.getloadavg()[0]}))
    sys.exit(1 if len(mismatched) else 0)


if __name__ == "__main__":
    main()
