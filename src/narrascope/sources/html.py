"""HTML pages saved as files (``.html``, ``.htm``, also gzipped): one file, one article."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import RawItem, Reject
from ..plugins import hookimpl
from ..settings import Settings
from .blobs import Blob, read_document

HTML_EXTENSIONS = (".html", ".htm", ".xhtml", ".shtml")
HTML_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title|div|p|article)\b", re.I | re.S)


class HtmlSource:
    name = "html"

    def sniff(self, name: str, head: bytes) -> int:
        head = head.lstrip(b"\xef\xbb\xbf")
        if HTML_START.match(head[:4096]):
            return 80
        if name.endswith(HTML_EXTENSIONS):
            return 70
        return 0

    def read(self, blob: Blob, settings: Settings) -> Iterator[RawItem | Reject]:
        data = read_document(blob, settings)
        yield RawItem(data=data, media_type="text/html", source_kind="html", location=blob.location)


@hookimpl
def narrascope_sources() -> list[HtmlSource]:
    return [HtmlSource()]
