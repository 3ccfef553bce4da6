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


def batches_accessor(batches, reads):
    """TFX's data accessor standing in as a factory of (features, label) batches; counts its reads."""
    def factory(files, options, schema):
        reads.append(list(files))
        return tf.data.Dataset.from_generator(lambda: iter(batches), output_signature=(
            {features.TEXT: tf.TensorSpec([None, 1], tf.string)}, tf.TensorSpec([None, 1], tf.int64)))
    return types.SimpleNamespace(tf_dataset_factory=factory)


def test_a_model_that_reads_text_alone_reads_each_split_once_and_every_review_each_epoch():
    texts = [f"review {i}".encode() for i in range(25)]
    batches = [({features.TEXT: tf.constant([[t] for t in texts[i:i + 10]])},
                tf.constant([[i % 2] for i in range(i, min(i + 10, 25))], tf.int64)) for i in range(0, 25, 10)]
    reads = []
    data = input_data.TrainingData(["train-files"], ["eval-files"], batches_accessor(batches, reads),
                                   types.SimpleNamespace(transformed_metadata=types.SimpleNamespace(schema=None)))
    config = input_data.TrainingConfig(batch_size=4)
    stream = []
    for inputs, label in data.dataset(config, features.TRAIN_SPLIT, train=True).take(25):
        assert inputs[features.TEXT].shape.rank == 1 and np.array_equal(
            label.numpy(), [int(t.split()[1]) % 2 for t in inputs[features.TEXT].numpy()])
        stream.extend(inputs[features.TEXT].numpy())
    # 25 batches of 4: four passes over the 25 reviews, each a new order
    passes = [stream[i:i + 25] for i in range(0, 100, 25)]
    assert all(sorted(p) == sorted(texts) for p in passes)
    assert len({tuple(p) for p in passes} | {tuple(texts)}) == 5
    in_order = [t for inputs, _ in data.dataset(config, features.TRAIN_SPLIT, batch_size=10)
                for t in inputs[features.TEXT].numpy()]
    fingerprinted = [t for inputs, _ in data.dataset(config, features.TRAIN_SPLIT, keys=[features.TEXT],
                                                     batch_size=1000, reviews=True) for t in inputs[features.TEXT].numpy()]
    assert in_order == fingerprinted == texts
    data.dataset(config, features.EVAL_SPLIT)
    data.dataset(config, features.EVAL_SPLIT, batch_size=1000)
    assert reads == [["train-files"], ["eval-files"]]  # each split parsed once
    # an n-gram model's run reads the files (its peak memory is the fit's), even for the text alone
    wide = input_data.TrainingConfig(head="wide")
    assert [t for inputs, _ in data.dataset(wide, features.TRAIN_SPLIT, keys=[features.TEXT], batch_size=10)
            for t in inputs[features.TEXT].numpy()] == texts
    assert reads[2:] == [["train-files"]]
