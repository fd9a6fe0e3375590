"""Extraction: a ``RawItem`` in, an ``Article`` (clean text, metadata, removed boilerplate) out.

Each media type has one extractor, a named, versioned function returning a ``Draft``:

- ``text/plain``: ``extract.text`` (``narrascope.extract.text``), messy plain-text and Markdown
  scrapes such as the seeds;
- ``text/html``: ``extract.html`` (``narrascope.extract.html``), trafilatura with our cascade.

Metadata is filled by a fallback cascade (trafilatura's idea): what the container stated (feed
entry, JSONL fields, WARC headers) first, then structured data, then meta tags, then text
heuristics. A field is filled only while still empty, and ``provenance`` records which rung
filled it. A date is never guessed: ``published`` stays None unless the input states one (a
container's date that cannot be read unambiguously, hint ``published_unread``, is named in
``provenance.published`` instead).

One exception to "the container first": a document the container only *links to* (a feed entry
pointing at a page beside the feed) speaks for itself. What the container says of it comes in
the ``fallback`` hint and fills only the fields the document leaves empty, so the same page gives
the same record whether it is read through the feed or alone.

A language the input states (a container's ``language`` hint, ``<html lang>``, ``og:locale``,
JSON-LD ``inLanguage``) is passed on as ``Article.language`` with its rung in ``provenance``; the
``language`` stage keeps it if it is a valid ISO 639-1 code and detects the language otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import ExtractionError
from ..model import Article, RawItem
from ..settings import Settings
from .draft import Draft

__all__ = ["EXTRACTORS", "Draft", "Extractor", "extract", "extractor_for"]


@dataclass(frozen=True)
class Extractor:
    name: str
    version: str
    run: Callable[[RawItem, Settings], Draft]


def _extractors() -> dict[str, Extractor]:
    from .html import extract_html
    from .text import extract_text

    return {
        "text/plain": Extractor("extract.text", "4", extract_text),
        "text/html": Extractor("extract.html", "5", extract_html),
    }


EXTRACTORS: dict[str, Extractor] = {}

#: Container hints that map straight onto article fields.
HINT_FIELDS = ("title", "subtitle", "authors", "published", "outlet", "url", "republished_from", "tags")


def extractor_for(media_type: str) -> Extractor:
    if not EXTRACTORS:
        EXTRACTORS.update(_extractors())
    extractor = EXTRACTORS.get(media_type)
    if extractor is None:
        raise ExtractionError(f"no extractor for media type {media_type}", code="NS110")
    return extractor


def extract(item: RawItem, settings: Settings) -> Article:
    """Extract one article from ``item``; raises ``ExtractionError`` if it holds none."""
    extractor = extractor_for(item.media_type)
    draft = extractor.run(item, settings)
    # Container-stated metadata is the top rung: it overrides what the page text suggests.
    for name in HINT_FIELDS:
        value = item.hints.get(name)
        if value not in (None, "", []):
            setattr(draft, name, value)
            draft.provenance[name] = item.source_kind
    for name, value in (item.hints.get("fallback") or {}).items():
        if name in HINT_FIELDS:
            draft.fill(name, value, item.source_kind)
    unread = item.hints.get("published_unread")
    if unread and not draft.published:
        # the container stated a date narrascope does not read unambiguously (05/06/2024): say so, never guess
        draft.provenance["published"] = f"{item.source_kind}: {unread!r} is not a date read unambiguously; left empty"
    language = item.hints.get("language")
    if language:
        draft.language = language
        draft.provenance["language"] = item.source_kind
    from .text import UNSPACED_WEIGHT, body_length  # loaded with the extractors above

    text = draft.text.strip()
    if not text:
        raise ExtractionError("no article content found", code="NS201")
    length = body_length(text)
    if length < settings.extract.min_chars:
        weighted = f"; {length} counting a Chinese, Japanese or Thai character as {UNSPACED_WEIGHT}" if length != len(text) else ""
        raise ExtractionError(
            f"article text is {len(text)} characters, under the minimum of {settings.extract.min_chars}"
            f" (extract.min_chars{weighted})",
            code="NS202",
        )
    return Article(
        id=item.id,
        source={"kind": item.source_kind, "location": item.location},
        text=text,
        title=draft.title or "",
        url=draft.url,
        outlet=draft.outlet,
        republished_from=draft.republished_from,
        subtitle=draft.subtitle,
        authors=list(draft.authors),
        author_bios=list(draft.author_bios),
        published=draft.published,
        language=draft.language,
        tags=list(draft.tags),
        removed=list(draft.removed),
        provenance=dict(draft.provenance),
        section=draft.section,
        page_types=list(draft.page_types),
        pipeline={"stages": {extractor.name: extractor.version}},
    )
