"""Corpus analyses as derived tables: text reuse, narratives, the actor graph, timelines.

Each analysis is a function of the store: it names its inputs (article fields and settings),
writes its own tables (each declared once, as a ``TableSpec`` in its module's ``TABLES``: columns,
types, keys, indexes and docs; the DDL and the docs are generated from it), brings its own
migration set (``migrations``; by default one migration creating its ``tables``, which
``open_store`` applies and records in ``_migrations``),
and records in ``derived`` its version, the narrascope version, the time, and a watermark (the
highest ``articles.rowid`` it has seen), so the next run takes only the new articles. An analysis
registers through the plugin seam (``narrascope_analyses``) like any third-party one.

The protocol::

    class CorpusAnalysis(Protocol):
        name: str                      # "reuse"
        version: str
        tables: tuple[TableSpec, ...]  # what it writes and exports, with documented columns
        inputs: tuple[str, ...]        # "articles.text", "articles.published", "settings.reuse"...
        def update(self, store, settings, *, full=False, progress=None) -> dict: ...
        # optional:
        migrations: MigrationSet                   # default: MigrationSet(name, (Migration("tables", tables=tables),))
        article_filters: tuple[ArticleFilter, ...] # selections it adds to ``Filters`` ("narrative")

``update`` reads ``derived_state(store, name)``, computes what changed, writes its rows and calls
``record_state`` in the same transaction, and returns a JSON-ready summary for the CLI.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import UsageError
from ..store.schema import ArticleFilter, Column, Index, Migration, MigrationSet, TableSpec
from ..version import __version__

if TYPE_CHECKING:
    from ..settings import Settings
    from ..store import Store

__all__ = ["ArticleFilter", "Column", "CorpusAnalysis", "DerivedState", "Index", "Migration", "MigrationSet",
           "Resume", "TableSpec", "batched", "count_new_articles", "derived_state", "iter_table", "new_articles",
           "record_state", "resume", "superseded_rowids", "table_spec", "tables_reference"]


class CorpusAnalysis(Protocol):
    name: str
    version: str
    tables: tuple[TableSpec, ...]
    inputs: tuple[str, ...]

    def update(self, store: Store, settings: Settings, *, full: bool = False,
               progress: Callable[[int], Iterator[object]] | None = None) -> dict[str, Any]: ...


@dataclass(frozen=True)
class DerivedState:
    name: str
    version: str
    pipeline_version: str
    inputs: dict[str, Any]
    computed_at: str
    watermark: int
    articles: int
    state: Any  # whatever the analysis stored (JSON-ready), or None


def derived_state(store: Store, name: str) -> DerivedState | None:
    """What ``name`` last computed, or None if it never ran on this store."""
    row = store.conn.execute(
        "SELECT name, version, pipeline_version, inputs, computed_at, watermark, articles, state"
        " FROM derived WHERE name = ?", (name,)).fetchone()
    if row is None:
        return None
    name, version, pipeline_version, inputs, computed_at, watermark, articles, blob = row
    state = json.loads(zlib.decompress(blob).decode("utf-8")) if blob is not None else None
    return DerivedState(name, version, pipeline_version, json.loads(inputs), computed_at, watermark, articles, state)


def _json_pieces(value: Any, depth: int = 3) -> Iterator[str]:
    """``json.dumps(value, ensure_ascii=False)`` in pieces: dicts with string keys and lists are
    opened ``depth`` levels deep, so no single string holds a whole large state (a narratives state
    of 100,000 articles is about 176 MB of JSON)."""
    if depth and isinstance(value, dict) and value and all(isinstance(k, str) for k in value):
        yield "{"
        for i, (key, item) in enumerate(value.items()):
            yield (", " if i else "") + json.dumps(key, ensure_ascii=False) + ": "
            yield from _json_pieces(item, depth - 1)
        yield "}"
    elif depth and isinstance(value, list) and value:
        yield "["
        for i, item in enumerate(value):
            if i:
                yield ", "
            yield from _json_pieces(item, depth - 1)
        yield "]"
    else:
        yield json.dumps(value, ensure_ascii=False)


def _compressed_json(value: Any) -> bytes:
    """zlib of ``json.dumps(value, ensure_ascii=False)`` in UTF-8, compressed piece by piece."""
    compressor = zlib.compressobj()
    out = bytearray()
    pending: list[str] = []
    size = 0
    for piece in _json_pieces(value):
        pending.append(piece)
        size += len(piece)
        if size >= 1 << 20:
            out += compressor.compress("".join(pending).encode("utf-8"))
            pending, size = [], 0
    out += compressor.compress("".join(pending).encode("utf-8"))
    out += compressor.flush()
    return bytes(out)


def record_state(store: Store, name: str, version: str, *, inputs: dict[str, Any], watermark: int,
                 articles: int, state: Any = None) -> None:
    """Record a run of ``name`` (call inside the transaction that wrote its rows)."""
    from ..store import now

    blob = _compressed_json(state) if state is not None else None
    store.conn.execute(
        "INSERT INTO derived (name, version, pipeline_version, inputs, computed_at, watermark, articles, state)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET version=excluded.version,"
        " pipeline_version=excluded.pipeline_version, inputs=excluded.inputs, computed_at=excluded.computed_at,"
        " watermark=excluded.watermark, articles=excluded.articles, state=excluded.state",
        (name, version, __version__, json.dumps(inputs, sort_keys=True), now(), watermark, articles, blob))


@dataclass(frozen=True)
class Resume:
    """Where an incremental run starts: everything (``full``) or after the last run's watermark."""

    full: bool
    watermark: int  # highest articles.rowid already covered (0 for a full run)
    covered: int    # articles already covered
    state: Any      # the analysis's own saved state (None for a full run)


def resume(store: Store, name: str, version: str, *, full: bool = False) -> Resume:
    """The starting point of a run of ``name``: a full run when asked, never run, or of another version."""
    previous = derived_state(store, name)
    if full or previous is None or previous.version != version:
        return Resume(True, 0, 0, None)
    return Resume(False, previous.watermark, previous.articles, previous.state)


def superseded_rowids(store: Store, after: int) -> list[int]:
    """Rowids of articles that a version stored after ``after`` replaced (their rows must go)."""
    return [r for (r,) in store.conn.execute(
        "SELECT old.rowid FROM articles new JOIN articles old ON old.id = new.supersedes"
        " WHERE new.rowid > ? AND old.rowid <= ?", (after, after))]


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """``items`` in lists of ``size`` (the last may be shorter)."""
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def new_articles(store: Store, after: int = 0) -> Iterator[tuple[int, dict[str, Any]]]:
    """(rowid, record) of the latest-version articles with rowid > ``after``, in rowid order."""
    cursor = store.conn.execute(
        "SELECT rowid, record FROM articles WHERE rowid > ? AND latest = 1 ORDER BY rowid", (after,))
    for rowid, record in cursor:
        yield rowid, json.loads(record)


def count_new_articles(store: Store, after: int = 0) -> int:
    """How many articles ``new_articles(store, after)`` yields."""
    return int(store.conn.execute("SELECT COUNT(*) FROM articles WHERE rowid > ? AND latest = 1",
                                  (after,)).fetchone()[0])


def table_spec(name: str) -> tuple[CorpusAnalysis, TableSpec]:
    """The analysis that writes table ``name`` and the table's spec."""
    from ..plugins import registry

    for analysis in registry().analyses.values():
        for spec in analysis.tables:
            if spec.name == name:
                return analysis, spec
    known = sorted(s.name for a in registry().analyses.values() for s in a.tables)
    raise UsageError(f"unknown table {name!r}; tables: {', '.join(known) or 'none installed'}")


def iter_table(store: Store, name: str) -> Iterator[dict[str, Any]]:
    """Rows of derived table ``name`` as dicts in documented column order (JSON columns decoded)."""
    _analysis, spec = table_spec(name)
    columns = [c.name for c in spec.columns]
    cursor = store.conn.execute(f"SELECT {', '.join(columns)} FROM {spec.name} ORDER BY rowid")  # noqa: S608 - names from the spec
    json_columns = {c.name for c in spec.columns if c.type == "JSON"}
    for row in cursor:
        record = dict(zip(columns, row, strict=True))
        for key in json_columns:
            if record[key] is not None:
                record[key] = json.loads(record[key])
        yield record


#: The markers of the generated table reference in ``docs/tables.md``.
TABLES_BEGIN = "<!-- tables: generated from the declarations by `python3 tasks.py tables`; do not edit -->"
TABLES_END = "<!-- end of tables -->"


def tables_reference() -> str:
    """The Markdown reference of narrascope's own tables: each of its analyses' (from its migration
    set's declarations), then the core store's facet tables. ``docs/tables.md`` holds it between
    markers; a plugin documents its own tables."""
    from ..plugins import is_builtin, registry
    from ..store.migrations import FACET_TABLES
    from ..store.schema import migration_set_of, tables_markdown

    parts = []
    for analysis in registry().analyses.values():
        if not is_builtin(analysis):
            continue
        tables = [spec for migration in migration_set_of(analysis).migrations for spec in migration.tables]
        parts.append(f"### {analysis.name}\n\n" + tables_markdown(tables))
    parts.append("### core: the record's facets\n\n" + tables_markdown(FACET_TABLES))
    return "\n".join(parts)
