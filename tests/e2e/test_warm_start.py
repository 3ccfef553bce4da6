"""Warm start through the pipeline (docs/warm_start.md): the Trainer's base model is the latest
blessed one (TFX's base_model input through the base-model resolver) when new examples come
in; an identical rerun comes from the cache; the summary says what the model started from."""

import pytest

from app.cli import status
from tests.helpers.cli import run as cli_run

pytestmark = pytest.mark.e2e

TINY = ["--hidden-units", "16", "--optimizer", "adam", "--learning-rate", "0.01", "--loss-reduction", "mean",
        "--batch-size", "32", "--train-steps", "60", "--evaluations", "2", "--eval-percent", "20",
        "--snippet-reviews", "0", "--accuracy-lower-bound", "0.5"]


def run(capsys, root, small_corpus, *extra):
    return cli_run(capsys, root, small_corpus, TINY, *extra)


def test_second_run_starts_from_the_blessed_model(capsys, tmp_path, small_corpus):
    code, first, err = run(capsys, tmp_path, small_corpus)
    assert code == status.OK, err
    assert first["warm_start"] == {"from": None, "reason": "no blessed model to start from: trained from scratch"}
    assert "imdb-tfx: warm start: no blessed model to start from" in err

    code, again, err = run(capsys, tmp_path, small_corpus)  # identical: from the cache, same origin
    assert again["warm_start"] == first["warm_start"] and again["evaluation_uri"] == first["evaluation_uri"]

    # New examples (every component reruns): the Trainer starts from the first run's model.
    code, second, err = run(capsys, tmp_path, small_corpus, "--no-cache")
    base = second["warm_start"]["from"]
    assert base and base.startswith(str(tmp_path / "root")) and "same architecture" in second["warm_start"]["reason"]
    # the same reviews: none new to the base, so warm_start_fraction of the steps
    assert "25% of the training steps (0% of this window's" in second["warm_start"]["reason"]
    assert second["blessing"]["baseline_model"] and base.startswith(second["blessing"]["baseline_model"])
    assert f"imdb-tfx: warm start: started from the blessed model {base}" in err
