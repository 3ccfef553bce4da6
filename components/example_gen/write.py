"""Writing ExampleGen's splits as TFX's ExampleGen does (tfx/components/example_gen/write_split.py:
serialize, Reshuffle, which also spreads the writing over a distributed runner's workers, and
write gzipped TFRecords), compressed at zlib level 1 instead of 6 (components/gzip_tfrecords.py)."""
from __future__ import annotations

import os

import apache_beam as beam
from tfx.components.example_gen.write_split import DEFAULT_TF_RECORD_FILE_NAME, MaybeSerialize

from components.gzip_tfrecords import GzipTFRecordSink


@beam.ptransform_fn
def WriteSplit(examples: beam.PCollection, output_split_path: str) -> beam.pvalue.PDone:
    """Serializes, shuffles and writes one split as TFX's WriteSplit does, at zlib level 1."""
    return (examples
            | "MaybeSerialize" >> beam.ParDo(MaybeSerialize())
            | "Shuffle" >> beam.Reshuffle()
            | "Write" >> beam.io.Write(GzipTFRecordSink(os.path.join(output_split_path, DEFAULT_TF_RECORD_FILE_NAME))))
