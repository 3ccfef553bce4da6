"""TrainingConfig: what the Trainer and the Tuner read from their custom_config.

Pure Python (no TensorFlow), so that the pipeline, the CLI and the executors share it.
Defaults reproduce the TF-Hub text-classifier tutorial with an offline module: a frozen
GloVe-50d embedding, a DNN head of [500, 100], Adagrad(0.003), 1,000 steps of 128.
"""
from __future__ import annotations

import dataclasses

HEADS = ("dnn", "wide", "majority", "ensemble")
TASKS = ("classification", "regression")
# adagrad | adam (sparse rows: trainer.optimizers.LazyAdam) | proximal_adagrad (TF1's
# ProximalAdagrad: Adagrad steps, then L1/L2 shrinkage) | ftrl (FTRL-proximal)
# lbfgs: full-batch L-BFGS to convergence, for the wide head only (components/trainer/lbfgs.py)
OPTIMIZERS = ("adagrad", "adam", "proximal_adagrad", "ftrl", "lbfgs")
# The optimisers that apply optimizer_l1 / optimizer_l2 in their steps.
PROXIMAL_OPTIMIZERS = ("proximal_adagrad", "ftrl")
LOSS_REDUCTIONS = ("sum", "mean")
ENSEMBLE_WEIGHTS = ("mean", "eval", "eval_by_length")
# eval_by_length: one set of member weights per review length, in words (after cleaning):
# up to 15, 16-30, 31-60, 61-120, more (the short-text study: studies/short_text/).
LENGTH_WEIGHT_BOUNDS = (15, 30, 60, 120)
# What a model trains on: the train reviews, or their sentences (components/snippets.py), each
# with its review's label (components/trainer/review_pieces.py).
TRAIN_ON = ("reviews", "sentences")
# wide: how Transform gives each n-gram an id (components/transform/text_features.py)
NGRAM_INDEXES = ("hash", "vocabulary")


@dataclasses.dataclass
class TrainingConfig:
    """The model, its training schedule and what Transform must compute for it."""

    # dnn: the embedding module + a DNN head; wide: NB-weighted logistic regression on word
    # n-grams (features from Transform); majority: the majority-class baseline; ensemble: the
    # averaged probabilities of `members`, each a dict of TrainingConfig fields.
    head: str = "dnn"
    task: str = "classification"  # classification (label) | regression (rating, 1-10)
    module: str = "glove"  # builtin name (glove, random, minilm), local path or TF-Hub handle (URL)
    trainable: bool = False  # fine-tune the embedding module too
    # Apply the (frozen) module once per review in Transform and train the head on the vectors,
    # instead of running it in every training step.
    precompute: bool = False
    hidden_units: tuple[int, ...] = (500, 100)
    dropout: float = 0.0
    l2: float = 0.0  # L2 penalty on the head's kernels (wide: on the n-gram weights)
    optimizer: str = "adagrad"  # one of OPTIMIZERS (lbfgs: train_steps is its iteration limit)
    learning_rate: float = 0.003
    optimizer_l1: float = 0.0  # PROXIMAL_OPTIMIZERS: L1 and L2 regularisation applied by the optimiser
    optimizer_l2: float = 0.0
    # TF1's DNNClassifier (the tutorial) sums the loss over the batch; Keras averages it,
    # which makes Adagrad's steps batch_size times smaller. "sum" reproduces the tutorial.
    loss_reduction: str = "sum"  # sum | mean
    batch_size: int = 128
    train_steps: int = 1000
    # The trained weights are the moving average of the steps' weights with this decay (Keras'
    # use_ema with TF's warm-up, components/trainer/optimizers.py: AveragedWeights); 0: the last
    # step's. Keras optimisers except ftrl; not a trainable embedding's table.
    ema_momentum: float = 0.99
    shuffle_buffer_size: int = 25000  # >= the train split (22.5k), for a uniform shuffle
    evaluations: int = 10  # validation passes over `eval` during training
    train_on: str = "reviews"  # one of TRAIN_ON
    # An ensemble member trained on sentences also learns from the sentences of the unlabelled
    # reviews (ExampleGen's split `unsup`) that the ensemble's first member trained on reviews
    # labels with a probability above 1 - unlabelled_margin or below it; 0: none
    # (components/trainer/unlabelled.py).
    unlabelled_margin: float = 0.0
    # wide: word 1..ngram_size-grams that at least min_count reviews of the train split contain
    ngram_size: int = 3
    min_count: int = 3
    # hash: a 64-bit hash of the n-gram mod ngram_buckets, the min-count cut made by the
    # Trainer (one pass in Transform); vocabulary: TFT's vocabulary analyzer (exact, slow).
    ngram_index: str = "hash"
    ngram_buckets: int = 2**32
    nb_alpha: float = 1.0  # smoothing of the naive-Bayes log-count ratios
    # wide: VADER's compound, pos and neg scores of the text (a general sentiment lexicon,
    # computed in the model's graph: components/transform/lexicon.py) as three more columns
    # beside the n-grams (components/trainer/lexicon_columns.py)
    lexicon: bool = False
    members: tuple[dict, ...] = ()  # ensemble only
    # ensemble only: "mean" averages the members' outputs; "eval" weights them with the
    # weights (steps of 0.05) that minimise the log loss on the eval split (never on test);
    # "eval_by_length" chooses such weights for each length bucket (LENGTH_WEIGHT_BOUNDS) on
    # the eval reviews pooled with their snippets (first sentence, first 20 and 50 words).
    ensemble_weights: str = "mean"
    # Tune learning rate, hidden units and dropout with TFX's Tuner on the eval split first.
    tune: bool = False
    tuner_trials: int = 6
    tuner_steps: int = 0  # training steps per trial (0: train_steps)
    # Start from the latest blessed model when its architecture matches (production runs:
    # components/trainer/warm_start.py, docs/warm_start.md); a warm start runs this fraction of
    # train_steps (L-BFGS: of its iteration limit) and of the evaluations, since it starts near
    # an optimum of overlapping data, or the share of the window's train reviews new to the base
    # model, if larger.
    warm_start: bool = True
    warm_start_fraction: float = 0.25

    def __post_init__(self):
        choices = {"head": HEADS, "task": TASKS, "ensemble_weights": ENSEMBLE_WEIGHTS,
                   "optimizer": OPTIMIZERS, "loss_reduction": LOSS_REDUCTIONS,
                   "ngram_index": NGRAM_INDEXES, "train_on": TRAIN_ON}
        for field, valid in choices.items():
            if getattr(self, field) not in valid:
                raise ValueError(f"unknown {field} {getattr(self, field)!r}: use one of {', '.join(valid)}")
        self.hidden_units = tuple(self.hidden_units)
        self.members = tuple(dict(m) for m in self.members)
        if self.head == "ensemble":
            if len(self.members) < 2:
                raise ValueError("an ensemble needs at least two members")
            for member in self.member_configs():
                if member.head == "ensemble" or member.task != self.task:
                    raise ValueError(f"ensemble member {member.head}/{member.task}: members must be "
                                     f"single models of the ensemble's task ({self.task})")
        if not 0 <= self.ema_momentum < 1:
            raise ValueError(f"ema_momentum (--ema-momentum) {self.ema_momentum} must be in [0, 1)")
        if not 0 < self.warm_start_fraction <= 1:
            raise ValueError(f"warm_start_fraction (--warm-start-fraction) {self.warm_start_fraction} "
                             "must be in (0, 1]")
        if not 0 <= self.unlabelled_margin < 0.5:
            raise ValueError(f"unlabelled_margin {self.unlabelled_margin} must be in [0, 0.5)")
        if self.unlabelled_margin and self.train_on != "sentences":
            raise ValueError("unlabelled_margin applies to a model trained on sentences (train_on sentences)")
        if self.head == "ensemble":
            self.unlabelled_labeller()  # raises if a member asks for unlabelled sentences without one
        if self.precompute and self.trainable:
            raise ValueError("a precomputed module cannot be trained: drop precompute or trainable")
        if not 1 <= self.ngram_buckets <= 2**40:  # text_features.distinct_ids_per_row: rows * buckets < 2^63
            raise ValueError(f"ngram_buckets {self.ngram_buckets} must be between 1 and 2**40")
        if self.lexicon and self.head != "wide":
            raise ValueError(f"lexicon adds columns to the wide head only, not {self.head}")
        if self.optimizer == "lbfgs" and self.head != "wide":
            raise ValueError(f"optimizer lbfgs fits the wide head only, not {self.head}")
        if min(self.optimizer_l1, self.optimizer_l2) < 0:
            raise ValueError("optimizer_l1 and optimizer_l2 must be >= 0")
        if (self.optimizer_l1 or self.optimizer_l2) and self.optimizer not in PROXIMAL_OPTIMIZERS:
            raise ValueError(f"optimizer_l1/optimizer_l2 apply to {' and '.join(PROXIMAL_OPTIMIZERS)}, "
                             f"not {self.optimizer}: use l2 for a penalty on the head")

    def member_configs(self) -> list["TrainingConfig"]:
        """An ensemble's members as TrainingConfigs."""
        fields = {f.name for f in dataclasses.fields(TrainingConfig)}
        for member in self.members:
            unknown = sorted(set(member) - fields)
            if unknown:
                raise ValueError(f"ensemble member {member}: unknown field(s) {', '.join(unknown)}")
        return [TrainingConfig(**m) for m in self.members]

    def unlabelled_labeller(self) -> int | None:
        """The index of the member that labels the unlabelled reviews: the first one trained on
        reviews for classification, when a member asks for unlabelled sentences; else None."""
        members = self.member_configs() if self.head == "ensemble" else [self]
        users = [i for i, m in enumerate(members) if m.unlabelled_margin]
        if not users:
            return None
        if self.head != "ensemble":
            raise ValueError("unlabelled_margin needs an ensemble: its member trained on reviews labels them")
        labellers = [i for i, m in enumerate(members) if m.train_on == "reviews" and m.task == "classification"]
        if not labellers or labellers[0] > min(users):
            raise ValueError("unlabelled_margin: an earlier ensemble member must be trained on reviews "
                             "(for classification) to label the unlabelled reviews")
        return labellers[0]

    def uses_unlabelled(self) -> bool:
        """Whether training reads the unlabelled reviews (ExampleGen's split `unsup`)."""
        return any(m.unlabelled_margin for m in self.single_models())

    def single_models(self) -> list["TrainingConfig"]:
        """The single models this config trains: an ensemble's members, or the config itself."""
        return self.member_configs() if self.head == "ensemble" else [self]

    def modules(self) -> list[str]:
        """The embedding modules the models use, sorted."""
        return sorted({c.module for c in self.single_models() if c.head == "dnn"})

    def transform_options(self) -> dict:
        """What Transform must compute for this model besides the text (components/transform)."""
        options: dict = {}
        for config in self.single_models():
            if config.head == "wide":
                options["ngrams"] = (
                    {"size": config.ngram_size, "ids": "hash", "buckets": config.ngram_buckets}
                    if config.ngram_index == "hash" else
                    {"size": config.ngram_size, "ids": "vocabulary", "min_count": config.min_count})
            if config.head == "dnn" and config.precompute:
                if options.get("embed_module", config.module) != config.module:
                    raise ValueError("an ensemble can precompute only one module")
                options["embed_module"] = config.module
        return options

    def transform_analyses(self) -> bool:
        """Whether Transform's output for a review depends on the analysed data (an n-gram
        vocabulary), not on the review alone: then spans cannot be transformed one at a time."""
        return self.transform_options().get("ngrams", {}).get("ids") == "vocabulary"

    def to_custom_config(self) -> dict:
        """The config as the JSON-able dict a component's custom_config carries."""
        config = dataclasses.asdict(self)
        config["hidden_units"] = list(self.hidden_units)
        config["members"] = [dict(m) for m in self.members]
        return config


def training_config(config: dict | TrainingConfig | str | None = None, **overrides) -> TrainingConfig:
    """A TrainingConfig from a custom_config dict (keys that are no field, such as
    code_version, dropped), a TrainingConfig, or a module name, with `overrides` applied."""
    if isinstance(config, TrainingConfig):
        config = dataclasses.asdict(config)
    elif isinstance(config, str):
        config = {"module": config}
    fields = {f.name for f in dataclasses.fields(TrainingConfig)}
    return TrainingConfig(**{k: v for k, v in {**(config or {}), **overrides}.items() if k in fields})


def apply_hyperparameters(config: TrainingConfig, hyperparameters: dict | None) -> TrainingConfig:
    """The config with the Tuner's best values (learning_rate, hidden_units "500,100", dropout)."""
    values = dict((hyperparameters or {}).get("values", {}))
    if "hidden_units" in values:
        values["hidden_units"] = tuple(int(u) for u in str(values["hidden_units"]).split(",") if u)
    return training_config(config, **values)
