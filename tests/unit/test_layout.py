"""The layout holds: dependencies flow one way (app -> pipeline -> components, data -> components),
no import cycles, small modules, and one home for the TensorFlow environment.

Imports are read from the source (every import statement, also those inside functions), so
nothing is imported and a lazy import counts as a dependency too.
"""
import ast
import os
import re

import pytest

from tests.helpers.paths import ROOT

PACKAGES = ("app", "pipeline", "components", "data")
# What each package may import of the project (besides itself).
ALLOWED = {"components": set(), "data": {"components"}, "pipeline": {"components", "data"},
           "app": {"pipeline", "components", "data"}}
MAX_LINES = 300


def project_modules() -> dict[str, str]:
    """{dotted module name: path} of every module in the packages."""
    modules = {}
    for package in PACKAGES:
        for folder, _, files in os.walk(os.path.join(ROOT, package)):
            for name in files:
                if name.endswith(".py"):
                    path = os.path.join(folder, name)
                    parts = os.path.relpath(path, ROOT)[:-3].split(os.sep)
                    modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


MODULES = project_modules()


def imports(module: str) -> set[str]:
    """The project modules `module` imports (a `from X import name` counts as X.name when that is
    a module, else X)."""
    path = MODULES[module]
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        found |= {n for n in names if n.split(".")[0] in PACKAGES}
    return found


def test_the_packages_hold_modules():
    assert {m.split(".")[0] for m in MODULES} == set(PACKAGES)
    assert "components.trainer.run_fn" in MODULES and "app.cli.main" in MODULES


@pytest.mark.parametrize("package", PACKAGES)
def test_dependencies_flow_one_way(package):
    wrong = {f"{m} imports {i}" for m in MODULES if m.split(".")[0] == package
             for i in imports(m) if i.split(".")[0] not in ALLOWED[package] | {package}}
    assert not wrong, sorted(wrong)


def test_no_import_cycles():
    graph = {m: {i for i in imports(m) if i in MODULES} for m in MODULES}
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    cycles = []

    def visit(module, stack):
        state[module] = 1
        for imported in sorted(graph[module]):
            if state.get(imported) == 1:
                cycles.append(" -> ".join(stack[stack.index(imported):] + [imported]))
            elif imported not in state:
                visit(imported, stack + [imported])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, cycles


def test_modules_are_small():
    long = {m: n for m, path in MODULES.items() if (n := sum(1 for _ in open(path))) > MAX_LINES}
    assert not long, long


def test_the_tensorflow_environment_has_one_home():
    """Only components/tf_env.py sets it (and the Dockerfile, for entrypoints that are not ours,
    with the same values)."""
    from components import tf_env

    setters = []
    for folder in (*PACKAGES, "tests", "scripts", "studies", "notebooks"):
        for directory, _, files in os.walk(os.path.join(ROOT, folder)):
            for name in files:
                path = os.path.join(directory, name)
                if name.endswith((".py", ".ipynb", ".sh")) and path != tf_env.__file__ and path != __file__:
                    if "TF_USE_LEGACY_KERAS" in open(path, encoding="utf-8").read():
                        setters.append(os.path.relpath(path, ROOT))
    assert not setters
    dockerfile = open(os.path.join(ROOT, "Dockerfile")).read()
    env = dict(re.findall(r"\b(TF_[A-Z_]+)=(\S+)", dockerfile))
    assert env == tf_env.ENVIRONMENT
    makefile = open(os.path.join(ROOT, "Makefile")).read()
    assert "TF_" not in makefile


def test_module_code_is_named_by_module_paths_that_exist():
    from pipeline import configs
    from pipeline.fingerprint import source_file

    for path in (configs.EXAMPLE_GEN_EXECUTOR, configs.PREPROCESSING_FN, configs.RUN_FN, configs.TUNER_FN,
                 configs.TRANSFORM_EXECUTOR):
        module, _, name = path.rpartition(".")
        assert module.startswith("components.") and source_file(module), path
        tree = ast.parse(open(source_file(module)).read())
        assert name in {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}, path
