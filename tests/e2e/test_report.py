"""`imdb-tfx report` on the small run: every section, no external resource, and a real
headless browser shows it with no console error and every plot drawn."""
import json
import os
import re

import pytest

from app.cli import main as cli
from app.report import run_outputs as report_data
from tests.helpers import browser
from tests.helpers.paths import ARTIFACTS

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def report_html(small_run, tmp_path_factory):
    config, _ = small_run
    tmp = tmp_path_factory.mktemp("report")
    experiments = tmp / "results.json"
    experiments.write_text(json.dumps([{"name": "glove-500-100", "test_accuracy": 0.7195, "steps": 1000},
                                       {"name": "nnlm-128", "test_accuracy": 0.8612, "trainable": True}]))
    output = tmp / "report.html"
    assert cli.main(["report", "--metadata-path", config.metadata_path, "--pipeline-root", config.pipeline_root,
                     "--experiments", str(experiments), "-o", str(output)]) == 0
    return str(output), output.read_text(encoding="utf-8")


def test_report_has_every_section(report_html):
    _, page = report_html
    for text in ("Model evaluation on the test split", "BLESSED", "binary_accuracy", "Thresholds",
                 "binary_accuracy (dataset: imdb): value ≥ 0.8", "Guard sets", "Snippets", "<td>snippet_20_words</td><td>50</td>",
                 "Confusion matrix, ROC, precision–recall and calibration",
                 "Accuracy and AUC per slice", "By rating", "By length (words)", "000-099",
                 "Serving check (InfraValidator)", "INFRA BLESSED", "served correctly", "canary texts",
                 "Data", "mean text length (chars)", "Anomalies: none", "Experiments", "nnlm-128", "trainable"):
        assert text in page, text
    for rating in (1, 4, 7, 10):  # the generated corpus rates negatives 1-4, positives 7-10
        assert f"<tr><td>{rating}</td>" in page
    for split in ("train", "eval", "test"):
        assert f"<tr><td>{split}</td><td>" in page
    assert "<td>test</td><td>120</td>" in page  # examples per split from StatisticsGen
    assert len(re.findall(r'<img alt="[^"]+" src="data:image/png;base64,', page)) == 3


def test_report_is_self_contained(report_html):
    _, page = report_html
    assert not re.search(r"<script|<link|<iframe|url\(|(src|href)=\"(?!data:)", page)


def test_report_opens_in_headless_chromium(report_html):
    chromium = browser.find_chromium()
    if not chromium:
        pytest.skip("chromium is not installed and scripts/install_test_deps.sh could not install it")
    path, _ = report_html
    page = browser.open_page(path, chromium)
    os.makedirs(ARTIFACTS, exist_ok=True)
    with open(os.path.join(ARTIFACTS, "report.png"), "wb") as f:
        f.write(page["screenshot"])
    assert page["errors"] == []
    assert page["requests"] == []
    assert len(page["images"]) == 3
    for image in page["images"]:
        assert image["width"] > 300 and image["height"] > 300, image
    assert page["screenshot"].startswith(b"\x89PNG")


def test_locate_from_pipeline_root_without_store(small_run, tmp_path):
    config, _ = small_run
    found = report_data.locate(str(tmp_path / "none.sqlite"), config.pipeline_root)
    from_store = report_data.locate(config.metadata_path)
    assert {k: uri for k, (uri, _) in found.items()} == {k: uri for k, (uri, _) in from_store.items()}
    assert sorted(found["statistics"][1]) == ["eval", "test", "train"]  # not small_run's guard split
    assert os.path.exists(os.path.join(found["evaluation"][0], "metrics-00000-of-00001.tfrecord"))
