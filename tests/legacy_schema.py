"""The numbered migrations 1-10 as narrascope shipped them before migration sets (frozen history).

Tests build stores "made by the old code" with these, to check that such stores upgrade in place
(``tests/test_schema.py``, ``test_store.py``, ``test_facets.py``). Never edit them: they are what
old stores hold, not the schema (which each table's declaration gives).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

__all__ = ["LEGACY_MIGRATIONS", "create_legacy_store", "legacy_statements"]


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    sql: str


def _facet_rows(row: str) -> str:
    """Migration 8's insert of one article's facet rows: from the trigger's ``new`` row, or (``a``)
    for every stored article."""
    source = "" if row == "new" else f"articles {row}, "

    def select(kind: str, value: str, array: str, where: str) -> str:
        return (f"SELECT '{kind}', {value}, {row}.rowid FROM {source}json_each({row}.record, '$.{array}') j"
                f" WHERE {where}")

    text = "json_type(j.value, '$.{0}') = 'text' AND json_extract(j.value, '$.{0}') != ''".format
    return "INSERT OR IGNORE INTO article_facets (kind, value, article_rowid) " + " UNION ALL ".join((
        select("actor", "json_extract(j.value, '$.id')", "actors", text("id")),
        select("state", "json_extract(j.value, '$.country')", "actors", text("country")),
        select("state", "json_extract(j.value, '$.id')", "actors",
               "json_extract(j.value, '$.kind') = 'state' AND " + text("id")),
        select("technique", "json_extract(j.value, '$.name')", "techniques", text("name")),
        select("topic", "j.value", "topics", "j.type = 'text' AND j.value != ''"),
    )) + ";"


def _stance_rows(row: str) -> str:
    """Migration 8's insert of one article's stances (latest versions only), as ``_facet_rows``."""
    source = "" if row == "new" else f"articles {row}, "
    return ("INSERT INTO article_stances (article_rowid, published, holder, target, polarity)"
            f" SELECT {row}.rowid, {row}.published, json_extract(j.value, '$.holder'),"
            " json_extract(j.value, '$.target'), json_extract(j.value, '$.polarity')"
            f" FROM {source}json_each({row}.record, '$.stances') j"
            f" WHERE {row}.latest = 1 AND json_type(j.value, '$.holder') = 'text'"
            " AND json_type(j.value, '$.target') = 'text' AND json_type(j.value, '$.polarity') IN ('integer', 'real');")


def _facet_rows_v10(row: str) -> str:
    """Migration 10's facet rows: as migration 8's, but the ``state`` facet takes an actor's
    ``country`` only from a person or an organization acting for that state (an armed group
    operating in a state, or a place, is not the state)."""
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


def _stance_rows_v10(row: str) -> str:
    """Migration 10's insert of one article's stances: as migration 8's, with each stance's
    ``confidence`` (NULL for records made before confidences)."""
    source = "" if row == "new" else f"articles {row}, "
    return ("INSERT INTO article_stances (article_rowid, published, holder, target, polarity, confidence)"
            f" SELECT {row}.rowid, {row}.published, json_extract(j.value, '$.holder'),"
            " json_extract(j.value, '$.target'), json_extract(j.value, '$.polarity'),"
            " CASE WHEN json_type(j.value, '$.confidence') IN ('integer', 'real')"
            " THEN json_extract(j.value, '$.confidence') END"
            f" FROM {source}json_each({row}.record, '$.stances') j"
            f" WHERE {row}.latest = 1 AND json_type(j.value, '$.holder') = 'text'"
            " AND json_type(j.value, '$.target') = 'text' AND json_type(j.value, '$.polarity') IN ('integer', 'real');")


LEGACY_MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "articles, raw inputs, rejects and the full-text index",
        """
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
        2,
        "indexes on rejects by digest and by location",
        """
        -- clear_reject (every stored article) and add_article (every stored location) look rejects up by these.
        CREATE INDEX rejects_digest ON rejects(digest);
        CREATE INDEX rejects_location ON rejects(location);
        """,
    ),
    Migration(
        3,
        "derived tables: what each corpus analysis last computed, from which inputs",
        """
        CREATE TABLE derived (
            name             TEXT PRIMARY KEY,   -- the corpus analysis: reuse | narratives | graph | timelines
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
    # Migrations 4-6 hold the corpus tables (issue 4): 4 text reuse, 5 narratives, 6 actor graph
    # and timelines. Each analysis module documents its columns (corpus/<name>.py TABLES).
    Migration(
        4,
        "text reuse tables",
        """
        -- corpus/reuse.py documents the columns (TABLES). Article columns hold articles.id.
        CREATE TABLE reuse_pairs (
            rowid              INTEGER PRIMARY KEY,
            source             TEXT NOT NULL,
            target             TEXT NOT NULL,
            kind               TEXT NOT NULL,      -- repost | partial
            passages           INTEGER NOT NULL,
            shared_words       INTEGER NOT NULL,
            coverage_source    REAL NOT NULL,
            coverage_target    REAL NOT NULL,
            score              REAL NOT NULL,
            confidence         REAL NOT NULL,
            direction_evidence TEXT NOT NULL       -- JSON
        );
        CREATE UNIQUE INDEX reuse_pairs_articles ON reuse_pairs(source, target);
        CREATE INDEX reuse_pairs_target ON reuse_pairs(target);
        CREATE TABLE reuse_passages (
            rowid        INTEGER PRIMARY KEY,
            source       TEXT NOT NULL,
            source_start INTEGER NOT NULL,
            source_end   INTEGER NOT NULL,
            target       TEXT NOT NULL,
            target_start INTEGER NOT NULL,
            target_end   INTEGER NOT NULL,
            words        INTEGER NOT NULL,
            score        REAL NOT NULL
        );
        CREATE INDEX reuse_passages_source ON reuse_passages(source);
        CREATE INDEX reuse_passages_target ON reuse_passages(target);
        CREATE TABLE reuse_clusters (
            rowid    INTEGER PRIMARY KEY,
            article  TEXT NOT NULL UNIQUE,
            cluster  INTEGER NOT NULL,
            role     TEXT NOT NULL,            -- original | republisher | partial
            original TEXT NOT NULL,
            size     INTEGER NOT NULL
        );
        CREATE INDEX reuse_clusters_cluster ON reuse_clusters(cluster);
        CREATE TABLE reuse_outlets (
            rowid         INTEGER PRIMARY KEY,
            source_outlet TEXT NOT NULL,
            target_outlet TEXT NOT NULL,
            pairs         INTEGER NOT NULL,
            reposts       INTEGER NOT NULL,
            partials      INTEGER NOT NULL
        );
        -- the fingerprint index (internal, not exported): winnowed n-gram hash -> articles.rowid
        CREATE TABLE reuse_fingerprints (
            rowid   INTEGER PRIMARY KEY,
            hash    INTEGER NOT NULL,
            article INTEGER NOT NULL
        );
        CREATE INDEX reuse_fingerprints_hash ON reuse_fingerprints(hash);
        CREATE INDEX reuse_fingerprints_article ON reuse_fingerprints(article);
        """,
    ),
    Migration(
        5,
        "narrative tables",
        """
        CREATE TABLE narratives (
            rowid            INTEGER PRIMARY KEY,
            id               INTEGER NOT NULL UNIQUE,   -- stable narrative id
            label            TEXT NOT NULL,
            terms            TEXT NOT NULL,             -- JSON list
            sentence         TEXT,                      -- representative claim sentence
            sentence_article TEXT,
            sentence_start   INTEGER,
            sentence_end     INTEGER,
            size             INTEGER NOT NULL,
            first_seen       TEXT,
            last_seen        TEXT,
            status           TEXT NOT NULL,             -- active | faded | merged | candidate
            parent           INTEGER,
            merged_into      INTEGER
        );
        CREATE INDEX narratives_status ON narratives(status);
        CREATE TABLE narrative_members (
            rowid       INTEGER PRIMARY KEY,
            narrative   INTEGER NOT NULL,
            article     TEXT NOT NULL UNIQUE,
            date        TEXT,
            date_source TEXT NOT NULL,                  -- published | ingested
            period      TEXT NOT NULL,                  -- Monday of the week
            score       REAL NOT NULL,
            evidence    TEXT NOT NULL                   -- JSON [{start, end, text, score}]
        );
        CREATE INDEX narrative_members_narrative ON narrative_members(narrative, score);
        CREATE INDEX narrative_members_period ON narrative_members(period);
        CREATE TABLE narrative_series (
            rowid     INTEGER PRIMARY KEY,
            narrative INTEGER NOT NULL,
            unit      TEXT NOT NULL,                    -- week | day
            period    TEXT NOT NULL,
            articles  INTEGER NOT NULL,
            share     REAL,
            UNIQUE (narrative, unit, period)
        );
        CREATE INDEX narrative_series_period ON narrative_series(unit, period);
        CREATE TABLE narrative_events (
            rowid     INTEGER PRIMARY KEY,
            narrative INTEGER NOT NULL,
            period    TEXT NOT NULL,
            kind      TEXT NOT NULL,                    -- emerge | grow | split | merge | fade
            other     INTEGER,
            detail    TEXT NOT NULL                     -- JSON
        );
        CREATE INDEX narrative_events_narrative ON narrative_events(narrative);
        CREATE INDEX narrative_events_period ON narrative_events(period, kind);
        """,
    ),
    Migration(
        6,
        "actor graph and timeline tables",
        """
        -- Per-article rows (what one article says), aggregated at query time so that filters by
        -- date, outlet or narrative need no recomputation; see corpus/graph.py and timelines.py.
        CREATE TABLE graph_mentions (
            rowid         INTEGER PRIMARY KEY,
            article_rowid INTEGER NOT NULL,      -- articles.rowid
            article       TEXT NOT NULL,         -- articles.id
            published     TEXT,
            outlet        TEXT,
            level         TEXT NOT NULL,         -- actor | state
            actor         TEXT NOT NULL,         -- actor id (state level: ISO alpha-3 of the state)
            name          TEXT,
            kind          TEXT,
            country       TEXT,
            mentions      INTEGER NOT NULL
        );
        CREATE INDEX graph_mentions_article ON graph_mentions(article_rowid);
        CREATE INDEX graph_mentions_published ON graph_mentions(published);
        CREATE TABLE graph_edge_evidence (
            rowid         INTEGER PRIMARY KEY,
            article_rowid INTEGER NOT NULL,
            article       TEXT NOT NULL,
            published     TEXT,
            outlet        TEXT,
            level         TEXT NOT NULL,         -- actor | state
            kind          TEXT NOT NULL,         -- event | quote | comention
            type          TEXT NOT NULL,         -- PLOVER type | quote | sentence
            source        TEXT NOT NULL,
            target        TEXT NOT NULL,
            count         INTEGER NOT NULL,      -- every occurrence in the article
            weight        REAL NOT NULL,         -- occurrences that count (not negated, not hypothetical)
            negated       INTEGER NOT NULL DEFAULT 0,
            hypothetical  INTEGER NOT NULL DEFAULT 0,
            score         REAL,                  -- events: cooperation-conflict score of the type
            polarity      REAL,                  -- quotes: the speaker's stance towards the target
            evidence      TEXT NOT NULL          -- JSON [{start, end}], capped
        );
        CREATE INDEX graph_edge_evidence_article ON graph_edge_evidence(article_rowid);
        CREATE INDEX graph_edge_evidence_edge ON graph_edge_evidence(level, kind, source, target);
        CREATE INDEX graph_edge_evidence_published ON graph_edge_evidence(published);
        -- The whole-corpus graph, rebuilt from the two tables above after every update.
        CREATE TABLE graph_nodes (
            rowid      INTEGER PRIMARY KEY,
            level      TEXT NOT NULL,
            id         TEXT NOT NULL,
            name       TEXT,
            kind       TEXT,
            country    TEXT,
            articles   INTEGER NOT NULL,
            mentions   INTEGER NOT NULL,
            first_seen TEXT,
            last_seen  TEXT,
            UNIQUE (level, id)
        );
        CREATE TABLE graph_edges (
            rowid        INTEGER PRIMARY KEY,
            level        TEXT NOT NULL,
            kind         TEXT NOT NULL,
            type         TEXT NOT NULL,
            source       TEXT NOT NULL,
            target       TEXT NOT NULL,
            weight       REAL NOT NULL,
            count        INTEGER NOT NULL,
            negated      INTEGER NOT NULL,
            hypothetical INTEGER NOT NULL,
            score        REAL,
            polarity     REAL,
            articles     INTEGER NOT NULL,
            first_seen   TEXT,
            last_seen    TEXT,
            evidence     TEXT NOT NULL,
            UNIQUE (level, kind, type, source, target)
        );
        CREATE TABLE timeline (
            rowid       INTEGER PRIMARY KEY,
            granularity TEXT NOT NULL,           -- day | week
            period      TEXT NOT NULL,           -- YYYY-MM-DD (weeks: their Monday)
            outlet      TEXT NOT NULL,           -- '' when the article names none
            metric      TEXT NOT NULL,           -- articles | actors | quotes | events | techniques | narratives
            key         TEXT NOT NULL,           -- actor id, event type, technique name, narrative id; '' for totals
            count       INTEGER NOT NULL,
            UNIQUE (granularity, period, outlet, metric, key)
        );
        CREATE INDEX timeline_metric ON timeline(metric, key);
        """,
    ),
    Migration(
        7,
        "indexes the workbench filters and actor pages use",
        """
        -- Facet filters over the latest versions (language and genre sit after the large text
        -- column, so without these a rare value reads the whole table). The filters compare
        -- case-insensitively, so the indexes are NOCASE too, or SQLite could not use them.
        CREATE INDEX articles_latest_language ON articles(latest, language COLLATE NOCASE);
        CREATE INDEX articles_latest_genre ON articles(latest, genre COLLATE NOCASE);
        CREATE INDEX articles_latest_outlet ON articles(latest, outlet COLLATE NOCASE);
        -- Actor pages: an actor's mentions, and the edges that end at it.
        CREATE INDEX graph_mentions_actor ON graph_mentions(level, actor);
        CREATE INDEX graph_edge_evidence_target ON graph_edge_evidence(level, kind, target);
        """,
    ),
    Migration(
        8,
        "article facets and stances, kept in step with articles.record by triggers",
        """
        -- What the search filters and facet counts read, one row per (kind, value, article):
        --   actor     each actors[].id
        --   state     each actors[].country, and the id of each actor of kind 'state'
        --   technique each distinct techniques[].name
        --   topic     each topics[] entry
        -- Rows exist for every stored version (the filters join articles and keep latest = 1
        -- unless --all-versions). Values compare case-insensitively (NOCASE), like outlet,
        -- language and genre: ids are never told apart by case alone ("RUS", "org:un").
        CREATE TABLE article_facets (
            kind          TEXT NOT NULL,
            value         TEXT NOT NULL COLLATE NOCASE,
            article_rowid INTEGER NOT NULL,       -- articles.rowid
            PRIMARY KEY (kind, value, article_rowid)
        ) WITHOUT ROWID;
        CREATE INDEX article_facets_article ON article_facets(article_rowid);
        -- One row per stance (record.stances) of the latest version of each article; a version
        -- that is superseded drops out, so a chart of stance over time counts each story once.
        CREATE TABLE article_stances (
            article_rowid INTEGER NOT NULL,       -- articles.rowid
            published     TEXT,                   -- articles.published
            holder        TEXT NOT NULL,          -- an actor id or "author"
            target        TEXT NOT NULL,          -- an actor id
            polarity      REAL NOT NULL           -- in [-1, 1]
        );
        CREATE INDEX article_stances_target ON article_stances(target, published);
        CREATE INDEX article_stances_article ON article_stances(article_rowid);
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
        -- The articles stored before this migration.
        {facet_rows_all}
        {stance_rows_all}
        """.format(facet_rows_new=_facet_rows("new"), stance_rows_new=_stance_rows("new"),
                   facet_rows_all=_facet_rows("a"), stance_rows_all=_stance_rows("a")),
    ),
    Migration(
        9,
        "covering indexes for actor pages: edges by either end, stances by target",
        """
        -- An actor's neighbourhood reads the edges that start or end at it; the unique index
        -- (level, kind, type, source, target) serves neither end without a scan of the level.
        -- Covering, so a busy actor (tens of thousands of edges) is read from the index alone.
        CREATE INDEX graph_edges_source ON graph_edges(level, source, kind, type, target, weight, count, articles);
        CREATE INDEX graph_edges_target ON graph_edges(level, target, kind, type, source, weight, count, articles);
        -- The stance-over-time chart, from the index alone.
        DROP INDEX article_stances_target;
        CREATE INDEX article_stances_target ON article_stances(target, published, holder, polarity);
        """,
    ),
    Migration(
        10,
        "stances keep their confidence; the state facet only from actors acting for a state",
        """
        -- Charts weight each stance by its calibrated confidence (NULL: a record made before
        -- confidences, counted with weight 1).
        ALTER TABLE article_stances ADD COLUMN confidence REAL;
        DROP INDEX article_stances_target;
        CREATE INDEX article_stances_target ON article_stances(target, published, holder, polarity, confidence);
        DROP TRIGGER article_facets_insert;
        DROP TRIGGER article_facets_update;
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
        -- Rebuilt from the stored records.
        DELETE FROM article_facets;
        DELETE FROM article_stances;
        {facet_rows_all}
        {stance_rows_all}
        """.format(facet_rows_new=_facet_rows_v10("new"), stance_rows_new=_stance_rows_v10("new"),
                   facet_rows_all=_facet_rows_v10("a"), stance_rows_all=_stance_rows_v10("a")),
    ),
)


def create_legacy_store(db: object, *, up_to: int = 10) -> None:
    """A store as the numbered migrations wrote it, up to migration ``up_to`` (table ``migrations``)."""
    conn = sqlite3.connect(db, isolation_level=None)  # type: ignore[arg-type]
    conn.execute("CREATE TABLE migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
    for migration in LEGACY_MIGRATIONS:
        if migration.number > up_to:
            break
        for statement in legacy_statements(migration.sql):
            conn.execute(statement)
        conn.execute("INSERT INTO migrations VALUES (?, ?, '2024-01-01T00:00:00+00:00')",
                     (migration.number, migration.name))
    conn.close()


def legacy_statements(sql: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies (BEGIN ... END;) whole."""
    statements, buffer = [], ""
    for line in sql.splitlines():
        if line.strip().startswith("--") or not line.strip():
            continue
        buffer += line + "\n"
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
