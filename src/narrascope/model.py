"""The data that flows through narrascope: raw items in, articles out.

``RawItem`` is one input as a source read it (the bytes of a file, a feed entry, a WARC record or
a JSONL line) plus what its container stated about it (``hints``). ``Article`` is the record of
../SCHEMA.md (see README "The article record"); ``Article.to_record()`` is the export contract.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import InputRejected

__all__ = ["REMOVED_KINDS", "SOURCE_KINDS", "Article", "RawItem", "Reject", "Removed", "bytes_fingerprint", "public_location",
           "public_reason", "stat_fingerprint", "storable",
           "with_public_location"]

SOURCE_KINDS = ("text", "html", "rss", "warc", "jsonl", "csv", "url")
REMOVED_KINDS = ("caption", "credit", "comments", "related", "disclaimer", "bio", "byline", "nav", "tags", "other")

#: Hints that describe where an item came from but do not change what is extracted from it, so
#: they do not take part in its id (a page crawled twice with the same bytes is one article).
NON_IDENTITY_HINTS = frozenset({"fetched", "feed_location"})


def stat_fingerprint(path: str | os.PathLike[str], *, follow: bool = False) -> str | None:
    """``stat:SIZE:MTIME_NS`` of ``path`` (of the link itself unless ``follow``), read without
    opening it; None when it cannot be read."""
    try:
        info = os.stat(path) if follow else os.lstat(path)
    except (OSError, ValueError):
        return None
    return f"stat:{info.st_size}:{info.st_mtime_ns}"


def bytes_fingerprint(data: bytes) -> str:
    """``bytes:HASH`` of ``data`` (a line or record refused before it became an item)."""
    return "bytes:" + hashlib.sha256(data).hexdigest()[:16]


def storable(text: str) -> str:
    """``text`` as UTF-8 can store it: undecodable bytes of a file name (lone surrogates) escaped.

    ``os`` gives a name that is not UTF-8 with each bad byte as a surrogate ("caf\\udce9");
    that becomes "caf\\xe9" here. Text that is valid already is returned as it is.
    """
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte (from a JSON escape, say)
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass
class RawItem:
    """One input, before extraction.

    ``data`` is the payload to extract from (text or HTML bytes); ``media_type`` says which
    ("text/plain" or "text/html"); ``hints`` holds metadata the container stated (``url``,
    ``title``, ``published``, ``authors``, ``outlet``, ``tags``, ``language``, ``charset``,
    ``fetched``...). A hint is evidence from the input, never a guess.
    """

    data: bytes
    media_type: str
    source_kind: str
    location: str
    hints: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """Stable id: the same bytes (and stated metadata) always give the same id."""
        digest = hashlib.sha256(self.data)
        identity = {k: v for k, v in sorted(self.hints.items()) if k not in NON_IDENTITY_HINTS and v}
        if identity:
            digest.update(b"\0" + json.dumps(identity, sort_keys=True, ensure_ascii=False).encode())
        return digest.hexdigest()[:16]


@dataclass
class Reject:
    """An input that did not become an article, with a coded reason."""

    location: str
    code: str
    reason: str
    stage: str
    source_kind: str | None = None
    item: RawItem | None = None
    #: What the input was when no item was made of it, so a changed input is a new reject:
    #: ``stat:SIZE:MTIME_NS`` of a file refused before its bytes were read (too large, a link loop,
    #: a bad name), ``bytes:HASH`` of a line or record refused whole.
    fingerprint: str | None = None

    @property
    def digest(self) -> str | None:
        return self.item.id if self.item is not None else None

    @property
    def identity(self) -> str:
        """What tells these input bytes from others at the same location: the item's digest, else
        the fingerprint ("" when neither is known)."""
        return self.digest or self.fingerprint or ""

    @classmethod
    def from_error(cls, err: InputRejected, *, item: RawItem | None = None, location: str | None = None,
                   source_kind: str | None = None, fingerprint: str | None = None) -> Reject:
        """The reject for ``err``: its code, message and stage, at ``location`` (default: the item's).

        ``item`` is kept (so its bytes can be stored for ``reprocess --rejects``) and supplies the
        location and source kind when they are not given.
        """
        if location is None and item is None:
            raise TypeError("Reject.from_error needs an item or a location")
        return cls(
            location=location if location is not None else item.location,  # type: ignore[union-attr]
            code=err.code,
            reason=err.message,
            stage=err.stage,
            source_kind=source_kind if source_kind is not None else (item.source_kind if item else None),
            item=item,
            fingerprint=fingerprint,
        )


@dataclass
class Removed:
    """Text taken out of the body, kept aside with its kind (and a finer label where useful)."""

    kind: str
    text: str
    label: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "text": self.text}
        if self.label:
            out["label"] = self.label
        return out


@dataclass
class Article:
    """The article record. Field names and meanings follow ../SCHEMA.md (the export contract)."""

    id: str
    source: dict[str, str]
    text: str
    title: str = ""
    url: str | None = None
    outlet: str | None = None
    republished_from: str | None = None
    subtitle: str | None = None
    authors: list[str] = field(default_factory=list)
    author_bios: list[str] = field(default_factory=list)
    published: str | None = None
    language: str | None = None
    genre: str = "other"
    tags: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    actors: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    techniques: list[dict[str, Any]] = field(default_factory=list)
    frames: list[dict[str, Any]] = field(default_factory=list)
    stances: list[dict[str, Any]] = field(default_factory=list)
    pipeline: dict[str, Any] = field(default_factory=dict)
    # Beyond the schema minimum:
    #: which rung of the metadata cascade filled each field ("jsonld", "meta", "byline-line"...);
    #: under "stages", the analysis stages that did not run on the article and why
    #: (``{"events": {"ran": False, "reason": "no model for language 'ru' (runs on: en)"}}``)
    provenance: dict[str, Any] = field(default_factory=dict)
    #: evidence for the genre: the cues that decided it
    genre_evidence: list[str] = field(default_factory=list)
    #: the calibrated confidence of ``genre`` (None when the genre is "other": no claim is made)
    genre_confidence: float | None = None
    #: the section the source files the article under ("Opinion", "World"), as it states it
    section: str | None = None
    #: what the page says it is: JSON-LD types of its article ("OpinionNewsArticle", "NewsArticle"),
    #: ``og:<og:type>``, and ``opinion``/``not-opinion`` from ``article:opinion``
    page_types: list[str] = field(default_factory=list)
    #: evidence for the topics: per topic its score and the terms that matched
    topic_evidence: list[dict[str, Any]] = field(default_factory=list)
    #: 1 for the first copy of a URL, 2 for a changed copy, and so on; ``supersedes`` names the
    #: id of the version it replaced.
    version: int = 1
    supersedes: str | None = None
    #: fields added by third-party stages, one JSON object per namespace (the stage's declared
    #: ``extensions.<namespace>``): ``{"exclaim": {"count": 2, "marks": [...]}}``. Core fields
    #: never go here; a plugin's field never goes anywhere else (README "Writing a plugin").
    extensions: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        """The export record (JSON-ready), in schema field order."""
        record = asdict(self)
        record["removed"] = [r.to_dict() for r in self.removed]
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Article:
        data = dict(record)
        data["removed"] = [Removed(**r) for r in data.get("removed") or []]
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


#: Where an item's part of a location starts (a JSONL line is ``FILE:LINE``, kept with the file name).
_LOCATION_PART = re.compile(r"#(?:entry|record|item|offset)=")
#: An absolute path in a message ("/srv/corpus/a.html", "C:\\data\\a.html"), not a URL's path.
_ABSOLUTE_PATH = re.compile(r"(?<![\w/.:\\-])(?:/|[A-Za-z]:\\)(?:[^\s'\"<>/\\]+[/\\])*([^\s'\"<>/\\]*)")


def public_location(location: str) -> str:
    """A source location as the web shows it: a server path becomes its file name
    (``/srv/corpus/feed.xml#entry=7`` -> ``feed.xml#entry=7``); ``upload:NAME...``, ``<stdin>``
    and relative locations stay as they are."""
    match = _LOCATION_PART.search(location)
    path, part = (location[:match.start()], location[match.start():]) if match else (location, "")
    if path.startswith("/") or re.match(r"[A-Za-z]:\\", path):
        path = re.split(r"[/\\]", path)[-1]
    return path + part


def public_reason(reason: str) -> str:
    """A reject reason as the web shows it: each absolute path in it reduced to its file name."""
    return _ABSOLUTE_PATH.sub(lambda m: m.group(1), reason)


def with_public_location(article: Article) -> Article:
    """``article`` with its ``source.location`` as ``public_location`` shows it (the web's exports)."""
    location = article.source.get("location")
    if not location:
        return article
    return replace(article, source={**article.source, "location": public_location(str(location))})
