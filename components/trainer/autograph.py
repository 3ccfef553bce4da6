"""AutoGraph leaves the libraries' own code alone, as it does for `keras`.

TensorFlow 2.16's AutoGraph has `keras` on its do-not-convert list but not `tf_keras` (Keras 2,
which this project uses) nor `tensorflow_hub`: tracing a training step then converts every
tf_keras function the step calls (layers, losses, metrics, the optimizer), which slowed the
first step of every training run (scripts/benchmark_tracing.py; docs/results.md). Nor
`tensorflow_transform` and `tfx_bsl`: exporting a model converted tf.Transform's layer and the
17 functions it calls, in every signature (1.4 s of every Trainer run; docs/warm_start.md).
That library code is written to run in graphs unconverted (tf_keras is the same code as Keras
2.15's `keras`; tf.Transform's and tfx_bsl's branch on Python values only). The signatures
(components/trainer/signatures.py) are traced without AutoGraph; the project's other
functions are still converted.
"""
from tensorflow.python.autograph.core import config

LIBRARIES = ("tf_keras", "tensorflow_hub", "tensorflow_transform", "tfx_bsl")


def leave_libraries_unconverted() -> None:
    """Adds LIBRARIES to AutoGraph's do-not-convert rules (once)."""
    known = {getattr(rule, "_prefix", None) for rule in config.CONVERSION_RULES}
    missing = tuple(config.DoNotConvert(name) for name in LIBRARIES if name not in known)
    if missing:
        config.CONVERSION_RULES = missing + tuple(config.CONVERSION_RULES)
