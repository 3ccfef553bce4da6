"""Everything an executor runs. Imports nothing of the project outside this package."""
from components import tf_env  # noqa: F401  (sets the TensorFlow environment first)
