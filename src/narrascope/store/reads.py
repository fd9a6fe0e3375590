"""Small reads of the store that several front doors ask: is a table there, the records or texts of
some articles, how many articles a filter selects, a read-only connection.

One function per question, shared by the web (``narrascope.web``), the corpus reads
(``corpus/reading.py``, ``corpus/browse.py``) and the exporters, so no second copy of these queries
exists. Records are loaded in one query for a page of keys, never one query per row.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import Filters, Store

__all__ = ["article_texts", "connect_read_only", "count_articles", "existing_tables", "records", "records_by",
           "table_exists", "table_has_rows", "table_rows"]


def connect_read_only(path: str | Path, *, timeout: float, check_same_thread: bool = True) -> sqlite3.Connection:
    """A connection that cannot write the store: SQLite's ``mode=ro`` URI and ``PRAGMA query_only``.

    In WAL mode it reads while another process ingests. ``timeout``: seconds to wait for a lock.
    """
    conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True, isolation_level=None,
                           check_same_thread=check_same_thread, timeout=timeout)
    try:
        conn.execute("PRAGMA query_only = 1")
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def table_exists(store: Store, table: str) -> bool:
    """Whether the store has a table of this name (a derived table exists once its analysis has run)."""
    return store.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone() \
        is not None


def existing_tables(store: Store) -> set[str]:
    """The names of the store's tables."""
    return {str(name) for (name,) in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def table_has_rows(store: Store, table: str) -> bool:
    """Whether the table exists and holds at least one row (``table``: a name the caller chose, not input)."""
    return table_exists(store, table) and \
        store.conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None  # noqa: S608


def table_rows(store: Store, table: str) -> int:
    """The rows of a table (``table``: a registered name, not input)."""
    return int(store.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])  # noqa: S608


def count_articles(store: Store, filters: Filters) -> int:
    """The articles ``filters`` select (what ``narrascope export`` with these filters would write)."""
    where, params = filters.where()
    return int(store.conn.execute(f"SELECT COUNT(*) FROM articles a WHERE {where}", params).fetchone()[0])  # noqa: S608


def records_by(store: Store, column: str, keys: list[Any]) -> dict[Any, dict[str, Any]]:
    """Records (parsed JSON) of the given article versions by ``column`` (``id`` or ``rowid``), in one query."""
    if column not in ("id", "rowid"):
        raise ValueError(f"records by id or rowid, not {column!r}")
    if not keys:
        return {}
    unique = list(dict.fromkeys(keys))
    rows = store.conn.execute(
        f"SELECT {column}, record FROM articles WHERE {column} IN ({','.join('?' * len(unique))})",  # noqa: S608
        unique).fetchall()
    return {key: json.loads(record) for key, record in rows}


def records(store: Store, ids: list[str]) -> list[dict[str, Any]]:
    """The records of these articles, in the order of ``ids`` (ids not found left out)."""
    by_id = records_by(store, "id", ids)
    return [by_id[i] for i in ids if i in by_id]


def article_texts(store: Store, ids: list[str]) -> dict[str, str]:
    """id -> the article's text, for these articles, in one query (ids not found left out)."""
    unique = sorted({i for i in ids if i})
    if not unique:
        return {}
    return {str(i): str(text) for i, text in store.conn.execute(
        f"SELECT id, text FROM articles WHERE id IN ({','.join('?' * len(unique))})", unique)}  # noqa: S608
