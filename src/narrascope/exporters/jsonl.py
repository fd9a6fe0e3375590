"""JSONL export: one record of ../SCHEMA.md per line, keys in schema order, UTF-8."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from ..model import Article
from ..plugins import hookimpl


class JsonlExporter:
    name = "jsonl"
    description = "one JSON record per article (the full record, ../SCHEMA.md)"

    def write(self, articles: Iterable[Article], stream: TextIO) -> int:
        count = 0
        for article in articles:
            stream.write(json.dumps(article.to_record(), ensure_ascii=False) + "\n")
            count += 1
        return count


@hookimpl
def narrascope_exporters() -> list[JsonlExporter]:
    return [JsonlExporter()]
