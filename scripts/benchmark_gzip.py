"""Benchmark: compressing ExampleGen's splits at zlib level 6 (Beam's WriteToTFRecord, what TFX
wrote) and at level 1 (components/gzip_tfrecords.py, what ExampleGen and Transform write now).

    .venv/bin/python scripts/benchmark_gzip.py --examples <root>/FileBasedExampleGen/examples/<id>

Reads every split's records of a finished run (scripts/benchmark.py --workdir leaves one),
then, in one process and in turn, gzips their concatenation at each level in one zlib call;
prints the time and size of each and their ratio, writes a JSON.
"""
from __future__ import annotations

import argparse
import glob
import gzip
import os
import sys
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from benchmark import write_report  # noqa: E402  (scripts/, this file's folder, is on sys.path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", required=True, help="an ExampleGen Examples artifact's directory")
    parser.add_argument("--output", default="output/benchmark-gzip.json")
    args = parser.parse_args()
    files = sorted(glob.glob(os.path.join(args.examples, "Split-*", "*.gz")))
    if not files:
        parser.error(f"{args.examples}: no Split-*/*.gz files (an ExampleGen Examples artifact's directory?)")
    data = b"".join(gzip.open(f).read() for f in files)
    report = {"examples": args.examples, "files": len(files), "uncompressed_mib": round(len(data) / 2**20, 1),
              "levels": {}}
    for level in (6, 1):
        start = time.time()
        compressor = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        size = len(compressor.compress(data) + compressor.flush())
        report["levels"][str(level)] = {"s": round(time.time() - start, 2), "mib": round(size / 2**20, 1)}
        print(f"level {level}: {report['levels'][str(level)]['s']} s, {report['levels'][str(level)]['mib']} MiB",
              flush=True)
    six, one = report["levels"]["6"], report["levels"]["1"]
    report["time_level1_over_level6"] = round(one["s"] / six["s"], 3)
    report["size_level1_over_level6"] = round(one["mib"] / six["mib"], 3)
    print(f"level 1 / level 6: time {report['time_level1_over_level6']}, size {report['size_level1_over_level6']}")
    write_report(report, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
