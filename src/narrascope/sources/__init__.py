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
import json
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path

from ..errors import InputRejected
from ..model import RawItem, Reject, bytes_fingerprint, stat_fingerprint, storable
from ..settings import Settings
from .blobs import (
    STDIN_LOCATION,
    Blob,
    ContentStream,
    Source,
    binary_kind,
    check_document_bytes,
    read_content,
    read_document,
    read_up_to,
    resolved_path,
)

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

STDIN = "-"


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
