"""Plain-text and Markdown scrapes (``.txt``, ``.md``): one file, one article.

The catch-all source: anything no other source claims is tried as text, so an empty or binary
file still gets a clear reason (NS101, NS102) instead of "format not recognised". Data files are
not articles: a ``.json`` file no other source claims (a JSON document, not JSON Lines articles
nor an array of article objects, which the ``jsonl`` source reads) is rejected as an unsupported
format (NS110), not stored as text. (``.csv`` and ``.tsv`` tables are the ``csv`` source's.)
"""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import FormatError
from ..model import RawItem, Reject
from ..plugins import hookimpl
from ..settings import Settings
from .blobs import Blob, read_document

TEXT_EXTENSIONS = (".txt", ".text", ".md", ".markdown")
#: Data formats that reach the catch-all but are not articles -> what to call them.
DATA_FORMATS = {
    ".json": "a JSON document, not articles (JSON Lines or an array of objects with 'text' or 'html' are read)",
}


class TextSource:
    name = "text"

    def sniff(self, name: str, head: bytes) -> int:
        return 50 if name.endswith(TEXT_EXTENSIONS) else 1

    def read(self, blob: Blob, settings: Settings) -> Iterator[RawItem | Reject]:
        data_format = next((why for ext, why in DATA_FORMATS.items() if blob.content_name.endswith(ext)), None)
        if data_format is not None:
            raise FormatError(f"unsupported format: {data_format}", code="NS110")
        data = read_document(blob, settings)
        yield RawItem(data=data, media_type="text/plain", source_kind="text", location=blob.location)


@hookimpl
def narrascope_sources() -> list[TextSource]:
    return [TextSource()]
