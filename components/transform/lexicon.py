"""The VADER sentiment lexicon's scores as TensorFlow ops, so that they run inside the model's
graph (a layer of the model: components/trainer/lexicon_columns.py): training, `predict_text`,
the model server and the Evaluator compute them alike, with no Python callback.

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
"""
from __future__ import annotations

import functools
import importlib.util
import os
import string

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


# Words the rules name, as small codes (0: any other word).
_WORDS = ("no", "or", "nor", "never", "so", "this", "without", "doubt", "least", "at", "very", "but", "kind",
          "of", "the", "shit", "bomb", "bad", "ass", "bus", "stop", "yeah", "right", "kiss", "death", "to",
          "die", "for", "beating", "heart", "just", "enough", "sort")
CODE = {w: i + 1 for i, w in enumerate(_WORDS)}
_PUNCTUATION = "[" + "".join("\\" + c for c in string.punctuation) + "]"


class VaderTables(tf.Module):
    """The lexicon in the graph: one StaticHashTable from each word the rules read to its row of
    attributes (valence or MISSING, booster value, negation word, CODE). A tf.Module, so that a
    Keras layer holding it saves the table with the model."""

    def __init__(self, name=None):
        super().__init__(name=name)
        self.table, self.valences, self.boosters, self.negations, self.codes = _tables()
        self.special_cases, self.booster_bigrams = _phrase_tables()


def _tables():
    vader = _package_module()
    # the package looks up lowercased words: a key with capitals never matches (":Þ")
    valences = {w: v for w, v in lexicon().items() if w == w.lower()}
    boosters = {w: v for w, v in vader.BOOSTER_DICT.items() if " " not in w}
    words = sorted(set(valences) | set(boosters) | set(vader.NEGATE) | set(CODE))
    table = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(
        tf.constant(words, tf.string), tf.range(1, len(words) + 1, dtype=tf.int64)), 0)
    negations = set(vader.NEGATE)

    def row(values, default, dtype):  # row 0: a word none of the lists has
        return tf.constant([default] + [values(w) for w in words], dtype)

    return (table, row(lambda w: valences.get(w, MISSING), MISSING, tf.float64),
            row(lambda w: boosters.get(w, 0.0), 0.0, tf.float64), row(lambda w: w in negations, False, tf.bool),
            row(lambda w: CODE.get(w, 0), 0, tf.int32))


MISSING = -1000.0  # no valence is below -4


@tf.autograph.experimental.do_not_convert
def tokens(text: tf.Tensor) -> tf.RaggedTensor:
    """VADER's words and emoticons: the whitespace-separated tokens, with leading and trailing
    punctuation stripped unless that leaves 2 characters or fewer (":)" stays): ragged [batch, None]."""
    split = tf.strings.split(text)
    flat = split.flat_values
    stripped = tf.strings.regex_replace(flat, f"^{_PUNCTUATION}+|{_PUNCTUATION}+$", "")
    keep = tf.strings.length(stripped, unit="UTF8_CHAR") <= 2
    return split.with_flat_values(_where(keep, flat, stripped))


def _where(condition, x, y) -> tf.Tensor:
    """tf.where, a Python number taking the other branch's dtype."""
    if not isinstance(x, (int, float, bool)):
        x = tf.convert_to_tensor(x)
        y = tf.convert_to_tensor(y, x.dtype)
    else:
        y = tf.convert_to_tensor(y)
        x = tf.convert_to_tensor(x, y.dtype)
    return tf.where(condition, x, y)


def _signed(positive: tf.Tensor, value: float) -> tf.Tensor:
    """value where `positive`, else -value (float64)."""
    return tf.where(positive, tf.constant(value, tf.float64), tf.constant(-value, tf.float64))


def _count(text: tf.Tensor, char: str) -> tf.Tensor:
    return tf.cast(tf.strings.length(text) - tf.strings.length(tf.strings.regex_replace(text, "\\" + char, "")),
                   tf.float64)


@tf.autograph.experimental.do_not_convert
def vader_scores(text: tf.Tensor, tables: VaderTables | None = None) -> tf.Tensor:
    """VADER's compound, pos and neg scores (COLUMNS) of each text in a [batch] string tensor:
    [batch, 3] float32, rounded as the package rounds them (4 and 3 decimals).

    String work (split, strip, lowercase, one table lookup) is done for every token; the rules
    only at the lexicon's words (a few in ten tokens), reading their neighbours by offset."""
    tables = tables or VaderTables()
    table, valences, boosters, negations, codes = (tables.table, tables.valences, tables.boosters,
                                                   tables.negations, tables.codes)
    words = tokens(text)
    flat = words.flat_values
    rows = words.value_rowids()
    nrows = words.nrows()
    # ASCII case mapping: the lexicon's (lowercase) words are ASCII, so lookups are the package's
    lower = tf.strings.lower(flat)
    upper = tf.logical_and(tf.equal(tf.strings.upper(flat), flat), tf.not_equal(lower, flat))
    ids = table.lookup(lower)
    code = tf.gather(codes, ids)
    position = tf.range(tf.size(rows, out_type=tf.int64)) - tf.gather(words.row_starts(), rows)
    upper_count = tf.math.unsorted_segment_sum(tf.cast(upper, tf.int64), rows, nrows)
    cap_diff_row = tf.logical_and(upper_count > 0, upper_count < words.row_lengths())
    big = tf.constant(tf.int64.max, tf.int64)
    first_but = tf.math.unsorted_segment_min(_where(tf.equal(code, CODE["but"]), position, big), rows, nrows)

    # the lexicon's words, and their neighbours at an offset
    at_word = tf.where(tf.not_equal(tf.gather(valences, ids), MISSING))[:, 0]
    word_row = tf.gather(rows, at_word)
    word_position = tf.gather(position, at_word)
    word_length = tf.gather(words.row_lengths(), word_row)
    cap_diff = tf.gather(cap_diff_row, word_row)
    last = tf.maximum(tf.size(ids, out_type=tf.int64) - 1, 0)
    neighbour_ids = {}

    def neighbour(offset):  # the ids of each word's neighbour (0: none there)
        if offset not in neighbour_ids:
            exists = (word_position + offset >= 0) & (word_position + offset < word_length)
            index = tf.clip_by_value(at_word + offset, 0, last)
            neighbour_ids[offset] = _where(exists, tf.gather(ids, index), tf.zeros_like(at_word))
        return neighbour_ids[offset]

    memo = {}

    def at(values, offset):
        key = (id(values), offset)
        if key not in memo:
            memo[key] = tf.gather(values, neighbour(offset))
        return memo[key]

    def exists(offset):
        return (word_position + offset >= 0) & (word_position + offset < word_length)

    def is_(offset, *names):
        c = at(codes, offset)
        for w in names:
            if (offset, w) not in memo:
                memo[(offset, w)] = tf.equal(c, CODE[w])
        return functools.reduce(tf.logical_or, [memo[(offset, w)] for w in names])

    def upper_at(offset):
        return _where(exists(offset), tf.gather(upper, tf.clip_by_value(at_word + offset, 0, last)), False)

    def negated_at(offset):  # a negation word, or any word with "n't"
        nt = tf.strings.regex_full_match(tf.gather(lower, tf.clip_by_value(at_word + offset, 0, last)), ".*n't.*")
        return exists(offset) & (at(negations, offset) | nt)

    def in_lex(offset):
        return tf.not_equal(at(valences, offset), MISSING)

    valence = at(valences, 0)
    v = valence
    # "no" before a lexicon word negates it instead of counting itself
    v = _where(is_(0, "no") & in_lex(1), 0.0, v)
    no_before = is_(-1, "no") | is_(-2, "no") | (is_(-3, "no") & is_(-1, "or", "nor"))
    v = _where(no_before, valence * N_SCALAR, v)
    v = _where(upper_at(0) & cap_diff, v + _signed(v > 0, C_INCR), v)
    for k, damp in ((1, 1.0), (2, 0.95), (3, 0.9)):
        applies = (word_position >= k) & ~in_lex(-k)
        s = at(boosters, -k)
        s = _where(v < 0, -s, s)
        s = _where((s != 0) & upper_at(-k) & cap_diff, s + _signed(v > 0, C_INCR), s)
        v = _where(applies, v + s * damp, v)
        if k == 1:
            v = _where(applies & negated_at(-1), v * N_SCALAR, v)
        elif k == 2:
            intensify = is_(-2, "never") & is_(-1, "so", "this")
            keep = is_(-2, "without") & is_(-1, "doubt")
            v = _where(applies & intensify, v * 1.25, _where(applies & ~keep & negated_at(-2), v * N_SCALAR, v))
        else:
            intensify = (is_(-3, "never") & is_(-2, "so", "this")) | is_(-1, "so", "this")
            keep = is_(-3, "without") & (is_(-2, "doubt") | is_(-1, "doubt"))
            v = _where(applies & intensify, v * 1.25, _where(applies & ~keep & negated_at(-3), v * N_SCALAR, v))
            v = _where(applies, _idioms(v, lambda o: at(codes, o), tables), v)
    # "least" before a word negates it, unless "at least" or "very least"
    least = is_(-1, "least") & ~in_lex(-1)
    v = _where(least & ~((word_position > 1) & is_(-2, "at", "very")), v * N_SCALAR, v)
    # boosters and the "kind" of "kind of" never score
    v = _where((at(boosters, 0) != 0) | (is_(0, "kind") & is_(1, "of")), 0.0, v)
    # "but": the sentiment before the first "but" of a text counts half, after it 1.5 times
    but = tf.gather(first_but, word_row)
    has_but = but < big
    v = _where(has_but & (word_position < but), v * 0.5, _where(has_but & (word_position > but), v * 1.5, v))
    return _scores(v, word_row, nrows, words.row_lengths(), text)


# VADER's special-case idioms (SPECIAL_CASES of two or three words) and its booster bigrams.
SPECIAL_CASES = {("the", "shit"): 3.0, ("the", "bomb"): 3.0, ("bad", "ass"): 1.5, ("bus", "stop"): 0.0,
                 ("yeah", "right"): -2.0, ("kiss", "of", "death"): -1.5, ("to", "die", "for"): 3.0,
                 ("beating", "heart"): 3.5}
BOOSTER_BIGRAMS = {("just", "enough"): B_DECR, ("kind", "of"): B_DECR, ("sort", "of"): B_DECR}
NOT_FOUND = -99.0


def phrase_key(codes) -> int:
    """One integer for a sequence of 2 or 3 word codes (CODE values, all below 64)."""
    return (1 << 20) * (len(codes) - 1) + functools.reduce(lambda key, c: key * 64 + c, codes, 0)


def _phrase_tables():
    def table(phrases):
        keys = [phrase_key([CODE[w] for w in words]) for words in phrases]
        return tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(
            tf.constant(keys, tf.int64), tf.constant(list(phrases.values()), tf.float64)), NOT_FOUND)

    return table(SPECIAL_CASES), table(BOOSTER_BIGRAMS)


@tf.autograph.experimental.do_not_convert
def _idioms(v, code_at, tables):
    """VADER's special-case idioms around the word and its booster bigrams ("kind of" ...)."""
    def phrase(table, offsets):  # the value of the phrase at these offsets (NOT_FOUND: none)
        key = functools.reduce(lambda k, o: k * 64 + tf.cast(code_at(o), tf.int64), offsets, tf.constant(0, tf.int64))
        return table.lookup(key + (1 << 20) * (len(offsets) - 1))

    out, done = v, tf.zeros_like(v, tf.bool)
    for offsets in ((-1, 0), (-2, -1, 0), (-2, -1), (-3, -2, -1), (-3, -2)):  # the first that matches
        value = phrase(tables.special_cases, offsets)
        found = tf.not_equal(value, NOT_FOUND)
        out, done = _where(found & ~done, value, out), done | found
    for offsets in ((0, 1), (0, 1, 2)):  # later matches win
        value = phrase(tables.special_cases, offsets)
        out = _where(tf.not_equal(value, NOT_FOUND), value, out)
    for offsets in ((-3, -2), (-2, -1)):  # "just enough", "kind of", "sort of"
        value = phrase(tables.booster_bigrams, offsets)
        out = _where(tf.not_equal(value, NOT_FOUND), out + value, out)
    return out


@tf.autograph.experimental.do_not_convert
def _scores(v, rows, nrows, row_lengths, text):
    """compound, pos and neg of each text from the sentiments `v` of its lexicon words (row
    `rows`); its other words (row_lengths in all) score 0."""
    total = tf.math.unsorted_segment_sum(v, rows, nrows)
    exclamations = tf.minimum(_count(text, "!"), 4.0) * 0.292
    questions = _count(text, "?")
    emphasis = exclamations + _where(questions > 1, _where(questions <= 3, questions * 0.18, 0.96), 0.0)
    total = _where(total > 0, total + emphasis, _where(total < 0, total - emphasis, total))
    compound = tf.clip_by_value(total / tf.sqrt(total * total + ALPHA), -1.0, 1.0)
    pos_sum = tf.math.unsorted_segment_sum(_where(v > 0, v + 1, 0.0), rows, nrows)
    neg_sum = tf.math.unsorted_segment_sum(_where(v < 0, v - 1, 0.0), rows, nrows)
    scored = tf.math.unsorted_segment_sum(tf.cast(tf.not_equal(v, 0.0), tf.float64), rows, nrows)
    neutral = tf.cast(row_lengths, tf.float64) - scored
    pos_sum, neg_sum = (_where(pos_sum > -neg_sum, pos_sum + emphasis, pos_sum),
                        _where(pos_sum < -neg_sum, neg_sum - emphasis, neg_sum))
    denominator = tf.maximum(pos_sum - neg_sum + neutral, 1e-12)
    has_words = row_lengths > 0
    scores = [_where(has_words, compound, 0.0), _where(has_words, tf.abs(pos_sum) / denominator, 0.0),
              _where(has_words, tf.abs(neg_sum) / denominator, 0.0)]
    rounded = [tf.round(x * 10.0 ** d) / 10.0 ** d for x, d in zip(scores, (4, 3, 3))]
    return tf.cast(tf.stack(rounded, axis=1), tf.float32)
