"""The Trainer's input pipeline (components/trainer/input_data.py)."""
import types

import numpy as np
import tensorflow as tf

from components import features
from components.trainer import input_data


def test_without_autotune_turns_the_autotuning_thread_off_and_keeps_the_elements():
    dataset = tf.data.Dataset.range(5).map(lambda x: x * 2, num_parallel_calls=tf.data.AUTOTUNE)
    assert dataset.options().autotune.enabled is not False
    quiet = input_data.without_autotune(dataset)
    assert quiet.options().autotune.enabled is False
    assert list(quiet.as_numpy_iterator()) == [0, 2, 4, 6, 8]


def test_the_trainer_reads_its_examples_without_autotuning():
    # TFX's data accessor stands in as a factory of one batch; the pipeline built on it is input_fn's.
    batch = ({features.TEXT: tf.constant([[b"a fine film"], [b"dull"]])}, tf.constant([[1], [0]], tf.int64))
    accessor = types.SimpleNamespace(tf_dataset_factory=lambda files, options, schema: tf.data.Dataset.from_tensors(batch))
    transform_output = types.SimpleNamespace(transformed_metadata=types.SimpleNamespace(schema=None))
    dataset = input_data.input_fn(["unused"], accessor, transform_output, batch_size=2, num_epochs=None,
                                  shuffle_buffer_size=10)
    assert dataset.options().autotune.enabled is False
    inputs, label = next(iter(dataset))
    assert inputs[features.TEXT].shape == (2,) and np.array_equal(label.numpy(), [1, 0])
