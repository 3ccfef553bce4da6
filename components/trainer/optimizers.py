"""The optimisers of TrainingConfig.optimizer, two of them sparse-aware versions written here."""
from __future__ import annotations

import tensorflow as tf
import tf_keras

from components.training_config import TrainingConfig


def summed_rows(gradient: tf.IndexedSlices) -> tuple[tf.Tensor, tf.Tensor]:
    """(distinct rows, their summed gradients) of a sparse gradient, in which a row used twice
    in a batch appears twice."""
    rows, position = tf.unique(gradient.indices)
    return rows, tf.math.unsorted_segment_sum(gradient.values, position, tf.shape(rows)[0])


class AveragedWeights:
    """Keras' weight averaging (`use_ema`: the trained weights are a moving average of the
    steps' weights, written over them when `fit` ends) with the decay of TensorFlow's
    ExponentialMovingAverage given `num_updates`: min(ema_momentum, (1 + t) / (10 + t)) at step
    t of this optimiser, so that a short training averages its own steps, not its start.

    The weights after the last step of Adagrad swing with the last batches: two runs of the
    default model differ by a point of test accuracy at the 0.5 threshold with nearly the same
    AUC (the mean predicted probability between 0.37 and 0.58), and a warm start, cut short,
    more so (docs/warm_start.md). The average does not.
    """

    def _update_model_variables_moving_average(self, var_list):
        if not self.use_ema:
            return
        step = tf.cast(self.iterations, tf.float32)
        momentum = tf.minimum(tf.constant(self.ema_momentum, tf.float32), (1.0 + step) / (10.0 + step))
        for var in var_list:
            average = self._model_variables_moving_average[self._index_dict[self._var_key(var)]]
            decay = tf.cast(momentum, average.dtype)
            average.assign(decay * average + (1 - decay) * var)


class Adagrad(AveragedWeights, tf_keras.optimizers.Adagrad):
    """Keras' Adagrad with AveragedWeights' decay."""


class LazyAdam(AveragedWeights, tf_keras.optimizers.Adam):
    """Adam that, for a sparse gradient (an embedding table's IndexedSlices), updates only the
    rows in the batch: their moments and weights (TF-Addons' LazyAdam, PyTorch's SparseAdam).

    Keras' Adam decays both moment tables and rewrites the whole variable every step, which
    for GloVe's 356k x 50 table costs far more than the rows used (scripts/benchmark_optimizers.py).
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
        rows, grad = summed_rows(gradient)
        m_rows = beta_1 * tf.gather(m, rows) + (1 - beta_1) * grad
        v_rows = beta_2 * tf.gather(v, rows) + (1 - beta_2) * tf.square(grad)
        m.scatter_update(tf.IndexedSlices(m_rows, rows))
        v.scatter_update(tf.IndexedSlices(v_rows, rows))
        variable.scatter_sub(tf.IndexedSlices(alpha * m_rows / (tf.sqrt(v_rows) + self.epsilon), rows))


class ProximalAdagrad(Adagrad):
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
            rows, grad = summed_rows(gradient)
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


def _ftrl(config: TrainingConfig):
    # FTRL-proximal: per-coordinate Adagrad step sizes (learning_rate_power -0.5) with L1/L2
    # applied in closed form. It derives the weights from the accumulated gradients and so
    # forgets a deep network's initialisation: made for linear models (docs/results.md has
    # what it did on the GloVe DNN). The legacy implementation updates an embedding table
    # sparsely (the new one, densely).
    return tf_keras.optimizers.legacy.Ftrl(learning_rate=config.learning_rate, learning_rate_power=-0.5,
                                           initial_accumulator_value=0.1,
                                           l1_regularization_strength=config.optimizer_l1,
                                           l2_regularization_strength=config.optimizer_l2)


def averaging(config: TrainingConfig) -> dict:
    """The weight-averaging arguments of a Keras optimiser (AveragedWeights) for `config`: on
    when ema_momentum > 0, except for a trainable embedding, whose table (GloVe's 356k x 50) an
    average would rewrite whole at every step, where the step touches only the batch's rows."""
    on = config.ema_momentum > 0 and not config.trainable
    return {"use_ema": on, "ema_momentum": config.ema_momentum} if on else {}


FACTORIES = {
    "adagrad": lambda c: Adagrad(learning_rate=c.learning_rate, **averaging(c)),
    "adam": lambda c: LazyAdam(learning_rate=c.learning_rate, **averaging(c)),
    "proximal_adagrad": lambda c: ProximalAdagrad(learning_rate=c.learning_rate, l1=c.optimizer_l1,
                                                  l2=c.optimizer_l2, **averaging(c)),
    "ftrl": _ftrl,
    # The wide model fitted by full-batch L-BFGS (components/trainer/lbfgs.py) is compiled for
    # its loss and metrics only; this optimiser never steps.
    "lbfgs": lambda c: tf_keras.optimizers.SGD(learning_rate=0.0),
}


def make_optimizer(config: TrainingConfig):
    """The optimiser of `config` (FACTORIES has one for each of training_config.OPTIMIZERS)."""
    return FACTORIES[config.optimizer](config)
