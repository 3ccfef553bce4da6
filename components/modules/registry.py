"""The builtin embedding modules (glove, random, minilm): built once into the cache, and the
handle a `--module` value resolves to."""
from __future__ import annotations

import os

from components.modules.builtin import (  # noqa: F401  (their names, here as before)
    BUILD_VERSION, BUILTIN_NAMES, DATA_PACKAGES, GLOVE_NAME, MINILM_NAME, RANDOM_NAME, missing_data_package)
from components.paths import cache_dir, is_url


def build_module(name: str, output_dir: str, **kwargs) -> str:
    """Builds builtin module `name` into output_dir (glove, random: modules/word_embedding.py;
    minilm: modules/minilm.py)."""
    if name not in BUILTIN_NAMES:
        raise ValueError(f"unknown module {name!r}; valid names: {', '.join(BUILTIN_NAMES)}")
    if name == MINILM_NAME:
        from components.modules.minilm import build_minilm_module

        return build_minilm_module(output_dir, **kwargs)
    from components.modules.word_embedding import build_glove_module

    return build_glove_module(output_dir, random=name == RANDOM_NAME, **kwargs)


def module_cache_path(name: str, root: str | None = None) -> str:
    """<cache>/modules/<name>-v<N>: where builtin module `name` is built."""
    return os.path.join(root or cache_dir(), "modules", f"{name}-v{BUILD_VERSION}")


def is_built(name: str, cache_dir: str | None = None) -> bool:
    """Whether builtin module `name` is built in the cache already (no data package needed)."""
    return os.path.isfile(os.path.join(module_cache_path(name, cache_dir), "saved_model.pb"))


def cached_module(name: str, cache_dir: str | None = None) -> str:
    """Returns the path of builtin module ``name``, building it once into <cache>/modules/<name>-v<N>."""
    path = module_cache_path(name, cache_dir)
    if not is_built(name, cache_dir):
        try:
            build_module(name, path)
        except FileExistsError:  # another process finished first
            if not is_built(name, cache_dir):
                raise
    return path


def resolve_module_handle(handle: str, cache_dir: str | None = None) -> str:
    """Builtin name -> cached module path; URL -> unchanged (for hub); local path -> checked absolute path."""
    if handle in BUILTIN_NAMES:
        return cached_module(handle, cache_dir)
    if is_url(handle):
        return handle
    path = os.path.abspath(os.path.expanduser(handle))
    if not os.path.isfile(os.path.join(path, "saved_model.pb")):
        raise FileNotFoundError(
            f"module {path} does not exist or holds no saved_model.pb "
            f"(use a SavedModel directory, a URL, or one of: {', '.join(BUILTIN_NAMES)})")
    return path


class ModuleError(ValueError):
    """A module that is not a text embedding; the message names its path and what it found."""


def check_text_embedding(path: str) -> int:
    """Loads the SavedModel at `path` and checks that it maps a batch of strings to a
    [batch, dim] float tensor, as hub.KerasLayer needs; returns dim. Raises ModuleError."""
    import tensorflow as tf

    from components.modules.hub import import_hub

    import_hub()  # registers the ops a module may use (tensorflow_text's, for MiniLM)

    def first_line(e: Exception) -> str:
        return f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"

    try:
        module = tf.saved_model.load(path)
    except Exception as e:  # noqa: BLE001  (TensorFlow raises many kinds)
        raise ModuleError(f"module {path}: not a loadable SavedModel ({first_line(e)})") from None
    if not callable(module):
        signatures = sorted(getattr(module, "signatures", {}) or {})
        raise ModuleError(f"module {path}: not a text-embedding module: the SavedModel cannot be called"
                          + (f" (it has signatures {', '.join(signatures)})" if signatures else ""))
    try:
        output = module(tf.constant(["a good film", ""]))
    except Exception as e:  # noqa: BLE001
        raise ModuleError(f"module {path}: not a text-embedding module: calling it on a batch of 2 strings "
                          f"failed ({first_line(e)})") from None
    if isinstance(output, dict):
        raise ModuleError(f"module {path}: not a text-embedding module: it maps a batch of strings to a dict "
                          f"({', '.join(sorted(output))}), not a [batch, dim] tensor")
    shape = output.shape
    if not output.dtype.is_floating or shape.rank != 2 or shape[0] != 2:
        raise ModuleError(f"module {path}: not a text-embedding module: it maps a batch of 2 strings to "
                          f"{output.dtype.name} {shape.as_list() if shape.rank is not None else shape}, "
                          "not a [2, dim] float tensor")
    return int(shape[1])
