"""Code fingerprints for TFX's cache key, computed from what each executor actually imports.

TFX fingerprints a `module_file` for its cache key, but not code named by module path (as
this project's is, so that it ships in the image). Each custom executor's custom_config
therefore carries `code_version`: a hash of the source of every project module in its
import closure (the modules it imports, directly or through others, inside `components`
and their packages' `__init__.py`), plus the schema. Editing any of them reruns the
component; editing code it never imports does not. Imports are read from the source
(`ast`), including those inside functions, so nothing is imported to compute the hash.

ImportSchemaGen's cache key has the schema file's path, not its content: `schema_fingerprint`
is added to its exec properties so that editing the schema in place reruns it.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
import os

# The packages whose code an executor runs (components/ imports nothing else of ours).
EXECUTOR_PACKAGES = ("components",)


@functools.lru_cache(maxsize=None)
def source_file(module: str) -> str | None:
    """The .py file of a project module (a package's __init__.py), or None if there is none.

    Found on disk below the top-level package, so that nothing but that package is imported."""
    top, *rest = module.split(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        base = os.path.join(root, *rest)
        for path in (base + ".py", os.path.join(base, "__init__.py")) if rest else (os.path.join(root, "__init__.py"),):
            if os.path.isfile(path):
                return path
    return None


def _is_package(module: str) -> bool:
    path = source_file(module)
    return bool(path) and os.path.basename(path) == "__init__.py"


def imported_modules(module: str, packages=EXECUTOR_PACKAGES) -> set[str]:
    """The project modules (under `packages`) that `module`'s source imports anywhere in it."""
    path = source_file(module)
    if path is None:
        return set()
    with open(path, "rb") as f:
        tree = ast.parse(f.read(), path)
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's package
                package = module if _is_package(module) else module.rpartition(".")[0]
                parts = package.split(".")
                parts = parts[:len(parts) - (node.level - 1)]
                base = ".".join(parts + ([base] if base else []))
            if base.split(".")[0] not in packages:
                continue
            for alias in node.names:
                candidate = f"{base}.{alias.name}" if base else alias.name
                names.add(candidate if source_file(candidate) else base)
    return {n for n in names if n and n.split(".")[0] in packages and source_file(n)}


def _with_packages(module: str) -> set[str]:
    """The module and every package above it (their __init__.py run first)."""
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts) + 1)}


@functools.lru_cache(maxsize=None)
def import_closure(module: str, packages=EXECUTOR_PACKAGES) -> tuple[str, ...]:
    """`module` and every project module it imports, directly or not, with their packages; sorted."""
    if source_file(module) is None:
        raise ModuleNotFoundError(f"no source for module {module!r}")
    seen: set[str] = set()
    todo = _with_packages(module)
    while todo:
        name = todo.pop()
        if name in seen or source_file(name) is None:
            continue
        seen.add(name)
        for imported in imported_modules(name, packages):
            todo |= _with_packages(imported) - seen
    return tuple(sorted(seen))


def file_fingerprint(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def code_fingerprint(*modules: str, files: tuple[str, ...] = (), packages=EXECUTOR_PACKAGES) -> str:
    """A hash of the source of the import closures (inside `packages`) of `modules` (dotted
    names, e.g. "components.trainer.run_fn") and of `files` (e.g. the schema)."""
    digest = hashlib.sha256()
    closure = sorted({name for module in modules for name in import_closure(module, packages)})
    for name in closure:
        with open(source_file(name), "rb") as f:
            digest.update(name.encode() + b"\0" + f.read() + b"\0")
    for path in files:
        with open(path, "rb") as f:
            digest.update(os.path.basename(path).encode() + b"\0" + f.read() + b"\0")
    return digest.hexdigest()[:16]
