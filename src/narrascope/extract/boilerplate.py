"""Boilerplate paragraphs shared by the text and HTML extractors (captions, credits, related
links, comment trailers, disclaimers, author bios). A first cut; the scrape cleaner extends it."""

from __future__ import annotations

import re

__all__ = ["classify_paragraph"]

RELATED = re.compile(r"^\s*(related( articles?| stories| reading)?|read more|see also|more on this|read also)\s*:", re.I)
COMMENTS = re.compile(r"^\s*(\d+\s+(thoughts?|comments?|responses?|replies) on\b|comments are closed\.?$|leave a (comment|reply))", re.I)
DISCLAIMER = re.compile(r"^\s*the views( and opinions)? expressed\b.*\bdo not necessarily\b", re.I)


def classify_paragraph(text: str) -> tuple[str, str | None] | None:
    """``(kind, label)`` if ``text`` (one paragraph) is boilerplate, else None.

    ``kind`` is one of the schema's removed kinds; ``label`` a finer name or None.
    """
    if RELATED.match(text):
        return "related", None
    if COMMENTS.match(text):
        return "comments", None
    if DISCLAIMER.match(text):
        return "disclaimer", None
    return None
