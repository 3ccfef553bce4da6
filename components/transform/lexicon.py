"""The VADER sentiment lexicon's scores as TensorFlow ops, so that they run inside the model's
graph (a layer of the model: components/trainer/lexicon_columns.py): training, `predict_text`, the model
server and the Evaluator compute them alike, with no Python callback.

VADER (Hutto & Gilbert 2014; the PyPI package vaderSentiment 3.3.2, MIT licence) gives each
text a `compound` score in [-1, 1] and the shares `pos` and `neg` of its sentiment. This is a
port of its `SentimentIntensityAnalyzer.polarity_scores`, vectorised over the tokens of a
batch: the lexicon's valences (vader_lexicon.txt, read from the installed package, a
StaticHashTable in the graph), negation in the 3 preceding words ("not", "n't", "never", ...,
and "no"), booster and dampener words ("very", "kind of", ...), "least", the contrastive "but",
ALL-CAPS emphasis, its idioms ("the bomb", "kiss of death", ...), exclamation and question
marks, and the normalisation x / sqrt(x^2 + 15). Not ported: its emoji lexicon (emoji -> their
descriptions), and two of its quirks (docs/lexicon.md); the agreement with the package is
measured by tests/unit/components/transform/test_lexicon.py and scripts/lexicon_agreement.py.

Every token is split, lowercased and looked up once; only those with punctuation at an end are stripped,
ALL CAPS is tested only at boosters and lexicon words, and the rules are bit tests on a lexicon word's
neighbours' flags (RULES). scripts/benchmark_vader_ops.py times them against another commit's, bit for bit.
"""
from __future__ import annotations

import functools
import importlib.util
import os
import string

import numpy as np
import tensorflow as tf

# Output columns, in order.
COLUMNS = ("compound", "pos", "neg")

# VADER's constants (vaderSentiment.vaderSentiment, 3.3.2).
B_INCR, B_DECR = 0.293, -0.293
C_INCR, N_SCALAR = 0.733, -0.74
ALPHA = 15.0


def _package_module():
    from vaderSentiment import vaderSentiment  # pure Python, no TensorFlow

    return vaderSentiment


@functools.lru_cache(maxsize=None)
def lexicon() -> dict[str, float]:
    """The valences of vader_lexicon.txt (the installed package's data), as the package reads them
    (a later line of the same word wins)."""
    spec = importlib.util.find_spec("vaderSentiment")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the VADER lexicon needs the package vaderSentiment (requirements.lock)")
    path = os.path.join(list(spec.submodule_search_locations)[0], "vader_lexicon.txt")
    valences = {}
    with open(path, encoding="utf-8") as f:
        for line in f.read().rstrip("\n").split("\n"):
            if line:
                word, measure = line.strip().split("\t")[0:2]
                valences[word] = float(measure)
    return valences


# Token ids: NO_TOKEN where a neighbour would be outside its text, OTHER for a word of no list,
# NEGATED_OTHER for one with "n't", then the table's words: the others, the boosters, the lexicon's.
# A token's key is 2 * id, + 1 for a booster or lexicon word in ALL CAPS in a text not all so.
NO_TOKEN, OTHER, NEGATED_OTHER = 0, 1, 2
OFFSETS = (-3, -2, -1, 0, 1, 2)  # the neighbours the rules read, by offset from a lexicon word
_PUNCTUATION = "[" + "".join("\\" + c for c in string.punctuation) + "]"

# A word's flags: bits 0-13 of its record in the table (NAMED: the words a flag names; negation: a
# negation word or one with "n't"), and bit 14, caps, of its key. The flags of a lexicon word's
# neighbours make its context, one int64: at each offset, (shift, the flags kept).
FLAGS = ("lexicon", "of", "exists", "booster", "negation", "no", "or", "never", "so", "without", "doubt",
         "least", "at", "kind", "caps")
NAMED = {"no": ("no",), "or": ("or", "nor"), "never": ("never",), "so": ("so", "this"), "without": ("without",),
         "doubt": ("doubt",), "least": ("least",), "at": ("at", "very"), "kind": ("kind",), "of": ("of",)}
_CONTEXT = {-3: (0, 0x7FFF), -2: (15, 0x7FFF), -1: (30, 0x7FFF), 0: (45, 0x7FFF), 1: (60, 0x3), 2: (0, 0)}
# The rules' tests of the context: a rule holds where one of its alternatives does, an alternative
# being flags at offsets ("!": must not hold). The first 9 by threes, for the words 3, 2, 1 before.
RULES = {
    "caps_booster-3": ["caps@-3 booster@-3 !lexicon@-3"],  # a booster in caps: C_INCR more
    "caps_booster-2": ["caps@-2 booster@-2 !lexicon@-2"],
    "caps_booster-1": ["caps@-1 booster@-1 !lexicon@-1"],
    "intensified-3": ["exists@-3 !lexicon@-3 never@-3 so@-2", "exists@-3 !lexicon@-3 so@-1"],  # x1.25
    "intensified-2": ["exists@-2 !lexicon@-2 never@-2 so@-1"],
    "intensified-1": [],
    "negated-3": ["negation@-3 !lexicon@-3 !without@-3", "negation@-3 !lexicon@-3 !doubt@-2 !doubt@-1"],  # x N_SCALAR
    "negated-2": ["negation@-2 !lexicon@-2 !without@-2", "negation@-2 !lexicon@-2 !doubt@-1"],
    "negated-1": ["negation@-1 !lexicon@-1"],
    "no_before_word": ["no@0 lexicon@1"],  # "no" then scores 0
    "no_before": ["no@-1", "no@-2", "no@-3 or@-1"],  # valence x N_SCALAR
    "caps": ["caps@0"],  # +-C_INCR
    "least": ["least@-1 !lexicon@-1 !at@-2"],  # x N_SCALAR, not after "at least", "very least"
    "unscored": ["booster@0", "kind@0 of@1"],  # boosters, and the "kind" of "kind of"
    "idioms": ["exists@-3 !lexicon@-3"],  # where VADER looks for them
}


def _bit(term: str) -> int:
    """The context's bit of "flag@offset"."""
    flag, offset = term.lstrip("!").split("@")
    shift, kept = _CONTEXT[int(offset)]
    assert kept >> FLAGS.index(flag) & 1, term
    return 1 << (shift + FLAGS.index(flag))


_ALTERNATIVES = [(r, a.split()) for r, alternatives in enumerate(RULES.values()) for a in alternatives]
_MASKS = np.array([sum(map(_bit, a)) for _, a in _ALTERNATIVES], np.int64)  # holds where context & mask == want
_WANTS = np.array([sum(_bit(t) for t in a if t[0] != "!") for _, a in _ALTERNATIVES], np.int64)
_GROUPS = np.eye(len(RULES), dtype=np.float32)[[r for r, _ in _ALTERNATIVES]]  # [alternative, rule]

# VADER's special-case idioms (SPECIAL_CASES of two or three words) and its booster bigrams,
# looked for at these offsets: the first special case found wins, each bigram adds its value.
SPECIAL_CASES = {("the", "shit"): 3.0, ("the", "bomb"): 3.0, ("bad", "ass"): 1.5, ("bus", "stop"): 0.0,
                 ("yeah", "right"): -2.0, ("kiss", "of", "death"): -1.5, ("to", "die", "for"): 3.0,
                 ("beating", "heart"): 3.5}
BOOSTER_BIGRAMS = {("just", "enough"): B_DECR, ("kind", "of"): B_DECR, ("sort", "of"): B_DECR}
SPECIAL_OFFSETS = ((0, 1, 2), (0, 1), (-1, 0), (-2, -1, 0), (-2, -1), (-3, -2, -1), (-3, -2))
BIGRAM_OFFSETS = ((-3, -2), (-2, -1))
_PHRASES = list(SPECIAL_CASES.items()) + list(BOOSTER_BIGRAMS.items())
IDIOM_CODE = {w: i + 1 for i, w in enumerate(sorted({w for words, _ in _PHRASES for w in words}))}  # 0: none


def _phrase_tables():
    """The idioms as one dense table, per column (SPECIAL_OFFSETS, then BIGRAM_OFFSETS) from the
    IDIOM_CODEs at its offsets (digits in base len(IDIOM_CODE) + 1, after the column's start) to
    rank * 16 + phrase number (rank 7 in the first column ... 1 in the last special one, 0 for the
    bigrams; 0: none); the weights that make the index from the codes at OFFSETS, the starts, and
    the values by rank * 16 + number."""
    base, columns = len(IDIOM_CODE) + 1, SPECIAL_OFFSETS + BIGRAM_OFFSETS
    starts = np.cumsum([0] + [base ** len(c) for c in columns])
    weights = np.array([[base ** (len(c) - 1 - c.index(o)) if o in c else 0 for c in columns] for o in OFFSETS])
    table = np.zeros(starts[-1], np.int8)
    for c, offsets in enumerate(columns):
        for number, (words, _) in enumerate(_PHRASES, 1):
            if len(words) == len(offsets) and (words in SPECIAL_CASES) == (c < len(SPECIAL_OFFSETS)):
                index = starts[c] + sum(IDIOM_CODE[w] * base ** (len(words) - 1 - i) for i, w in enumerate(words))
                table[index] = max(len(SPECIAL_OFFSETS) - c, 0) * 16 + number
    values = [0.0] + [v for _, v in _PHRASES] + [0.0] * (15 - len(_PHRASES))
    return table, weights, starts[:-1], np.array([values[code % 16] for code in range(128)])


class VaderTables(tf.Module):
    """The lexicon in the graph: a StaticHashTable from each word the rules read to its id, and by
    id its valence, booster value (0 for a lexicon word) and record (FLAGS, IDIOM_CODE << 16); the
    idioms' table. A tf.Module, so that a Keras layer holding it saves the tables with the model."""

    def __init__(self, name=None):
        super().__init__(name=name)
        vader = _package_module()
        # the package looks up lowercased words: a key with capitals never matches (":Þ")
        valences = {w: v for w, v in lexicon().items() if w == w.lower()}
        boosters = {w: v for w, v in vader.BOOSTER_DICT.items() if " " not in w}
        others = set(vader.NEGATE) | set(IDIOM_CODE) | {w for m in NAMED.values() for w in m} | {"but"}
        boosters_only = sorted(set(boosters) - set(valences))
        words = [None, None, None] + sorted(others - set(boosters) - set(valences)) + boosters_only + sorted(valences)
        self.table = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(
            tf.constant(words[3:], tf.string), tf.range(3, len(words), dtype=tf.int64)), OTHER)
        self.first_lexicon_id, self.but_id = len(words) - len(valences), words.index("but")
        self.first_booster_id = self.first_lexicon_id - len(boosters_only)
        self.valences = tf.constant([valences.get(w, 0.0) for w in words], tf.float64)
        self.boosters = tf.constant([0.0 if w in valences else boosters.get(w, 0.0) for w in words], tf.float64)

        def record(i, w):  # the word's FLAGS as bits, and its IDIOM_CODE << 16
            flags = {f for f, named in NAMED.items() if w in named} | ({"exists"} if i != NO_TOKEN else set())
            flags |= {"negation"} if i == NEGATED_OTHER or w in vader.NEGATE or "n't" in (w or "") else set()
            flags |= ({"lexicon"} if w in valences else set()) | ({"booster"} if w in boosters else set())
            return sum(1 << FLAGS.index(f) for f in flags) + (IDIOM_CODE.get(w, 0) << 16)

        self.records = tf.constant([record(i, w) for i, w in enumerate(words)], tf.int64)
        table, self.phrase_weights, self.phrase_starts, self.phrase_values = _phrase_tables()
        self.phrases = tf.constant(table)


def _where(condition, x, y) -> tf.Tensor:
    """tf.where, a Python number taking the other branch's dtype (if both are: int64 or float64)."""
    dtype = next((t.dtype for t in (x, y) if tf.is_tensor(t)), tf.int64 if isinstance(x, int) else tf.float64)
    return tf.where(condition, tf.convert_to_tensor(x, dtype), tf.convert_to_tensor(y, dtype))


def _is_punctuation(byte: tf.Tensor) -> tf.Tensor:
    """Whether each uint8 is in string.punctuation (33-47, 58-64, 91-96, 123-126; uint8 wraps around)."""
    return (byte - 33 < 15) | (byte - 58 < 7) | (byte - 91 < 6) | (byte - 123 < 4)


def _all_caps(token: tf.Tensor, lowered: tf.Tensor | None = None) -> tf.Tensor:
    """Whether each token has an ASCII capital and no ASCII small letter."""
    lowered = tf.strings.lower(token) if lowered is None else lowered
    return tf.not_equal(lowered, token) & tf.equal(tf.strings.upper(token), token)


@tf.autograph.experimental.do_not_convert
def _keys(text: tf.Tensor, tables: VaderTables):
    """The white-space tokens of each text as keys: (keys, the tokens lowercased, the split)."""
    words = tf.strings.split(text)
    raw, rows = words.flat_values, words.value_rowids()
    lowered = tf.strings.lower(raw)  # ASCII, as the lexicon's words are
    ids = tables.table.lookup(lowered)
    # VADER strips a token's leading and trailing punctuation unless that leaves 2 characters or fewer: the tokens
    # with a punctuation byte at an end are stripped and looked up again (two anchored replacements: faster in RE2)
    ends = tf.concat([tf.io.decode_raw(raw, tf.uint8, fixed_length=1),
                      tf.io.decode_raw(tf.strings.substr(raw, -1, 1), tf.uint8, fixed_length=1)], 1)
    at = tf.where(tf.reduce_any(_is_punctuation(ends), 1))
    token = tf.gather_nd(lowered, at)
    stripped = tf.strings.regex_replace(token, f"^{_PUNCTUATION}+", "", replace_global=False)
    stripped = tf.strings.regex_replace(stripped, f"{_PUNCTUATION}+$", "", replace_global=False)
    token = _where(tf.strings.length(stripped, unit="UTF8_CHAR") <= 2, token, stripped)
    ids = tf.tensor_scatter_nd_update(ids, at, tables.table.lookup(token))
    # ALL CAPS (punctuation has no case) counts at boosters and lexicon words, in a text whose tokens are not
    # all so: a text with such a word in caps and an ASCII small letter has one; the others' tokens are tested
    at = tf.where(ids >= tables.first_booster_id)
    caps, row = _all_caps(tf.gather_nd(raw, at), tf.gather_nd(lowered, at)), tf.gather_nd(rows, at)
    flagged = tf.where(tf.math.unsorted_segment_max(tf.cast(caps, tf.int32), row, words.nrows()) > 0)
    flagged_text = tf.gather_nd(text, flagged)
    no_small = tf.where(tf.equal(tf.strings.upper(flagged_text), flagged_text))
    texts = tf.strings.split(tf.gather_nd(flagged_text, no_small))
    not_all = ~tf.reduce_all(texts.with_flat_values(_all_caps(texts.flat_values)), 1)
    some_not = tf.tensor_scatter_nd_update(tf.ones_like(flagged[:, 0], tf.bool), no_small, not_all)
    caps &= tf.gather(tf.scatter_nd(flagged, some_not, tf.shape(words.row_lengths(), out_type=tf.int64)), row)
    return tf.tensor_scatter_nd_add(ids * 2, at, tf.cast(caps, tf.int64)), lowered, words


@tf.autograph.experimental.do_not_convert
def vader_scores(text: tf.Tensor, tables: VaderTables | None = None) -> tf.Tensor:
    """VADER's compound, pos and neg scores (COLUMNS) of each text in a [batch] string tensor:
    [batch, 3] float32, rounded as the package rounds them (4 and 3 decimals).

    Per token: split, lowercase, one table lookup (_keys); the rules run at the lexicon's words (one
    token in 14 in IMDB's sentences), on the flags of their neighbours."""
    tables = tables or VaderTables()
    keys, lowered, words = _keys(text, tables)
    rows, nrows = words.value_rowids(), words.nrows()
    # the lexicon's words, and the keys of their neighbours at OFFSETS (NO_TOKEN outside the text)
    at_word = tf.where(keys >= 2 * tables.first_lexicon_id)[:, 0]
    word_row = tf.gather(rows, at_word)
    before = at_word - tf.gather(words.row_starts(), word_row)  # the tokens before the word in its text
    after = tf.gather(words.row_limits(), word_row) - 1 - at_word
    exists = tf.stack([before >= 3, before >= 2, before >= 1, before >= 0, after >= 1, after >= 2], 1)
    at = tf.clip_by_value(at_word[:, None] + OFFSETS, 0, tf.size(keys, out_type=tf.int64) - 1)
    neighbours = tf.gather(keys, at) * tf.cast(exists, tf.int64)
    # a word of no list with "n't" (the table's negation words have their flag)
    ids = tf.bitwise.right_shift(neighbours, 1)
    other = tf.where(tf.equal(ids[:, :3], OTHER))
    negated = tf.strings.regex_full_match(tf.gather(lowered, tf.gather_nd(at, other)), ".*n't.*")
    ids = tf.tensor_scatter_nd_update(ids, other, _where(negated, NEGATED_OTHER, OTHER))
    record = tf.gather(tables.records, ids)
    caps = tf.bitwise.left_shift(tf.bitwise.bitwise_and(neighbours, 1), FLAGS.index("caps"))
    flags = tf.bitwise.bitwise_and(tf.bitwise.bitwise_or(record, caps), [_CONTEXT[o][1] for o in OFFSETS])
    context = tf.reduce_sum(tf.bitwise.left_shift(flags, [_CONTEXT[o][0] for o in OFFSETS]), 1)
    hits = tf.cast(tf.equal(tf.bitwise.bitwise_and(context[:, None], _MASKS), _WANTS), tf.float32)
    rules = tf.matmul(hits, _GROUPS) > 0  # [word, rule]
    rule = dict(zip(RULES, tf.unstack(rules, len(RULES), axis=1)))

    valence = tf.gather(tables.valences, ids[:, 3])
    v = _where(rule["no_before"], valence * N_SCALAR, _where(rule["no_before_word"], 0.0, valence))
    v = v + _where(rule["caps"], _where(v > 0, C_INCR, -C_INCR), 0.0)
    # boosters 3, 2, 1 words before (+-C_INCR in caps) damped with distance, signed as v is; then
    # negation (x N_SCALAR) or intensification (x1.25) by that word
    booster = tf.gather(tables.boosters, ids[:, :3])
    caps_booster = _where(rules[:, 0:3], C_INCR, 0.0)
    damp = tf.constant([0.9, 0.95, 1.0], tf.float64)
    if_positive, if_zero = (booster + caps_booster) * damp, (booster - caps_booster) * damp
    factor = _where(rules[:, 3:6], 1.25, _where(rules[:, 6:9], N_SCALAR, 1.0))
    columns = [tf.unstack(x, 3, axis=1) for x in (if_positive, -if_positive, if_zero, factor)]
    for j in (2, 1, 0):  # 1, 2, 3 words before
        p, n, z, f = (c[j] for c in columns)
        v = (v + tf.where(v > 0, p, tf.where(v < 0, n, z))) * f
    # the idioms, where the word 3 before is not a lexicon word: a special case replaces v, bigrams add
    index = tf.matmul(tf.bitwise.right_shift(record, 16), tables.phrase_weights) + tables.phrase_starts
    phrase = tf.cast(tf.gather(tables.phrases, _where(rule["idioms"][:, None], index, 0)), tf.int32)
    special = tf.reduce_max(phrase[:, :len(SPECIAL_OFFSETS)], 1)
    v = tf.where(special > 0, tf.gather(tables.phrase_values, special), v)
    for bigram in tf.unstack(tf.gather(tables.phrase_values, phrase[:, len(SPECIAL_OFFSETS):]), len(BIGRAM_OFFSETS), 1):
        v = v + bigram
    v = v * _where(rule["least"], N_SCALAR, 1.0)
    v = _where(rule["unscored"], 0.0, v)
    # "but": the sentiment before the first "but" of a text counts half, after it 1.5 times
    at_but = tf.where(tf.equal(tf.bitwise.right_shift(keys, 1), tables.but_id))[:, 0]
    first_but = tf.gather(tf.math.unsorted_segment_min(at_but, tf.gather(rows, at_but), nrows), word_row)
    v = v * _where(at_word > first_but, 1.5, _where((at_word < first_but) & (first_but < tf.int64.max), 0.5, 1.0))
    return _scores(v, word_row, nrows, words.row_lengths(), text)


@tf.autograph.experimental.do_not_convert
def _scores(v, rows, nrows, row_lengths, text):
    """compound, pos and neg of each text from the sentiments `v` of its lexicon words (`rows`)."""
    parts = tf.stack([v, _where(v > 0, v + 1, 0.0), _where(v < 0, v - 1, 0.0), tf.cast(tf.not_equal(v, 0.0), tf.float64)], 1)
    total, pos_sum, neg_sum, scored = tf.unstack(tf.math.unsorted_segment_sum(parts, rows, nrows), 4, 1)
    counts = [tf.cast(tf.strings.length(text) - tf.strings.length(tf.strings.regex_replace(text, c, "")), tf.float64)
              for c in ("!", "\\?")]
    exclamations, questions = tf.minimum(counts[0], 4.0) * 0.292, counts[1]
    emphasis = exclamations + _where(questions > 1, _where(questions <= 3, questions * 0.18, 0.96), 0.0)
    total = _where(total > 0, total + emphasis, _where(total < 0, total - emphasis, total))
    compound = tf.clip_by_value(total / tf.sqrt(total * total + ALPHA), -1.0, 1.0)
    neutral = tf.cast(row_lengths, tf.float64) - scored
    pos_sum, neg_sum = (_where(pos_sum > -neg_sum, pos_sum + emphasis, pos_sum),
                        _where(pos_sum < -neg_sum, neg_sum - emphasis, neg_sum))
    denominator = tf.maximum(pos_sum - neg_sum + neutral, 1e-12)
    scores = tf.stack([compound, tf.abs(pos_sum) / denominator, tf.abs(neg_sum) / denominator], 1)
    scale = tf.constant([1e4, 1e3, 1e3], tf.float64)  # rounded to 4, 3 and 3 decimals
    return tf.cast(tf.round(_where((row_lengths > 0)[:, None], scores, 0.0) * scale) / scale, tf.float32)
