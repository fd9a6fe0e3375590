"""Narratives over time: articles clustered into narratives, with evidence, weekly series and events.

``update_narratives`` (the ``narratives`` corpus analysis) reads the articles added since its
last run, clusters them with ``NarrativeModel`` (see ``narratives_model`` for the method), and
rewrites the four tables below. Its state (document frequencies, truncated centroids, series,
split/merge events) is kept in ``derived``, so a run only reads new articles and narrative ids
stay stable; ``--full`` (or a new version or seed) recomputes from scratch.

An article is dated by ``published`` only. An undated article (no ``published``, or one that is no
plausible day) is clustered like any other but belongs to no period: its member row has no date
(``date_source`` "undated", ``period`` ""), it is in no series, and each narrative counts its
undated members apart (``undated`` in the list and detail). A narrative's status is judged
against the newest dated article of the corpus, never the clock.

Each article is vectorised in its own language (see ``narratives_model``): articles of two
languages share no term and never join one narrative on their own. A translation does: an
article of the run that ``reuse`` linked to another as a translation (a ``reuse_pairs`` row of kind
``translation``, either side) is given that article's terms too, so the two (and the articles like
either) can meet in one narrative. Run ``narrascope reuse`` before ``narrascope narratives``: the
links are read when an article is clustered (a link found later counts from the next full run).
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ..plugins import hookimpl
from ..runners import SerialRunner
from . import (
    ArticleFilter,
    Column,
    Index,
    Migration,
    MigrationSet,
    TableSpec,
    batched,
    derived_state,
    record_state,
)
from .narratives_model import (
    MIN_NARRATIVE_SIZE,
    ClaimChunk,
    Doc,
    DocInput,
    NarrativeModel,
    add_terms,
    bridge,
    make_doc,
    make_docs,
    score_claims,
    series_events,
    week_of,
)

if TYPE_CHECKING:
    from ..runners import Runner
    from ..settings import Settings
    from ..store import Store

__all__ = ["NarrativesAnalysis", "update_narratives", "week_span"]

NAME = "narratives"
VERSION = "3"  # 3: each language its own tokens and features, translations bridged; 2: undated articles in no period
#: articles per task of the vectorising and claim-scoring steps (a runner maps over these chunks)
CHUNK_ARTICLES = 256

TABLES = (
    TableSpec("narratives", (
        Column("id", "INTEGER", "Narrative id: stable across incremental runs, never reused.", not_null=True,
               unique=True),
        Column("label", "TEXT", "Readable label: the narrative's heaviest key terms, joined by ' · '.", not_null=True),
        Column("terms", "JSON", "Key terms (words, lemma-ish, and actor names), heaviest first.", not_null=True),
        Column("sentence", "TEXT", "Representative claim sentence: the evidence sentence closest to the centroid."),
        Column("sentence_article", "TEXT", "Article id holding the representative sentence."),
        Column("sentence_start", "INTEGER", "Start offset of the sentence in that article's text."),
        Column("sentence_end", "INTEGER", "End offset (exclusive) of the sentence in that article's text."),
        Column("size", "INTEGER", "Member articles.", not_null=True),
        Column("first_seen", "TEXT", "Day of the earliest dated member article (YYYY-MM-DD); null if none is dated."),
        Column("last_seen", "TEXT", "Day of the latest dated member article (YYYY-MM-DD); null if none is dated."),
        Column("status", "TEXT", "active | faded (no article for 4 weeks before the week of the corpus's newest"
                                  " dated article) | merged"
                                  f" | candidate (fewer than {MIN_NARRATIVE_SIZE} articles).", not_null=True),
        Column("parent", "INTEGER", "The narrative this one split from, or null."),
        Column("merged_into", "INTEGER", "The narrative that absorbed this one (status merged), or null."),
    ), "One row per narrative: articles clustered by hashed TF-IDF of their words and actors.",
       indexes=(Index("narratives_status", ("status",)),)),
    TableSpec("narrative_members", (
        Column("narrative", "INTEGER", "Narrative id (narratives.id).", not_null=True),
        Column("article", "TEXT", "Article id.", not_null=True, unique=True),
        Column("date", "TEXT", "The article's published day (YYYY-MM-DD); null when it states none."),
        Column("date_source", "TEXT", "published (the article's date) | undated (no date stated: in no period).", not_null=True),
        Column("period", "TEXT", "Monday of the article's week (YYYY-MM-DD); '' when it is undated.", not_null=True),
        Column("score", "REAL", "Cosine of the article to the narrative's centroid when it joined.", not_null=True),
        Column("evidence", "JSON", "Claim sentences closest to the centroid: [{start, end, text, score}],"
                                   " offsets into the article's text.", not_null=True),
    ), "Which articles make each narrative, with evidence sentences.",
       indexes=(Index("narrative_members_narrative", ("narrative", "score")),
                Index("narrative_members_period", ("period",)))),
    TableSpec("narrative_series", (
        Column("narrative", "INTEGER", "Narrative id.", not_null=True),
        Column("unit", "TEXT", "week | day.", not_null=True),
        Column("period", "TEXT", "The day, or the Monday of the week (YYYY-MM-DD).", not_null=True),
        Column("articles", "INTEGER", "Member articles in the period.", not_null=True),
        Column("share", "REAL", "Those articles over all articles of the period in the corpus."),
    ), "Time series of each narrative, per week and per day (periods with articles only; undated articles"
       " are in none: see narrative_members.date_source).",
       unique=(("narrative", "unit", "period"),), indexes=(Index("narrative_series_period", ("unit", "period")),)),
    TableSpec("narrative_events", (
        Column("narrative", "INTEGER", "Narrative id.", not_null=True),
        Column("period", "TEXT", "Monday of the week the event happened.", not_null=True),
        Column("kind", "TEXT", "emerge | grow | split | merge | fade.", not_null=True),
        Column("other", "INTEGER", "The other narrative of a split (parent or child) or merge, else null."),
        Column("detail", "JSON", "Figures behind the event (articles, share, silhouette, similarity...).", not_null=True),
    ), "What happened to each narrative, week by week.",
       indexes=(Index("narrative_events_narrative", ("narrative",)),
                Index("narrative_events_period", ("period", "kind")))),
)
MIGRATIONS = MigrationSet(NAME, (Migration("tables", tables=TABLES),))


def members_rowids(narrative: int) -> tuple[str, list[Any]]:
    """The ``Filters.narrative`` selection: rowids of the articles that are members of ``narrative``."""
    return ("SELECT member.rowid FROM narrative_members m JOIN articles member ON member.id = m.article"
            " WHERE m.narrative = ?", [narrative])


class NarrativesAnalysis:
    name = NAME
    version = VERSION
    tables = TABLES
    migrations = MIGRATIONS
    article_filters = (ArticleFilter("narrative", members_rowids),)
    inputs = ("articles.title", "articles.text", "articles.published", "articles.language", "articles.record.actors",
              "articles.record.quotes", "reuse_pairs.translation", "settings.narratives")

    def update(self, store: Store, settings: Settings, *, full: bool = False,
               progress: Callable[[int], Iterator[object]] | None = None) -> dict[str, Any]:
        return update_narratives(store, settings, full=full, progress=progress)


def tunables(settings: Settings) -> dict[str, Any]:
    """The ``[narratives]`` settings as a dict (recorded as the run's inputs: a change means a full run)."""
    return asdict(settings.narratives)


def update_narratives(store: Store, settings: Settings, *, full: bool = False, seed: int | None = None,
                      progress: Callable[[int], Iterator[object]] | None = None, runner: Runner | None = None,
                      chunk_size: int | None = None) -> dict[str, Any]:
    """Cluster the articles added since the last run (all of them with ``full``); rewrite the tables.

    The ``[narratives]`` section of ``settings`` gives the tunables. ``seed`` defaults to the last
    run's (else ``narratives.seed``); a new seed, a new version or changed thresholds mean a full
    run. Returns a summary: articles read, narratives (by status), events, whether the run was full.

    The heavy pure parts, vectorising the articles and scoring their claim sentences, run on
    ``runner`` (default: here, serially; a ``DaskRunner`` for a cluster) in chunks of
    ``chunk_size`` articles (default ``CHUNK_ARTICLES``); the clustering and every read and write of
    the store stay in this process. The tables do not depend on the runner or the chunk size.
    """
    options = tunables(settings)
    previous = derived_state(store, NAME)
    if previous is not None and seed is None:
        seed = int(previous.inputs.get("seed", options["seed"]))
    options["seed"] = int(options["seed"] if seed is None else seed)
    seed = options["seed"]
    full = (full or previous is None or previous.state is None or previous.version != VERSION
            or previous.inputs != options)
    model = (NarrativeModel.from_settings(settings.narratives, seed=seed)
             if full else NarrativeModel.from_state(previous.state))  # type: ignore[union-attr]
    after = 0 if full else previous.watermark  # type: ignore[union-attr]
    # the last run's parsed state (its meta, and its centroids as long strings) is not needed any
    # more: dropped before the articles are read, instead of living through the whole run
    previous = None

    removed: list[tuple[str, int, str | None]] = []
    if not full:
        removed = store.conn.execute(
            "SELECT m.article, m.narrative, m.date FROM narrative_members m JOIN articles a ON a.id = m.article"
            " WHERE a.latest = 0").fetchall()
        for _article, narrative, day in removed:
            model.remove(narrative, day)

    # 1. vectorise (on the runner: a Dask cluster's workers, or here), chunk by chunk in rowid order
    runner = runner or SerialRunner()
    size = chunk_size or CHUNK_ARTICLES

    def inputs() -> Iterator[DocInput]:
        for rowid, article_id, record_json in store.conn.execute(
                "SELECT rowid, id, record FROM articles WHERE rowid > ? AND latest = 1 ORDER BY rowid", (after,)):
            record = json.loads(record_json)
            yield (rowid, article_id, article_day(record.get("published")), record.get("title") or "",
                   record.get("text") or "", record.get("actors") or [], record.get("quotes") or [],
                   record.get("language"))

    # without the text: holding every article's text for the evidence step cost more memory than
    # the clustering; the evidence step reads the texts again, in rowid order (``_texts``)
    docs: list[Doc] = []
    for chunk_docs, terms in runner.map(make_docs, batched(inputs(), size)):
        add_terms(model.terms, terms)   # in rowid order: the labels of a serial run
        docs.extend(chunk_docs)
    watermark = max(after, docs[-1].key) if docs else after

    bar = iter(progress(len(docs))) if progress is not None and docs else None

    def advance(n: int) -> None:
        if bar is not None:
            for _ in range(n):
                next(bar, None)

    # 2. cluster (here: each article depends on those before it). The document frequencies are
    # those of each article's own words: a translation's borrowed words (``_bridged``) are not
    # counted again, or a language's words would be counted in more documents than it has
    model.count_df(docs)
    docs = _bridged(store, docs, model.terms)
    assigned = model.add(docs, progress=advance, count_df=False)

    # 3. score each article's claim sentences against its narrative (on the runner), then keep the
    # rows and the representative sentences here, in rowid order
    members = []
    keys = [doc.key for doc in docs]
    docs.reverse()   # popped in rowid order: each document's vectors go once its claims are scored
    waiting: deque[tuple[Doc, int, float]] = deque()
    for evidences in runner.map(score_claims, _claim_chunks(store, model, docs, keys, assigned, waiting, size)):
        for evidence in evidences:
            doc, narrative, score = waiting.popleft()
            model.note_evidence(narrative, doc.article, evidence)
            member_day, source = (doc.date, "published") if doc.date else (None, "undated")
            members.append((narrative, doc.article, member_day, source, doc.period, round(score, 4),
                            json.dumps(evidence, ensure_ascii=False)))
    articles_read = len(keys)
    del keys, assigned

    narratives, series, events = _tables(model, options)
    statuses: dict[str, int] = {}
    for *_columns, status, _parent, _merged_into in narratives:  # the last columns of a narratives row
        statuses[status] = statuses.get(status, 0) + 1
    n_events = len(events)
    with store.transaction():
        if full:
            for table in ("narratives", "narrative_members", "narrative_series", "narrative_events"):
                store.conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
        for article, _narrative, _day in removed:
            store.conn.execute("DELETE FROM narrative_members WHERE article = ?", (article,))
        for source_id, target_id in model.moves:
            store.conn.execute("UPDATE narrative_members SET narrative = ? WHERE narrative = ?", (target_id, source_id))
        store.conn.executemany(
            "INSERT OR REPLACE INTO narrative_members (narrative, article, date, date_source, period, score, evidence)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)", members)
        del members
        for table in ("narratives", "narrative_series", "narrative_events"):
            store.conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
        store.conn.executemany(
            "INSERT INTO narratives (id, label, terms, sentence, sentence_article, sentence_start, sentence_end, size,"
            " first_seen, last_seen, status, parent, merged_into) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            narratives)
        store.conn.executemany(
            "INSERT INTO narrative_series (narrative, unit, period, articles, share) VALUES (?, ?, ?, ?, ?)", series)
        store.conn.executemany(
            "INSERT INTO narrative_events (narrative, period, kind, other, detail) VALUES (?, ?, ?, ?, ?)", events)
        del narratives, series, events
        total = store.conn.execute("SELECT COUNT(*) FROM narrative_members").fetchone()[0]
        # the state is serialised as a whole (JSON, then compressed): free the rows and the
        # model's member sums first, so that transient copy does not come on top of them
        state = model.to_state()
        del model
        record_state(store, NAME, VERSION, inputs=options, watermark=watermark, articles=total, state=state)
        del state
    return {"full": full, "seed": seed, "articles_read": articles_read, "articles": total,
            "removed": len(removed), "narratives": statuses, "events": n_events}


def article_day(published: Any) -> str | None:
    """The day "YYYY-MM-DD" of a ``published`` value, or None when it is none or not a plausible day
    (a store imported before import checked dates may hold "2017-02-30" or "0001-01-01")."""
    from ..sources.dates import YEARS

    if not isinstance(published, str) or len(published) < 10:
        return None
    try:
        day = date.fromisoformat(published[:10])
    except ValueError:
        return None
    return day.isoformat() if day.year in YEARS else None


def _bridged(store: Store, docs: list[Doc], terms: dict[int, str]) -> list[Doc]:
    """``docs``, each linked by reuse as a translation given its partners' terms (``bridge``); a
    partner not among ``docs`` (clustered in an earlier run) is vectorised from the store."""
    links = translation_links(store)
    if not links:
        return docs
    own = {doc.article: doc for doc in docs}
    partners: dict[str, list[str]] = {}
    for source, target in links:
        for one, other in ((source, target), (target, source)):
            if one in own:
                partners.setdefault(one, []).append(other)
    if not partners:
        return docs
    wanted = sorted({p for ps in partners.values() for p in ps} - set(own))
    loaded: dict[str, Doc] = {}
    found: dict[int, str] = {}
    for chunk in batched(wanted, 500):
        for rowid, article_id, record_json in store.conn.execute(
                f"SELECT rowid, id, record FROM articles WHERE latest = 1 AND id IN ({','.join('?' * len(chunk))})",  # noqa: S608
                chunk):
            record = json.loads(record_json)
            loaded[article_id] = make_doc(rowid, article_id, article_day(record.get("published")),
                                          title=record.get("title") or "", text=record.get("text") or "",
                                          actors=record.get("actors") or [], keep_text=False, terms=found,
                                          language=record.get("language"))
    add_terms(terms, found)
    return [bridge(doc, [own.get(p) or loaded[p] for p in partners[doc.article] if p in own or p in loaded])
            if doc.article in partners else doc for doc in docs]


def translation_links(store: Store) -> list[tuple[str, str]]:
    """(source, target) of the reuse pairs of kind ``translation`` (none before ``reuse`` has run)."""
    if store.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'reuse_pairs'").fetchone() is None:
        return []
    return [(source, target) for source, target in store.conn.execute(
        "SELECT source, target FROM reuse_pairs WHERE kind = 'translation' ORDER BY source, target")]


def _texts(store: Store, keys: list[int]) -> Iterator[str]:
    """The text of each article of ``keys`` (rowids, ascending), read one row at a time ("" if gone)."""
    if not keys:
        return
    cursor = store.conn.execute("SELECT rowid, record FROM articles WHERE rowid >= ? AND rowid <= ? ORDER BY rowid",
                                (keys[0], keys[-1]))
    current = next(cursor, None)
    for key in keys:
        while current is not None and current[0] < key:
            current = next(cursor, None)
        yield (json.loads(current[1]).get("text") or "") if current is not None and current[0] == key else ""


def _claim_chunks(store: Store, model: NarrativeModel, docs: list[Doc], keys: list[int],
                  assigned: dict[int, tuple[int, float]], waiting: deque[tuple[Doc, int, float]],
                  size: int) -> Iterator[ClaimChunk]:
    """The claim-scoring work, ``size`` articles a chunk in rowid order: ``docs`` (reversed) are
    popped as their texts are read; each goes to ``waiting`` with its (narrative, score) until its
    chunk's evidence comes back."""
    for texts in batched(_texts(store, keys), size):
        chunk = [docs.pop() for _ in texts]
        waiting.extend((doc, *assigned[doc.key]) for doc in chunk)
        yield model.claim_chunk(chunk, texts, [assigned[doc.key][0] for doc in chunk])


def _tables(model: NarrativeModel, options: dict[str, Any],
            ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Rows of narratives, narrative_series and narrative_events from the model (``options``: ``tunables``)."""
    emerge_min, fade_weeks = options["emerge_min"], options["fade_weeks"]
    last_period = max((p for p, n in model.totals.items() if n > 0), default=None)
    narratives, series, events = [], [], []
    for row, meta in enumerate(model.meta):
        days = sorted(d for d, n in meta["days"].items() if n > 0)
        if meta["merged_into"] is not None:
            status = "merged"
        elif meta["size"] < MIN_NARRATIVE_SIZE:
            status = "candidate"
        elif days and last_period and week_of(days[-1]) <= _weeks_before(last_period, fade_weeks):
            status = "faded"
        else:
            status = "active"
        terms = model.key_terms(row) if meta["merged_into"] is None else []
        best = meta["best"] or [None, None, None, None, None]
        narratives.append((meta["id"], " · ".join(terms[:4]), json.dumps(terms, ensure_ascii=False), best[4], best[1],
                           best[2], best[3], meta["size"], days[0] if days else None, days[-1] if days else None,
                           status, meta["parent"], meta["merged_into"]))
        for unit, counts in (("week", meta["series"]), ("day", meta["days"])):
            for period in sorted(counts):
                n = counts[period]
                if n <= 0:
                    continue
                total = model.totals.get(week_of(period), 0) if unit == "week" else None
                share = round(n / total, 4) if unit == "week" and total else None
                series.append((meta["id"], unit, period, n, share))
        if meta["merged_into"] is None and last_period and meta["size"] >= emerge_min:
            for event in series_events(meta, model.totals, last_period, emerge_min=emerge_min,
                                       grow_factor=options["grow_factor"], fade_windows=fade_weeks):
                events.append((meta["id"], event["period"], event["kind"], None, json.dumps(event["detail"])))
    for event in model.events:
        events.append((event["narrative"], event["period"], event["kind"], event["other"], json.dumps(event["detail"])))
    events.sort(key=lambda e: (e[1], e[0], e[2]))
    return narratives, series, events


def _weeks_before(period: str, weeks: int) -> str:
    return (date.fromisoformat(period) - timedelta(days=7 * weeks)).isoformat()


def week_span(store: Store) -> list[str | None]:
    """The first and last week of any narrative's weekly series ([None, None] when there is none)."""
    first, last = store.conn.execute(
        "SELECT MIN(period), MAX(period) FROM narrative_series WHERE unit = 'week'").fetchone()
    return [first, last]


@hookimpl
def narrascope_analyses() -> list[NarrativesAnalysis]:
    return [NarrativesAnalysis()]
