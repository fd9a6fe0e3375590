"""Each analysis owns its tables (issue 12): a table is declared once, each analysis brings its own
migration set, recorded in ``_migrations`` and applied once, and stores made by the numbered
migrations before sets existed upgrade in place, data and all, without re-running anything.

Old stores are built with the frozen numbered migrations (``tests/legacy_schema.py``), as the
previous code wrote them.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from legacy_schema import create_legacy_store
from narrascope import corpus
from narrascope.errors import StoreError
from narrascope.plugins import is_builtin, registry
from narrascope.settings import load_settings
from narrascope.store import Filters, open_store
from narrascope.store.migrations import CORE, FACET_TABLES, migration_sets
from narrascope.store.schema import (
    Column,
    Index,
    Migration,
    MigrationSet,
    TableSpec,
    apply_migration_sets,
    migration_set_of,
    table_shape,
)

STORE_PACKAGE = Path(corpus.__file__).parent.parent / "store"
DOCS = Path(__file__).parent.parent / "docs" / "tables.md"


def analysis_tables() -> dict[str, TableSpec]:
    """Every table a registered analysis declares in its migration set."""
    return {spec.name: spec for analysis in registry().analyses.values()
            for migration in migration_set_of(analysis).migrations for spec in migration.tables}


def master(conn: sqlite3.Connection, kind: str, table: str) -> dict[str, str]:
    return dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = ? AND tbl_name = ? AND sql IS NOT NULL",
                             (kind, table)))


# -- a table is declared once ---------------------------------------------------------------------

def test_every_analysis_brings_its_tables_and_the_exported_ones_are_its_tables() -> None:
    tables = analysis_tables()
    assert {"reuse_pairs", "reuse_fingerprints", "narratives", "narrative_members", "graph_nodes",
            "graph_edge_evidence", "timeline"} <= set(tables)
    for analysis in registry().analyses.values():
        declared = {s.name for m in migration_set_of(analysis).migrations for s in m.tables}
        assert {s.name for s in analysis.tables} <= declared
        assert migration_set_of(analysis).name == analysis.name


def test_the_ddl_in_a_new_store_is_what_the_declarations_generate(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db", load_settings()) as store:
        for spec in [*analysis_tables().values(), *FACET_TABLES]:
            assert master(store.conn, "table", spec.name) == {spec.name: spec.create_table_sql()}, spec.name
            assert master(store.conn, "index", spec.name) == {i.name: i.ddl(spec.name) for i in spec.indexes}, spec.name
            assert table_shape(store.conn, spec.name) == spec.shape()


def test_the_core_store_writes_no_schema_of_an_analysis_and_no_sql_against_its_tables() -> None:
    names = sorted(analysis_tables(), key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(names) + r")\b")
    for path in sorted(STORE_PACKAGE.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"CREATE\s+(TABLE|INDEX)[^;]*\b(" + "|".join(names) + r")\b", source), path
        assert pattern.findall(source) == [], path.name


def test_the_table_reference_is_generated_from_the_declarations() -> None:
    text = DOCS.read_text(encoding="utf-8")
    generated = text.split(corpus.TABLES_BEGIN)[1].split(corpus.TABLES_END)[0]
    assert generated.strip() == corpus.tables_reference().strip(), "run `python3 tasks.py tables`"
    own = {spec.name: spec for analysis in registry().analyses.values()
           if is_builtin(analysis)
           for migration in migration_set_of(analysis).migrations for spec in migration.tables}
    assert own  # narrascope's own analyses are documented; a plugin (the test plugin) documents its own
    for spec in own.values():
        assert f"#### `{spec.name}`" in generated
        assert all(f"| `{c.name}` |" in generated for c in spec.columns)


def test_a_declaration_generates_its_ddl() -> None:
    spec = TableSpec("plugin_scores", (Column("article", "TEXT", "article id", not_null=True, unique=True),
                                       Column("detail", "JSON", "figures"),
                                       Column("score", "REAL", "a score", not_null=True)),
                     "Scores.", unique=(("article", "score"),), indexes=(Index("plugin_scores_score", ("score",)),))
    assert spec.ddl() == (
        "CREATE TABLE plugin_scores (\n    rowid INTEGER PRIMARY KEY,\n    article TEXT NOT NULL UNIQUE,\n"
        "    detail TEXT,\n    score REAL NOT NULL,\n    UNIQUE (article, score)\n)",
        "CREATE INDEX plugin_scores_score ON plugin_scores(score)")


# -- migration sets: recorded, applied once, in order ----------------------------------------------

def recorded(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    return conn.execute("SELECT migration_set, name, applied_at FROM _migrations ORDER BY rowid").fetchall()


def test_each_set_is_recorded_by_set_and_name_and_applied_once(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with open_store(db, load_settings()) as store:
        first = recorded(store.conn)
    expected = [(s.name, m.name) for s in migration_sets() for m in s.migrations]
    assert [(s, n) for s, n, _ in first] == expected
    # narrascope's own sets, plus one per installed plugin analysis (the test plugin's "exclaim")
    assert {s for s, _ in expected} >= {"core", "reuse", "narratives", "graph", "timelines"}
    with open_store(db, load_settings()) as store:
        assert recorded(store.conn) == first  # nothing applied again, not even re-stamped
        assert apply_migration_sets(store.conn, migration_sets()) == []


class ScoresAnalysis:
    """A third-party analysis as the plugin seam sees one: a name and its ``tables`` only."""

    name = "scores"
    tables = (TableSpec("scores", (Column("article", "TEXT", "article id", not_null=True),), "Scores."),)


def test_an_analysis_with_tables_only_gets_a_set_and_a_later_migration_runs_once(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "p.db", isolation_level=None)
    first = migration_set_of(ScoresAnalysis())
    assert apply_migration_sets(conn, [first]) == [("scores", "tables")]
    conn.execute("INSERT INTO scores (article) VALUES ('a1')")
    assert apply_migration_sets(conn, [first]) == []
    later = MigrationSet("scores", (*first.migrations,
                                     Migration("an index on article", sql="CREATE INDEX scores_article ON scores(article);")))
    assert apply_migration_sets(conn, [later]) == [("scores", "an index on article")]
    assert apply_migration_sets(conn, [later]) == []
    assert conn.execute("SELECT article FROM scores").fetchall() == [("a1",)]
    # an older code that knows only the first migration refuses the store
    with pytest.raises(StoreError) as info:
        apply_migration_sets(conn, [first])
    assert info.value.code == "NS502"


def test_a_table_of_another_shape_is_refused_not_adopted(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "p.db", isolation_level=None)
    conn.execute("CREATE TABLE scores (rowid INTEGER PRIMARY KEY, article INTEGER)")
    with pytest.raises(StoreError, match="another shape"):
        apply_migration_sets(conn, [migration_set_of(ScoresAnalysis())])
    assert conn.execute("SELECT COUNT(*) FROM _migrations").fetchone()[0] == 0


# -- stores made by the numbered migrations upgrade in place ----------------------------------------

RECORD = {"id": "a1", "source": {"kind": "text", "location": "/in/a1.txt"}, "title": "T", "text": "Lavrov spoke.",
          "pipeline": {"version": "old", "stages": {}}, "actors": [
    {"id": "person:sergey-lavrov", "kind": "person", "country": "RUS", "name": "Sergey Lavrov", "mentions": []}],
    "techniques": [], "topics": ["diplomacy"], "stances": []}


def fill_legacy(db: Path) -> None:
    """An article (its facets made by the old triggers), and rows in tables of each analysis."""
    conn = sqlite3.connect(db, isolation_level=None)
    for n, article in enumerate(("a1", "a2"), 1):
        conn.execute("INSERT INTO articles (id, title, text, published, source_kind, location, record,"
                     " pipeline_version, ingested_at, updated_at) VALUES (?, 'T', 'Lavrov spoke.', ?, 'text', ?, ?,"
                     " 'old', 'then', 'then')",
                     (article, f"2024-05-0{n}", f"/in/{article}.txt", json.dumps({**RECORD, "id": article})))
    conn.execute("INSERT INTO reuse_pairs (source, target, kind, passages, shared_words, coverage_source,"
                 " coverage_target, score, confidence, direction_evidence) VALUES ('a1', 'a2', 'repost', 1, 2, 1, 1,"
                 " 1, 0.8, '{}')")
    conn.execute("INSERT INTO narratives (id, label, terms, size, status) VALUES (7, 'lavrov', '[]', 1, 'active')")
    conn.execute("INSERT INTO narrative_members (narrative, article, date_source, period, score, evidence)"
                 " VALUES (7, 'a2', 'published', '2024-04-29', 0.9, '[]')")
    conn.execute("INSERT INTO graph_nodes (level, id, articles, mentions) VALUES ('actor', 'person:x', 1, 1)")
    conn.execute("INSERT INTO timeline (granularity, period, outlet, metric, key, count)"
                 " VALUES ('day', '2024-05-01', '', 'articles', '', 1)")
    conn.execute("INSERT INTO derived (name, version, pipeline_version, inputs, computed_at, watermark, articles)"
                 " VALUES ('narratives', '2', 'old', '{}', 'then', 2, 2)")
    # A sentinel no rebuild of the facets would keep: it shows that nothing ran again.
    conn.execute("INSERT INTO article_facets (kind, value, article_rowid) VALUES ('topic', 'sentinel', 1)")
    conn.close()


def dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row and schema object of narrascope's own tables (an installed plugin's tables aside,
    and the stem index, which a migration after the numbered ones adds: ``search_index_objects``)."""
    plugin_tables = {spec.name for analysis in registry().analyses.values()
                     if not is_builtin(analysis)
                     for migration in migration_set_of(analysis).migrations for spec in migration.tables}
    conn = sqlite3.connect(db)
    tables = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE"
                                         " 'articles_fts%' AND name NOT LIKE 'articles_stem%'"
                                         " AND name NOT IN ('_migrations', 'migrations')")
              if n not in plugin_tables]
    out = {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}  # noqa: S608
    out["sqlite_master"] = sorted(
        (row for row in conn.execute("SELECT type, name, sql, tbl_name FROM sqlite_master WHERE name != '_migrations'"
                                     " AND name NOT LIKE 'sqlite_autoindex__migrations%' AND name NOT LIKE 'articles_stem%'")
         if row[3] not in plugin_tables), key=repr)
    conn.close()
    return out


def newer_tables() -> set[str]:
    """Tables of the migrations a store of the numbered migrations cannot hold: an analysis's steps
    after its first (``tables``), such as reuse's ``translations``."""
    return {spec.name for migration_set in migration_sets() if migration_set.name != CORE.name
            for migration in migration_set.migrations[1:] for spec in migration.tables}


def test_a_store_of_the_numbered_migrations_is_adopted_in_place(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    create_legacy_store(db, up_to=10)
    fill_legacy(db)
    before = dump(db)
    assert before["article_facets"] and ("topic", "sentinel", 1) in before["article_facets"]
    with open_store(db, load_settings()) as store:
        assert [(s, n) for s, n, _ in recorded(store.conn)] == [
            (s.name, m.name) for s in migration_sets() for m in s.migrations]
        # the narratives analysis's filter reads the old store's table
        assert [a.id for a in store.iter_articles(Filters(narrative=7))] == ["a2"]
        # the one migration newer than the numbered ones indexed the stored articles for stemmed search
        assert store.conn.execute("SELECT COUNT(*) FROM articles_stem").fetchone()[0] == \
            store.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] > 0
    # every row and every schema object as it was: nothing re-ran; only the tables of migrations newer
    # than the numbered ones (an analysis's later steps) are new, and empty
    after = dump(db)
    newer = newer_tables()
    assert newer <= after.keys() and not any(after[t] for t in newer)
    after = {t: rows for t, rows in after.items() if t not in newer}
    after["sqlite_master"] = [row for row in after["sqlite_master"] if row[3] not in newer]
    assert after == before
    with open_store(db, load_settings()) as store:  # and the next open applies nothing
        assert apply_migration_sets(store.conn, migration_sets()) == []


def test_an_older_store_gets_what_it_lacks_and_keeps_its_rows(tmp_path: Path) -> None:
    db = tmp_path / "old6.db"
    create_legacy_store(db, up_to=6)  # before the facet tables and the actor-page indexes
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("INSERT INTO articles (id, title, text, source_kind, location, record, pipeline_version, ingested_at,"
                 " updated_at) VALUES ('a1', 'T', 'x', 'text', '/in/a1.txt', ?, 'old', 'then', 'then')",
                 (json.dumps(RECORD),))
    conn.execute("INSERT INTO graph_nodes (level, id, articles, mentions) VALUES ('actor', 'person:x', 1, 1)")
    conn.close()
    with open_store(db, load_settings()) as store:
        for spec in [*analysis_tables().values(), *FACET_TABLES]:
            assert table_shape(store.conn, spec.name) == spec.shape(), spec.name
        assert store.conn.execute("SELECT id FROM graph_nodes").fetchall() == [("person:x",)]
        facets = set(store.conn.execute("SELECT kind, value FROM article_facets"))
        assert facets == {("actor", "person:sergey-lavrov"), ("state", "RUS"), ("topic", "diplomacy")}
        assert [m.name for m in CORE.migrations] == [
            n for (n,) in store.conn.execute("SELECT name FROM _migrations WHERE migration_set = 'core' ORDER BY rowid")]
