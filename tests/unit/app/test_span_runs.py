"""app/span_runs.py: the line a run over spans starts with names the spans its window reads
(the K newest up to the run's, gaps skipped); a drift action on data without spans is refused;
a drift check with no earlier span in the store names the earlier span folders and how to
compare with them."""
import os

import pytest

from app import span_runs
from data.dataset import DataError, DataSource, resolve_data
from pipeline import configs


@pytest.fixture
def spans_1_3_4(tmp_path):
    for n in (1, 3, 4):
        os.makedirs(tmp_path / f"span-{n}")
        (tmp_path / f"span-{n}" / "r.jsonl").write_text('{"text": "a fine film", "label": 1}\n'
                                                        '{"text": "a dull film", "label": 0}\n')
    return resolve_data(str(tmp_path))


@pytest.mark.parametrize("span, window, reads", [
    (None, 1, "span 4;"), (None, 2, "spans 3, 4;"), (None, 3, "spans 1, 3, 4;"),
    (3, 1, "span 3;"), (3, 2, "spans 1, 3;"), (3, 3, "spans 1, 3;"), (4, 2, "spans 3, 4;"),
])
def test_the_first_line_names_the_windows_spans_gaps_skipped(spans_1_3_4, span, window, reads):
    """The window is the K newest spans up to the run's, with `--span N` as without it."""
    lines = []
    span_runs.announce(configs.PipelineConfig(span=span, window=window), spans_1_3_4, lines.append)
    assert f"the last {window} span(s) (TFX's LatestSpan): {reads}" in lines[0], lines[0]
    assert "3 span(s) on disk" in lines[0]


def test_a_broken_line_in_the_runs_span_stops_the_run_before_it_starts(spans_1_3_4, tmp_path):
    """The run's span's labelled files are read whole at start-up, with ExampleGen's reader and
    its errors (file and line), as --test-data is: before the store, the root or a log exist."""
    (tmp_path / "span-4" / "r.jsonl").write_text('{"text": "a fine film", "label": 1}\n{"text": "cut off\n')
    with pytest.raises(DataError, match=r"span-4/r.jsonl:2: not a JSON line"):
        span_runs.announce(configs.PipelineConfig(), spans_1_3_4, print)
    span_runs.announce(configs.PipelineConfig(span=3), spans_1_3_4, print)  # another span: not read


def test_a_span_without_unlabelled_reviews_is_refused_where_the_run_reads_them(spans_1_3_4, tmp_path):
    """--include-unsup (or --preset best's model) reads each span's unlabelled reviews: a span of
    labelled files, or an aclImdb tree without train/unsup/, is refused at start-up, naming it."""
    with pytest.raises(DataError, match=r"span-4: span 4 has no unlabelled reviews \(labelled files, every row "
                                        r"labelled\), which --include-unsup needs"):
        span_runs.announce(configs.PipelineConfig(include_unsup=True), spans_1_3_4, print)
    os.remove(tmp_path / "span-4" / "r.jsonl")
    for label in ("pos", "neg", "unsup"):
        os.makedirs(tmp_path / "span-4" / "train" / label)
        (tmp_path / "span-4" / "train" / label / "0_8.txt").write_text("A film.")
    span_runs.announce(configs.PipelineConfig(include_unsup=True), spans_1_3_4, print)  # span 4 has them
    with pytest.raises(DataError, match=r"span-3: span 3 has no unlabelled reviews"):  # the window's too
        span_runs.announce(configs.PipelineConfig(include_unsup=True, window=2), spans_1_3_4, print)
    os.remove(tmp_path / "span-4" / "train" / "unsup" / "0_8.txt")
    with pytest.raises(DataError, match=r"span-4: span 4 has no unlabelled reviews \(no train/unsup/ reviews\)"):
        span_runs.announce(configs.PipelineConfig(include_unsup=True), spans_1_3_4, print)
    span_runs.announce(configs.PipelineConfig(), spans_1_3_4, print)  # not read: nothing to refuse


def test_a_drift_action_on_data_without_spans_is_refused(tmp_path):
    archive = DataSource("archive", str(tmp_path / "aclImdb_v1.tar.gz"))
    with pytest.raises(DataError, match="--drift-action block: .* has no span folders"):
        span_runs.announce(configs.PipelineConfig(drift_action="block"), archive, print)
    with pytest.raises(DataError, match="--drift-action length=block: "):
        span_runs.announce(configs.PipelineConfig(drift_check_actions=(("length", "block"),)), archive, print)
    span_runs.announce(configs.PipelineConfig(), archive, print)  # the default: nothing to refuse


def test_a_first_span_drift_line_names_the_earlier_spans_and_how_to_compare(spans_1_3_4, tmp_path):
    from components.drift import one_line
    from components.drift_check import FIRST_SPAN

    first = {"detected": False, "explanation": FIRST_SPAN, "checks": [], "skipped": []}
    first["one_line"] = one_line(first)
    assert span_runs.earlier_spans_not_in_store(first, 4, spans_1_3_4.uri) == [1, 3]
    assert span_runs.earlier_spans_not_in_store(first, 1, spans_1_3_4.uri) == []  # the first span on disk
    other = {**first, "explanation": "the model in service records no training data: nothing to compare with"}
    assert span_runs.earlier_spans_not_in_store(other, 4, spans_1_3_4.uri) == []
    config = configs.PipelineConfig(metadata_path=str(tmp_path / "none.sqlite"))
    hint = span_runs.how_to_compare(config, spans_1_3_4, [1, 3])
    assert hint == ("spans 1, 3 in the data folder, not in the store: to compare with span 3, run --span 3 first, "
                    "then this run again, or this run with --window 2, which ingests span 3 first and trains on it too")
    remote = DataSource("spans", "gs://bucket/imdb")  # the run cannot ingest a remote span
    assert span_runs.how_to_compare(config, remote, [1]) == ("span 1 in the data folder, not in the store: to compare "
                                                             "with span 1, run --span 1 first, then this run again")
    line = span_runs.drift_line({"span": 4, "drift": {**first, "not_in_store": [1, 3], "hint": hint}})
    assert line == f"imdb-tfx: drift: not checked: {FIRST_SPAN} ({hint})"
    assert span_runs.drift_line({"span": 1, "drift": first}) == f"imdb-tfx: drift: not checked: {FIRST_SPAN}"


def test_the_windows_older_spans_are_checked_at_start_up_too(spans_1_3_4, tmp_path):
    """A window span the run may ingest (not only the run's own) that holds no reviews, or
    labelled files beside a tree, is named before the run starts, not by ExampleGen later."""
    os.remove(tmp_path / "span-3" / "r.jsonl")
    with pytest.raises(DataError, match=r"span-3: an empty span"):
        span_runs.announce(configs.PipelineConfig(window=2), spans_1_3_4, print)
    span_runs.announce(configs.PipelineConfig(window=1), spans_1_3_4, print)  # span 3 not read


def test_the_span_checks_import_neither_tensorflow_nor_tfx(spans_1_3_4, tmp_path):
    """They run before the heavy imports: a refused run answers at once, without TensorFlow's lines."""
    import subprocess
    import sys

    from tests.helpers.paths import ROOT

    code = ("import sys; from app import span_runs; from data.dataset import resolve_data; "
            "from pipeline.configs import PipelineConfig\n"
            "try:\n    span_runs.announce(PipelineConfig(include_unsup=True, window=3), resolve_data(sys.argv[1]), "
            "print)\nexcept ValueError as e:\n    print(e)\n"
            "print(sorted(m for m in ('tensorflow', 'tfx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert "has no unlabelled reviews" in out.stdout and out.stdout.strip().endswith("[]"), out.stdout + out.stderr
