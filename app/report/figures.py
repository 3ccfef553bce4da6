"""The report's figures: matplotlib drawn into embedded PNGs."""
from __future__ import annotations

import base64
import html
import io
import math

from app.report.run_outputs import slice_auc


def _img(fig, alt: str) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    data = base64.b64encode(buffer.getvalue()).decode()
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def matrices(plots: dict) -> list[dict]:
    """Confusion matrices by threshold, with zero counts (left out of TFMA's JSON) filled in."""
    keys = ("truePositives", "falsePositives", "trueNegatives", "falseNegatives")
    return [{"threshold": m.get("threshold", 0.0), **{k: float(m.get(k, 0.0)) for k in keys}}
            for m in plots.get("confusionMatrixAtThresholds", {}).get("matrices", [])]


def _ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def confusion_figure(plots: dict) -> str:
    from matplotlib.figure import Figure

    m = min(matrices(plots), key=lambda m: abs(m["threshold"] - 0.5))
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

    ms = matrices(plots)
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
        auc = [slice_auc(m) for _, m in rows]
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
