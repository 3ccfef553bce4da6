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


def _with_members(*members) -> bytes:
    """A gzipped archive of FILES plus the given TarInfos (links, devices, ...)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for info in members:
            tar.addfile(info)
        for name, content in FILES.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return gzip.compress(raw.getvalue())


def _member(name: str, kind: bytes, target: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


def test_links_and_special_members_are_skipped_with_why():
    long_target = "aclImdb/" + "t" * 150 + "/1_9.txt"  # a GNU long link name
    data = _with_members(_member("aclImdb/train/pos/7_9.txt", tarfile.SYMTYPE, "../../../etc/passwd"),
                         _member("aclImdb/train/neg/8_1.txt", tarfile.LNKTYPE, "aclImdb/train/pos/1_9.txt"),
                         _member("aclImdb/train/pos/9_9.txt", tarfile.SYMTYPE, long_target),
                         _member("aclImdb/fifo", tarfile.FIFOTYPE), _dir("aclImdb/train"))
    skipped = []
    assert dict(iter_files(io.BytesIO(data), skipped)) == FILES  # the links' targets are never read
    assert skipped == [
        ("aclImdb/train/pos/7_9.txt", "symbolic link to ../../../etc/passwd: links are not followed"),
        ("aclImdb/train/neg/8_1.txt", "hard link to aclImdb/train/pos/1_9.txt: links are not followed"),
        ("aclImdb/train/pos/9_9.txt", f"symbolic link to {long_target}: links are not followed"),
        ("aclImdb/fifo", "FIFO: not a regular file"),
    ]  # the directory is no skipped member


@pytest.mark.parametrize("name", ["../aclImdb/train/pos/1_9.txt", "aclImdb/train/../../x/1_9.txt",
                                  "/etc/aclImdb/train/pos/1_9.txt"])
def test_a_member_whose_path_leaves_the_root_is_refused(name):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo(name)
        info.size = 4
        tar.addfile(info, io.BytesIO(b"good"))
    with pytest.raises(TarError, match=r"leaves the archive's root.*refused"):
        list(iter_files(io.BytesIO(raw.getvalue())))


def test_a_damaged_stream_yields_the_members_before_the_damage():
    """The damage comes after hundreds of members: they are read, then the error is raised
    (the reader's "last good member" is the last of them, not the start of the archive)."""
    import random

    rng = random.Random(0)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for i in range(600):
            content = bytes(rng.getrandbits(8) for _ in range(700))  # incompressible: the damage lands late
            info = tarfile.TarInfo(f"aclImdb/train/pos/{i}_9.txt")
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    data = bytearray(gzip.compress(raw.getvalue()))
    cut = len(data) * 3 // 4
    data[cut:cut + 64] = b"\xff" * 64
    read = []
    with pytest.raises((zlib.error, TarError, EOFError)):
        for name, _ in iter_files(io.BytesIO(bytes(data))):
            read.append(name)
    assert len(read) > 300, len(read)
    truncated = bytes(gzip.compress(raw.getvalue()))[: len(data) // 2]
    read = []
    with pytest.raises(EOFError):
        for name, _ in iter_files(io.BytesIO(truncated)):
            read.append(name)
    assert len(read) > 200, len(read)
