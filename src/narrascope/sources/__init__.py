"""Sources: turn what the user points at (files, folders, standard input) into ``RawItem``s.

A *blob* is one file's bytes (gzip undone); a *source* knows one format and reads a blob into
items: a plain text or HTML file is one item, a feed, WARC or JSONL file many. Sources register
through the plugin seam (``narrascope_sources``); ``detect`` asks each to ``sniff`` the blob's name
and first bytes and picks the most confident.

Bad input never raises out of ``read_inputs``: every problem becomes a ``Reject`` in the stream, so
the batch goes on and nothing is silently dropped.

Single documents go through ``read_document`` (size limit, empty, binary, damaged gzip: NS101-NS105)
and never read more than ``input.max_bytes`` + 1 bytes. Containers stream their content through
``Blob.stream()``, which ends cleanly where a gzip layer breaks, so a feed, WARC or JSONL source
keeps every entry, record or line before the damage and adds one reject saying where it broke.
"""

from __future__ import annotations

import atexit
import io
import json
import os
import shutil
import stat
import sys
import tempfile
import zlib
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from ..errors import InputRejected, ReadError
from ..model import RawItem, Reject, bytes_fingerprint, stat_fingerprint, storable
from ..settings import Settings

__all__ = [
    "Blob",
    "ContentStream",
    "Source",
    "binary_kind",
    "check_document_bytes",
    "detect",
    "expand_inputs",
    "read_blob",
    "read_content",
    "read_document",
    "read_inputs",
    "read_up_to",
    "resolved_path",
    "storable",
]

SNIFF_BYTES = 65536
CHUNK = 65536
GZIP_MAGIC = b"\x1f\x8b"
STDIN = "-"
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


def expand_inputs(paths: Iterable[str], settings: Settings, *,
                  exclude: Collection[Path] = ()) -> Iterator[Blob | Reject]:
    """Files as given, folders walked recursively in sorted order, ``-`` for standard input.

    The walk skips, silently, the resolved paths in ``exclude`` (the store's own files) and the
    local files a feed among the inputs links to and will read itself, with its entry's metadata
    (see ``narrascope.sources.rss``), so a feed and the pages beside it give each page once. Broken
    symbolic links, symbolic link loops, pipes, devices and sockets found in a folder are NS109 rejects,
    never opened; so is a file whose name (or a folder's) is not valid UTF-8, which cannot be stored
    as its location.
    """
    excluded = frozenset(Path(p).resolve() for p in exclude)
    blobs: list[Blob | Reject] = []
    for given in paths:
        if given == STDIN:
            blobs.append(_stdin_blob(settings))
            continue
        path = Path(given)
        if path.is_dir():
            blobs.extend(_walk(path, settings, excluded))
        elif path.is_file():
            blobs.append(_file_blob(path, resolved_path(path)))
        else:
            why = "no such file or folder" if not path.exists() and not path.is_symlink() else _not_a_file(path)
            blobs.append(Reject(location=storable(str(path)), code="NS109", reason=why, stage="read",
                                fingerprint=stat_fingerprint(path)))
    read_by_feeds = _read_by_feeds(blobs, settings)
    for blob in blobs:
        if isinstance(blob, Blob) and blob.path is not None and blob.location in read_by_feeds:
            continue
        yield blob


def _read_by_feeds(blobs: list[Blob | Reject], settings: Settings) -> set[str]:
    """The resolved locations of the files that feeds among ``blobs`` read through their entries."""
    from .rss import FeedSource, linked_files

    feeds = FeedSource()
    found: set[str] = set()
    for blob in blobs:
        if not isinstance(blob, Blob) or blob.path is None or blob.location == STDIN_LOCATION:
            continue
        try:
            if feeds.sniff(blob.content_name, blob.head(8192)) < 90:
                continue
            found.update(str(p) for p in linked_files(blob, settings))
        except (OSError, InputRejected):
            continue  # reading the blob itself reports the problem, once, with its code
    return found


def _not_a_file(path: Path) -> str:
    """Why ``path`` (which exists, or is a link) is not read as a file; never opens it."""
    if path.is_symlink() and resolved_path(path) is None:
        return f"symbolic link loop (it leads back to itself through {storable(os.readlink(path))}): not followed"
    if path.is_symlink() and not path.exists():
        return f"broken symbolic link to {storable(os.readlink(path))}"
    mode = path.stat().st_mode
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO), not a regular file: not opened"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a regular file: not opened"
    if stat.S_ISSOCK(mode):
        return "a socket, not a regular file: not opened"
    return "not a regular file"


def _stdin_blob(settings: Settings) -> Blob:
    """Standard input: in memory when small, spooled to a temporary file when large."""
    limit = settings.input.stdin_spool_bytes
    head = sys.stdin.buffer.read(limit + 1)
    if len(head) <= limit:
        return Blob(location=STDIN_LOCATION, name="stdin", data=head)
    spool = tempfile.NamedTemporaryFile(prefix="narrascope-stdin-", delete=False)  # noqa: SIM115
    atexit.register(os.unlink, spool.name)
    with spool:
        spool.write(head)
        shutil.copyfileobj(sys.stdin.buffer, spool, 1 << 20)
    return Blob(location=STDIN_LOCATION, name="stdin", path=Path(spool.name))


def _walk(root: Path, settings: Settings, excluded: frozenset[Path]) -> Iterator[Blob | Reject]:
    unreadable: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable.append):
        while unreadable:
            yield _unreadable_folder(unreadable.pop())
        if settings.input.skip_hidden:
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        dirnames.sort()
        for linked in [d for d in dirnames if (Path(dirpath) / d).is_symlink()]:
            # os.walk does not follow them (a link may loop); say so rather than skip it silently.
            yield Reject(location=storable(str(Path(dirpath, linked).absolute())), code="NS109", stage="read",
                         reason="symbolic link to a folder, not followed: give the folder itself",
                         fingerprint=stat_fingerprint(Path(dirpath, linked)))
        for filename in sorted(filenames):
            if settings.input.skip_hidden and filename.startswith("."):
                continue
            path = Path(dirpath) / filename
            resolved = resolved_path(path)
            if resolved is not None and resolved in excluded:
                continue
            yield _file_blob(path, resolved)
    for error in unreadable:
        yield _unreadable_folder(error)


def _unreadable_folder(error: OSError) -> Reject:
    return Reject(location=storable(str(error.filename)), code="NS109", stage="read",
                  reason=f"folder cannot be read: {error.strerror or error}",
                  fingerprint=stat_fingerprint(error.filename) if error.filename else None)


def _file_blob(path: Path, resolved: Path | None) -> Blob | Reject:
    """The blob of a file found or given, or the reject saying why it is not read."""
    if resolved is None or not path.is_file():
        return Reject(location=storable(str(path.absolute())), code="NS109", reason=_not_a_file(path), stage="read",
                      fingerprint=stat_fingerprint(path))
    location = str(resolved)
    if storable(location) != location:
        # The location is stored as UTF-8 text; an undecodable name would stop the whole batch there.
        return Reject(location=storable(location), code="NS109", stage="read",
                      reason="the file name (or a folder's) is not valid UTF-8: rename it to read it",
                      fingerprint=stat_fingerprint(path))
    return Blob(location=location, name=path.name, path=path)


def resolved_path(path: Path) -> Path | None:
    """``path`` with every symbolic link resolved, or None when the links loop."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # Python < 3.13 raises RuntimeError on a loop, later ones OSError
        return None


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
        for thing in source.read(blob, settings):
            thing = _checked(thing)
            if isinstance(thing, Reject) and thing.location == blob.location and not thing.identity:
                thing.fingerprint = blob_fingerprint(blob)
            yield thing
    except InputRejected as e:
        # The item boundary: one bad file never stops the batch.
        yield Reject.from_error(e, location=blob.location, fingerprint=blob_fingerprint(blob))
    except OSError as e:
        yield Reject(location=blob.location, code="NS109", reason=f"cannot read: {e.strerror or e}", stage="read",
                     fingerprint=blob_fingerprint(blob))
    except (RecursionError, LookupError, TypeError, ValueError, UnicodeError) as e:
        # An input we did not foresee costs this input, never the batch.
        yield Reject(location=blob.location, code="NS901", reason=f"internal error: {type(e).__name__}: {e}",
                     stage="read", fingerprint=blob_fingerprint(blob))


def blob_fingerprint(blob: Blob) -> str | None:
    """What a reject of the whole blob is keyed by, without reading it again: the file's size and
    modification time (``stat:``), or the hash of bytes held in memory (``bytes:``)."""
    if blob.data is not None:
        return bytes_fingerprint(blob.data)
    return stat_fingerprint(blob.path, follow=True) if blob.path is not None else None


def _checked(thing: RawItem | Reject) -> RawItem | Reject:
    """The item, or a reject of it alone if its location or metadata cannot be stored as UTF-8 text.

    Every source checks its own input; this is the net under them: a lone surrogate that reached
    a hint would otherwise fail at the item's id, or in the store, and stop the whole batch.
    """
    if isinstance(thing, Reject):
        thing.location, thing.reason = storable(thing.location), storable(thing.reason)
        return thing
    try:
        json.dumps([thing.location, thing.media_type, thing.hints], ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as e:
        bad = e.object[e.start:e.end] if isinstance(e.object, str) else "?"
        return Reject(location=storable(thing.location), code="NS104", stage="read", source_kind=thing.source_kind,
                      reason=f"the item's location or metadata holds {bad!a}, a lone surrogate, not a character",
                      fingerprint=bytes_fingerprint(thing.data))
    except (TypeError, ValueError) as e:
        return Reject(location=storable(thing.location), code="NS901", stage="read", source_kind=thing.source_kind,
                      reason=f"internal error: metadata that cannot be stored: {type(e).__name__}: {e}",
                      fingerprint=bytes_fingerprint(thing.data))
    return thing


def read_inputs(paths: Iterable[str], settings: Settings) -> Iterator[RawItem | Reject]:
    """Every item of every input, with a ``Reject`` in place of each bad one."""
    for blob in expand_inputs(paths, settings):
        if isinstance(blob, Reject):
            yield blob
        else:
            yield from read_blob(blob, settings)
