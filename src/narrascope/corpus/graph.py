"""The actor graph: who acts on whom (events), who speaks about whom (quotes), who appears with whom.

Computed per article and stored per article (``graph_mentions``, ``graph_edge_evidence``), so a
graph for a time window, an outlet or a narrative is one aggregate query over those rows, with no
recomputation; the whole-corpus graph is kept in ``graph_nodes`` and ``graph_edges`` for export.

Two levels: ``actor`` (persons, organisations, states... as the article names them) and ``state``
(only states: a state is itself, a person or organisation acting for a state is rolled up to its
``country``; armed groups, places and actors with no state are left out at that level, and so are
events between two actors of one state, which are domestic, not relations between states).

Weights count facts by their confidence (``confidence`` of the events, quotes and actor mentions
in the records, see ``narrascope.analysis.confidence``): a sure fact weighs up to 1, an unsure one
less, so the heaviest edges are the best attested, not just the most frequent.

Edges, by kind:

* ``event``: source -> target of each event in the ``events`` field, one edge per PLOVER type,
  with the type's cooperation-conflict ``score`` (``PLOVER_SCORES``). Negated and hypothetical
  events are counted (``negated``, ``hypothetical``, ``count``) but not in ``weight``; the others
  add their confidence to it. Events without a target make no edge.
* ``quote``: speaker_actor -> every actor mentioned inside the quote's content span, with the
  speaker's stance towards that actor (``stances`` where holder = speaker and target = actor) as
  ``polarity``; each quote adds its confidence to the weight. A speaker quoted about themselves
  makes no edge.
* ``comention``: two actors mentioned in the same sentence (sentences split on end punctuation
  and line breaks); undirected, stored with source < target; each sentence adds the lesser of the
  two actors' mention confidences in it.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..analysis.types import ACTING_KINDS
from ..errors import UsageError
from ..plugins import hookimpl
from . import Column, Index, Migration, MigrationSet, TableSpec
from .incremental import update_incrementally

if TYPE_CHECKING:
    from ..settings import Settings
    from ..store import Store

__all__ = ["EDGE_KINDS", "LEVELS", "PLOVER_SCORES", "ActorGraph", "GraphAnalysis", "GraphFilters", "actor_graph",
           "article_graph_rows", "sentence_spans"]

NAME = "graph"
VERSION = "graph.v3"  # v3: an event end of unknown kind (not among the record's actors) rolls up only if a state, person or org
LEVELS = ("actor", "state")
EDGE_KINDS = ("event", "quote", "comention")

#: Cooperation (+) to conflict (-) score of each PLOVER event type, in [-10, 10], in the spirit of
#: the Goldstein scale (Goldstein 1992) and PLOVER's quad classes: verbal cooperation (AGREE,
#: CONSULT, SUPPORT, CONCEDE), material cooperation (COOPERATE, AID, RETREAT), verbal conflict
#: (REQUEST, ACCUSE, REJECT, THREATEN), material conflict (PROTEST, SANCTION, MOBILIZE, COERCE, ASSAULT).
PLOVER_SCORES: dict[str, float] = {
    "AGREE": 4.0,       # sign or announce an agreement, accept a proposal
    "CONSULT": 1.0,     # meet, visit, talk, negotiate
    "SUPPORT": 3.0,     # praise, endorse, express support
    "CONCEDE": 5.0,     # yield, ease sanctions, make concessions
    "COOPERATE": 6.0,   # material, economic, military or judicial cooperation
    "AID": 7.0,         # economic, military, humanitarian aid
    "RETREAT": 4.0,     # withdraw, de-escalate, release (material de-escalation)
    "REQUEST": -2.0,    # ask, appeal, demand
    "ACCUSE": -3.0,     # criticise, blame, denounce, investigate
    "REJECT": -4.0,     # refuse, veto, defy
    "THREATEN": -6.0,   # threaten force, sanctions, ultimatums
    "PROTEST": -5.0,    # demonstrate, strike, boycott
    "SANCTION": -7.0,   # cut relations, embargo, expel
    "MOBILIZE": -7.0,   # mobilise or deploy forces, raise alert
    "COERCE": -8.0,     # arrest, seize, repress, censor
    "ASSAULT": -10.0,   # attack, bomb, kill, occupy
}

#: Spans kept per article edge row, and evidence entries (one per article) kept per aggregated edge.
ARTICLE_EVIDENCE_CAP = 5
EDGE_EVIDENCE_CAP = 20
#: Articles per write transaction while updating.
BATCH_ARTICLES = 200

SENTENCE_END = re.compile(r"([.!?…][\"'”’)\]]*)\s+|\n+")


NODE_COLUMNS = (
    Column("level", "TEXT", "actor | state", not_null=True),
    Column("id", "TEXT", "actor id (states: ISO 3166-1 alpha-3), as in the records' `actors`", not_null=True),
    Column("name", "TEXT", "the actor's name (state level: the state's name, or its code if never named)"),
    Column("kind", "TEXT", "state | person | organization | group | location"),
    Column("country", "TEXT", "the state a person or organisation acts for, or null"),
    Column("articles", "INTEGER", "articles that mention the actor", not_null=True),
    Column("mentions", "INTEGER", "mentions across those articles (state level: of the state and its people)", not_null=True),
    Column("first_seen", "TEXT", "earliest `published` of those articles"),
    Column("last_seen", "TEXT", "latest `published` of those articles"),
)
EDGE_COLUMNS = (
    Column("level", "TEXT", "actor | state", not_null=True),
    Column("kind", "TEXT", "event | quote | comention", not_null=True),
    Column("type", "TEXT", "the PLOVER type (event), `quote`, or `sentence` (comention)", not_null=True),
    Column("source", "TEXT", "actor id: the event's source, the speaker; comention: the smaller id", not_null=True),
    Column("target", "TEXT", "actor id: the event's target, the actor spoken about; comention: the larger id", not_null=True),
    Column("weight", "REAL", "occurrences that count, each by its confidence (<= 1): events neither negated nor"
                             " hypothetical, quotes, co-mention sentences", not_null=True),
    Column("count", "INTEGER", "every occurrence, negated and hypothetical events included", not_null=True),
    Column("negated", "INTEGER", "negated events", not_null=True),
    Column("hypothetical", "INTEGER", "hypothetical (conditional, future, modal) events", not_null=True),
    Column("score", "REAL", "events: the type's cooperation-conflict score in [-10, 10]; else null"),
    Column("polarity", "REAL", "quotes: the speaker's mean stance towards the target in [-1, 1] (weighted by the"
                               " stances' confidence), null if none"),
    Column("articles", "INTEGER", "articles with this edge", not_null=True),
    Column("first_seen", "TEXT", "earliest `published` of those articles"),
    Column("last_seen", "TEXT", "latest `published` of those articles"),
    Column("evidence", "JSON", f"[{{article, start, end}}]: the first span in each article, at most {EDGE_EVIDENCE_CAP}", not_null=True),
)
ARTICLE_COLUMNS = (
    Column("article_rowid", "INTEGER", "articles.rowid", not_null=True),
    Column("article", "TEXT", "the article id", not_null=True),
    Column("published", "TEXT", "the article's `published`"),
    Column("outlet", "TEXT", "the article's `outlet`"),
)
MENTION_COLUMNS = (
    *ARTICLE_COLUMNS,
    Column("level", "TEXT", "actor | state", not_null=True),
    Column("actor", "TEXT", "actor id (state level: the state)", not_null=True),
    Column("name", "TEXT", "the actor's name"),
    Column("kind", "TEXT", "the actor's kind"),
    Column("country", "TEXT", "the state it acts for"),
    Column("mentions", "INTEGER", "mentions in this article", not_null=True),
)
EVIDENCE_COLUMNS = (
    *ARTICLE_COLUMNS,
    *(c for c in EDGE_COLUMNS if c.name not in ("articles", "first_seen", "last_seen", "evidence")),
    Column("evidence", "JSON", f"[{{start, end}}] in the article's text: event sentences, quote content, co-mention"
                               f" sentences; at most {ARTICLE_EVIDENCE_CAP}", not_null=True),
)

# Per-article rows (what one article says) are aggregated at query time, so that filters by date,
# outlet or narrative need no recomputation; the whole-corpus graph is rebuilt from them after
# every update. The covering indexes on graph_edges serve an actor's neighbourhood from either end.
TABLES = (
    TableSpec("graph_nodes", NODE_COLUMNS, "Actors of the whole corpus, at actor and state level.", graph_role="nodes",
              unique=(("level", "id"),)),
    TableSpec("graph_edges", EDGE_COLUMNS, "Edges of the whole corpus: events, quotes, co-mentions.", graph_role="edges",
              unique=(("level", "kind", "type", "source", "target"),),
              indexes=(Index("graph_edges_source", ("level", "source", "kind", "type", "target", "weight", "count",
                                                    "articles")),
                       Index("graph_edges_target", ("level", "target", "kind", "type", "source", "weight", "count",
                                                    "articles")))),
    TableSpec("graph_mentions", MENTION_COLUMNS, "Per article: each actor and its mention count.",
              indexes=(Index("graph_mentions_article", ("article_rowid",)),
                       Index("graph_mentions_published", ("published",)),
                       Index("graph_mentions_actor", ("level", "actor")))),
    TableSpec("graph_edge_evidence", EVIDENCE_COLUMNS, "Per article: each edge with its count and evidence spans.",
              indexes=(Index("graph_edge_evidence_article", ("article_rowid",)),
                       Index("graph_edge_evidence_edge", ("level", "kind", "source", "target")),
                       Index("graph_edge_evidence_published", ("published",)),
                       Index("graph_edge_evidence_target", ("level", "kind", "target")))),
)
MIGRATIONS = MigrationSet(NAME, (Migration("tables", tables=TABLES),))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: split after . ! ? … (and closing quotes) before whitespace, and at line breaks."""
    spans, start = [], 0
    for match in SENTENCE_END.finditer(text):
        end = match.end(1) if match.group(1) else match.start()
        if end > start:
            spans.append((start, end))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


#: Actor kinds that roll up to the state they act for at the state level (a state is itself).
ROLLS_UP = ACTING_KINDS
_STATE_CODE = re.compile(r"[A-Z]{3}")


def _state_of(actor: dict[str, Any]) -> str | None:
    """The state an actor stands for at the state level: a state itself, a person or organisation
    its ``country``; None for armed groups, places and actors with no state."""
    kind = actor.get("kind")
    state = actor["id"] if kind == "state" else actor.get("country") if kind in ROLLS_UP else None
    return state if isinstance(state, str) and _STATE_CODE.fullmatch(state) else None


def _confidence(fact: dict[str, Any]) -> float:
    """A fact's confidence for weighting: its ``confidence``, else 1 (records made before confidences)."""
    value = fact.get("confidence")
    return min(1.0, max(0.0, float(value))) if isinstance(value, int | float) else 1.0


@dataclass
class _Edge:
    count: int = 0
    weight: float = 0.0
    negated: int = 0
    hypothetical: int = 0
    score: float | None = None
    #: (polarity, weight) of each stance behind a quote edge
    polarities: list[tuple[float, float]] = field(default_factory=list)
    evidence: list[dict[str, int]] = field(default_factory=list)

    def add(self, start: int, end: int, *, counts: bool = True, confidence: float = 1.0, negated: bool = False,
            hypothetical: bool = False, polarity: tuple[float, float] | None = None) -> None:
        self.count += 1
        self.weight += confidence if counts else 0.0
        self.negated += int(negated)
        self.hypothetical += int(hypothetical)
        if polarity is not None:
            self.polarities.append(polarity)
        span = {"start": start, "end": end}
        if len(self.evidence) < ARTICLE_EVIDENCE_CAP and span not in self.evidence:
            self.evidence.append(span)


#: Actor id prefixes of the kinds that roll up, for an event end the record does not list among its actors.
_ID_KINDS = {"person:": "person", "org:": "organization"}


def _kind_of(actor_id: str, actor: dict[str, Any] | None) -> str | None:
    """An actor's kind: from the record, else from its id (a state code, ``person:``, ``org:``)."""
    if actor is not None:
        return actor.get("kind")
    if _STATE_CODE.fullmatch(actor_id):
        return "state"
    return next((kind for prefix, kind in _ID_KINDS.items() if actor_id.startswith(prefix)), None)


def _event_state(stated: Any, rolled_up: str | None, actor: dict[str, Any] | None, actor_id: str = "") -> str | None:
    """The state an event's end stands for: the event's own ``source_state``/``target_state`` when
    it is a state code and the actor may roll up (not an armed group, a place or an end of unknown
    kind), else the actor's."""
    if _kind_of(actor_id, actor) not in ROLLS_UP | {"state"}:
        return None
    if isinstance(stated, str) and _STATE_CODE.fullmatch(stated):
        return stated
    return rolled_up


def article_graph_rows(record: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The mention rows and edge rows of one article record (without the article columns)."""
    actors = {a["id"]: a for a in record.get("actors") or []}
    state_of = {aid: _state_of(a) for aid, a in actors.items()}
    mentions: list[dict[str, Any]] = []
    state_mentions: dict[str, int] = defaultdict(int)
    state_names: dict[str, str] = {}
    for aid, actor in actors.items():
        n = len(actor.get("mentions") or [])
        mentions.append({"level": "actor", "actor": aid, "name": actor.get("name"), "kind": actor.get("kind"),
                         "country": actor.get("country"), "mentions": n})
        state = state_of[aid]
        if state:
            state_mentions[state] += n
            if actor.get("kind") == "state":
                state_names[state] = actor.get("name") or state
    for state, n in state_mentions.items():
        mentions.append({"level": "state", "actor": state, "name": state_names.get(state, state), "kind": "state",
                         "country": None, "mentions": n})

    edges: dict[tuple[str, str, str, str, str], _Edge] = defaultdict(_Edge)

    def both_levels(kind: str, type_: str, source: str, target: str, source_state: str | None,
                    target_state: str | None) -> Iterator[_Edge]:
        yield edges[("actor", kind, type_, source, target)]
        # Between states only: two actors of one state (or a state and its own people) are domestic.
        if source_state and target_state and source_state != target_state:
            yield edges[("state", kind, type_, source_state, target_state)]

    for event in record.get("events") or []:
        source, target, type_ = event.get("source"), event.get("target"), event.get("type")
        if not source or not target or not type_ or source == target:
            continue
        source_state = _event_state(event.get("source_state"), state_of.get(source), actors.get(source), source)
        target_state = _event_state(event.get("target_state"), state_of.get(target), actors.get(target), target)
        negated, hypothetical = bool(event.get("negated")), bool(event.get("hypothetical"))
        for edge in both_levels("event", type_, source, target, source_state, target_state):
            edge.score = PLOVER_SCORES.get(type_)
            edge.add(event["start"], event["end"], counts=not (negated or hypothetical), confidence=_confidence(event),
                     negated=negated, hypothetical=hypothetical)

    stance = {(s["holder"], s["target"]): (float(s["polarity"]), _confidence(s)) for s in record.get("stances") or []
              if s.get("holder") and s.get("target") and s.get("polarity") is not None}
    for quote in record.get("quotes") or []:
        speaker = quote.get("speaker_actor")
        if not speaker:
            continue
        start, end = quote["start"], quote["end"]
        for aid, actor in actors.items():
            if aid == speaker or not any(start <= m["start"] and m["end"] <= end for m in actor.get("mentions") or []):
                continue
            for edge in both_levels("quote", "quote", speaker, aid, state_of.get(speaker), state_of.get(aid)):
                edge.add(start, end, confidence=_confidence(quote), polarity=stance.get((speaker, aid)))

    sentences = sentence_spans(record.get("text") or "")
    starts = [s for s, _ in sentences]
    # sentence index -> actor id -> its best mention confidence in that sentence
    in_sentence: dict[int, dict[str, float]] = defaultdict(dict)
    for aid, actor in actors.items():
        for m in actor.get("mentions") or []:
            index = bisect_right(starts, m["start"]) - 1
            if index >= 0:
                present = in_sentence[index]
                present[aid] = max(present.get(aid, 0.0), _confidence(m))
    for index in sorted(in_sentence):
        present = in_sentence[index]
        if len(present) < 2:
            continue
        start, end = sentences[index]
        pairs: dict[tuple[str, str, str], float] = {}
        names = sorted(present)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                weight = min(present[a], present[b])
                pairs[("actor", a, b)] = weight
                sa, sb = state_of.get(a), state_of.get(b)
                if sa and sb and sa != sb:
                    low, high = sorted((sa, sb))
                    pairs[("state", low, high)] = max(pairs.get(("state", low, high), 0.0), weight)
        for (level, a, b), weight in pairs.items():
            edges[(level, "comention", "sentence", a, b)].add(start, end, confidence=weight)

    edge_rows = []
    for (level, kind, type_, source, target), edge in edges.items():
        total = sum(w for _, w in edge.polarities)
        polarity = (sum(p * w for p, w in edge.polarities) / total if total > 0
                    else sum(p for p, _ in edge.polarities) / len(edge.polarities) if edge.polarities else None)
        edge_rows.append({"level": level, "kind": kind, "type": type_, "source": source, "target": target,
                          "count": edge.count, "weight": round(edge.weight, 4), "negated": edge.negated,
                          "hypothetical": edge.hypothetical, "score": edge.score,
                          "polarity": None if polarity is None else round(polarity, 4),
                          "evidence": json.dumps(edge.evidence)})
    return mentions, edge_rows


# -- the derived table ----------------------------------------------------------------------------

MENTION_INSERT = (
    "INSERT INTO graph_mentions (article_rowid, article, published, outlet, level, actor, name, kind, country,"
    " mentions) VALUES (:article_rowid, :article, :published, :outlet, :level, :actor, :name, :kind, :country,"
    " :mentions)")
EVIDENCE_INSERT = (
    "INSERT INTO graph_edge_evidence (article_rowid, article, published, outlet, level, kind, type, source, target,"
    " count, weight, negated, hypothetical, score, polarity, evidence) VALUES (:article_rowid, :article, :published,"
    " :outlet, :level, :kind, :type, :source, :target, :count, :weight, :negated, :hypothetical, :score, :polarity,"
    " :evidence)")


class GraphAnalysis:
    """The ``graph`` corpus analysis (see the module docstring)."""

    name = NAME
    version = VERSION
    tables = TABLES
    migrations = MIGRATIONS
    inputs = ("articles.actors", "articles.events", "articles.quotes", "articles.stances", "articles.text",
              "articles.published", "articles.outlet")

    def update(self, store: Store, settings: Settings, *, full: bool = False,
               progress: Callable[[int], Iterator[object]] | None = None) -> dict[str, Any]:
        def add(batch: list[tuple[int, dict[str, Any]]]) -> None:
            mention_rows, edge_rows = [], []
            for rowid, record in batch:
                article = {"article_rowid": rowid, "article": record["id"], "published": record.get("published"),
                           "outlet": record.get("outlet")}
                mentions, edges = article_graph_rows(record)
                mention_rows += [{**article, **m} for m in mentions]
                edge_rows += [{**article, **e} for e in edges]
            store.conn.executemany(MENTION_INSERT, mention_rows)
            store.conn.executemany(EVIDENCE_INSERT, edge_rows)

        run = update_incrementally(
            store, name=NAME, version=VERSION, inputs={"fields": list(self.inputs), "plover_scores": PLOVER_SCORES},
            full=full, tables=("graph_mentions", "graph_edge_evidence"), add=add,
            finish=lambda: rebuild_aggregates(store), batch_size=BATCH_ARTICLES, progress=progress)
        counts = dict(store.conn.execute("SELECT level || ' ' || kind, COUNT(*) FROM graph_edges GROUP BY 1"))
        return {"analysis": NAME, "full": run.full, "articles_added": run.added, "articles_removed": run.removed,
                "articles": run.articles, "watermark": run.watermark,
                "nodes": dict(store.conn.execute("SELECT level, COUNT(*) FROM graph_nodes GROUP BY level")),
                "edges": counts}


# -- aggregation: the whole graph and filtered graphs ----------------------------------------------

@dataclass(frozen=True)
class GraphFilters:
    """Which articles' rows make the graph: ``since``/``until`` as in ``Filters`` (inclusive)."""

    since: str | None = None
    until: str | None = None
    outlet: str | None = None
    narrative: str | None = None

    def where(self, store: Store) -> tuple[str, list[Any]]:
        from ..store import date_bounds

        clauses, params = [], []
        if self.since:
            clauses.append("published >= ?")
            params.append(date_bounds(self.since, option="--since")[0])
        if self.until:
            clauses.append("published < ?")
            params.append(date_bounds(self.until, option="--until")[1])
        if self.outlet:
            clauses.append("outlet = ? COLLATE NOCASE")
            params.append(self.outlet)
        if self.narrative:
            column, article_column = narrative_columns(store)
            clauses.append(f"article IN (SELECT {article_column} FROM narrative_members WHERE {column} = ?)")
            params.append(self.narrative)
        return " AND ".join(clauses) or "1", params


def narrative_columns(store: Store) -> tuple[str, str]:
    """(narrative column, article id column) of the narratives analysis's ``narrative_members``."""
    columns = [name for _cid, name, *_rest in store.conn.execute("PRAGMA table_info(narrative_members)")]
    if not columns:
        raise UsageError("cannot filter by narrative: this store has no narratives (table narrative_members);"
                         " run `narrascope narratives` first")
    narrative = next((c for c in ("narrative", "narrative_id") if c in columns), None)
    article = next((c for c in ("article", "article_id") if c in columns), None)
    if narrative is None or article is None:
        raise UsageError(f"cannot filter by narrative: narrative_members has columns {columns}, expected"
                         " narrative and article")
    return narrative, article


NODE_SELECT = (
    "SELECT level, actor, MAX(name), MAX(kind), MAX(country), COUNT(DISTINCT article), SUM(mentions),"
    " MIN(published), MAX(published) FROM graph_mentions WHERE {where} GROUP BY level, actor ORDER BY level, actor")
EDGE_SELECT = (
    "SELECT level, kind, type, source, target, SUM(weight), SUM(count), SUM(negated), SUM(hypothetical), MAX(score),"
    " ROUND(SUM(polarity * weight) / SUM(CASE WHEN polarity IS NOT NULL THEN weight END), 4),"
    " COUNT(DISTINCT article), MIN(published), MAX(published),"
    " json_group_array(json_object('article', article, 'start', json_extract(evidence, '$[0].start'),"
    " 'end', json_extract(evidence, '$[0].end'))) FILTER (WHERE rn <= {cap})"
    " FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY level, kind, type, source, target"
    " ORDER BY published, article_rowid) AS rn FROM graph_edge_evidence WHERE {where})"
    " GROUP BY level, kind, type, source, target ORDER BY level, kind, type, source, target")


def rebuild_aggregates(store: Store) -> None:
    """Recompute ``graph_nodes`` and ``graph_edges`` from the per-article rows (inside a transaction)."""
    store.conn.execute("DELETE FROM graph_nodes")
    store.conn.execute("DELETE FROM graph_edges")
    store.conn.execute(
        "INSERT INTO graph_nodes (level, id, name, kind, country, articles, mentions, first_seen, last_seen) "
        + NODE_SELECT.format(where="1"))
    store.conn.execute(
        "INSERT INTO graph_edges (level, kind, type, source, target, weight, count, negated, hypothetical, score,"
        " polarity, articles, first_seen, last_seen, evidence) " + EDGE_SELECT.format(where="1", cap=EDGE_EVIDENCE_CAP))


@dataclass
class ActorGraph:
    """Nodes and edges as dicts with the documented columns of ``graph_nodes`` and ``graph_edges``."""

    level: str
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "nodes": self.nodes, "edges": self.edges}


def actor_graph(store: Store, *, level: str = "actor", kinds: Iterable[str] | None = None,
                filters: GraphFilters = GraphFilters(), min_weight: float = 0.0) -> ActorGraph:
    """The graph of the articles ``filters`` select, from the stored per-article rows.

    Run ``GraphAnalysis().update`` first (``narrascope graph`` does) so new articles are in.
    """
    if level not in LEVELS:
        raise UsageError(f"unknown graph level {level!r}; levels: {', '.join(LEVELS)}")
    kinds = tuple(kinds) if kinds else EDGE_KINDS
    unknown = [k for k in kinds if k not in EDGE_KINDS]
    if unknown:
        raise UsageError(f"unknown edge kind {unknown[0]!r}; kinds: {', '.join(EDGE_KINDS)}")
    where, params = filters.where(store)
    where = f"level = ? AND {where}"
    node_names = [c.name for c in NODE_COLUMNS]
    edge_names = [c.name for c in EDGE_COLUMNS]
    nodes = [dict(zip(node_names, row, strict=True))
             for row in store.conn.execute(NODE_SELECT.format(where=where), [level, *params])]
    kind_clause = f" AND kind IN ({','.join('?' * len(kinds))})"
    edges = []
    for row in store.conn.execute(EDGE_SELECT.format(where=where + kind_clause, cap=EDGE_EVIDENCE_CAP),
                                  [level, *params, *kinds]):
        edge = dict(zip(edge_names, row, strict=True))
        if edge["weight"] < min_weight or (edge["weight"] == 0 and min_weight > 0):
            continue
        edge["evidence"] = json.loads(edge["evidence"])
        edges.append(edge)
    known = {n["id"] for n in nodes}
    for edge in edges:  # an endpoint the article did not list among its actors still gets a node
        for end in (edge["source"], edge["target"]):
            if end not in known:
                known.add(end)
                nodes.append({"level": level, "id": end, "name": end, "kind": None, "country": None,
                              "articles": 0, "mentions": 0, "first_seen": None, "last_seen": None})
    return ActorGraph(level, nodes, edges)


def update_and_build(store: Store, settings: Settings, *, update: bool = True, full: bool = False,
                     progress: Callable[[int], Iterator[object]] | None = None, level: str = "actor",
                     kinds: Iterable[str] | None = None, filters: GraphFilters = GraphFilters(),
                     min_weight: float = 0.0) -> tuple[dict[str, Any] | None, ActorGraph]:
    """Bring the graph tables up to date (unless ``update`` is off), then build the filtered graph."""
    summary = GraphAnalysis().update(store, settings, full=full, progress=progress) if update else None
    return summary, actor_graph(store, level=level, kinds=kinds, filters=filters, min_weight=min_weight)


@hookimpl
def narrascope_analyses() -> list[GraphAnalysis]:
    return [GraphAnalysis()]


