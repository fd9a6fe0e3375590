"""The actor graph on real stores: the seeds' gold events as typed state edges, GEXF read back with
networkx, filters by date, outlet and narrative, and incremental updates equal to a full recompute."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from conftest import copy_store, ingest_jsonl, run_cli
from narrascope import api
from narrascope.corpus.graph import (
    PLOVER_SCORES,
    GraphAnalysis,
    GraphFilters,
    actor_graph,
    article_graph_rows,
    sentence_spans,
)
from narrascope.settings import load_settings
from narrascope.store import open_store

GOLD = json.loads((Path(__file__).parent / "data" / "seeds_analysis_gold.json").read_text())

FILLER = ("\n\nOfficials said the talks would continue over the coming months, and both governments described"
          " the outcome of the negotiations as a sign of a lasting and practical working relationship.")
ARTICLES = [
    {"url": "https://alpha.example/1", "title": "Trade talks", "outlet": "Alpha", "published": "2024-01-10",
     "text": "Russia and China signed a long trade agreement on Wednesday after months of talks." + FILLER},
    {"url": "https://beta.example/2", "title": "Border meeting", "outlet": "Beta", "published": "2024-03-05",
     "text": "France and Germany held a meeting on border policy on Tuesday." + FILLER},
]
THIRD = {"url": "https://alpha.example/3", "title": "More talks", "outlet": "Alpha", "published": "2024-03-20",
         "text": "Russia and China met again to review the trade agreement." + FILLER}


def graph_json(db: Path, *args: str) -> dict:
    result = run_cli("graph", "--db", str(db), "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def edge_keys(graph: dict, kind: str | None = None) -> set[tuple[str, str, str]]:
    return {(e["source"], e["target"], e["type"]) for e in graph["edges"] if kind is None or e["kind"] == kind}


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory: pytest.TempPathFactory, seeds_once: Path) -> Path:
    db = tmp_path_factory.mktemp("seeds") / "seeds.db"
    copy_store(seeds_once, db)  # the seeds ingested with the default pipeline, once for the run
    return db


def test_seed_gold_events_are_typed_state_edges(seeds_db: Path) -> None:
    graph = graph_json(seeds_db, "--level", "state", "--kind", "event")
    found = edge_keys(graph, "event")
    for article in GOLD["articles"].values():
        for event in article["events"]["must"]:
            assert (event["source"], event["target"], event["type"]) in found
    edges = {(e["source"], e["target"], e["type"]): e for e in graph["edges"]}
    threaten = edges[("USA", "PRK", "THREATEN")]
    assert threaten["score"] == PLOVER_SCORES["THREATEN"] < 0
    assert edges[("USA", "KOR", "AID")]["score"] > 0
    # evidence points into the article text at the event's sentence
    evidence = threaten["evidence"][0]
    with open_store(seeds_db) as store:
        text = store.get_article(evidence["article"]).text
    assert "fire and fury" in text[evidence["start"]:evidence["end"]]
    # the hypothetical "would meet" CONSULT is counted but carries no weight
    consult = edges[("RUS", "PRK", "CONSULT")]
    assert consult["hypothetical"] >= 1
    # weight: the confidences of the events that count (neither negated nor hypothetical), each <= 1
    assert 0 < consult["weight"] <= consult["count"] - consult["hypothetical"] - consult["negated"]
    assert {e["kind"] for e in graph["edges"]} == {"event"}


def test_seed_graph_has_quote_and_comention_edges(seeds_db: Path) -> None:
    graph = graph_json(seeds_db, "--level", "actor")
    kinds = {e["kind"] for e in graph["edges"]}
    assert kinds == {"event", "quote", "comention"}
    quotes = {(e["source"], e["target"]): e for e in graph["edges"] if e["kind"] == "quote"}
    # Kofman speaks about North Korea; the edge carries the stance the stance stage gave him towards it,
    # if it kept one
    kofman = quotes[("person:michael-kofman", "PRK")]
    stances = {(st["holder"], st["target"]): st["polarity"] for r in api.list_articles(db=seeds_db)
               for st in r.stances}
    expected = stances.get(("person:michael-kofman", "PRK"))
    assert kofman["polarity"] == (None if expected is None else pytest.approx(expected, abs=1e-3))
    for edge in graph["edges"]:
        if edge["kind"] == "comention":
            assert edge["source"] < edge["target"]
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert nodes["person:sergey-lavrov"]["country"] == "RUS" and nodes["RUS"]["mentions"] > 10


def test_gexf_reads_back_in_networkx(seeds_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "seeds.gexf"
    result = run_cli("graph", "--db", str(seeds_db), "--level", "state", "--gexf", str(out), "-q")
    assert result.exit_code == 0, result.output
    graph = graph_json(seeds_db, "--level", "state", "--no-update")
    g = nx.read_gexf(out)
    assert set(g.nodes) == {n["id"] for n in graph["nodes"]}
    assert g.nodes["RUS"]["name"] == "Russia" and g.nodes["RUS"]["kind"] == "state"
    assert g.nodes["PRK"]["mentions"] == next(n["mentions"] for n in graph["nodes"] if n["id"] == "PRK")
    directed = [e for e in graph["edges"] if e["kind"] != "comention"]
    mutual = [e for e in graph["edges"] if e["kind"] == "comention"]
    assert g.number_of_edges() == len(directed) + 2 * len(mutual)  # networkx adds mutual edges both ways
    typed = {(u, v, d["type"]): d for u, v, d in g.edges(data=True) if d["kind"] == "event"}
    agree = typed[("RUS", "PRK", "AGREE")]
    assert agree["score"] == PLOVER_SCORES["AGREE"] and 0 < agree["weight"] <= agree["count"]
    assert ("USA", "KOR", "AID") in typed


def test_filters_by_date_outlet_and_narrative(tmp_path: Path, db: Path) -> None:
    ingest_jsonl(tmp_path, db, ARTICLES)
    everything = edge_keys(graph_json(db, "--level", "state"))
    assert ("CHN", "RUS", "sentence") in everything and ("DEU", "FRA", "sentence") in everything
    spring = edge_keys(graph_json(db, "--level", "state", "--since", "2024-02"))
    assert ("DEU", "FRA", "sentence") in spring and ("CHN", "RUS", "sentence") not in spring
    january = edge_keys(graph_json(db, "--level", "state", "--until", "2024-01"))
    assert ("CHN", "RUS", "sentence") in january and ("DEU", "FRA", "sentence") not in january
    alpha = graph_json(db, "--level", "state", "--outlet", "alpha")
    assert edge_keys(alpha) == {("CHN", "RUS", "sentence")}
    assert {n["id"] for n in alpha["nodes"]} == {"CHN", "RUS"}
    with open_store(db) as store:
        beta_id = store.conn.execute("SELECT id FROM articles WHERE outlet = 'Beta'").fetchone()[0]
        with store.transaction():  # a narrative holding the Beta article, as the narratives analysis writes it
            store.conn.execute(
                "INSERT INTO narrative_members (narrative, article, date, date_source, period, score, evidence)"
                " VALUES (7, ?, '2024-03-05', 'published', '2024-03-04', 1.0, '[]')", (beta_id,))
    assert edge_keys(graph_json(db, "--level", "state", "--narrative", "7")) == {("DEU", "FRA", "sentence")}
    assert graph_json(db, "--narrative", "8")["edges"] == []
    bad = run_cli("graph", "--db", str(db), "--since", "2024-13")
    assert bad.exit_code == 2 and "NS403" in bad.output


def table_rows(store, table: str) -> list[tuple]:
    return sorted(store.conn.execute(f"SELECT * FROM {table}").fetchall())  # noqa: S608


def test_incremental_update_equals_full_recompute(tmp_path: Path, db: Path) -> None:
    ingest_jsonl(tmp_path, db, ARTICLES)
    settings = load_settings()
    with open_store(db) as store:
        first = GraphAnalysis().update(store, settings)
        assert first["full"] and first["articles"] == 2
        weight = actor_graph(store, level="state").edges
        # one sentence names both: it weighs the lesser of the two mentions' confidences (<= 1)
        china_russia = next(e for e in weight if (e["source"], e["target"]) == ("CHN", "RUS"))
        assert china_russia["count"] == 1 and 0.5 <= china_russia["weight"] <= 1
    ingest_jsonl(tmp_path, db, [THIRD], name="third.jsonl")
    # a new version of article 2 (same URL) replaces it: its rows go, the new ones come in
    ingest_jsonl(tmp_path, db, [{**ARTICLES[1], "text": "France and Italy held a meeting on Tuesday." + FILLER}],
                 name="v2.jsonl")
    with open_store(db) as store:
        second = GraphAnalysis().update(store, settings)
        assert not second["full"] and second["articles_added"] == 2 and second["articles_removed"] == 1
        assert second["watermark"] > first["watermark"] and second["articles"] == 3
        edges = {(e["source"], e["target"]): e for e in actor_graph(store, level="state").edges}
        assert edges[("CHN", "RUS")]["count"] == 2 and edges[("CHN", "RUS")]["articles"] == 2
        assert 1 < edges[("CHN", "RUS")]["weight"] <= 2  # two sentences, each weighing its confidence
        assert ("FRA", "ITA") in edges and ("DEU", "FRA") not in edges
        incremental = {t: table_rows(store, t) for t in ("graph_nodes", "graph_edges")}
        evidence = [r[2:] for r in table_rows(store, "graph_edge_evidence")]
        GraphAnalysis().update(store, settings, full=True)
        assert {t: table_rows(store, t) for t in ("graph_nodes", "graph_edges")} == incremental
        assert [r[2:] for r in table_rows(store, "graph_edge_evidence")] == evidence
        assert actor_graph(store, filters=GraphFilters(outlet="Beta")).edges  # the new version keeps its outlet


def test_sentence_spans() -> None:
    text = 'He said "No." Then left!\nNew line here.  Last one'
    spans = [text[s:e] for s, e in sentence_spans(text)]
    assert spans == ['He said "No."', "Then left!", "New line here.", "Last one"]


# -- one hand-made record: what the state level keeps, and weights by confidence -------------------

HAND_TEXT = ("Lavrov accused the Taliban in Kabul. Blinken met Lavrov in Geneva. Biden thanked the State Department."
             " The Pentagon praised Biden.")


def _mention(text: str, word: str, confidence: float, nth: int = 0) -> dict:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return {"start": start, "end": start + len(word), "text": word, "confidence": confidence}


def hand_record() -> dict:
    t = HAND_TEXT
    actors = [
        {"id": "person:sergey-lavrov", "name": "Sergey Lavrov", "kind": "person", "country": "RUS",
         "mentions": [_mention(t, "Lavrov", 0.9), _mention(t, "Lavrov", 0.6, 1)]},
        {"id": "group:taliban", "name": "Taliban", "kind": "group", "country": None, "operates_in": "AFG",
         "mentions": [_mention(t, "Taliban", 0.95)]},
        {"id": "location:geneva", "name": "Geneva", "kind": "location", "country": "CHE",
         "mentions": [_mention(t, "Geneva", 0.9)]},
        {"id": "person:antony-blinken", "name": "Antony Blinken", "kind": "person", "country": "USA",
         "mentions": [_mention(t, "Blinken", 0.8)]},
        {"id": "person:joe-biden", "name": "Joe Biden", "kind": "person", "country": "USA",
         "mentions": [_mention(t, "Biden", 0.9), _mention(t, "Biden", 0.9, 1)]},
        {"id": "org:us-state-department", "name": "State Department", "kind": "organization", "country": "USA",
         "mentions": [_mention(t, "State Department", 0.9)]},
        {"id": "org:pentagon", "name": "Pentagon", "kind": "organization", "country": "USA",
         "mentions": [_mention(t, "Pentagon", 0.9)]},
    ]
    def event(kind: str, source: str, target: str, sentence: str, confidence: float, **states: str) -> dict:
        start = t.index(sentence)
        return {"type": kind, "source": source, "target": target, "start": start, "end": start + len(sentence),
                "text": sentence, "negated": False, "hypothetical": False, "confidence": confidence, **states}
    events = [
        event("ACCUSE", "person:sergey-lavrov", "group:taliban", "Lavrov accused the Taliban in Kabul.", 0.8,
              source_state="RUS", target_state="AFG"),
        event("CONSULT", "person:antony-blinken", "person:sergey-lavrov", "Blinken met Lavrov in Geneva.", 0.7,
              source_state="USA", target_state="RUS"),
        event("SUPPORT", "person:joe-biden", "org:us-state-department", "Biden thanked the State Department.", 0.9,
              source_state="USA", target_state="USA"),
        event("SUPPORT", "org:pentagon", "person:joe-biden", "The Pentagon praised Biden.", 0.6,
              source_state="USA", target_state="USA"),
    ]
    return {"id": "hand", "text": t, "actors": actors, "events": events, "quotes": [], "stances": []}


def test_state_level_has_only_states_and_no_domestic_edges() -> None:
    mentions, edges = article_graph_rows(hand_record())
    state_nodes = {m["actor"] for m in mentions if m["level"] == "state"}
    # Lavrov rolls up to Russia, Blinken, Biden and US bodies to the USA; the Taliban (an armed group
    # operating in Afghanistan) and Geneva (a place) are no state's actors.
    assert state_nodes == {"RUS", "USA"}
    state_edges = {(e["kind"], e["source"], e["target"]) for e in edges if e["level"] == "state"}
    assert ("event", "USA", "RUS") in state_edges
    assert not any(s == t for _, s, t in state_edges)  # no USA -> USA
    assert not any("AFG" in (s, t) or "CHE" in (s, t) for _, s, t in state_edges)
    # the actor level keeps every event, the domestic ones included
    actor_events = {(e["source"], e["target"]) for e in edges if e["level"] == "actor" and e["kind"] == "event"}
    assert ("person:joe-biden", "org:us-state-department") in actor_events
    assert ("person:sergey-lavrov", "group:taliban") in actor_events


def test_weights_count_facts_by_their_confidence() -> None:
    _, edges = article_graph_rows(hand_record())
    by_key = {(e["level"], e["kind"], e["source"], e["target"]): e for e in edges}
    consult = by_key[("actor", "event", "person:antony-blinken", "person:sergey-lavrov")]
    assert consult["count"] == 1 and consult["weight"] == pytest.approx(0.7)
    # a co-mention weighs the lesser of the two actors' best mentions in the sentence (Blinken 0.8, Lavrov 0.6)
    comention = by_key[("actor", "comention", "person:antony-blinken", "person:sergey-lavrov")]
    assert comention["weight"] == pytest.approx(0.6)
    # a record from before confidences (no field) weighs 1 per fact
    record = hand_record()
    for e in record["events"]:
        del e["confidence"]
    _, edges = article_graph_rows(record)
    consult = next(e for e in edges if e["level"] == "actor" and e["type"] == "CONSULT")
    assert consult["weight"] == 1.0
