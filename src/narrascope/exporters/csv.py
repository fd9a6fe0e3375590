"""CSV export: the flat fields of each record, one row per article; lists joined with " | ".

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return before one) as a formula, so an article title such as ``=HYPERLINK("http://evil", "x")``
would run on the analyst's machine. Such text cells are neutralised by default, the OWASP way:
a single quote is put before them (``'=HYPERLINK(...``), which a spreadsheet shows as text;
``raw=True`` (``narrascope export --raw``) writes them as stored. Numbers are never changed.
A field holding a carriage return or a line feed is always quoted (the csv module quotes a bare
CR only when the line ending holds one). The last column, ``extensions``, holds the fields of
third-party stages as one JSON object (empty when none ran).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import IO, Any, TextIO

from ..model import Article
from ..plugins import hookimpl

__all__ = ["COLUMNS", "FORMULA_STARTS", "CsvExporter", "CsvRows", "flat_row", "neutralise"]

COLUMNS = (
    "id", "url", "outlet", "republished_from", "title", "subtitle", "authors", "author_bios", "published",
    "language", "genre", "genre_confidence", "tags", "topics", "version", "supersedes", "source_kind", "source_location",
    "pipeline_version", "removed_count", "text", "extensions",
)
LIST_SEPARATOR = " | "
#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` with a single quote before it when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvRows:
    """Writes CSV rows of ``fieldnames`` (dicts) to ``stream``: header first, "\\n" line endings,
    any field with a CR or LF quoted, text cells neutralised unless ``raw``."""

    def __init__(self, stream: IO[str], fieldnames: Sequence[str], *, raw: bool = False) -> None:
        self.stream = stream
        self.fieldnames = list(fieldnames)
        self.raw = raw
        self._buffer = io.StringIO()
        # A "\r\n" line ending makes the csv module quote every field holding a CR or an LF; each
        # row is then written with "\n", the line ending narrascope's CSV has always had.
        self._writer = csv.DictWriter(self._buffer, fieldnames=self.fieldnames, lineterminator="\r\n")

    def _emit(self) -> None:
        line = self._buffer.getvalue()
        self.stream.write(line[:-2] + "\n")
        self._buffer.seek(0)
        self._buffer.truncate()

    def writeheader(self) -> None:
        self._writer.writeheader()
        self._emit()

    def writerow(self, row: dict[str, Any]) -> None:
        self._writer.writerow(row if self.raw else {name: neutralise(value) for name, value in row.items()})
        self._emit()


def flat_row(article: Article) -> dict[str, Any]:
    record = article.to_record()
    row = {name: record.get(name) for name in COLUMNS if name in record}
    for name in ("authors", "author_bios", "tags", "topics"):
        row[name] = LIST_SEPARATOR.join(record[name])
    row["source_kind"] = article.source.get("kind")
    row["source_location"] = article.source.get("location")
    row["pipeline_version"] = article.pipeline.get("version")
    row["removed_count"] = len(article.removed)
    # Plugins' fields (``extensions``) as one JSON object; empty when no plugin stage ran.
    row["extensions"] = json.dumps(article.extensions, ensure_ascii=False, sort_keys=True) if article.extensions else ""
    return row


class CsvExporter:
    name = "csv"
    description = "flat fields, one row per article (lists joined with ' | '; formula-like cells neutralised)"
    #: ``write`` takes ``raw``: cells a spreadsheet would run as formulas are kept as stored.
    takes_raw = True

    def write(self, articles: Iterable[Article], stream: TextIO, *, raw: bool = False) -> int:
        writer = CsvRows(stream, COLUMNS, raw=raw)
        writer.writeheader()
        count = 0
        for article in articles:
            writer.writerow(flat_row(article))
            count += 1
        return count


@hookimpl
def narrascope_exporters() -> list[CsvExporter]:
    return [CsvExporter()]
