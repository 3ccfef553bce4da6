"""Checks of the private TFX, TFMA and Beam names this project uses.

Each component keeps the private names it uses in one module (components/transform/tfx_private.py,
components/evaluator/tfma_private.py, pipeline/tfx_private.py), with a `HOOKS` list of `Hook`s:
the dotted name, what is expected of it, and why no public API does the job. A test per module
(tests/unit/.../test_private_hooks.py) runs `changed(HOOKS)` against the installed versions and
fails with one line naming each hook that changed, so that an upgrade of TFX or TFMA shows at
once what to look at.
"""
from __future__ import annotations

import contextlib
import dataclasses
import importlib
import inspect
from typing import Callable, Optional


@dataclasses.dataclass(frozen=True)
class Hook:
    name: str  # module:attribute.path, e.g. "tfx.components.transform.executor:TransformProcessor._EncodeAndWrite"
    why: str  # why it is still private (no public API does this)
    params: Optional[tuple[str, ...]] = None  # the parameters it must take, in order (callables)
    source_has: tuple[str, ...] = ()  # text its source (a module's, or a function's) must contain
    check: Optional[Callable[[object], Optional[str]]] = None  # any other check: a problem, or None

    def resolve(self):
        module_name, _, path = self.name.partition(":")
        target = importlib.import_module(module_name)
        for part in filter(None, path.split(".")):
            target = inspect.getattr_static(target, part) if inspect.isclass(target) else getattr(target, part)
            if isinstance(target, (staticmethod, classmethod)):
                target = target.__func__
        return target

    def problem(self) -> Optional[str]:
        """What changed, in a few words, or None when the installed version still has the hook as used."""
        try:
            target = self.resolve()
        except (ImportError, AttributeError) as e:
            return f"gone ({type(e).__name__}: {e})"
        if self.params is not None:
            try:
                params = tuple(p for p in inspect.signature(target).parameters if p not in ("self", "cls"))
            except (TypeError, ValueError):
                return "no longer a function"
            if params[:len(self.params)] != self.params:
                return f"takes ({', '.join(params)}), expected ({', '.join(self.params)})"
        if self.source_has:
            try:
                source = inspect.getsource(target)
            except (OSError, TypeError):
                return "its source cannot be read"
            missing = [text for text in self.source_has if text not in source]
            if missing:
                return f"no longer has {missing[0]!r}"
        return self.check(target) if self.check else None


@contextlib.contextmanager
def swapped(module, attribute: str, value):
    """`module.attribute` is `value` for the block (a library's module-level seam), then as it was."""
    original = getattr(module, attribute)
    setattr(module, attribute, value)
    try:
        yield
    finally:
        setattr(module, attribute, original)


def changed(hooks: list[Hook]) -> list[str]:
    """One line per hook the installed libraries changed: 'private hook NAME changed: WHAT'."""
    return [f"private hook {hook.name} changed: {problem}" for hook in hooks if (problem := hook.problem())]
