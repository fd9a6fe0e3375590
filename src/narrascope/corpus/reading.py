"""The read side of the narratives and the text reuse: one query per question, shared by the API
(so the CLI), the web pages and JSON API, and the exporters. No second copy of these queries exists.

Every list can be paged (``LIMIT``/``OFFSET``, one row more to know whether a next page exists) and
is read through an index: narratives by id, members by ``(narrative, score)``, series and events by
narrative, reuse pairs by source or target, clusters by cluster number. Data for a page's rows
(the sparklines' series, member titles, the pair each copy came by) is read in one query for the
whole page, never one query per row.

The tables are documented with their analyses (``corpus/narratives.py``, ``corpus/reuse.py``). In
a reuse pair, ``source`` is the likely original and ``target`` the republisher or the article that
quotes it; ``direction_evidence`` records why.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..store.reads import article_texts, table_exists
from . import derived_state
from .reuse_core import DEFAULTS as REUSE_DEFAULTS

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["NARRATIVE_SORTS", "NARRATIVE_STATUSES", "REUSE_SORTS", "TRANSLATION", "aligned_sentences",
           "analysis_computed", "article_cluster", "article_narratives", "article_pairs", "article_reuse",
           "cluster_first_copy", "cluster_members", "derived_runs", "has_table", "incoming_pairs",
           "lineage_coverage", "list_narratives", "narrative_detail", "narrative_report", "narratives_page",
           "paged", "pair_detail", "pair_passages", "reuse_clusters", "reuse_clusters_page", "reuse_pair",
           "titles", "translations_sentences", "undated_members"]

#: status filter -> the statuses it shows ("current": what `narrascope narratives` lists)
NARRATIVE_STATUSES: dict[str, tuple[str, ...]] = {
    "current": ("active", "faded"), "active": ("active",), "faded": ("faded",), "merged": ("merged",),
    "candidate": ("candidate",), "all": ("active", "faded", "merged", "candidate")}
NARRATIVE_SORTS = {"size": "size DESC, id", "recent": "last_seen IS NULL, last_seen DESC, size DESC, id"}
REUSE_SORTS = {"size": "largest first", "recent": "latest original first (by its published date)"}

MAX_WEEKS = 2_000        # weeks of one narrative's series read for its page (~38 years)
MAX_EVENTS = 500         # events of one narrative


def _fetch(limit: int | None) -> int:
    """The ``LIMIT`` to ask for: one row more than a page, to know whether a next one exists (-1: all)."""
    return -1 if limit is None else limit + 1


def has_table(store: Store, table: str) -> bool:
    """Whether the store has this table (``store.reads.table_exists``)."""
    return table_exists(store, table)


def analysis_computed(store: Store, name: str) -> bool:
    """Whether the corpus analysis ``name`` (narratives | reuse) has run on this store."""
    if not has_table(store, "derived"):
        return False
    return store.conn.execute("SELECT 1 FROM derived WHERE name = ?", (name,)).fetchone() is not None


def paged(items: list[dict[str, Any]], fetched: int, limit: int | None, offset: int) -> dict[str, Any]:
    """A page of ``items`` as the API returns it; ``fetched``: rows read (``limit + 1`` asked for, to know
    whether a next page exists; ``limit`` None: every row was read)."""
    more = limit is not None and fetched > limit
    return {"items": items, "limit": limit, "offset": offset, "has_more": more,
            "next_offset": offset + limit if more and limit is not None else None}


def titles(store: Store, ids: list[str]) -> dict[str, dict[str, Any]]:
    """id -> {id, title, outlet, published} for these articles, in one query."""
    ids = sorted({i for i in ids if i})
    if not ids:
        return {}
    return {article_id: {"id": article_id, "title": title, "outlet": outlet, "published": published}
            for article_id, title, outlet, published in store.conn.execute(
                f"SELECT id, title, outlet, published FROM articles WHERE id IN ({','.join('?' * len(ids))})",  # noqa: S608
                ids)}


def undated_members(store: Store, narratives: list[int] | None = None) -> dict[int, int]:
    """Narrative id -> its members with no date (all narratives, or those of ``narratives``)."""
    sql = "SELECT narrative, COUNT(*) FROM narrative_members WHERE period = ''"
    params: list[Any] = []
    if narratives is not None:
        if not narratives:
            return {}
        sql += f" AND narrative IN ({','.join('?' * len(narratives))})"
        params = list(narratives)
    return {int(n): int(c) for n, c in store.conn.execute(sql + " GROUP BY narrative", params)}


# -- narratives ---------------------------------------------------------------------------------

_NARRATIVE_COLUMNS = ("id", "label", "terms", "sentence", "sentence_article", "sentence_start", "sentence_end", "size",
                      "first_seen", "last_seen", "status", "parent", "merged_into")


def _narrative_row(row: tuple[Any, ...]) -> dict[str, Any]:
    item = dict(zip(_NARRATIVE_COLUMNS, row, strict=True))
    item["terms"] = json.loads(item["terms"] or "[]")
    return item


def narratives_page(store: Store, *, status: str = "current", sort: str = "size", limit: int | None,
                    offset: int = 0) -> dict[str, Any]:
    """A page of narratives (``limit`` None: all of them) of a ``status`` (``NARRATIVE_STATUSES``) in
    ``sort`` order, with their weekly series (``weeks``: {period: articles}), read in one query, and
    ``undated``: their members that state no date (in no week). ``computed``: whether the analysis
    has run on this store (when not, there are no items)."""
    statuses = NARRATIVE_STATUSES[status]
    page = {**paged([], 0, limit, offset), "status": status, "sort": sort,
            "computed": analysis_computed(store, "narratives")}
    if not page["computed"]:
        return page
    marks = ",".join("?" * len(statuses))
    rows = store.conn.execute(
        f"SELECT {', '.join(_NARRATIVE_COLUMNS)} FROM narratives WHERE status IN ({marks})"  # noqa: S608
        f" ORDER BY {NARRATIVE_SORTS[sort]} LIMIT ? OFFSET ?", (*statuses, _fetch(limit), offset)).fetchall()
    items = [_narrative_row(r) for r in rows[:limit]]
    weekly: dict[int, dict[str, int]] = {item["id"]: {} for item in items}
    if items:
        ids = list(weekly)
        for narrative, period, n in store.conn.execute(
                f"SELECT narrative, period, articles FROM narrative_series WHERE unit = 'week'"  # noqa: S608
                f" AND narrative IN ({','.join('?' * len(ids))}) ORDER BY narrative, period LIMIT ?",
                (*ids, len(ids) * MAX_WEEKS)):
            weekly[narrative][period] = n
    undated = undated_members(store, list(weekly))
    for item in items:
        item["weeks"] = weekly[item["id"]]
        item["undated"] = undated.get(item["id"], 0)   # members with no date: beside the series, in no week
    page.update(paged(items, len(rows), limit, offset))
    return page


def _labels(store: Store, ids: set[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    ordered = sorted(ids)
    return {narrative: {"id": narrative, "label": label, "status": status, "size": size}
            for narrative, label, status, size in store.conn.execute(
                f"SELECT id, label, status, size FROM narratives WHERE id IN ({','.join('?' * len(ordered))})",  # noqa: S608
                ordered)}


def narrative_detail(store: Store, narrative_id: int, *, limit: int | None, offset: int = 0,
                     max_weeks: int | None = MAX_WEEKS, max_events: int | None = MAX_EVENTS) -> dict[str, Any] | None:
    """One narrative: its row, weekly series (at most ``max_weeks``), events (at most ``max_events``),
    related narratives and a page of members (best first; ``limit`` None: all). None means no
    such narrative.
    """
    row = store.conn.execute(f"SELECT {', '.join(_NARRATIVE_COLUMNS)} FROM narratives WHERE id = ?",  # noqa: S608
                             (narrative_id,)).fetchone()
    if row is None:
        return None
    item = _narrative_row(row)
    item["series"] = [{"period": p, "articles": n, "share": s} for p, n, s in store.conn.execute(
        "SELECT period, articles, share FROM narrative_series WHERE narrative = ? AND unit = 'week'"
        " ORDER BY period LIMIT ?", (narrative_id, -1 if max_weeks is None else max_weeks))]
    item["undated"] = undated_members(store, [narrative_id]).get(narrative_id, 0)
    events = [{"period": p, "kind": k, "other": o, "detail": json.loads(d)} for p, k, o, d in store.conn.execute(
        "SELECT period, kind, other, detail FROM narrative_events WHERE narrative = ? ORDER BY period, rowid LIMIT ?",
        (narrative_id, -1 if max_events is None else max_events))]
    children = [child for (child,) in store.conn.execute(
        "SELECT id FROM narratives WHERE parent = ? ORDER BY id LIMIT 100", (narrative_id,))]
    merged_from = [merged for (merged,) in store.conn.execute(
        "SELECT id FROM narratives WHERE merged_into = ? ORDER BY id LIMIT 100", (narrative_id,))]
    related_ids = {e["other"] for e in events if e["other"] is not None} | set(children) | set(merged_from)
    related_ids |= {x for x in (item["parent"], item["merged_into"]) if x is not None}
    labels = _labels(store, related_ids)
    for event in events:
        event["other_narrative"] = labels.get(event["other"]) if event["other"] is not None else None
    item["events"] = events
    item["related"] = {
        "parent": labels.get(item["parent"]) if item["parent"] is not None else None,
        "merged_into": labels.get(item["merged_into"]) if item["merged_into"] is not None else None,
        "children": [labels[i] for i in children if i in labels],
        "merged_from": [labels[i] for i in merged_from if i in labels]}
    # the page of members first (their index), then the articles of that page only
    rows = store.conn.execute(
        "SELECT m.article, m.date, m.date_source, m.score, m.evidence, a.title, a.outlet, a.published"
        " FROM (SELECT article, date, date_source, score, evidence FROM narrative_members WHERE narrative = ?"
        " ORDER BY score DESC, article LIMIT ? OFFSET ?) m LEFT JOIN articles a ON a.id = m.article"
        " ORDER BY m.score DESC, m.article", (narrative_id, _fetch(limit), offset)).fetchall()
    members = [{"article": a, "date": d, "date_source": ds, "score": sc, "evidence": json.loads(ev),
                "title": title, "outlet": outlet, "published": published}
               for a, d, ds, sc, ev, title, outlet, published in rows[:limit]]
    item["members"] = paged(members, len(rows), limit, offset)
    sentence_article = titles(store, [item["sentence_article"]]) if item["sentence_article"] else {}
    item["sentence_source"] = sentence_article.get(item["sentence_article"])
    return item


#: A narrative as ``narrascope narratives`` lists it (the row without the sentence's offsets).
_LISTED = ("id", "label", "terms", "sentence", "sentence_article", "size", "first_seen", "last_seen", "status",
           "parent", "merged_into", "weeks", "undated")


def list_narratives(store: Store, *, include_all: bool = False, limit: int | None = None) -> list[dict[str, Any]]:
    """Narratives, biggest first (candidates and merged ones only with ``include_all``), with their weekly
    series (``weeks``) and, apart, how many members have no date (``undated``)."""
    page = narratives_page(store, status="all" if include_all else "current", sort="size", limit=limit)
    return [{key: item[key] for key in _LISTED} for item in page["items"]]


def narrative_report(store: Store, narrative: int, *, members: int = 10) -> dict[str, Any]:
    """One narrative as ``narrascope narratives show`` prints it: its row, weekly series (``weeks``),
    every event, and its ``members`` best-scored members with evidence. A missing one is a ``UsageError``."""
    detail = narrative_detail(store, narrative, limit=members, max_weeks=None, max_events=None)
    if detail is None:
        raise UsageError(f"no narrative {narrative}: run `narrascope narratives` to list them")
    item = {key: detail[key] for key in _LISTED[:-2]}
    item["weeks"] = {week["period"]: week["articles"] for week in detail["series"]}
    item["undated"] = detail["undated"]
    item["events"] = [{key: event[key] for key in ("period", "kind", "other", "detail")} for event in detail["events"]]
    item["members"] = [{key: member[key] for key in ("article", "date", "date_source", "score", "evidence")}
                       for member in detail["members"]["items"]]
    return item


# -- reuse --------------------------------------------------------------------------------------

def lineage_coverage(store: Store) -> float:
    """The ``lineage_coverage`` the reuse tables were computed with."""
    state = derived_state(store, "reuse")
    value = (state.inputs.get("settings.reuse") or {}).get("lineage_coverage") if state else None
    return float(value) if value is not None else REUSE_DEFAULTS.lineage_coverage


def reuse_clusters_page(store: Store, *, sort: str = "size", limit: int, offset: int) -> dict[str, Any]:
    """A page of reuse clusters: the likely original (title, outlet, date), size, role counts, outlets."""
    page: dict[str, Any] = {**paged([], 0, limit, offset), "sort": sort,
                            "computed": analysis_computed(store, "reuse")}
    if not page["computed"]:
        return page
    if sort == "recent":
        # walk the articles newest first (their published index) and keep the clusters' originals
        rows = store.conn.execute(
            "SELECT c.cluster, c.size, c.original FROM articles a CROSS JOIN reuse_clusters c"
            " WHERE c.article = a.id AND c.role = 'original'"
            " ORDER BY a.published DESC, a.rowid DESC LIMIT ? OFFSET ?", (limit + 1, offset)).fetchall()
    else:
        # the narrow cluster rows only; the originals' titles are read for the page afterwards
        rows = store.conn.execute(
            "SELECT cluster, size, original FROM reuse_clusters WHERE role = 'original'"
            " ORDER BY size DESC, cluster DESC LIMIT ? OFFSET ?", (limit + 1, offset)).fetchall()
    found = titles(store, [original for _cluster, _size, original in rows[:limit]])
    items = [{"cluster": cluster, "size": size, "original": found.get(original, {"id": original, "title": None,
                                                                                 "outlet": None, "published": None}),
              "roles": {}, "outlets": []}
             for cluster, size, original in rows[:limit]]
    by_cluster = {item["cluster"]: item for item in items}
    if items:
        marks = ",".join("?" * len(by_cluster))
        for cluster, role, n in store.conn.execute(
                f"SELECT cluster, role, COUNT(*) FROM reuse_clusters WHERE cluster IN ({marks})"  # noqa: S608
                " GROUP BY cluster, role", list(by_cluster)):
            by_cluster[cluster]["roles"][role] = n
        for cluster, outlet, n in store.conn.execute(
                "SELECT c.cluster, COALESCE(a.outlet, ''), COUNT(*) FROM reuse_clusters c"
                f" JOIN articles a ON a.id = c.article WHERE c.cluster IN ({marks})"  # noqa: S608
                " GROUP BY c.cluster, COALESCE(a.outlet, '') ORDER BY c.cluster, COUNT(*) DESC", list(by_cluster)):
            by_cluster[cluster]["outlets"].append({"outlet": outlet, "articles": n})
    page.update(paged(items, len(rows), limit, offset))
    return page


_PAIR_COLUMNS = ("source", "target", "kind", "passages", "shared_words", "coverage_source", "coverage_target", "score",
                 "confidence", "direction_evidence")


def _pair(row: tuple[Any, ...]) -> dict[str, Any]:
    pair = dict(zip(_PAIR_COLUMNS, row, strict=True))
    pair["direction_evidence"] = json.loads(pair["direction_evidence"])
    return pair


def incoming_pairs(store: Store, targets: list[str], original: str, *, roots: bool = True,
                   ) -> dict[str, dict[str, Any]]:
    """For each article, the pair it came by: from the cluster's original when that pair carries a
    share of its text (a repost, or a partial copy of at least ``reuse.lineage_coverage`` of it),
    else its incoming pair covering most of it; with ``roots``, for an article that is nobody's
    target (another root of the cluster), its outgoing pair with the most shared words. One query
    for all."""
    if not targets:
        return {}
    marks = ",".join("?" * len(targets))
    columns = ", ".join(_PAIR_COLUMNS)
    sql = (f"SELECT {columns}, article FROM (SELECT {columns}, target AS article, ROW_NUMBER() OVER ("  # noqa: S608
           f" PARTITION BY target ORDER BY source = ? AND (kind = 'repost' OR coverage_target >= ?) DESC,"
           f" coverage_target DESC, shared_words DESC, source) AS n"
           f" FROM reuse_pairs WHERE target IN ({marks})) WHERE n = 1")
    params: list[Any] = [original, lineage_coverage(store), *targets]
    if roots:
        sql += (f" UNION ALL SELECT {columns}, article FROM (SELECT {columns}, source AS article, ROW_NUMBER() OVER ("
                f" PARTITION BY source ORDER BY shared_words DESC, target) AS n"
                f" FROM reuse_pairs WHERE source IN ({marks})) WHERE n = 1")
        params += targets
    rows = store.conn.execute(sql, params).fetchall()
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        article = row[-1]
        pair = _pair(row[:-1])
        if article not in found or (found[article]["source"] == article and pair["target"] == article):
            found[article] = pair  # an incoming pair wins over an outgoing one
    return found


def pair_passages(store: Store, source: str, target: str, *, limit: int | None = None) -> list[tuple[int, ...]]:
    """The shared passages of a pair in the source's order: (source_start, source_end, target_start,
    target_end, words, score), at most ``limit``."""
    return store.conn.execute(
        "SELECT source_start, source_end, target_start, target_end, words, score FROM reuse_passages"
        " WHERE source = ? AND target = ? ORDER BY source_start LIMIT ?",
        (source, target, -1 if limit is None else limit)).fetchall()


def article_pairs(store: Store, article_id: str, *, limit: int | None = None, offset: int = 0,
                  ) -> list[dict[str, Any]]:
    """The reuse pairs an article is in (as source or target), most shared words first; with
    ``limit``, one more than asked for when there are (to know whether a next page exists)."""
    rows = store.conn.execute(
        f"SELECT {', '.join(_PAIR_COLUMNS)} FROM (SELECT * FROM reuse_pairs WHERE source = ?"  # noqa: S608
        " UNION ALL SELECT * FROM reuse_pairs WHERE target = ?) ORDER BY shared_words DESC, source, target"
        " LIMIT ? OFFSET ?", (article_id, article_id, _fetch(limit), offset)).fetchall()
    return [_pair(r) for r in rows]


def article_cluster(store: Store, article_id: str) -> dict[str, Any] | None:
    """The reuse cluster an article is in: cluster, role, original, size (None when in none)."""
    row = store.conn.execute("SELECT cluster, role, original, size FROM reuse_clusters WHERE article = ?",
                             (article_id,)).fetchone()
    return dict(zip(("cluster", "role", "original", "size"), row, strict=True)) if row else None


def _meta(found: dict[str, dict[str, Any]], article_id: str) -> dict[str, Any]:
    """An article as the reuse listings name it: id, outlet, published, title (the id alone when gone)."""
    row = found.get(article_id)
    return {"id": article_id, "outlet": row["outlet"], "published": row["published"], "title": row["title"]} \
        if row else {"id": article_id}


def _link(store: Store, article_id: str, pair: dict[str, Any], *, with_passages: int | None) -> dict[str, Any]:
    """A pair seen from ``article_id``: direction, the other article, the figures, and the first
    ``with_passages`` shared passages (all with None) with the source's text of each."""
    source, target = pair["source"], pair["target"]
    other = target if source == article_id else source
    link = {"direction": "to" if source == article_id else "from", "other": _meta(titles(store, [other]), other),
            **{key: pair[key] for key in ("kind", "passages", "shared_words", "coverage_source", "coverage_target",
                                          "score", "confidence", "direction_evidence")}}
    texts = article_texts(store, [source, target] if pair["kind"] == TRANSLATION else [source])
    source_text = texts.get(source, "")
    link["shared"] = [{"source_start": s0, "source_end": s1, "target_start": t0, "target_end": t1,
                       "words": w, "score": sc, "text": source_text[s0:s1]}
                      for s0, s1, t0, t1, w, sc in pair_passages(store, source, target, limit=with_passages)]
    if pair["kind"] == TRANSLATION:   # an aligned sentence pair a passage: the translated sentence beside it
        target_text = texts.get(target, "")
        for shared in link["shared"]:
            shared["target_text"] = target_text[shared["target_start"]:shared["target_end"]]
    return link


def reuse_clusters(store: Store, *, limit: int | None = None, members: int = 10) -> list[dict[str, Any]]:
    """Clusters, largest first: the original first, then up to ``members`` others (earliest first),
    each with the pair it came by (from the original when there is one) and its first shared passage."""
    clusters: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for article, cluster, role, original, published in store.conn.execute(
            "SELECT c.article, c.cluster, c.role, c.original, a.published FROM reuse_clusters c"
            " JOIN articles a ON a.id = c.article ORDER BY c.rowid"):
        clusters[cluster].append({"article": article, "role": role, "original": original, "published": published})
    ordered = sorted(clusters.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:limit]
    out = []
    for cluster, arts in ordered:
        original = arts[0]["original"]
        shown = sorted(arts, key=lambda m: (m["article"] != original, m["published"] is None, m["published"] or ""))
        shown = shown[: members + 1]
        found = titles(store, [m["article"] for m in shown])
        came_by = incoming_pairs(store, [m["article"] for m in shown if m["article"] != original], original,
                                 roots=False)
        entries = []
        for m in shown:
            entry = {**_meta(found, m["article"]), "role": m["role"]}
            pair = came_by.get(m["article"])
            entry["links"] = [_link(store, m["article"], pair, with_passages=1)] if pair else []
            entries.append(entry)
        out.append({"cluster": cluster, "size": len(arts), "original": original, "articles": entries,
                    "not_shown": max(0, len(arts) - len(entries))})
    return out


def article_reuse(store: Store, article_id: str, *, with_passages: int | None = None) -> dict[str, Any]:
    """One article's reuse links: the pairs it is in (as source or target) with their passages' text."""
    links = [_link(store, article_id, pair, with_passages=with_passages) for pair in article_pairs(store, article_id)]
    cluster = article_cluster(store, article_id)
    return {**_meta(titles(store, [article_id]), article_id),
            "cluster": {key: cluster[key] for key in ("cluster", "role", "original")} if cluster else None,
            "links": links}


# -- one reuse cluster, an article's narratives, the analyses' runs ------------------------------

def cluster_members(store: Store, cluster: int, *, limit: int, offset: int = 0) -> dict[str, Any] | None:
    """A page of one reuse cluster's members, the original first, then by published date (undated
    last): ``original``, ``size``, ``members`` ({id, role, title, outlet, published}) and ``fetched``
    (rows read: ``limit + 1`` asked for, to know whether a next page exists). None: no such cluster."""
    head = store.conn.execute("SELECT original, size FROM reuse_clusters WHERE cluster = ? LIMIT 1",
                              (cluster,)).fetchone()
    if head is None:
        return None
    original, size = head
    rows = store.conn.execute(
        "SELECT c.article, c.role, a.title, a.outlet, a.published FROM reuse_clusters c"
        " LEFT JOIN articles a ON a.id = c.article WHERE c.cluster = ?"
        " ORDER BY c.role != 'original', a.published IS NULL, a.published, c.rowid LIMIT ? OFFSET ?",
        (cluster, limit + 1, offset)).fetchall()
    members = [{"id": a, "role": role, "title": title, "outlet": outlet, "published": published}
               for a, role, title, outlet, published in rows[:limit]]
    return {"original": original, "size": size, "members": members, "fetched": len(rows)}


def cluster_first_copy(store: Store, cluster: int, original: str) -> str | None:
    """The first member of a cluster (in stored order) other than its original; None when it has none."""
    (copy,) = store.conn.execute(
        "SELECT article FROM reuse_clusters WHERE cluster = ? AND article != ? ORDER BY rowid LIMIT 1",
        (cluster, original)).fetchone() or (None,)
    return str(copy) if copy is not None else None


def article_narratives(store: Store, article_id: str, *, limit: int = 10) -> list[dict[str, Any]]:
    """The narratives an article is a member of (at most ``limit``): id, label, status, the member's
    score, period and evidence sentences. Empty when narratives were never computed."""
    if not has_table(store, "narrative_members"):
        return []
    return [{"id": narrative, "label": label, "status": status, "score": score, "period": period,
             "evidence": json.loads(evidence)}
            for narrative, score, evidence, period, label, status in store.conn.execute(
                "SELECT m.narrative, m.score, m.evidence, m.period, n.label, n.status FROM narrative_members m"
                " LEFT JOIN narratives n ON n.id = m.narrative WHERE m.article = ? LIMIT ?", (article_id, limit))]


def derived_runs(store: Store) -> dict[str, tuple[Any, Any, Any]]:
    """Analysis -> (computed_at, version, articles) of its last run, from the ``derived`` table (empty
    when no analysis has run).

    The columns only: ``corpus.derived_state`` would also decompress and parse each analysis's saved
    state (for narratives on 100,000 articles, ~176 MB of JSON).
    """
    if not has_table(store, "derived"):
        return {}
    return {name: (at, version, articles) for name, at, version, articles in store.conn.execute(
        "SELECT name, computed_at, version, articles FROM derived")}


# -- translations (issue 13) ----------------------------------------------------------------------

#: the ``reuse_pairs.kind`` of a translation: its passages are aligned sentence pairs, one row each
TRANSLATION = "translation"
#: a sentence in any script: up to . ! ? or the full stops of CJK, Arabic and Devanagari
_ANY_SENTENCE = re.compile(r"[^.!?。！？؟।\n]+(?:[.!?。！？؟।]+[\"'”’)»」』]*|$)")


def reuse_pair(store: Store, source: str, target: str) -> dict[str, Any] | None:
    """The ``reuse_pairs`` row from ``source`` to ``target`` (None when there is none)."""
    if not has_table(store, "reuse_pairs"):
        return None
    row = store.conn.execute(f"SELECT {', '.join(_PAIR_COLUMNS)} FROM reuse_pairs"  # noqa: S608
                             " WHERE source = ? AND target = ?", (source, target)).fetchone()
    return _pair(row) if row else None


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of the sentences of ``text[start:end]``, trimmed of spaces (none when it is blank)."""
    spans = []
    for match in _ANY_SENTENCE.finditer(text, start, end):
        s, e = match.span()
        piece = match.group()
        s += len(piece) - len(piece.lstrip())
        e -= len(piece) - len(piece.rstrip())
        if e > s:
            spans.append((s, e))
    return spans


def _uncovered(length: int, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The stretches of ``[0, length)`` no span covers."""
    out, at = [], 0
    for s, e in sorted(spans):
        if s > at:
            out.append((at, s))
        at = max(at, e)
    if at < length:
        out.append((at, length))
    return out


def aligned_sentences(source_text: str, target_text: str, passages: list[tuple[int, ...]]) -> list[dict[str, Any]]:
    """A translation's two texts as rows in reading order: ``aligned`` (a sentence of each side and
    their similarity ``score``: one passage row), and ``source`` or ``target`` (a sentence of one side
    no alignment holds), each side ``{start, end, text}`` or None.

    ``passages`` are (source_start, source_end, target_start, target_end, words, score), in the
    source's order. An unaligned sentence comes before the first aligned row after it on its side
    (source ones first), so each side reads in its own order when the alignment keeps the order.
    """
    def side(text: str, start: int, end: int) -> dict[str, Any]:
        return {"start": start, "end": end, "text": text[start:end]}

    keyed: list[tuple[tuple[int, int, int, int], dict[str, Any]]] = []
    for i, (s0, s1, t0, t1, words, score) in enumerate(passages):
        keyed.append(((i, 1, 0, 0), {"kind": "aligned", "source": side(source_text, s0, s1),
                                     "target": side(target_text, t0, t1), "words": words, "score": score}))
    for name, text, column in (("source", source_text, 0), ("target", target_text, 2)):
        spans = [(int(p[column]), int(p[column + 1])) for p in passages]
        for gap_start, gap_end in _uncovered(len(text), spans):
            for s, e in _sentences(text, gap_start, gap_end):
                before = next((i for i, (a, _b) in enumerate(spans) if a >= e), len(spans))
                row: dict[str, Any] = {"kind": name, "source": None, "target": None, "words": None, "score": None}
                row[name] = side(text, s, e)
                keyed.append(((before, 0, column, s), row))
    return [row for _key, row in sorted(keyed, key=lambda kv: kv[0])]


def pair_detail(store: Store, source: str, target: str, *, limit: int | None = None) -> dict[str, Any] | None:
    """One reuse pair as the pair page, ``narrascope.api.reuse_pair`` and ``/api/reuse/pairs`` show
    it: the row, both articles (id, title, outlet, published, language), ``languages`` [source,
    target], the passages (at most ``limit``) and, for a translation, ``sentences``: the two texts
    sentence by sentence (``aligned_sentences``). None when there is no such pair."""
    pair = reuse_pair(store, source, target)
    if pair is None:
        return None
    found = titles(store, [source, target])
    texts, languages = {}, {}
    for article_id, text, language in store.conn.execute(
            "SELECT id, text, language FROM articles WHERE id IN (?, ?)", (source, target)):
        texts[article_id], languages[article_id] = text or "", language
    stated = pair["direction_evidence"].get("languages")
    pair_languages = list(stated) if isinstance(stated, list) and len(stated) == 2 else \
        [languages.get(source), languages.get(target)]
    passages = pair_passages(store, source, target, limit=limit)
    detail = {**pair, "languages": pair_languages,
              "source_article": {**found.get(source, {"id": source}), "language": pair_languages[0]},
              "target_article": {**found.get(target, {"id": target}), "language": pair_languages[1]},
              "passages_list": [{"source_start": s0, "source_end": s1, "target_start": t0, "target_end": t1,
                                 "words": w, "score": sc} for s0, s1, t0, t1, w, sc in passages]}
    if pair["kind"] == TRANSLATION:
        detail["sentences"] = aligned_sentences(texts.get(source, ""), texts.get(target, ""), passages)
    return detail


def translations_sentences(store: Store, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(source, target) -> the translation pair's ``aligned_sentences``, for those of ``pairs`` that are
    translations; the passages and the texts of all of them read in two queries."""
    wanted = sorted(set(pairs))
    if not wanted or not has_table(store, "reuse_pairs"):
        return {}
    values = ",".join("(?, ?)" for _ in wanted)
    flat = [x for pair in wanted for x in pair]
    found: dict[tuple[str, str], list[tuple[int, ...]]] = {
        (source, target): [] for source, target in store.conn.execute(
            f"SELECT source, target FROM reuse_pairs WHERE kind = ? AND (source, target) IN (VALUES {values})",  # noqa: S608
            [TRANSLATION, *flat])}
    if not found:
        return {}
    keys = sorted(found)
    marks = ",".join("(?, ?)" for _ in keys)
    for source, target, s0, s1, t0, t1, words, score in store.conn.execute(
            "SELECT source, target, source_start, source_end, target_start, target_end, words, score"
            f" FROM reuse_passages WHERE (source, target) IN (VALUES {marks}) ORDER BY source, target, source_start",  # noqa: S608
            [x for key in keys for x in key]):
        found[(source, target)].append((s0, s1, t0, t1, words, score))
    texts = article_texts(store, [x for key in keys for x in key])
    return {key: aligned_sentences(texts.get(key[0]) or "", texts.get(key[1]) or "", passages)
            for key, passages in found.items()}
