"""The Trainer's input pipeline: batches of Transform's materialised examples."""
from __future__ import annotations

import dataclasses

import numpy as np
import tensorflow as tf
import tensorflow_transform as tft
from tfx_bsl.public import tfxio

from components import features
from components.trainer import review_pieces
from components.training_config import TrainingConfig


def feature_keys(config: TrainingConfig) -> list[str]:
    """The transformed features the model of `config` reads."""
    if config.head == "ensemble":
        by_length = [features.WORD_COUNT] if config.ensemble_weights == "eval_by_length" else []
        return sorted({k for m in config.member_configs() for k in feature_keys(m)} | set(by_length))
    if config.head == "wide":
        return [features.NGRAMS, features.TEXT] if config.lexicon else [features.NGRAMS]
    if config.head == "dnn" and config.precompute:
        return [features.EMBEDDING]
    return [features.TEXT]


def input_fn(files, data_accessor, tf_transform_output: tft.TFTransformOutput, batch_size: int,
             num_epochs: int | None = None, shuffle_buffer_size: int = 0, *, keys=(features.TEXT,),
             task: str = "classification") -> tf.data.Dataset:
    """({feature: [batch, ...]} for `keys`, label [batch]) batches of the transformed examples,
    shuffled if a buffer is given. The label is `rating` (float) for regression.

    ExampleGen writes the reviews in archive order (all neg/, then all pos/), so the
    training buffer must hold the whole split for the batches to be a fair sample.
    """
    regression = task == "regression"
    label_key = features.RATING if regression else features.LABEL
    dataset = data_accessor.tf_dataset_factory(
        files,
        tfxio.TensorFlowDatasetOptions(batch_size=batch_size, label_key=label_key,
                                       num_epochs=num_epochs, shuffle=shuffle_buffer_size > 0,
                                       shuffle_buffer_size=max(shuffle_buffer_size, 1)),
        tf_transform_output.transformed_metadata.schema)

    return without_autotune(dataset.map(selector(keys, task)))


def without_autotune(dataset: tf.data.Dataset) -> tf.data.Dataset:
    """`dataset` without tf.data's autotuning thread. Freeing an iterator waits for that thread,
    which sleeps until its next tuning (the period doubles as the iterator runs) rather than
    waking at the free: after fit's last epoch the Trainer stood still for 0 to 4.4 s (gdb: the
    main thread in ~RootDataset::Iterator, the thread in Model::OptimizeLoop's timed wait). A
    pass over the train split reads as fast without it (docs/warm_start.md)."""
    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)


def text_dataset(texts: tf.Tensor, labels: tf.Tensor, batch_size: int, *,
                 shuffle_buffer_size: int = 0, key: str | None = features.TEXT) -> tf.data.Dataset:
    """({key: [batch, ...]}, label [batch]) batches of texts (or of any rows) in memory, in
    order; shuffled (their indices, so that the buffer holds integers, not copies of the texts)
    and repeated if a buffer is given. `key` None: the rows themselves, not in a dict."""
    indices = tf.data.Dataset.range(int(texts.shape[0]))
    if shuffle_buffer_size > 0:
        indices = indices.shuffle(max(1, min(shuffle_buffer_size, int(texts.shape[0])))).repeat()
    return without_autotune(indices.batch(batch_size).map(
        lambda i: (tf.gather(texts, i) if key is None else {key: tf.gather(texts, i)}, tf.gather(labels, i))))


def selector(keys, task: str = "classification"):
    """The function that maps (transformed features, label) to the model's inputs `keys`, shaped
    as its Keras inputs, and the label as a vector (float for regression)."""
    def select(batch, label):
        chosen = {k: batch[k] if isinstance(batch[k], tf.SparseTensor) else
                  tf.reshape(batch[k], [-1] if k == features.TEXT else [tf.shape(batch[k])[0], -1])
                  for k in keys}
        label = tf.reshape(label, [-1])
        return chosen, tf.cast(label, tf.float32) if task == "regression" else label

    return select


def split_of(pattern: str) -> str:
    """The split name of a TFX split file pattern (".../Split-unsup/*" -> "unsup")."""
    for part in reversed(pattern.replace("\\", "/").split("/")):
        if part.startswith("Split-"):
            return part[len("Split-"):]
    return ""


@dataclasses.dataclass
class TrainingData:
    """Where a run's data is and how to read it (the parts of the Trainer's/Tuner's fn_args used).

    `unlabelled_files`: Transform's split `unsup`, which the Trainer gets beside `train` (TrainArgs
    splits) when a model learns from unlabelled reviews; `extra_sentences`: (texts, labels) that
    a model trained on sentences learns from besides the train reviews' sentences.
    """

    train_files: list
    eval_files: list
    data_accessor: object
    tf_transform_output: tft.TFTransformOutput
    unlabelled_files: list = dataclasses.field(default_factory=list)
    extra_sentences: tuple | None = None
    # (split, task) -> (texts, labels): the splits read into memory (texts()); shared by copies
    # made with dataclasses.replace, which read the same files.
    _in_memory: dict = dataclasses.field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_fn_args(cls, fn_args) -> "TrainingData":
        """From the Trainer's fn_args (transform_output) or the Tuner's (transform_graph_path;
        its transform_output is None)."""
        train = [f for f in fn_args.train_files if split_of(f) != features.UNSUP_SPLIT]
        unlabelled = [f for f in fn_args.train_files if split_of(f) == features.UNSUP_SPLIT]
        return cls(train, fn_args.eval_files, fn_args.data_accessor,
                   tft.TFTransformOutput(getattr(fn_args, "transform_output", None) or fn_args.transform_graph_path),
                   unlabelled)

    def dataset(self, config: TrainingConfig, split: str, *, keys=None, train: bool = False,
                batch_size: int | None = None, reviews: bool = False) -> tf.data.Dataset:
        """The `split` ("train", "eval" or "unsup") as `config` reads it: shuffled and repeated if `train`.
        For a model trained on sentences (config.train_on), the train split is its reviews'
        sentences, unless `reviews`."""
        if split == features.TRAIN_SPLIT and config.train_on == review_pieces.SENTENCES and not reviews:
            return self.pieces(config, split, [review_pieces.SENTENCES], keys=keys, train=train, batch_size=batch_size,
                               extra=self.extra_sentences)
        keys = list(keys or feature_keys(config))
        if keys == feature_keys(config) == [features.TEXT] and split != features.UNSUP_SPLIT:
            texts, labels = self.texts(split, config.task)
            return text_dataset(texts, labels, batch_size or config.batch_size,
                                shuffle_buffer_size=config.shuffle_buffer_size if train else 0)
        return input_fn(self._files(split), self.data_accessor, self.tf_transform_output, batch_size or config.batch_size,
                        num_epochs=None if train else 1,
                        shuffle_buffer_size=config.shuffle_buffer_size if train else 0,
                        keys=keys, task=config.task)

    def _files(self, split: str) -> list:
        return {features.TRAIN_SPLIT: self.train_files, features.EVAL_SPLIT: self.eval_files,
                features.UNSUP_SPLIT: self.unlabelled_files}[split]

    def texts(self, split: str, task: str = "classification") -> tuple[tf.Tensor, tf.Tensor]:
        """The transformed `text` of the split's reviews and their labels (`rating` for
        regression), read once and kept in memory, for a model that reads text alone: it passes
        over its train split three times (the reviews' fingerprints, the shuffle buffer's fill,
        the metrics) and over its eval split at every validation, and each pass parsed the files
        again (docs/warm_start.md); its train split is in memory anyway, in the shuffle buffer.
        Other models (the n-gram ones, whose peak memory is the fit's) read the files."""
        def read():
            parts = list(input_fn(self._files(split), self.data_accessor, self.tf_transform_output, 1000,
                                  num_epochs=1, keys=[features.TEXT], task=task))
            label_dtype = tf.float32 if task == "regression" else tf.int64
            return (tf.concat([batch[features.TEXT] for batch, _ in parts] or [tf.zeros([0], tf.string)], 0),
                    tf.concat([label for _, label in parts] or [tf.zeros([0], label_dtype)], 0))

        return self.kept((split, task), read)

    def kept(self, key, make):
        """make(), computed once for `key` and kept in memory with the splits read (texts(); the
        frozen module's vectors of them, components/trainer/frozen_module.py)."""
        if key not in self._in_memory:
            self._in_memory[key] = make()
        return self._in_memory[key]

    def pieces(self, config: TrainingConfig, split: str, kinds, *, keys=None, train: bool = False,
               batch_size: int | None = None, extra: tuple | None = None) -> tf.data.Dataset:
        """The reviews of `split` cut into pieces of each of `kinds` (components/trainer/review_pieces.py),
        each with its review's label, and the (texts, labels) of `extra`, as `config` reads them."""
        reviews = dataclasses.replace(config, train_on=review_pieces.REVIEWS, unlabelled_margin=0.0)
        texts, labels = review_pieces.piece_texts(self.dataset(reviews, split, keys=[features.TEXT], batch_size=1000), kinds)
        if extra is not None:
            texts, labels = np.concatenate([texts, extra[0]]).astype(object), np.concatenate([labels, extra[1]])
        return review_pieces.transformed_dataset(texts, labels, self.tf_transform_output,
                                          selector(keys or feature_keys(config), config.task),
                                          batch_size=batch_size or config.batch_size, train=train)

    def embedding_dim(self) -> int | None:
        """The size of Transform's precomputed vectors, if it made any."""
        spec = self.tf_transform_output.transformed_feature_spec().get(features.EMBEDDING)
        return int(spec.shape[-1]) if spec is not None else None


def label_mean(dataset: tf.data.Dataset) -> float:
    """The mean label (share of positive reviews, or mean rating) of a finite dataset."""
    total, count = 0.0, 0
    for _, label in dataset:
        total, count = total + float(tf.reduce_sum(tf.cast(label, tf.float64))), count + int(tf.size(label))
    if not count:
        raise ValueError("the train split is empty")
    return total / count
