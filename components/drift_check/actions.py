"""What a fired drift check does: "warn" (record and go on) or "block" (stop before training).

The action is a JSON object: {"*": "warn"} for every check, or per check, e.g.
{"*": "warn", "length": "block"}; a check not named takes "*" (default "warn").
"""
from __future__ import annotations

import json

CHECKS = ("label_prior", "rating", "length", "token_js", "unknown_tokens", "domain_classifier", "model_scores")
ACTIONS = ("warn", "block")
DEFAULT = json.dumps({"*": "warn"})


def parse_actions(text: str) -> dict[str, str]:
    """The action of each check from a drift_action JSON string; ValueError (one line) if bad."""
    try:
        given = json.loads(text) if text else {}
    except json.JSONDecodeError as e:
        raise ValueError(f"drift action {text!r} is not JSON ({e.msg})") from None
    if not isinstance(given, dict):
        raise ValueError(f"drift action {text!r}: expected an object such as {DEFAULT}")
    for name, action in given.items():
        if name != "*" and name not in CHECKS:
            raise ValueError(f"drift action: unknown check {name!r} (checks: *, {', '.join(CHECKS)})")
        if action not in ACTIONS:
            raise ValueError(f"drift action for {name!r}: {action!r} is not one of {', '.join(ACTIONS)}")
    default = given.get("*", "warn")
    return {name: given.get(name, default) for name in CHECKS}


def blocking(drift: dict, actions: dict[str, str]) -> list[dict]:
    """The fired checks whose action is "block"."""
    return [c for c in drift.get("checks", []) if c["detected"] and actions.get(c["name"]) == "block"]


def block_message(fired: list[dict]) -> str:
    """One line: which checks blocked the run, value vs threshold."""
    parts = ", ".join(f"{c['name']} {c['value']:.3g} >= threshold {c['threshold']:.3g}" for c in fired)
    return (f"drift blocked the run before training ({parts}; drift action block): nothing trained or pushed; "
            f"the run's summary has every check (\"drift\"); to go on, rerun with --drift-action warn")
