"""The slices of each example of a batch of TFMA extracts, found with TFMA's own slicer on one
example per distinct combination of the slicing features' values (a batch of reviews has a few
dozen: dataset x rating x length bucket), for components/evaluator/batched_metrics.py.

TFMA's slice key extractor runs the slicer on every example; here the batch is grouped by the
values of the features the slicing specs name (dense arrays directly; ragged, sparse or
missing values through TFMA's split of the batch into examples), and the slicer runs once per
group, on that group's first example as TFMA would have split it, so the slice keys are TFMA's.
"""
from __future__ import annotations

import collections

import numpy as np
from tensorflow_model_analysis import constants
from tensorflow_model_analysis.slicer import slicer_lib as slicer
from tensorflow_model_analysis.utils import util


def batch_size(extracts) -> int:
    """The number of examples in a batch of extracts (its serialized inputs, else its labels)."""
    if extracts.get(constants.INPUT_KEY) is not None:
        return len(extracts[constants.INPUT_KEY])
    return util.batch_size(extracts[constants.LABELS_KEY])


def _leaves(d: dict):
    for v in d.values():
        if isinstance(v, dict):
            yield from _leaves(v)
        else:
            yield v


def _hashable(value):
    """A hashable stand-in for one example's value of a feature (as util.split_extracts gives it:
    an array, a scalar, a dict of them, or None)."""
    if isinstance(value, dict):
        return tuple((k, _hashable(v)) for k, v in sorted(value.items()))
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return (value.shape, tuple(_hashable(v) for v in value.ravel().tolist()))
        return (value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    return value


class SliceFinder:
    """The slice keys of every example of a batch, from TFMA's slicer run on one example per
    distinct combination of the slicing features' values."""

    def __init__(self, eval_config):
        self._specs = [slicer.SingleSliceSpec(spec=s) for s in eval_config.slicing_specs]
        self._names = {k for s in eval_config.slicing_specs for k in list(s.feature_keys) + list(s.feature_values)}
        self._model_names = [spec.name for spec in eval_config.model_specs]

    def _restrict(self, batch: dict | None):
        if batch is None:
            return None
        return {k: v for k, v in batch.items() if k in self._names}

    @staticmethod
    def _dense_groups(sub: dict, size: int):
        """([rows of each distinct combination of values], [its first example, as TFMA splits
        it]) when every slicing feature is a dense array of scalars; else (None, None)."""
        columns = list(_leaves(sub))
        if not all(isinstance(c, np.ndarray) and c.ndim in (1, 2) for c in columns):
            return None, None
        rows_of = [c.tolist() if c.ndim == 1 else list(map(tuple, c.tolist())) for c in columns]
        groups = collections.defaultdict(list)
        try:
            for i, key in enumerate(zip(*rows_of) if columns else [()] * size):
                groups[key].append(i)
        except TypeError:  # an unhashable element: an array in an object array
            return None, None
        groups = list(groups.values())
        first = np.asarray([rows[0] for rows in groups], dtype=np.int64)

        def pick(d):
            return {k: pick(v) if isinstance(v, dict) else v[first] for k, v in d.items()}

        return groups, util.split_extracts(pick(sub)) if columns else [dict(sub) for _ in groups]

    def slices(self, extracts) -> dict:
        """{slice key: indices of the batch's examples in it}."""
        sub = {constants.FEATURES_KEY: self._restrict(extracts.get(constants.FEATURES_KEY) or {})}
        transformed = extracts.get(constants.TRANSFORMED_FEATURES_KEY)
        if transformed is not None:  # one dict, or one per model (TFMA's slice key extractor)
            sub[constants.TRANSFORMED_FEATURES_KEY] = (
                self._restrict(transformed) if len(self._model_names) == 1 else
                {m: self._restrict(transformed[m]) for m in self._model_names if m in transformed})
        size = batch_size(extracts)
        groups, examples = self._dense_groups(sub, size)
        if groups is None:
            # TFMA's own split of the batch into examples (ragged, sparse or missing values), of
            # the slicing features only
            examples = util.split_extracts(sub)
            groups = collections.defaultdict(list)
            for i, example in enumerate(examples):
                groups[_hashable(example)].append(i)
            groups = list(groups.values())
            examples = [examples[rows[0]] for rows in groups]
        if sum(len(rows) for rows in groups) != size:
            raise ValueError(f"batched evaluation: {sum(len(rows) for rows in groups)} examples of slicing "
                             f"features in a batch of {size}")
        out = collections.defaultdict(list)
        for rows, example in zip(groups, examples):
            features_dicts = []
            example_transformed = example.get(constants.TRANSFORMED_FEATURES_KEY)
            if example_transformed is not None:
                features_dicts = ([example_transformed] if len(self._model_names) == 1 else
                                  [example_transformed[m] for m in self._model_names if m in example_transformed])
            for key in set(slicer.get_slices_for_features_dicts(
                    features_dicts, example.get(constants.FEATURES_KEY) or {}, self._specs)):
                out[key].extend(rows)
        return {key: np.asarray(rows) for key, rows in out.items()}
