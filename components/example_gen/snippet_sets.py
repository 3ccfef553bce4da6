"""Snippet sets: IMDB test reviews cut short, which the Evaluator measures beside the test split.

A deterministic sample of the official test reviews (custom_config `snippet_reviews`: the
`reviews` with the smallest sha256 of their review id, so the sample depends neither on the
order the reviews are read in nor on the runner) is cut to each snippet of
components/snippets.py (SNIPPETS: the first sentence, the first 20 and 50 words). Each
sampled review becomes one tf.Example per snippet set, of split `guard` like the guard sets:
text the snippet, label and rating the review's, review_id `snippet/NAME/<review id>`,
dataset NAME. The Evaluator measures each set as the slice `dataset: NAME`, with no
blessing threshold: how the model does on short texts is reported, not gated.
"""
from __future__ import annotations

import hashlib

from components import features
from components.snippets import SNIPPETS, snippet

PREFIX = "snippet_"  # every snippet set's name starts with it; guard set names may not
NAMES = tuple(SNIPPETS)


def is_snippet_set(name: str) -> bool:
    return name.startswith(PREFIX)


def check_names(names) -> list[str]:
    """The names as a list; ValueError for one that is not a snippet set of SNIPPETS."""
    unknown = [n for n in names if n not in SNIPPETS]
    if unknown:
        raise ValueError(f"unknown snippet sets {unknown}: use {', '.join(NAMES)}")
    return list(names)


def sample_key(example) -> str:
    """The sampling order of a review: the sha256 of its review id (stable across runs and runners)."""
    return hashlib.sha256(example.features.feature[features.REVIEW_ID].bytes_list.value[0]).hexdigest()


def snippet_examples(example, names=NAMES) -> list:
    """The snippet examples of one labelled review Example, one per snippet set in `names`."""
    import tensorflow as tf

    feature = example.features.feature
    text = feature[features.TEXT].bytes_list.value[0].decode("utf-8")
    rid = feature[features.REVIEW_ID].bytes_list.value[0].decode()
    out = []
    for name in names:
        cut = tf.train.Example()
        fields = cut.features.feature
        fields[features.TEXT].bytes_list.value.append(snippet(text, name).encode("utf-8"))
        fields[features.LABEL].CopyFrom(feature[features.LABEL])
        fields[features.RATING].CopyFrom(feature[features.RATING])
        fields[features.REVIEW_ID].bytes_list.value.append(f"snippet/{name}/{rid}".encode())
        fields[features.DATASET].bytes_list.value.append(name.encode())
        out.append(cut)
    return out


def snippet_split(test_examples, reviews: int, names=NAMES):
    """The snippet examples (a PCollection) of min(`reviews`, available) reviews of the test
    split's PCollection `test_examples`, sampled by sample_key."""
    import apache_beam as beam

    if reviews <= 0:
        raise ValueError(f"snippet_reviews {reviews}: a sample needs at least one review")
    return (test_examples
            | "SampleSnippetReviews" >> beam.combiners.Top.Smallest(reviews, key=sample_key)
            | "SampledReviews" >> beam.FlatMap(lambda sample: sample)
            | "Snippets" >> beam.FlatMap(snippet_examples, list(names)))
