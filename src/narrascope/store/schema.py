"""Tables declared once, and named migration sets (as sqlite-utils' ``migration_set``).

A ``TableSpec`` is the one declaration of a table: its columns (type, NOT NULL, documentation),
its keys and indexes. Its DDL (``TableSpec.ddl``) and its documentation (``tables_markdown``) are
both generated from it, so the schema in the SQLite file and the docs cannot drift apart.

A ``MigrationSet`` is an ordered list of named migrations owned by one package: the core store
(``store.migrations.CORE``), and each corpus analysis (its ``migrations`` attribute, or one made
from its ``tables``). ``apply_migration_sets`` records each migration it applies in
``_migrations``, keyed by (set, name), and applies each once, in order, in its own transaction.

A migration that creates tables is idempotent: it creates what is missing and checks that what
exists has the declared shape (columns, types, NOT NULL, keys, indexes), so a store made before
migration sets existed (whose tables the old numbered migrations made) is adopted, data and all,
without rewriting anything.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..errors import StoreError

__all__ = ["ArticleFilter", "Column", "Index", "Migration", "MigrationSet", "TableSpec", "applied_migrations",
           "apply_migration_sets", "create_tables", "migration_set_of", "pending_migrations", "table_shape", "tables_markdown"]

#: Declared type -> SQLite column type (JSON is stored as TEXT and decoded on export).
STORAGE_TYPES = {"TEXT": "TEXT", "INTEGER": "INTEGER", "REAL": "REAL", "JSON": "TEXT", "BLOB": "BLOB"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # TEXT, INTEGER, REAL, BLOB, or JSON (stored as TEXT, decoded on export)
    doc: str
    not_null: bool = False
    unique: bool = False
    collate: str | None = None  # e.g. "NOCASE"

    def ddl(self) -> str:
        parts = [self.name, STORAGE_TYPES[self.type]]
        if self.not_null:
            parts.append("NOT NULL")
        if self.unique:
            parts.append("UNIQUE")
        if self.collate:
            parts.append(f"COLLATE {self.collate}")
        return " ".join(parts)


@dataclass(frozen=True)
class Index:
    name: str
    columns: tuple[str, ...]
    unique: bool = False

    def ddl(self, table: str) -> str:
        return f"CREATE {'UNIQUE ' if self.unique else ''}INDEX {self.name} ON {table}({', '.join(self.columns)})"


@dataclass(frozen=True)
class TableSpec:
    """A table: its name in the store, its columns in export order, its keys, indexes and docs."""

    name: str
    columns: tuple[Column, ...]
    doc: str
    #: for the GEXF exporter: (node table, edge table) pairs declare themselves with this
    graph_role: str | None = None  # "nodes" | "edges" | None
    indexes: tuple[Index, ...] = ()
    #: table-level UNIQUE constraints, each a tuple of columns
    unique: tuple[tuple[str, ...], ...] = ()
    #: an explicit ``rowid INTEGER PRIMARY KEY`` first column (export order and ids stay stable)
    rowid: bool = True
    primary_key: tuple[str, ...] = ()
    without_rowid: bool = False
    #: exported (``narrascope export --table``) or internal to its analysis
    exported: bool = True

    def create_table_sql(self) -> str:
        lines = (["rowid INTEGER PRIMARY KEY"] if self.rowid else []) + [c.ddl() for c in self.columns]
        lines += [f"UNIQUE ({', '.join(u)})" for u in self.unique]
        if self.primary_key:
            lines.append(f"PRIMARY KEY ({', '.join(self.primary_key)})")
        body = ",\n    ".join(lines)
        return f"CREATE TABLE {self.name} (\n    {body}\n){' WITHOUT ROWID' if self.without_rowid else ''}"

    def ddl(self) -> tuple[str, ...]:
        """The statements that create the table and its indexes (as stored in ``sqlite_master``)."""
        return (self.create_table_sql(), *(index.ddl(self.name) for index in self.indexes))

    def shape(self) -> dict[str, Any]:
        """What ``table_shape`` reads from a store holding this table as declared."""
        conn = sqlite3.connect(":memory:")
        try:
            for statement in self.ddl():
                conn.execute(statement)
            return table_shape(conn, self.name)
        finally:
            conn.close()


def table_shape(conn: sqlite3.Connection, name: str) -> dict[str, Any]:
    """Columns (name, type, NOT NULL, key), unique constraints and indexes of table ``name``, in a
    form that compares equal whatever the column order or the DDL's spacing and comments."""
    columns = {(column, kind.upper(), bool(not_null), key)
               for _cid, column, kind, not_null, _default, key in conn.execute(f"PRAGMA table_info({name})")}
    indexes = set()
    for _seq, index_name, is_unique, origin, _partial in conn.execute(f"PRAGMA index_list({name})"):
        unique = bool(is_unique)
        keys = tuple((column, collation) for _seqno, _cid, column, _desc, collation, is_key
                     in conn.execute(f"PRAGMA index_xinfo({index_name})") if is_key)
        # constraint indexes (origin u/pk) have generated names: compare them by their keys only
        indexes.add((index_name if origin == "c" else origin, unique, keys))
    return {"columns": columns, "indexes": indexes}


@dataclass(frozen=True)
class Migration:
    """One named step of a set: SQL, tables to create (idempotently), or a function of the connection."""

    name: str
    sql: str = ""
    tables: tuple[TableSpec, ...] = ()
    apply: Callable[[sqlite3.Connection], None] | None = None
    #: core only: the numbered migrations (before migration sets) that did this step; a store that
    #: recorded all of them has it already
    legacy: tuple[int, ...] = ()


@dataclass(frozen=True)
class MigrationSet:
    name: str
    migrations: tuple[Migration, ...]


@dataclass(frozen=True)
class ArticleFilter:
    """A selection of articles an analysis contributes to ``Filters``: for the value of the
    ``Filters`` field ``option``, a query of the ``articles.rowid`` values it keeps."""

    option: str
    rowids: Callable[[Any], tuple[str, list[Any]]]


def migration_set_of(analysis: Any) -> MigrationSet:
    """An analysis's migration set: its own ``migrations``, else one creating its ``tables``."""
    declared = getattr(analysis, "migrations", None)
    if declared is not None:
        return declared
    return MigrationSet(analysis.name, (Migration("tables", tables=tuple(analysis.tables)),))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _ensure_bookkeeping(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS _migrations (migration_set TEXT NOT NULL, name TEXT NOT NULL,"
                 " applied_at TEXT NOT NULL, PRIMARY KEY (migration_set, name))")


def applied_migrations(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Set name -> the names of its applied migrations, in the order they were applied."""
    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'").fetchone()
    if not exists:
        return {}
    applied: dict[str, list[str]] = {}
    for set_name, name in conn.execute("SELECT migration_set, name FROM _migrations ORDER BY rowid"):
        applied.setdefault(set_name, []).append(name)
    return applied


def pending_migrations(conn: sqlite3.Connection, sets: Iterable[MigrationSet]) -> list[tuple[str, str]]:
    """(set, migration) of every known migration the store has not applied."""
    applied = applied_migrations(conn)
    return [(s.name, m.name) for s in sets for m in s.migrations if m.name not in applied.get(s.name, ())]


def _legacy_numbers(conn: sqlite3.Connection) -> set[int]:
    """The numbered migrations a store made before migration sets recorded (table ``migrations``)."""
    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'").fetchone()
    return {n for (n,) in conn.execute("SELECT number FROM migrations")} if exists else set()


def create_tables(conn: sqlite3.Connection, tables: Iterable[TableSpec]) -> None:
    for spec in tables:
        exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (spec.name,)).fetchone()
        if not exists:
            conn.execute(spec.create_table_sql())
        for index in spec.indexes:
            conn.execute(index.ddl(spec.name).replace("INDEX ", "INDEX IF NOT EXISTS ", 1))
        found, declared = table_shape(conn, spec.name), spec.shape()
        if found != declared:
            raise StoreError(f"table {spec.name} exists with another shape than its declaration:"
                             f" columns {sorted(found['columns'] ^ declared['columns'])},"
                             f" indexes {sorted(found['indexes'] ^ declared['indexes'], key=str)} differ")


def statements(sql: str) -> list[str]:
    """Split SQL into statements, keeping trigger bodies (BEGIN ... END;) whole."""
    found, buffer = [], ""
    for line in sql.splitlines():
        if line.strip().startswith("--") or not line.strip():
            continue
        buffer += line + "\n"
        if sqlite3.complete_statement(buffer):
            found.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        found.append(buffer.strip())
    return found


def _run(conn: sqlite3.Connection, migration: Migration) -> None:
    for statement in statements(migration.sql):
        conn.execute(statement)
    create_tables(conn, migration.tables)
    if migration.apply is not None:
        migration.apply(conn)


def apply_migration_sets(conn: sqlite3.Connection, sets: Iterable[MigrationSet]) -> list[tuple[str, str]]:
    """Apply every migration of ``sets`` the store has not recorded; return (set, name) of those applied.

    A store that recorded a migration this code does not know in a set it knows was written by a
    newer narrascope (NS502). Sets this code does not know (a plugin no longer installed) are left alone.
    """
    sets = list(sets)
    _ensure_bookkeeping(conn)
    applied = applied_migrations(conn)
    for migration_set in sets:
        unknown = set(applied.get(migration_set.name, ())) - {m.name for m in migration_set.migrations}
        if unknown:
            raise StoreError(f"this store has migrations {sorted(unknown)} of {migration_set.name!r} that this"
                             " narrascope does not know: upgrade narrascope", code="NS502")
    legacy = _legacy_numbers(conn)
    done = []
    for migration_set in sets:
        for migration in migration_set.migrations:
            if migration.name in applied.get(migration_set.name, ()):
                continue
            conn.execute("BEGIN IMMEDIATE")
            # Another process may have migrated between our check and the lock.
            if conn.execute("SELECT 1 FROM _migrations WHERE migration_set = ? AND name = ?",
                            (migration_set.name, migration.name)).fetchone():
                conn.execute("COMMIT")
                continue
            try:
                if not (migration.legacy and set(migration.legacy) <= legacy):
                    _run(conn, migration)
                conn.execute("INSERT INTO _migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
                             (migration_set.name, migration.name, _now()))
            except (sqlite3.Error, StoreError) as e:
                conn.execute("ROLLBACK")
                if isinstance(e, StoreError):
                    raise
                raise StoreError(f"migration {migration_set.name}/{migration.name} failed: {e}") from e
            conn.execute("COMMIT")
            done.append((migration_set.name, migration.name))
    return done


def tables_markdown(tables: Iterable[TableSpec]) -> str:
    """The reference of ``tables`` in Markdown: one section per table, one row per column."""
    out = []
    for spec in tables:
        out.append(f"#### `{spec.name}`{'' if spec.exported else ' (internal, not exported)'}\n\n{spec.doc}\n")
        keys = [f"unique ({', '.join(c.name for c in spec.columns if c.unique)})"] if any(
            c.unique for c in spec.columns) else []
        keys += [f"unique ({', '.join(u)})" for u in spec.unique]
        keys += [f"primary key ({', '.join(spec.primary_key)})"] if spec.primary_key else []
        keys += [f"index `{i.name}` ({', '.join(i.columns)})" for i in spec.indexes]
        if keys:
            out.append("Keys and indexes: " + "; ".join(keys) + ".\n")
        out.append("| Column | Type | Meaning |\n|---|---|---|")
        for column in spec.columns:
            kind = column.type + (" not null" if column.not_null else "")
            out.append(f"| `{column.name}` | {kind} | {column.doc.replace('|', chr(92) + '|')} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
