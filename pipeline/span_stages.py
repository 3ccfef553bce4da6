"""Spans in the DAG, through TFX's own span machinery (docs/spans.md):

- ExampleGen's input pattern `span-{SPAN}/*` (data/dataset.py): its driver reads the newest span,
  or the one `--span N` names through a RangeConfig static_range (range_config), and records
  the span on the Examples artifact;
- the window: Transform transforms this run's span alone and the Trainer reads the transformed
  examples of the last `--window K` spans, resolved from the store by TFX's span ops (LatestSpan
  as RollingRange does; with `--span N`, StaticSpanRange 0..N first: the K newest spans up to N,
  gaps skipped; the latest version of each span)
  over the transformed examples made by the same preprocessing (their WINDOW_KEY), so that no
  run transforms an older span again (trained_examples); spans of the window not in the store
  yet are ingested first (pipeline/window_backfill.py). A preprocessing_fn with an analyser (an
  n-gram vocabulary) depends on the whole window: then Transform reads the window's Examples
  (window_examples) and transforms them all;
- the drift check before the Trainer (drift_stages): DriftCheck compares the newest span with
  the previous window (RollingRange skipping the newest span; with `--span N`, the K newest
  spans below N) and scores both with the latest blessed model; the Trainer waits for it, so that a
  blocking drift stops the run before anything is trained or pushed.

KubeflowV2DagRunner compiles only the LatestArtifact and LatestBlessedModel resolver
strategies: a compiled pipeline (no local store: config.metadata_path empty) reads one span
(its window is 1), and its drift check compares the span with the training data that the
latest blessed model records (components/training_data_record.py), not a resolved window
(docs/spans.md).
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json

from components.transform import WINDOW_KEY
from data.dataset import DataSource
from pipeline import blessed_model, configs, node_ids


def range_config(config: configs.PipelineConfig):
    """ExampleGen's RangeConfig: span `config.span` alone (StaticRange), or None for the newest span."""
    if config.span is None:
        return None
    from tfx.proto import range_config_pb2  # here: the window's spans are listed (app/span_runs.py) without TFX

    return range_config_pb2.RangeConfig(static_range=range_config_pb2.StaticRange(
        start_span_number=config.span, end_span_number=config.span))


def resolves_spans(config: configs.PipelineConfig, source: DataSource) -> bool:
    """Whether the pipeline resolves spans from the store (a local store and data in spans)."""
    return bool(source.has_spans and config.metadata_path)


def _all_examples():
    """Every Examples artifact ExampleGen has made in this pipeline (every run), for TFX's span
    resolver functions (an ExampleGen output channel would give this run's only)."""
    from tfx.types import Channel, standard_artifacts

    return Channel(type=standard_artifacts.Examples, producer_component_id=node_ids.EXAMPLE_GEN,
                   output_key="examples")


def transforms_spans_alone(config: configs.PipelineConfig, source: DataSource) -> bool:
    """Whether Transform transforms each span once, alone, and the Trainer reads a window of
    transformed spans: data in spans resolved from a store, and no analyser in the preprocessing."""
    return resolves_spans(config, source) and not config.training.transform_analyses()


def window_key(transform_config: dict, splits: list[str]) -> str:
    """What tells a span's transformed examples apart from those of another preprocessing: a
    hash of Transform's custom_config (code version, options) and its splits."""
    text = json.dumps({"custom_config": transform_config, "splits": splits}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def trained_examples(config: configs.PipelineConfig, transform):
    """What the Trainer (and the Tuner) reads: Transform's output, or, with each span transformed
    alone and a window of K > 1 spans, the latest version of each of the last K transformed
    spans of this preprocessing (fewer while fewer spans exist)."""
    key = json.loads(transform.exec_properties["custom_config"]).get(WINDOW_KEY)
    if config.window <= 1 or not key:
        return transform.outputs["transformed_examples"]
    from tfx.types import Channel, standard_artifacts

    every_run = Channel(type=standard_artifacts.Examples, producer_component_id=node_ids.TRANSFORM,
                        output_key="transformed_examples")
    return _spans_up_to()(every_run, key=key, last=-1 if config.span is None else config.span,
                          num_spans=config.window, min_spans=1)


def window_examples(config: configs.PipelineConfig, source: DataSource, example_gen):
    """What Transform reads: this run's Examples, or, for a preprocessing with an analyser and a
    window of K > 1 spans, the latest version of each of the last K spans (TFX's RollingRange;
    fewer while fewer spans exist)."""
    if config.window <= 1 or not resolves_spans(config, source) or transforms_spans_alone(config, source):
        return example_gen.outputs["examples"]
    from tfx.dsl.input_resolution import canned_resolver_functions

    if config.span is not None:  # the K newest spans up to N
        return _spans_up_to()(_all_examples(), last=config.span, num_spans=config.window, min_spans=1)
    return canned_resolver_functions.rolling_range(_all_examples(), num_spans=config.window, min_spans=1)


def previous_window(config: configs.PipelineConfig):
    """The drift check's reference: the K newest spans in the store before this run's (none for
    the first span). With `--span N`, the K newest below N that the store has, not N-K..N-1:
    spans may have gaps, and a reference of numbers the store lacks was empty, so a span after
    a gap went unchecked (and a `block` did not stop it)."""
    from tfx.dsl.input_resolution import canned_resolver_functions

    if config.span is not None:
        if config.span == 0:
            return None
        return _spans_up_to()(_all_examples(), last=config.span - 1, num_spans=config.window, min_spans=0)
    return canned_resolver_functions.rolling_range(
        _all_examples(), num_spans=config.window, skip_num_recent_spans=1, min_spans=0)


@functools.lru_cache(maxsize=None)
def _spans_up_to():
    """TFX's span ops: the latest version of each of the `num_spans` newest spans (up to span
    `last`, unless it is < 0) that the store has (spans may have gaps), at least `min_spans` of
    them; with a `key`, of the transformed examples of that preprocessing only (WINDOW_KEY)."""
    from tfx.dsl.input_resolution import resolver_function
    from tfx.dsl.input_resolution.ops import ops
    from tfx.types import standard_artifacts

    @resolver_function.resolver_function(output_type=standard_artifacts.Examples)
    def spans_up_to(artifacts, *, last, num_spans, min_spans, key=""):
        if key:
            artifacts = ops.EqualPropertyValues(artifacts, property_key=WINDOW_KEY, property_value=key,
                                                is_custom_property=True)
        if last >= 0:
            artifacts = ops.StaticSpanRange(artifacts, start_span=0, end_span=last)
        return ops.SkipIfLessThanNSpans(ops.LatestSpan(artifacts, n=num_spans), n=min_spans)

    return spans_up_to


def drift_action_json(config: configs.PipelineConfig) -> str:
    """DriftCheck's `drift_action` (components/drift_check/actions.py): {"*": warn|block, check: warn|block, ...}."""
    return json.dumps({"*": config.drift_action, **dict(config.drift_check_actions)}, sort_keys=True)


@dataclasses.dataclass
class DriftStages:
    model: object  # Resolver: the latest blessed model, whose scores the check compares
    drift_check: object

    @property
    def components(self) -> list:
        return [self.model, self.drift_check]


def drift_stages(config: configs.PipelineConfig, source: DataSource, example_gen) -> DriftStages | None:
    """DriftCheck of this run's span against the previous window, or None for data without
    spans. Compiled for Kubeflow (no local store to resolve spans from): against the training
    data of the latest blessed model, which the model records."""
    if not source.has_spans:
        return None
    from tfx.utils import import_utils

    model = blessed_model.latest(node_ids.DRIFT_MODEL_RESOLVER)
    inputs = {"examples": example_gen.outputs["examples"], "model": model.outputs["model"]}
    from_model = not resolves_spans(config, source)  # compiled for Kubeflow: the model's recorded data
    baseline = None if from_model else previous_window(config)
    if baseline is not None:
        inputs["baseline_examples"] = baseline
    from pipeline import fingerprint

    drift_check = import_utils.import_class_by_path(configs.DRIFT_CHECK)(
        **inputs, drift_action=drift_action_json(config), reference_from_model=int(from_model),
        code_version=fingerprint.code_fingerprint(configs.module_of(configs.DRIFT_CHECK))).with_id(node_ids.DRIFT_CHECK)
    return DriftStages(model, drift_check)
