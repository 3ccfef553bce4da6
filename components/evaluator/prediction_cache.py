"""A model's predictions on the examples an earlier evaluation already ran it on, reused.

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

The model key is a fingerprint of the SavedModel's content (saved_model.pb and the variables'
index, which holds each variable's checksum) and of the signature, not of its path: a model
rewritten at the same path is another model. Predictions depend only on the example, whose
whole content the example's fingerprint covers.

TFMA (0.47) has no such reuse: its PredictionsExtractor runs every model on every batch.
`CachedPredictionsExtractor` is that extractor (the same DoFn, TFMA's `ModelSignaturesDoFn`)
with the baseline's outputs taken from the files where they cover the batch.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import uuid

import apache_beam as beam
import numpy as np
import tensorflow as tf
from tensorflow_model_analysis import constants
from tensorflow_model_analysis.extractors import extractor, predictions_extractor
from tensorflow_model_analysis.utils import model_util, util

from components.evaluator.tfma_private import ModelSignaturesDoFn
from components.paths import read_if_exists

DIRECTORY = "predictions"
KEYS = "keys"
OUTPUT = "output/"  # + the output's name ("" for a model of one output)
MODEL_FILE = "model.json"
COUNTERS = "imdb_tfx_evaluator"
REUSED, COMPUTED = "baseline_predictions_reused", "baseline_predictions_computed"
STAGE_NAME = predictions_extractor.PREDICTIONS_EXTRACTOR_STAGE_NAME


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


def read(evaluation_dir: str, key: str) -> Known | None:
    """The predictions under model `key` in the evaluations beside `evaluation_dir`, or None."""
    pattern = os.path.join(os.path.dirname(evaluation_dir.rstrip("/")), "*", DIRECTORY, key, "part-*.npz")
    keys, outputs = [], {}
    for path in sorted(tf.io.gfile.glob(pattern)):
        try:
            part = np.load(io.BytesIO(read_if_exists(path) or b""))
            names = [n for n in part.files if n.startswith(OUTPUT)]
            if outputs and sorted(names) != sorted(OUTPUT + n for n in outputs):
                continue  # another shape of outputs: not the same model after all
            values = {n[len(OUTPUT):]: part[n] for n in names}
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


def write(evaluation_dir: str, key: str, model_path: str, keys: list, values: list) -> None:
    """One part file of a model's predictions (written whole, then renamed into place)."""
    directory = os.path.join(evaluation_dir, DIRECTORY, key)
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


class CachedSignaturesDoFn(ModelSignaturesDoFn):
    """TFMA's ModelSignaturesDoFn, with a baseline's outputs read from earlier evaluations where
    they cover the batch, and the other models' outputs written to this evaluation's output."""

    def __init__(self, evaluation_dir: str, paths: dict[str, str], baselines: set[str], **kwargs):
        super().__init__(**kwargs)
        self._evaluation_dir, self._paths, self._baselines = evaluation_dir, paths, baselines
        self._reused = beam.metrics.Metrics.counter(COUNTERS, REUSED)
        self._computed = beam.metrics.Metrics.counter(COUNTERS, COMPUTED)

    def setup(self):
        super().setup()
        self._keys = {name: model_key(path, self._signature_names[name][0]) for name, path in self._paths.items()}
        self._known = {}
        for name in self._baselines:
            known = read(self._evaluation_dir, self._keys[name])
            if known is not None:
                self._known[name] = known
                logging.info("prediction cache: %d predictions of the baseline %s from earlier evaluations",
                             len(known), self._paths[name])

    def start_bundle(self):
        self._pending = {name: ([], []) for name in self._paths if name not in self._baselines}

    def _batch_reducible_process(self, batched_extract):
        serialized = batched_extract[constants.INPUT_KEY]
        keys = example_keys(serialized.flatten() if isinstance(serialized, np.ndarray) else serialized)
        reused = {}
        for name, known in self._known.items():
            rows = known.rows(keys)
            if rows is not None:
                reused[name] = known.value(rows)
        for name in self._baselines:
            (self._reused if name in reused else self._computed).inc(len(keys))
        models = self._loaded_models
        if reused:
            self._loaded_models = {n: m for n, m in models.items() if n not in reused}
        try:
            [result] = super()._batch_reducible_process(batched_extract)
        finally:
            self._loaded_models = models
        outputs = util.get_by_keys(result, self._output_keypath)
        if reused:  # TFMA gives one model's outputs as they are, several models' by name
            ran = outputs if len(models) - len(reused) > 1 else {next(n for n in models if n not in reused): outputs}
            outputs = {n: reused[n] if n in reused else ran[n] for n in models}
            result = util.copy_and_set_by_keys(result, self._output_keypath, outputs)
        by_model = outputs if len(models) > 1 else {next(iter(models)): outputs}
        for name, (pending_keys, pending_values) in self._pending.items():
            pending_keys.append(keys)
            pending_values.append(by_model[name])
        return [result]

    def finish_bundle(self):
        super().finish_bundle()  # TFMA's model-load-time metric
        for name, (keys, values) in self._pending.items():
            if keys:
                write(self._evaluation_dir, self._keys[name], self._paths[name], keys, values)
        self._pending = {name: ([], []) for name in self._pending}


def CachedPredictionsExtractor(eval_config, eval_shared_model, evaluation_dir: str) -> extractor.Extractor:
    """TFMA's PredictionsExtractor (the same stage and DoFn), with the prediction cache."""
    models = model_util.verify_and_update_eval_shared_models(eval_shared_model)
    specs = list(eval_config.model_specs)
    by_name = {m.model_name: m for m in models}
    if len(specs) == 1:  # TFMA names a lone model ""
        names = {"": models[0]}
    else:
        names = {spec.name: by_name[spec.name] for spec in specs}
    baselines = {spec.name for spec in specs if spec.is_baseline} if len(specs) > 1 else set()
    dofn = CachedSignaturesDoFn(
        evaluation_dir, {name: m.model_path for name, m in names.items()}, baselines,
        model_specs=specs, eval_shared_models=by_name, output_keypath=[constants.PREDICTIONS_KEY],
        signature_names={("" if len(specs) == 1 else spec.name): [spec.signature_name] for spec in specs},
        prefer_dict_outputs=False)
    return extractor.Extractor(stage_name=STAGE_NAME, ptransform=beam.ParDo(dofn))
