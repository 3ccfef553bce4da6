"""All configuration of the pipeline, in one place.

Every runner (local, Beam, Kubeflow) builds a `PipelineConfig` and hands it to a
`create_pipeline` (pipeline/production.py, pipeline/experiment.py); the CLI maps its flags
onto these fields. The model's own settings are a `TrainingConfig`
(components/training_config.py), which the Trainer reads: its defaults reproduce the TF-Hub
text-classifier tutorial with an offline module.
"""
from __future__ import annotations

import dataclasses
import os
import re
from typing import Sequence

from components.training_config import TrainingConfig

PIPELINE_NAME = "imdb-sentiment"
OUTPUT_DIR = "output"
SCHEMA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schema", "schema.pbtxt")

# Module code, referenced by module path so that it ships with the installed package
# (and in the Kubeflow image) instead of being packaged from a file at run time.
EXAMPLE_GEN_EXECUTOR = "components.example_gen.executor.Executor"
PREPROCESSING_FN = "components.transform.preprocessing.preprocessing_fn"
RUN_FN = "components.trainer.run_fn.run_fn"
TUNER_FN = "components.tuner.tuner_fn.tuner_fn"
TRANSFORM_EXECUTOR = "components.transform.executor.Executor"
EVALUATOR_EXECUTOR = "components.evaluator.executor.Executor"
INFRA_VALIDATOR = "components.infra_validator.component.InfraValidator"
PUSHER_EXECUTOR = "components.pusher.executor.Executor"
DRIFT_CHECK = "components.drift_check.component.DriftCheck"
ANOMALIES_GATE = "components.anomalies_gate.component.AnomaliesGate"


def module_of(path: str) -> str:
    """The module of a dotted path to a function or class ("components.trainer.run_fn.run_fn")."""
    return path.rpartition(".")[0]


# Named training set-ups (`imdb-tfx run --preset NAME`).
PRESETS: dict[str, dict] = {
    # The tutorial's schedule with the frozen GloVe module (the pipeline's default).
    "tutorial": {},
    # The strongest model here (figures in docs/results.md): two NB-weighted
    # logistic regressions on word 1-3-grams, one trained on the reviews, one on their
    # sentences (for short text) and on the sentences of the unlabelled reviews that the first
    # labels with a probability above 0.8 or below 0.2, each fitted to convergence by L-BFGS;
    # their probabilities averaged with weights per text length chosen on the eval reviews and
    # their snippets. l2 = 1 / (2 C n) for scikit-learn's C = 0.1, the best on eval in
    # studies/short_text/ and studies/ngram_baselines/ (n: 22,420 train reviews; ~758,000
    # sentences, 268,000 of them the train reviews'); the unlabelled sentences were chosen on
    # the train reviews of held-out movies (studies/short_text/movie_holdout_study.py). The
    # sentence model also reads the VADER lexicon's scores of the text (a general sentiment
    # lexicon, prior knowledge as the GloVe vectors are: docs/lexicon.md).
    "best": {"head": "ensemble", "ensemble_weights": "eval_by_length", "members": (
        {"head": "wide", "ngram_size": 3, "min_count": 3, "optimizer": "lbfgs", "l2": 2.2e-4, "train_steps": 1000},
        {"head": "wide", "ngram_size": 3, "min_count": 3, "optimizer": "lbfgs", "l2": 6.6e-6, "train_steps": 1000,
         "train_on": "sentences", "unlabelled_margin": 0.2, "lexicon": True},
    )},
}


def preset(name: str, **overrides) -> TrainingConfig:
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}: use one of {', '.join(PRESETS)}")
    return TrainingConfig(**{**PRESETS[name], **overrides})


# TFX's Beam executors (ExampleGen, StatisticsGen, Transform, Evaluator) copy the whole TFX
# installation and build an sdist of it for remote Beam workers, unless a dependency flag is
# given (tfx/utils/dependency_utils.py: make_beam_dependency_flags): 8 s per component here,
# and 87 MB left in /tmp each time. DirectRunner stages nothing (its workers are this process
# or its subprocesses), so the local presets pass a flag it never reads, which skips that.
NO_STAGING = "--sdk_container_image=none"


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
    # Guard sets (components/example_gen/guard.py): ((name, path), ...), each evaluated as the
    # slice `dataset: name`; blessing also needs accuracy on each not below the baseline's by
    # more than guard_tolerance (absolute), and at least its floor in guard_floors ((name, floor), ...).
    guard_sets: tuple[tuple[str, str], ...] = ()
    guard_tolerance: float = 0.02
    guard_floors: tuple[tuple[str, float], ...] = ()
    # Snippet sets (components/example_gen/snippet_sets.py): this many official test reviews
    # (a sample by hashed review id) cut to their first sentence and first 20 and 50 words,
    # each set evaluated as the slice `dataset: snippet_...`, measured only (no threshold);
    # 0 = no snippet sets.
    snippet_reviews: int = 1000
    # Spans (docs/spans.md): the span to read (None: the newest), how many spans the Trainer reads
    # (the window), the fixed labelled test set ("" : the span's official test, else a held-out
    # part of it), and what a drift check that fires does: drift_action for every check,
    # drift_check_actions ((check, "warn"|"block"), ...) per check.
    span: int | None = None
    window: int = 1
    test_data: str = ""
    drift_action: str = "warn"
    drift_check_actions: tuple[tuple[str, str], ...] = ()
    enable_cache: bool = True
    beam_pipeline_args: tuple[str, ...] = ("--direct_running_mode=in_memory", "--direct_num_workers=1", NO_STAGING)

    def __post_init__(self):
        if self.training is None:
            self.training = TrainingConfig()

    def uses_unsup(self) -> bool:
        """Whether the model learns from the unlabelled reviews (Transform and the Trainer read split unsup)."""
        return bool(self.training and self.training.uses_unlabelled())

    def reads_unsup(self) -> bool:
        """Whether ExampleGen writes split `unsup` (the unlabelled reviews): when asked, or when the
        model learns from them (TrainingConfig.unlabelled_margin); then Transform transforms it and
        the Trainer reads it beside `train`."""
        return self.include_unsup or self.uses_unsup()

    def drift_action_flags(self) -> str | None:
        """The --drift-action values as a user gives them ("block length=warn"), None for the
        default (warn, every check)."""
        given = [*([self.drift_action] if self.drift_action != "warn" else []),
                 *(f"{check}={action}" for check, action in self.drift_check_actions)]
        return " ".join(given) or None


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
                            "--direct_num_workers=0", NO_STAGING),
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
