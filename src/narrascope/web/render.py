"""Turning article text and its spans into safe pieces for the templates.

Article text is hostile input. Nothing here builds HTML by string concatenation: the text is cut
into plain pieces (segments, snippet parts) and the templates escape every piece as they render
it (Jinja2 autoescape), adding only their own fixed tags around them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["LAYERS", "RTL_LANGUAGES", "SNIPPET_CLOSE", "SNIPPET_OPEN", "Segment", "segments", "snippet_parts",
           "split_snippet", "text_direction"]

#: ISO 639-1 codes of languages written right to left.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "yi", "dv", "ug", "sd", "ku"})


def text_direction(language: str | None) -> str:
    """The ``dir`` of an article's text: "rtl" or "ltr" from its language, "auto" (the browser
    reads the first strong letter) when the language is unknown."""
    if not language:
        return "auto"
    return "rtl" if language in RTL_LANGUAGES else "ltr"

#: The highlight layers of the article page, in drawing order.
LAYERS = ("actor", "quote", "speaker", "event", "technique")

#: Marks FTS5 puts around a hit in a snippet: private-use characters, which never need escaping
#: and cannot be confused with brackets an article may contain.
SNIPPET_OPEN = "\ue000"
SNIPPET_CLOSE = "\ue001"


@dataclass
class Segment:
    """A stretch of text covered by the same set of spans; ``layers`` maps a layer to its keys
    (actor ids, quote and event indexes, technique names)."""

    start: int
    end: int
    text: str
    layers: dict[str, list[str]] = field(default_factory=dict)

    @property
    def classes(self) -> str:
        return " ".join(layer for layer in LAYERS if layer in self.layers)

    def keys(self, layer: str) -> str:
        return " ".join(self.layers.get(layer, ()))


def _spans(article: Any) -> Iterable[tuple[Any, Any, str, str]]:
    for actor in article.actors:
        for mention in actor.get("mentions") or ():
            yield mention.get("start"), mention.get("end"), "actor", str(actor.get("id"))
    for i, quote in enumerate(article.quotes):
        yield quote.get("start"), quote.get("end"), "quote", str(i)
        speaker = quote.get("speaker_span") or {}
        yield speaker.get("start"), speaker.get("end"), "speaker", str(i)
    for i, event in enumerate(article.events):
        yield event.get("start"), event.get("end"), "event", str(i)
    for technique in article.techniques:
        yield technique.get("start"), technique.get("end"), "technique", str(technique.get("name"))


def segments(article: Any) -> list[Segment]:
    """The article's text cut at every span boundary; concatenated, the segments are the text.

    Spans overlap freely (a person's mention is also their state's; a technique sits inside a
    quote), so each segment lists every span covering it instead of nesting tags. Spans with
    offsets outside the text or empty are ignored.
    """
    text = article.text
    n = len(text)
    spans = [(s, e, layer, key) for s, e, layer, key in _spans(article)
             if isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= n]
    bounds = sorted({0, n, *(s for s, *_ in spans), *(e for _, e, *_ in spans)})
    starts: dict[int, list[tuple[int, str, str]]] = {}
    for s, e, layer, key in spans:
        starts.setdefault(s, []).append((e, layer, key))
    active: list[tuple[int, str, str]] = []
    out: list[Segment] = []
    for left, right in zip(bounds, bounds[1:], strict=False):
        active = [span for span in active if span[0] > left] + starts.get(left, [])
        layers: dict[str, list[str]] = {}
        for _end, layer, key in active:
            keys = layers.setdefault(layer, [])
            if key not in keys:
                keys.append(key)
        out.append(Segment(left, right, text[left:right], layers))
    return out


def split_snippet(marked: str) -> tuple[str, list[list[int]]]:
    """A snippet with FTS marks -> (plain text, [[start, end] of each hit in it])."""
    plain: list[str] = []
    hits: list[list[int]] = []
    length = 0
    start: int | None = None
    for ch in marked:
        if ch == SNIPPET_OPEN:
            start = length
        elif ch == SNIPPET_CLOSE:
            if start is not None and start < length:
                hits.append([start, length])
            start = None
        else:
            plain.append(ch)
            length += 1
    return "".join(plain), hits


def snippet_parts(snippet: str, hits: list[list[int]]) -> list[tuple[str, bool]]:
    """(text, is_hit) pieces for the template, which escapes each and wraps hits in <mark>."""
    parts: list[tuple[str, bool]] = []
    at = 0
    for start, end in hits:
        if start > at:
            parts.append((snippet[at:start], False))
        parts.append((snippet[start:end], True))
        at = end
    if at < len(snippet):
        parts.append((snippet[at:], False))
    return parts
