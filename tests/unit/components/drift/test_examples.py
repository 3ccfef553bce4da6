
import numpy as np
import pytest

from components.drift import sample_from_examples
from tests.unit.components.drift.synthetic import write_split


def test_reads_texts_labels_and_ratings_of_several_artifacts_and_splits(tmp_path):
    write_split(tmp_path / "a" / "Split-train", [("good film", 1, 9), ("bad", 0, 2)])
    write_split(tmp_path / "a" / "Split-eval", [("fine", 1, 7)])
    write_split(tmp_path / "b" / "Split-train", [("d\u00e9j\u00e0 vu", None, None)])
    got = sample_from_examples([str(tmp_path / "a"), str(tmp_path / "b")], ["train", "eval"][:1], "window")
    assert sorted(got.texts) == ["bad", "d\u00e9j\u00e0 vu", "good film"] and got.name == "window"
    by_text = dict(zip(got.texts, zip(got.labels.tolist(), got.ratings.tolist())))
    assert by_text == {"good film": (1, 9), "bad": (0, 2), "d\u00e9j\u00e0 vu": (-1, 0)}
    both = sample_from_examples([str(tmp_path / "a")], ["train", "eval"], "a")
    assert len(both) == 3


def test_limit_is_a_deterministic_sample(tmp_path):
    write_split(tmp_path / "a" / "Split-train", [(f"text {i}", i % 2, 1 + i % 4) for i in range(50)])
    first = sample_from_examples([str(tmp_path / "a")], ["train"], "a", limit=10, seed=3)
    again = sample_from_examples([str(tmp_path / "a")], ["train"], "a", limit=10, seed=3)
    assert len(first) == 10 and first.texts == again.texts
    assert np.array_equal(first.labels, np.array([int(t.split()[1]) % 2 for t in first.texts]))


def test_a_missing_split_names_the_folder(tmp_path):
    write_split(tmp_path / "a" / "Split-train", [("x", 1, 8)])
    with pytest.raises(FileNotFoundError, match="Split-eval: no examples"):
        sample_from_examples([str(tmp_path / "a")], ["eval"], "a")
