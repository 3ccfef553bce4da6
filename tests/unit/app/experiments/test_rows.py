"""app.experiments.rows: the grids as data, and TrainingConfig's checks of a row."""
import pytest

from app.experiments import rows as grids
from components.training_config import TrainingConfig


def test_grids_and_bad_rows():
    names = [r.name for r in grids.grid_rows("default", gpu=False)]
    assert names[:5] == ["majority", "glove-frozen", "glove-trained", "random-frozen", "random-trained"]
    assert {"regression", "minilm-frozen", "glove-trained-tuned", "ensemble-glove-minilm", "nb-ngrams",
            "best"} <= set(names)
    # Fine-tuning the sentence encoder joins the grid where a GPU is, and can always be named.
    assert "minilm-trained" not in names
    assert [r.name for r in grids.grid_rows("short-text", gpu=False)] == [
        "minilm-frozen", "nb-ngrams", "nb-ngrams-lbfgs", "nb-ngrams-sentences", "nb-ngrams-both-eval",
        "nb-ngrams-by-length", "best", "best-without-lexicon"]
    assert names[-6:] == ["nb-ngrams-lbfgs", "nb-ngrams-sentences", "nb-ngrams-both-eval", "nb-ngrams-by-length",
                          "best", "best-without-lexicon"]
    # Only the preset (and the preset without the lexicon) learn from the unlabelled reviews; the
    # rows before it are the preset without them.
    short = {r.name: r.training for r in grids.grid_rows("short-text", gpu=False)}
    assert [n for n, t in short.items() if t.uses_unlabelled()] == ["best", "best-without-lexicon"]
    assert short["nb-ngrams-by-length"].members[0] == short["best"].members[0]
    # The lexicon's columns: the preset's sentence model only; the row without them is the preset otherwise.
    assert [n for n, t in short.items() if any(m.lexicon for m in t.single_models())] == ["best"]
    assert [m.lexicon for m in short["best"].single_models()] == [False, True]
    without = [{k: v for k, v in m.items() if k != "lexicon"} for m in short["best-without-lexicon"].members]
    assert without == [{k: v for k, v in m.items() if k != "lexicon"} for m in short["best"].members]
    with_gpu = [r.name for r in grids.grid_rows("default", gpu=True)]
    assert with_gpu == names[:names.index("minilm-frozen") + 1] + ["minilm-trained"] + names[
        names.index("minilm-frozen") + 1:]
    named = grids.grid_rows("default", ["minilm-trained", "majority"], gpu=False)
    assert [r.name for r in named] == ["majority", "minilm-trained"]
    assert named[1].training.trainable and named[1].training.module == "minilm"
    assert grids.grid_rows("tutorial", gpu=True) == grids.grid_rows("tutorial", gpu=False)
    with pytest.raises(ValueError, match="no row nope"):
        grids.grid_rows("tutorial", ["nope"])
    with pytest.raises(ValueError, match="unknown grid"):
        grids.grid_rows("nope")
    with pytest.raises(ValueError, match="at least two members"):
        TrainingConfig(head="ensemble", members=({"module": "glove"},))
    with pytest.raises(ValueError, match="unknown field.s. modul"):
        TrainingConfig(head="ensemble", members=({"modul": "glove"}, {"head": "wide"}))
    with pytest.raises(ValueError, match="apply to proximal_adagrad and ftrl, not adam"):
        TrainingConfig(optimizer="adam", optimizer_l1=0.001)
    with pytest.raises(ValueError, match=">= 0"):
        TrainingConfig(optimizer="proximal_adagrad", optimizer_l2=-1.0)
    with pytest.raises(ValueError, match="unknown head"):
        TrainingConfig(head="svm")
