"""The library API behind every CLI verb (and, later, the web API): plain functions over a store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from .errors import UsageError
from .ingest import IngestReport, ingest
from .model import Article
from .plugins import registry
from .reprocess import ReprocessReport, reprocess
from .settings import Settings, load_settings
from .store import Filters, SearchHit, open_store

__all__ = [
    "Filters",
    "IngestReport",
    "ReprocessReport",
    "SearchHit",
    "db_info",
    "export",
    "get_article",
    "ingest",
    "list_articles",
    "list_rejects",
    "reprocess",
    "search",
]


def list_articles(*, db: str | Path | None = None, filters: Filters | None = None, limit: int | None = None,
                  offset: int = 0, settings: Settings | None = None) -> list[Article]:
    with open_store(db, settings or load_settings(), create=False) as store:
        return list(store.iter_articles(filters or Filters(), limit=limit, offset=offset))


def get_article(article_id: str, *, db: str | Path | None = None, settings: Settings | None = None) -> Article:
    with open_store(db, settings or load_settings(), create=False) as store:
        return store.get_article(article_id)


def search(query: str, *, db: str | Path | None = None, filters: Filters | None = None, limit: int = 20,
           offset: int = 0, settings: Settings | None = None) -> list[SearchHit]:
    with open_store(db, settings or load_settings(), create=False) as store:
        return store.search(query, filters or Filters(), limit=limit, offset=offset)


def list_rejects(*, db: str | Path | None = None, include_skipped: bool = True,
                 settings: Settings | None = None) -> list[dict[str, Any]]:
    with open_store(db, settings or load_settings(), create=False) as store:
        return list(store.iter_rejects(include_skipped=include_skipped))


def db_info(*, db: str | Path | None = None, settings: Settings | None = None) -> dict[str, Any]:
    settings = settings or load_settings()
    with open_store(db, settings, create=False) as store:
        info = store.info()
    info["settings"] = settings.source
    return info


def export(stream: TextIO, *, format: str = "jsonl", db: str | Path | None = None, filters: Filters | None = None,
           settings: Settings | None = None) -> int:
    """Write the selected articles to ``stream`` in ``format``; return how many."""
    exporters = registry().exporters
    if format not in exporters:
        raise UsageError(f"unknown export format {format!r}; available: {', '.join(sorted(exporters))}")
    with open_store(db, settings or load_settings(), create=False) as store:
        articles: Iterator[Article] = store.iter_articles(filters or Filters())
        return exporters[format].write(articles, stream)
