"""The embedding modules a run's models use, made ready before the run starts: a builtin one
built once (components/modules/registry.py), a TF-Hub URL fetched, a local SavedModel checked to
be a text embedding, so that none of it fails in the Trainer after the data stages."""
from __future__ import annotations

import sys
import time


def prepare_modules(training) -> None:
    """Builds the builtin embedding modules that a training config uses, once, before the run."""
    for module in training.modules():
        _prepare_module(module)


def _prepare_module(module: str) -> str:
    """Resolves (and for builtins, builds once) the embedding module before the run starts; a
    module given as a local path is loaded and checked to be a text embedding."""
    from components.modules.registry import BUILTIN_NAMES, check_text_embedding, resolve_module_handle
    from components.paths import is_url

    start = time.time()
    if is_url(module):  # fetched now (TF-Hub's cache), not by the Trainer after the data stages
        from components.modules.hub import import_hub

        try:
            path = import_hub().resolve(module)
        except Exception as e:  # noqa: BLE001  (no network, unknown host, not a module: one line)
            raise ValueError(f"--module {module}: cannot be fetched ({type(e).__name__}: {e}); without a network, "
                             f"give a builtin module ({', '.join(BUILTIN_NAMES)}) or a SavedModel directory") from None
        return path
    path = resolve_module_handle(module)
    if time.time() - start > 1:
        print(f"imdb-tfx: built module {module} in {time.time() - start:.0f} s -> {path}", file=sys.stderr)
    if module not in BUILTIN_NAMES:  # a local SavedModel (a URL returned above)
        check_text_embedding(path)
    return path
