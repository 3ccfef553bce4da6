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

PIPELINE_NAME = "imdb-sentiment"
OUTPUT_DIR = "output"
SCHEMA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schema", "schema.pbtxt")

# Module code, referenced by module path so that it ships with the installed package
# (and in the Kubeflow image) instead of being packaged from a file at run time.
EXAMPLE_GEN_EXECUTOR = "components.example_gen.Executor"
PREPROCESSING_FN = "components.transform.preprocessing_fn"
RUN_FN = "components.trainer.run_fn"


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
    """What the Trainer module reads from its custom_config."""

    module: str = "glove"  # builtin name, local path or TF-Hub handle (URL)
    trainable: bool = False  # fine-tune the embedding module too
    hidden_units: tuple[int, ...] = (500, 100)
    dropout: float = 0.0
    l2: float = 0.0  # L2 penalty on the head's kernels
    optimizer: str = "adagrad"  # adagrad | adam
    learning_rate: float = 0.003
    # TF1's DNNClassifier (the tutorial) sums the loss over the batch; Keras averages it,
    # which makes Adagrad's steps batch_size times smaller. "sum" reproduces the tutorial.
    loss_reduction: str = "sum"  # sum | mean
    batch_size: int = 128
    train_steps: int = 1000
    shuffle_buffer_size: int = 25000  # >= the train split (22.5k), for a uniform shuffle
    evaluations: int = 10  # validation passes over `eval` during training

    def to_custom_config(self) -> dict:
        config = dataclasses.asdict(self)
        config["hidden_units"] = list(self.hidden_units)
        config["code_version"] = code_fingerprint("trainer", "transform", "embedding_modules")
        return config


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
