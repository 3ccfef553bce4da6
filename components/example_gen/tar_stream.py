"""Streaming a tar(.gz) archive's regular files: (name, content), in archive order.

Python's `tarfile` builds a TarInfo per member in pure Python: on aclImdb_v1.tar.gz (100,000
small files, 84 MB) it takes about 12 times as long as decompressing the archive, and this
reader about 3 times (scripts/benchmark_tar.py; docs/results.md). It does only what ExampleGen
needs: it reads each 512-byte header (ustar and GNU, with GNU long names and pax `path`/`size`
records), checks its checksum, and yields the content of each regular file. It reads gzipped
and plain archives (ExampleGen takes .tar.gz, .tgz and .tar), not sparse files.

Members that are not regular files or directories (symbolic and hard links, devices, FIFOs,
sparse files) are not read: each is reported, with why, to the caller's `skipped` list. A
member whose path leaves the archive's root (absolute, or with a `..` part) is refused: a
TarError naming it. A stream that breaks (corrupt or truncated gzip data) yields every member
that came whole before the damage, then raises.
"""
from __future__ import annotations

import zlib
from typing import BinaryIO, Iterator

BLOCK = 512
_READ = 1 << 20
_INFLATE = 1 << 16  # gzip input inflated per call: what a corrupt piece loses of the members before it
_REGULAR = (b"0", b"\0", b"7")
_DIRECTORY = b"5"
_SKIPPED_KINDS = {b"1": "hard link", b"2": "symbolic link", b"3": "character device", b"4": "block device",
                  b"6": "FIFO", b"S": "sparse file"}
GZIP_MAGIC = b"\x1f\x8b"


class TarError(Exception):
    """A header or a stream that is not a readable tar archive."""


class _Stream:
    """Bytes of a file object, gunzipped when `gzip` (concatenated members too), read exactly."""

    def __init__(self, raw: BinaryIO, gzip: bool, head: bytes = b""):
        self._raw = raw
        self._gzip = gzip
        self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._in_member = False  # inside a gzip member that has not ended yet
        self._buf = bytearray()
        self._pos = 0
        self._eof = False
        # A broken stream's error, raised once the bytes inflated before it have been read.
        self._error: Exception | None = None
        if head:
            self._feed(head)

    def _feed(self, chunk: bytes) -> None:
        if not self._gzip:
            self._buf += chunk
            return
        pending = [chunk[i:i + _INFLATE] for i in range(0, len(chunk), _INFLATE)]
        pending.reverse()
        while pending:
            piece = pending.pop()
            self._in_member = True
            try:
                self._buf += self._inflate.decompress(piece)
            except zlib.error as e:
                self._error, self._eof = e, True
                return
            if self._inflate.eof:  # the next gzip member, if any, follows
                rest = self._inflate.unused_data
                self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
                self._in_member = False
                if rest:
                    pending.append(rest)

    def _fill(self, n: int) -> None:
        while len(self._buf) - self._pos < n and not self._eof:
            try:
                chunk = self._raw.read(_READ)
            except OSError as e:
                self._error, self._eof = e, True
                break
            if chunk:
                self._feed(chunk)
            else:
                self._eof = True
                if self._in_member:
                    self._error = EOFError("truncated gzip stream")
        if len(self._buf) - self._pos < n and self._error is not None:
            raise self._error

    def at_end(self) -> bool:
        """Whether every byte has been read."""
        self._fill(1)
        return len(self._buf) == self._pos

    def read(self, n: int) -> bytes:
        self._fill(n)
        if len(self._buf) - self._pos < n:
            raise EOFError(f"unexpected end of data ({len(self._buf) - self._pos} of {n} bytes left)")
        out = bytes(self._buf[self._pos:self._pos + n])
        self._pos += n
        if self._pos >= _READ:  # drop what has been read
            del self._buf[:self._pos]
            self._pos = 0
        return out


def _number(field: bytes) -> int:
    """A header's numeric field: octal ASCII, or GNU's base-256 (high bit of the first byte set)."""
    if field[:1] and field[0] & 0x80:
        return int.from_bytes(bytes([field[0] & 0x7F]) + field[1:], "big")
    text = field.split(b"\0", 1)[0].strip()
    try:
        return int(text, 8) if text else 0
    except ValueError:
        raise TarError(f"bad numeric field {field!r}") from None


def _string(field: bytes) -> str:
    return field.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


def _checksum_ok(header: bytes) -> bool:
    stored = _number(header[148:156])
    unsigned = sum(header) - sum(header[148:156]) + 8 * 32
    if stored == unsigned:
        return True
    signed = sum(b - 256 if b > 127 else b for b in header[:148] + header[156:]) + 8 * 32
    return stored == signed


def _pax_records(data: bytes) -> dict[str, str]:
    """`%d key=value\\n` records of a pax extended header."""
    records, pos = {}, 0
    try:
        while pos < len(data):
            space = data.index(b" ", pos)
            length = int(data[pos:space])
            if length <= space - pos:
                raise ValueError(length)
            key, _, value = data[space + 1:pos + length - 1].partition(b"=")
            records[key.decode("utf-8", "surrogateescape")] = value.decode("utf-8", "surrogateescape")
            pos += length
        if "size" in records:
            records["size"] = str(int(records["size"]))
    except ValueError:
        raise TarError("bad pax header") from None
    return records


def leaves_root(name: str) -> bool:
    """Whether a member's path is absolute or climbs out of the archive with `..`."""
    return name.startswith("/") or ".." in name.replace("\\", "/").split("/")


def iter_files(raw: BinaryIO, skipped: list | None = None) -> Iterator[tuple[str, bytes]]:
    """Yields (member name, content) of each regular file of the tar archive in `raw` (gzipped or
    plain, detected by its first bytes); appends (name, why) to `skipped` for each member that
    is neither a regular file nor a directory. Raises TarError for a bad header or a member
    whose path leaves the archive's root, EOFError or zlib.error for a truncated or corrupt
    stream (after the members before the damage)."""
    head = raw.read(2)
    stream = _Stream(raw, gzip=head == GZIP_MAGIC, head=head)
    long_name = long_link = None
    pax: dict[str, str] = {}
    while True:
        if long_name is None and long_link is None and not pax and stream.at_end():
            return  # no end-of-archive blocks: tarfile accepts that too
        header = stream.read(BLOCK)
        if header.count(0) == BLOCK:  # end of archive
            return
        if not _checksum_ok(header):
            raise TarError("bad header checksum")
        kind = header[156:157]
        size = int(pax.get("size", _number(header[124:136])))
        data = stream.read(size) if size else b""
        stream.read(-size % BLOCK)
        if kind == b"L":  # GNU: the next member's long name
            long_name = _string(data)
            continue
        if kind == b"x":  # pax: records for the next member
            pax = _pax_records(data)
            continue
        if kind == b"K":  # GNU: the next member's long link target
            long_link = _string(data)
            continue
        if kind == b"g":  # pax global header: not needed
            continue
        name = pax.get("path") or long_name
        if name is None:
            name = _string(header[0:100])
            if header[257:263] == b"ustar\0":  # POSIX ustar: a prefix before the name
                prefix = _string(header[345:500])
                if prefix:
                    name = f"{prefix}/{name}"
        target = pax.get("linkpath") or long_link or _string(header[157:257])
        long_name, long_link, pax = None, None, {}
        if leaves_root(name):
            raise TarError(f"member {name!r}: its path leaves the archive's root (absolute or with ..): refused")
        if kind in _REGULAR:
            yield name, data
        elif kind != _DIRECTORY and skipped is not None:
            what = _SKIPPED_KINDS.get(kind, f"member of type {kind!r}")
            why = (f"{what} to {target}: links are not followed" if kind in (b"1", b"2")
                   else f"{what}: not a regular file")
            skipped.append((name, why))
