"""Plain-text and Markdown scrapes: placeholder until the scrape cleaner lands."""

from __future__ import annotations

from ..model import RawItem
from ..settings import Settings
from . import Draft
from .decode import decode


def extract_text(item: RawItem, settings: Settings) -> Draft:
    text = decode(item.data, declared=item.hints.get("charset"))
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    title = lines[0] if lines else ""
    return Draft(text="\n\n".join(lines[1:]), title=title)
