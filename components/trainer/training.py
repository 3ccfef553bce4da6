"""train_model: builds and trains the model of a TrainingConfig (an ensemble member by member)."""
from __future__ import annotations

import dataclasses
import functools
import math
import os
import types

import numpy as np
import scipy.sparse
import tensorflow as tf
import tf_keras
from absl import logging

from components import features, snippets
from components.trainer import (ensemble, frozen_module, lbfgs, lexicon_columns, memory, review_pieces, unlabelled,
                                warm_start)
from components.trainer.input_data import TrainingData, feature_keys, label_mean
from components.trainer.lbfgs import SparseRows
from components.trainer.models import build_model, compile_model
from components.trainer.naive_bayes import ngram_table
from components.training_config import LENGTH_WEIGHT_BOUNDS, TrainingConfig, training_config


def train_model(config: TrainingConfig, data: TrainingData, steps: int | None = None, *,
                validate: bool = True, log_dir: str | None = None,
                warm: warm_start.WarmStart | None = None, index: int = 0) -> tf_keras.Model:
    """Builds and trains the model of `config` (`steps` overrides config.train_steps); an
    ensemble trains each member in turn and averages them. `warm` (warm_start.plan): the base
    model's weights to start from, for single model `index` (an ensemble's member)."""
    if config.head == "ensemble":
        return _train_ensemble(config, data, validate=validate, log_dir=log_dir, warm=warm)
    if config.unlabelled_margin and data.extra_sentences is None:
        raise ValueError("unlabelled_margin needs an ensemble: its member trained on reviews labels the "
                         "unlabelled reviews first")
    kwargs: dict = {"embedding_dim": data.embedding_dim()}
    rows = columns = None
    if config.head == "wide":
        memory.release()  # what earlier components and members left on the heap, before the matrix
        batches = data.dataset(training_config(config, task="classification"), features.TRAIN_SPLIT, batch_size=1000)
        if config.lexicon:  # the lexicon's scores of the same rows, in the same pass
            batches = lexicon_columns.SideColumns(batches)
        rows = SparseRows.collect(batches, config.min_count)
        columns = batches.columns() if config.lexicon else None
        keys, ratios = ngram_table(rows, config.min_count, config.nb_alpha)
        logging.info("n-gram table: %d ids in at least %d of %d train %s", keys.size, config.min_count,
                     rows.labels.size, config.train_on)
        kwargs.update(ngram_keys=keys, nb_ratios=ratios)
    if config.head == "majority":
        kwargs["prior"] = label_mean(data.dataset(config, features.TRAIN_SPLIT, batch_size=1000))
    model = build_model(config, **kwargs)
    model.summary(print_fn=logging.info)
    if config.head == "majority":
        return model
    steps = int(steps or config.train_steps)
    evaluations = config.evaluations
    if warm is not None and warm.weights[index] is not None:
        if warm_start.apply(model, warm.weights[index]):
            steps, evaluations = warm.steps(index, steps), warm.steps(index, evaluations)
            logging.info("warm start: model %d from %s, %d steps", index, warm.base, steps)
        else:  # the architecture record matched but the weights do not (a record edited by hand)
            warm.weights[index] = None
            warm.reason += f"; model {index}: the base's weights have other shapes: trained from scratch"
    if config.optimizer == "lbfgs":
        fit_lbfgs(model, config, data, rows, steps, warm=warm is not None and warm.weights[index] is not None,
                  columns=columns)
        return model
    evaluations = max(1, min(evaluations, steps))
    fitted, read = model, data.dataset
    if frozen_module.applies(config):  # the head on the module's vectors, computed once
        fitted = frozen_module.head(model)
        compile_model(fitted, config)
        read = functools.partial(frozen_module.dataset, model, data=data)
    train_data = read(config, features.TRAIN_SPLIT, train=True)
    create_training_variables(fitted, train_data.element_spec[1])
    callbacks = [tf_keras.callbacks.TensorBoard(log_dir=log_dir, update_freq="epoch")] if log_dir else []
    fitted.fit(
        train_data,
        steps_per_epoch=math.ceil(steps / evaluations),
        epochs=evaluations,
        validation_data=read(config, features.EVAL_SPLIT) if validate else None,
        callbacks=callbacks,
        verbose=2,
    )
    return model


def create_training_variables(model: tf_keras.Model, label_spec: tf.TensorSpec) -> None:
    """Creates the variables the first training step would create (the optimiser's slots and
    weight averages, the compiled loss's and metrics' totals) before `fit`. A `tf.function`
    whose first trace creates variables is traced a second time, to run without creating them:
    Keras' train and test steps were each traced twice (0.3-0.4 s of every Trainer run;
    docs/warm_start.md). The same values: each is created as the first step would create it,
    from the weights as they are now (a warm start's, once applied)."""
    y_true = tf.zeros([1, *label_spec.shape[1:]], label_spec.dtype)
    outputs = [tf.zeros([1, *output.shape[1:]], output.dtype) for output in model.outputs]
    y_pred = outputs[0] if len(outputs) == 1 else outputs
    model.compiled_loss.build(y_pred)
    model.compiled_metrics.build(y_pred, y_true)
    if isinstance(model.optimizer, tf_keras.optimizers.Optimizer):
        model.optimizer.build(model.trainable_variables)
    else:  # a legacy optimiser (ftrl)
        model.optimizer._create_all_weights(model.trainable_variables)


def fit_lbfgs(model: tf_keras.Model, config: TrainingConfig, data: TrainingData, rows: SparseRows,
              steps: int | None, warm: bool = False, columns: np.ndarray | None = None) -> None:
    """Sets the wide model's weights to the L-BFGS optimum of its loss on the train split
    (components/trainer/lbfgs.py); `rows` holds the split's kept n-gram ids (the table's columns),
    and gives its matrix up to the fit. `warm`: start from the layer's weights (a warm start's).
    `columns`: the lexicon's scores of the rows (config.lexicon), fitted with the n-grams."""
    layer = model.get_layer("nb_logistic")
    regression = config.task == "regression"
    labels = rows.labels
    if regression:  # the same rows in the same order, labelled with their ratings
        labels = SparseRows.collect(data.dataset(config, features.TRAIN_SPLIT, batch_size=1000)).labels
    if rows.keys.size:  # (X diag(r))^T in float64: each kept n-gram's row of train rows; X freed first
        transposed = rows.matrix.T.tocsr()
        rows.matrix = None
        memory.release()
        ratios = layer.ratios.numpy().astype(np.float64)
        matrix_t = scipy.sparse.csr_matrix((np.repeat(ratios, np.diff(transposed.indptr)), transposed.indices,
                                            transposed.indptr), shape=transposed.shape)
        del transposed
    else:
        matrix_t = scipy.sparse.csr_matrix((1, labels.size))
    initial = [layer.kernel.numpy()]
    if columns is not None:
        matrix_t = lexicon_columns.with_columns(matrix_t, columns)
        initial.append(lexicon_columns.get_weights(model))
    weights, bias, info = lbfgs.fit(matrix_t, labels, config.l2, regression=regression,
                                    offset=features.RATING_THRESHOLD if regression else 0.0,
                                    max_iterations=int(steps or config.train_steps), transposed=True,
                                    initial=(np.concatenate([*initial, [layer.bias.numpy()]]) if warm else None))
    del matrix_t
    if columns is not None:
        weights = lexicon_columns.set_weights(model, weights)
    logging.info("L-BFGS on %d x %d: %s", labels.size, weights.size, info)
    layer.kernel.assign(weights)
    layer.bias.assign(bias)
    if not info["converged"]:
        logging.warning("L-BFGS stopped before converging (%s): raise train_steps", info["message"])


def _train_ensemble(config: TrainingConfig, data: TrainingData, *, validate: bool,
                    log_dir: str | None, warm: warm_start.WarmStart | None = None) -> tf_keras.Model:
    member_configs, labeller = config.member_configs(), config.unlabelled_labeller()
    members, unlabelled_counts = [], None
    for i, member in enumerate(member_configs):
        member_data = data
        if member.unlabelled_margin:  # labeller < i (TrainingConfig checks)
            texts, labels, unlabelled_counts = unlabelled.pseudo_labelled_sentences(
                members[labeller], member_configs[labeller], data, member.unlabelled_margin)
            member_data = dataclasses.replace(data, extra_sentences=(texts, labels))
        members.append(ensemble.inference_copy(train_model(
            member, member_data, validate=validate, log_dir=log_dir and os.path.join(log_dir, f"member_{i}"),
            warm=warm, index=i)))
    weights, bounds = [1.0 / len(members)] * len(members), None
    if config.ensemble_weights == "eval":
        weights = ensemble.eval_weights(members, data.dataset(config, features.EVAL_SPLIT, batch_size=1000), config.task)
    elif config.ensemble_weights == "eval_by_length":
        bounds = LENGTH_WEIGHT_BOUNDS
        eval_pieces = data.pieces(config, features.EVAL_SPLIT, (review_pieces.REVIEWS, *snippets.SNIPPETS), batch_size=1000)
        weights = ensemble.eval_weights_by_length(members, eval_pieces, config.task, bounds)
    logging.info("ensemble weights: %s (word-count bounds %s)", weights, bounds)
    model = ensemble.ensemble_model(members, weights, feature_keys(config), config.task, data.embedding_dim(), bounds)
    model.unlabelled = unlabelled_counts
    # The trained members, for the warm-start record (warm_start.export); a namespace, not a
    # list, which Keras would track as more sublayers.
    model.member_models = types.SimpleNamespace(models=members)
    return model
