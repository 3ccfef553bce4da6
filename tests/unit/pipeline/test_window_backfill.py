"""pipeline.window_backfill: which spans of a run's window a store lacks (no pipeline run here;
tests/e2e/test_spans.py runs the ingest)."""
import json

import pytest

from data.dataset import DataSource
from pipeline import configs, node_ids, window_backfill


def spans_dir(tmp_path, numbers):
    for n in numbers:
        (tmp_path / "data" / f"span-{n}").mkdir(parents=True)
    return DataSource("spans", str(tmp_path / "data"))


def config(tmp_path, **kwargs):
    return configs.PipelineConfig(pipeline_root=str(tmp_path / "root"), metadata_path=str(tmp_path / "m.sqlite"),
                                  **kwargs)


@pytest.mark.parametrize("numbers, span, window, expected", [
    ([1, 2, 3, 4, 5], 5, 3, [3, 4]),  # --span 5: spans 3..4 besides its own
    ([1, 2, 3, 4, 5], None, 3, [3, 4]),  # the newest span, 5
    ([1, 2, 4, 7], 7, 3, [2, 4]),  # --span 7: the two newest below it, gaps skipped (not the numbers 5..6)
    ([1, 2, 4, 7], 4, 3, [1, 2]),  # --span 4: the two newest below 4
    ([1, 2, 4, 7], None, 3, [2, 4]),  # the newest: the two newest below it
    ([1, 2, 3], 3, 1, []),  # no window
])
def test_the_window_spans_on_disk(tmp_path, numbers, span, window, expected):
    source = spans_dir(tmp_path, numbers)
    cfg = config(tmp_path, span=span, window=window)
    assert window_backfill.window_spans(cfg, source) == ([] if window == 1 else expected)
    assert window_backfill.spans_to_ingest(cfg, source) == expected  # an empty store lacks them all


def test_the_key_is_the_one_the_pipeline_transforms_with(tmp_path):
    """The store is asked for the key that the production pipeline's Transform writes."""
    from pipeline import production

    source = spans_dir(tmp_path, [1, 2])
    cfg = config(tmp_path, window=2)
    transform = {c.id: c for c in production.create_pipeline(cfg, source).components}[node_ids.TRANSFORM]
    assert json.loads(transform.exec_properties["custom_config"])["window_key"] == window_backfill.window_key(cfg)
    ingest = {c.id: c for c in window_backfill.ingest_pipeline(cfg, source, 1).components}[node_ids.TRANSFORM]
    assert ingest.exec_properties["custom_config"] == transform.exec_properties["custom_config"]
