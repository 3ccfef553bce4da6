"""components.modules.registry: the builtin modules, built once into the cache, and module handles."""
import json
import os

import numpy as np
import pytest
import tensorflow as tf

from components.modules import registry
from components.modules import word_embedding as we


@pytest.fixture(scope="module")
def module_path(tmp_path_factory):
    """A tiny word-embedding module."""
    from tests.helpers import corpus

    return we.build_word_embedding_module(*corpus.embedding_words(), str(tmp_path_factory.mktemp("m") / "tiny"),
                                          num_oov_buckets=4)


def embed(module, sentences):
    return module(tf.constant(sentences, tf.string)).numpy()


@pytest.fixture
def fake_glove(monkeypatch):
    """Replaces GloVe with 500 words of 4 dims whose per-dimension std is 1, 2, 3, 4."""
    words = [f"w{i}" for i in range(500)]
    vectors = (np.random.default_rng(0).normal(size=(500, 4)) * [1, 2, 3, 4]).astype(np.float32)
    monkeypatch.setattr(we, "load_glove_6b_50d", lambda: (words, vectors))
    return words, vectors


def test_random_twin_and_cache(fake_glove, monkeypatch, tmp_path):
    words, vectors = fake_glove
    monkeypatch.setenv("IMDB_TFX_CACHE", str(tmp_path))
    path = registry.resolve_module_handle(registry.RANDOM_NAME)
    assert path == str(tmp_path / "modules" / f"random-v{we.BUILD_VERSION}")
    assert registry.resolve_module_handle(registry.RANDOM_NAME) == path
    assert json.load(open(os.path.join(path, we.METADATA_FILE)))["name"] == "random"
    module = tf.saved_model.load(path)
    table = module.trainable_variables[0].numpy()[:len(words)]
    assert table.shape == vectors.shape and not np.allclose(table, vectors)
    np.testing.assert_allclose(table.std(axis=0), vectors.std(axis=0), rtol=0.15)
    glove = tf.saved_model.load(registry.resolve_module_handle(registry.GLOVE_NAME))
    assert embed(glove, ["w3 unknownword"]).shape == embed(module, ["w3 unknownword"]).shape == (1, 4)
    np.testing.assert_allclose(embed(glove, ["w3"])[0], vectors[3])


def test_cached_module_survives_a_race(fake_glove, monkeypatch, tmp_path):
    build = registry.build_module

    def other_process_wins(name, output_dir):
        build(name, output_dir)  # the other process renames its module in first
        return build(name, output_dir)  # ours then finds the directory taken

    monkeypatch.setattr(registry, "build_module", other_process_wins)
    path = registry.cached_module(registry.GLOVE_NAME, str(tmp_path))
    assert os.path.isfile(os.path.join(path, "saved_model.pb"))
    assert os.listdir(os.path.dirname(path)) == [os.path.basename(path)]


@pytest.mark.parametrize("url", ["https://tfhub.dev/google/nnlm-en-dim128/2", "http://x/m", "gs://b/m", "s3://b/m"])
def test_urls_pass_through(url):
    assert registry.resolve_module_handle(url) == url


def test_local_paths(module_path, tmp_path, monkeypatch):
    monkeypatch.chdir(os.path.dirname(module_path))
    assert registry.resolve_module_handle(os.path.basename(module_path)) == module_path
    for missing in (tmp_path / "nowhere", tmp_path):  # absent; present without saved_model.pb
        with pytest.raises(FileNotFoundError, match=str(missing)):
            registry.resolve_module_handle(str(missing))


def test_unknown_module_name(tmp_path):
    with pytest.raises(ValueError, match="glove, random"):
        registry.build_module("nnlm", str(tmp_path / "m"))


def test_real_glove_module(tmp_path):
    """The one slow test (~10 s): builds the real GloVe module."""
    words, vectors = we.load_glove_6b_50d()
    assert len(words) == 400_000 and vectors.shape == (400_000, 50) and vectors.dtype == np.float32
    path = registry.resolve_module_handle(registry.GLOVE_NAME, cache_dir=str(tmp_path))
    out = embed(tf.saved_model.load(path), ["the", "The movie!", "xqzvbnmw"])
    assert out.shape == (3, 50)
    np.testing.assert_array_equal(out[0], vectors[words.index("the")])
    np.testing.assert_allclose(out[1], (vectors[words.index("the")] + vectors[words.index("movie")]) / np.sqrt(2),
                               rtol=1e-5)


def test_a_module_is_checked_to_be_a_text_embedding(module_path, tmp_path):
    """What `imdb-tfx run --module PATH` checks at start-up, before any component runs."""
    assert registry.check_text_embedding(module_path) == 8

    class Classifier(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
        def __call__(self, text):
            return tf.ones_like(tf.strings.length(text), tf.float32)  # [batch], not [batch, dim]

    tf.saved_model.save(Classifier(), str(tmp_path / "classifier"))
    with pytest.raises(registry.ModuleError, match=r"classifier: not a text-embedding module: it maps a batch "
                                                   r"of 2 strings to float32 \[2\], not a \[2, dim\] float"):
        registry.check_text_embedding(str(tmp_path / "classifier"))
    tf.saved_model.save(tf.Module(), str(tmp_path / "plain"))
    with pytest.raises(registry.ModuleError, match="plain: not a text-embedding module: the SavedModel cannot be"):
        registry.check_text_embedding(str(tmp_path / "plain"))
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "saved_model.pb").write_bytes(b"not a proto")
    with pytest.raises(registry.ModuleError, match="broken: not a loadable SavedModel"):
        registry.check_text_embedding(str(tmp_path / "broken"))
