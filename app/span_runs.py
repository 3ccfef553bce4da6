"""What `imdb-tfx run` says about spans and the drift check (docs/spans.md): the span it reads
and the window before the run, the summary's "span", "window" and "drift" keys after it, and a
run that a blocking drift check stopped."""
from __future__ import annotations

import dataclasses
import os

from components.drift_check import DRIFT_FILE, FIRST_SPAN  # the package alone: no TFX
from pipeline import node_ids

DRIFT_BLOCKED_ERROR = "DriftBlockedError"  # components.drift_check.errors
DRIFT_ACTIONS = ("warn", "block")


def announce(config, source, write) -> None:
    """Checks the span a run reads and the --test-data file (ImdbDataError / DataError naming
    them: the run stops before it starts) and writes one line on what the run reads."""
    from data.dataset import check_span

    chosen = check_span(source, config.span, config.window, config.drift_action_flags())
    if chosen is not None:
        from components.example_gen import spans

        from pipeline.window_backfill import window_spans

        number, folder = chosen
        kind, _ = spans.span_kind(folder)
        read = [*window_spans(config, source), number]
        check_window_spans(config, source, read)
        write(f"imdb-tfx: span {number} ({folder}: {kind}; {len(spans.list_spans(source.uri))} span(s) on disk); "
              f"the Trainer reads the last {config.window} span(s) (TFX's LatestSpan): "
              f"span{'s' if len(read) > 1 else ''} {', '.join(map(str, read))}; "
              f"drift action: {describe_actions(config)}\n")
    elif source.has_spans:
        write(f"imdb-tfx: spans under {source.uri}: "
              + (f"span {config.span}" if config.span is not None else "the newest span") + "\n")
    if config.test_data:
        from components.example_gen.labelled_files import read_rows

        rows = read_rows(config.test_data, "--test-data")
        write(f"imdb-tfx: test data {config.test_data}: {len(rows)} rows (the blessing compares candidate "
              "and baseline on them)\n")


def check_window_spans(config, source, numbers: list[int]) -> None:
    """DataError naming the span when a span the run reads (the window's older ones too, which it
    may ingest) holds no data or mixes kinds (spans.span_kind), or, where the run reads the
    unlabelled reviews (--include-unsup, or a model that learns from them), has none: labelled
    files (every row has a label), or an aclImdb tree without train/unsup/. (An archive's members
    are not listed here: ExampleGen says so.)"""
    from components.example_gen import spans
    from components.example_gen.errors import ImdbDataError
    from data.dataset import DataError

    on_disk = spans.list_spans(source.uri)
    try:
        kinds = {number: spans.span_kind(on_disk[number]) for number in numbers}
    except ImdbDataError as e:
        raise DataError(str(e)) from None
    if not config.reads_unsup():
        return
    why = "a model that learns from them (--preset best)" if config.uses_unsup() else "--include-unsup"
    for number in numbers:
        kind, files = kinds[number]
        unsup = os.path.join(files[0], "train", "unsup")
        if kind == spans.LABELLED or (kind == spans.ACLIMDB and not (os.path.isdir(unsup) and os.listdir(unsup))):
            held = "labelled files, every row labelled" if kind == spans.LABELLED else "no train/unsup/ reviews"
            raise DataError(f"{on_disk[number]}: span {number} has no unlabelled reviews ({held}), which {why} "
                            "needs: give it an aclImdb tree with train/unsup/, or train without them")


def describe_actions(config) -> str:
    per_check = ", ".join(f"{name}={action}" for name, action in config.drift_check_actions)
    return config.drift_action + (f" ({per_check})" if per_check else "")


def is_drift_blocked(error: BaseException) -> bool:
    """Whether a run's failure is the DriftCheck blocking it (its error, or that error as the
    cause of the component's failure: pipeline/progress.py's ComponentError)."""
    return type(_blocked_error(error)).__name__ == DRIFT_BLOCKED_ERROR


def _blocked_error(error: BaseException):
    for e in (error, getattr(error, "cause", None), error.__cause__):
        if e is not None and type(e).__name__ == DRIFT_BLOCKED_ERROR:
            return e
    return error


def blocked_reason(error: BaseException) -> str:
    return str(_blocked_error(error))


def drift_of_run(metadata_path: str, execution_id_floor: int) -> dict | None:
    """The drift checks of the run whose executions have ids above the floor: the DriftCheck's
    drift.json ({"detected", "checks", ...}: components/drift), or None when the run had none.
    (A blocking DriftCheck fails, and TFX removes a failed execution's outputs: its dict comes
    with its error, blocked_summary.)"""
    import json

    from app import runs

    if not os.path.exists(metadata_path):
        return None
    artifact = runs.node_output(runs.open_store(metadata_path), node_ids.DRIFT_CHECK, "drift", execution_id_floor)
    path = os.path.join(artifact.uri, DRIFT_FILE) if artifact is not None else ""
    if not path or not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def span_of_run(metadata_path: str, execution_id_floor: int) -> int | None:
    """The span of the Examples ExampleGen made (or took from its cache) in the run whose
    executions have ids above the floor (TFX's `span` on the artifact), or None."""
    from app import runs

    if not os.path.exists(metadata_path):
        return None
    examples = runs.node_output(runs.open_store(metadata_path), node_ids.EXAMPLE_GEN, "examples", execution_id_floor)
    if examples is None or "span" not in examples.properties:
        return None
    return examples.properties["span"].int_value


def window_of_run(metadata_path: str, execution_id_floor: int) -> list[int] | None:
    """The spans the run's Trainer read (its examples: transformed spans, or one transformed
    window whose Transform read the spans), sorted; None when it did not run or read no spans."""
    from ml_metadata.proto import metadata_store_pb2

    from app import runs

    if not os.path.exists(metadata_path):
        return None
    store = runs.open_store(metadata_path)
    model = runs.node_output(store, node_ids.TRAINER, "model", execution_id_floor)
    if model is None:
        return None
    output = metadata_store_pb2.Event.OUTPUT
    spans = set()
    for examples in runs.linked(store, model.id, output, "Trainer", key="examples"):
        read = [examples] if "span" in examples.properties else runs.linked(store, examples.id, output, "Transform",
                                                                            key="examples")
        spans.update(a.properties["span"].int_value for a in read if "span" in a.properties)
    return sorted(spans) or None


def trained_in_run(metadata_path: str, execution_id_floor: int) -> bool:
    """Whether the Trainer ran (or was taken from the cache) in the run above the floor."""
    from app import runs

    if not os.path.exists(metadata_path):
        return False
    store = runs.open_store(metadata_path)
    return bool(runs.node_executions(store, node_ids.TRAINER, after=execution_id_floor, newest=1))


def span_summary(config, source, execution_id_floor: int) -> dict:
    """The summary's "span" (this run's, from the Examples artifact), "window" and "window_spans"
    (the spans its Trainer read), and "drift"
    (the drift check's dict, components/drift) where the run had a drift check."""
    summary: dict = {}
    if source.has_spans:
        summary["span"] = span_of_run(config.metadata_path, execution_id_floor)
        summary["window"] = config.window
        summary["window_spans"] = window_of_run(config.metadata_path, execution_id_floor)
    drift = drift_of_run(config.metadata_path, execution_id_floor)
    if drift is not None:
        summary["drift"] = drift
        earlier = earlier_spans_not_in_store(drift, summary.get("span"), source.uri)
        if earlier:
            drift["not_in_store"] = earlier
            drift["hint"] = how_to_compare(config, source, earlier)
    return summary


def earlier_spans_not_in_store(drift: dict, span: int | None, root: str) -> list[int]:
    """The span folders under `root` before `span` when the drift check found no earlier span in
    the store (a run of window 1 ingests none): the drift line says how to compare with them."""
    if drift.get("explanation") != FIRST_SPAN or span is None:
        return []
    from components.example_gen import spans

    return sorted(n for n in spans.list_spans(root) if n < span)


def how_to_compare(config, source, earlier: list[int]) -> str:
    """What the drift line adds when earlier spans in the data folder are not in the store: run
    the one before first, or (where the run can ingest it: local spans, each transformed alone)
    this run with --window 2."""
    from pipeline.window_backfill import spans_to_ingest

    previous = earlier[-1]
    spans = f"span{'s' if len(earlier) > 1 else ''} {', '.join(map(str, earlier))}"
    window = (f", or this run with --window 2, which ingests span {previous} first and trains on it too"
              if spans_to_ingest(dataclasses.replace(config, window=2), source) else "")
    return (f"{spans} in the data folder, not in the store: to compare with span {previous}, run --span {previous} "
            f"first, then this run again{window}")


def blocked_summary(config, source, execution_id_floor: int, error: BaseException) -> dict:
    """The summary of a run the drift check stopped: nothing trained, nothing pushed."""
    summary = span_summary(config, source, execution_id_floor)
    drift = getattr(_blocked_error(error), "drift", None)  # TFX removed the failed DriftCheck's drift.json
    if drift is not None:
        summary["drift"] = drift
    summary.update(blocked_by_drift=True, reason=blocked_reason(error),
                   trained=trained_in_run(config.metadata_path, execution_id_floor), pushed=False)
    return summary


def drift_line(summary: dict) -> str | None:
    """The one stderr line on the drift check (components.drift.one_line), if the run had one."""
    if "drift" not in summary:
        return None
    from components.drift import one_line

    hint = summary["drift"].get("hint")
    return f"imdb-tfx: {one_line(summary['drift'])}" + (f" ({hint})" if hint else "")


def drift_actions(values) -> tuple[str, tuple[tuple[str, str], ...]]:
    """(action for every check, ((check, action), ...)) from --drift-action values."""
    from components.drift_check.actions import CHECKS

    default, per_check, given = "warn", {}, set()
    for value in values or ():
        if "," in value:
            raise ValueError(f"--drift-action {value}: one CHECK=ACTION per flag (repeat --drift-action for each)")
        name, sep, action = value.rpartition("=")
        if action not in DRIFT_ACTIONS or (sep and not name):
            raise ValueError(f"--drift-action {value}: expected warn, block, or CHECK=warn|block")
        if sep and name not in CHECKS:
            raise ValueError(f"--drift-action {value}: unknown check {name!r} (checks: {', '.join(CHECKS)})")
        if (name or "*") in given:
            raise ValueError(f"--drift-action {value}: {'check ' + repr(name) if name else 'the action for every check'} "
                             "is given twice")
        given.add(name or "*")
        if sep:
            per_check[name] = action
        else:
            default = action
    return default, tuple(sorted(per_check.items()))
