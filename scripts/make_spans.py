"""The 25,000 train reviews of aclImdb_v1.tar.gz as spans split by movie, for the spans benchmark.

    .venv/bin/python scripts/make_spans.py --data ../shared/data/aclImdb_v1.tar.gz --spans 5

writes ~/.cache/imdb-tfx/spans/span-1 .. span-N, each an aclImdb tree: train/pos and train/neg
with the reviews of its movies (the archive's train/urls_pos.txt and urls_neg.txt give each
review's movie: line i is review id i; no movie is in two spans), and test/pos, test/neg: the
official test set, hard links to one copy (the same examples for every span's blessing). A
movie's span: movies in the order of the sha256 of their URL, each to the span with the fewest
reviews so far (spans of about 25,000 / N reviews). Done once: a `spans.json` beside the spans
records the split, and a second call with the same archive and N returns at once.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import tarfile

DEFAULT_DIR = os.path.expanduser("~/.cache/imdb-tfx/spans")
REVIEW = re.compile(r"^aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt$")
URLS = re.compile(r"^aclImdb/train/urls_(pos|neg)\.txt$")


def assign_movies(urls: dict[tuple[str, int], str], spans: int) -> dict[str, int]:
    """{movie URL: span 1..spans}: movies in sha256 order, each to the span with the fewest reviews."""
    reviews: dict[str, int] = {}
    for url in urls.values():
        reviews[url] = reviews.get(url, 0) + 1
    sizes, span_of = [0] * spans, {}
    for url in sorted(reviews, key=lambda u: hashlib.sha256(u.encode()).hexdigest()):
        span = min(range(spans), key=lambda s: sizes[s])
        span_of[url] = span + 1
        sizes[span] += reviews[url]
    return span_of


def make_spans(archive: str, spans: int = 5, directory: str = DEFAULT_DIR) -> dict:
    """Writes the spans (once) and returns the split's record (spans.json)."""
    record_path = os.path.join(directory, "spans.json")
    stat = os.stat(archive)
    key = {"archive": os.path.abspath(archive), "size": stat.st_size, "spans": spans}
    if os.path.isfile(record_path):
        with open(record_path) as f:
            record = json.load(f)
        if record.get("key") == key:
            return record
    if os.path.isdir(directory):
        shutil.rmtree(directory)
    staging = directory + ".partial"
    shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(staging)
    urls: dict[tuple[str, int], str] = {}
    reviews: list[tuple[str, str, int, bytes, str]] = []
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            match, url_match = REVIEW.match(member.name), URLS.match(member.name)
            if url_match:
                lines = tar.extractfile(member).read().decode().splitlines()
                urls.update({(url_match.group(1), i): line.strip() for i, line in enumerate(lines)})
            elif match:
                split, label, review_id, _ = match.groups()
                reviews.append((split, label, int(review_id), tar.extractfile(member).read(),
                                os.path.basename(member.name)))
    span_of = assign_movies(urls, spans)
    counts = {n: {"pos": 0, "neg": 0, "movies": 0} for n in range(1, spans + 1)}
    for n in span_of.values():
        counts[n]["movies"] += 1
    test_dir = os.path.join(staging, "_test")
    for split, label, review_id, content, name in reviews:
        if split == "test":
            path = os.path.join(test_dir, label, name)
        else:
            n = span_of[urls[(label, review_id)]]
            counts[n][label] += 1
            path = os.path.join(staging, f"span-{n}", "train", label, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content)
    for n in range(1, spans + 1):
        for label in ("pos", "neg"):
            target = os.path.join(staging, f"span-{n}", "test", label)
            os.makedirs(target)
            for name in os.listdir(os.path.join(test_dir, label)):
                os.link(os.path.join(test_dir, label, name), os.path.join(target, name))
    shutil.rmtree(test_dir)
    record = {"key": key, "spans": {str(n): c for n, c in counts.items()},
              "rule": "movies in sha256(URL) order, each to the span with the fewest reviews so far"}
    with open(os.path.join(staging, "spans.json"), "w") as f:
        json.dump(record, f, indent=2)
    os.rename(staging, directory)
    return record


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data/aclImdb_v1.tar.gz")
    parser.add_argument("--spans", type=int, default=5)
    parser.add_argument("--directory", default=DEFAULT_DIR)
    args = parser.parse_args(argv)
    print(json.dumps(make_spans(args.data, args.spans, args.directory), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
