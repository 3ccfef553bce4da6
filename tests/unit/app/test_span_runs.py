"""app/span_runs.py: the line a run over spans starts with names the spans its window reads
(the K newest up to the run's, gaps skipped); a drift action on data without spans is refused."""
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


def test_a_drift_action_on_data_without_spans_is_refused(tmp_path):
    archive = DataSource("archive", str(tmp_path / "aclImdb_v1.tar.gz"))
    with pytest.raises(DataError, match="--drift-action block: .* has no span folders"):
        span_runs.announce(configs.PipelineConfig(drift_action="block"), archive, print)
    with pytest.raises(DataError, match="--drift-action warn \\(length=block\\): "):
        span_runs.announce(configs.PipelineConfig(drift_check_actions=(("length", "block"),)), archive, print)
    span_runs.announce(configs.PipelineConfig(), archive, print)  # the default: nothing to refuse
