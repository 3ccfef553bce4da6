"""End to end with BeamDagRunner, the components' Beam jobs on a 2-worker multi-processing
DirectRunner, on the generated corpus of tests/conftest.py.

The run has what the LocalDagRunner run of test_local_runner has: every component, the
same splits holding every review exactly once (as ExampleGen routes them) and the same
snippet sample, and a blessed, pushed model that classifies raw text.
"""
import collections
import dataclasses
import hashlib
import os

import pytest
import tensorflow as tf

from app import runs
from components.example_gen.reviews import parse_review, review_id, route
from components.example_gen.sources import read_archive
from pipeline import beam_runner, configs
from tests.helpers.pipelines import PRODUCTION_COMPONENTS as COMPONENTS
from tests.helpers.pipelines import small_config

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def beam_run(tmp_path_factory, small_corpus):
    config = dataclasses.replace(
        small_config(tmp_path_factory.mktemp("beam_run"), *small_corpus), snippet_reviews=50,
        beam_pipeline_args=configs.beam_args("direct-multiprocess", ["--direct_num_workers=2"]))
    return config, beam_runner.run(config)


def split_counts(uri: str) -> dict[str, int]:
    """Examples per split of an Examples artifact."""
    return {os.path.basename(d)[len("Split-"):]:
            sum(1 for _ in tf.data.TFRecordDataset(tf.io.gfile.glob(f"{d}/*"), compression_type="GZIP"))
            for d in tf.io.gfile.glob(f"{uri}/Split-*")}


def examples_uri(store, producer: str) -> str:
    (uri,) = [a.uri for a in store.get_artifacts_by_type("Examples") if f"/{producer}/" in a.uri]
    return uri


def test_every_component_ran_on_multiprocessing_workers(beam_run):
    config, progress = beam_run
    assert set(progress.durations()) == COMPONENTS
    assert "--direct_running_mode=multi_processing" in config.beam_pipeline_args


def test_splits_hold_every_review_once(beam_run, small_corpus):
    config, _ = beam_run
    archive = small_corpus[0]
    expected = collections.Counter(
        route(review_id(parse_review(path, content, archive)), config.eval_percent)
        for path, content in read_archive(archive, include_unsup=False))
    store = runs.open_store(config.metadata_path)

    # Split `guard`: the three snippet sets of 50 test reviews, the 50 with the smallest hashed id
    # on these workers too (components/example_gen/snippet_sets.py).
    examples = examples_uri(store, "FileBasedExampleGen")
    assert split_counts(examples) == {**expected, "guard": 3 * 50}
    records = tf.data.TFRecordDataset(tf.io.gfile.glob(f"{examples}/Split-guard/*"), compression_type="GZIP")
    sampled = {review_id(tf.train.Example.FromString(r.numpy())).split("/", 2)[2] for r in records}
    ids = [review_id(parse_review(path, content, archive)) for path, content in read_archive(archive, False)]
    test_ids = [rid for rid in ids if rid.startswith("test/")]
    assert sampled == set(sorted(test_ids, key=lambda rid: hashlib.sha256(rid.encode()).hexdigest())[:50])
    # Transform analyses train only, and transforms what the Trainer reads (train and eval).
    assert split_counts(examples_uri(store, "Transform")) == {k: v for k, v in expected.items() if k in ("train", "eval")}


def test_model_blessed_pushed_and_classifies_raw_text(beam_run):
    config, _ = beam_run
    summary = runs.run_summary(config.metadata_path)
    assert summary["blessed"] and summary["pushed"]
    assert summary["test_metrics"]["example_count"] == 120
    model = tf.saved_model.load(summary["pushed_model"])
    texts = ["A great, excellent film.<br />Loved it!", "Awful and boring, the worst waste."]
    prob = model.signatures["predict_text"](text=tf.constant(texts))["probability"].numpy()[:, 0]
    assert prob[0] > 0.5 > prob[1]
