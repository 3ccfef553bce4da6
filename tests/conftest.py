"""Shared fixtures: a generated corpus with a tiny embedding module, and one pipeline run on it.

Importing `components` first sets the TensorFlow environment (components/tf_env.py) for
every test. Markers (pytest.ini): `e2e` for tests that run a pipeline (tests/e2e/), `browser`
for those that need headless Chromium.
"""
import components  # noqa: F401  (the TensorFlow environment, before any test imports TensorFlow)
import pytest


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory):
    """(archive path, tiny embedding module path) for pipeline runs: 200 train + 120 test reviews,
    and 60 unlabelled (ExampleGen writes them only for a model that learns from them)."""
    from components.modules.word_embedding import build_word_embedding_module
    from tests.helpers import corpus

    tmp_path = tmp_path_factory.mktemp("corpus")
    files = corpus.corpus_files(n_train=100, n_test=60, n_unsup=60, seed=1)
    data = corpus.write_archive(str(tmp_path / "aclImdb_v1.tar.gz"), files)
    module = build_word_embedding_module(*corpus.embedding_words(), str(tmp_path / "module"), num_oov_buckets=10)
    return data, module


@pytest.fixture(scope="session")
def small_run(tmp_path_factory, small_corpus):
    """One LocalDagRunner run on the small corpus, with one guard set ("short", 40 generated
    reviews, a floor of 0.5) and snippet sets of 50 of the 120 test reviews, shared by the e2e
    tests that read its outputs: (PipelineConfig, Progress)."""
    from pipeline import local_runner
    from tests.helpers import corpus
    from tests.helpers.pipelines import small_config

    tmp_path = tmp_path_factory.mktemp("small_run")
    config = small_config(tmp_path, *small_corpus)
    config.guard_sets = (("short", corpus.write_guard_set(str(tmp_path / "short.jsonl"))),)
    config.guard_floors = (("short", 0.5),)
    config.snippet_reviews = 50
    return config, local_runner.run(config)
