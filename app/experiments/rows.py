"""The experiment grids as data: named rows, each a TrainingConfig run through the experiment
pipeline (pipeline/experiment.py)."""
from __future__ import annotations

import dataclasses

from components.training_config import TrainingConfig
from pipeline.configs import PRESETS, preset

# The tutorial's schedule: Adagrad(0.003), loss summed over batches of 128, 1,000 steps.
TUTORIAL = {}
# Fine-tuning GloVe that converges: Adam(0.001) on the mean loss, 4 epochs of the 22.4k train reviews.
ADAM_4_EPOCHS = {"optimizer": "adam", "learning_rate": 0.001, "loss_reduction": "mean", "train_steps": 704}
# A head on precomputed (frozen) vectors: cheap steps, so 10 epochs; one layer of 256 with dropout
# 0.5, chosen on the eval split among logistic regressions and MLPs (studies/minilm_heads.py;
# docs/results.md).
HEAD_ONLY = {"optimizer": "adam", "learning_rate": 0.001, "loss_reduction": "mean", "train_steps": 1760,
             "hidden_units": (256,), "dropout": 0.5}
# Fine-tuning the sentence encoder with its head: BERT-style small steps, batches of 32, 2 epochs.
FINE_TUNE = {"optimizer": "adam", "learning_rate": 3e-5, "loss_reduction": "mean", "batch_size": 32,
             "train_steps": 1400}
# The tutorial's improvement 5: its Adagrad schedule with Proximal Adagrad's L1/L2 shrinkage; the
# strengths chosen on the eval split among 1e-3, 1e-2 and 1e-1, both equal (docs/results.md).
PROXIMAL = {"optimizer_l1": 0.001, "optimizer_l2": 0.001}
WIDE = {"head": "wide", "ngram_size": 3, "min_count": 3, "optimizer": "adam", "learning_rate": 0.002,
        "loss_reduction": "mean", "l2": 7.4e-5, "train_steps": 1760}


@dataclasses.dataclass
class Row:
    name: str
    training: TrainingConfig
    note: str = ""
    # Needs a GPU: in its grid only where TensorFlow sees one, else only when named with --rows
    # (fine-tuning MiniLM on 2 CPU cores takes hours: docs/results.md).
    gpu: bool = False


def _row(name: str, note: str = "", gpu: bool = False, **fields) -> Row:
    return Row(name, TrainingConfig(**fields), note, gpu)


def tutorial_rows() -> list[Row]:
    return [
        _row("majority", "majority-class baseline", head="majority"),
        _row("glove-frozen", "tutorial schedule", module="glove", **TUTORIAL),
        _row("glove-trained", "tutorial schedule", module="glove", trainable=True, **TUTORIAL),
        _row("random-frozen", "tutorial schedule", module="random", **TUTORIAL),
        _row("random-trained", "tutorial schedule", module="random", trainable=True, **TUTORIAL),
    ]


def improvement_rows() -> list[Row]:
    return [
        _row("glove-trained-adam", "Adam, 4 epochs", module="glove", trainable=True, **ADAM_4_EPOCHS),
        _row("regression", "improvement 1: DNN regressor on the rating", task="regression", module="glove",
             trainable=True, **ADAM_4_EPOCHS),
        _row("minilm-frozen", "improvements 2/4: sentence encoder, vectors from Transform", module="minilm",
             precompute=True, **HEAD_ONLY),
        _row("minilm-trained", "improvements 2/4: sentence encoder fine-tuned with its head (GPU)", gpu=True,
             module="minilm", trainable=True, **FINE_TUNE),
        _row("glove-trained-tuned", "improvement 3: Tuner on the eval split (6 trials of 4 epochs)",
             module="glove", trainable=True, tune=True, tuner_trials=6, tuner_steps=704, **ADAM_4_EPOCHS),
        _row("ensemble-glove-minilm", "improvement 4: averaged probabilities", head="ensemble", members=(
            {"module": "glove", "trainable": True, **ADAM_4_EPOCHS},
            {"module": "minilm", "precompute": True, **HEAD_ONLY})),
        _row("glove-trained-dropout", "improvement 5: dropout 0.3 on the head", module="glove",
             trainable=True, dropout=0.3, **ADAM_4_EPOCHS),
        _row("glove-trained-dropout-l2", "improvement 5: dropout 0.3 and L2 1e-4 on the head", module="glove",
             trainable=True, dropout=0.3, l2=1e-4, **ADAM_4_EPOCHS),
        _row("glove-trained-proximal", "improvement 5: Proximal Adagrad (L1/L2 in the optimiser), tutorial schedule",
             module="glove", trainable=True, optimizer="proximal_adagrad", **PROXIMAL, **TUTORIAL),
        _row("nb-ngrams", "NB-weighted 1-3-gram logistic regression, trained with Adam", **WIDE),
    ] + short_text_rows()


def short_text_rows() -> list[Row]:
    """The short-text grid: text that is not a long IMDB review. The members of --preset best
    alone, and combined without and with weights by length, without and with the unlabelled
    reviews' sentences (every choice made on eval and eval snippets, the unlabelled sentences on
    the train reviews of held-out movies: studies/short_text/movie_holdout_study.py)."""
    reviews, sentences = (dict(m) for m in PRESETS["best"]["members"])
    # the sentence member on the train reviews' sentences alone: l2 = 1 / (2 C n), C = 0.1, n ~268,000
    # (these rows without the lexicon: as they were before it joined --preset best)
    train_sentences = {**{k: v for k, v in sentences.items() if k not in ("unlabelled_margin", "lexicon")},
                       "l2": 1.9e-5}
    return [
        _row("nb-ngrams-lbfgs", "the same fitted by L-BFGS (member 1 of --preset best)", **reviews),
        _row("nb-ngrams-sentences", "trained on the train reviews' sentences (member 2, alone)",
             **train_sentences),
        _row("nb-ngrams-both-eval", "the two above, one pair of weights chosen on eval",
             head="ensemble", ensemble_weights="eval", members=(reviews, train_sentences)),
        _row("nb-ngrams-by-length", "the two above, weights by length chosen on eval and eval "
             "snippets (--preset best before the unlabelled sentences)",
             head="ensemble", ensemble_weights="eval_by_length", members=(reviews, train_sentences)),
        Row("best", preset("best"), "as above, the sentence model also on the sentences of the "
                                    "unlabelled reviews the review model is sure of (--preset best)"),
        Row("best-without-lexicon", preset("best", members=tuple({**m, "lexicon": False}
                                                                 for m in PRESETS["best"]["members"])),
            "--preset best without the VADER lexicon's columns in its sentence model (docs/lexicon.md)"),
    ]


GRIDS = {
    "tutorial": tutorial_rows,
    "default": lambda: tutorial_rows() + improvement_rows(),
    "short-text": lambda: [r for r in improvement_rows() if r.name in ("nb-ngrams", "minilm-frozen")]
    + short_text_rows(),
}


def gpu_available() -> bool:
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


def named_rows(value: str | None) -> list[str] | None:
    """The row names of a --rows value ("a,b"), or None when it is not given; ValueError for a
    value that names no row, or a row twice."""
    if value is None:
        return None
    names = [n.strip() for n in value.split(",") if n.strip()]
    if not names:
        raise ValueError(f"--rows {value!r}: names no row (comma-separated row names)")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"--rows {value}: row {', '.join(twice)} named twice")
    return names


def grid_rows(grid: str, only: list[str] | None = None, *, gpu: bool | None = None) -> list[Row]:
    """The rows of a named grid, or only the named ones (GPU rows included).

    `gpu`: whether the grid's GPU rows run (default: whether TensorFlow sees a GPU).
    """
    if grid not in GRIDS:
        raise ValueError(f"unknown grid {grid!r}: use one of {', '.join(GRIDS)}")
    rows = GRIDS[grid]()
    if only:
        names = [r.name for r in rows]
        unknown = [n for n in only if n not in names]
        if unknown:
            raise ValueError(f"grid {grid!r} has no row {', '.join(unknown)}: its rows are {', '.join(names)}")
        return [r for r in rows if r.name in only]
    if not any(r.gpu for r in rows):
        return rows
    with_gpu_rows = gpu_available() if gpu is None else gpu
    return [r for r in rows if with_gpu_rows or not r.gpu]
