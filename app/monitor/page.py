"""`monitor --output page.html`: one self-contained page (no network, no JavaScript) with the
window, the version and the drift checks, the last through the run report's drift section
(app/report/drift_section.py: render), so the two callers show the same thing."""
from __future__ import annotations

import html
import json
import os
import time

from app.report.page import CSS
from components.paths import replace_file


def _drift_section(drift: dict) -> str:
    try:
        from app.report.drift_section import render
    except ImportError:  # the report's drift section is not there: the JSON, plainly
        return f"<h2>Drift</h2><pre>{html.escape(json.dumps(drift, indent=2))}</pre>"
    return render(drift)


def write_page(path: str, drift: dict, window: dict) -> None:
    rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>" for k, v in window.items())
    verdict = ("not checked" if drift.get("insufficient") else "drift detected" if drift.get("detected")
               else "no drift")
    badge = "fail" if drift.get("detected") else "ok"
    body = (f"<h1>Served traffic: {html.escape(verdict)}</h1>"
            f"<p><span class='badge {badge}'>{html.escape(verdict)}</span> "
            f"{html.escape(drift.get('explanation', ''))}</p>"
            f"<h2>Window</h2><table>{rows}</table>{_drift_section(drift)}"
            f"<p class='muted'>imdb-tfx monitor, {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}</p>")
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>imdb-tfx monitor: {html.escape(verdict)}</title>"
            f"<style>{CSS}</style></head><body>{body}</body></html>")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"{path}: no such directory {directory} (--output)")
    replace_file(path, page)  # a failed write leaves an earlier page whole
