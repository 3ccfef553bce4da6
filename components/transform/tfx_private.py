"""The private TFX Transform API the Transform executor (executor.py) uses, in one place.

TFX 1.16's Transform executor (tfx.components.transform.executor) has no public way to choose
the batch size of its Beam pipeline or how the transformed examples are written: `Executor.Do`
instantiates the module-level class `TransformProcessor`, whose private methods decide both.
So, for the length of one `Do`, the module's `TransformProcessor` is a subclass
(`processor_class`) that overrides two of them. The hooks, and why each is still private:

- `TransformProcessor` (module attribute, swapped by `processor_swapped`): the only seam
  between TFX's Executor and the code that builds the Beam pipeline; TFX takes no processor,
  batch size or sink as an argument or exec property.
- `TransformProcessor._GetDesiredBatchSize(data_format, schema)`: TFX leaves the batch size to
  Beam's adaptive batching (None) and has no setting; overridden to give fixed batches when a
  frozen module is applied in Transform.
- `TransformProcessor._EncodeAndWrite(schema, file_format, output_path)`: TFX writes TFRecords
  with Beam's WriteToTFRecord at gzip level 6, not configurable; overridden to write the same
  gzipped TFRecords at level 1 (components/gzip_tfrecords.py), TFX's own for Parquet.
- `TransformProcessor._RecordBatchToExamplesFn(schema)`: TFX's encoder of transformed record
  batches to serialized tf.Examples, reused so that the examples are TFX's to the byte.

tests/unit/components/transform/test_private_hooks.py checks each against the installed TFX.
"""
from __future__ import annotations

import inspect

import apache_beam as beam
from tfx.components.transform import executor as _tfx_transform
from tfx.components.transform import labels

from components.private_api import Hook, swapped

_MODULE = "tfx.components.transform.executor"
_TFX_PROCESSOR = _tfx_transform.TransformProcessor

HOOKS = [
    Hook(f"{_MODULE}:TransformProcessor", "Executor.Do instantiates it by its module-level name",
         source_has=("def _GetDesiredBatchSize", "def _EncodeAndWrite")),
    Hook(f"{_MODULE}:Executor", "the processor is looked up by its module-level name when Do runs",
         check=lambda _: None if "TransformProcessor()" in inspect.getsource(_tfx_transform)
         else "no longer instantiates TransformProcessor()"),
    Hook(f"{_MODULE}:TransformProcessor._GetDesiredBatchSize", "no batch-size setting", params=("data_format", "schema")),
    Hook(f"{_MODULE}:TransformProcessor._EncodeAndWrite", "no writer setting",
         params=("schema", "file_format", "output_path")),
    Hook(f"{_MODULE}:TransformProcessor._RecordBatchToExamplesFn", "TFX's example encoder", params=("schema",)),
]


def processor_class(batch_size: int | None, sink):
    """TFX's TransformProcessor with batches of `batch_size` (None: Beam's adaptive batching, as
    TFX) and TFRecords written to `sink(output_path)` (a Beam file sink)."""

    class Processor(_TFX_PROCESSOR):
        def _GetDesiredBatchSize(self, data_format, schema):
            size = super()._GetDesiredBatchSize(data_format, schema)
            return batch_size if size is None and batch_size else size

        @staticmethod
        @beam.ptransform_fn
        def _EncodeAndWrite(pcoll, schema, file_format: str, output_path: str):
            if file_format != labels.FORMAT_TFRECORD:  # Parquet: TFX's own
                return pcoll | _TFX_PROCESSOR._EncodeAndWrite(schema, file_format, output_path)
            return (pcoll
                    | "EncodeAndSerialize" >> beam.ParDo(_TFX_PROCESSOR._RecordBatchToExamplesFn(schema))
                    | "ExtractExamples" >> beam.Values()
                    | "WriteToTFRecord" >> beam.io.Write(sink(output_path)))

    return Processor


def processor_swapped(processor):
    """TFX's Transform executor module instantiating `processor` for the block."""
    return swapped(_tfx_transform, "TransformProcessor", processor)
