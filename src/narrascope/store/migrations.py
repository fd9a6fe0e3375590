"""The core store's schema: the migration set ``core`` (articles, raw inputs, rejects, full-text
index, the derived-table bookkeeping, and the record's own facets).

Each corpus analysis owns its tables and brings its own migration set (``corpus/<name>.py``);
this module knows none of them. ``migration_sets()`` is the core set followed by every registered
analysis's set, which ``open_store`` applies (see ``store/schema.py``).

Never edit a migration that has shipped; add a new one at the end of its set. Stores made before
migration sets (numbered migrations 1-10, table ``migrations``) are adopted: a core migration
whose ``legacy`` numbers the store recorded is marked applied without running, and the
analyses' table migrations find their tables in the declared shape.

**Why the facets are core.** ``article_facets`` and ``article_stances`` hold the record's own
fields (its actors, techniques, topics and stances, set by the per-article stages), kept in step
with ``articles.record`` by triggers; the workbench filters of the core store (``Filters``) read
them. No corpus analysis computes or owns them.
"""

from __future__ import annotations

import sqlite3

from . import fulltext
from .schema import Column, Index, Migration, MigrationSet, TableSpec, applied_migrations, migration_set_of

__all__ = ["CORE", "FACET_TABLES", "migration_sets", "schema_version"]


def _facet_rows(row: str) -> str:
    """The insert of one article's facet rows: from the trigger's ``new`` row, or (``a``) for every
    stored article. The ``state`` facet takes an actor's ``country`` only from a person or an
    organization acting for that state (an armed group operating in a state, or a place, is not the state)."""
    source = "" if row == "new" else f"articles {row}, "

    def select(kind: str, value: str, array: str, where: str) -> str:
        return (f"SELECT '{kind}', {value}, {row}.rowid FROM {source}json_each({row}.record, '$.{array}') j"
                f" WHERE {where}")

    text = "json_type(j.value, '$.{0}') = 'text' AND json_extract(j.value, '$.{0}') != ''".format
    return "INSERT OR IGNORE INTO article_facets (kind, value, article_rowid) " + " UNION ALL ".join((
        select("actor", "json_extract(j.value, '$.id')", "actors", text("id")),
        select("state", "json_extract(j.value, '$.country')", "actors",
               "json_extract(j.value, '$.kind') IN ('person', 'organization') AND " + text("country")),
        select("state", "json_extract(j.value, '$.id')", "actors",
               "json_extract(j.value, '$.kind') = 'state' AND " + text("id")),
        select("technique", "json_extract(j.value, '$.name')", "techniques", text("name")),
        select("topic", "j.value", "topics", "j.type = 'text' AND j.value != ''"),
    )) + ";"


def _stance_rows(row: str) -> str:
    """The insert of one article's stances (latest versions only), as ``_facet_rows``, with each
    stance's ``confidence`` (NULL for records made before confidences)."""
    source = "" if row == "new" else f"articles {row}, "
    return ("INSERT INTO article_stances (article_rowid, published, holder, target, polarity, confidence)"
            f" SELECT {row}.rowid, {row}.published, json_extract(j.value, '$.holder'),"
            " json_extract(j.value, '$.target'), json_extract(j.value, '$.polarity'),"
            " CASE WHEN json_type(j.value, '$.confidence') IN ('integer', 'real')"
            " THEN json_extract(j.value, '$.confidence') END"
            f" FROM {source}json_each({row}.record, '$.stances') j"
            f" WHERE {row}.latest = 1 AND json_type(j.value, '$.holder') = 'text'"
            " AND json_type(j.value, '$.target') = 'text' AND json_type(j.value, '$.polarity') IN ('integer', 'real');")



#: What the search filters and facet counts read, one row per (kind, value, article). Rows exist
#: for every stored version (the filters join articles and keep latest = 1 unless --all-versions).
#: Values compare case-insensitively (NOCASE), like outlet, language and genre: ids are never
#: told apart by case alone ("RUS", "org:un").
ARTICLE_FACETS = TableSpec(
    "article_facets",
    (
        Column("kind", "TEXT", "actor (each actors[].id) | state (each actors[].country of a person or"
                               " organization, and the id of each actor of kind state) | technique (each"
                               " distinct techniques[].name) | topic (each topics[] entry)", not_null=True),
        Column("value", "TEXT", "the facet's value", not_null=True, collate="NOCASE"),
        Column("article_rowid", "INTEGER", "articles.rowid", not_null=True),
    ),
    "The record's facets, one row per (kind, value, article version), for the filters and facet counts.",
    indexes=(Index("article_facets_article", ("article_rowid",)),),
    rowid=False, primary_key=("kind", "value", "article_rowid"), without_rowid=True, exported=False,
)
#: One row per stance of the latest version of each article; a superseded version drops out, so a
#: chart of stance over time counts each story once.
ARTICLE_STANCES = TableSpec(
    "article_stances",
    (
        Column("article_rowid", "INTEGER", "articles.rowid", not_null=True),
        Column("published", "TEXT", "articles.published"),
        Column("holder", "TEXT", "an actor id or \"author\"", not_null=True),
        Column("target", "TEXT", "an actor id", not_null=True),
        Column("polarity", "REAL", "in [-1, 1]", not_null=True),
        Column("confidence", "REAL", "the stance's calibrated confidence; null for a record made before"
                                     " confidences (charts count it with weight 1)"),
    ),
    "The record's stances (latest versions), for the stance-over-time chart.",
    indexes=(Index("article_stances_target", ("target", "published", "holder", "polarity", "confidence")),
             Index("article_stances_article", ("article_rowid",))),
    rowid=False, exported=False,
)
FACET_TABLES = (ARTICLE_FACETS, ARTICLE_STANCES)

FACET_TRIGGERS = """
CREATE TRIGGER article_facets_insert AFTER INSERT ON articles BEGIN
    {facet_rows_new}
    {stance_rows_new}
END;
CREATE TRIGGER article_facets_update AFTER UPDATE OF record, published, latest ON articles
WHEN old.record IS NOT new.record OR old.published IS NOT new.published OR old.latest IS NOT new.latest
BEGIN
    DELETE FROM article_facets WHERE article_rowid = old.rowid;
    DELETE FROM article_stances WHERE article_rowid = old.rowid;
    {facet_rows_new}
    {stance_rows_new}
END;
CREATE TRIGGER article_facets_delete AFTER DELETE ON articles BEGIN
    DELETE FROM article_facets WHERE article_rowid = old.rowid;
    DELETE FROM article_stances WHERE article_rowid = old.rowid;
END;
""".format(facet_rows_new=_facet_rows("new"), stance_rows_new=_stance_rows("new"))


def _facets(conn: sqlite3.Connection) -> None:
    """Create (or bring to their declared shape) the facet tables and triggers, and fill them from
    the stored records. Also upgrades a store made by numbered migration 8 or 9 (stances without
    their confidence, the older state facet)."""
    from .schema import create_tables, statements

    stances = {name for _cid, name, *_rest in conn.execute("PRAGMA table_info(article_stances)")}
    if stances and "confidence" not in stances:
        conn.execute("ALTER TABLE article_stances ADD COLUMN confidence REAL")
    conn.execute("DROP INDEX IF EXISTS article_stances_target")
    create_tables(conn, FACET_TABLES)
    for trigger in ("article_facets_insert", "article_facets_update", "article_facets_delete"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for statement in statements(FACET_TRIGGERS):
        conn.execute(statement)
    conn.execute("DELETE FROM article_facets")
    conn.execute("DELETE FROM article_stances")
    conn.execute(_facet_rows("a"))
    conn.execute(_stance_rows("a"))


CORE = MigrationSet("core", (
    Migration(
        "articles, raw inputs, rejects and the full-text index",
        legacy=(1,),
        sql="""
        CREATE TABLE raw (
            id          TEXT PRIMARY KEY,      -- the item id (see RawItem.id)
            media_type  TEXT NOT NULL,         -- text/plain | text/html
            source_kind TEXT NOT NULL,         -- text | html | rss | warc | jsonl
            location    TEXT NOT NULL,         -- where it was first read
            hints       TEXT NOT NULL,         -- JSON: metadata the container stated
            size        INTEGER NOT NULL,      -- uncompressed bytes
            data        BLOB,                  -- zlib-compressed bytes; NULL when store.keep_raw is off
            received_at TEXT NOT NULL
        );
        CREATE TABLE articles (
            rowid            INTEGER PRIMARY KEY,
            id               TEXT NOT NULL UNIQUE,
            url              TEXT,
            version          INTEGER NOT NULL DEFAULT 1,
            supersedes       TEXT,
            latest           INTEGER NOT NULL DEFAULT 1,   -- 0 once a newer version of the URL arrives
            title            TEXT NOT NULL,
            text             TEXT NOT NULL,
            outlet           TEXT,
            published        TEXT,
            language         TEXT,
            genre            TEXT,
            source_kind      TEXT NOT NULL,
            location         TEXT NOT NULL,
            record           TEXT NOT NULL,               -- the export record, JSON
            pipeline_version TEXT NOT NULL,
            ingested_at      TEXT NOT NULL,
            updated_at       TEXT NOT NULL
        );
        CREATE INDEX articles_url ON articles(url);
        CREATE INDEX articles_published ON articles(published);
        CREATE INDEX articles_outlet ON articles(outlet);
        CREATE INDEX articles_location ON articles(location);
        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, text, content='articles', content_rowid='rowid',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
        END;
        CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        CREATE TABLE rejects (
            rowid       INTEGER PRIMARY KEY,
            key         TEXT NOT NULL UNIQUE,  -- location|digest|code: recording twice counts, never duplicates
            location    TEXT NOT NULL,
            digest      TEXT,                  -- the item id when the bytes could be read (raw kept)
            source_kind TEXT,
            stage       TEXT NOT NULL,         -- read | extract | a stage name | store
            code        TEXT NOT NULL,
            reason      TEXT NOT NULL,
            skipped     INTEGER NOT NULL DEFAULT 0,  -- 1: a duplicate, skipped rather than an error
            first_seen  TEXT NOT NULL,
            last_seen   TEXT NOT NULL,
            seen        INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX rejects_code ON rejects(code);
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """,
    ),
    Migration(
        "indexes on rejects by digest and by location",
        legacy=(2,),
        sql="""
        -- clear_reject (every stored article) and add_article (every stored location) look rejects up by these.
        CREATE INDEX rejects_digest ON rejects(digest);
        CREATE INDEX rejects_location ON rejects(location);
        """,
    ),
    Migration(
        "derived tables: what each corpus analysis last computed, from which inputs",
        legacy=(3,),
        sql="""
        CREATE TABLE derived (
            name             TEXT PRIMARY KEY,   -- the corpus analysis (its name)
            version          TEXT NOT NULL,      -- the analysis's own version
            pipeline_version TEXT NOT NULL,      -- narrascope version that computed it
            inputs           TEXT NOT NULL,      -- JSON: the article fields and settings it read
            computed_at      TEXT NOT NULL,
            watermark        INTEGER NOT NULL DEFAULT 0,  -- highest articles.rowid included
            articles         INTEGER NOT NULL DEFAULT 0,  -- how many articles it covers
            state            BLOB                -- the analysis's incremental state (its own format)
        );
        """,
    ),
    Migration(
        "indexes the workbench filters use",
        legacy=(7,),
        sql="""
        -- Facet filters over the latest versions (language and genre sit after the large text
        -- column, so without these a rare value reads the whole table). The filters compare
        -- case-insensitively, so the indexes are NOCASE too, or SQLite could not use them.
        CREATE INDEX IF NOT EXISTS articles_latest_language ON articles(latest, language COLLATE NOCASE);
        CREATE INDEX IF NOT EXISTS articles_latest_genre ON articles(latest, genre COLLATE NOCASE);
        CREATE INDEX IF NOT EXISTS articles_latest_outlet ON articles(latest, outlet COLLATE NOCASE);
        """,
    ),
    Migration(
        "article facets and stances, kept in step with articles.record by triggers",
        legacy=(8, 10),
        apply=_facets,
    ),
    Migration(
        "search in every language: a stemmed full-text index beside articles_fts (store/fulltext.py)",
        apply=fulltext.rebuild,
    ),
))


def migration_sets() -> list[MigrationSet]:
    """The core set, then the set of every registered corpus analysis (in registry order)."""
    from ..plugins import registry

    return [CORE, *(migration_set_of(analysis) for analysis in registry().analyses.values())]


def schema_version(conn: sqlite3.Connection) -> int:
    """How many migrations of the core set the store has applied (0: a new or pre-set store)."""
    return len(applied_migrations(conn).get(CORE.name, ()))
