"""The experiment table's snippet and guard set columns: a row's accuracy and example count on
each dataset of split `guard`, read from its evaluation.

With snippet or guard sets the experiment Evaluator reads Transform's test and guard splits
with the slices crossed with `dataset` (pipeline/experiment.py), as the production Evaluator
does; app/runs.py's dataset_metrics reads the slices `dataset: NAME` back. Each set becomes
flat keys of the row, so that the JSON, the CSV and the report's table have them as columns:

    snippet set NAME (snippet_sentence, ...)  NAME_accuracy, NAME_examples
    guard set NAME                            guard_NAME_accuracy, guard_NAME_examples

A guard set's keys carry the prefix `guard_` because its name is the user's (a set named
`test` must not overwrite `test_accuracy`); snippet set names already start with `snippet_`,
and no guard set name may (components/example_gen/guard.py). The snippet sets' keys are in
every row, None where the run had none; a guard set's only where the run had it.
"""
from __future__ import annotations

from components.example_gen.snippet_sets import NAMES as SNIPPET_SETS

GUARD_PREFIX = "guard_"
ACCURACY, EXAMPLES = "_accuracy", "_examples"


def snippet_key(name: str, suffix: str = ACCURACY) -> str:
    return name + suffix


def guard_key(name: str, suffix: str = ACCURACY) -> str:
    return GUARD_PREFIX + name + suffix


def row_columns(guard_sets: dict[str, dict], snippets: dict[str, dict]) -> dict:
    """The row's keys of app.runs.dataset_metrics' (guard sets, snippet sets): the snippet sets in
    their fixed order, then the guard sets sorted by name."""
    out = {}
    for name in SNIPPET_SETS:
        metrics = snippets.get(name, {})
        out[snippet_key(name)] = metrics.get("accuracy")
        out[snippet_key(name, EXAMPLES)] = metrics.get("examples")
    for name in sorted(guard_sets):
        out[guard_key(name)] = guard_sets[name].get("accuracy")
        out[guard_key(name, EXAMPLES)] = guard_sets[name].get("examples")
    return out


def evaluation_columns(evaluation_uri: str) -> dict:
    """row_columns of the evaluation at `evaluation_uri` (TFMA output)."""
    from app import runs

    return row_columns(*runs.dataset_metrics(evaluation_uri))


def guard_set_names(table: list[dict]) -> list[str]:
    """The guard sets any row of the table has, sorted by name."""
    return sorted({key[len(GUARD_PREFIX):-len(ACCURACY)] for row in table for key in row
                   if key.startswith(GUARD_PREFIX) and key.endswith(ACCURACY)})


def columns(table: list[dict]) -> list[tuple[str, str]]:
    """(key, title) of the table's accuracy columns: one per snippet set (always, in their fixed
    order), then one per guard set that any row has (sorted by name)."""
    return ([(snippet_key(name), f"{name} acc") for name in SNIPPET_SETS]
            + [(guard_key(name), f"{name} acc") for name in guard_set_names(table)])
