"""Benchmark: reading the archive's files with Python's tarfile against components/example_gen/tar_stream.py.

    .venv/bin/python scripts/benchmark_tar.py --data ../shared/data/aclImdb_v1.tar.gz [--repeats 2]

In one process and in turn: decompressing the archive alone (zlib, nothing parsed), every
regular file's name and content through `tarfile` (stream mode, as ExampleGen read it before),
and through tar_stream.iter_files (as it reads it now); checks that the two readers give the
same files in the same order, prints the best time of each and the ratios, writes a JSON.
"""
from __future__ import annotations

import argparse
import os
import sys
import tarfile
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from benchmark import write_report  # noqa: E402  (scripts/, this file's folder, is on sys.path)
from components.example_gen.tar_stream import iter_files  # noqa: E402


def decompress(path: str) -> int:
    inflate, size = zlib.decompressobj(16 + zlib.MAX_WBITS), 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            size += len(inflate.decompress(chunk))
    return size


def with_tarfile(path: str) -> list:
    with open(path, "rb") as f, tarfile.open(fileobj=f, mode="r|*") as tar:
        return [(m.name, tar.extractfile(m).read()) for m in tar if m.isfile()]


def with_tar_stream(path: str) -> list:
    with open(path, "rb") as f:
        return list(iter_files(f))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "aclImdb_v1.tar.gz"))
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--output", default="output/benchmark-tar.json")
    args = parser.parse_args()
    times: dict[str, list[float]] = {"zlib only": [], "tarfile": [], "tar_stream": []}
    results = {}
    for _ in range(args.repeats):
        for name, fn in (("zlib only", decompress), ("tarfile", with_tarfile), ("tar_stream", with_tar_stream)):
            start = time.time()
            results[name] = fn(args.data)
            times[name].append(time.time() - start)
            print(f"{name}: {times[name][-1]:.2f} s", flush=True)
    if results["tarfile"] != results["tar_stream"]:
        raise SystemExit("tar_stream read other files than tarfile")
    best = {name: min(t) for name, t in times.items()}
    report = {"data": args.data, "files": len(results["tar_stream"]), "repeats": args.repeats,
              "decompressed_mib": results["zlib only"] >> 20,
              "wall_s": {n: [round(x, 2) for x in t] for n, t in times.items()},
              "best_s": {n: round(b, 2) for n, b in best.items()},
              "tar_stream_over_tarfile": round(best["tar_stream"] / best["tarfile"], 3),
              "tar_stream_over_zlib": round(best["tar_stream"] / best["zlib only"], 2),
              "same_files": True}
    print(f"tar_stream / tarfile {report['tar_stream_over_tarfile']}  "
          f"(files {report['files']}, the same in the same order)")
    write_report(report, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
