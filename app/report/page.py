"""The report's HTML: one self-contained page (plots embedded, no network, no JavaScript)."""
from __future__ import annotations

import html
import math
import time

from app.report import figures, run_outputs
from components import features

# Metrics shown first in the overall table, in this order; any others follow.
METRIC_ORDER = ("example_count", "binary_accuracy", "auc", "precision", "recall", "mean_label", "mean_prediction")
SLICE_COLUMNS = ((features.RATING, "Rating"), (features.LENGTH_BUCKET, "Length (words)"))

CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; margin: .8em 0; font-size: .92em; }
th, td { border: 1px solid #ddd; padding: .3em .7em; text-align: right; }
th:first-child, td:first-child { text-align: left; } th { background: #f3f3f3; }
td.worse { color: #b00020; font-weight: bold; }
.badge { display: inline-block; padding: .2em .7em; border-radius: 4px; color: #fff; font-weight: bold; }
.ok { background: #1b7e3c; } .fail { background: #b00020; }
.muted { color: #666; font-size: .9em; } img { max-width: 100%; }
.plots { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
"""


def _fmt(value) -> str:
    if value is None:  # e.g. an experiment row without snippet sets
        return "-"
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        return f"{value:.0f}" if value.is_integer() and abs(value) >= 1 else f"{value:.4g}"
    return html.escape(str(value))


def _table(headers: list[str], rows: list[list], classes: list[list[str]] | None = None) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="{c}">{_fmt(v)}</td>' if c else f"<td>{_fmt(v)}</td>"
                         for v, c in zip(row, (classes[i] if classes else [""] * len(row)))) + "</tr>"
        for i, row in enumerate(rows))
    return f"<table><tr>{head}</tr>{body}</table>"


def _threshold_text(t) -> str:
    from tensorflow_model_analysis.proto import config_pb2

    parts = []
    if t.value_threshold.HasField("lower_bound"):
        parts.append(f"value ≥ {t.value_threshold.lower_bound.value:g}")
    if t.value_threshold.HasField("upper_bound"):
        parts.append(f"value ≤ {t.value_threshold.upper_bound.value:g}")
    change = t.change_threshold
    sign = "≥" if change.direction == config_pb2.MetricDirection.HIGHER_IS_BETTER else "≤"
    if change.HasField("absolute"):
        parts.append(f"candidate − baseline {sign} {change.absolute.value:g}")
    if change.HasField("relative"):
        parts.append(f"(candidate − baseline) / baseline {sign} {change.relative.value:g}")
    return "; ".join(parts)


def thresholds(config) -> list[str]:
    """'Metric (slices): bounds' of every threshold in the eval config."""
    from app.blessing import metric_name

    found = []
    for spec in config.metrics_specs:
        for metric in spec.metrics:
            name = metric_name(metric.class_name, metric.module)
            if metric.HasField("threshold"):
                found.append(f"{name} (every slice): {_threshold_text(metric.threshold)}")
            for per_slice in metric.per_slice_thresholds:
                slices = ", ".join(", ".join([*s.feature_keys, *(f"{k}: {v}" for k, v in sorted(s.feature_values.items()))])
                                   or "overall" for s in per_slice.slicing_specs)
                bounds = _threshold_text(per_slice.threshold)
                if bounds:  # TFMA's config holds an empty threshold for a slice it only measures
                    found.append(f"{name} ({slices}): {bounds}")
    return found


def evaluation_section(ev: dict) -> str:
    validation = ev["validation"]
    overall = ev["metrics"].get((), {})
    blessed = validation.validation_ok
    out = [f'<h2>Model evaluation on the test split</h2><p>Blessing: <span class="badge {"ok" if blessed else "fail"}">'
           f'{"BLESSED" if blessed else "NOT BLESSED"}</span></p>',
           f'<p class="muted">Candidate: {html.escape(str(ev["candidate"]))}<br>Baseline: '
           f'{html.escape(ev["baseline"]) if ev["baseline"] else "none (no blessed model before this one): change thresholds not applied"}'
           f"<br>TFMA output: {html.escape(ev['uri'])}</p>"]
    names = [n for n in METRIC_ORDER if n in overall] + sorted(
        n for n in overall if n not in METRIC_ORDER and not n.endswith("_diff"))
    if ev["baseline"]:
        rows = [[n, overall[n], overall[n] - overall.get(f"{n}_diff", math.nan), overall.get(f"{n}_diff", math.nan)]
                for n in names]
        out.append(_table(["metric", "candidate", "baseline", "change"], rows))
    else:
        out.append(_table(["metric", "value"], [[n, overall[n]] for n in names]))
    out.append("<h3>Thresholds</h3><ul>" + "".join(f"<li>{html.escape(t)}</li>" for t in thresholds(ev["config"]))
               + "</ul>")
    failures = [[_slice_text(per_slice.slice_key), f.metric_key.name, f.metric_value.double_value.value,
                 _threshold_text(f.metric_threshold)]
                for per_slice in validation.metric_validations_per_slice for f in per_slice.failures]
    if failures:
        out.append("<h3>Failed thresholds</h3>" + _table(["slice", "metric", "value", "threshold"], failures))
    return "\n".join(out)


def _slice_text(slice_key) -> str:
    keys = [f"{k.column}={k.bytes_value.decode() if k.HasField('bytes_value') else k.int64_value if k.HasField('int64_value') else k.float_value}"
            for k in slice_key.single_slice_keys]
    return ", ".join(keys) or "overall"


def plots_section(ev: dict) -> str:
    if not figures.matrices(ev["plots"]):
        return "<h2>Plots</h2><p>No plots in the evaluation.</p>"
    return ("<h2>Confusion matrix, ROC, precision–recall and calibration</h2>"
            "<p>Rows of the confusion matrix are normalised by true label.</p>"
            f'<div class="plots">{figures.confusion_figure(ev["plots"])}{figures.curves_figure(ev["plots"])}</div>')


def slices_section(ev: dict) -> str:
    overall = ev["metrics"].get((), {})
    groups = {}
    for column, title in SLICE_COLUMNS:
        rows = sorted((key[0][1], m) for key, m in ev["metrics"].items() if len(key) == 1 and key[0][0] == column)
        if column == features.RATING:  # the schema reads a missing rating (labelled files may leave it out) as 0
            rows = [("none (0)" if name == 0 else name, m) for name, m in rows]
        if rows:
            groups[title] = rows
    if not groups:
        return "<h2>Slices</h2><p>No sliced metrics.</p>"
    out = ["<h2>Accuracy and AUC per slice</h2>",
           '<p class="muted">Accuracy in red: more than 5 points below overall. AUC is n/a where a slice '
           "holds one class only (each rating is either positive, 7–10, or negative, 1–4; rating none: the reviews "
           "given without one, of both classes).</p>",
           figures.slices_figure(groups, overall.get("binary_accuracy"))]
    for title, rows in groups.items():
        table = [[name, m.get("example_count", math.nan), m.get("binary_accuracy", math.nan), run_outputs.slice_auc(m),
                  m.get("mean_prediction", math.nan)] for name, m in rows]
        worse = [["", "", "worse" if m.get("binary_accuracy", 1) < overall.get("binary_accuracy", 0) - 0.05 else "", "", ""]
                 for _, m in rows]
        out.append(f"<h3>By {html.escape(title.lower())}</h3>"
                   + _table([title, "examples", "accuracy", "AUC", "mean prediction"], table, worse))
    return "\n".join(out)


def _dataset_rows(sets: dict) -> list[list]:
    """[name, examples, accuracy, baseline accuracy, change, AUC] of each set (slice `dataset: NAME`)."""
    rows = []
    for name, m in sorted(sets.items()):
        accuracy, diff = m.get("binary_accuracy", math.nan), m.get("binary_accuracy_diff", math.nan)
        rows.append([name, m.get("example_count", math.nan), accuracy, accuracy - diff, diff, run_outputs.slice_auc(m)])
    return rows


def guard_section(ev: dict) -> str:
    """Accuracy on each guard set (the slice `dataset: NAME`), candidate and baseline."""
    guard = ev.get("guard_sets") or {}
    if not guard:
        return ""
    return ("<h2>Guard sets</h2><p class=\"muted\">Labelled sets from outside the IMDB test split "
            "(<code>imdb-tfx run --guard-set</code>), each the slice <code>dataset: NAME</code>; "
            "not part of the test metrics above.</p>"
            + _table(["guard set", "examples", "accuracy", "baseline accuracy", "change", "AUC"], _dataset_rows(guard)))


def snippet_section(ev: dict) -> str:
    """Accuracy on each snippet set (test reviews cut short: the slice `dataset: snippet_...`),
    candidate and baseline; measured only, no blessing threshold."""
    snippets = ev.get("snippets") or {}
    if not snippets:
        return ""
    return ("<h2>Snippets</h2><p class=\"muted\">A sample of the IMDB test reviews cut to their first "
            "sentence and their first 20 and 50 words (<code>imdb-tfx run --snippet-reviews</code>), each "
            "set the slice <code>dataset: NAME</code>; measured only (no blessing threshold), not part "
            "of the test metrics above.</p>"
            + _table(["snippet set", "examples", "accuracy", "baseline accuracy", "change", "AUC"],
                     _dataset_rows(snippets)))


def data_section(statistics: dict | None, anomalies: list[str] | None) -> str:
    out = ["<h2>Data</h2>"]
    if statistics:
        rows = [[split, s["examples"], s.get("avg_chars", math.nan), s.get("distinct", math.nan),
                 s.get("missing", math.nan), s.get("label_mean", math.nan), s.get("rating_mean", math.nan)]
                for split, s in statistics.items()]
        out.append(_table(["split", "examples", "mean text length (chars)", "distinct texts", "texts missing",
                           "positive share", "mean rating"], rows))
    else:
        out.append("<p>No statistics found.</p>")
    if anomalies is None:
        out.append("<p>No ExampleValidator output found.</p>")
    elif anomalies:
        out.append("<h3>Anomalies</h3><ul>" + "".join(f"<li>{html.escape(a)}</li>" for a in anomalies) + "</ul>")
    else:
        out.append("<p>Anomalies: none (ExampleValidator found the data matches the schema).</p>")
    return "\n".join(out)


def experiments_section(rows: list[dict]) -> str:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    return "<h2>Experiments</h2>" + _table(columns, [[row.get(c, "") for c in columns] for row in rows])


def serving_section(infra: dict | None) -> str:
    """The InfraValidator's verdict: did the model server serve the candidate correctly?"""
    if infra is None:
        return ""
    from components.infra_validator.canary import NOT_TRIED

    ok = infra.get("blessed")
    verdict = "served correctly" if ok else "not tried" if infra.get("reason") == NOT_TRIED else "NOT served"
    rows = [["verdict", verdict], ["why", infra.get("reason", "")]]
    for key, label in (("texts", "canary texts"), ("requests", "requests"), ("startup_s", "server start-up (s)"),
                       ("max_abs_diff", "max |served - in-process| probability")):
        if infra.get(key) is not None:
            rows.append([label, infra[key]])
    rows.append(["artifact (canary results, server log)", infra["uri"]])
    return (f'<h2>Serving check (InfraValidator)</h2><p>Infra blessing: <span class="badge {"ok" if ok else "fail"}">'
            f'{"INFRA BLESSED" if ok else "NOT INFRA BLESSED"}</span></p>' + _table(["", ""], rows))


def history_section(history: list[dict] | None) -> str:
    """Test accuracy, blessing and push of every production run, with the span each read."""
    if not history or len(history) < 2:
        return ""
    rows = [[i + 1, h["span"] if h["span"] is not None else "-", h["accuracy"],
             {True: "blessed", False: "not blessed", None: "-"}[h["blessed"]], h["pushed_version"] or "not pushed"]
            for i, h in enumerate(history)]
    return ("<h2>Runs: test metrics across spans and pushed versions</h2><p class=\"muted\">Every production "
            "run in the metadata store, oldest first; the span is the newest span the run read "
            "(docs/spans.md).</p>" + _table(["run", "span", "test accuracy", "blessing", "pushed version"], rows))


def drift_part(drift: dict | None) -> str:
    """The newest drift check of the new span against the previous window (docs/drift.md)."""
    if drift is None:
        return ""
    from app.report.drift_section import render

    return render(drift, "Drift of the newest span")


def build_report(artifacts: dict, experiments: list[dict] | None = None, history: list[dict] | None = None,
                 drift: dict | None = None) -> str:
    """The HTML page for `artifacts` (see run_outputs.locate), optional experiment table, run history
    (history.model_history) and drift check (history.latest_drift)."""
    ev = run_outputs.load_evaluation(artifacts["evaluation"][0])
    statistics = run_outputs.load_statistics(*artifacts["statistics"]) if "statistics" in artifacts else None
    anomalies = run_outputs.load_anomalies(*artifacts["anomalies"]) if "anomalies" in artifacts else None
    infra = run_outputs.load_infra_validation(artifacts["infra_blessing"][0]) if "infra_blessing" in artifacts else None
    sections = [evaluation_section(ev), guard_section(ev), snippet_section(ev), serving_section(infra),
                drift_part(drift), history_section(history),
                plots_section(ev), slices_section(ev), data_section(statistics, anomalies)]
    if experiments:
        sections.append(experiments_section(experiments))
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>IMDB sentiment: evaluation report'
            f"</title><style>{CSS}</style></head><body><h1>IMDB sentiment: evaluation report</h1>"
            f'<p class="muted">Generated {time.strftime("%Y-%m-%d %H:%M:%S")}</p>'
            + "\n".join(sections) + "</body></html>\n")
