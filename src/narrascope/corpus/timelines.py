"""Timelines: counts per day and per week of articles, actors, quotes, events, techniques and
narratives, by outlet, in the table ``timeline``.

Counted from each latest article's record, bucketed by its ``published`` date; weeks are ISO weeks
named by their Monday. An article with no date (or one that is no plausible day) is in no period,
never on the day it was ingested: it is left out of the table and counted apart as ``undated``
(``undated_articles``, the ``undated`` of ``narrascope timelines --json``).
Incremental: the counts of new articles are added, and a new version of a URL takes the counts of
the version it replaces away. Narrative counts come from the narratives analysis's
``narrative_members`` and are recounted on every update (membership changes as narratives do).
``full`` recounts everything (after ``narrascope analyze`` changed stored records).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..plugins import hookimpl
from ..store.reads import table_exists
from . import Column, Index, Migration, MigrationSet, TableSpec, derived_state
from .graph import narrative_columns
from .incremental import update_incrementally

if TYPE_CHECKING:
    from ..settings import Settings
    from ..store import Store

__all__ = ["GRANULARITIES", "METRICS", "TimelineAnalysis", "article_counts", "period_of", "timeline",
           "undated_articles"]

NAME = "timelines"
VERSION = "timelines.v1"
GRANULARITIES = ("day", "week")
METRICS = ("articles", "actors", "quotes", "events", "techniques", "narratives")
BATCH_ARTICLES = 500

TABLES = (
    TableSpec("timeline", (
        Column("granularity", "TEXT", "day | week", not_null=True),
        Column("period", "TEXT", "the day (YYYY-MM-DD), or the Monday that starts the ISO week", not_null=True),
        Column("outlet", "TEXT", "the articles' outlet; '' when they name none", not_null=True),
        Column("metric", "TEXT", "articles | actors | quotes | events | techniques | narratives", not_null=True),
        Column("key", "TEXT", "actors: the actor id; events: the PLOVER type; techniques: the technique name;"
                              " narratives: the narrative id; '' for articles and quotes", not_null=True),
        Column("count", "INTEGER", "articles; actor mentions; quotes; events (negated and hypothetical included);"
                                   " technique spans; member articles of the narrative", not_null=True),
    ), "Counts per day and per week, by outlet, of articles, actor mentions, quotes, events, techniques,"
       " narratives.",
       unique=(("granularity", "period", "outlet", "metric", "key"),),
       indexes=(Index("timeline_metric", ("metric", "key")),)),
)
MIGRATIONS = MigrationSet(NAME, (Migration("tables", tables=TABLES),))

UPSERT = ("INSERT INTO timeline (granularity, period, outlet, metric, key, count) VALUES (?, ?, ?, ?, ?, ?)"
          " ON CONFLICT(granularity, period, outlet, metric, key) DO UPDATE SET count = count + excluded.count")


def period_of(published: str | None, granularity: str) -> str | None:
    """The day or the week's Monday of a ``published`` value, or None when it is not a plausible date."""
    from ..sources.dates import YEARS

    if not published or len(published) < 10:
        return None
    try:
        day = date.fromisoformat(published[:10])
    except ValueError:
        return None
    if day.year not in YEARS:
        return None
    if granularity == "week":
        day -= timedelta(days=day.weekday())
    return day.isoformat()


def article_counts(record: dict[str, Any]) -> Counter[tuple[str, str]]:
    """(metric, key) -> count for one article record (narratives excepted)."""
    counts: Counter[tuple[str, str]] = Counter({("articles", ""): 1})
    for actor in record.get("actors") or []:
        counts[("actors", actor["id"])] += len(actor.get("mentions") or [])
    if record.get("quotes"):
        counts[("quotes", "")] += len(record["quotes"])
    for event in record.get("events") or []:
        counts[("events", event.get("type") or "")] += 1
    for technique in record.get("techniques") or []:
        counts[("techniques", technique.get("name") or "")] += 1
    return counts


def _rows(record: dict[str, Any], sign: int) -> Iterator[tuple[str, str, str, str, str, int]]:
    outlet = record.get("outlet") or ""
    counts = article_counts(record)
    for granularity in GRANULARITIES:
        period = period_of(record.get("published"), granularity)
        if period is None:
            return
        for (metric, key), n in counts.items():
            if n:
                yield granularity, period, outlet, metric, key, sign * n


def _recount_narratives(store: Store) -> int:
    store.conn.execute("DELETE FROM timeline WHERE metric = 'narratives'")
    if not table_exists(store, "narrative_members"):
        return 0
    narrative, article = narrative_columns(store)
    members = store.conn.execute(
        f"SELECT DISTINCT m.{narrative}, a.published, COALESCE(a.outlet, '') FROM narrative_members m"  # noqa: S608
        f" JOIN articles a ON a.id = m.{article} WHERE a.latest = 1").fetchall()
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for narrative_id, published, outlet in members:
        for granularity in GRANULARITIES:
            period = period_of(published, granularity)
            if period is not None:
                counts[(granularity, period, outlet, str(narrative_id))] += 1
    store.conn.executemany(UPSERT, [(g, p, o, "narratives", k, n) for (g, p, o, k), n in counts.items()])
    return len(members)


class TimelineAnalysis:
    """The ``timelines`` corpus analysis (see the module docstring)."""

    name = NAME
    version = VERSION
    tables = TABLES
    migrations = MIGRATIONS
    inputs = ("articles.published", "articles.outlet", "articles.actors", "articles.quotes", "articles.events",
              "articles.techniques", "narrative_members")

    def update(self, store: Store, settings: Settings, *, full: bool = False,
               progress: Callable[[int], Iterator[object]] | None = None) -> dict[str, Any]:
        undated = 0

        def begin(saved: Any) -> None:
            nonlocal undated
            undated = int((saved or {}).get("undated", 0))

        def remove(rowids: list[int]) -> None:
            nonlocal undated
            for rowid in rowids:
                (record,) = store.conn.execute("SELECT record FROM articles WHERE rowid = ?", (rowid,)).fetchone()
                rows = list(_rows(json.loads(record), -1))
                undated -= not rows
                store.conn.executemany(UPSERT, rows)
            store.conn.execute("DELETE FROM timeline WHERE count <= 0")

        def add(batch: list[tuple[int, dict[str, Any]]]) -> None:
            nonlocal undated
            batch_rows: list[tuple[str, str, str, str, str, int]] = []
            for _rowid, record in batch:
                article_rows = list(_rows(record, 1))
                undated += not article_rows
                batch_rows += article_rows
            store.conn.executemany(UPSERT, batch_rows)

        run = update_incrementally(
            store, name=NAME, version=VERSION, inputs={"fields": list(self.inputs), "granularities": list(GRANULARITIES)},
            full=full, tables=("timeline",), begin=begin, remove=remove, add=add, state=lambda: {"undated": undated},
            finish=lambda: _recount_narratives(store), batch_size=BATCH_ARTICLES, progress=progress)
        return {"analysis": NAME, "full": run.full, "articles_added": run.added, "articles_removed": run.removed,
                "articles": run.articles, "undated": undated, "watermark": run.watermark,
                "narrative_members": run.finished,
                "rows": store.conn.execute("SELECT COUNT(*) FROM timeline").fetchone()[0]}


def undated_articles(store: Store) -> int:
    """How many counted articles have no date (in no period), as of the last timelines update."""
    state = derived_state(store, NAME)
    return int((state.state or {}).get("undated", 0)) if state is not None else 0


def timeline(store: Store, *, by: str = "day", metrics: Iterable[str] | None = None, keys: Iterable[str] = (),
             outlet: str | None = None, since: str | None = None, until: str | None = None,
             by_outlet: bool = False) -> list[dict[str, Any]]:
    """Rows {period, [outlet,] metric, key, count} of ``timeline``, summed over outlets unless ``by_outlet``.

    ``since``/``until`` select periods as ``Filters`` does dates (a day, a month or a year, inclusive).
    """
    from ..store import date_bounds

    if by not in GRANULARITIES:
        raise UsageError(f"unknown timeline granularity {by!r}; use {' or '.join(GRANULARITIES)}")
    metrics = tuple(metrics) if metrics else METRICS
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise UsageError(f"unknown timeline metric {unknown[0]!r}; metrics: {', '.join(METRICS)}")
    clauses = ["granularity = ?", f"metric IN ({','.join('?' * len(metrics))})"]
    params: list[Any] = [by, *metrics]
    keys = tuple(keys)
    if keys:
        clauses.append(f"key IN ({','.join('?' * len(keys))})")
        params += keys
    if outlet is not None:
        clauses.append("outlet = ? COLLATE NOCASE")
        params.append(outlet)
    if since:
        clauses.append("period >= ?")
        params.append(date_bounds(since, option="--since")[0])
    if until:
        clauses.append("period < ?")
        params.append(date_bounds(until, option="--until")[1])
    group = "period, outlet, metric, key" if by_outlet else "period, metric, key"
    columns = ["period", "outlet", "metric", "key", "count"] if by_outlet else ["period", "metric", "key", "count"]
    sql = (f"SELECT {group}, SUM(count) FROM timeline WHERE {' AND '.join(clauses)}"  # noqa: S608 - fixed names
           f" GROUP BY {group} ORDER BY {group}")
    return [dict(zip(columns, row, strict=True)) for row in store.conn.execute(sql, params)]


@hookimpl
def narrascope_analyses() -> list[TimelineAnalysis]:
    return [TimelineAnalysis()]


