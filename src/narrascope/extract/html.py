"""HTML pages: placeholder until the trafilatura cascade lands."""

from __future__ import annotations

import trafilatura

from ..model import RawItem
from ..settings import Settings
from . import Draft
from .decode import decode


def extract_html(item: RawItem, settings: Settings) -> Draft:
    html = decode(item.data, declared=item.hints.get("charset"))
    doc = trafilatura.bare_extraction(html, include_comments=False, with_metadata=True)
    if doc is None:
        return Draft(text="")
    return Draft(text=doc.text or "", title=doc.title or "")
