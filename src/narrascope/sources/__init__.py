"""Sources: turn what the user points at (files, folders, standard input) into ``RawItem``s.

A *blob* is one file's bytes (gzip undone); a *source* knows one format and reads a blob into
items: a plain text or HTML file is one item, a feed, WARC or JSONL file many. Sources register
through the plugin seam (``narrascope_sources``); ``detect`` asks each to ``sniff`` the blob's name
and first bytes and picks the most confident.

Bad input never raises out of ``read_inputs``: every problem becomes a ``Reject`` in the stream, so
the batch goes on and nothing is silently dropped.
"""

from __future__ import annotations

import gzip
import io
import os
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from ..errors import InputRejected, ReadError
from ..model import RawItem, Reject
from ..settings import Settings

__all__ = [
    "Blob",
    "Source",
    "binary_kind",
    "detect",
    "expand_inputs",
    "read_blob",
    "read_document",
    "read_inputs",
]

SNIFF_BYTES = 65536
GZIP_MAGIC = b"\x1f\x8b"
STDIN = "-"

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
        assert self.path is not None
        with self.path.open("rb") as f:
            return f.read(n)

    def open(self) -> BinaryIO:
        """A binary stream of the content, decompressed if gzipped."""
        raw: BinaryIO = io.BytesIO(self.data) if self.data is not None else self.path.open("rb")  # type: ignore[union-attr]
        if self.gzipped:
            return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
        return raw

    def head(self, n: int = SNIFF_BYTES) -> bytes:
        """The first ``n`` content bytes; a truncated gzip gives what could be decompressed."""
        if not self.gzipped:
            return self._raw_head(n)
        data = self.data if self.data is not None else self._raw_head(4 * n + 65536)
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, n)

    @property
    def content_name(self) -> str:
        """The file name without a .gz suffix, for sniffing by extension."""
        name = self.name.lower()
        return name[:-3] if name.endswith(".gz") else name


class Source(Protocol):
    """One input format. ``sniff`` returns 0 (not mine) .. 100 (certainly mine)."""

    name: str

    def sniff(self, name: str, head: bytes) -> int: ...

    def read(self, blob: Blob, settings: Settings) -> Iterator[RawItem | Reject]: ...


def read_document(blob: Blob, settings: Settings) -> bytes:
    """Read a single-document blob fully, enforcing the size limit and rejecting bad bytes."""
    limit = settings.input.max_bytes
    with blob.open() as stream:
        try:
            data = stream.read(limit + 1)
        except (EOFError, OSError, zlib.error) as e:
            raise ReadError(f"truncated or corrupt gzip stream: {e}", code="NS105") from e
    check_document_bytes(data, settings)
    return data


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


def expand_inputs(paths: Iterable[str], settings: Settings) -> Iterator[Blob | Reject]:
    """Files as given, folders walked recursively in sorted order, ``-`` for standard input."""
    for given in paths:
        if given == STDIN:
            yield Blob(location="<stdin>", name="stdin", data=sys.stdin.buffer.read())
            continue
        path = Path(given)
        if path.is_dir():
            yield from _walk(path, settings)
        elif path.is_file():
            yield Blob(location=str(path.resolve()), name=path.name, path=path)
        else:
            why = "no such file or folder" if not path.exists() else "not a regular file"
            yield Reject(location=str(path), code="NS109", reason=why, stage="read")


def _walk(root: Path, settings: Settings) -> Iterator[Blob | Reject]:
    for dirpath, dirnames, filenames in os.walk(root):
        if settings.input.skip_hidden:
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        dirnames.sort()
        for filename in sorted(filenames):
            if settings.input.skip_hidden and filename.startswith("."):
                continue
            path = Path(dirpath) / filename
            if path.is_file():
                yield Blob(location=str(path.resolve()), name=filename, path=path)


def detect(blob: Blob, sources: dict[str, Source]) -> Source:
    """The source most confident it can read ``blob``; raises ``InputRejected`` if none."""
    head = blob.head()
    best: tuple[int, str] = (0, "")
    for name, source in sources.items():
        score = source.sniff(blob.content_name, head)
        if score > best[0]:
            best = (score, name)
    if not best[1]:
        raise InputRejected("input format not recognised", code="NS110", stage="read")
    return sources[best[1]]


def read_blob(blob: Blob, settings: Settings) -> Iterator[RawItem | Reject]:
    """Every item of one input, with a ``Reject`` in place of each bad one; never raises."""
    from ..plugins import registry

    try:
        source = detect(blob, registry().sources)
        yield from source.read(blob, settings)
    except InputRejected as e:
        # The item boundary: one bad file never stops the batch.
        yield Reject(location=blob.location, code=e.code, reason=e.message, stage=e.stage)
    except OSError as e:
        yield Reject(location=blob.location, code="NS109", reason=f"cannot read: {e.strerror or e}", stage="read")


def read_inputs(paths: Iterable[str], settings: Settings) -> Iterator[RawItem | Reject]:
    """Every item of every input, with a ``Reject`` in place of each bad one."""
    for blob in expand_inputs(paths, settings):
        if isinstance(blob, Reject):
            yield blob
        else:
            yield from read_blob(blob, settings)
