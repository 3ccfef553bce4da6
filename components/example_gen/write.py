"""Writing ExampleGen's splits: gzipped TFRecords, as TFX's ExampleGen writes them, but compressed
at zlib level 1 instead of Beam's fixed level 6.

TFX's write step (tfx/components/example_gen/write_split.py) serializes each example, shuffles
the split (a Reshuffle, which also spreads the writing over the workers of a distributed
runner) and writes it with Beam's WriteToTFRecord, whose gzip compression is zlib's default
level 6, not configurable. On the 69 MB of the full dataset's splits level 6 costs about 5 s on
this project's 2 cores and level 1 about 1 s, for 19% more bytes (docs/results.md). The files
are the same format (gzipped TFRecords named `*.gz`, what every TFX component and
`tf.data.TFRecordDataset(..., compression_type="GZIP")` read); TensorFlow's TFRecordWriter
writes them (it compresses and frames in C++), inside Beam's file sink, which writes each bundle
to a temporary file and renames the files when the split is complete.
"""
from __future__ import annotations

import os

import apache_beam as beam
from apache_beam import coders
from apache_beam.io import filebasedsink
from apache_beam.io.filesystem import CompressionTypes
from tfx.components.example_gen.write_split import DEFAULT_TF_RECORD_FILE_NAME, MaybeSerialize

GZIP_LEVEL = 1


class GzipTFRecordSink(filebasedsink.FileBasedSink):
    """TFRecord files gzipped at zlib level `level` (`*.gz`)."""

    def __init__(self, file_path_prefix: str, level: int = GZIP_LEVEL):
        super().__init__(file_path_prefix, coder=coders.BytesCoder(), file_name_suffix=".gz",
                         mime_type="application/octet-stream", compression_type=CompressionTypes.UNCOMPRESSED)
        self._level = level

    def open(self, temp_path: str):
        import tensorflow as tf

        return tf.io.TFRecordWriter(temp_path, tf.io.TFRecordOptions(compression_type="GZIP",
                                                                   compression_level=self._level))

    def write_encoded_record(self, file_handle, value: bytes) -> None:
        file_handle.write(value)

    def close(self, file_handle) -> None:
        file_handle.close()


@beam.ptransform_fn
def WriteSplit(examples: beam.PCollection, output_split_path: str) -> beam.pvalue.PDone:
    """Serializes, shuffles and writes one split as TFX's WriteSplit does, at GZIP_LEVEL."""
    return (examples
            | "MaybeSerialize" >> beam.ParDo(MaybeSerialize())
            | "Shuffle" >> beam.Reshuffle()
            | "Write" >> beam.io.Write(GzipTFRecordSink(os.path.join(output_split_path, DEFAULT_TF_RECORD_FILE_NAME))))
