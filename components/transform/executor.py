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
"""
import json

import apache_beam as beam
from tfx.components.transform import executor as tfx_transform
from tfx.components.transform import labels

from components.gzip_tfrecords import GzipTFRecordSink

BATCH_SIZE = 512
_TFX_PROCESSOR = tfx_transform.TransformProcessor  # Executor.Do swaps the module's for a while


class _Processor(_TFX_PROCESSOR):
    fixed_batches = False  # set per run by Executor.Do

    def _GetDesiredBatchSize(self, data_format, schema):
        size = super()._GetDesiredBatchSize(data_format, schema)
        return BATCH_SIZE if size is None and self.fixed_batches else size

    @staticmethod
    @beam.ptransform_fn
    def _EncodeAndWrite(pcoll, schema, file_format: str, output_path: str):
        if file_format != labels.FORMAT_TFRECORD:  # Parquet: TFX's own
            return pcoll | _TFX_PROCESSOR._EncodeAndWrite(schema, file_format, output_path)
        return (pcoll
                | "EncodeAndSerialize" >> beam.ParDo(_TFX_PROCESSOR._RecordBatchToExamplesFn(schema))
                | "ExtractExamples" >> beam.Values()
                | "WriteToTFRecord" >> beam.io.Write(GzipTFRecordSink(output_path)))


class Executor(tfx_transform.Executor):
    def Do(self, input_dict, output_dict, exec_properties):
        config = exec_properties.get("custom_config") or {}
        config = json.loads(config) if isinstance(config, str) else config
        # TFX's Executor.Do instantiates the module's TransformProcessor, which owns the batch
        # size and the write step.
        processor = type("Processor", (_Processor,), {"fixed_batches": bool(config.get("embed_module"))})
        original, tfx_transform.TransformProcessor = tfx_transform.TransformProcessor, processor
        try:
            return super().Do(input_dict, output_dict, exec_properties)
        finally:
            tfx_transform.TransformProcessor = original
