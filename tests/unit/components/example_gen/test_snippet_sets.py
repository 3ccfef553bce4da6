"""Snippet sets in ExampleGen: a deterministic sample of exactly min(N, available) test
reviews, each emitted as one example per snippet set in split `guard`, labels copied."""
import hashlib

import pytest
import tensorflow as tf

from components.example_gen import guard, snippet_sets
from components.snippets import SNIPPETS, snippet
from data.dataset import resolve_data
from tests.helpers import corpus
from tests.unit.components.example_gen.test_executor import feature, run_executor

NAMES = list(SNIPPETS)


@pytest.fixture(scope="module")
def files():
    return corpus.corpus_files(n_train=30, n_test=20, seed=3)  # 40 test reviews


def review(rid: str, text: str, label: int, rating: int) -> tf.train.Example:
    example = tf.train.Example()
    f = example.features.feature
    f["text"].bytes_list.value.append(text.encode())
    f["review_id"].bytes_list.value.append(rid.encode())
    f["dataset"].bytes_list.value.append(b"imdb")
    f["label"].int64_list.value.append(label)
    f["rating"].int64_list.value.append(rating)
    return example


def smallest_ids(rids, n):
    return sorted(rids, key=lambda r: hashlib.sha256(r.encode()).hexdigest())[:n]


def test_each_review_becomes_one_example_per_snippet_set_with_its_label_and_rating():
    text = "A fine film. It drags<br />in the middle, " + " ".join(f"w{i}" for i in range(60))
    cuts = snippet_sets.snippet_examples(review("test/neg/7", text, 0, 3))
    assert [feature(c, "dataset") for c in cuts] == NAMES
    for name, cut in zip(NAMES, cuts):
        assert feature(cut, "text") == snippet(text, name)
        assert feature(cut, "review_id") == f"snippet/{name}/test/neg/7"
        assert (feature(cut, "label"), feature(cut, "rating")) == (0, 3)
        assert set(cut.features.feature) == {"text", "label", "rating", "review_id", "dataset"}
    assert [feature(c, "text") for c in cuts][:2] == ["A fine film.", " ".join(text.replace("<br />", " ").split()[:20])]


def test_names_are_the_snippet_sets_and_guard_sets_may_not_take_them():
    assert snippet_sets.NAMES == tuple(NAMES) and all(snippet_sets.is_snippet_set(n) for n in NAMES)
    assert not snippet_sets.is_snippet_set("imdb") and not snippet_sets.is_snippet_set("tweets")
    with pytest.raises(ValueError, match="unknown snippet sets"):
        snippet_sets.check_names(["snippet_sentence", "snippet_3_words"])
    for name in NAMES + ["snippet_tweets"]:
        with pytest.raises(guard.ImdbDataError, match="reserved for the snippet sets"):
            guard.check_name(name)


def test_the_sample_is_exact_deterministic_and_labels_are_copied(tmp_path, files):
    archive = resolve_data(corpus.write_archive(str(tmp_path / "a.tar.gz"), files))
    directory = resolve_data(corpus.write_directory(str(tmp_path / "d"), files))
    config = {"snippet_reviews": 7, "snippet_sets": NAMES}
    a, _ = run_executor(archive, tmp_path / "a", guard_split=True, **config)
    d, _ = run_executor(directory, tmp_path / "d_out", guard_split=True, **config)
    tests = {feature(ex, "review_id"): ex for ex in a["test"]}
    assert len(tests) == 40 and len(a["guard"]) == 3 * 7
    sampled = smallest_ids(tests, 7)  # the 7 smallest sha256 of the review id, whatever the read order
    by_set = {name: sorted(feature(ex, "review_id") for ex in a["guard"] if feature(ex, "dataset") == name)
              for name in NAMES}
    assert by_set == {name: sorted(f"snippet/{name}/{rid}" for rid in sampled) for name in NAMES}
    for ex in a["guard"]:
        _, name, rid = feature(ex, "review_id").split("/", 2)
        original = tests[rid]
        assert feature(ex, "text") == snippet(feature(original, "text"), name)
        assert (feature(ex, "label"), feature(ex, "rating")) == (feature(original, "label"), feature(original, "rating"))
    serialized = lambda splits: sorted(ex.SerializeToString(deterministic=True) for ex in splits["guard"])  # noqa: E731
    assert serialized(a) == serialized(d)  # the same examples from either layout (read in other orders)
    assert len(a["test"]) == 40 and not any(feature(ex, "dataset") != "imdb" for ex in a["test"])


def test_more_reviews_than_the_test_split_has_take_them_all_beside_a_guard_set(tmp_path, files):
    source = resolve_data(corpus.write_archive(str(tmp_path / "a.tar.gz"), files))
    guard_file = corpus.write_guard_set(str(tmp_path / "g.jsonl"), n=3)
    splits, _ = run_executor(source, tmp_path / "out", guard_split=True, guard_sets=[["g", guard_file]],
                             snippet_reviews=2500, snippet_sets=NAMES)
    datasets = [feature(ex, "dataset") for ex in splits["guard"]]
    assert {n: datasets.count(n) for n in set(datasets)} == {"g": 6, **{name: 40 for name in NAMES}}


@pytest.mark.parametrize("guard_split, config, message", [
    (True, {}, "split 'guard' goes with custom_config guard_sets or snippet_reviews"),
    (False, {"snippet_reviews": 5, "snippet_sets": NAMES}, "split 'guard' goes with"),
    (True, {"snippet_reviews": 5}, "snippet_reviews .* and snippet_sets go together"),
    (True, {"snippet_reviews": -1, "snippet_sets": NAMES}, "snippet_reviews .* and snippet_sets go together"),
])
def test_the_guard_split_and_its_config_go_together(tmp_path, files, guard_split, config, message):
    source = resolve_data(corpus.write_archive(str(tmp_path / "a.tar.gz"), files))
    with pytest.raises(ValueError, match=message):
        run_executor(source, tmp_path / "out", guard_split=guard_split, **config)
