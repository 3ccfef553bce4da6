"""All configuration of the pipeline, in one place.

Every runner (local, Beam, Kubeflow) builds a `PipelineConfig` and hands it to
`pipeline.pipeline.create_pipeline`; the CLI maps its flags onto these fields.
Defaults reproduce the TF-Hub text-classifier tutorial with an offline module: a frozen
GloVe-50d embedding, a DNN head of [500, 100], Adagrad(0.003), 1,000 steps of 128.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import re
from typing import Sequence

PIPELINE_NAME = "imdb-sentiment"
OUTPUT_DIR = "output"
SCHEMA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schema", "schema.pbtxt")

# Module code, referenced by module path so that it ships with the installed package
# (and in the Kubeflow image) instead of being packaged from a file at run time.
EXAMPLE_GEN_EXECUTOR = "components.example_gen.Executor"
PREPROCESSING_FN = "components.transform.preprocessing_fn"
RUN_FN = "components.trainer.run_fn"
TUNER_FN = "components.tuner.tuner_fn"
EMBEDDING_TRANSFORM_EXECUTOR = "components.transform_executor.Executor"


@functools.lru_cache(maxsize=None)
def code_fingerprint(*modules: str) -> str:
    """A hash of the named modules' source files in components/ (e.g. "trainer").

    TFX fingerprints a `module_file` for its cache key, but not code named by module path;
    passing this hash in a component's custom_config makes a change to its code rerun it.
    """
    import components

    digest = hashlib.sha256()
    for name in modules:
        with open(os.path.join(os.path.dirname(components.__file__), f"{name}.py"), "rb") as f:
            digest.update(name.encode() + b"\0" + f.read())
    return digest.hexdigest()[:16]


@dataclasses.dataclass
class TrainingConfig:
    """What the Trainer module reads from its custom_config (and what Transform must add for it)."""

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
    # adagrad | adam (sparse rows: trainer.LazyAdam) | proximal_adagrad (TF1's ProximalAdagrad:
    # Adagrad steps, then L1/L2 shrinkage) | ftrl (FTRL-proximal)
    optimizer: str = "adagrad"
    learning_rate: float = 0.003
    optimizer_l1: float = 0.0  # proximal_adagrad and ftrl: L1 and L2 regularisation applied by the optimiser
    optimizer_l2: float = 0.0
    # TF1's DNNClassifier (the tutorial) sums the loss over the batch; Keras averages it,
    # which makes Adagrad's steps batch_size times smaller. "sum" reproduces the tutorial.
    loss_reduction: str = "sum"  # sum | mean
    batch_size: int = 128
    train_steps: int = 1000
    shuffle_buffer_size: int = 25000  # >= the train split (22.5k), for a uniform shuffle
    evaluations: int = 10  # validation passes over `eval` during training
    # wide: word 1..ngram_size-grams that at least min_count reviews of the train split contain
    ngram_size: int = 3
    min_count: int = 3
    nb_alpha: float = 1.0  # smoothing of the naive-Bayes log-count ratios
    members: tuple[dict, ...] = ()  # ensemble only
    # ensemble only: "mean" averages the members' outputs; "eval" weights them with the
    # weights (steps of 0.05) that minimise the log loss on the eval split (never on test).
    ensemble_weights: str = "mean"
    # Tune learning rate, hidden units and dropout with TFX's Tuner on the eval split first.
    tune: bool = False
    tuner_trials: int = 6
    tuner_steps: int = 0  # training steps per trial (0: train_steps)

    def __post_init__(self):
        choices = {"head": ("dnn", "wide", "majority", "ensemble"), "task": ("classification", "regression"),
                   "ensemble_weights": ("mean", "eval"),
                   "optimizer": ("adagrad", "adam", "proximal_adagrad", "ftrl"), "loss_reduction": ("sum", "mean")}
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
        if self.precompute and self.trainable:
            raise ValueError("a precomputed module cannot be trained: drop precompute or trainable")
        if min(self.optimizer_l1, self.optimizer_l2) < 0:
            raise ValueError("optimizer_l1 and optimizer_l2 must be >= 0")
        if (self.optimizer_l1 or self.optimizer_l2) and self.optimizer not in ("proximal_adagrad", "ftrl"):
            raise ValueError(f"optimizer_l1/optimizer_l2 apply to proximal_adagrad and ftrl, not {self.optimizer}: "
                             "use l2 for a penalty on the head")

    def member_configs(self) -> list["TrainingConfig"]:
        fields = {f.name for f in dataclasses.fields(TrainingConfig)}
        for member in self.members:
            unknown = sorted(set(member) - fields)
            if unknown:
                raise ValueError(f"ensemble member {member}: unknown field(s) {', '.join(unknown)}")
        return [TrainingConfig(**m) for m in self.members]

    def transform_options(self) -> dict:
        """What Transform must compute for this model besides the text (see components/transform.py)."""
        options: dict = {}
        for config in (self.member_configs() if self.head == "ensemble" else [self]):
            if config.head == "wide":
                options["ngrams"] = {"size": config.ngram_size, "min_count": config.min_count,
                                     "code_version": code_fingerprint("text_features")}
            if config.head == "dnn" and config.precompute:
                if options.get("embed_module", config.module) != config.module:
                    raise ValueError("an ensemble can precompute only one module")
                options["embed_module"] = config.module
        return options

    def to_custom_config(self) -> dict:
        config = dataclasses.asdict(self)
        config["hidden_units"] = list(self.hidden_units)
        config["members"] = [dict(m) for m in self.members]
        config["code_version"] = code_fingerprint("trainer", "transform", "embedding_modules")
        return config


# Named training set-ups (`imdb-tfx run --preset NAME`).
PRESETS: dict[str, dict] = {
    # The tutorial's schedule with the frozen GloVe module (the pipeline's default).
    "tutorial": {},
    # The strongest model here: NB-weighted n-gram logistic regression and the fine-tuned
    # GloVe DNN, their probabilities averaged with weights chosen on the eval split (issue #6;
    # figures in the README).
    "best": {"head": "ensemble", "ensemble_weights": "eval", "members": (
        {"head": "wide", "ngram_size": 3, "min_count": 3, "optimizer": "adam", "learning_rate": 0.002,
         "loss_reduction": "mean", "l2": 7.4e-5, "train_steps": 1760},
        {"head": "dnn", "module": "glove", "trainable": True, "dropout": 0.3, "optimizer": "adam",
         "learning_rate": 0.001, "loss_reduction": "mean", "train_steps": 704},
    )},
}


def preset(name: str, **overrides) -> TrainingConfig:
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}: use one of {', '.join(PRESETS)}")
    return TrainingConfig(**{**PRESETS[name], **overrides})


@dataclasses.dataclass
class PipelineConfig:
    data: str = ""  # archive, aclImdb/ directory or URL: see data/dataset.py
    pipeline_name: str = PIPELINE_NAME
    pipeline_root: str = os.path.join(OUTPUT_DIR, "pipeline_root")
    metadata_path: str = os.path.join(OUTPUT_DIR, "metadata.sqlite")
    serving_dir: str = os.path.join(OUTPUT_DIR, "serving_model")
    eval_percent: int = 10  # share of the official train set held out as `eval`
    include_unsup: bool = False  # emit the 50,000 unlabelled reviews as split `unsup`
    schema_path: str = SCHEMA_PATH
    training: TrainingConfig = dataclasses.field(default_factory=TrainingConfig)
    # Blessing: test accuracy at least this, and not lower than the last blessed model's
    # by more than the tolerance.
    accuracy_lower_bound: float = 0.7
    accuracy_change_tolerance: float = 1e-10
    enable_cache: bool = True
    beam_pipeline_args: tuple[str, ...] = ("--direct_running_mode=in_memory", "--direct_num_workers=1")

    def __post_init__(self):
        if self.training is None:
            self.training = TrainingConfig()


# Beam: named `beam_pipeline_args` sets, for the Beam jobs that ExampleGen, StatisticsGen,
# Transform and Evaluator run under any orchestrator (`imdb-tfx run --beam-preset NAME`,
# `beam_args(NAME)`). A <PLACEHOLDER> must be filled with an extra flag of the same name
# (`--beam-arg=--project=my-project`). The job servers' and SDK containers' Beam version
# must match the installed one (2.61.0).
BEAM_PRESETS: dict[str, tuple[str, ...]] = {
    # One process, no worker start-up: PipelineConfig's default, and the fastest on small data.
    "in-memory": PipelineConfig.beam_pipeline_args,
    # DirectRunner with worker processes; 0 = one per CPU core, counted at run time on the
    # machine that runs the component (a pod's CPU limit is not seen: pass it instead).
    "direct-multiprocess": ("--runner=DirectRunner", "--direct_running_mode=multi_processing",
                            "--direct_num_workers=0"),
    # Flink through its Beam job server, e.g.
    #   docker run --net=host apache/beam_flink1.18_job_server:2.61.0 --flink-master=HOST:8081
    # LOOPBACK runs the Python SDK workers inside the launching process (which the job
    # server must reach); for a remote cluster use DOCKER as in "spark".
    "flink": ("--runner=PortableRunner", "--job_endpoint=localhost:8099", "--environment_type=LOOPBACK"),
    # Spark through its Beam job server, e.g.
    #   docker run --net=host apache/beam_spark3_job_server:2.61.0 --spark-master-url=spark://HOST:7077
    # DOCKER starts the SDK workers on each executor in the project image (see Dockerfile).
    "spark": ("--runner=PortableRunner", "--job_endpoint=localhost:8099", "--environment_type=DOCKER",
              "--environment_config=<IMAGE>"),
    # Google Cloud Dataflow, Runner v2, with the project image as the SDK container (it has
    # the project, its pinned stack and Beam's boot entrypoint).
    "dataflow": ("--runner=DataflowRunner", "--project=<PROJECT>", "--region=us-central1",
                 "--temp_location=gs://<BUCKET>/tmp", "--experiments=use_runner_v2",
                 "--sdk_container_image=<IMAGE>", "--sdk_location=container"),
}
_PLACEHOLDER = re.compile(r"<[A-Z_]+>")


def beam_args(preset: str, extra: Sequence[str] = ()) -> tuple[str, ...]:
    """The flags of `preset` plus `extra`; an extra flag replaces the preset's flag of the same name.

    Raises ValueError for an unknown preset or a <PLACEHOLDER> that `extra` leaves unfilled.
    """
    if preset not in BEAM_PRESETS:
        raise ValueError(f"unknown Beam preset {preset!r}: use one of {', '.join(BEAM_PRESETS)}")
    replaced = {flag.split("=", 1)[0] for flag in extra}
    args = tuple(f for f in BEAM_PRESETS[preset] if f.split("=", 1)[0] not in replaced) + tuple(extra)
    unfilled = [f for f in args if _PLACEHOLDER.search(f)]
    if unfilled:
        raise ValueError(f"Beam preset {preset!r} needs values for {' '.join(unfilled)} "
                         "(pass each as --beam-arg=--FLAG=VALUE)")
    return args


# Kubeflow Pipelines v2 / Vertex AI (`imdb-tfx compile`): where the Dockerfile puts things.
IMAGE_ROOT = "/opt/imdb-tfx"
IMAGE_SCHEMA_PATH = f"{IMAGE_ROOT}/src/pipeline/schema/schema.pbtxt"


@dataclasses.dataclass
class KubeflowConfig:
    """What compiling for Kubeflow adds to a PipelineConfig (whose paths must be remote or
    absolute inside the image: gs://... for Vertex AI)."""

    image: str  # the project image (Dockerfile), e.g. us-docker.pkg.dev/PROJECT/REPO/imdb-tfx:TAG
    output: str = os.path.join(OUTPUT_DIR, "kubeflow_pipeline.json")
    display_name: str = ""  # default: the pipeline name
    schema_path: str = IMAGE_SCHEMA_PATH  # the schema file as the containers see it
