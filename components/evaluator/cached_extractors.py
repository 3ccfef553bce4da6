"""TFMA's extractors of predictions and of transformed features with the cache of
prediction_cache.py: a baseline's outputs read from the evaluations that made them where they
cover a batch, the candidate's written; a model loaded only when a batch needs it.

TFMA (0.47) has no such reuse: its PredictionsExtractor and TransformedFeaturesExtractor run
every model on every batch. These are those extractors (the same stages, TFMA's
`ModelSignaturesDoFn` subclassed).
"""
from __future__ import annotations

import logging

import apache_beam as beam
import numpy as np
from tensorflow_model_analysis import constants
from tensorflow_model_analysis.extractors import extractor, predictions_extractor
from tensorflow_model_analysis.utils import model_util, util

from components.evaluator.prediction_cache import (COUNTERS, DIRECTORY, TRANSFORMED_DIRECTORY, counter_names,
                                                   example_keys, model_key, read, storable, write)
from components.evaluator.tfma_private import (TRANSFORM_SIGNATURES, TRANSFORMED_FEATURES_STAGE_NAME,
                                               ModelSignaturesDoFn)

# The key, in a batch's extracts, of its examples' keys: made by the first of the two extractors
# to see the batch, read by the other (parsing and hashing each example: 0.37 s per 25,000)
EXAMPLE_KEYS = "_imdb_tfx_example_keys"


class CachedSignaturesDoFn(ModelSignaturesDoFn):
    """TFMA's ModelSignaturesDoFn, with a baseline's outputs read from earlier evaluations where
    they cover the batch, and the other models' outputs written to this evaluation's output
    (under `directory`; of a dict output only the names in `kept`, if given). A model is loaded
    when a batch first needs it: a baseline that every batch finds is never loaded."""

    def __init__(self, evaluation_dir: str, paths: dict[str, str], loaders: dict[str, str], baselines: set[str], *,
                 directory: str = DIRECTORY, kept: set[str] | None = None, **kwargs):
        super().__init__(**kwargs)
        self._evaluation_dir, self._paths, self._loaders, self._baselines = evaluation_dir, paths, loaders, baselines
        self._directory, self._kept = directory, kept
        self._reused, self._computed = (beam.metrics.Metrics.counter(COUNTERS, name)
                                        for name in counter_names(directory))

    def _signatures(self, name: str) -> list[str]:
        """The signatures TFMA calls on model `name` (a name "" is the model's default)."""
        return self._signature_names[name] or self._default_signature_names or [""]

    def setup(self):  # TFMA's loads every model here
        self._keys = {name: model_key(path, "+".join(self._signatures(name))) for name, path in self._paths.items()}
        self._loaded_models, self._signed = {}, {}
        for name in self._paths:
            if name not in self._baselines:
                self._load(name)
        self._known = {}
        # A candidate without the signatures (a model with no transform_features) would make TFMA
        # give the baseline's outputs alone, unnamed: then the baseline runs, as in TFMA.
        if all(self._signed.values()):
            for name in self._baselines:
                known = read(self._evaluation_dir, self._keys[name], self._directory)
                if known is not None:
                    self._known[name] = known
                    logging.info("prediction cache: %d examples' %s of the baseline %s from earlier evaluations",
                                 len(known), self._directory, self._paths[name])
        for name in self._baselines - set(self._known):
            self._load(name)

    def _load(self, name: str) -> None:
        model = self._loaded_models[name] = self._model_loaders[self._loaders[name]].load(
            model_load_time_callback=self._set_model_load_seconds)
        self._signed[name] = any(model_util.get_callable(model, signature, required=False) is not None
                                 for signature in self._signatures(name))

    def start_bundle(self):
        self._pending = {name: ([], []) for name in self._paths if name not in self._baselines}

    def _batch_reducible_process(self, batched_extract):
        keys = batched_extract.get(EXAMPLE_KEYS)
        if keys is None:
            serialized = batched_extract[constants.INPUT_KEY]
            keys = example_keys(serialized.flatten() if isinstance(serialized, np.ndarray) else serialized)
        reused = {}
        for name, known in self._known.items():
            rows = known.rows(keys)
            if rows is not None:
                reused[name] = known.value(rows)
        for name in self._baselines:
            (self._reused if name in reused else self._computed).inc(len(keys))
        names = list(self._paths)
        run = [name for name in names if name not in reused]  # the candidate always
        for name in run:
            if name not in self._loaded_models:  # a baseline the earlier evaluations do not cover here
                self._load(name)
        loaded, self._loaded_models = self._loaded_models, {name: self._loaded_models[name] for name in run}
        try:
            [result] = super()._batch_reducible_process(batched_extract)
        finally:
            self._loaded_models = loaded
        # TFMA keys the outputs by model when more than one model has the signatures, else gives
        # that one's as they are (or none)
        outputs = util.get_by_keys(result, self._output_keypath, optional=True)
        signed = [name for name in run if self._signed[name]]
        ran = outputs if len(signed) > 1 else {signed[0]: outputs} if signed else {}
        if reused:  # the candidate has the signatures (setup): two or more models, by name
            outputs = {n: reused[n] if n in reused else ran[n] for n in names if n in reused or n in ran}
            result = util.copy_and_set_by_keys(result, self._output_keypath, outputs)
        for name, (pending_keys, pending_values) in self._pending.items():
            value = self._stored(ran.get(name), keys.size)
            if value is not None:  # else these examples' outputs are not kept: a later baseline runs on them
                pending_keys.append(keys)
                pending_values.append(value)
        result[EXAMPLE_KEYS] = keys
        return [result]

    def _stored(self, value, size: int):
        """A model's outputs for a batch as written (the `kept` names of a dict), or None."""
        if isinstance(value, dict):
            value = {name: storable(v, size) for name, v in value.items() if self._kept is None or name in self._kept}
            return None if not value or any(v is None for v in value.values()) else value
        return storable(value, size)

    def finish_bundle(self):
        super().finish_bundle()  # TFMA's model-load-time metric
        for name, (keys, values) in self._pending.items():
            if keys:
                write(self._evaluation_dir, self._keys[name], self._paths[name], keys, values, self._directory)
        self._pending = {name: ([], []) for name in self._pending}


def read_features(eval_config) -> set[str]:
    """The features TFMA reads from a model's transformed features under `eval_config` (one the
    batched evaluator supports: no example weights, no cross or SQL slices): the slicing
    features and the labels."""
    keys = {k for spec in eval_config.slicing_specs for k in [*spec.feature_keys, *spec.feature_values]}
    for spec in eval_config.model_specs:
        keys |= {spec.label_key} | set(spec.label_keys.values())
    return keys - {""}


def _name(eval_config, spec) -> str:
    """A model's name as TFMA's DoFns key it: "" for a lone model."""
    return "" if len(eval_config.model_specs) == 1 else spec.name


def _models(eval_config, eval_shared_model):
    """(model name as TFMA's DoFns key it -> shared model, the baselines' names)."""
    models = model_util.verify_and_update_eval_shared_models(eval_shared_model)
    specs = list(eval_config.model_specs)
    if len(specs) == 1:
        return {"": models[0]}, set()
    by_name = {m.model_name: m for m in models}
    return {spec.name: by_name[spec.name] for spec in specs}, {spec.name for spec in specs if spec.is_baseline}


def _dofn(eval_config, eval_shared_model, evaluation_dir: str, **kwargs) -> CachedSignaturesDoFn:
    names, baselines = _models(eval_config, eval_shared_model)
    return CachedSignaturesDoFn(
        evaluation_dir, {name: m.model_path for name, m in names.items()},
        {name: m.model_name for name, m in names.items()}, baselines, model_specs=list(eval_config.model_specs),
        eval_shared_models={m.model_name: m for m in names.values()}, **kwargs)


def CachedPredictionsExtractor(eval_config, eval_shared_model, evaluation_dir: str) -> extractor.Extractor:
    """TFMA's PredictionsExtractor (the same stage and DoFn), with the cache."""
    dofn = _dofn(eval_config, eval_shared_model, evaluation_dir, output_keypath=[constants.PREDICTIONS_KEY],
                 signature_names={_name(eval_config, spec): [spec.signature_name] for spec in eval_config.model_specs},
                 prefer_dict_outputs=False)
    return extractor.Extractor(stage_name=predictions_extractor.PREDICTIONS_EXTRACTOR_STAGE_NAME,
                               ptransform=beam.ParDo(dofn))


def CachedTransformedFeaturesExtractor(eval_config, eval_shared_model, evaluation_dir: str) -> extractor.Extractor:
    """TFMA's TransformedFeaturesExtractor (the same stage and DoFn), with the cache: of the
    transformed features, the ones the eval config reads are kept."""
    dofn = _dofn(eval_config, eval_shared_model, evaluation_dir, directory=TRANSFORMED_DIRECTORY,
                 kept=read_features(eval_config), output_keypath=[constants.TRANSFORMED_FEATURES_KEY],
                 signature_names={_name(eval_config, spec): list(spec.preprocessing_function_names)
                                  for spec in eval_config.model_specs},
                 default_signature_names=TRANSFORM_SIGNATURES, prefer_dict_outputs=True)
    return extractor.Extractor(stage_name=TRANSFORMED_FEATURES_STAGE_NAME, ptransform=beam.ParDo(dofn))


# TFMA's extractor stage -> the cached extractor that takes its place (executor.py)
BY_STAGE = {predictions_extractor.PREDICTIONS_EXTRACTOR_STAGE_NAME: CachedPredictionsExtractor,
            TRANSFORMED_FEATURES_STAGE_NAME: CachedTransformedFeaturesExtractor}
