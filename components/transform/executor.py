"""The Transform executor: TFX's, writing the transformed examples at zlib level 1
(components/gzip_tfrecords.py) and, for a frozen module applied in Transform
(TrainingConfig.precompute), in fixed batches.

TFX writes the transformed examples of every split with Beam's WriteToTFRecord, gzip level 6
(not configurable); here the same gzipped TFRecords are written at level 1.

TFX leaves Transform's batch size to Beam's adaptive batching, which keeps batches of
expensive elements small: for a sequence encoder (MiniLM: slow per review on a CPU)
that means a few reviews per call, each padded to the longest of them, with no room to
sort by length, and no progress report (embedding.PROGRESS_MIN_BATCH). With an embedding
module (custom_config `embed_module`) the batches are BATCH_SIZE reviews, so that
embedding.embed_in_chunks sorts each batch by length and encodes it 32 reviews at a time.

Both go through TFX's private Transform API, all of it in tfx_private.py.

A span transformed alone (custom_config `window_key`: the pipeline transforms each span once
and the Trainer reads a window of them, pipeline/span_stages.py) gets the input's `span` and
`version` on its transformed examples, as ExampleGen's examples have them, and the key as a
custom property (WINDOW_KEY): TFX's span resolvers then pick the window from the transformed
examples of every run, made with the same preprocessing only.

Every transformed Examples artifact also records which ExampleGen examples it was made from
(components/training_data_record.py), for the drift check where no lineage can be read.
"""
import json

from tfx.components.transform import executor as tfx_transform

from components import training_data_record
from components.gzip_tfrecords import GzipTFRecordSink
from components.transform import WINDOW_KEY, tfx_private

BATCH_SIZE = 512


class Executor(tfx_transform.Executor):
    def Do(self, input_dict, output_dict, exec_properties):
        config = exec_properties.get("custom_config") or {}
        config = json.loads(config) if isinstance(config, str) else config
        # TFX's Executor.Do instantiates the module's TransformProcessor, which owns the batch
        # size and the write step.
        processor = tfx_private.processor_class(BATCH_SIZE if config.get("embed_module") else None, GzipTFRecordSink)
        with tfx_private.processor_swapped(processor):
            result = super().Do(input_dict, output_dict, exec_properties)
        if config.get(WINDOW_KEY):
            mark_span(input_dict["examples"], output_dict["transformed_examples"], config[WINDOW_KEY])
        for transformed in output_dict.get("transformed_examples", []):  # which raw examples these are
            training_data_record.write_sources(input_dict["examples"], transformed.uri)
        return result


def mark_span(examples: list, transformed: list, key: str) -> None:
    """The transformed examples of one span: its span and version, and the window key."""
    if len(examples) != 1 or len(transformed) != 1:
        raise ValueError(f"a span transformed alone is one Examples artifact, not {len(examples)}")
    source, out = examples[0], transformed[0]
    out.span, out.version = source.span, source.version
    out.set_string_custom_property(WINDOW_KEY, key)
