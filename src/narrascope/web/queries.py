"""What the pages and the JSON API read: one read-only connection per request, bounded queries.

The store is opened with SQLite's ``mode=ro`` URI and ``PRAGMA query_only``, so the server can
never write it, and in WAL mode it reads while another process ingests. Every query is bounded
(``LIMIT``) and goes through an index or the full-text index; records are loaded in one query for
a page of ids, never one query per row.
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

from ..errors import StoreError
from ..model import Article
from ..settings import Settings
from ..store import FACETS, Filters, Store
from ..store.migrations import migration_sets
from ..store.schema import applied_migrations, pending_migrations
from .render import SNIPPET_CLOSE, SNIPPET_OPEN, split_snippet

__all__ = ["ARTICLE_ID", "ACTOR_ID", "FACET_FIELDS", "ReadOnlyStore", "actor_names", "actor_profile",
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
        self.uri = self.path.as_uri() + "?mode=ro"
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
            conn = sqlite3.connect(self.uri, uri=True, isolation_level=None, check_same_thread=False,
                                   timeout=self.settings.store.busy_timeout_ms / 1000)
            conn.execute("PRAGMA query_only = 1")
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
        conn = sqlite3.connect(store.path.resolve().as_uri() + "?mode=ro", uri=True, isolation_level=None,
                               timeout=store.settings.store.busy_timeout_ms / 1000)
        try:
            conn.execute("PRAGMA query_only = 1")
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
#: Values listed per facet (the most frequent first).
FACET_VALUES = 200


def facets(store: Store) -> dict[str, list[tuple[str, str, int]]]:
    """Per facet, its most frequent values as (value, label, articles), over the latest versions (cached, see ``CACHE_SECONDS``).

    Counts are over the whole store, not the current selection (computing them per request
    would cost about as much as the search itself). Labels: actor and state names from the
    actor graph (``narrascope graph``) or else from a record naming them, narrative labels;
    other values label themselves. About 150 ms on 100,000 articles when the cache is cold.
    """

    def compute(store: Store) -> dict[str, list[tuple[str, str, int]]]:
        out: dict[str, list[tuple[str, str, int]]] = {}
        q = store.conn.execute
        for column in ("outlet", "language", "genre"):
            # '+': the (latest, column NOCASE) index of migration 7, read alone, in group order.
            out[column] = [(str(v), str(v), int(n)) for v, n in q(
                f"SELECT {column}, COUNT(*) FROM articles WHERE latest = 1 AND +{column} != ''"
                f" GROUP BY {column} COLLATE NOCASE ORDER BY COUNT(*) DESC, {column} LIMIT ?", (FACET_VALUES,))]
        for kind in FACETS:
            counts = q("SELECT value, COUNT(*) FROM article_facets WHERE kind = ?"
                       " AND article_rowid NOT IN (SELECT rowid FROM articles WHERE latest = 0)"
                       " GROUP BY value ORDER BY COUNT(*) DESC, value LIMIT ?", (kind, FACET_VALUES)).fetchall()
            names = actor_names(store, [str(v) for v, _ in counts]) if kind in ("actor", "state") else {}
            out[kind] = [(str(v), names.get(str(v), str(v)), int(n)) for v, n in counts]
        out["narrative"] = [(str(i), f"{label} (#{i})", int(n)) for i, label, n in q(
            "SELECT m.narrative, COALESCE(n.label, ''), COUNT(*) FROM narrative_members m"
            " LEFT JOIN narratives n ON n.id = m.narrative"
            " WHERE m.article NOT IN (SELECT id FROM articles WHERE rowid IN"
            " (SELECT rowid FROM articles WHERE latest = 0))"
            " GROUP BY m.narrative ORDER BY COUNT(*) DESC, m.narrative LIMIT ?", (FACET_VALUES,))]
        return out

    return dict(_cached(store, "facets", compute))


def actor_names(store: Store, ids: list[str]) -> dict[str, str]:
    """Display names of actor ids: the actor graph's, else the name a record gives them (the newest)."""
    names: dict[str, str] = {}
    if _table_has_rows(store, "graph_nodes"):
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            names.update((str(k), str(v)) for k, v in store.conn.execute(
                f"SELECT id, name FROM graph_nodes WHERE level IN ('actor', 'state') AND name IS NOT NULL"
                f" AND name != '' AND id IN ({','.join('?' * len(chunk))}) ORDER BY level DESC", chunk))
    for actor_id in ids:
        if actor_id in names:
            continue
        (name,) = store.conn.execute(
            "SELECT json_extract(j.value, '$.name') FROM articles a, json_each(a.record, '$.actors') j"
            " WHERE a.rowid = (SELECT MAX(article_rowid) FROM article_facets WHERE kind = 'actor' AND value = ?)"
            " AND json_extract(j.value, '$.id') = ? COLLATE NOCASE AND json_type(j.value, '$.name') = 'text'"
            " LIMIT 1", (actor_id, actor_id)).fetchone() or (None,)
        if name:
            names[actor_id] = str(name)
    return names


def stats(store: Store) -> dict[str, Any]:
    """``Store.info()`` without the server's path (cached)."""

    def compute(store: Store) -> dict[str, Any]:
        info = store.info()
        info.pop("path", None)  # the server's file system is nobody's business
        return info

    return dict(_cached(store, "stats", compute))


def _table_has_rows(store: Store, table: str) -> bool:
    exists = store.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    return bool(exists) and store.conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None  # noqa: S608


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    return {"id": record.get("id"), "title": record.get("title"), "outlet": record.get("outlet"),
            "published": record.get("published")}


def quotes_about_in(record: dict[str, Any], actor_id: str, speakers: set[str] | None = None) -> list[dict[str, Any]]:
    """Quotes in ``record`` by another speaker whose content span holds a mention of ``actor_id``.

    ``speakers`` narrows them to these speaker actors (the graph's quote edges say who).
    """
    actor = next((a for a in record.get("actors") or [] if isinstance(a, dict) and a.get("id") == actor_id), None)
    if actor is None:
        return []
    names = {a.get("id"): a.get("name") for a in record.get("actors") or [] if isinstance(a, dict)}
    stance = {s.get("holder"): float(s["polarity"]) for s in record.get("stances") or []
              if isinstance(s, dict) and s.get("target") == actor_id and not isinstance(s.get("polarity"), bool)
              and isinstance(s.get("polarity"), int | float)}
    mentions = [(m["start"], m["end"]) for m in actor.get("mentions") or []
                if isinstance(m, dict) and isinstance(m.get("start"), int) and isinstance(m.get("end"), int)]
    found = []
    for q in record.get("quotes") or []:
        if not isinstance(q, dict):
            continue
        speaker = q.get("speaker_actor")
        if speaker == actor_id or (speakers is not None and speaker not in speakers):
            continue
        start, end = q.get("start"), q.get("end")
        if not (isinstance(start, int) and isinstance(end, int)) or \
                not any(start <= a and b <= end for a, b in mentions):
            continue
        found.append({"article": _summary(record), "speaker": q.get("speaker"), "speaker_actor": speaker,
                      "speaker_name": names.get(speaker) or q.get("speaker"), "speaker_role": q.get("speaker_role"),
                      "cue": q.get("cue"), "content": q.get("content"), "start": start, "end": end,
                      "direct": q.get("direct"), "partial": bool(q.get("partial")), "anonymous": q.get("anonymous"),
                      "polarity": stance.get(speaker) if speaker else None})
    return found


def actor_profile(store: Store, actor_id: str, *, limit: int, scan_window: int) -> dict[str, Any] | None:
    """Who the actor is, the articles naming them, their quotes, and events with them as source or target.

    The articles come from the actor graph's per-article table when it has been computed
    (``narrascope graph``); otherwise from a scan of the ``scan_window`` most recently stored
    articles only, so an unknown id never costs a scan of the whole store. At most ``limit``
    articles (the most recently stored that name the actor), newest published first, their
    records loaded in one query. Events carry the names of their
    source and target as the record names them. Without the graph, the private key
    ``_quotes_about`` (quotes about the actor in the scanned records) is for
    ``actor_view.actor_sections``, which takes it out.
    """
    from_graph = _table_has_rows(store, "graph_mentions")
    if from_graph:
        # The most recently analysed rows first, in the (level, actor) index's own order, so an actor
        # named in 30,000 articles costs ``limit`` rows and no sort; shown newest published first.
        ids = [article for (article,) in store.conn.execute(
            "SELECT m.article FROM graph_mentions m JOIN articles a ON a.id = m.article"
            " WHERE m.level = 'actor' AND m.actor = ? AND a.latest = 1"
            " ORDER BY m.rowid DESC LIMIT ?", (actor_id, limit))]
        records = _records(store, ids)
        records.sort(key=lambda r: r.get("published") or "", reverse=True)
    else:
        needle = json.dumps(actor_id, ensure_ascii=False)
        records = [json.loads(r) for (r,) in store.conn.execute(
            "SELECT record FROM articles WHERE latest = 1 AND rowid > (SELECT MAX(rowid) FROM articles) - ?"
            " AND instr(record, ?) > 0 ORDER BY rowid DESC LIMIT ?", (scan_window, needle, limit))]
        records.sort(key=lambda r: r.get("published") or "", reverse=True)
    node: dict[str, Any] | None = None
    if _table_has_rows(store, "graph_nodes"):
        row = store.conn.execute(
            "SELECT id, name, kind, country, articles, mentions, first_seen, last_seen FROM graph_nodes"
            " WHERE level = 'actor' AND id = ?", (actor_id,)).fetchone()
        if row:
            node = dict(zip(("id", "name", "kind", "country", "articles", "mentions", "first_seen", "last_seen"),
                            row, strict=True))
    articles, quotes, as_source, as_target, about = [], [], [], [], []
    for record in records:
        article = Article.from_record(record)
        names = {a.get("id"): a.get("name") for a in article.actors}
        actor = next((a for a in article.actors if a.get("id") == actor_id), None)
        summary = {"id": article.id, "title": article.title, "outlet": article.outlet,
                   "published": article.published}
        if actor is not None:
            if node is None:
                node = {"id": actor_id, "name": actor.get("name"), "kind": actor.get("kind"),
                        "country": actor.get("country")}
            node.setdefault("role", actor.get("role"))
            articles.append({**summary, "mentions": [
                {"start": m["start"], "end": m["end"], "text": m.get("text")} for m in actor.get("mentions") or ()]})
        for quote in article.quotes:
            if quote.get("speaker_actor") == actor_id:
                quotes.append({"article": summary, **{k: quote.get(k) for k in (
                    "speaker", "speaker_role", "cue", "content", "start", "end", "direct", "partial", "anonymous")}})
        for event in article.events:
            item = {"article": summary, **{k: event.get(k) for k in (
                "type", "source", "target", "text", "start", "end", "negated", "hypothetical")},
                "source_name": names.get(event.get("source")), "target_name": names.get(event.get("target"))}
            if event.get("source") == actor_id:
                as_source.append(item)
            if event.get("target") == actor_id:
                as_target.append(item)
        if actor is not None and not from_graph:
            about += quotes_about_in(record, actor_id)
    if node is None:
        return None
    node = {"kind": None, "role": None, "country": None, **node}
    return {"actor": node, "articles": articles, "quotes": quotes, "events_as_source": as_source,
            "events_as_target": as_target, "from": "graph" if from_graph else "scan", "limit": limit,
            "scan_window": None if from_graph else scan_window,
            # for actor_view.actor_sections, which takes it out: quotes about the actor in these records
            "_quotes_about": about}


def _records_by(store: Store, column: str, keys: list[Any]) -> dict[Any, dict[str, Any]]:
    """Records of the latest or given articles by ``id`` or ``rowid``, in one query."""
    if not keys:
        return {}
    unique = list(dict.fromkeys(keys))
    rows = store.conn.execute(
        f"SELECT {column}, record FROM articles WHERE {column} IN ({','.join('?' * len(unique))})",  # noqa: S608
        unique).fetchall()
    return {key: json.loads(record) for key, record in rows}


def _records(store: Store, ids: list[str]) -> list[dict[str, Any]]:
    """The records of these articles, in the order of ``ids`` (ids not found left out)."""
    by_id = _records_by(store, "id", ids)
    return [by_id[i] for i in ids if i in by_id]
