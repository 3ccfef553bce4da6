"""components/private_api.py: a hook check that can fail, and says which hook and what changed."""
from components.private_api import Hook, changed


def _f(a, b):
    return a + b


def test_a_changed_hook_is_one_line_naming_it():
    hooks = [Hook(f"{__name__}:_f", "a test", params=("a", "b")),
             Hook(f"{__name__}:_f", "a test", params=("a", "c")),
             Hook(f"{__name__}:_gone", "a test"),
             Hook(f"{__name__}:_f", "a test", source_has=("a - b",)),
             Hook(f"{__name__}:_f", "a test", check=lambda f: None if f(1, 2) == 3 else "adds no more")]
    problems = changed(hooks)
    assert problems == [f"private hook {__name__}:_f changed: takes (a, b), expected (a, c)",
                        f"private hook {__name__}:_gone changed: gone (AttributeError: module '{__name__}' has no "
                        "attribute '_gone')",
                        f"private hook {__name__}:_f changed: no longer has 'a - b'"]
    assert all("\n" not in p for p in problems)
