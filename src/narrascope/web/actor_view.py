"""The actor page's further sections: quotes about the actor, events by type, stance over time, neighbourhood.

Each reads bounded, indexed aggregates: the ``article_stances`` table (kept by triggers) and,
when ``narrascope graph`` has computed them, the actor graph's tables; without the graph, quotes
about the actor come from the records the actor profile already scanned
(``queries.actor_profile``) and there is no neighbourhood. Records are loaded in one query per
section, never one per row.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from ..corpus.graph import PLOVER_SCORES
from ..store import Store
from .queries import _records_by, _summary, _table_has_rows, quotes_about_in

__all__ = ["LEVELS", "actor_sections", "events_by_type", "neighbourhood", "quotes_about", "quotes_about_in",
           "stance_extremes", "stance_series"]

LEVELS = ("actor", "state")
#: Neighbours drawn around the actor, quotes about the actor listed, stances at each end of the scale.
NEIGHBOURS = 15
QUOTES_ABOUT = 30
#: Edges drawn among the actor and its neighbours at most (merged per pair and kind), heaviest first.
MAX_EDGES = 150
EXTREMES = 5
#: Periods a stance chart shows at most (the latest ones).
MAX_PERIODS = 240


def quotes_about(store: Store, actor_id: str, *, limit: int = QUOTES_ABOUT) -> list[dict[str, Any]]:
    """Quotes about the actor from the graph's quote edges (speaker -> actor): those of the ``limit``
    most recently analysed quote edges, newest published first."""
    # In the (level, kind, target) index's own order (the most recently analysed first): ``limit``
    # rows read and no sort, however many articles quote someone about the actor.
    rows = store.conn.execute(
        "SELECT e.article, e.source FROM graph_edge_evidence e JOIN articles a ON a.rowid = e.article_rowid"
        " WHERE e.level = 'actor' AND e.kind = 'quote' AND e.target = ? AND a.latest = 1"
        " ORDER BY e.rowid DESC LIMIT ?", (actor_id, limit)).fetchall()
    speakers: dict[str, set[str]] = defaultdict(set)
    for article, source in rows:
        speakers[article].add(source)
    records = _records_by(store, "id", list(speakers))
    found: list[dict[str, Any]] = []
    for article in speakers:
        if article in records:
            found += quotes_about_in(records[article], actor_id, speakers[article])
    found.sort(key=lambda q: (q["article"].get("published") or "", q["article"]["id"] or ""), reverse=True)
    return found[:limit]


# -- events grouped by type -----------------------------------------------------------------------

def events_by_type(events: list[dict[str, Any]], totals: dict[str, dict[str, Any]] | None = None
                   ) -> list[dict[str, Any]]:
    """The profile's events grouped by PLOVER type, most frequent first.

    ``totals`` (type -> {weight, count, articles}) are the whole corpus's, from the actor graph.
    """
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in events:
        groups[str(event.get("type") or "?")].append(event)
    for type_ in totals or {}:
        groups.setdefault(type_, [])
    out: list[dict[str, Any]] = []
    for type_, items in groups.items():
        total = (totals or {}).get(type_)
        out.append({"type": type_, "score": PLOVER_SCORES.get(type_), "shown": len(items),
                    "count": total["count"] if total else len(items),
                    "articles": total["articles"] if total else len({i["article"]["id"] for i in items}),
                    "items": items})
    out.sort(key=lambda g: (-g["count"], g["type"]))
    return out


def event_totals(store: Store, actor_id: str, side: str) -> dict[str, dict[str, Any]]:
    """Per PLOVER type, the whole corpus's events with the actor as ``side`` (source | target).

    As source: seeks in the unique index (level, kind, type, source, ...), one per type. As
    target: through an index on graph_edges (level, target, kind) when the store has one (the
    unique index alone would read every event edge).
    """
    if side == "source":
        types = sorted(PLOVER_SCORES)
        rows = store.conn.execute(
            "SELECT type, SUM(count), SUM(weight), SUM(articles) FROM graph_edges WHERE level = 'actor'"
            f" AND kind = 'event' AND type IN ({','.join('?' * len(types))}) AND source = ? GROUP BY type",
            (*types, actor_id))
    else:
        rows = store.conn.execute(
            "SELECT type, SUM(count), SUM(weight), SUM(articles) FROM graph_edges WHERE level = 'actor'"
            " AND kind = 'event' AND target = ? GROUP BY type", (actor_id,))
    return {type_: {"count": int(count), "weight": float(weight), "articles": int(articles)}
            for type_, count, weight, articles in rows}


# -- stance over time -----------------------------------------------------------------------------

def _granularity(first: str, last: str) -> str:
    try:
        days = (date.fromisoformat(last[:10]) - date.fromisoformat(first[:10])).days
    except ValueError:
        return "month"
    return "week" if days <= 92 else "month"


def _period(published: str, granularity: str) -> str:
    if granularity == "week":
        day = date.fromisoformat(published[:10])
        return (day - timedelta(days=day.weekday())).isoformat()
    return published[:7]


def _periods(first: str, last: str, granularity: str) -> list[str]:
    """Every period from the one of ``first`` to the one of ``last`` (gaps included), the latest MAX_PERIODS."""
    out: list[str] = []
    if granularity == "week":
        day, end = date.fromisoformat(_period(first, "week")), date.fromisoformat(_period(last, "week"))
        while day <= end:
            out.append(day.isoformat())
            day += timedelta(days=7)
    else:
        year, month = int(first[:4]), int(first[5:7])
        end_year, end_month = int(last[:4]), int(last[5:7])
        while (year, month) <= (end_year, end_month):
            out.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out[-MAX_PERIODS:]


#: Days (rows) a stance aggregate reads at most: 20 years of daily rows.
MAX_DAYS = 7_300
#: Stances the extremes are picked from: the most recent ones (an index range, no sort of them all).
EXTREMES_WINDOW = 3_000


def stance_series(store: Store, actor_id: str) -> dict[str, Any]:
    """Mean polarity towards the actor per month (per week when the stances span three months or less).

    Two series: the authors' stance (holder ``author``) and the quoted actors'. From the
    ``article_stances`` table (migrations 8 and 10, the latest version of every article): one
    aggregate per publication day, read in its (target, published) index's order (no sort, at most
    ``MAX_DAYS`` rows), rolled up to periods here. Each series has ``mean`` (None where no
    stance), the mean of the polarities weighted by the stances' confidence (a stance without one,
    made before confidences, weighs 1), and ``count`` per period. Stances from articles that
    state no date are in no period: ``undated`` counts them apart.
    """
    days: dict[tuple[str, str], list[float]] = {}  # (day, side) -> [weighted sum, weight, count]
    undated_days: list[str] = []  # published values that are no day (counted with the undated)
    for day, authors, author_sum, author_weight, total, total_sum, total_weight in store.conn.execute(
            "SELECT published, SUM(holder = 'author'),"
            " TOTAL(CASE WHEN holder = 'author' THEN polarity * COALESCE(confidence, 1) END),"
            " TOTAL(CASE WHEN holder = 'author' THEN COALESCE(confidence, 1) END),"
            " COUNT(*), TOTAL(polarity * COALESCE(confidence, 1)), TOTAL(COALESCE(confidence, 1))"
            " FROM article_stances WHERE target = ? AND published IS NOT NULL"
            " GROUP BY published ORDER BY published LIMIT ?", (actor_id, MAX_DAYS)):
        if not _is_dated(day):
            undated_days.extend([day] * int(total))
            continue
        if authors:
            days[(day, "author")] = [float(author_sum), float(author_weight), int(authors)]
        if total - authors:
            days[(day, "quoted")] = [float(total_sum) - float(author_sum), float(total_weight) - float(author_weight),
                                     int(total) - int(authors)]
    first = min((d for d, _ in days), default=None)
    last = max((d for d, _ in days), default=None)
    granularity = _granularity(first, last) if first and last else "month"
    periods = _periods(first, last, granularity) if first and last else []
    index = {p: i for i, p in enumerate(periods)}
    sums = {side: ([0.0] * len(periods), [0.0] * len(periods), [0] * len(periods)) for side in ("author", "quoted")}
    for (day, side), (total, weight, n) in days.items():
        i = index.get(_period(day, granularity))
        if i is not None:
            sums[side][0][i] += total
            sums[side][1][i] += weight
            sums[side][2][i] += int(n)
    series: list[dict[str, Any]] = []
    for side, label in (("author", "authors"), ("quoted", "quoted actors")):
        totals, weights, counts = sums[side]
        mean = [round(t / w, 4) if n and w > 0 else None for t, w, n in zip(totals, weights, counts, strict=True)]
        series.append({"holder": side, "label": label, "mean": mean, "count": counts})
    undated = store.conn.execute("SELECT COUNT(*) FROM article_stances WHERE target = ? AND published IS NULL",
                                 (actor_id,)).fetchone()[0]
    undated += sum(1 for day in undated_days if not _is_dated(day))
    return {"granularity": granularity, "periods": periods, "series": series,
            "stances": sum(sum(s["count"]) for s in series), "undated": int(undated)}


def _is_dated(published: Any) -> bool:
    """A ``YYYY-MM-DD`` date (what ``published`` holds when the input says it)."""
    if not isinstance(published, str) or len(published) < 10:
        return False
    try:
        date.fromisoformat(published[:10])
    except ValueError:
        return False
    return True


def stance_extremes(store: Store, actor_id: str, *, limit: int = EXTREMES) -> dict[str, list[dict[str, Any]]]:
    """The most negative and the most positive stances towards the actor, with their evidence spans.

    Among the ``EXTREMES_WINDOW`` most recently published stances of ``article_stances`` (an
    index range, so an actor with 60,000 stances costs no sort of them all).
    """
    recent = store.conn.execute(
        "SELECT article_rowid, holder, polarity FROM article_stances WHERE target = ?"
        " ORDER BY published DESC LIMIT ?", (actor_id, EXTREMES_WINDOW)).fetchall()
    stances = [{"rowid": int(rowid), "holder": str(holder), "polarity": polarity} for rowid, holder, polarity in recent]
    negative = sorted((s for s in stances if s["polarity"] < 0), key=lambda s: s["polarity"])[:limit]
    positive = sorted((s for s in stances if s["polarity"] > 0), key=lambda s: -s["polarity"])[:limit]
    picked = {side: [(s["rowid"], s["holder"]) for s in chosen] for side, chosen in
              (("negative", negative), ("positive", positive))}
    records = _records_by(store, "rowid", [r for rows in picked.values() for r, _ in rows])
    out: dict[str, list[dict[str, Any]]] = {}
    for side, rows in picked.items():
        out[side] = []
        for rowid, holder in rows:
            record = records.get(rowid)
            if record is None:
                continue
            out[side] += [s for s in record_stances(record, actor_id) if s["holder"] == holder][:1]
    return out


def record_stances(record: dict[str, Any], actor_id: str) -> list[dict[str, Any]]:
    """The stances towards ``actor_id`` in a record, with the holder's name and the evidence text."""
    names = {a.get("id"): a.get("name") for a in record.get("actors") or [] if isinstance(a, dict)}
    text = record.get("text") or ""
    out = []
    for s in record.get("stances") or []:
        if not isinstance(s, dict) or s.get("target") != actor_id or isinstance(s.get("polarity"), bool) \
                or not isinstance(s.get("polarity"), int | float):
            continue
        holder = s.get("holder")
        evidence = [{"start": e["start"], "end": e["end"], "text": text[e["start"]:e["end"]]}
                    for e in s.get("evidence") or [] if isinstance(e, dict)
                    and isinstance(e.get("start"), int) and isinstance(e.get("end"), int)]
        out.append({"holder": holder, "holder_name": "the author" if holder == "author" else names.get(holder) or holder,
                    "polarity": float(s["polarity"]), "evidence": evidence[:3], "article": _summary(record)})
    return out


# -- the neighbourhood ----------------------------------------------------------------------------

def neighbourhood(store: Store, centre: str, *, level: str = "actor", limit: int = NEIGHBOURS,
                  event_types: tuple[str, ...] | list[str] = ()) -> dict[str, Any]:
    """The actor and its ``limit`` strongest neighbours in the actor graph, with the edges among them.

    Neighbours by summed edge weight (events, quotes, co-mentions), then articles; edges are
    merged per pair and kind (at most ``MAX_EDGES``: the centre's first, then the heaviest): events carry their
    weight-averaged cooperation-conflict score and their types, quotes their mean polarity. Empty when the graph has not been computed. Events
    among the neighbours are those of the PLOVER types and of ``event_types`` (the types the
    centre's own events have).
    """
    empty = {"level": level, "centre": centre, "nodes": [], "edges": []}
    if not _table_has_rows(store, "graph_edges"):
        return empty
    neighbours = [(str(other), float(weight), int(articles)) for other, weight, articles in store.conn.execute(
        "SELECT other, SUM(weight) AS w, SUM(articles) AS n FROM ("
        " SELECT target AS other, weight, articles FROM graph_edges WHERE level = ? AND source = ?"
        " UNION ALL"
        " SELECT source AS other, weight, articles FROM graph_edges WHERE level = ? AND target = ?)"
        " WHERE other != ? GROUP BY other ORDER BY w DESC, n DESC, other LIMIT ?",
        (level, centre, level, centre, centre, limit))]
    if not neighbours:
        return empty
    ids = [centre] + [n for n, _, _ in neighbours]
    marks = ",".join("?" * len(ids))
    info = {node_id: {"name": name, "kind": kind, "country": country, "articles": articles}
            for node_id, name, kind, country, articles in store.conn.execute(
                f"SELECT id, name, kind, country, articles FROM graph_nodes WHERE level = ? AND id IN ({marks})",  # noqa: S608
                [level, *ids])}
    weights = {n: (w, a) for n, w, a in neighbours}
    nodes = []
    unknown = {"name": None, "kind": None, "country": None, "articles": 0}
    for node_id in ids:
        node = info.get(node_id, unknown)
        nodes.append({"id": node_id, "name": node["name"] or node_id, "kind": node["kind"], "country": node["country"],
                      "articles": node["articles"], "weight": weights.get(node_id, (None, 0))[0],
                      "centre": node_id == centre})
    # Each kind with its types spelled out, so the lookups go through the unique index
    # (level, kind, type, source, target) rather than every edge of 16 busy actors.
    types = sorted(set(PLOVER_SCORES) | set(event_types))
    columns = "kind, type, source, target, weight, count, score, polarity, articles"
    pairs = f"source IN ({marks}) AND target IN ({marks})"
    # Merged per pair and kind in SQL (a busy pair of states has an edge per PLOVER type): events
    # get their weight-averaged score and the count of each type, quotes their mean polarity.
    sql = ("SELECT kind, source, target, SUM(weight), SUM(count), SUM(articles),"
           " SUM(score * MAX(weight, 0.5)) / SUM(CASE WHEN score IS NOT NULL THEN MAX(weight, 0.5) END),"
           " AVG(polarity), group_concat(type || ' ' || count, ',') FROM ("
           f"SELECT {columns} FROM graph_edges WHERE level = ? AND kind = 'comention' AND type = 'sentence' AND {pairs}"
           f" UNION ALL SELECT {columns} FROM graph_edges WHERE level = ? AND kind = 'quote' AND type = 'quote'"
           f" AND {pairs} UNION ALL SELECT {columns} FROM graph_edges WHERE level = ? AND kind = 'event'"
           f" AND type IN ({','.join('?' * len(types))}) AND {pairs})"
           " GROUP BY kind, source, target ORDER BY source = ? OR target = ? DESC, SUM(weight) DESC, kind, source,"
           " target LIMIT ?")
    merged = []
    for kind, source, target, weight, count, articles, score, polarity, type_counts in store.conn.execute(
            sql, [level, *ids, *ids, level, *ids, *ids, level, *types, *ids, *ids, centre, centre, MAX_EDGES]):
        counted = [(t, int(n)) for t, _, n in (item.rpartition(" ") for item in (type_counts or "").split(","))]
        merged.append({"kind": kind, "source": source, "target": target, "weight": float(weight), "count": int(count),
                       "articles": int(articles), "types": dict(counted) if kind == "event" else {},
                       "score": None if score is None else round(float(score), 2),
                       "polarity": None if polarity is None else round(float(polarity), 3)})
    names = {n["id"]: n["name"] for n in nodes}
    edges = []
    for edge in merged:
        score, polarity = edge["score"], edge["polarity"]
        edge["value"] = score if edge["kind"] == "event" else polarity
        a, b = names.get(edge["source"], edge["source"]), names.get(edge["target"], edge["target"])
        if edge["kind"] == "event":
            listed = ", ".join(f"{t} ×{n}" for t, n in sorted(edge["types"].items(), key=lambda x: (-x[1], x[0])))
            edge["label"] = f"{a} → {b}: {listed}" + (f" (score {score:+g})" if score is not None else "")
        elif edge["kind"] == "quote":
            edge["label"] = f"{a} on {b}: {edge['count']} quotes" + (
                f", polarity {polarity:+.2f}" if polarity is not None else "")
        else:
            edge["label"] = f"{a} and {b} named together: {edge['count']} sentences in {edge['articles']} articles"
        edges.append(edge)
    return {"level": level, "centre": centre, "nodes": nodes, "edges": edges}


def state_of(profile_actor: dict[str, Any]) -> str | None:
    """The state an actor rolls up to at the graph's state level (a state is itself)."""
    return profile_actor.get("id") if profile_actor.get("kind") == "state" else profile_actor.get("country")


# -- all of it ------------------------------------------------------------------------------------

def actor_sections(store: Store, profile: dict[str, Any], *, level: str = "actor") -> dict[str, Any]:
    """The sections the actor page and ``/api/actors/{id}`` add to ``queries.actor_profile``'s result.

    Takes the profile's private key ``_quotes_about`` out of it.
    """
    actor_id = str(profile["actor"]["id"])
    scanned_about = profile.pop("_quotes_about", None) or []
    from_graph = profile.get("from") == "graph"
    types: set[str] = set()
    if from_graph:
        about = quotes_about(store, actor_id)
        source_totals, target_totals = event_totals(store, actor_id, "source"), event_totals(store, actor_id, "target")
        types = set(source_totals) | set(target_totals)
        by_source = events_by_type(profile["events_as_source"], source_totals)
        by_target = events_by_type(profile["events_as_target"], target_totals)
    else:
        about = scanned_about[:QUOTES_ABOUT]
        by_source = events_by_type(profile["events_as_source"])
        by_target = events_by_type(profile["events_as_target"])
    centre = actor_id if level == "actor" else state_of(profile["actor"])
    graph = neighbourhood(store, centre, level=level, event_types=sorted(types)) if centre else \
        {"level": level, "centre": None, "nodes": [], "edges": []}
    return {"quotes_about": about, "events_by_type": {"as_source": by_source, "as_target": by_target},
            "stance_series": stance_series(store, actor_id),
            "stance_extremes": stance_extremes(store, actor_id), "neighbourhood": graph}


# -- what the page draws --------------------------------------------------------------------------

def stance_chart(series: dict[str, Any]) -> dict[str, Any] | None:
    """A Chart.js line chart of the mean polarity per period on the polarity axis (left, -1..1),
    with the number of stances per period as light bars on the count axis (right); None when there
    is no stance. Every dataset names its axis."""
    from .charts import PALETTE, line_chart

    if not series["stances"]:
        return None
    lines = [(s["label"], s["mean"]) for s in series["series"] if any(n for n in s["count"])]
    config = line_chart(series["periods"], lines, y_title="mean polarity (weighted by confidence)", y_min=-1,
                        y_max=1)
    for dataset in config["data"]["datasets"]:
        dataset["yAxisID"] = "y"  # the polarity axis; without it Chart.js may put a line on the count axis
    config["options"]["scales"]["y"]["position"] = "left"
    config["options"]["plugins"]["legend"]["display"] = True
    config["options"]["scales"]["count"] = {"position": "right", "beginAtZero": True,
                                            "title": {"display": True, "text": "stances"},
                                            "grid": {"drawOnChartArea": False}, "ticks": {"precision": 0}}
    counts = [sum(s["count"][i] for s in series["series"]) for i in range(len(series["periods"]))]
    config["data"]["datasets"].append({"type": "bar", "label": "stances", "data": counts, "yAxisID": "count",
                                       "backgroundColor": PALETTE[5] + "55", "borderColor": PALETTE[5] + "55",
                                       "order": 2})
    return config


def neighbourhood_picture(graph: dict[str, Any]) -> Any:
    """The neighbourhood as inline SVG markup (``graph_svg``), or None when there is nothing to draw."""
    from .graph_svg import neighbourhood_svg

    if not graph["nodes"]:
        return None
    centre = next(n for n in graph["nodes"] if n["centre"])
    others = [n for n in graph["nodes"] if not n["centre"]]
    return neighbourhood_svg(centre, others, graph["edges"], level=graph["level"])
