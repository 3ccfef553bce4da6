"""`imdb-tfx report`: one self-contained HTML page on a run's evaluation and data.

Reads TFMA's output (metrics, plots, validation) with TFMA's loaders, the data statistics
with TFDV and the anomalies ExampleValidator found; draws with matplotlib into embedded
PNGs, so the page needs no network, JavaScript or other file to be read.
"""
from __future__ import annotations

import argparse
import base64
import csv
import glob
import html
import io
import json
import math
import os
import sys
import time

# Metrics shown first in the overall table, in this order; any others follow.
METRIC_ORDER = ("example_count", "binary_accuracy", "auc", "precision", "recall", "mean_label", "mean_prediction")
SLICE_COLUMNS = (("rating", "Rating"), ("length_bucket", "Length (words)"))

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


# --- finding the run ------------------------------------------------------------------------

def locate(metadata_path: str, pipeline_root: str | None = None, evaluation_uri: str | None = None) -> dict:
    """{"evaluation"|"statistics"|"anomalies": (uri, split names)} for the report: the latest
    evaluation (or `evaluation_uri`) and its data, traced through the metadata store's lineage;
    without a store, the newest outputs under `pipeline_root` (or `evaluation_uri` alone)."""
    from pipeline import results

    if os.path.exists(metadata_path):
        try:
            return results.run_artifacts(metadata_path, evaluation_uri)
        except FileNotFoundError:
            if not evaluation_uri:
                raise
    if evaluation_uri:
        return {"evaluation": (evaluation_uri, [])}
    found = {}
    for name, path in (("evaluation", "Evaluator/evaluation"), ("statistics", "StatisticsGen/statistics"),
                       ("anomalies", "ExampleValidator/anomalies")):
        runs = [d for d in glob.glob(os.path.join(pipeline_root or "", path, "*")) if os.path.basename(d).isdigit()]
        if runs:
            uri = max(runs, key=lambda d: int(os.path.basename(d)))
            found[name] = (uri, sorted(d[len("Split-"):] for d in os.listdir(uri) if d.startswith("Split-")))
    if "evaluation" not in found:
        raise FileNotFoundError(f"no evaluation found in {metadata_path} or under {pipeline_root}")
    return found


# --- loading --------------------------------------------------------------------------------

def load_evaluation(uri: str) -> dict:
    """Metrics per slice, overall plots, validation and the models of a TFMA output directory."""
    import tensorflow_model_analysis as tfma
    from tensorflow_model_analysis.writers.eval_config_writer import load_eval_run

    from pipeline.results import load_eval_result, number

    result = load_eval_result(uri)
    baseline = next((s.name for s in result.config.model_specs if s.is_baseline), None)
    metrics = {}
    for key, by_output in result.slicing_metrics:
        values = {name: number(v) for name, v in by_output[""][""].items()}
        metrics[key] = {name: v for name, v in values.items() if v is not None}
    return {"uri": uri, "config": result.config, "metrics": metrics, "candidate": result.model_location,
            "baseline": load_eval_run(uri)[3].get(baseline) if baseline is not None else None,
            "plots": dict(result.plots).get((), {}).get("", {}).get("", {}),
            "validation": tfma.load_validation_result(uri)}


def load_statistics(uri: str, splits: list[str]) -> dict[str, dict]:
    """Per split: example count and text/label/rating summaries from StatisticsGen's output."""
    import tensorflow_data_validation as tfdv

    summary = {}
    for split in splits:
        dataset = tfdv.load_stats_binary(os.path.join(uri, f"Split-{split}", "FeatureStats.pb")).datasets[0]
        features = {f.path.step[0]: f for f in dataset.features}
        row = {"examples": dataset.num_examples}
        if "text" in features:
            text = features["text"].string_stats
            row.update(avg_chars=text.avg_length, distinct=text.unique,
                       missing=text.common_stats.num_missing)
        for name in ("label", "rating"):
            if name in features:
                row[f"{name}_mean"] = features[name].num_stats.mean
        summary[split] = row
    return summary


def load_anomalies(uri: str, splits: list[str]) -> list[str]:
    from tfx.types import artifact_utils, standard_artifacts

    from components.validation import find_anomalies

    artifact = standard_artifacts.ExampleAnomalies()
    artifact.uri = uri
    artifact.split_names = artifact_utils.encode_split_names(splits)
    return find_anomalies(artifact)


def load_experiments(path: str) -> list[dict]:
    """Rows of an experiment table: a JSON list of objects, or CSV with a header."""
    with open(path, newline="") as f:
        if path.endswith(".csv"):
            return list(csv.DictReader(f))
        rows = json.load(f)
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ValueError(f"{path}: expected a JSON list of objects (one per experiment)")
    return rows


# --- drawing --------------------------------------------------------------------------------

def _img(fig, alt: str) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    data = base64.b64encode(buffer.getvalue()).decode()
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _matrices(plots: dict) -> list[dict]:
    """Confusion matrices by threshold, with zero counts (left out of TFMA's JSON) filled in."""
    keys = ("truePositives", "falsePositives", "trueNegatives", "falseNegatives")
    return [{"threshold": m.get("threshold", 0.0), **{k: float(m.get(k, 0.0)) for k in keys}}
            for m in plots.get("confusionMatrixAtThresholds", {}).get("matrices", [])]


def _ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def confusion_figure(plots: dict) -> str:
    from matplotlib.figure import Figure

    m = min(_matrices(plots), key=lambda m: abs(m["threshold"] - 0.5))
    counts = [[m["trueNegatives"], m["falsePositives"]], [m["falseNegatives"], m["truePositives"]]]
    rates = [[_ratio(c, sum(row)) for c in row] for row in counts]
    fig = Figure(figsize=(4.2, 3.6))
    ax = fig.subplots()
    image = ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    for i in range(2):
        for j in range(2):
            ax.text(j, i, f"{rates[i][j]:.1%}\n({counts[i][j]:.0f})", ha="center", va="center",
                    color="white" if rates[i][j] > 0.5 else "black")
    ax.set(xticks=[0, 1], yticks=[0, 1], xticklabels=["negative", "positive"], yticklabels=["negative", "positive"],
           xlabel="predicted", ylabel="true label", title=f"Confusion matrix, threshold {m['threshold']:.2f}")
    fig.colorbar(image, ax=ax, fraction=0.046)
    return _img(fig, "Normalised confusion matrix")


def curves_figure(plots: dict) -> str:
    """ROC and precision-recall curves from the confusion matrices, and the calibration plot."""
    from matplotlib.figure import Figure

    ms = _matrices(plots)
    tpr = [_ratio(m["truePositives"], m["truePositives"] + m["falseNegatives"]) for m in ms]
    fpr = [_ratio(m["falsePositives"], m["falsePositives"] + m["trueNegatives"]) for m in ms]
    precision = [_ratio(m["truePositives"], m["truePositives"] + m["falsePositives"]) for m in ms]
    fig = Figure(figsize=(13, 4))
    roc, pr, cal = fig.subplots(1, 3)
    roc.plot(fpr, tpr)
    roc.plot([0, 1], [0, 1], ":", color="grey")
    roc.set(title="ROC", xlabel="false positive rate", ylabel="true positive rate (recall)")
    pr.plot(tpr, precision)
    pr.set(title="Precision-recall", xlabel="recall", ylabel="precision", ylim=(0, 1.02))

    # TFMA's calibration histogram has 10,000 buckets; merge them into 20 by prediction.
    bins = [[0.0, 0.0, 0.0] for _ in range(20)]
    for b in plots.get("calibrationHistogramBuckets", {}).get("buckets", []):
        n = float(b.get("numWeightedExamples", 0.0))
        if n:
            predicted, label = float(b.get("totalWeightedRefinedPrediction", 0.0)), float(b.get("totalWeightedLabel", 0.0))
            merged = bins[min(max(int(predicted / n * 20), 0), 19)]
            merged[0] += n
            merged[1] += predicted
            merged[2] += label
    points = [(p / n, y / n, n) for n, p, y in bins if n]
    cal.plot([0, 1], [0, 1], ":", color="grey")
    if points:
        total = sum(n for *_, n in points)
        cal.scatter([p for p, _, _ in points], [y for _, y, _ in points],
                    s=[20 + 400 * n / total for *_, n in points], alpha=0.7)
        cal.plot([p for p, _, _ in points], [y for _, y, _ in points], alpha=0.5)
    cal.set(title="Calibration (marker area: examples)", xlabel="mean predicted probability",
            ylabel="share of positive labels", xlim=(0, 1), ylim=(0, 1))
    for ax in (roc, pr, cal):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return _img(fig, "ROC, precision-recall and calibration plots")


def slices_figure(groups: dict[str, list], overall_accuracy: float | None) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 4))
    for ax, (title, rows) in zip(fig.subplots(1, len(groups), squeeze=False)[0], groups.items()):
        names = [str(name) for name, _ in rows]
        accuracy = [m.get("binary_accuracy", math.nan) for _, m in rows]
        bars = ax.bar(names, accuracy, color="#4c72b0", label="accuracy")
        auc = [_auc(m) for _, m in rows]
        if any(not math.isnan(a) for a in auc):
            ax.plot(names, auc, "o", color="#dd8452", label="AUC")
        for bar, (_, m) in zip(bars, rows):
            ax.annotate(f"n={m.get('example_count', 0):.0f}", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        ha="center", va="bottom", fontsize=8)
        if overall_accuracy is not None:
            ax.axhline(overall_accuracy, ls="--", color="grey", label="overall accuracy")
        ax.set(title=f"By {title.lower()}", ylim=(0, 1.25), xlabel=title)
        ax.legend(loc="upper left", ncol=3, fontsize=8)
    fig.tight_layout()
    return _img(fig, "Accuracy and AUC per slice")


# --- HTML -----------------------------------------------------------------------------------

def _fmt(value) -> str:
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


def _auc(metrics: dict) -> float:
    """AUC, or NaN where the slice holds one class only (every rating slice: AUC is undefined)."""
    return metrics.get("auc", math.nan) if 0 < metrics.get("mean_label", 0.5) < 1 else math.nan


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
    found = []
    for spec in config.metrics_specs:
        for metric in spec.metrics:
            if metric.HasField("threshold"):
                found.append(f"{metric.class_name} (every slice): {_threshold_text(metric.threshold)}")
            for per_slice in metric.per_slice_thresholds:
                slices = ", ".join(", ".join(s.feature_keys) or "overall" for s in per_slice.slicing_specs)
                found.append(f"{metric.class_name} ({slices}): {_threshold_text(per_slice.threshold)}")
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
    if not _matrices(ev["plots"]):
        return "<h2>Plots</h2><p>No plots in the evaluation.</p>"
    return ("<h2>Confusion matrix, ROC, precision–recall and calibration</h2>"
            "<p>Rows of the confusion matrix are normalised by true label.</p>"
            f'<div class="plots">{confusion_figure(ev["plots"])}{curves_figure(ev["plots"])}</div>')


def slices_section(ev: dict) -> str:
    overall = ev["metrics"].get((), {})
    groups = {}
    for column, title in SLICE_COLUMNS:
        rows = sorted((key[0][1], m) for key, m in ev["metrics"].items() if len(key) == 1 and key[0][0] == column)
        if rows:
            groups[title] = rows
    if not groups:
        return "<h2>Slices</h2><p>No sliced metrics.</p>"
    out = ["<h2>Accuracy and AUC per slice</h2>",
           '<p class="muted">Accuracy in red: more than 5 points below overall. AUC is n/a where a slice '
           "holds one class only (each rating is either positive, 7–10, or negative, 1–4).</p>",
           slices_figure(groups, overall.get("binary_accuracy"))]
    for title, rows in groups.items():
        table = [[name, m.get("example_count", math.nan), m.get("binary_accuracy", math.nan), _auc(m),
                  m.get("mean_prediction", math.nan)] for name, m in rows]
        worse = [["", "", "worse" if m.get("binary_accuracy", 1) < overall.get("binary_accuracy", 0) - 0.05 else "", "", ""]
                 for _, m in rows]
        out.append(f"<h3>By {html.escape(title.lower())}</h3>"
                   + _table([title, "examples", "accuracy", "AUC", "mean prediction"], table, worse))
    return "\n".join(out)


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


def build_report(artifacts: dict, experiments: list[dict] | None = None) -> str:
    """The HTML page for `artifacts` (see `locate`) and an optional experiment table."""
    ev = load_evaluation(artifacts["evaluation"][0])
    statistics = load_statistics(*artifacts["statistics"]) if "statistics" in artifacts else None
    anomalies = load_anomalies(*artifacts["anomalies"]) if "anomalies" in artifacts else None
    sections = [evaluation_section(ev), plots_section(ev), slices_section(ev), data_section(statistics, anomalies)]
    if experiments:
        sections.append(experiments_section(experiments))
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>IMDB sentiment: evaluation report'
            f"</title><style>{CSS}</style></head><body><h1>IMDB sentiment: evaluation report</h1>"
            f'<p class="muted">Generated {time.strftime("%Y-%m-%d %H:%M:%S")}</p>'
            + "\n".join(sections) + "</body></html>\n")


def cmd_report(args: argparse.Namespace) -> int:
    start = time.time()
    artifacts = locate(args.metadata_path, args.pipeline_root, args.evaluation_uri)
    experiments = load_experiments(args.experiments) if args.experiments else None
    page = build_report(artifacts, experiments)
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(page)
    print(f"imdb-tfx: wrote {args.output} ({len(page) / 1e3:.0f} kB, {time.time() - start:.1f} s) from "
          f"{artifacts['evaluation'][0]}", file=sys.stderr)
    return 0


def add_parser(sub) -> None:
    from pipeline.configs import PipelineConfig

    d = PipelineConfig()
    p = sub.add_parser("report", help="write an HTML report of the latest evaluation",
                       description=__doc__.split("\n\n")[1].replace("\n", " "))
    p.add_argument("--metadata-path", default=d.metadata_path, help="SQLite metadata store to find the run in")
    p.add_argument("--pipeline-root", default=d.pipeline_root,
                   help="used when the store does not exist: the newest outputs under it")
    p.add_argument("--evaluation-uri", help="a given Evaluator output (default: the latest)")
    p.add_argument("--experiments", help="experiment table to include: JSON list of objects, or CSV")
    p.add_argument("--output", "-o", default=os.path.join("output", "report.html"))
    p.set_defaults(func=cmd_report)
