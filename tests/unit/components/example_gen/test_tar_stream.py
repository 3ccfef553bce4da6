"""components.example_gen.tar_stream: the same files as Python's tarfile, in every tar format."""
import gzip
import io
import tarfile
import zlib

import pytest

from components.example_gen.tar_stream import BLOCK, TarError, iter_files

FILES = {
    "aclImdb/train/pos/1_9.txt": b"A fine film.",
    "aclImdb/test/neg/2_1.txt": "Awful. Caf\u00e9 au lait, \u2603".encode(),
    "aclImdb/" + "long_folder_name/" * 9 + "3_7.txt": b"a name over 100 bytes: GNU and pax records, ustar prefix",
    "aclImdb/train/unsup/4_0.txt": b"",  # an empty file
    "aclImdb/train/neg/5_2.txt": b"x" * 5000,  # several blocks
}


def archive(fmt: int, compress: bool = True, extra: bool = True) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=fmt) as tar:
        if extra:
            tar.addfile(_dir("aclImdb"))
            link = tarfile.TarInfo("aclImdb/link")
            link.type, link.linkname = tarfile.SYMTYPE, "train"
            tar.addfile(link)
        for name, content in FILES.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return gzip.compress(raw.getvalue()) if compress else raw.getvalue()


def _dir(name: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    return info


def tarfile_files(data: bytes) -> list:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r|*") as tar:
        return [(m.name, tar.extractfile(m).read()) for m in tar if m.isfile()]


@pytest.mark.parametrize("fmt", [tarfile.GNU_FORMAT, tarfile.PAX_FORMAT, tarfile.USTAR_FORMAT])
@pytest.mark.parametrize("compress", [True, False])
def test_same_files_as_tarfile(fmt, compress):
    data = archive(fmt, compress)
    files = list(iter_files(io.BytesIO(data)))
    assert files == tarfile_files(data)
    assert dict(files) == FILES  # directories and links left out


def test_concatenated_gzip_members_and_no_end_blocks():
    plain = archive(tarfile.GNU_FORMAT, compress=False, extra=False)
    without_end = plain[:plain.rindex(b"x" * 5000) + 5120]  # up to the last file's padded content
    data = gzip.compress(without_end[:1024]) + gzip.compress(without_end[1024:])
    assert dict(iter_files(io.BytesIO(data))) == FILES


def test_truncated_and_corrupt_streams():
    data = archive(tarfile.PAX_FORMAT)
    with pytest.raises(EOFError, match="truncated gzip stream"):
        list(iter_files(io.BytesIO(data[:len(data) - 30])))
    damaged = bytearray(data)
    damaged[len(data) // 2:len(data) // 2 + 16] = b"\xff" * 16
    with pytest.raises((zlib.error, TarError, EOFError)):
        list(iter_files(io.BytesIO(bytes(damaged))))
    plain = bytearray(archive(tarfile.USTAR_FORMAT, compress=False))
    plain[10] ^= 0x20  # a changed name: the header's checksum no longer matches
    with pytest.raises(TarError, match="bad header checksum"):
        list(iter_files(io.BytesIO(bytes(plain))))
    with pytest.raises(EOFError, match="unexpected end of data"):
        list(iter_files(io.BytesIO(archive(tarfile.USTAR_FORMAT, compress=False)[:700])))  # mid-header


def test_a_bad_pax_header_is_a_tar_error():
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("aclImdb/train/pos/1_9.txt")
        info.size, info.pax_headers = 3, {"comment": "x"}
        tar.addfile(info, io.BytesIO(b"abc"))
    data = bytearray(raw.getvalue())
    start = BLOCK  # the pax records follow the pax header's block
    data[start:start + 2] = b"zz"  # the record's length is no number
    header = data[:BLOCK]  # the pax header itself keeps its checksum
    assert bytes(header) == raw.getvalue()[:BLOCK]
    with pytest.raises(TarError, match="bad pax header"):
        list(iter_files(io.BytesIO(bytes(data))))
