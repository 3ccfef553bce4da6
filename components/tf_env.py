"""The TensorFlow environment of everything in this project, set before TensorFlow is imported.

`components/__init__.py` imports this module, so any import of the project's code sets it
first; code outside the packages (scripts, notebooks) imports `components` before TensorFlow.
Values already in the environment win (`TF_ENABLE_ONEDNN_OPTS=0` opts out of oneDNN).
"""
import os

ENVIRONMENT = {
    # Keras 2: tf_keras, which hub.KerasLayer, TFT and TFMA need (TF 2.16's default is Keras 3).
    "TF_USE_LEGACY_KERAS": "1",
    # TensorFlow's C++ log: warnings and errors only.
    "TF_CPP_MIN_LOG_LEVEL": "2",
    # oneDNN kernels: TensorFlow's default only on CPUs with AVX-512; elsewhere they speed up
    # the MiniLM encoder (docs/results.md).
    "TF_ENABLE_ONEDNN_OPTS": "1",
}


def configure() -> None:
    for name, value in ENVIRONMENT.items():
        os.environ.setdefault(name, value)


configure()
