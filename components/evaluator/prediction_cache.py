"""A model's predictions (and transformed features) on the examples an earlier evaluation
already ran it on, reused.

A production run compares its candidate with the baseline (the model in service) on the test
examples; the run that trained the baseline evaluated it, as its candidate, on those same
examples when the test set is fixed (`--test-data`, or each span's official test reviews), so
running the baseline again repeats that run's work: in the spans benchmark, 7 of a chain run's
65-68 s (docs/warm_start.md).

Every evaluation through this project's Evaluator writes its candidate's predictions into its
own output: `<evaluation>/predictions/<model key>/part-<n>.npz` (a 64-bit fingerprint of each
serialized tf.Example, and the signature's outputs for it). An evaluation with a baseline reads
the files under the baseline's model key in the evaluations beside its own (`<evaluation>/../*/`,
the same Evaluator's earlier outputs): a batch of examples that all have a prediction there
takes them and is not run through the baseline; any other batch is (another test set, a file
missing: the model runs, as it did). The candidate always runs.

The same for the baseline's `transform_features`, which TFMA runs on every example for the
slices and labels (TransformedFeaturesExtractor): each evaluation writes, under
`<evaluation>/transformed_features/<model key>/`, the candidate's transformed features that
the eval config reads (the slicing features and the label; `read_features`), and a batch whose
examples all have them takes them. A model is loaded when a batch first needs it, so a baseline
whose every batch is covered by both is never loaded: no Keras load and no transform pass for
it (0.93x the Evaluator job's time with the predictions alone read, docs/training.md).

The model key is a fingerprint of the SavedModel's content (saved_model.pb and the variables'
index, which holds each variable's checksum) and of the signature, not of its path: a model
rewritten at the same path is another model. Predictions depend only on the example, whose
whole content the example's fingerprint covers.

This module is the store (the keys, the part files); components/evaluator/cached_extractors.py
has TFMA's two extractors that read and write it.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import uuid

import numpy as np
import tensorflow as tf

from components.paths import read_if_exists

DIRECTORY = "predictions"
TRANSFORMED_DIRECTORY = "transformed_features"
KEYS = "keys"
OUTPUT = "output/"  # + the output's name ("" for a model of one output)
MODEL_FILE = "model.json"
COUNTERS = "imdb_tfx_evaluator"


def counter_names(directory: str = DIRECTORY) -> tuple[str, str]:
    """The Beam counters (in COUNTERS) of the baseline's examples whose outputs under
    `directory` were read, and made: baseline_<directory>_reused, _computed."""
    return f"baseline_{directory}_reused", f"baseline_{directory}_computed"


def example_keys(serialized) -> np.ndarray:
    """A 64-bit fingerprint of each serialized tf.Example's content (uint64). The bytes alone
    will not do: a tf.Example's features are a map, which two writers (the test split of two
    spans) may serialize in different orders; the content, serialized deterministically, is one."""
    from tensorflow.core.example import example_pb2

    parse = example_pb2.Example.FromString
    return np.array([int.from_bytes(hashlib.blake2b(parse(bytes(s)).SerializeToString(deterministic=True),
                                                    digest_size=8).digest(), "little") for s in serialized], np.uint64)


def model_key(model_path: str, signature: str) -> str:
    """The fingerprint of a SavedModel's content and a signature name."""
    digest = hashlib.sha256(signature.encode())
    for name in ("saved_model.pb", os.path.join("variables", "variables.index")):
        found = read_if_exists(os.path.join(model_path, name))
        if found is not None:
            digest.update(name.encode() + found)
    return digest.hexdigest()[:24]


class Known:
    """The predictions of one model found in earlier evaluations: sorted keys, outputs by key."""

    def __init__(self, keys: np.ndarray, outputs: dict[str, np.ndarray]):
        order = np.argsort(keys, kind="stable")
        self.keys, self.outputs = keys[order], {name: value[order] for name, value in outputs.items()}

    def __len__(self) -> int:
        return int(self.keys.size)

    def rows(self, keys: np.ndarray) -> np.ndarray | None:
        """The rows of `keys`, or None if any is missing."""
        if not self.keys.size:
            return None
        rows = np.minimum(np.searchsorted(self.keys, keys), self.keys.size - 1)
        return rows if np.array_equal(self.keys[rows], keys) else None

    def value(self, rows: np.ndarray):
        """The outputs at `rows`, shaped as TFMA gives a model's outputs (one array, or a dict)."""
        values = {name: output[rows] for name, output in self.outputs.items()}
        return values[""] if list(values) == [""] else values


def read(evaluation_dir: str, key: str, directory: str = DIRECTORY) -> Known | None:
    """The outputs under model `key` in the evaluations beside `evaluation_dir`, or None."""
    pattern = os.path.join(os.path.dirname(evaluation_dir.rstrip("/")), "*", directory, key, "part-*.npz")
    keys, outputs = [], {}
    for path in sorted(tf.io.gfile.glob(pattern)):
        try:
            part = np.load(io.BytesIO(read_if_exists(path) or b""))
            names = [n for n in part.files if n.startswith(OUTPUT)]
            if outputs and sorted(names) != sorted(OUTPUT + n for n in outputs):
                continue  # another shape of outputs: not the same model after all
            values = {n[len(OUTPUT):]: _decoded(part[n]) for n in names}
            part_keys = part[KEYS]
        except (OSError, ValueError, KeyError) as e:  # an unreadable part is one the model recomputes
            logging.warning("prediction cache: %s unreadable (%s): left out", path, e)
            continue
        keys.append(part_keys)
        for name, value in values.items():
            outputs.setdefault(name, []).append(value)
    if not keys:
        return None
    return Known(np.concatenate(keys), {name: np.concatenate(v) for name, v in outputs.items()})


def storable(value, size: int) -> np.ndarray | None:
    """`value` (one output of a batch of `size` examples) as an array a part file holds exactly,
    or None: numbers as they are, byte strings as fixed-width bytes (none may end with a NUL
    byte, which that width drops); a sparse or ragged value, or another size, is not kept."""
    if not isinstance(value, np.ndarray) or not value.shape or value.shape[0] != size:
        return None
    if value.dtype != object:
        return value if value.dtype.kind in "biuf" else None
    flat = value.ravel().tolist()
    if not all(isinstance(v, bytes) and not v.endswith(b"\0") for v in flat):
        return None
    return np.array(flat, dtype=bytes).reshape(value.shape) if flat else np.zeros(value.shape, "S1")


def _decoded(array: np.ndarray) -> np.ndarray:
    """A stored array as the model gave it (byte strings as an object array)."""
    return array.astype(object) if array.dtype.kind == "S" else array


def write(evaluation_dir: str, key: str, model_path: str, keys: list, values: list,
          directory: str = DIRECTORY) -> None:
    """One part file of a model's outputs (written whole, then renamed into place); `values`
    are storable() arrays, or dicts of them."""
    directory = os.path.join(evaluation_dir, directory, key)
    tf.io.gfile.makedirs(directory)
    model_file = os.path.join(directory, MODEL_FILE)
    if not tf.io.gfile.exists(model_file):
        with tf.io.gfile.GFile(model_file, "w") as f:
            json.dump({"model_path": model_path}, f)
    arrays = {KEYS: np.concatenate(keys)}
    if isinstance(values[0], dict):
        arrays.update({OUTPUT + name: np.concatenate([v[name] for v in values]) for name in values[0]})
    else:
        arrays[OUTPUT] = np.concatenate(values)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    path = os.path.join(directory, f"part-{uuid.uuid4().hex}.npz")
    with tf.io.gfile.GFile(path + ".tmp", "wb") as f:
        f.write(buffer.getvalue())
    tf.io.gfile.rename(path + ".tmp", path, overwrite=True)
