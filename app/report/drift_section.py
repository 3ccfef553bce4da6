"""The report's drift section: an HTML fragment for a drift dict (components/drift: compare_samples),
self-contained (inline SVG, no external resources). Used by the run's report and `monitor --output`."""
from __future__ import annotations

import html

WIDTH, HEIGHT, PAD = 420, 160, 28
COLOURS = {"reference": "#7f8c8d", "current": "#e67e22"}


def _num(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}"
    return html.escape(str(value))


def _table(headers: list[str], rows: list[list], row_classes: list[str] | None = None) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(f'<tr class="{c}">' + "".join(f"<td>{_num(v)}</td>" for v in row) + "</tr>"
                   for row, c in zip(rows, row_classes or [""] * len(rows)))
    return f"<table><tr>{head}</tr>{body}</table>"


def histogram_svg(labels: list[str], reference: list[int], current: list[int], title: str) -> str:
    """Paired bars of each bin's share of the reference and current sides, as inline SVG."""
    shares = {}
    for side, counts in (("reference", reference), ("current", current)):
        total = sum(counts) or 1
        shares[side] = [c / total for c in counts]
    top = max(shares["reference"] + shares["current"] + [1e-9])
    bins = max(len(labels), 1)
    slot = (WIDTH - PAD) / bins
    bar = slot * 0.4
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT + 40}" role="img" '
             f'aria-label="{html.escape(title)}"><title>{html.escape(title)}</title>',
             f'<text x="{PAD}" y="12" font-size="11">{html.escape(title)}</text>']
    for i, label in enumerate(labels):
        x = PAD + i * slot
        for k, side in enumerate(("reference", "current")):
            h = HEIGHT * shares[side][i] / top
            parts.append(f'<rect x="{x + 2 + k * bar:.1f}" y="{20 + HEIGHT - h:.1f}" width="{bar:.1f}" '
                         f'height="{h:.1f}" fill="{COLOURS[side]}"><title>{side} {html.escape(label)}: '
                         f'{shares[side][i]:.1%}</title></rect>')
        parts.append(f'<text x="{x + slot / 2:.1f}" y="{HEIGHT + 32}" font-size="9" text-anchor="middle">'
                     f'{html.escape(label)}</text>')
    parts.append(f'<line x1="{PAD}" y1="{20 + HEIGHT}" x2="{WIDTH}" y2="{20 + HEIGHT}" stroke="#333"/>')
    parts.append(f'<text x="0" y="28" font-size="9">{top:.0%}</text></svg>')
    return "".join(parts)


def _bin_labels(edges: list[float], open_end: bool) -> list[str]:
    labels = [f"{edges[i]:g}-{edges[i + 1]:g}" for i in range(len(edges) - 1)]
    return labels + ([f"{edges[-1]:g}+"] if open_end else [])


def _legend(drift: dict) -> str:
    names = {side: html.escape(drift.get(side, {}).get("name") or side) for side in ("reference", "current")}
    return "".join(f'<span style="color:{COLOURS[s]}">&#9632;</span> {s}: {names[s]} ({drift[s]["size"]} texts) '
                   for s in ("reference", "current"))


def _ngram_table(ngrams: dict) -> str:
    rows, classes = [], []
    for kind in ("gained", "lost"):
        for item in ngrams.get(kind, []):
            rows.append([kind, item["ngram"], f"{item['reference']:.1%}", f"{item['current']:.1%}"])
            classes.append(kind)
    if not rows:
        return ""
    return ("<h4>The n-grams that gained and lost most (share of texts holding them)</h4>"
            + _table(["", "n-gram", "reference", "current"], rows, classes))


def render(drift: dict, title: str = "Drift") -> str:
    """The drift section for a drift dict, under heading `title`: verdict, the checks' table,
    length and score histograms, the n-grams that gained and lost most."""
    if not drift:
        return f"<h2>{html.escape(title)}</h2><p>Drift was not checked.</p>"
    detected = bool(drift.get("detected"))
    badge = ('<span class="badge fail">DRIFT DETECTED</span>' if detected else
             '<span class="badge ok">NO DRIFT</span>' if drift.get("checks") else
             '<span class="badge">NOT CHECKED</span>')
    out = [f"<h2>{html.escape(title)}</h2><p>{badge} {html.escape(drift.get('explanation', ''))}</p>"]
    if drift.get("reference") and drift.get("current"):
        out.append(f"<p>{_legend(drift)}</p>")
    checks = drift.get("checks", [])
    if checks:
        rows = [[c["name"], c["value"], c["threshold"], c.get("p_value"), "FIRED" if c["detected"] else "ok",
                 c.get("explanation", "")] for c in checks]
        out.append(_table(["check", "value", "threshold", "p-value", "verdict", "why"], rows,
                          ["fired" if c["detected"] else "" for c in checks]))
    if drift.get("skipped"):
        out.append("<p>Skipped: " + "; ".join(f"{html.escape(s['name'])} ({html.escape(s['reason'])})"
                                              for s in drift["skipped"]) + "</p>")
    details = drift.get("details") or {}
    figures = []
    if "length" in details:
        length = details["length"]
        figures.append(histogram_svg(_bin_labels(length["edges"], True), length["reference"], length["current"],
                                     f"Length in words (median {length['reference_median']:g} vs "
                                     f"{length['current_median']:g})"))
    if "scores" in details:
        scores = details["scores"]
        figures.append(histogram_svg(_bin_labels(scores["edges"], False), scores["reference"], scores["current"],
                                     "The model's P(positive)"))
    if figures:
        out.append('<div class="plots">' + "".join(figures) + "</div>")
    if "ngrams" in details:
        out.append(_ngram_table(details["ngrams"]))
    return "\n".join(out)
