"""What the pages and the JSON API read: one read-only connection per request, through the library.

The store is opened read-only (``store.reads.connect_read_only``: SQLite's ``mode=ro`` URI and
``query_only``), so the server can never write it, and in WAL mode it reads while another process
ingests. The reads themselves are the library's (``Store``, ``corpus/browse.py``,
``corpus/reading.py``, ``store/reads.py``), the ones the CLI and the exporters call: bounded, through
an index or the full-text index, a page's records loaded in one query. This module holds no SQL
(``tests/test_architecture.py``); it pages, caches and shapes the answers for the web.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..corpus.browse import FACET_VALUES, actor_names, actor_profile, facet_counts
from ..errors import StoreError
from ..model import Article
from ..settings import Settings
from ..store import Filters, Store
from ..store.migrations import migration_sets
from ..store.reads import connect_read_only
from ..store.schema import applied_migrations, pending_migrations
from .render import SNIPPET_CLOSE, SNIPPET_OPEN, split_snippet

__all__ = ["ARTICLE_ID", "ACTOR_ID", "FACET_FIELDS", "FACET_VALUES", "ReadOnlyStore", "actor_names", "actor_profile",
           "article_summary", "clear_cache", "facets", "list_page", "search_page", "stats"]

#: An article id or a unique prefix of one (at least 4 hex digits).
ARTICLE_ID = re.compile(r"[0-9a-f]{4,16}")
#: Actor ids: "USA", "person:donald-trump", "org:un" (word characters, ':', '.', '-'; no '/' or '%').
ACTOR_ID = re.compile(r"\w[\w:.\-]{0,199}")


class ReadOnlyStore:
    """Opens the store read-only, one short-lived connection per use."""

    def __init__(self, path: str | Path, settings: Settings) -> None:
        self.path = Path(path).resolve()
        self.settings = settings
        if not self.path.is_file():
            raise StoreError(f"no store at {self.path}: run `narrascope ingest` first or pass --db")
        sets = migration_sets()
        with self.open() as store:
            pending = pending_migrations(store.conn, sets)
            applied = applied_migrations(store.conn)
        newer = [f"{s.name}/{name}" for s in sets for name in applied.get(s.name, ())
                 if name not in {m.name for m in s.migrations}]
        if newer:
            raise StoreError(f"store {self.path} was written by a newer narrascope (migrations {', '.join(newer)})",
                             code="NS502")
        if pending:
            raise StoreError(f"store {self.path} lacks migrations {', '.join(f'{s}/{n}' for s, n in pending)}:"
                             f" run `narrascope db info --db {self.path}` once to migrate it")

    @contextmanager
    def open(self) -> Iterator[Store]:
        try:
            conn = connect_read_only(self.path, timeout=self.settings.store.busy_timeout_ms / 1000,
                                     check_same_thread=False)
        except sqlite3.Error as e:
            raise StoreError(f"cannot open store {self.path} read-only: {e}") from e
        try:
            yield Store(self.path, conn, self.settings)
        finally:
            conn.close()


def article_summary(article: Article) -> dict[str, Any]:
    """The fields a result list shows."""
    return {"id": article.id, "title": article.title, "subtitle": article.subtitle, "outlet": article.outlet,
            "published": article.published, "language": article.language, "genre": article.genre,
            "authors": list(article.authors), "url": article.url, "topics": list(article.topics)}


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    limit: int
    offset: int
    has_more: bool
    #: Full-text search only: the query matched more than this many articles, and the best were
    #: chosen among the most recently stored this many (``Store.search_rows``).
    ranked_among: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {"items": self.items, "limit": self.limit, "offset": self.offset, "has_more": self.has_more,
               "next_offset": self.offset + self.limit if self.has_more else None}
        if self.ranked_among is not None:
            out["ranked_among"] = self.ranked_among
        return out


def list_page(store: Store, filters: Filters, *, limit: int, offset: int) -> Page:
    """Articles newest published first, undated last (as ``narrascope list``), one more fetched to know if a
    next page exists."""
    rows = [article_summary(a) for a in store.iter_articles(filters, limit=limit + 1, offset=offset, order="newest")]
    return Page(rows[:limit], limit, offset, len(rows) > limit)


def search_page(store: Store, query: str, filters: Filters, *, limit: int, offset: int,
                rank_limit: int | None) -> Page:
    """Full-text search, best first, as ``Store.search`` (the same ranking) but with unambiguous snippet marks.

    ``rank_limit`` is the ``web.search_rank_limit`` setting (None: rank every match).

    Each item has ``snippet`` (plain text) and ``highlights`` ([start, end] of each hit in it).
    """
    rows, capped = store.search_rows(query, filters, limit=limit + 1, offset=offset,
                                     marks=(SNIPPET_OPEN, SNIPPET_CLOSE), rank_limit=rank_limit)
    items = []
    for record, marked, rank in rows[:limit]:
        summary = article_summary(Article.from_record(json.loads(record)))
        summary["snippet"], summary["highlights"] = split_snippet(marked)
        summary["rank"] = rank
        items.append(summary)
    return Page(items, limit, offset, len(rows) > limit, rank_limit if capped else None)


#: Seconds a facet or stats result is fresh. Both group whole tables (0.15-0.75 s on 100,000
#: articles, depending on what the OS has cached), and counts a minute old are fine, even while
#: an ingest runs. An older result is still served while a background thread recomputes it,
#: so only the very first request after start-up waits for the computation.
CACHE_SECONDS = 60.0
_cache_lock = threading.Lock()
_cache: dict[tuple[str, str], tuple[float, Any]] = {}
_refreshing: set[tuple[str, str]] = set()


def _cached(store: Store, name: str, compute: Callable[[Store], Any]) -> Any:
    """``compute(store)``, reused for ``CACHE_SECONDS``; after that served stale while it is recomputed."""
    key = (str(store.path), name)
    with _cache_lock:
        hit = _cache.get(key)
        if hit and time.monotonic() - hit[0] < CACHE_SECONDS:
            return hit[1]
        if hit and key not in _refreshing:
            _refreshing.add(key)
            threading.Thread(target=_refresh, args=(store, key, compute), daemon=True,
                             name=f"narrascope-{name}").start()
        if hit:
            return hit[1]
    value = compute(store)
    with _cache_lock:
        _cache[key] = (time.monotonic(), value)
    return value


def _refresh(store: Store, key: tuple[str, str], compute: Callable[[Store], Any]) -> None:
    """Recompute a cached value on a read-only connection of its own (the request's is closed by then)."""
    try:
        conn = connect_read_only(store.path, timeout=store.settings.store.busy_timeout_ms / 1000)
        try:
            value = compute(Store(store.path, conn, store.settings))
        finally:
            conn.close()
        with _cache_lock:
            _cache[key] = (time.monotonic(), value)
    except Exception:  # noqa: BLE001 - the stale value stays; the next request past expiry tries again
        pass
    finally:
        with _cache_lock:
            _refreshing.discard(key)


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


#: The search form's facets, in the order shown: (name, label). ``narrative`` only once narratives exist.
FACET_FIELDS = (("outlet", "outlet"), ("actor", "actor"), ("state", "state"), ("technique", "technique"),
                ("genre", "genre"), ("topic", "topic"), ("narrative", "narrative"), ("language", "language"))
def facets(store: Store) -> dict[str, list[tuple[str, str, int]]]:
    """``corpus.browse.facet_counts`` (per facet, its most frequent values as (value, label, articles)),
    cached (see ``CACHE_SECONDS``).

    Counts are over the whole store, not the current selection (computing them per request
    would cost about as much as the search itself).
    """
    return dict(_cached(store, "facets", lambda store: facet_counts(store, limit=FACET_VALUES)))


def stats(store: Store) -> dict[str, Any]:
    """``Store.info()`` without the server's path (cached)."""

    def compute(store: Store) -> dict[str, Any]:
        info = store.info()
        info.pop("path", None)  # the server's file system is nobody's business
        return info

    return dict(_cached(store, "stats", compute))
