"""Plain-text and Markdown scrapes (``.txt``, ``.md``): one file, one article.

The catch-all source: anything no other source claims is tried as text, so an empty or binary
file still gets a clear reason (NS101, NS102) instead of "format not recognised".
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import RawItem, Reject
from ..plugins import hookimpl
from ..settings import Settings
from . import Blob, read_document

TEXT_EXTENSIONS = (".txt", ".text", ".md", ".markdown")


class TextSource:
    name = "text"

    def sniff(self, name: str, head: bytes) -> int:
        return 50 if name.endswith(TEXT_EXTENSIONS) else 1

    def read(self, blob: Blob, settings: Settings) -> Iterator[RawItem | Reject]:
        data = read_document(blob, settings)
        yield RawItem(data=data, media_type="text/plain", source_kind="text", location=blob.location)


@hookimpl
def narrascope_sources() -> list[TextSource]:
    return [TextSource()]
