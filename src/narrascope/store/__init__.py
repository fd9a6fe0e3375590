"""The store: one SQLite file in WAL mode, schema through migrations, FTS5 over title and body.

Two full-text indexes: ``articles_fts`` holds the words as written, ``articles_stem`` their
stemmed, folded forms in each article's language (``store/fulltext.py``), written when a store
transaction commits. ``search`` ranks what the query finds as written first, then what its stems
find.

Readers never block the writer and the writer never blocks readers (WAL), so ``search`` runs while
another process ingests; the writer commits every ``store.batch_size`` articles so new articles
show up as they come. The raw input bytes are kept zlib-compressed in ``raw`` so ``reprocess`` can
re-extract without the original files.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from ..errors import SearchError, StoreError, UsageError
from ..model import Article, RawItem, Reject, storable
from ..settings import Settings
from . import fulltext
from .migrations import migration_sets, schema_version
from .query import fts_query
from .schema import ArticleFilter, applied_migrations, apply_migration_sets

__all__ = ["ARTICLE_ORDERS", "DEFAULT_DB", "ENV_DB", "FACETS", "Filters", "Store", "date_bounds", "fts_query", "narrative_id",
           "open_store", "store_files"]

DEFAULT_DB = "narrascope.db"
ENV_DB = "NARRASCOPE_DB"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


DATE_FORMS = "YYYY-MM-DD, YYYY-MM or YYYY"


def date_bounds(value: str, *, option: str = "date") -> tuple[str, str]:
    """The first day of ``value`` and the first day after it, as "YYYY-MM-DD".

    ``value`` is a day (2024-05-14), a month (2024-05) or a year (2024); anything else is a
    ``UsageError`` (NS403) naming ``option``.
    """
    parts = value.strip().split("-")
    ok = 1 <= len(parts) <= 3 and len(parts[0]) == 4 and all(p.isdigit() and p.isascii() for p in parts) \
        and all(len(p) == 2 for p in parts[1:])
    if not ok:
        raise UsageError(f"{option} {value!r} is not a date: use {DATE_FORMS}")
    numbers = [int(p) for p in parts] + [1] * (3 - len(parts))
    try:
        first = date(*numbers)
    except ValueError as e:
        raise UsageError(f"{option} {value!r} is not a valid date: {e}") from e
    if len(parts) == 3:
        after = first + timedelta(days=1)
    elif len(parts) == 2:
        after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    else:
        after = date(first.year + 1, 1, 1)
    return first.isoformat(), after.isoformat()


#: Orders of ``Store.iter_articles``: storage order, or newest published first (undated last).
ARTICLE_ORDERS = ("stored", "newest")

#: The record facets a filter can select on (kinds of ``article_facets`` rows, migration 8).
FACETS = ("actor", "state", "technique", "topic")


def narrative_id(value: str, *, option: str = "--narrative") -> int:
    """A narrative id from text ("12"); anything but a whole number is a ``UsageError`` (NS403)."""
    text = value.strip()
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 18):
        raise UsageError(f"{option} {value!r} is not a narrative id: give a whole number")
    return int(text)


#: ``Filters`` fields whose selection a corpus analysis contributes (an ``ArticleFilter``).
ANALYSIS_FILTERS = ("narrative",)


def article_filter(option: str) -> ArticleFilter:
    """The ``ArticleFilter`` a registered corpus analysis declares for ``Filters`` field ``option``."""
    from ..plugins import registry

    for analysis in registry().analyses.values():
        for declared in getattr(analysis, "article_filters", ()):
            if declared.option == option:
                return declared
    raise UsageError(f"--{option}: no installed corpus analysis selects articles by {option}")


@dataclass(frozen=True)
class Filters:
    """Selection shared by list, search and export.

    ``since`` and ``until`` are a day, a month or a year (see ``date_bounds``), both inclusive:
    ``until="2024-05"`` includes every article published in May 2024.
    """

    outlet: str | None = None
    language: str | None = None
    genre: str | None = None
    since: str | None = None
    until: str | None = None
    all_versions: bool = False
    ids: tuple[str, ...] = ()
    #: Facets of the record (table ``article_facets``, compared case-insensitively): an actor id
    #: ("person:sergey-lavrov", "RUS"), a state (an actor's country or a state actor's id: "RUS"
    #: finds articles naming Lavrov), a technique name ("Loaded_Language"), a topic ("sanctions").
    actor: str | None = None
    state: str | None = None
    technique: str | None = None
    topic: str | None = None
    #: A narrative id. The store knows no narrative table: the analysis that declares an
    #: ``ArticleFilter`` for "narrative" gives the selection (``ANALYSIS_FILTERS``).
    narrative: int | None = None

    def __post_init__(self) -> None:
        # A bad date fails when the filter is made, not half-way through an export.
        for option in ("since", "until"):
            value = getattr(self, option)
            if value:
                date_bounds(value, option=f"--{option}")
        if self.narrative is not None and (isinstance(self.narrative, bool) or not isinstance(self.narrative, int)):
            raise UsageError(f"--narrative {self.narrative!r} is not a narrative id: give a whole number")
        for option in FACETS:
            value = getattr(self, option)
            if value is not None and not isinstance(value, str):
                raise UsageError(f"--{option} {value!r} is not text")

    def where(self, alias: str = "a") -> tuple[str, list[Any]]:
        clauses, params = [], []
        if not self.all_versions:
            clauses.append(f"{alias}.latest = 1")
        for column in ("outlet", "language", "genre"):
            value = getattr(self, column)
            if value:
                clauses.append(f"{alias}.{column} = ? COLLATE NOCASE")
                params.append(value)
        if self.since:
            clauses.append(f"{alias}.published >= ?")
            params.append(date_bounds(self.since)[0])
        if self.until:
            # Before the day after, so a published value with a time of day still counts.
            clauses.append(f"{alias}.published < ?")
            params.append(date_bounds(self.until)[1])
        if self.ids:
            clauses.append(f"{alias}.id IN ({','.join('?' * len(self.ids))})")
            params.extend(self.ids)
        # A facet alone: its rowids (from the facet index) drive, each article is looked up. With an
        # outlet, language or genre as well, that column's index drives ('+' keeps SQLite from
        # looking rowids up) and the facet's rowids are a set checked against: the columns sit
        # after the large text, so reading them from each candidate row would cost far more.
        drive = "+" if any(getattr(self, column) for column in ("outlet", "language", "genre")) else ""
        for kind in FACETS:
            value = getattr(self, kind)
            if value:
                clauses.append(f"{drive}{alias}.rowid IN"
                               " (SELECT article_rowid FROM article_facets WHERE kind = ? AND value = ?)")
                params.extend((kind, value))
        for sql, values in self.analysis_sets():
            clauses.append(f"{alias}.rowid IN ({sql})")
            params.extend(values)
        return (" AND ".join(clauses) or "1"), params

    def analysis_sets(self) -> list[tuple[str, list[Any]]]:
        """The chosen selections that corpus analyses contribute (``ArticleFilter``), each a query
        of the ``articles.rowid`` values it keeps."""
        sets = []
        for option in ANALYSIS_FILTERS:
            value = getattr(self, option)
            if value is not None:
                sets.append(article_filter(option).rowids(value))
        return sets

    def rowid_where(self, rowid: str) -> tuple[str, list[Any]]:
        """The same selection as ``where`` on an ``articles.rowid`` value alone (``articles_fts.rowid``).

        Every condition is a set of rowids an index gives (superseded versions, an outlet,
        a date range, a facet), so full-text search checks its matches against them without
        reading any article row: on a common word that is tens of thousands of rows not read.
        """
        clauses, params = [], []
        if not self.all_versions:
            # Superseded versions are few: one small set, whatever else is chosen.
            clauses.append(f"{rowid} NOT IN (SELECT rowid FROM articles WHERE latest = 0)")
        for sql, values in self.rowid_sets():
            clauses.append(f"{rowid} IN ({sql})")
            params.extend(values)
        return (" AND ".join(clauses) or "1"), params

    def rowid_sets(self) -> list[tuple[str, list[Any]]]:
        """The chosen conditions other than "latest version", each a query of the rowids it keeps."""
        sets: list[tuple[str, list[Any]]] = []
        versions = "latest IN (0, 1)" if self.all_versions else "latest = 1"
        for column in ("outlet", "language", "genre"):
            value = getattr(self, column)
            if value:  # the (latest, column NOCASE) indexes of migration 7
                sets.append((f"SELECT rowid FROM articles WHERE {versions} AND {column} = ? COLLATE NOCASE", [value]))
        if self.since or self.until:
            dates, bounds = [], []
            if self.since:
                dates.append("published >= ?")
                bounds.append(date_bounds(self.since)[0])
            if self.until:
                dates.append("published < ?")
                bounds.append(date_bounds(self.until)[1])
            sets.append((f"SELECT rowid FROM articles WHERE {' AND '.join(dates)}", bounds))
        if self.ids:
            sets.append((f"SELECT rowid FROM articles WHERE id IN ({','.join('?' * len(self.ids))})", list(self.ids)))
        for kind in FACETS:
            value = getattr(self, kind)
            if value:
                sets.append(("SELECT article_rowid FROM article_facets WHERE kind = ? AND value = ?", [kind, value]))
        sets.extend(self.analysis_sets())
        return sets


@dataclass(frozen=True)
class SearchHit:
    article: Article
    snippet: str
    rank: float


class Store:
    """A narrascope SQLite store. Use ``open_store``; close with ``close()`` or a ``with`` block."""

    def __init__(self, path: Path, conn: sqlite3.Connection, settings: Settings) -> None:
        self.path = path
        self.conn = conn
        self.settings = settings
        self._languages: tuple[float, dict[str, int]] | None = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One short write transaction (BEGIN IMMEDIATE: the write lock is taken at the start).

        SQLite failures while writing (locked or busy past ``store.busy_timeout_ms``, disk I/O,
        disk full, read-only file) become a ``StoreError`` (NS501) with a one-line message.
        """
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            raise self._write_error(e) from e
        try:
            yield
            fulltext.index_pending(self.conn)  # the stem index of the rows written, in this transaction
            self.conn.execute("COMMIT")
        except BaseException as e:
            if self.conn.in_transaction:  # a failed COMMIT may have ended it; ROLLBACK would hide the cause
                self.conn.execute("ROLLBACK")
            if isinstance(e, sqlite3.OperationalError):
                raise self._write_error(e) from e
            raise

    def _write_error(self, e: sqlite3.OperationalError) -> StoreError:
        text = str(e)
        if "locked" in text or "busy" in text:
            return StoreError(f"cannot write to store {self.path}: {text} (another process held it longer than"
                              f" store.busy_timeout_ms = {self.settings.store.busy_timeout_ms})")
        return StoreError(f"cannot write to store {self.path}: {text}")

    # -- writing -----------------------------------------------------------------------------

    def article_location(self, article_id: str) -> str | None:
        (location,) = self.conn.execute("SELECT location FROM articles WHERE id = ?", (article_id,)).fetchone() or (None,)
        return location

    def url_is_versioned(self, article_id: str) -> bool:
        """Whether the article is part of a version chain: a later version of a URL, or superseded."""
        (versioned,) = self.conn.execute(
            "SELECT version > 1 OR EXISTS (SELECT 1 FROM articles b WHERE b.supersedes = a.id)"
            " FROM articles a WHERE a.id = ?", (article_id,)).fetchone() or (False,)
        return bool(versioned)

    def latest_for_url(self, url: str) -> tuple[str, int, str, str] | None:
        """(id, version, title, text) of the newest stored version of ``url``."""
        row = self.conn.execute(
            "SELECT id, version, title, text FROM articles WHERE url = ? ORDER BY version DESC LIMIT 1", (url,)
        ).fetchone()
        if row is None:
            return None
        article_id, version, title, text = row
        return str(article_id), int(version), str(title), str(text)

    def put_raw(self, item: RawItem) -> None:
        data = zlib.compress(item.data, 6) if self.settings.store.keep_raw else None
        self.conn.execute(
            "INSERT OR IGNORE INTO raw (id, media_type, source_kind, location, hints, size, data, received_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (item.id, item.media_type, item.source_kind, storable(item.location),
             json.dumps(item.hints, ensure_ascii=False, sort_keys=True), len(item.data), data, now()),
        )

    def add_article(self, article: Article) -> bool:
        """Insert a new article; if its URL is stored already it becomes the next version.

        Returns False, changing nothing, when an article with this id is stored already (another
        process may have stored the same bytes). Call inside ``transaction()``.
        """
        if article.url:
            previous = self.latest_for_url(article.url)
            if previous is not None:
                article.version = previous[1] + 1
                article.supersedes = previous[0]
        stamp = now()
        inserted = self.conn.execute(
            "INSERT INTO articles (id, url, version, supersedes, latest, title, text, outlet, published, language,"
            " genre, source_kind, location, record, pipeline_version, ingested_at, updated_at)"
            " VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
            (article.id, article.url, article.version, article.supersedes, *self._columns(article), stamp, stamp),
        ).rowcount
        if not inserted:
            return False
        if article.url:
            self.conn.execute("UPDATE articles SET latest = 0 WHERE url = ? AND id != ?", (article.url, article.id))
        # A location that now holds a good article no longer has an open problem.
        if article.source["location"] != "<stdin>":  # every piped input shares that location
            self.conn.execute("DELETE FROM rejects WHERE location = ? AND skipped = 0", (article.source["location"],))
        return True

    def update_article(self, article: Article) -> None:
        """Replace the stored record of ``article.id`` (after reprocessing)."""
        self.conn.execute(
            "UPDATE articles SET url = ?, title = ?, text = ?, outlet = ?, published = ?, language = ?, genre = ?,"
            " source_kind = ?, location = ?, record = ?, pipeline_version = ?, updated_at = ? WHERE id = ?",
            (article.url, *self._columns(article), now(), article.id),
        )

    @staticmethod
    def _columns(article: Article) -> tuple[Any, ...]:
        return (
            article.title, article.text, article.outlet, article.published, article.language, article.genre,
            article.source["kind"], article.source["location"],
            json.dumps(article.to_record(), ensure_ascii=False), article.pipeline.get("version", ""),
        )

    def record_reject(self, reject: Reject, *, skipped: bool = False) -> bool:
        """Record ``reject`` (or count it seen again); True if it was recorded before with the same reason.

        A reject is the same when its location, code and input are: the digest of its bytes when
        they were read, else its fingerprint (a file's size and modification time, a line's hash;
        ``Reject.identity``). A re-run over a folder of known bad files can tell them from new
        ones, and a bad file changed in place is new.
        """
        if reject.item is not None and self.settings.store.keep_raw:
            self.put_raw(reject.item)
        location, reason = storable(reject.location), storable(reject.reason)
        key = f"{location}|{reject.identity}|{reject.code}"
        (known,) = self.conn.execute("SELECT reason = ? AND skipped = ? FROM rejects WHERE key = ?",
                                     (reason, int(skipped), key)).fetchone() or (None,)
        if known is None and reject.fingerprint and not reject.digest:
            # recorded by a version that keyed it without a fingerprint: the same reject, keyed anew
            legacy = f"{location}||{reject.code}"
            (known,) = self.conn.execute("SELECT reason = ? AND skipped = ? FROM rejects WHERE key = ?",
                                         (reason, int(skipped), legacy)).fetchone() or (None,)
            if known:
                self.conn.execute("UPDATE rejects SET key = ? WHERE key = ?", (key, legacy))
        stamp = now()
        self.conn.execute(
            "INSERT INTO rejects (key, location, digest, source_kind, stage, code, reason, skipped, first_seen, last_seen)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET seen = seen + 1, last_seen = excluded.last_seen, reason = excluded.reason",
            (key, location, reject.digest, reject.source_kind, reject.stage, reject.code, reason,
             int(skipped), stamp, stamp),
        )
        return bool(known)

    def clear_reject(self, digest: str) -> None:
        self.conn.execute("DELETE FROM rejects WHERE digest = ?", (digest,))

    # -- reading -----------------------------------------------------------------------------

    def resolve_id(self, given: str) -> str:
        """A full id from an id or a unique prefix of at least 4 characters."""
        if len(given) < 4:
            raise UsageError(f"article id {given!r} is too short; give at least 4 characters", code="NS402")
        rows = self.conn.execute(
            "SELECT id FROM articles WHERE id >= ? AND id < ? LIMIT 2", (given, given + "\uffff")
        ).fetchall()
        if not rows:
            raise UsageError(f"no article with id {given!r} in {self.path}", code="NS402")
        if len(rows) > 1:
            raise UsageError(f"id prefix {given!r} is ambiguous; give more characters", code="NS402")
        [(found,)] = rows
        return str(found)

    def get_article(self, given: str) -> Article:
        article_id = self.resolve_id(given)
        (record,) = self.conn.execute("SELECT record FROM articles WHERE id = ?", (article_id,)).fetchone()
        return Article.from_record(json.loads(record))

    def iter_articles(self, filters: Filters = Filters(), *, limit: int | None = None,
                      offset: int = 0, order: str = "stored") -> Iterator[Article]:
        """The selected articles in ``order``: "stored" (storage order, as exports write them) or
        "newest" (by published date, newest first, undated last, ties in storage order; as
        ``narrascope list`` and the workbench show them)."""
        if order not in ARTICLE_ORDERS:
            raise UsageError(f"unknown article order {order!r}; orders: {', '.join(ARTICLE_ORDERS)}")
        if order == "newest":
            yield from self._iter_newest(filters, limit=limit, offset=offset)
            return
        where, params = filters.where()
        sql = f"SELECT record FROM articles a WHERE {where} ORDER BY a.rowid"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        for (record,) in self.conn.execute(sql, params):
            yield Article.from_record(json.loads(record))

    def _iter_newest(self, filters: Filters, *, limit: int | None, offset: int) -> Iterator[Article]:
        # The order comes from a walk down the published index, each rowid checked against the
        # filters' rowid sets ('+': checked, never looked up, which would sort rows read from the
        # table); records are read afterwards for the page alone. 20,000 articles: 1-3 ms a page,
        # with or without an outlet or date filter.
        where, params = filters.rowid_where("+a.rowid")
        rowids = [rowid for (rowid,) in self.conn.execute(
            f"SELECT a.rowid FROM articles a WHERE {where} ORDER BY a.published DESC, a.rowid LIMIT ? OFFSET ?",
            [*params, -1 if limit is None else limit, offset])]
        for start in range(0, len(rowids), 500):
            chunk = rowids[start:start + 500]
            records = dict(self.conn.execute(
                f"SELECT rowid, record FROM articles WHERE rowid IN ({','.join('?' * len(chunk))})", chunk).fetchall())
            for rowid in chunk:
                yield Article.from_record(json.loads(records[rowid]))

    def search(self, query: str, filters: Filters = Filters(), *, limit: int = 20, offset: int = 0,
               rank_limit: int | None = None, language: str | None = None) -> list[SearchHit]:
        """Full-text search, best match first: words (all must match), "phrases", OR, NOT, prefix*, (groups).

        A term FTS5 would read as syntax (``COVID-19``, ``U.S.``, ``Xi's``) is searched as the
        words it holds (``fts_query``). Articles holding the words as typed come first; then those
        holding other forms of them (stems in the article's language, ``store/fulltext.py``), the
        query stemmed in ``language`` (an ISO 639-1 code; by default the ``language`` filter's)
        or, when neither is given, in the guessed language or the store's languages of the query's
        script (``fulltext.query_languages``).

        Every match is ranked (exact); with ``rank_limit``, a query matching more than that many
        articles (after the filters) is ranked among the most recently stored of them only (see
        ``search_rows``: the workbench does this to keep a common word fast).
        """
        rows, _ = self.search_rows(query, filters, limit=limit, offset=offset, rank_limit=rank_limit,
                                   language=language)
        return [SearchHit(Article.from_record(json.loads(record)), snippet, rank) for record, snippet, rank in rows]

    def search_rows(self, query: str, filters: Filters = Filters(), *, limit: int = 20, offset: int = 0,
                    marks: tuple[str, str] = ("[", "]"), rank_limit: int | None = None,
                    language: str | None = None) -> tuple[list[tuple[str, str, float]], bool]:
        """A page of matches, best first: ([(record JSON, snippet with hits between ``marks``, bm25 rank)], capped).

        Matches of the query as typed (``articles_fts``) come first, ranked by bm25 (title weighs
        5, body 1), ties in storage order; then the matches of the stemmed query alone
        (``articles_stem``, see ``search``), ranked alike over the stem index. The ranking reads
        the full-text indexes and the filters' index sets only; records and snippets are made for
        the page alone. bm25 costs about 2 microseconds a match; with ``rank_limit`` set, a word
        found in nearly every article of a large store is ranked among the ``rank_limit`` most
        recently stored matches only (``capped`` is then True): on 100,000 articles that is about
        50 ms rather than 200. None (the default, and the CLI) ranks every match. ``search`` and
        the workbench both call this, so with the same ``rank_limit`` they agree hit for hit.
        """
        if not query.strip():
            raise SearchError("empty search query")
        typed, query = query, fts_query(query)
        language = language or filters.language  # a search within one language reads the query in it
        keys = fulltext.QueryKeys(fulltext.query_languages(
            typed, language=language, stored=self._stored_languages() if not language else {},
            guess=_guess_language))
        try:
            stemmed: str | None = fts_query(typed, expand=keys.term)
        except SearchError:  # no word the stem index holds (the words as typed are still searched)
            stemmed = None
        where, params = filters.rowid_where("+f.rowid")  # '+': a rowid set is checked, not looked up in FTS5
        try:
            # Each index is capped on its own, so the words as typed rank as they did without the
            # stem index; the stem index is read only when the words as typed do not fill the page.
            floors = {"articles_fts": self._rank_floor("articles_fts", query, filters, rank_limit)
                      if rank_limit is not None else None}
            exact_sql = ("SELECT f.rowid, 0 AS tier, bm25(articles_fts, 5.0, 1.0) AS score FROM articles_fts f"
                         f" WHERE articles_fts MATCH ? AND f.rowid >= ? AND {where}")
            values = [query, floors["articles_fts"] or 0, *params]
            if stemmed is not None and "NOT" in query.split():
                # NOT a word excludes its other forms too: "Brussels NOT sanction" finds no "sanctions"
                exact_sql += " AND f.rowid IN (SELECT rowid FROM articles_stem WHERE articles_stem MATCH ?)"
                values.append(stemmed)
            ranked = self.conn.execute(f"{exact_sql} ORDER BY score, f.rowid LIMIT ? OFFSET ?",
                                       [*values, limit, offset]).fetchall()
            if stemmed is not None and len(ranked) < limit:
                # the page goes on with the articles only the stem index finds, after every exact match
                exact_total = offset + len(ranked) if ranked else \
                    self.conn.execute(f"SELECT COUNT(*) FROM ({exact_sql})", values).fetchone()[0]
                floors["articles_stem"] = self._rank_floor("articles_stem", stemmed, filters, rank_limit) \
                    if rank_limit is not None else None
                ranked += self.conn.execute(
                    "SELECT f.rowid, 1, bm25(articles_stem, 5.0, 1.0) AS score FROM articles_stem f"
                    f" WHERE articles_stem MATCH ? AND f.rowid >= ? AND {where}"
                    f" AND f.rowid NOT IN (SELECT rowid FROM ({exact_sql})) ORDER BY score, f.rowid LIMIT ? OFFSET ?",
                    [stemmed, floors["articles_stem"] or 0, *params, *values, limit - len(ranked),
                     max(0, offset - exact_total)]).fetchall()
            capped = any(value is not None for value in floors.values())
            if not ranked:
                return [], capped
            rowids = [rowid for rowid, _, _ in ranked]
            exact = [rowid for rowid, tier, _ in ranked if tier == 0]
            snippets: dict[int, str] = {}
            if exact:
                snippets.update(self.conn.execute(
                    f"SELECT f.rowid, snippet(articles_fts, 1, ?, ?, ' … ', 24) FROM articles_fts f"
                    f" WHERE articles_fts MATCH ? AND f.rowid IN ({','.join('?' * len(exact))})",
                    [*marks, query, *exact]).fetchall())
            marks_sql = ",".join("?" * len(rowids))
            records: dict[int, str] = {}
            for rowid, record, text, article_language in self.conn.execute(
                    f"SELECT rowid, record, text, language FROM articles WHERE rowid IN ({marks_sql})", rowids):
                records[rowid] = record
                if rowid not in snippets:
                    snippets[rowid] = fulltext.snippet(text, (article_language or "").lower() or None, keys, marks=marks)
        except sqlite3.OperationalError as e:
            if "locked" in str(e) or "busy" in str(e):
                raise StoreError(f"search failed: {e}") from e
            # Anything else is the MATCH expression (FTS5 reports syntax errors as OperationalError).
            raise SearchError(f"cannot search for {typed!r}: {e}") from e
        return [(records[rowid], snippets.get(rowid, ""), score) for rowid, _, score in ranked if rowid in records], \
            capped

    def _stored_languages(self) -> dict[str, int]:
        """Language -> latest articles, read at most once a minute (a search guesses among them)."""
        if self._languages is not None and self._languages[0] > time.monotonic() - 60:
            return self._languages[1]
        languages = {str(code).lower(): n for code, n in self.conn.execute(
            "SELECT language COLLATE NOCASE, COUNT(*) FROM articles WHERE latest = 1 AND language IS NOT NULL"
            " GROUP BY language COLLATE NOCASE")}  # read from the index articles_latest_language alone
        self._languages = (time.monotonic(), languages)
        return languages

    def _rank_floor(self, index: str, query: str, filters: Filters, rank_limit: int) -> int | None:
        """The lowest rowid ranked when ``query`` matches more than ``rank_limit`` articles of
        full-text ``index`` passing ``filters`` (the most recent ``rank_limit`` of them), else None."""
        if not self._matches_more_than(index, query, filters, rank_limit):
            return None
        where, params = filters.rowid_where("+f.rowid")
        (last,) = self.conn.execute(
            f"SELECT f.rowid FROM {index} f WHERE {index} MATCH ? AND {where}"
            " ORDER BY f.rowid DESC LIMIT 1 OFFSET ?", [query, *params, rank_limit]).fetchone() or (None,)
        return None if last is None else last + 1

    def _matches_more_than(self, index: str, query: str, filters: Filters, n: int) -> bool:
        """Whether ``query`` may match more than ``n`` articles of full-text ``index`` passing ``filters`` (cheap checks only).

        False when the query matches at most ``n`` articles at all, or when one chosen condition
        keeps at most ``n`` (each counted with LIMIT ``n`` + 1, through its index): then no
        capping walk over the matches is needed.
        """
        if not self.conn.execute(f"SELECT COUNT(*) > ? FROM {index} WHERE {index} MATCH ?",
                                 (n, query)).fetchone()[0]:
            return False
        return not any(self.conn.execute(f"SELECT COUNT(*) <= ? FROM ({sql} LIMIT ?)", [n, *values, n + 1]).fetchone()[0]
                       for sql, values in filters.rowid_sets())

    def raw_item(self, article_id: str) -> RawItem | None:
        row = self.conn.execute(
            "SELECT data, media_type, source_kind, location, hints FROM raw WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            return None
        data, media_type, source_kind, location, hints = row
        if data is None:
            return None
        return RawItem(data=zlib.decompress(data), media_type=media_type, source_kind=source_kind, location=location,
                       hints=json.loads(hints))

    def iter_rejects(self, *, include_skipped: bool = True) -> Iterator[dict[str, Any]]:
        sql = "SELECT location, digest, source_kind, stage, code, reason, skipped, first_seen, last_seen, seen FROM rejects"
        if not include_skipped:
            sql += " WHERE skipped = 0"
        sql += " ORDER BY rowid"
        columns = ("location", "digest", "source_kind", "stage", "code", "reason", "skipped", "first_seen",
                   "last_seen", "seen")
        for row in self.conn.execute(sql):
            out = dict(zip(columns, row, strict=True))
            out["skipped"] = bool(out["skipped"])
            yield out

    def info(self) -> dict[str, Any]:
        q = self.conn.execute
        rejects = {code: n for code, n in q("SELECT code, COUNT(*) FROM rejects WHERE skipped = 0 GROUP BY code ORDER BY code")}
        skipped = {code: n for code, n in q("SELECT code, COUNT(*) FROM rejects WHERE skipped = 1 GROUP BY code ORDER BY code")}
        size = sum(os.path.getsize(p) for p in (self.path, Path(f"{self.path}-wal")) if p.exists())
        return {
            "path": str(self.path),
            "size_bytes": size,
            "schema_version": schema_version(self.conn),
            "migrations": {name: len(done) for name, done in applied_migrations(self.conn).items()},
            "articles": q("SELECT COUNT(*) FROM articles WHERE latest = 1").fetchone()[0],
            "versions": q("SELECT COUNT(*) FROM articles").fetchone()[0],
            "raw_inputs": q("SELECT COUNT(*) FROM raw").fetchone()[0],
            "raw_bytes": q("SELECT COALESCE(SUM(size), 0) FROM raw").fetchone()[0],
            "rejects": sum(rejects.values()),
            "rejects_by_code": rejects,
            "skipped": sum(skipped.values()),
            "skipped_by_code": skipped,
            "outlets": q("SELECT COUNT(DISTINCT outlet) FROM articles WHERE outlet IS NOT NULL").fetchone()[0],
            "languages": dict(q("SELECT language, COUNT(*) FROM articles WHERE latest = 1 GROUP BY language ORDER BY 2 DESC")),
            "pipeline_versions": dict(q("SELECT pipeline_version, COUNT(*) FROM articles GROUP BY 1 ORDER BY 1")),
            "published_range": list(q("SELECT MIN(published), MAX(published) FROM articles WHERE latest = 1").fetchone()),
            # articles whose input states no date: in no period of any time series
            "undated": q("SELECT COUNT(*) FROM articles WHERE latest = 1 AND published IS NULL").fetchone()[0],
        }


def _guess_language(query: str) -> tuple[str, float]:
    """py3langid's best language for ``query`` and its probability among all its languages."""
    from py3langid.langid import rank

    ranked = rank(query)
    best, top = ranked[0]
    return str(best), 1.0 / sum(math.exp(score - top) for _code, score in ranked)


def store_files(path: str | os.PathLike[str]) -> tuple[Path, ...]:
    """The store file and the files SQLite keeps beside it (write-ahead log, shared memory, journal)."""
    db = Path(path)
    return (db, *(db.with_name(db.name + suffix) for suffix in ("-wal", "-shm", "-journal")))


def _file_head(path: Path, n: int) -> bytes:
    if not path.exists():
        return b""
    with path.open("rb") as f:
        return f.read(n)


def open_store(path: str | os.PathLike[str] | None = None, settings: Settings | None = None, *,
               create: bool = True) -> Store:
    """Open (and create and migrate, if needed) the store at ``path``, default $NARRASCOPE_DB or ./narrascope.db."""
    from ..settings import load_settings

    settings = settings or load_settings()
    db = Path(path or os.environ.get(ENV_DB) or DEFAULT_DB)
    if not create and not db.exists():
        raise StoreError(f"no store at {db}: run `narrascope ingest` first or pass --db")
    if db.exists() and db.is_dir():
        raise StoreError(f"{db} is a folder, not a store file")
    try:
        conn = sqlite3.connect(db, isolation_level=None, timeout=settings.store.busy_timeout_ms / 1000)
        conn.execute(f"PRAGMA busy_timeout = {int(settings.store.busy_timeout_ms)}")
        head = _file_head(db, 16)
        if head and head != b"SQLite format 3\x00":
            raise StoreError(f"{db} is not a SQLite file")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        # The core set, then each registered analysis's own (each applied once; NS502 if newer).
        apply_migration_sets(conn, migration_sets())
    except sqlite3.Error as e:
        raise StoreError(f"cannot open store {db}: {e}") from e
    return Store(db, conn, settings)
