"""A Beam file sink of gzipped TFRecord files compressed at zlib level 1, for ExampleGen's and
Transform's outputs.

TFX writes both with Beam's WriteToTFRecord, whose gzip compression is zlib's default level 6,
not configurable. On the 69 MiB of the full dataset's ExampleGen splits, level 1 takes a quarter
of level 6's time for 16% more bytes (scripts/benchmark_gzip.py; docs/results.md). The files
are the same format (gzipped TFRecords named `*.gz`, which every TFX component and
`tf.data.TFRecordDataset(..., compression_type="GZIP")` read). TensorFlow's TFRecordWriter
writes them (it compresses and frames in C++), inside Beam's file sink, which writes each
bundle to a temporary file and renames the files when the collection is complete.
"""
from __future__ import annotations

from apache_beam import coders
from apache_beam.io import filebasedsink
from apache_beam.io.filesystem import CompressionTypes

GZIP_LEVEL = 1


class GzipTFRecordSink(filebasedsink.FileBasedSink):
    """TFRecord files `<file_path_prefix>-SSSSS-of-NNNNN.gz`, gzipped at zlib level `level`."""

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
