"""Trainer module (referenced as `run_fn`): the models of pipeline.configs.TrainingConfig.

dnn       the review text -> `hub.KerasLayer(module, trainable=...)` -> the tutorial's head
          Dense(500, relu) -> Dense(100, relu) -> Dense(1). With `precompute`, Transform has
          already applied the frozen module and the head reads its vectors (`embedding`).
wide      naive-Bayes-weighted logistic regression on the review's distinct word n-grams
          (Transform's `ngrams` ids): logit = b + sum_i w_i r_i, where r_i is the n-gram's
          log-count ratio between positive and negative train reviews (Wang & Manning's NB
          features, learned here by gradient descent with an L2 penalty on w).
majority  a constant: the train split's share of positive reviews (or mean rating).
ensemble  the average of its members' outputs, each member trained on its own first.

Classification models output a probability, so TFMA's BinaryAccuracy (threshold 0.5)
measures what it says. Regression models (task "regression") predict the rating; their
signatures also give sigmoid(rating - 5.5) as the probability of a positive review.

Exported signatures:
  serving_default     serialized tf.Example (with `text`) -> {"probability": [batch, 1] (, "rating")}
  predict_text        raw review strings               -> the same
  transform_features  serialized tf.Example            -> transformed features (for TFMA)
  serving_transformed serialized transformed tf.Example -> the outputs (experiments' TFMA)

Besides the SavedModel, the Trainer writes `metrics.json` to its model-run directory:
accuracy/AUC (and RMSE/MAE for regression) on the train and eval splits, training wall
time and parameter counts (read by `imdb-tfx experiment`).
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import time

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tensorflow_transform as tft  # noqa: E402
import tf_keras  # noqa: E402
from absl import logging  # noqa: E402
from tfx_bsl.public import tfxio  # noqa: E402

from components import transform  # noqa: E402
from components.embedding_modules import import_hub, resolve_module_handle  # noqa: E402
from pipeline.configs import TrainingConfig  # noqa: E402

OUTPUT_KEY = "probability"
RATING_OUTPUT_KEY = "rating"
RATING_THRESHOLD = 5.5  # ratings are 1-4 (negative) and 7-10 (positive)
METRICS_FILE = "metrics.json"


def training_config(config: dict | TrainingConfig | str | None = None, **overrides) -> TrainingConfig:
    """A TrainingConfig from a custom_config dict (unknown keys such as code_version dropped),
    a TrainingConfig, or a module name, with `overrides` applied."""
    if isinstance(config, TrainingConfig):
        config = dataclasses.asdict(config)
    elif isinstance(config, str):
        config = {"module": config}
    fields = {f.name for f in dataclasses.fields(TrainingConfig)}
    return TrainingConfig(**{k: v for k, v in {**(config or {}), **overrides}.items() if k in fields})


def feature_keys(config: TrainingConfig) -> list[str]:
    """The transformed features the model reads."""
    if config.head == "ensemble":
        return sorted({k for m in config.member_configs() for k in feature_keys(m)})
    if config.head == "wide":
        return [transform.NGRAMS_KEY]
    if config.head == "dnn" and config.precompute:
        return [transform.EMBEDDING_KEY]
    return [transform.TEXT_KEY]


def _inputs(keys, embedding_dim: int | None = None) -> dict:
    specs = {
        transform.TEXT_KEY: dict(shape=(), dtype=tf.string),
        transform.NGRAMS_KEY: dict(shape=(None,), dtype=tf.int64, sparse=True),
        transform.EMBEDDING_KEY: dict(shape=(embedding_dim,), dtype=tf.float32),
    }
    return {k: tf_keras.Input(name=k, **specs[k]) for k in keys}


class NBLogisticRegression(tf_keras.layers.Layer):
    """logit = b + sum over the review's distinct n-grams i of w_i * r_i (r: NB log-count ratios)."""

    def __init__(self, vocab_size: int, ratios=None, l2: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.l2 = int(vocab_size), float(l2)
        self._initial_ratios = ratios

    def build(self, input_shape):
        init = (tf_keras.initializers.Constant(np.asarray(self._initial_ratios, np.float32))
                if self._initial_ratios is not None else "zeros")
        self.ratios = self.add_weight(name="nb_ratios", shape=(self.vocab_size,), initializer=init, trainable=False)
        self.kernel = self.add_weight(name="kernel", shape=(self.vocab_size,), initializer="zeros",
                                      regularizer=tf_keras.regularizers.L2(self.l2) if self.l2 else None)
        self.bias = self.add_weight(name="bias", shape=(), initializer="zeros")
        self._initial_ratios = None
        super().build(input_shape)

    def call(self, ids: tf.SparseTensor):
        weights = tf.gather(self.kernel, ids.values) * tf.gather(self.ratios, ids.values)
        logits = tf.math.unsorted_segment_sum(weights, ids.indices[:, 0], num_segments=ids.dense_shape[0])
        return logits[:, None] + self.bias

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size, "l2": self.l2}


class ConstantOutput(tf_keras.layers.Layer):
    """The same value for every review (the majority-class baseline)."""

    def __init__(self, value: float = 0.5, **kwargs):
        super().__init__(**kwargs)
        self.value = float(value)

    def call(self, text):
        return tf.fill([tf.shape(text)[0], 1], tf.constant(self.value, tf.float32))

    def get_config(self):
        return {**super().get_config(), "value": self.value}


def _summed_rows(gradient: tf.IndexedSlices) -> tuple[tf.Tensor, tf.Tensor]:
    """(distinct rows, their summed gradients) of a sparse gradient, in which a row used twice
    in a batch appears twice."""
    rows, position = tf.unique(gradient.indices)
    return rows, tf.math.unsorted_segment_sum(gradient.values, position, tf.shape(rows)[0])


class LazyAdam(tf_keras.optimizers.Adam):
    """Adam that, for a sparse gradient (an embedding table's IndexedSlices), updates only the
    rows in the batch: their moments and weights (TF-Addons' LazyAdam, PyTorch's SparseAdam).

    Keras' Adam decays both moment tables and rewrites the whole variable every step: for
    GloVe's 356k x 50 table that is ~0.4-0.7 s a step here, against a few ms for the rows used.
    Dense gradients get the ordinary Adam update.
    """

    def update_step(self, gradient, variable):
        if not isinstance(gradient, tf.IndexedSlices):
            return super().update_step(gradient, variable)
        dtype = variable.dtype
        step = tf.cast(self.iterations + 1, dtype)
        beta_1, beta_2 = tf.cast(self.beta_1, dtype), tf.cast(self.beta_2, dtype)
        alpha = tf.cast(self.learning_rate, dtype) * tf.sqrt(1 - tf.pow(beta_2, step)) / (1 - tf.pow(beta_1, step))
        key = self._var_key(variable)
        m, v = self._momentums[self._index_dict[key]], self._velocities[self._index_dict[key]]
        rows, grad = _summed_rows(gradient)
        m_rows = beta_1 * tf.gather(m, rows) + (1 - beta_1) * grad
        v_rows = beta_2 * tf.gather(v, rows) + (1 - beta_2) * tf.square(grad)
        m.scatter_update(tf.IndexedSlices(m_rows, rows))
        v.scatter_update(tf.IndexedSlices(v_rows, rows))
        variable.scatter_sub(tf.IndexedSlices(alpha * m_rows / (tf.sqrt(v_rows) + self.epsilon), rows))


class ProximalAdagrad(tf_keras.optimizers.Adagrad):
    """TF1's ProximalAdagradOptimizer (the tutorial's improvement 5) for Keras: an Adagrad step,
    then the proximal operator of l1 * |w| + l2 / 2 * w^2 with the same per-coordinate step:

        accum += g^2;  lr_t = lr / sqrt(accum);  v = w - lr_t * g
        w = sign(v) * max(|v| - lr_t * l1, 0) / (1 + lr_t * l2)

    (TensorFlow's ApplyProximalAdagrad kernel.) L1 sets small weights exactly to zero. Unlike
    FTRL it steps from the current weights, so a deep network keeps its initialisation. A sparse
    gradient (an embedding table's rows) updates only those rows, duplicates summed.
    """

    def __init__(self, learning_rate=0.001, l1=0.0, l2=0.0, initial_accumulator_value=0.1,
                 name="ProximalAdagrad", **kwargs):
        super().__init__(learning_rate=learning_rate, initial_accumulator_value=initial_accumulator_value,
                         name=name, **kwargs)
        self.l1, self.l2 = float(l1), float(l2)

    def _prox(self, v, lr_t):
        return tf.sign(v) * tf.maximum(tf.abs(v) - lr_t * self.l1, 0.0) / (1.0 + lr_t * self.l2)

    def update_step(self, gradient, variable):
        lr = tf.cast(self.learning_rate, variable.dtype)
        accum = self._accumulators[self._index_dict[self._var_key(variable)]]
        if isinstance(gradient, tf.IndexedSlices):
            rows, grad = _summed_rows(gradient)
            accum_rows = tf.gather(accum, rows) + tf.square(grad)
            accum.scatter_update(tf.IndexedSlices(accum_rows, rows))
            lr_t = lr / tf.sqrt(accum_rows)
            variable.scatter_update(tf.IndexedSlices(self._prox(tf.gather(variable, rows) - lr_t * grad, lr_t), rows))
        else:
            accum.assign_add(tf.square(gradient))
            lr_t = lr / tf.sqrt(accum)
            variable.assign(self._prox(variable - lr_t * gradient, lr_t))

    def get_config(self):
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}


class WeightedAverage(tf_keras.layers.Layer):
    """sum_i weights[i] * inputs[i] (the weights sum to 1)."""

    def __init__(self, weights, **kwargs):
        super().__init__(**kwargs)
        self.member_weights = [float(w) for w in weights]

    def call(self, inputs):
        return tf.add_n([w * x for w, x in zip(self.member_weights, inputs)])

    def get_config(self):
        return {**super().get_config(), "weights": self.member_weights}


def eval_weights(members, dataset: tf.data.Dataset, task: str, step: float = 0.05) -> list[float]:
    """Member weights on a grid of `step` (summing to 1) with the least loss on `dataset` (the
    eval split): log loss of the averaged probabilities, or squared error of the averaged ratings."""
    import itertools

    outputs, labels = [], None
    for member in members:
        output, labels = predictions(member, dataset)
        outputs.append(output)
    outputs = np.stack(outputs)
    n = round(1 / step)
    best, best_loss = None, np.inf
    for parts in itertools.product(range(n + 1), repeat=len(members) - 1):
        if sum(parts) > n:
            continue
        weights = np.array([*parts, n - sum(parts)], np.float64) / n
        combined = weights @ outputs
        if task == "regression":
            loss = np.mean((combined - labels) ** 2)
        else:
            p = np.clip(combined, 1e-7, 1 - 1e-7)
            loss = -np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p))
        if loss < best_loss - 1e-12:
            best, best_loss = weights, loss
    return [round(float(w), 4) for w in best]


def _optimizer(config: TrainingConfig):
    if config.optimizer == "adagrad":
        return tf_keras.optimizers.Adagrad(learning_rate=config.learning_rate)
    if config.optimizer == "adam":
        return LazyAdam(learning_rate=config.learning_rate)
    if config.optimizer == "proximal_adagrad":
        return ProximalAdagrad(learning_rate=config.learning_rate, l1=config.optimizer_l1, l2=config.optimizer_l2)
    # FTRL-proximal: per-coordinate Adagrad step sizes (learning_rate_power -0.5) with L1/L2
    # applied in closed form. It derives the weights from the accumulated gradients and so
    # forgets a deep network's initialisation: on the GloVe DNN it fell to 50% at learning rates
    # 0.01-0.3 (one run at 0.1 reached 76.8%). Made for linear models. The legacy
    # implementation updates an embedding table sparsely (the new one, densely).
    return tf_keras.optimizers.legacy.Ftrl(learning_rate=config.learning_rate, learning_rate_power=-0.5,
                                    initial_accumulator_value=0.1,
                                    l1_regularization_strength=config.optimizer_l1,
                                    l2_regularization_strength=config.optimizer_l2)


def build_model(config: TrainingConfig | dict | str, *, embedding_dim: int | None = None,
                vocab_size: int | None = None, nb_ratios=None, prior: float | None = None,
                **overrides) -> tf_keras.Model:
    """The compiled Keras model of one (non-ensemble) TrainingConfig.

    Inputs: a dict of the transformed features in feature_keys(config). Output: the
    probability of a positive review, or the rating for task "regression".
    `embedding_dim` (precomputed vectors), `vocab_size`/`nb_ratios` (wide) and `prior` (majority:
    the constant output) come from the data.
    """
    config = training_config(config, **overrides)
    if config.head == "ensemble":
        raise ValueError("build_model builds single models; train_model assembles ensembles")
    regression = config.task == "regression"
    inputs = _inputs(feature_keys(config), embedding_dim)
    name = RATING_OUTPUT_KEY if regression else OUTPUT_KEY
    activation = None if regression else "sigmoid"
    regularizer = tf_keras.regularizers.L2(config.l2) if config.l2 else None
    if config.head == "majority":
        default = (RATING_THRESHOLD if regression else 0.5)
        output = ConstantOutput(default if prior is None else prior, name=name)(inputs[transform.TEXT_KEY])
    elif config.head == "wide":
        if vocab_size is None:
            raise ValueError("a wide model needs the n-gram vocabulary size")
        score = NBLogisticRegression(vocab_size, nb_ratios, l2=config.l2, name="nb_logistic")(
            inputs[transform.NGRAMS_KEY])
        output = tf_keras.layers.Activation(activation or "linear", name=name)(
            score + RATING_THRESHOLD if regression else score)
    else:
        if config.precompute:
            x = inputs[transform.EMBEDDING_KEY]
        else:
            x = import_hub().KerasLayer(resolve_module_handle(config.module), trainable=config.trainable,
                                        name="embedding")(inputs[transform.TEXT_KEY])
        for i, units in enumerate(config.hidden_units):
            x = tf_keras.layers.Dense(units, activation="relu", kernel_regularizer=regularizer, name=f"hidden_{i}")(x)
            if config.dropout:
                x = tf_keras.layers.Dropout(config.dropout, name=f"dropout_{i}")(x)
        output = tf_keras.layers.Dense(
            1, activation=activation, kernel_regularizer=regularizer, name=name,
            bias_initializer=tf_keras.initializers.Constant(RATING_THRESHOLD) if regression else "zeros")(x)
    model = tf_keras.Model(inputs, output)

    reduction = tf_keras.losses.Reduction.SUM if config.loss_reduction == "sum" else tf_keras.losses.Reduction.AUTO
    if regression:
        loss = tf_keras.losses.MeanSquaredError(reduction=reduction)
        metrics = [tf_keras.metrics.RootMeanSquaredError(name="rmse"), tf_keras.metrics.MeanAbsoluteError(name="mae")]
    else:
        loss = tf_keras.losses.BinaryCrossentropy(reduction=reduction)
        metrics = [tf_keras.metrics.BinaryAccuracy(name="accuracy"), tf_keras.metrics.AUC(name="auc")]
    model.compile(optimizer=_optimizer(config), loss=loss, metrics=metrics)
    return model


def input_fn(files, data_accessor, tf_transform_output: tft.TFTransformOutput, batch_size: int,
             num_epochs: int | None = None, shuffle_buffer_size: int = 0, *, keys=(transform.TEXT_KEY,),
             task: str = "classification") -> tf.data.Dataset:
    """({feature: [batch, ...]} for `keys}, label [batch]) batches of the transformed examples,
    shuffled if a buffer is given. The label is `rating` (float) for regression.

    ExampleGen writes the reviews in archive order (all neg/, then all pos/), so the
    training buffer must hold the whole split for the batches to be a fair sample.
    """
    regression = task == "regression"
    label_key = transform.RATING_KEY if regression else transform.LABEL_KEY
    dataset = data_accessor.tf_dataset_factory(
        files,
        tfxio.TensorFlowDatasetOptions(batch_size=batch_size, label_key=label_key,
                                       num_epochs=num_epochs, shuffle=shuffle_buffer_size > 0,
                                       shuffle_buffer_size=max(shuffle_buffer_size, 1)),
        tf_transform_output.transformed_metadata.schema)

    def select(features, label):
        chosen = {k: features[k] if isinstance(features[k], tf.SparseTensor) else
                  tf.reshape(features[k], [-1] if k == transform.TEXT_KEY else [tf.shape(features[k])[0], -1])
                  for k in keys}
        label = tf.reshape(label, [-1])
        return chosen, tf.cast(label, tf.float32) if regression else label

    return dataset.map(select)


def nb_ratios(dataset: tf.data.Dataset, vocab_size: int, alpha: float = 1.0) -> np.ndarray:
    """Naive-Bayes log-count ratios r = log((p/|p|_1) / (q/|q|_1)) of binary n-gram features, with
    p (q) = alpha + the number of positive (negative) reviews that contain each n-gram."""
    pos = np.full(vocab_size, alpha, np.float64)
    neg = np.full(vocab_size, alpha, np.float64)
    for features, label in dataset:
        ids = features[transform.NGRAMS_KEY]
        positive = tf.gather(label, ids.indices[:, 0]).numpy() > 0.5
        values = ids.values.numpy()
        pos += np.bincount(values[positive], minlength=vocab_size)
        neg += np.bincount(values[~positive], minlength=vocab_size)
    return np.log(pos / pos.sum()) - np.log(neg / neg.sum())


def _label_mean(dataset: tf.data.Dataset) -> float:
    total, count = 0.0, 0
    for _, label in dataset:
        total, count = total + float(tf.reduce_sum(tf.cast(label, tf.float64))), count + int(tf.size(label))
    if not count:
        raise ValueError("the train split is empty")
    return total / count


@dataclasses.dataclass
class TrainingData:
    """Where a run's data is and how to read it (the parts of the Trainer's/Tuner's fn_args used)."""

    train_files: list
    eval_files: list
    data_accessor: object
    tf_transform_output: tft.TFTransformOutput

    @classmethod
    def from_fn_args(cls, fn_args) -> "TrainingData":
        """From the Trainer's fn_args (transform_output) or the Tuner's (transform_graph_path;
        its transform_output is None)."""
        return cls(fn_args.train_files, fn_args.eval_files, fn_args.data_accessor,
                   tft.TFTransformOutput(getattr(fn_args, "transform_output", None) or fn_args.transform_graph_path))

    def dataset(self, config: TrainingConfig, split: str, *, keys=None, train: bool = False,
                batch_size: int | None = None) -> tf.data.Dataset:
        files = self.train_files if split == "train" else self.eval_files
        return input_fn(files, self.data_accessor, self.tf_transform_output, batch_size or config.batch_size,
                        num_epochs=None if train else 1,
                        shuffle_buffer_size=config.shuffle_buffer_size if train else 0,
                        keys=keys or feature_keys(config), task=config.task)


def train_model(config: TrainingConfig, data: TrainingData, steps: int | None = None, *,
                validate: bool = True, log_dir: str | None = None) -> tf_keras.Model:
    """Builds and trains the model of `config` (`steps` overrides config.train_steps); an
    ensemble trains each member in turn and averages them."""
    if config.head == "ensemble":
        members = [_inference_copy(train_model(m, data, validate=validate,
                                               log_dir=log_dir and os.path.join(log_dir, f"member_{i}")))
                   for i, m in enumerate(config.member_configs())]
        weights = [1.0 / len(members)] * len(members)
        if config.ensemble_weights == "eval":
            weights = eval_weights(members, data.dataset(config, "eval", batch_size=1000), config.task)
        logging.info("ensemble weights: %s", weights)
        inputs = _inputs(feature_keys(config), _embedding_dim(data))
        outputs = [m({k: inputs[k] for k in m.input_names}) for m in members]
        name = RATING_OUTPUT_KEY if config.task == "regression" else OUTPUT_KEY
        model = tf_keras.Model(inputs, WeightedAverage(weights, name=name)(outputs))
        model.ensemble_weights = weights
        return model

    kwargs: dict = {"embedding_dim": _embedding_dim(data)}
    if config.head == "wide":
        vocab_size = data.tf_transform_output.vocabulary_size_by_name(transform.NGRAM_VOCABULARY)
        kwargs.update(vocab_size=vocab_size, nb_ratios=nb_ratios(
            data.dataset(training_config(config, task="classification"), "train", batch_size=1000),
            vocab_size, config.nb_alpha))
    if config.head == "majority":
        kwargs["prior"] = _label_mean(data.dataset(config, "train", batch_size=1000))
    model = build_model(config, **kwargs)
    model.summary(print_fn=logging.info)
    if config.head == "majority":
        return model
    steps = int(steps or config.train_steps)
    evaluations = max(1, min(config.evaluations, steps))
    callbacks = [tf_keras.callbacks.TensorBoard(log_dir=log_dir, update_freq="epoch")] if log_dir else []
    model.fit(
        data.dataset(config, "train", train=True),
        steps_per_epoch=math.ceil(steps / evaluations),
        epochs=evaluations,
        validation_data=data.dataset(config, "eval") if validate else None,
        callbacks=callbacks,
        verbose=2,
    )
    return model


def _inference_copy(model: tf_keras.Model) -> tf_keras.Model:
    """The model with its trained weights and no optimizer. A compiled member inside an ensemble
    would carry its optimizer's state into the SavedModel: for a fine-tuned GloVe, Adam's two
    moment tables, 142 MB."""
    copy = tf_keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


def _embedding_dim(data: TrainingData) -> int | None:
    spec = data.tf_transform_output.transformed_feature_spec().get(transform.EMBEDDING_KEY)
    return int(spec.shape[-1]) if spec is not None else None


def predictions(model: tf_keras.Model, dataset: tf.data.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """(model outputs, labels) over a finite dataset."""
    outputs, labels = [], []
    for features, label in dataset:
        outputs.append(model(features, training=False).numpy().reshape(-1))
        labels.append(label.numpy().reshape(-1))
    if not outputs:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(outputs), np.concatenate(labels)


def auc(scores: np.ndarray, positive: np.ndarray) -> float | None:
    """Area under the ROC curve (the Mann-Whitney statistic, ties counted half)."""
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    if not n_pos or not n_neg:
        return None
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    ranks = (np.cumsum(counts) - (counts - 1) / 2.0)[inverse]  # average ranks, 1-based
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def split_metrics(model: tf_keras.Model, dataset: tf.data.Dataset, task: str) -> dict:
    """accuracy and AUC (and RMSE, MAE of the rating for regression) of the model on a split."""
    output, label = predictions(model, dataset)
    metrics = {}
    if task == "regression":
        metrics = {"rmse": float(np.sqrt(np.mean((output - label) ** 2))), "mae": float(np.mean(np.abs(output - label)))}
    threshold = RATING_THRESHOLD if task == "regression" else 0.5  # a rating, or a probability
    positive = label > threshold
    metrics.update(accuracy=float(np.mean((output > threshold) == positive)), auc=auc(output, positive),
                   examples=int(label.size))
    return metrics


def make_signatures(model: tf_keras.Model, tf_transform_output: tft.TFTransformOutput,
                    task: str = "classification") -> dict:
    model.tft_layer = tf_transform_output.transform_features_layer()
    raw_spec = tf_transform_output.raw_feature_spec()
    text_spec = {transform.TEXT_KEY: raw_spec[transform.TEXT_KEY]}
    keys = list(model.input_names)

    def outputs(transformed):
        features = {k: transformed[k] if k != transform.TEXT_KEY else tf.reshape(transformed[k], [-1]) for k in keys}
        output = model(features)
        if task == "regression":
            return {RATING_OUTPUT_KEY: output, OUTPUT_KEY: tf.sigmoid(output - RATING_THRESHOLD)}
        return {OUTPUT_KEY: output}

    def predict(raw_features):
        return outputs(model.tft_layer(raw_features))

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="examples")])
    def serve_tf_examples(serialized):
        return predict(tf.io.parse_example(serialized, text_spec))

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
    def predict_text(text):
        return predict({transform.TEXT_KEY: tf.reshape(text, [-1, 1])})

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="examples")])
    def transform_features(serialized):
        return model.tft_layer(tf.io.parse_example(serialized, raw_spec))

    transformed_spec = tf_transform_output.transformed_feature_spec()

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="examples")])
    def serve_transformed(serialized):
        return outputs(tf.io.parse_example(serialized, transformed_spec))

    return {"serving_default": serve_tf_examples, "predict_text": predict_text,
            "transform_features": transform_features, "serving_transformed": serve_transformed}


def apply_hyperparameters(config: TrainingConfig, hyperparameters: dict | None) -> TrainingConfig:
    """The config with the Tuner's best values (learning_rate, hidden_units "500,100", dropout)."""
    values = dict((hyperparameters or {}).get("values", {}))
    if "hidden_units" in values:
        values["hidden_units"] = tuple(int(u) for u in str(values["hidden_units"]).split(",") if u)
    return training_config(config, **values)


def _count_params(weights) -> int:
    return int(sum(np.prod(w.shape) for w in weights))


def run_fn(fn_args) -> None:
    """TFX Trainer entry point (GenericExecutor)."""
    config = apply_hyperparameters(training_config(fn_args.custom_config), fn_args.hyperparameters)
    logging.info("training %s", config)
    data = TrainingData.from_fn_args(fn_args)
    start = time.time()
    model = train_model(config, data, fn_args.train_steps if config.head != "ensemble" else None,
                        log_dir=fn_args.model_run_dir)
    seconds = time.time() - start
    metrics = {
        "config": dataclasses.asdict(config),
        "ensemble_weights": getattr(model, "ensemble_weights", None),
        "training_seconds": round(seconds, 1),
        "trainable_params": _count_params(model.trainable_weights),
        "params": _count_params(model.weights),
    }
    for split in ("train", "eval"):
        metrics[split] = split_metrics(model, data.dataset(config, split, batch_size=1000), config.task)
    logging.info("metrics: %s", metrics)
    tf.io.gfile.makedirs(fn_args.model_run_dir)
    with tf.io.gfile.GFile(os.path.join(fn_args.model_run_dir, METRICS_FILE), "w") as f:
        json.dump(metrics, f, indent=2)
    # Without the optimizer's state: Adam's two moment tables would triple a fine-tuned
    # embedding's size on disk (the serving model is only ever loaded for inference).
    model.save(fn_args.serving_model_dir, save_format="tf", include_optimizer=False,
               signatures=make_signatures(model, data.tf_transform_output, config.task))
