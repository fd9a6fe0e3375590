"""Reads for browsing the store by facet and by actor: the facet counts of the search form, actor
names, an actor's profile (the articles naming them, their quotes, their events), quotes about an
actor, their events' totals, stance over time and its extremes, and their neighbourhood in the actor
graph.

The web's search form, actor page and ``/api/actors/{id}`` read through these functions (and any other
front door would read through the same ones: no second copy of these queries exists). Each reads
bounded, indexed aggregates: the ``article_stances`` table (kept by triggers) and, when
``narrascope graph`` has computed them, the actor graph's tables; without the graph, an actor's
articles come from a scan of the most recently stored records only. Records are loaded in one query
per section, never one per row.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ..model import Article
from ..store import FACETS
from ..store.reads import records as ordered_records
from ..store.reads import records_by, table_has_rows
from .graph import PLOVER_SCORES

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["EXTREMES", "FACET_VALUES", "MAX_EDGES", "MAX_PERIODS", "NEIGHBOURS", "QUOTES_ABOUT", "actor_names",
           "actor_profile", "event_totals", "facet_counts", "neighbourhood", "quotes_about", "quotes_about_in",
           "record_stances", "stance_extremes", "stance_series"]


#: Neighbours drawn around the actor, quotes about the actor listed, stances at each end of the scale.
NEIGHBOURS = 15
QUOTES_ABOUT = 30
#: Edges drawn among the actor and its neighbours at most (merged per pair and kind), heaviest first.
MAX_EDGES = 150
EXTREMES = 5
#: Periods a stance chart shows at most (the latest ones).
MAX_PERIODS = 240


# -- facets ---------------------------------------------------------------------------------------

#: Values listed per facet (the most frequent first).
FACET_VALUES = 200


def facet_counts(store: Store, *, limit: int = FACET_VALUES) -> dict[str, list[tuple[str, str, int]]]:
    """Per facet (outlet, language, genre, the ``store.FACETS`` kinds, narrative), its ``limit`` most
    frequent values as (value, label, articles), over the latest versions.

    Counts are over the whole store. Labels: actor and state names from the actor graph
    (``narrascope graph``) or else from a record naming them (``actor_names``), narrative labels
    with their id; other values label themselves. About 150 ms on 100,000 articles.
    """
    out: dict[str, list[tuple[str, str, int]]] = {}
    q = store.conn.execute
    for column in ("outlet", "language", "genre"):
        # '+': the (latest, column NOCASE) index of migration 7, read alone, in group order.
        out[column] = [(str(v), str(v), int(n)) for v, n in q(
            f"SELECT {column}, COUNT(*) FROM articles WHERE latest = 1 AND +{column} != ''"  # noqa: S608 - fixed names
            f" GROUP BY {column} COLLATE NOCASE ORDER BY COUNT(*) DESC, {column} LIMIT ?", (limit,))]
    for kind in FACETS:
        counts = q("SELECT value, COUNT(*) FROM article_facets WHERE kind = ?"
                   " AND article_rowid NOT IN (SELECT rowid FROM articles WHERE latest = 0)"
                   " GROUP BY value ORDER BY COUNT(*) DESC, value LIMIT ?", (kind, limit)).fetchall()
        names = actor_names(store, [str(v) for v, _ in counts]) if kind in ("actor", "state") else {}
        out[kind] = [(str(v), names.get(str(v), str(v)), int(n)) for v, n in counts]
    out["narrative"] = [(str(i), f"{label} (#{i})", int(n)) for i, label, n in q(
        "SELECT m.narrative, COALESCE(n.label, ''), COUNT(*) FROM narrative_members m"
        " LEFT JOIN narratives n ON n.id = m.narrative"
        " WHERE m.article NOT IN (SELECT id FROM articles WHERE rowid IN"
        " (SELECT rowid FROM articles WHERE latest = 0))"
        " GROUP BY m.narrative ORDER BY COUNT(*) DESC, m.narrative LIMIT ?", (limit,))]
    return out


def actor_names(store: Store, ids: list[str]) -> dict[str, str]:
    """Display names of actor ids: the actor graph's, else the name a record gives them (the newest)."""
    names: dict[str, str] = {}
    if table_has_rows(store, "graph_nodes"):
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            names.update((str(k), str(v)) for k, v in store.conn.execute(
                f"SELECT id, name FROM graph_nodes WHERE level IN ('actor', 'state') AND name IS NOT NULL"
                f" AND name != '' AND id IN ({','.join('?' * len(chunk))}) ORDER BY level DESC", chunk))
    for actor_id in ids:
        if actor_id in names:
            continue
        (name,) = store.conn.execute(
            "SELECT json_extract(j.value, '$.name') FROM articles a, json_each(a.record, '$.actors') j"
            " WHERE a.rowid = (SELECT MAX(article_rowid) FROM article_facets WHERE kind = 'actor' AND value = ?)"
            " AND json_extract(j.value, '$.id') = ? COLLATE NOCASE AND json_type(j.value, '$.name') = 'text'"
            " LIMIT 1", (actor_id, actor_id)).fetchone() or (None,)
        if name:
            names[actor_id] = str(name)
    return names


# -- an actor's profile -----------------------------------------------------------------------------

def _summary(record: dict[str, Any]) -> dict[str, Any]:
    return {"id": record.get("id"), "title": record.get("title"), "outlet": record.get("outlet"),
            "published": record.get("published")}


def quotes_about_in(record: dict[str, Any], actor_id: str, speakers: set[str] | None = None) -> list[dict[str, Any]]:
    """Quotes in ``record`` by another speaker whose content span holds a mention of ``actor_id``.

    ``speakers`` narrows them to these speaker actors (the graph's quote edges say who).
    """
    actor = next((a for a in record.get("actors") or [] if isinstance(a, dict) and a.get("id") == actor_id), None)
    if actor is None:
        return []
    names = {a.get("id"): a.get("name") for a in record.get("actors") or [] if isinstance(a, dict)}
    stance = {s.get("holder"): float(s["polarity"]) for s in record.get("stances") or []
              if isinstance(s, dict) and s.get("target") == actor_id and not isinstance(s.get("polarity"), bool)
              and isinstance(s.get("polarity"), int | float)}
    mentions = [(m["start"], m["end"]) for m in actor.get("mentions") or []
                if isinstance(m, dict) and isinstance(m.get("start"), int) and isinstance(m.get("end"), int)]
    found = []
    for q in record.get("quotes") or []:
        if not isinstance(q, dict):
            continue
        speaker = q.get("speaker_actor")
        if speaker == actor_id or (speakers is not None and speaker not in speakers):
            continue
        start, end = q.get("start"), q.get("end")
        if not (isinstance(start, int) and isinstance(end, int)) or \
                not any(start <= a and b <= end for a, b in mentions):
            continue
        found.append({"article": _summary(record), "speaker": q.get("speaker"), "speaker_actor": speaker,
                      "speaker_name": names.get(speaker) or q.get("speaker"), "speaker_role": q.get("speaker_role"),
                      "cue": q.get("cue"), "content": q.get("content"), "start": start, "end": end,
                      "direct": q.get("direct"), "partial": bool(q.get("partial")), "anonymous": q.get("anonymous"),
                      "polarity": stance.get(speaker) if speaker else None})
    return found


def actor_profile(store: Store, actor_id: str, *, limit: int, scan_window: int) -> dict[str, Any] | None:
    """Who the actor is, the articles naming them, their quotes, and events with them as source or target.

    The articles come from the actor graph's per-article table when it has been computed
    (``narrascope graph``); otherwise from a scan of the ``scan_window`` most recently stored
    articles only, so an unknown id never costs a scan of the whole store. At most ``limit``
    articles (the most recently stored that name the actor), newest published first, their
    records loaded in one query. Events carry the names of their
    source and target as the record names them. Without the graph, the private key
    ``_quotes_about`` (quotes about the actor in the scanned records) is for
    ``web.actor_view.actor_sections``, which takes it out.
    """
    from_graph = table_has_rows(store, "graph_mentions")
    if from_graph:
        # The most recently analysed rows first, in the (level, actor) index's own order, so an actor
        # named in 30,000 articles costs ``limit`` rows and no sort; shown newest published first.
        ids = [article for (article,) in store.conn.execute(
            "SELECT m.article FROM graph_mentions m JOIN articles a ON a.id = m.article"
            " WHERE m.level = 'actor' AND m.actor = ? AND a.latest = 1"
            " ORDER BY m.rowid DESC LIMIT ?", (actor_id, limit))]
        records = ordered_records(store, ids)
        records.sort(key=lambda r: r.get("published") or "", reverse=True)
    else:
        needle = json.dumps(actor_id, ensure_ascii=False)
        records = [json.loads(r) for (r,) in store.conn.execute(
            "SELECT record FROM articles WHERE latest = 1 AND rowid > (SELECT MAX(rowid) FROM articles) - ?"
            " AND instr(record, ?) > 0 ORDER BY rowid DESC LIMIT ?", (scan_window, needle, limit))]
        records.sort(key=lambda r: r.get("published") or "", reverse=True)
    node: dict[str, Any] | None = None
    if table_has_rows(store, "graph_nodes"):
        row = store.conn.execute(
            "SELECT id, name, kind, country, articles, mentions, first_seen, last_seen FROM graph_nodes"
            " WHERE level = 'actor' AND id = ?", (actor_id,)).fetchone()
        if row:
            node = dict(zip(("id", "name", "kind", "country", "articles", "mentions", "first_seen", "last_seen"),
                            row, strict=True))
    articles, quotes, as_source, as_target, about = [], [], [], [], []
    for record in records:
        article = Article.from_record(record)
        names = {a.get("id"): a.get("name") for a in article.actors}
        actor = next((a for a in article.actors if a.get("id") == actor_id), None)
        summary = {"id": article.id, "title": article.title, "outlet": article.outlet,
                   "published": article.published}
        if actor is not None:
            if node is None:
                node = {"id": actor_id, "name": actor.get("name"), "kind": actor.get("kind"),
                        "country": actor.get("country")}
            node.setdefault("role", actor.get("role"))
            articles.append({**summary, "mentions": [
                {"start": m["start"], "end": m["end"], "text": m.get("text")} for m in actor.get("mentions") or ()]})
        for quote in article.quotes:
            if quote.get("speaker_actor") == actor_id:
                quotes.append({"article": summary, **{k: quote.get(k) for k in (
                    "speaker", "speaker_role", "cue", "content", "start", "end", "direct", "partial", "anonymous")}})
        for event in article.events:
            item = {"article": summary, **{k: event.get(k) for k in (
                "type", "source", "target", "text", "start", "end", "negated", "hypothetical")},
                "source_name": names.get(event.get("source")), "target_name": names.get(event.get("target"))}
            if event.get("source") == actor_id:
                as_source.append(item)
            if event.get("target") == actor_id:
                as_target.append(item)
        if actor is not None and not from_graph:
            about += quotes_about_in(record, actor_id)
    if node is None:
        return None
    node = {"kind": None, "role": None, "country": None, **node}
    return {"actor": node, "articles": articles, "quotes": quotes, "events_as_source": as_source,
            "events_as_target": as_target, "from": "graph" if from_graph else "scan", "limit": limit,
            "scan_window": None if from_graph else scan_window,
            # for actor_view.actor_sections, which takes it out: quotes about the actor in these records
            "_quotes_about": about}



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
    records = records_by(store, "id", list(speakers))
    found: list[dict[str, Any]] = []
    for article in speakers:
        if article in records:
            found += quotes_about_in(records[article], actor_id, speakers[article])
    found.sort(key=lambda q: (q["article"].get("published") or "", q["article"]["id"] or ""), reverse=True)
    return found[:limit]


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
    undated_values = 0  # stances whose published value is no day (counted with the undated)
    for day, authors, author_sum, author_weight, total, total_sum, total_weight in store.conn.execute(
            "SELECT published, SUM(holder = 'author'),"
            " TOTAL(CASE WHEN holder = 'author' THEN polarity * COALESCE(confidence, 1) END),"
            " TOTAL(CASE WHEN holder = 'author' THEN COALESCE(confidence, 1) END),"
            " COUNT(*), TOTAL(polarity * COALESCE(confidence, 1)), TOTAL(COALESCE(confidence, 1))"
            " FROM article_stances WHERE target = ? AND published IS NOT NULL"
            " GROUP BY published ORDER BY published LIMIT ?", (actor_id, MAX_DAYS)):
        if not _is_dated(day):
            undated_values += int(total)
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
    undated += undated_values
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
    records = records_by(store, "rowid", [r for rows in picked.values() for r, _ in rows])
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
    if not table_has_rows(store, "graph_edges"):
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


