"""Test set-up: Keras 2 everywhere TensorFlow runs, and quiet C++ logs."""
import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


import pytest  # noqa: E402


def small_config(tmp_path, data: str, module: str):
    """A PipelineConfig for a generated corpus: a tiny module and a short schedule."""
    from pipeline import configs

    return configs.PipelineConfig(
        data=data,
        pipeline_root=str(tmp_path / "root"),
        metadata_path=str(tmp_path / "metadata.sqlite"),
        serving_dir=str(tmp_path / "serving"),
        eval_percent=20,
        accuracy_lower_bound=0.8,
        training=configs.TrainingConfig(module=module, hidden_units=(16,), optimizer="adam",
                                        learning_rate=0.01, loss_reduction="mean", batch_size=32,
                                        train_steps=60, evaluations=2, shuffle_buffer_size=1000),
    )


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory):
    """(archive path, tiny embedding module path) for pipeline runs: 200 train + 120 test reviews."""
    from components.embedding_modules import build_word_embedding_module
    from tests import corpus

    tmp_path = tmp_path_factory.mktemp("corpus")
    files = corpus.corpus_files(n_train=100, n_test=60, seed=1)
    data = corpus.write_archive(str(tmp_path / "aclImdb_v1.tar.gz"), files)
    module = build_word_embedding_module(*corpus.embedding_words(), str(tmp_path / "module"), num_oov_buckets=10)
    return data, module


@pytest.fixture(scope="session")
def small_run(tmp_path_factory, small_corpus):
    """One LocalDagRunner run on the small corpus, shared by the tests that read its outputs:
    (PipelineConfig, Progress)."""
    from pipeline import local_runner

    config = small_config(tmp_path_factory.mktemp("small_run"), *small_corpus)
    return config, local_runner.run(config)
