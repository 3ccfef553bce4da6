import re
from html.parser import HTMLParser

from app.report.drift_section import render
from components.drift import TextSample, compare_samples
from tests.unit.components.drift.synthetic import sample


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.open, self.links, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.links += [v for k, v in attrs if k in ("src", "href")]
        if tag not in ("rect", "line"):
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag not in ("rect", "line"):
            assert self.open.pop() == tag

    def handle_data(self, data):
        self.text.append(data)


def parse(fragment: str) -> Tags:
    tags = Tags()
    tags.feed(fragment)
    tags.close()
    assert tags.open == [] and tags.links == []  # balanced, nothing fetched
    return tags


def test_a_detected_drift_shows_the_checks_histograms_and_ngrams():
    drift = compare_samples(sample(150, 0, "span 1"), sample(150, 1, "span 2", positive_share=0.1, other_share=0.2))
    fragment = render(drift)
    text = " ".join(parse(fragment).text)
    assert "DRIFT DETECTED" in text and "span 2" in text
    for check in drift["checks"]:
        assert check["name"] in text
    assert fragment.count("<svg") == 2  # length and scores
    gained = drift["details"]["ngrams"]["gained"][0]["ngram"]
    assert re.search(rf"<td>gained</td><td>{gained}</td>", fragment)
    assert "FIRED" in text and "label_prior" in text


def test_no_scores_no_score_figure_and_skips_listed():
    drift = compare_samples(sample(120, 0), TextSample(sample(120, 1).texts, name="requests"))
    fragment = render(drift)
    assert fragment.count("<svg") == 1 and "NO DRIFT" in fragment
    assert "model_scores (no model scores on requests)" in fragment


def test_nothing_compared_says_so():
    assert "NOT CHECKED" in render({"detected": False, "explanation": "no earlier span in the store: nothing to compare with",
                                    "checks": [], "skipped": [], "details": {}})
    assert "not checked" in render({})
    insufficient = compare_samples(sample(120, 0), sample(20, 1))
    assert "too little data" in render(insufficient)
