"""CSV export: the flat fields of each record, one row per article; lists joined with " | "."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

from ..model import Article
from ..plugins import hookimpl

COLUMNS = (
    "id", "url", "outlet", "republished_from", "title", "subtitle", "authors", "author_bios", "published",
    "language", "genre", "genre_confidence", "tags", "topics", "version", "supersedes", "source_kind", "source_location",
    "pipeline_version", "removed_count", "text",
)
LIST_SEPARATOR = " | "


def flat_row(article: Article) -> dict[str, Any]:
    record = article.to_record()
    row = {name: record.get(name) for name in COLUMNS if name in record}
    for name in ("authors", "author_bios", "tags", "topics"):
        row[name] = LIST_SEPARATOR.join(record[name])
    row["source_kind"] = article.source.get("kind")
    row["source_location"] = article.source.get("location")
    row["pipeline_version"] = article.pipeline.get("version")
    row["removed_count"] = len(article.removed)
    return row


class CsvExporter:
    name = "csv"
    description = "flat fields, one row per article (lists joined with ' | ')"

    def write(self, articles: Iterable[Article], stream: TextIO) -> int:
        writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        count = 0
        for article in articles:
            writer.writerow(flat_row(article))
            count += 1
        return count


@hookimpl
def narrascope_exporters() -> list[CsvExporter]:
    return [CsvExporter()]
