"""Importing tensorflow_hub under TensorFlow 2.16."""
import sys
import types
import warnings

import tensorflow as tf


def import_hub():
    """Imports and returns tensorflow_hub.

    tensorflow-hub 0.15 (the newest TFX 1.16 allows) imports tf.compat.v1.estimator, gone in TF 2.16, for
    its TF1 exporter: a stub stands in for it during the import only (nothing used here needs it). The
    pkg_resources it also imports needs setuptools < 81 (pinned in requirements.in); its deprecation
    warning is silenced.
    """
    name = "tensorflow.compat.v1.estimator"
    stubbed = not hasattr(tf.compat.v1, "estimator") and name not in sys.modules
    if stubbed:
        sys.modules[name] = types.SimpleNamespace(Exporter=object)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "pkg_resources is deprecated", UserWarning)
            import tensorflow_hub
            try:  # registers the WordPiece ops that the MiniLM module's graph uses
                import tensorflow_text  # noqa: F401
            except ImportError:
                pass
    finally:
        if stubbed:
            del sys.modules[name]
    return tensorflow_hub
