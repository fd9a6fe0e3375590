"""Blobs and what every source shares: reading a file's bytes (gzip undone, size-limited),
rejecting empty and binary payloads, and the ``Source`` protocol.

Its own module, below the package (which re-exports it), so the sources the package dispatches
to need not import the package.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from ..errors import ReadError
from ..model import RawItem, Reject
from ..settings import Settings

__all__ = ["SNIFF_BYTES", "STDIN_LOCATION", "Blob", "ContentStream", "Source", "binary_kind",
           "check_document_bytes", "read_content", "read_document", "read_up_to", "resolved_path"]

SNIFF_BYTES = 65536
CHUNK = 65536
GZIP_MAGIC = b"\x1f\x8b"
STDIN_LOCATION = "<stdin>"

#: Leading bytes of common binary formats -> a name for the error message.
BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"RIFF", "RIFF media (WebP, WAV, AVI)"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (or DOCX/XLSX/EPUB)"),
    (b"\x7fELF", "executable"),
    (b"BM", "BMP image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"\x00\x00\x01\x00", "icon"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"\x1a\x45\xdf\xa3", "Matroska/WebM video"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\x28\xb5\x2f\xfd", "zstd archive"),
)
TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def binary_kind(head: bytes) -> str | None:
    """Name the binary format ``head`` starts with, or None if it looks like text."""
    for magic, name in BINARY_MAGIC:
        if head.startswith(magic):
            # "BM" and "ID3" are also plain words; only call them binary if there are control bytes.
            if len(magic) < 4 and not _has_control_bytes(head):
                continue
            return name
    if head.startswith(TEXT_BOMS):
        return None
    if b"\x00" in head[:8192] or _has_control_bytes(head):
        return "binary data"
    return None


def _has_control_bytes(head: bytes) -> bool:
    sample = head[:8192]
    if not sample:
        return False
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls / len(sample) > 0.05


class ContentStream(io.RawIOBase):
    """A blob's content as a stream, gzip undone member by member, that never raises on damage.

    ``gzip.GzipFile`` raises ``EOFError`` at a truncation and the caller loses what its buffers
    held; a container source wants every record that decompressed before the damage. This stream
    ends cleanly where the gzip layer breaks and says why in ``gzip_error``. Each ``read`` inflates
    at most what was asked for, so a gzip bomb costs time, never memory.
    """

    def __init__(self, raw: BinaryIO, *, gzipped: bool) -> None:
        super().__init__()
        self._raw = raw
        self._gzipped = gzipped
        self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._input = b""
        self._pending = b""  # inflated bytes, of which the first ``_taken`` were delivered
        self._taken = 0
        self._ended = False
        #: Why the gzip layer ended early (truncated, corrupt), or None.
        self.gzip_error: str | None = None
        #: Content bytes delivered so far, and the last few of them.
        self.position = 0
        self.tail = b""

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._read_some(len(buffer))
        buffer[: len(data)] = data
        self.position += len(data)
        self.tail = (self.tail + data[-8:])[-8:]
        return len(data)

    def _read_some(self, n: int) -> bytes:
        if not self._gzipped:
            return self._raw.read(n)
        while self._taken >= len(self._pending) and not self._ended:
            self._inflate(n)
        data = self._pending[self._taken : self._taken + n]
        self._taken += len(data)
        return data

    def _inflate(self, n: int) -> None:
        if self._inflater.eof:
            # A new gzip member may follow (WARC.gz files have one per record); zero padding may end it.
            # All input left after the member is in unused_data (unconsumed_tail repeats some of it).
            rest = self._inflater.unused_data.lstrip(b"\0")
            while not rest:
                more = self._raw.read(CHUNK)
                if not more:
                    self._ended = True
                    return
                rest = more.lstrip(b"\0")
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            self._input = rest
        at_end = False
        if not self._input:
            self._input = self._raw.read(CHUNK)
            at_end = not self._input
        try:
            # With no new input this still flushes output zlib held back because of the length cap.
            self._pending = self._inflater.decompress(self._input, max(n, CHUNK))
            self._taken = 0
        except zlib.error as e:
            self.gzip_error = f"the gzip stream is corrupt after {self.position:,} content bytes ({e})"
            self._ended = True
            return
        self._input = self._inflater.unconsumed_tail
        if at_end and not self._pending and not self._inflater.eof:
            self.gzip_error = (f"the gzip stream is truncated: it ends after {self.position:,} content bytes"
                               " without its end marker")
            self._ended = True

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


@dataclass
class Blob:
    """One input file (or standard input), gzip undone on reading."""

    location: str
    name: str
    path: Path | None = None
    data: bytes | None = None

    @property
    def gzipped(self) -> bool:
        return self._raw_head(2) == GZIP_MAGIC

    def _raw_head(self, n: int) -> bytes:
        if self.data is not None:
            return self.data[:n]
        if self.path is None:
            raise ValueError("a Blob needs a path or data")
        with self.path.open("rb") as f:
            return f.read(n)

    def _open_raw(self) -> BinaryIO:
        if self.data is not None:
            return io.BytesIO(self.data)
        if self.path is None:
            raise ValueError("a Blob needs a path or data")
        return self.path.open("rb")

    def stream(self) -> ContentStream:
        """The content as a ``ContentStream``: decompressed if gzipped, ending cleanly at damage."""
        return ContentStream(self._open_raw(), gzipped=self.gzipped)

    def head(self, n: int = SNIFF_BYTES) -> bytes:
        """The first ``n`` content bytes; a truncated or corrupt gzip gives what could be decompressed."""
        with self.stream() as stream:
            return read_up_to(stream, n)

    @property
    def content_name(self) -> str:
        """The file name without a .gz suffix, for sniffing by extension."""
        name = self.name.lower()
        return name[:-3] if name.endswith(".gz") else name


def read_up_to(stream: BinaryIO | ContentStream, n: int) -> bytes:
    """Read until ``n`` bytes or the end of ``stream`` (a raw stream may return short reads)."""
    parts: list[bytes] = []
    size = 0
    while size < n:
        part = stream.read(n - size)
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


class Source(Protocol):
    """One input format. ``sniff`` returns 0 (not mine) .. 100 (certainly mine)."""

    name: str

    def sniff(self, name: str, head: bytes) -> int: ...

    def read(self, blob: Blob, settings: Settings) -> Iterator[RawItem | Reject]: ...


def read_document(blob: Blob, settings: Settings) -> bytes:
    """Read a single-document blob fully, enforcing the size limit and rejecting bad bytes.

    Never reads (or decompresses) more than ``input.max_bytes`` + 1 bytes, so a huge file or a
    gzip bomb is rejected (NS103) without being held in memory; a damaged gzip layer is NS105.
    """
    data, damage = read_content(blob, settings)
    if damage and len(data) <= settings.input.max_bytes:
        raise ReadError(damage, code="NS105")
    check_document_bytes(data, settings)
    return data


def read_content(blob: Blob, settings: Settings, *, keep_damaged: bool = False) -> tuple[bytes, str | None]:
    """The blob's content up to ``input.max_bytes`` + 1 bytes, and why a gzip layer ended early, if it did.

    With ``keep_damaged`` (a container that keeps what came before the damage) the content is
    checked (size, empty, binary) and returned with the damage; NS105 only if nothing came through.
    """
    with blob.stream() as stream:
        data = read_up_to(stream, settings.input.max_bytes + 1)
        damage = stream.gzip_error
    if keep_damaged:
        if damage and not data.strip():
            raise ReadError(damage, code="NS105")
        check_document_bytes(data, settings)
    return data, damage


def check_document_bytes(data: bytes, settings: Settings) -> None:
    """Reject empty, oversize and binary payloads (shared by every source)."""
    limit = settings.input.max_bytes
    if len(data) > limit:
        raise ReadError(f"larger than the size limit of {limit:,} bytes (input.max_bytes)", code="NS103")
    if not data.strip():
        raise ReadError("empty input", code="NS101")
    kind = binary_kind(data[:SNIFF_BYTES])
    if kind:
        raise ReadError(f"binary content ({kind}), not text", code="NS102")


def resolved_path(path: Path) -> Path | None:
    """``path`` with every symbolic link resolved, or None when the links loop."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # Python < 3.13 raises RuntimeError on a loop, later ones OSError
        return None
