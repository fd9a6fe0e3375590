"""RSS and Atom feeds (feedparser): one item per feed entry.

Where an entry's article comes from, first found wins:

1. its embedded full text (``content:encoded``, Atom ``<content>``), as HTML;
2. the local file its link points at (a ``file://`` URL, or a path resolved against the feed's
   folder), read with the same size and binary checks as any input, sniffed as HTML or text;
3. a description long enough to be the article (at least ``extract.min_chars`` characters of text),
   as HTML;
4. the summary, however short (the extractor rejects it, NS202, if it is too short to keep);
5. nothing: NS111. A link to a local file that is not there is NS109, naming the file.

A local file beats a description because feed descriptions are usually teasers of it.

Hints: ``url`` (the entry link when it is not a local file), ``title``, ``published`` (only when
the entry states a date), ``authors``, ``outlet`` (the feed's title), ``tags`` (the entry's
categories) and ``feed_location``. An entry's location is ``<feed>#entry=<guid>`` (stable when the
feed gains entries), or ``<feed>#entry=<n>`` (1-based) for an entry without a unique guid.

Broken feed XML that yields no entries is NS108 with the parser's message; feedparser is lenient,
so a feed with an XML error that still yields entries keeps them. A feed cut short keeps the
entries closed before the cut; the entry the cut falls in is not stored half, but reported: NS108,
or NS105 when a gzip layer broke (which is reported even if no entry was cut).
"""

from __future__ import annotations

import html
import io
import logging
import re
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import feedparser

from ..errors import FormatError, InputRejected, ReadError
from ..model import RawItem, Reject
from ..plugins import hookimpl
from ..settings import Settings
from . import STDIN_LOCATION, Blob, check_document_bytes, read_document, read_up_to
from .dates import stated_date
from .html import HtmlSource

__all__ = ["FeedSource"]

log = logging.getLogger(__name__)

FEED_EXTENSIONS = (".rss", ".atom", ".rdf")
FEED_START = re.compile(
    rb"^\s*(?:<\?[^>]*\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<(?:rss|feed|rdf:RDF)\b", re.I | re.S
)
# The end of an entry (RSS <item>, Atom <entry>, with or without a namespace prefix).
ENTRY_END = re.compile(rb"</(?:[\w.-]+:)?(?:item|entry)\s*>")
# The feed's root element closing at the end of the file: a file without it was cut short.
ROOT_END = re.compile(rb"</(?:rss|feed|rdf:RDF)\s*>(?:\s|<!--.*?-->)*$", re.S)
MARKUP = re.compile(r"<[a-zA-Z][^>]*>")
NETWORK_SCHEMES = ("http", "https", "ftp", "feed")


class FeedSource:
    name = "rss"

    def sniff(self, name: str, head: bytes) -> int:
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            head = head[:8192].decode("utf-16", "ignore").encode("utf-8")
        if FEED_START.match(head.lstrip(b"\xef\xbb\xbf")[:8192]):
            return 90
        # A .rss file that does not look like a feed is still ours: it gets "broken feed XML".
        return 40 if name.endswith(FEED_EXTENSIONS) else 0

    def read(self, blob: Blob, settings: Settings) -> Iterator[RawItem | Reject]:
        data, damage = _read_feed(blob, settings)
        with warnings.catch_warnings():
            # feedparser's loose parser path may warn about deprecated sgmllib use.
            warnings.simplefilter("ignore", DeprecationWarning)
            # A stream, never bytes: feedparser would try bytes as a file name first.
            feed = feedparser.parse(io.BytesIO(data))
        entries = list(feed.entries)
        cut: list[Any] = []
        if damage or (feed.bozo and not ROOT_END.search(data[-4096:])):
            # The file ends early: an entry the parser recovered without its closing tag is cut short.
            closed = len(ENTRY_END.findall(data))
            entries, cut = entries[:closed], entries[closed:]
        if not entries and damage:
            raise ReadError(damage, code="NS105")
        if not entries and feed.bozo:
            raise FormatError(f"broken feed XML: {_parser_message(feed)}", code="NS108")
        if not entries:
            raise ReadError("the feed has no entries", code="NS101")
        if feed.bozo:
            log.info("%s: feed XML error (%s); kept the %d entries read", blob.location, _parser_message(feed),
                     len(entries))
        outlet = _text(dict.get(feed.feed, "title"))
        guids = [_text(dict.get(entry, "id")) for entry in entries]
        for n, (entry, guid) in enumerate(zip(entries, guids, strict=True), start=1):
            unique = guid and guids.count(guid) == 1
            location = f"{blob.location}#entry={guid if unique else n}"
            try:
                yield self._entry_item(entry, location, outlet, blob, settings)
            except InputRejected as e:
                yield Reject(location=location, code=e.code, reason=e.message, stage=e.stage, source_kind="rss")
        if damage or cut:
            where = f"{blob.location}#entry={len(entries) + 1}"
            kept = f"{len(entries)} complete {'entry was' if len(entries) == 1 else 'entries were'} read before it"
            reason = (f"{damage}; {kept}" if damage else
                      f"broken feed XML: the feed ends inside entry {len(entries) + 1} ({_parser_message(feed)}); {kept}")
            yield Reject(location=where, code="NS105" if damage else "NS108", reason=reason, stage="read",
                         source_kind="rss")

    def _entry_item(self, entry: dict[str, Any], location: str, outlet: str | None, blob: Blob,
                    settings: Settings) -> RawItem:
        title = _text(dict.get(entry, "title"))
        link = _text(dict.get(entry, "link"))
        local, url = _resolve_link(link, blob)
        hints: dict[str, Any] = {
            "url": url,
            "title": title,
            "published": _entry_date(entry),
            "authors": _authors(entry),
            "outlet": outlet,
            "tags": _tags(entry),
            "feed_location": blob.location,
        }
        hints = {k: v for k, v in hints.items() if v}
        summary = _text(dict.get(entry, "summary"))
        content = _embedded_content(entry)
        if content is not None:
            data, media_type = _as_html(content[0], content[1], title), "text/html"
        elif local is not None:
            data, media_type = _read_linked(local, settings, blob)
        elif summary and MARKUP.search(summary) and len(_strip_tags(summary)) >= settings.extract.min_chars:
            data, media_type = _as_html(summary, "text/html", title), "text/html"
        elif summary:
            data, media_type = _as_html(summary, _summary_type(entry), title), "text/html"
        else:
            raise InputRejected("feed entry has no content, no summary and no local link", code="NS111")
        check_document_bytes(data, settings)
        return RawItem(data=data, media_type=media_type, source_kind="rss", location=location, hints=hints)


def _read_feed(blob: Blob, settings: Settings) -> tuple[bytes, str | None]:
    """The feed's bytes (size, empty and binary checked) and why a gzip layer ended early, if it did."""
    limit = settings.input.max_bytes
    with blob.stream() as stream:
        data = read_up_to(stream, limit + 1)
        damage = stream.gzip_error
    if damage and not data.strip():
        raise ReadError(damage, code="NS105")
    check_document_bytes(data, settings)
    return data, damage


def _parser_message(feed: Any) -> str:
    error = feed.get("bozo_exception")
    return str(error) if error is not None else "not a well-formed feed"


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _resolve_link(link: str | None, blob: Blob) -> tuple[Path | None, str | None]:
    """(the local file the link names, the web URL it is); at most one is set."""
    if not link:
        return None, None
    parts = urlsplit(link)
    scheme = parts.scheme.lower()
    if scheme in NETWORK_SCHEMES and parts.netloc:
        return None, link
    if scheme == "file":
        # feedparser turns "file:///tmp/a.html" into "file://tmp/a.html": the "host" is the first folder.
        written = parts.path if parts.netloc in ("", "localhost") else f"/{parts.netloc}{parts.path}"
        return Path(url2pathname(written)), None
    if scheme:  # mailto:, urn:, tag: ... name no file and no page
        return None, None
    path = Path(url2pathname(parts.path))  # url2pathname undoes %-escapes
    if path.is_absolute():
        return path, None
    if blob.path is None or blob.location == STDIN_LOCATION:  # a feed on stdin has no folder
        return None, None
    return blob.path.resolve().parent / path, None


def _read_linked(path: Path, settings: Settings, feed: Blob) -> tuple[bytes, str]:
    policy = settings.input.feed_local_links
    if policy == "none":
        raise ReadError(f"feed entry links to the local file {path}; input.feed_local_links is none", code="NS111")
    if policy == "folder":
        # A feed from elsewhere must not pull arbitrary local files (/etc/passwd...) into the store.
        folder = feed.path.resolve().parent if feed.path is not None and feed.location != STDIN_LOCATION else None
        if folder is None or not path.resolve().is_relative_to(folder):
            raise ReadError(f"feed entry links to the local file {path}, outside the feed's folder"
                            " (input.feed_local_links = \"folder\")", code="NS111")
    if not path.is_file():
        why = "does not exist" if not path.exists() else "is not a regular file"
        raise ReadError(f"feed entry links to the local file {path}, which {why}", code="NS109")
    linked = Blob(location=str(path), name=path.name, path=path)
    data = read_document(linked, settings)
    is_html = HtmlSource().sniff(linked.content_name, data[:4096]) > 0
    return data, "text/html" if is_html else "text/plain"


def _embedded_content(entry: dict[str, Any]) -> tuple[str, str] | None:
    """The longest full-text ``content`` element of the entry: (value, content type)."""
    best: tuple[str, str] | None = None
    for content in dict.get(entry, "content") or []:
        value = content.get("value") or ""
        if value.strip() and (best is None or len(value) > len(best[0])):
            best = (value, content.get("type") or "text/html")
    return best


def _summary_type(entry: dict[str, Any]) -> str:
    detail = dict.get(entry, "summary_detail") or {}
    return str(detail.get("type") or "text/html")


def _strip_tags(markup: str) -> str:
    return html.unescape(MARKUP.sub(" ", re.sub(r"</[^>]*>", " ", markup))).strip()


def _as_html(value: str, content_type: str, title: str | None) -> bytes:
    """Entry content as a small UTF-8 HTML page (the entry HTML inside ``<article>``)."""
    if "html" not in content_type or not MARKUP.search(value):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", value) if p.strip()]
        value = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    head = f"<title>{html.escape(title)}</title>" if title else ""
    page = (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8">{head}</head>\n'
            f"<body><article>\n{value}\n</article></body></html>\n")
    return page.encode("utf-8")


def _entry_date(entry: dict[str, Any]) -> str | None:
    """The date the entry states (published, else updated), in the time zone it states it in."""
    # dict.get, not entry.get: feedparser warns when "updated" falls back to "published".
    for key in ("published", "updated"):
        raw = _text(dict.get(entry, key))
        day = stated_date(raw) if raw else None
        if day:
            return day
        parsed = dict.get(entry, f"{key}_parsed")
        if isinstance(parsed, time.struct_time):
            return time.strftime("%Y-%m-%d", parsed)
    return None


def _authors(entry: dict[str, Any]) -> list[str]:
    names = [_text(a.get("name")) for a in dict.get(entry, "authors") or [] if isinstance(a, dict)]
    found = [n for n in names if n]
    if not found:
        single = _text(dict.get(entry, "author"))
        found = [single] if single else []
    return list(dict.fromkeys(found))


def _tags(entry: dict[str, Any]) -> list[str]:
    terms = [_text(t.get("label")) or _text(t.get("term")) for t in dict.get(entry, "tags") or []]
    return list(dict.fromkeys(t for t in terms if t))


@hookimpl
def narrascope_sources() -> list[FeedSource]:
    return [FeedSource()]
