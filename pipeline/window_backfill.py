"""The spans of the Trainer's window that the store does not hold yet, ingested before a run.

With data in spans, each run transforms its own span and the Trainer reads the transformed
examples of the last K spans from the store (pipeline/span_stages.py). A store that lacks some
of them (a new store beside spans that already exist, or a preprocessing changed since the older
spans were transformed) would give the Trainer fewer spans than `--window K` says. So before the
run, each missing span of the window goes through the data part of the same pipeline (ExampleGen
with that span's static range, statistics, schema, validation, the anomalies gate, Transform),
under the same pipeline name, root and store, oldest first: the run then resolves the whole
window, and a later run of such a span finds all of it in TFX's cache. A span that fails its
validation stops the run there, naming the component, as any run's data does.

The window's spans are the span folders on disk: the K-1 newest below the run's span (`--span
N`, or the newest), gaps skipped. A span counts as held when the store has its
transformed examples with this preprocessing's window key.
"""
from __future__ import annotations

import dataclasses
import os

from components.paths import is_remote
from data.dataset import DataSource
from pipeline import configs, node_ids, span_stages


def ingest_pipeline(config: configs.PipelineConfig, source: DataSource, span: int):
    """The data part of the production pipeline for one span: ExampleGen .. Transform."""
    from pipeline import stages

    config = dataclasses.replace(config, span=span)
    data = stages.data_stages(config, source)
    return stages.assemble(config, [*data.components, stages.transform_stage(config, data)])


def window_key(config: configs.PipelineConfig) -> str:
    """The window key of this config's Transform (the same for every span)."""
    from pipeline import stages

    return stages.transform_config(config, spans_alone=True)[0][span_stages.WINDOW_KEY]


def window_spans(config: configs.PipelineConfig, source: DataSource) -> list[int]:
    """The spans on disk that the run's window holds besides its own span, oldest first."""
    from components.example_gen import spans

    on_disk = sorted(spans.list_spans(source.uri))
    if not on_disk or config.window <= 1:
        return []
    own = config.span if config.span is not None else on_disk[-1]
    return [s for s in on_disk if s < own][-(config.window - 1):]  # the K-1 newest before it, gaps skipped


def transformed_spans(metadata_path: str, pipeline_name: str, key: str) -> set[int]:
    """The spans whose transformed examples with window key `key` the store holds."""
    if not os.path.isfile(metadata_path) or not os.path.getsize(metadata_path):
        return set()
    from ml_metadata.metadata_store import metadata_store
    from ml_metadata.proto import metadata_store_pb2
    from tfx.orchestration import metadata

    store = metadata_store.MetadataStore(metadata.sqlite_metadata_connection_config(metadata_path))
    context = store.get_context_by_type_and_name("node", f"{pipeline_name}.{node_ids.TRANSFORM}")
    if context is None:
        return set()
    return {a.properties["span"].int_value for a in store.get_artifacts_by_context(context.id)
            if a.state == metadata_store_pb2.Artifact.LIVE and "span" in a.properties
            and a.custom_properties[span_stages.WINDOW_KEY].string_value == key}


def spans_to_ingest(config: configs.PipelineConfig, source: DataSource) -> list[int]:
    """The window's spans that the store lacks (none without a window over spans transformed alone)."""
    if config.window <= 1 or not span_stages.transforms_spans_alone(config, source) or is_remote(source.uri):
        return []
    wanted = window_spans(config, source)
    if not wanted:
        return []
    held = transformed_spans(config.metadata_path, config.pipeline_name, window_key(config))
    return [s for s in wanted if s not in held]


def ingest_missing_spans(config: configs.PipelineConfig, source: DataSource, run_pipeline, stream) -> list[int]:
    """Runs the data part of the pipeline (`run_pipeline(tfx_pipeline)`) for each span of the
    window the store lacks, saying so on `stream`; returns those spans."""
    missing = spans_to_ingest(config, source)
    if missing:
        stream.write(f"imdb-tfx: the window's span(s) {', '.join(map(str, missing))} not in the store yet: "
                     "ingesting them first (ExampleGen to Transform)\n")
    for span in missing:
        stream.write(f"imdb-tfx: ingesting span {span} of the window\n")
        run_pipeline(ingest_pipeline(config, source, span))
    return missing
