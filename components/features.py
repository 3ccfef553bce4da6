"""The feature keys: one home for every name a component reads or writes.

Raw features are what ExampleGen writes into each tf.Example; transformed features are what
Transform's `preprocessing_fn` outputs (and the model reads); outputs are the model's.
"""

# Raw tf.Example features (components/example_gen).
TEXT = "text"  # the review, raw UTF-8
LABEL = "label"  # 1 = pos/, 0 = neg/
RATING = "rating"  # 1..10, from <id>_<rating>.txt
REVIEW_ID = "review_id"  # e.g. train/pos/123 (guard sets: guard/NAME/LINE)
DATASET = "dataset"  # "imdb", or the guard set's name (components/example_gen/guard.py)
# ExampleGen's splits. train and eval: the official train reviews, split by hashed review id
# (components/example_gen/reviews.py: route); test: the official test reviews, untouched.
TRAIN_SPLIT = "train"
EVAL_SPLIT = "eval"
TEST_SPLIT = "test"
# The guard sets and snippet sets (components/example_gen/guard.py, snippet_sets.py).
GUARD_SPLIT = "guard"
# The unlabelled reviews (train/unsup/), when asked or when a model learns from them: no LABEL
# (read as -1) or RATING (read as 0).
UNSUP_SPLIT = "unsup"
# The `dataset` of the IMDB reviews themselves (guard and snippet sets carry their own name).
IMDB_DATASET = "imdb"

# Transformed features (components/transform): TEXT (cleaned), LABEL, RATING and DATASET pass through.
WORD_COUNT = "word_count"  # the review's length in words (ensembles weighted by length)
LENGTH_BUCKET = "length_bucket"  # the review's length in words, as a slice name
NGRAMS = "ngrams"  # ids of the review's distinct word n-grams (wide models)
EMBEDDING = "embedding"  # a frozen module's vector of the review (precomputed modules)
NGRAM_VOCABULARY = "ngrams"  # the n-gram vocabulary's name in the transform graph

# Review length in words (after cleaning) -> slice name; the names sort in length order.
LENGTH_BOUNDARIES = (100, 200, 400)
LENGTH_BUCKET_NAMES = ("000-099", "100-199", "200-399", "400+")

# Model outputs (the serving signatures' keys).
PROBABILITY = "probability"  # of a positive review
PREDICTED_RATING = "rating"  # regression models
RATING_THRESHOLD = 5.5  # ratings are 1-4 (negative) and 7-10 (positive)
# A review is positive when its probability is above this, as TFMA's binary_accuracy counts it:
# the label the model server, `imdb-tfx predict` and the InfraValidator's canary give.
DECISION_THRESHOLD = 0.5


def label_of(probability: float) -> str:
    """"positive" or "negative", the label of a probability."""
    return "positive" if probability > DECISION_THRESHOLD else "negative"
