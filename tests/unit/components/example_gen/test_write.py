"""components.example_gen.write: ExampleGen's splits as gzipped TFRecords at zlib level 1."""
import glob
import os

import apache_beam as beam
import tensorflow as tf

from components.example_gen.write import WriteSplit


def test_split_is_gzipped_tfrecords_at_level_1(tmp_path):
    examples = [tf.train.Example(features=tf.train.Features(feature={
        "text": tf.train.Feature(bytes_list=tf.train.BytesList(value=[f"review {i} ".encode() * 50]))}))
        for i in range(300)]
    with beam.Pipeline(argv=["--direct_running_mode=in_memory", "--direct_num_workers=1"]) as p:
        _ = p | beam.Create(examples) | WriteSplit(str(tmp_path / "Split-train"))
    files = glob.glob(str(tmp_path / "Split-train" / "*"))
    assert files and all(os.path.basename(f).startswith("data_tfrecord-") and f.endswith(".gz") for f in files)
    assert not glob.glob(str(tmp_path / "Split-train" / ".temp*"))  # the sink renamed its temporary files
    read = [tf.train.Example.FromString(r.numpy())
            for r in tf.data.TFRecordDataset(files, compression_type="GZIP")]
    assert sorted(e.SerializeToString() for e in read) == sorted(e.SerializeToString() for e in examples)
    for name in files:  # gzip's header: XFL 4 = compressed with the fastest level
        with open(name, "rb") as f:
            header = f.read(10)
        assert header[:2] == b"\x1f\x8b" and header[8] == 4
