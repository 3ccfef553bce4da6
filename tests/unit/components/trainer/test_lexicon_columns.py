"""The VADER lexicon's scores as three more columns of the wide model (TrainingConfig.lexicon):
the model computes them from its text input, L-BFGS fits their weights with the n-grams', and
the saved model scores without any Python callback."""
import os

import numpy as np
import pytest
import tensorflow as tf
from tensorflow.core.protobuf import saved_model_pb2

from components import features
from components.trainer import lexicon_columns
from components.trainer.ensemble import inference_copy
from components.trainer.input_data import feature_keys
from components.trainer.lbfgs import SparseRows
from components.trainer.models import build_model
from components.trainer.naive_bayes import ngram_table
from components.trainer.training import fit_lbfgs
from components.training_config import TrainingConfig
from components.transform import lexicon

CONFIG = TrainingConfig(head="wide", optimizer="lbfgs", l2=1e-4, min_count=1, lexicon=True)
TEXTS = ["A wonderful, moving film.", "Dull and too long.", "Not good at all!", "I loved it!!", "The worst acting ever.",
         "Great fun, but a bit long.", "Boring.", "Brilliant and funny.", "Awful plot, terrible ending.",
         "Beautiful and happy.", "Sad, ugly and stupid.", "Excellent!"]


def batches(texts, labels, batch_size=5):
    """({NGRAMS: one id shared by every text (so only the lexicon tells them apart), TEXT}, label)."""
    for start in range(0, len(texts), batch_size):
        chunk = tf.constant(texts[start:start + batch_size])
        ids = tf.sparse.from_dense(tf.fill([tf.size(chunk), 1], tf.constant(7, tf.int64)))
        yield {features.NGRAMS: ids, features.TEXT: chunk}, tf.constant(labels[start:start + batch_size])


def test_the_config_and_the_inputs():
    assert feature_keys(CONFIG) == [features.NGRAMS, features.TEXT]
    assert feature_keys(TrainingConfig(head="wide")) == [features.NGRAMS]
    with pytest.raises(ValueError, match="lexicon"):
        TrainingConfig(head="dnn", lexicon=True)


def test_lbfgs_fits_the_lexicon_columns_and_the_model_computes_them():
    labels = (lexicon.vader_scores(tf.constant(TEXTS)).numpy()[:, 0] > 0).astype(np.int64)
    assert 0 < labels.sum() < len(labels)
    side = lexicon_columns.SideColumns(batches(TEXTS, labels))
    rows = SparseRows.collect(side, CONFIG.min_count)
    columns = side.columns()
    np.testing.assert_allclose(columns, lexicon.vader_scores(tf.constant(TEXTS)).numpy())
    keys, ratios = ngram_table(rows, CONFIG.min_count, CONFIG.nb_alpha)
    model = build_model(CONFIG, ngram_keys=keys, nb_ratios=ratios)
    fit_lbfgs(model, CONFIG, None, rows, 200, columns=columns)
    weights = lexicon_columns.get_weights(model)
    assert weights[0] > 0  # compound
    probability = np.concatenate([model(batch).numpy().reshape(-1) for batch, _ in batches(TEXTS, labels)])
    assert ((probability > 0.5) == labels).all()
    # the logit is the n-gram term plus u . scores, the scores computed in the model
    layer = model.get_layer("nb_logistic")
    logit = layer.bias.numpy() + layer.kernel.numpy()[0] * layer.ratios.numpy()[0] + columns @ weights
    np.testing.assert_allclose(probability, 1 / (1 + np.exp(-logit)), atol=1e-5)


def test_the_saved_model_scores_in_its_graph(tmp_path):
    trained = build_model(CONFIG, ngram_keys=np.array([7]), nb_ratios=np.array([0.0]))
    lexicon_columns.set_weights(trained, np.array([0.0, 3.0, -1.0, 0.5]))
    model = inference_copy(trained)  # as an ensemble's member is exported: a clone, its own table

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def predict_text(text):
        ids = tf.sparse.from_dense(tf.fill([tf.size(text), 1], tf.constant(7, tf.int64)))
        return {"probability": model({features.NGRAMS: ids, features.TEXT: text})}

    path = str(tmp_path / "model")
    model.save(path, save_format="tf", signatures={"predict_text": predict_text})
    saved = saved_model_pb2.SavedModel()
    with open(os.path.join(path, "saved_model.pb"), "rb") as f:
        saved.ParseFromString(f.read())
    graph = saved.meta_graphs[0].graph_def
    op_types = {n.op for n in graph.node} | {n.op for fn in graph.library.function for n in fn.node_def}
    assert "LookupTableFindV2" in op_types and not op_types & {"PyFunc", "EagerPyFunc", "PyFuncStateless"}
    del model, trained
    loaded = tf.saved_model.load(path)
    got = loaded.signatures["predict_text"](text=tf.constant(TEXTS))["probability"].numpy().reshape(-1)
    scores = lexicon.vader_scores(tf.constant(TEXTS)).numpy()
    np.testing.assert_allclose(got, 1 / (1 + np.exp(-(scores @ np.array([3.0, -1.0, 0.5])))), atol=1e-5)


def test_only_texts_of_at_most_max_bytes_are_scored():
    """A text longer than MAX_BYTES (a whole review) has the scores 0: its lexicon term is 0, in
    training (SideColumns) as in the model."""
    long_text = " ".join(["A wonderful film!"] * 60)
    edge = ("x" * (lexicon_columns.MAX_BYTES - len("Wonderful! "))) + " Wonderful!"
    texts = [TEXTS[0], long_text, edge, edge + "!", ""]
    assert len(edge.encode()) == lexicon_columns.MAX_BYTES
    got = lexicon_columns.LexiconScores()(tf.constant(texts)).numpy()
    expected = lexicon.vader_scores(tf.constant(texts)).numpy()
    np.testing.assert_array_equal(got[[0, 2, 4]], expected[[0, 2, 4]])
    assert expected[1, 0] > 0.9 and expected[3, 0] > 0 and not got[[1, 3]].any()
    assert not lexicon_columns.LexiconScores()(tf.constant([long_text, long_text])).numpy().any()  # none scored
    side = lexicon_columns.SideColumns(batches(texts, np.zeros(len(texts), np.int64), batch_size=2), chunk=3)
    list(side)
    np.testing.assert_array_equal(side.columns(), got)
