"""WARC archives, plain or gzipped (warcio): one item per archived HTML page.

An article is a ``response`` record with HTTP status 200 and an HTML Content-Type (``text/html``,
``application/xhtml+xml``; a page with no Content-Type is sniffed), or a ``resource`` record of an
HTML type. Everything else in a crawl (requests, metadata, warcinfo, revisits, images, CSS,
scripts, redirects, 404s and other HTTP errors) is not an article and not a reject: the source
counts it in a debug log line.

The item is the HTTP body with chunked transfer and content encoding (gzip, deflate; br when the
optional ``brotli`` package is installed) undone; a body that cannot be decoded is rejected (NS106),
never stored half-decoded. Hints: ``url`` (WARC-Target-URI), ``fetched`` (WARC-Date:
when it was crawled, never the publication date) and ``charset`` (from the HTTP Content-Type).
Location: ``<file>#record=<WARC-Record-ID>`` (or the record's offset when it has no id).

Records are streamed, never the whole archive held in memory; ``input.max_bytes`` applies to each
record (NS103, then the next record). An archive cut short keeps every complete record before the
cut and adds one reject naming where it broke: NS106 for the WARC, NS105 when the gzip layer broke.
"""

from __future__ import annotations

import logging
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader

from ..errors import InputRejected, ReadError
from ..model import RawItem, Reject
from ..plugins import hookimpl
from ..settings import Settings
from .blobs import Blob, ContentStream, check_document_bytes, read_up_to
from .html import HtmlSource

__all__ = ["WarcSource"]

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.I)
DRAIN_CHUNK = 65536


class WarcSource:
    name = "warc"

    def sniff(self, name: str, head: bytes) -> int:
        if head.startswith(b"WARC/"):
            return 100
        return 60 if name.endswith(".warc") else 0

    def read(self, blob: Blob, settings: Settings) -> Iterator[RawItem | Reject]:
        not_articles: Counter[str] = Counter()
        articles = 0
        with blob.stream() as stream:
            records = ArchiveIterator(stream)
            broken: tuple[str, str] | None = None  # (location, what broke)
            while broken is None:
                try:
                    record = next(records)
                except StopIteration:
                    break
                except Exception as e:  # warcio raises assorted errors (ValueError, AttributeError...) on damage
                    broken = (f"{blob.location}#offset={records.offset}",
                              f"damaged WARC record at offset {records.offset:,}: {e}")
                    break
                location = _record_location(blob, record, records.offset)
                broken = _incomplete_headers(record, location, records.offset)
                if broken:
                    break
                outcome = self._record_item(record, location, settings)
                missing = _drain(record)
                if missing:  # the page is cut: do not yield half of it
                    broken = (location, f"the WARC ends inside the record at offset {records.offset:,}: "
                                        f"{missing:,} of its {record.length:,} bytes are missing")
                elif isinstance(outcome, str):
                    not_articles[outcome] += 1
                else:
                    articles += isinstance(outcome, RawItem)
                    yield outcome
            damage = _damage(blob, stream, records.offset, broken)
            if damage:
                yield damage
        log.debug("%s: %d HTML pages; not articles: %s", blob.location, articles,
                  ", ".join(f"{n} {why}" for why, n in not_articles.most_common()) or "none")

    def _record_item(self, record: Any, location: str, settings: Settings) -> RawItem | Reject | str:
        """The record's page, a reject for a bad page, or why the record is not an article."""
        why_not = _not_an_article(record)
        if why_not:
            return why_not
        limit = settings.input.max_bytes
        try:
            if record.length is not None and record.length > limit:
                raise ReadError(f"record of {record.length:,} bytes is larger than the size limit of {limit:,}"
                                " bytes (input.max_bytes)", code="NS103")
            data = _payload(record, limit)
            if not _media_type(record) and not HtmlSource().sniff("", data[:4096]):
                return "not HTML (no Content-Type)"
            check_document_bytes(data, settings)
        except InputRejected as e:
            return Reject.from_error(e, location=location, source_kind="warc")
        headers = record.rec_headers
        hints = {
            "url": (headers.get_header("WARC-Target-URI") or "").strip("<> ") or None,
            "fetched": headers.get_header("WARC-Date"),
            "charset": _charset(record),
        }
        return RawItem(data=data, media_type="text/html", source_kind="warc", location=location,
                       hints={k: v for k, v in hints.items() if v})


def _incomplete_headers(record: Any, location: str, offset: int) -> tuple[str, str] | None:
    declared = (record.rec_headers.get_header("Content-Length") or "").strip()
    if declared.isdigit() and record.rec_type:
        return None
    lacking = "WARC-Type" if declared.isdigit() else "valid Content-Length"
    return location, f"incomplete WARC headers at offset {offset:,} (no {lacking}): the file is cut short or damaged"


def _damage(blob: Blob, stream: ContentStream, offset: int, broken: tuple[str, str] | None) -> Reject | None:
    """One reject for an archive that ends early: NS105 if the gzip layer broke, else NS106."""
    # Every record ends with a blank line: unparsed bytes, or a file that does not end with one,
    # means the file was cut inside a record (its headers, or its final blank line).
    unparsed = stream.position > offset or not stream.tail.replace(b"\r", b"").endswith(b"\n\n")
    if broken is None and stream.position and unparsed:
        broken = (f"{blob.location}#offset={offset}", f"the WARC ends inside a record, after offset {offset:,}")
    if stream.gzip_error:
        where = broken[0] if broken else f"{blob.location}#offset={stream.position}"
        return Reject(location=where, code="NS105", stage="read", source_kind="warc",
                      reason=f"{stream.gzip_error}; the complete records before it were read")
    if broken:
        return Reject(location=broken[0], code="NS106", stage="read", source_kind="warc",
                      reason=f"{broken[1]}; the complete records before it were read")
    return None


def _record_location(blob: Blob, record: Any, offset: int) -> str:
    record_id = (record.rec_headers.get_header("WARC-Record-ID") or "").strip("<> ")
    return f"{blob.location}#record={record_id or offset}"


def _content_type(record: Any) -> str:
    if record.rec_type == "resource":
        return str(record.content_type or "")
    return str(record.http_headers.get_header("Content-Type") or "")


def _media_type(record: Any) -> str:
    """The media type the record states for its page ("" when it states none)."""
    return _content_type(record).split(";")[0].strip().lower()


def _not_an_article(record: Any) -> str | None:
    """Why the record is not an archived HTML page, or None if it may be one."""
    if record.rec_type == "response":
        if record.http_headers is None:
            return "response without HTTP headers"
        status = record.http_headers.get_statuscode()
        if status != "200":
            return f"HTTP status {status}"
    elif record.rec_type != "resource":
        return f"{record.rec_type} record"
    media = _media_type(record)
    if media and media not in HTML_TYPES:
        return f"not HTML ({media})"
    return None


def _charset(record: Any) -> str | None:
    match = CHARSET.search(_content_type(record))
    return match.group(1) if match else None


def _payload(record: Any, limit: int) -> bytes:
    """The HTTP body with chunked transfer and content encoding undone, at most ``limit`` bytes."""
    stream = record.raw_stream
    encoding = ""
    if record.http_headers is not None:
        if (record.http_headers.get_header("Transfer-Encoding") or "").strip().lower() == "chunked":
            # Lenient: a body the crawler stored already dechunked is read as it is.
            stream = ChunkedDataReader(stream)
        encoding = (record.http_headers.get_header("Content-Encoding") or "").strip().lower()
    body = read_up_to(stream, limit + 1)
    if len(body) > limit:
        raise ReadError(f"page larger than the size limit of {limit:,} bytes (input.max_bytes)", code="NS103")
    return _decode_body(body, encoding, limit)


def _decode_body(body: bytes, encoding: str, limit: int) -> bytes:
    """Undo the HTTP Content-Encoding; a body the crawler stored already decoded is kept as it is."""
    if encoding in ("", "identity"):
        return body
    if encoding in ("gzip", "x-gzip"):
        return _inflate(body, 16 + zlib.MAX_WBITS, encoding, limit) if body.startswith(b"\x1f\x8b") else body
    if encoding == "deflate":
        # Servers send both zlib-wrapped and raw deflate under this name.
        wrapped = len(body) >= 2 and body[0] & 0x0F == 8 and int.from_bytes(body[:2], "big") % 31 == 0
        return _inflate(body, zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS, encoding, limit)
    if encoding == "br":
        return _unbrotli(body, limit)
    raise ReadError(f"the page is compressed with Content-Encoding {encoding!r}, which narrascope cannot undo",
                    code="NS102")


def _inflate(body: bytes, wbits: int, encoding: str, limit: int) -> bytes:
    inflater = zlib.decompressobj(wbits)
    try:
        data = inflater.decompress(body, limit + 1)
    except zlib.error as e:
        raise ReadError(f"the page's Content-Encoding {encoding} cannot be undone: {e}", code="NS106") from e
    if len(data) > limit:
        raise ReadError(f"page larger than the size limit of {limit:,} bytes once decompressed (input.max_bytes)",
                        code="NS103")
    if not inflater.eof:
        raise ReadError(f"the page's {encoding}-compressed body is truncated", code="NS106")
    return data


def _unbrotli(body: bytes, limit: int) -> bytes:
    try:
        import brotli  # optional: not a narrascope dependency
    except ImportError as e:
        raise ReadError("the page is compressed with Content-Encoding br; install the brotli package to read it",
                        code="NS102") from e
    try:
        data: bytes = brotli.decompress(body)
    except brotli.error as e:
        raise ReadError(f"the page's Content-Encoding br cannot be undone: {e}", code="NS106") from e
    if len(data) > limit:
        raise ReadError(f"page larger than the size limit of {limit:,} bytes once decompressed (input.max_bytes)",
                        code="NS103")
    return data


def _drain(record: Any) -> int:
    """Read the rest of the record; the number of bytes its header promised that never came."""
    raw = record.raw_stream
    while raw.read(DRAIN_CHUNK):
        pass
    return int(getattr(raw, "limit", 0) or 0)


@hookimpl
def narrascope_sources() -> list[WarcSource]:
    return [WarcSource()]
