"""pipeline.fingerprint: each executor's code fingerprint follows its import closure."""
import sys
import textwrap

import pytest

from pipeline import fingerprint


@pytest.fixture()
def package(tmp_path, monkeypatch):
    """A package `fp_pkg` on sys.path: a imports b inside a function and c relatively; d is unused."""
    root = tmp_path / "fp_pkg"
    (root / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "",
        "a.py": """
            from . import c

            def f():
                from fp_pkg.sub import b
                return b, c
            """,
        "sub/__init__.py": "",
        "sub/b.py": "import os\nX = 1\n",
        "c.py": "import fp_pkg.sub.b as b\n",
        "d.py": "Y = 2\n",
    }
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path))
    fingerprint.source_file.cache_clear()
    fingerprint.import_closure.cache_clear()
    yield root
    fingerprint.source_file.cache_clear()
    fingerprint.import_closure.cache_clear()
    sys.modules.pop("fp_pkg", None)


def test_closure_follows_imports_anywhere_in_the_file(package):
    assert fingerprint.import_closure("fp_pkg.a", ("fp_pkg",)) == (
        "fp_pkg", "fp_pkg.a", "fp_pkg.c", "fp_pkg.sub", "fp_pkg.sub.b")


def test_an_edit_in_the_closure_changes_the_fingerprint_and_others_do_not(package):
    def version():
        return fingerprint.code_fingerprint("fp_pkg.a", packages=("fp_pkg",))

    before = version()
    (package / "d.py").write_text("Y = 3\n")
    assert version() == before
    (package / "sub" / "b.py").write_text("import os\nX = 2\n")
    assert version() != before
    schema = package / "schema.pbtxt"
    schema.write_text("feature {}")
    with_schema = fingerprint.code_fingerprint("fp_pkg.a", packages=("fp_pkg",), files=(str(schema),))
    schema.write_text("feature { name: 'x' }")
    assert fingerprint.code_fingerprint("fp_pkg.a", packages=("fp_pkg",), files=(str(schema),)) != with_schema


def test_nothing_is_imported_to_compute_it(package):
    fingerprint.code_fingerprint("fp_pkg.a", packages=("fp_pkg",))
    assert "fp_pkg.a" not in sys.modules and "fp_pkg.sub.b" not in sys.modules


def test_the_executors_closures():
    trainer = fingerprint.import_closure("components.trainer.run_fn")
    assert {"components.training_config", "components.trainer.optimizers", "components.modules.registry",
            "components.features", "components", "components.tf_env"} <= set(trainer)
    assert all(m.split(".")[0] == "components" for m in trainer)
    assert not any(m.startswith(("components.example_gen", "components.transform.executor")) for m in trainer)
    tuner = fingerprint.import_closure("components.tuner.tuner_fn")
    assert "components.trainer.training" in tuner and "components.tuner.tuner_fn" in tuner
    transform = fingerprint.import_closure("components.transform.preprocessing")
    assert {"components.transform.text_features", "components.transform.embedding"} <= set(transform)
    assert "components.trainer.models" not in transform
    with pytest.raises(ModuleNotFoundError):
        fingerprint.import_closure("components.nowhere")
