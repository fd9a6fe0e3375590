"""The actor page and /api/actors/{id}: quotes about the actor, events by type, stance over time, neighbourhood.

A real store: the two seed op-eds ingested through the pipeline, plus hand-written article
records (stored through ``Store.add_article``, so every trigger runs) whose actors, quotes,
events and stances are known, so the expectations below are computed from them. One copy of
the store has the actor graph computed (``narrascope graph``), the other not. The app is the
real Starlette app through its TestClient.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import defaultdict
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from conftest import SEEDS, run_cli
from narrascope import api
from narrascope.model import Article
from narrascope.settings import load_settings
from narrascope.store import open_store
from narrascope.web.app import create_app

HOSTILE = '<script>alert("x")</script> Mallory & Co'
QUOTE = "Xavonia must lift the blockade of the port now."
#: (published, the author's polarity towards Xavonia, Ana Berg's polarity towards Xavonia)
STORIES = [("2024-01-10", -0.2, -0.8), ("2024-01-25", 0.0, -0.6), ("2024-02-15", 0.4, -0.4),
           ("2024-03-20", 0.6, -0.2), ("2024-05-05", 0.2, 0.5)]
#: The author's stance towards Zembla, in the first two stories only (a span of 15 days: weeks).
ZEMBLA_STANCE = {0: -0.5, 1: 0.3}


def story(i: int, published: str, author: float, berg: float) -> Article:
    """One hand-written article with its actors, a quote about Xavonia, three events and stances."""
    sentences = [f"Ana Berg said: \u201c{QUOTE}\u201d",
                 "Zembla accused Xavonia of breaking the truce.",
                 "Xavonia signed a trade deal with the Trade Bloc.",
                 f"{HOSTILE} praised Xavonia in the same breath."]
    text = f"Story {i}. " + " ".join(sentences)

    def spans(needle: str) -> list[dict[str, Any]]:
        return [{"start": m.start(), "end": m.end(), "text": needle} for m in re.finditer(re.escape(needle), text)]

    def sentence(k: int) -> tuple[int, int]:
        start = text.index(sentences[k])
        return start, start + len(sentences[k])

    actors = [
        {"id": "XAV", "name": "Xavonia", "kind": "state", "country": "XAV", "role": None, "mentions": spans("Xavonia")},
        {"id": "ZEM", "name": "Zembla", "kind": "state", "country": "ZEM", "role": None, "mentions": spans("Zembla")},
        {"id": "person:ana-berg", "name": "Ana Berg", "kind": "person", "country": "ZEM", "role": "envoy",
         "mentions": spans("Ana Berg")},
        {"id": "org:trade-bloc", "name": "the Trade Bloc", "kind": "organization", "country": None, "role": None,
         "mentions": spans("the Trade Bloc")},
        {"id": "person:hostile", "name": HOSTILE, "kind": "person", "country": "XAV", "role": None,
         "mentions": spans(HOSTILE)},
    ]
    q_start = text.index(QUOTE)
    quotes = [{"speaker": "Ana Berg", "speaker_actor": "person:ana-berg", "speaker_role": "envoy",
               "speaker_span": {"start": text.index("Ana Berg"), "end": text.index("Ana Berg") + 8}, "cue": "said",
               "content": QUOTE, "start": q_start, "end": q_start + len(QUOTE), "direct": True, "anonymous": False}]
    events = []
    for k, (type_, source, target) in ((1, ("ACCUSE", "ZEM", "XAV")), (2, ("AGREE", "XAV", "org:trade-bloc")),
                                       (3, ("SUPPORT", "person:hostile", "XAV"))):
        start, end = sentence(k)
        events.append({"type": type_, "source": source, "target": target, "start": start, "end": end,
                       "text": text[start:end], "negated": False, "hypothetical": False})
    stances = [{"holder": "author", "target": "XAV", "polarity": author, "evidence": [dict(zip(
                   ("start", "end"), sentence(2), strict=True))]},
               {"holder": "person:ana-berg", "target": "XAV", "polarity": berg,
                "evidence": [{"start": q_start, "end": q_start + len(QUOTE)}]}]
    if i in ZEMBLA_STANCE:
        stances.append({"holder": "author", "target": "ZEM", "polarity": ZEMBLA_STANCE[i],
                        "evidence": [dict(zip(("start", "end"), sentence(1), strict=True))]})
    return Article(id=f"{0xa0c7 + i:04x}{i:012d}", source={"kind": "jsonl", "location": f"actor-test.jsonl:{i + 1}"},
                   text=text, title=f"Xavonia story {i}", url=f"https://example.org/xavonia/{i}", outlet="Test Wire",
                   published=published, language="en", genre="reporting", actors=actors, quotes=quotes,
                   events=events, stances=stances, pipeline={"version": "test", "stages": []})


ARTICLES = [story(i, *s) for i, s in enumerate(STORIES)]


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(store without the actor graph, copy with it)."""
    folder = tmp_path_factory.mktemp("actor")
    inputs = folder / "inputs"
    shutil.copytree(SEEDS, inputs)
    scan = folder / "scan.db"
    report = api.ingest([str(inputs)], db=scan, settings=load_settings())
    assert len(report.stored) == 2 and not report.rejected
    with open_store(scan, load_settings()) as store:
        with store.transaction():
            assert all(store.add_article(Article.from_record(a.to_record())) for a in ARTICLES)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    graph = folder / "graph.db"
    shutil.copy(scan, graph)
    result = run_cli("graph", "--db", str(graph), "--quiet")
    assert result.exit_code == 0, result.output
    return scan, graph


@pytest.fixture(scope="module")
def client(stores: tuple[Path, Path]) -> TestClient:
    return TestClient(create_app(stores[1]), base_url="http://127.0.0.1")


@pytest.fixture(scope="module")
def scan_client(stores: tuple[Path, Path]) -> TestClient:
    return TestClient(create_app(stores[0]), base_url="http://127.0.0.1")


def actor(client: TestClient, actor_id: str, **params: str) -> dict[str, Any]:
    response = client.get(f"/api/actors/{actor_id}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def month_means(values: list[tuple[str, float]]) -> dict[str, tuple[float, int]]:
    grouped: dict[str, list[float]] = defaultdict(list)
    for published, value in values:
        grouped[published[:7]].append(value)
    return {m: (sum(v) / len(v), len(v)) for m, v in grouped.items()}


class Canvas(HTMLParser):
    """The data-chart configurations and the SVG node links of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.charts: list[dict[str, Any]] = []
        self.nodes: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "canvas" and "chart" in (a.get("class") or "").split():
            self.charts.append(json.loads(a["data-chart"] or "{}"))
        if tag == "a" and "node" in (a.get("class") or "").split():
            self.nodes[a["data-actor"] or ""] = a["href"] or ""


def parsed(html: str) -> Canvas:
    canvas = Canvas()
    canvas.feed(html)
    return canvas


# -- quotes about the actor ----------------------------------------------------------------------

@pytest.mark.parametrize("which", ["graph", "scan"])
def test_quotes_about_the_actor_by_others(client: TestClient, scan_client: TestClient, which: str) -> None:
    body = actor(client if which == "graph" else scan_client, "XAV")
    assert body["from"] == which
    about = [q for q in body["quotes_about"] if q["article"]["id"] in {a.id for a in ARTICLES}]
    # One per hand-written story, newest first, by Ana Berg, with her stance towards Xavonia.
    assert [q["article"]["published"] for q in about] == sorted((s[0] for s in STORIES), reverse=True)
    assert {q["content"] for q in about} == {QUOTE}
    assert {q["speaker_actor"] for q in about} == {"person:ana-berg"}
    assert {q["speaker_name"] for q in about} == {"Ana Berg"}
    polarity = {s[0]: s[2] for s in STORIES}
    assert all(q["polarity"] == polarity[q["article"]["published"]] for q in about)
    # Offsets point at the quote in the article's text.
    record = client.get(f"/api/articles/{about[0]['article']['id']}").json()
    assert record["text"][about[0]["start"]:about[0]["end"]] == QUOTE
    # Ana Berg's quote names Xavonia, not Zembla; nor is a speaker's own quote "about" them.
    assert actor(client, "ZEM")["quotes_about"] == []
    assert actor(client, "person:ana-berg")["quotes_about"] == []


def test_quotes_about_on_the_page_link_the_speaker_and_the_span(client: TestClient) -> None:
    html = client.get("/actors/XAV").text
    section = html[html.index('id="actor-quotes-about"'):html.index('id="actor-events"')]
    assert section.count(f"<q>{QUOTE}</q>") == len(STORIES)
    assert 'href="/actors/person%3Aana-berg">Ana Berg</a>' in section or \
        'href="/actors/person:ana-berg">Ana Berg</a>' in section
    first = actor(client, "XAV")["quotes_about"][0]
    assert f'href="/articles/{first["article"]["id"]}?hl={first["start"]}-{first["end"]}"' in section


# -- events by type ------------------------------------------------------------------------------

def test_events_grouped_by_type_with_names_counts_and_spans(client: TestClient) -> None:
    body = actor(client, "XAV")
    as_target = {g["type"]: g for g in body["events_by_type"]["as_target"]}
    as_source = {g["type"]: g for g in body["events_by_type"]["as_source"]}
    assert as_target["ACCUSE"]["count"] == len(STORIES) and as_target["ACCUSE"]["score"] < 0
    assert {e["source_name"] for e in as_target["ACCUSE"]["items"]} == {"Zembla"}
    assert {e["source_name"] for e in as_target["SUPPORT"]["items"]} == {HOSTILE}
    assert as_source["AGREE"]["count"] == len(STORIES) and as_source["AGREE"]["score"] > 0
    assert {e["target_name"] for e in as_source["AGREE"]["items"]} == {"the Trade Bloc"}
    # The page: type headings, the other actor by name, the evidence text, a link to the span.
    html = client.get("/actors/XAV").text
    events = html[html.index('id="actor-events"'):html.index('id="actor-articles"')]
    assert "<b>ACCUSE</b>" in events and "<b>AGREE</b>" in events and "<b>SUPPORT</b>" in events
    assert '<a href="/actors/ZEM">Zembla</a>' in events
    item = as_target["ACCUSE"]["items"][0]
    assert "Zembla accused Xavonia of breaking the truce." in events
    assert f'href="/articles/{item["article"]["id"]}?hl={item["start"]}-{item["end"]}"' in events


# -- stance over time ----------------------------------------------------------------------------

def test_stance_series_per_month_for_authors_and_quoted_actors(client: TestClient) -> None:
    series = actor(client, "XAV")["stance_series"]
    assert series["granularity"] == "month"
    assert series["periods"] == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]
    for holder, column in (("author", 1), ("quoted", 2)):
        expected = month_means([(s[0], s[column]) for s in STORIES])
        line = next(s for s in series["series"] if s["holder"] == holder)
        for i, period in enumerate(series["periods"]):
            mean, n = expected.get(period, (None, 0))
            assert line["count"][i] == n
            assert line["mean"][i] == (None if mean is None else pytest.approx(mean, abs=1e-4))
    assert series["stances"] == 2 * len(STORIES)


def test_stance_chart_on_the_page_carries_the_series(client: TestClient) -> None:
    html = client.get("/actors/XAV").text
    series = actor(client, "XAV")["stance_series"]
    charts = parsed(html).charts
    assert len(charts) == 1
    chart = charts[0]
    assert chart["type"] == "line" and chart["data"]["labels"] == series["periods"]
    by_label = {d["label"]: d for d in chart["data"]["datasets"]}
    assert by_label["authors"]["data"] == series["series"][0]["mean"]
    assert by_label["quoted actors"]["data"] == series["series"][1]["mean"]
    # The number of stances per period: bars on a second axis.
    assert by_label["stances"]["data"] == [a + b for a, b in zip(series["series"][0]["count"],
                                                                  series["series"][1]["count"], strict=True)]
    assert by_label["stances"]["yAxisID"] == "count" and "count" in chart["options"]["scales"]
    # The polarity lines are drawn on the polarity axis (-1..1), never on the count axis.
    assert by_label["authors"]["yAxisID"] == by_label["quoted actors"]["yAxisID"] == "y"
    assert chart["options"]["scales"]["y"]["min"] == -1 and chart["options"]["scales"]["y"]["max"] == 1
    assert '<script src="/static/charts.js" defer></script>' in html


def test_stance_means_weigh_each_stance_by_its_confidence(tmp_path: Path) -> None:
    from narrascope.web.actor_view import stance_series

    def article(i: int, polarity: float, confidence: float | None) -> Article:
        text = f"Story {i}: Xavonia and its neighbours met again to talk about the border and trade."
        stance: dict[str, Any] = {"holder": "author", "target": "XAV", "polarity": polarity,
                                  "evidence": [{"start": 0, "end": len(text)}]}
        if confidence is not None:
            stance["confidence"] = confidence
        return Article(id=f"{0xc0f1 + i:04x}{i:012d}", source={"kind": "jsonl", "location": f"w.jsonl:{i}"},
                       text=text, title=f"Weighted {i}", published="2024-06-03", language="en", stances=[stance],
                       pipeline={"version": "test", "stages": []})

    with open_store(tmp_path / "weights.db", load_settings()) as store:
        with store.transaction():
            for a in (article(0, 1.0, 0.9), article(1, -1.0, 0.1), article(2, 0.5, None)):
                assert store.add_article(a)
        line = stance_series(store, "XAV")["series"][0]
    # (1.0 * 0.9 - 1.0 * 0.1 + 0.5 * 1) / (0.9 + 0.1 + 1): a stance made before confidences weighs 1
    assert line["count"] == [3]
    assert line["mean"] == [pytest.approx(1.3 / 2.0, abs=1e-4)]


def test_a_short_span_of_stances_is_charted_per_week(client: TestClient) -> None:
    series = actor(client, "ZEM")["stance_series"]
    assert series["granularity"] == "week"
    days = [date.fromisoformat(STORIES[i][0]) for i in ZEMBLA_STANCE]
    mondays = [d - timedelta(days=d.weekday()) for d in days]
    expected = []
    week = mondays[0]
    while week <= mondays[-1]:
        expected.append(week.isoformat())
        week += timedelta(days=7)
    assert series["periods"] == expected
    author = series["series"][0]
    assert [m for m in author["mean"] if m is not None] == [pytest.approx(v) for v in ZEMBLA_STANCE.values()]


def test_most_negative_and_positive_stances_with_evidence(client: TestClient) -> None:
    extremes = actor(client, "XAV")["stance_extremes"]
    values = [(s[0], "author", s[1]) for s in STORIES] + [(s[0], "person:ana-berg", s[2]) for s in STORIES]
    assert [s["polarity"] for s in extremes["negative"]] == sorted(v for _, _, v in values if v < 0)[:5]
    assert [s["polarity"] for s in extremes["positive"]] == sorted((v for _, _, v in values if v > 0),
                                                                   reverse=True)[:5]
    worst = extremes["negative"][0]
    assert worst["holder"] == "person:ana-berg" and worst["holder_name"] == "Ana Berg"
    assert worst["evidence"][0]["text"] == QUOTE
    html = client.get("/actors/XAV").text
    stance = html[html.index('id="actor-stance"'):html.index('id="actor-graph"')]
    evidence = worst["evidence"][0]
    assert f'href="/articles/{worst["article"]["id"]}?hl={evidence["start"]}-{evidence["end"]}"' in stance
    assert f"<q>{QUOTE}</q>" in stance


# -- the neighbourhood ---------------------------------------------------------------------------

def test_neighbourhood_nodes_and_edges_coloured_by_kind(client: TestClient) -> None:
    graph = actor(client, "XAV")["neighbourhood"]
    assert graph["level"] == "actor" and graph["centre"] == "XAV"
    ids = {n["id"] for n in graph["nodes"]}
    assert {"XAV", "ZEM", "person:ana-berg", "org:trade-bloc", "person:hostile"} <= ids
    assert len(graph["nodes"]) <= 16
    edges = {(e["kind"], e["source"], e["target"]): e for e in graph["edges"]}
    assert edges[("event", "ZEM", "XAV")]["value"] < 0          # ACCUSE: conflictual
    assert edges[("event", "XAV", "org:trade-bloc")]["value"] > 0  # AGREE: cooperative
    berg = edges[("quote", "person:ana-berg", "XAV")]
    assert berg["value"] == pytest.approx(sum(s[2] for s in STORIES) / len(STORIES), abs=1e-3)
    assert berg["value"] < 0
    assert any(k == "comention" for k, _, _ in edges)
    # Among the neighbours too: Zembla accuses in the same stories the hostile person praises.
    assert all(e["source"] in ids and e["target"] in ids for e in graph["edges"])


def test_the_graph_on_the_page_links_every_neighbour_and_escapes_names(client: TestClient) -> None:
    html = client.get("/actors/XAV").text
    graph = actor(client, "XAV")["neighbourhood"]
    svg = html[html.index("<svg"):html.index("</svg>")]
    nodes = parsed(html).nodes
    assert set(nodes) == {n["id"] for n in graph["nodes"]}
    for node_id, href in nodes.items():
        assert href == "/actors/" + quote(node_id, safe=":")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Mallory &amp; Co" in svg
    assert "<script>alert" not in html
    assert svg.count('class="edge edge-') == len(graph["edges"])
    # A neighbour's link leads to its page.
    response = client.get(nodes["ZEM"])
    assert response.status_code == 200 and "<h1>Zembla</h1>" in response.text


def test_state_level_neighbourhood(client: TestClient) -> None:
    graph = actor(client, "XAV", level="state")["neighbourhood"]
    assert graph["level"] == "state" and graph["centre"] == "XAV"
    assert [n["id"] for n in graph["nodes"]] == ["XAV", "ZEM"]
    # A person's page draws the state it acts for; an organisation with no state draws nothing.
    assert actor(client, "person:ana-berg", level="state")["neighbourhood"]["centre"] == "ZEM"
    assert "the state Ana Berg acts for" in client.get("/actors/person:ana-berg", params={"level": "state"}).text
    bloc = actor(client, "org:trade-bloc", level="state")["neighbourhood"]
    assert bloc["centre"] is None and bloc["nodes"] == []
    html = client.get("/actors/XAV", params={"level": "state"}).text
    assert set(parsed(html).nodes.values()) == {"/actors/XAV?level=state", "/actors/ZEM?level=state"}
    assert "acts for no state" in client.get("/actors/org:trade-bloc", params={"level": "state"}).text


@pytest.mark.parametrize("level", ["country", "STATE", "x" * 600])
def test_a_bad_level_is_a_clean_400(client: TestClient, level: str) -> None:
    for path in ("/api/actors/XAV", "/actors/XAV"):
        response = client.get(path, params={"level": level})
        assert response.status_code == 400
        assert "Traceback" not in response.text


def test_without_the_graph_there_is_no_neighbourhood_but_the_rest(scan_client: TestClient) -> None:
    body = actor(scan_client, "XAV")
    assert body["neighbourhood"]["nodes"] == []
    assert body["stance_series"]["stances"] == 2 * len(STORIES)  # article_stances needs no graph
    assert {g["type"] for g in body["events_by_type"]["as_target"]} == {"ACCUSE", "SUPPORT"}
    html = scan_client.get("/actors/XAV").text
    assert "<svg" not in html and "Run <code>narrascope graph</code> to see the neighbourhood" in html


def test_openapi_describes_the_new_sections(client: TestClient) -> None:
    entry = client.get("/api/openapi.json").json()["paths"]["/api/actors/{actor_id}"]["get"]
    described = entry["responses"]["200"]["description"]
    for key in ("quotes_about", "events_by_type", "stance_series", "stance_extremes", "neighbourhood"):
        assert key in described and key in actor(client, "XAV")
    assert any(p["name"] == "level" for p in entry["parameters"])


# -- bounded, indexed queries --------------------------------------------------------------------

def test_the_actor_queries_read_through_indexes(stores: tuple[Path, Path]) -> None:
    """Every statement the actor sections run, explained: no full scan of a table."""
    from narrascope.web.actor_view import actor_sections
    from narrascope.web.queries import actor_profile

    statements: list[str] = []
    with open_store(stores[1], load_settings()) as store:
        profile = actor_profile(store, "XAV", limit=100, scan_window=2000)
        assert profile is not None
        store.conn.set_trace_callback(statements.append)
        actor_sections(store, profile)
        store.conn.set_trace_callback(None)
        plans = {sql: [row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
                 for sql in statements if sql.lstrip().upper().startswith("SELECT")}
    assert len(plans) >= 6
    for sql, plan in plans.items():
        if re.fullmatch(r"SELECT 1 FROM \w+ LIMIT 1", sql):
            continue  # "does the table have a row": stops at the first
        scans = [line for line in plan if line.startswith("SCAN")
                 and not line.startswith(("SCAN (subquery", "SCAN sqlite_master"))]
        assert not scans, (sql, plan)
        if "FROM article_stances" in sql or "graph_edge_evidence" in sql:
            assert not any("TEMP B-TREE FOR ORDER BY" in line for line in plan), (sql, plan)


# -- web/graph_svg.py ----------------------------------------------------------------------------

def _neighbours(n: int) -> list[dict[str, Any]]:
    kinds = ["person", "state", "organization", None, "group"]
    return [{"id": f"a{i:02d}", "name": f"Actor {i}", "kind": kinds[i % len(kinds)], "weight": float(n - i),
             "articles": i + 1} for i in range(n)]


def test_layout_is_deterministic_and_places_every_neighbour_on_the_ring() -> None:
    from narrascope.web.graph_svg import HEIGHT, KIND_ORDER, RING, WIDTH, layout

    centre = {"id": "c", "name": "Centre", "kind": "state", "articles": 9}
    neighbours = _neighbours(15)
    first = layout(centre, neighbours)
    assert layout(centre, list(reversed(neighbours))) == first  # input order does not matter
    assert first[0].id == "c" and first[0].centre and (first[0].x, first[0].y) == (WIDTH / 2, HEIGHT / 2)
    assert sorted(p.id for p in first[1:]) == sorted(n["id"] for n in neighbours)
    for p in first[1:]:
        assert abs(((p.x - WIDTH / 2) ** 2 + (p.y - HEIGHT / 2) ** 2) ** 0.5 - RING) < 0.05
    assert len({(p.x, p.y) for p in first}) == len(first)  # no two nodes on the same spot
    # Grouped by kind around the ring, in KIND_ORDER, unknown kinds last.
    ranks = [KIND_ORDER.index(p.kind) if p.kind in KIND_ORDER else len(KIND_ORDER) for p in first[1:]]
    assert ranks == sorted(ranks)
    # Bigger nodes for more articles.
    by_id = {p.id: p for p in first}
    assert by_id["a14"].r > by_id["a00"].r


def test_edges_are_coloured_by_kind_and_value_and_sized_by_weight() -> None:
    from narrascope.web.graph_svg import GREY, edge_colour, neighbourhood_svg

    def rgb(colour: str) -> tuple[int, int, int]:
        return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)

    cooperative, conflictual = rgb(edge_colour("event", 7.0)), rgb(edge_colour("event", -10.0))
    assert cooperative[1] > cooperative[0] and conflictual[0] > conflictual[1]
    assert rgb(edge_colour("quote", 0.9))[1] > rgb(edge_colour("quote", 0.9))[0]
    assert rgb(edge_colour("quote", -0.9))[0] > rgb(edge_colour("quote", -0.9))[1]
    assert edge_colour("comention", 5.0) == GREY and edge_colour("event", None) == GREY
    centre = {"id": "c", "name": "Centre", "kind": "state"}
    edges = [{"kind": "comention", "source": "a00", "target": "c", "weight": 1.0, "value": None, "label": "light"},
             {"kind": "event", "source": "c", "target": "a01", "weight": 9.0, "value": -8.0, "label": "heavy"},
             {"kind": "quote", "source": "a01", "target": "nowhere", "weight": 3.0, "value": 0.5, "label": "gone"}]
    svg = str(neighbourhood_svg(centre, _neighbours(2), edges))
    widths = {m.group(2): float(m.group(1)) for m in re.finditer(
        r'stroke-width="([\d.]+)"[^>]*><title>(\w+)</title></path>', svg)}
    assert set(widths) == {"light", "heavy"}  # an edge to a node not drawn is skipped
    assert widths["heavy"] > widths["light"]
    assert svg.count('class="legend"') == 1 and "named together" in svg


def test_every_text_in_the_svg_is_escaped() -> None:
    from narrascope.web.graph_svg import neighbourhood_svg

    hostile = '"><script>alert(1)</script><a href="javascript:x">'
    centre = {"id": "c", "name": hostile, "kind": "state"}
    neighbours = [{"id": "evil:\"id'<x>", "name": hostile, "kind": "<b>", "weight": 1, "articles": 1}]
    edges = [{"kind": "event", "source": "c", "target": "evil:\"id'<x>", "weight": 1.0, "value": 1.0,
              "label": hostile}]
    svg = str(neighbourhood_svg(centre, neighbours, edges, level="<state>"))
    assert "<script" not in svg and "javascript:x\"" not in svg and "<b>" not in svg and "<state>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    # The node's id is percent-encoded in its link and escaped in its data attribute.
    assert 'href="/actors/evil:%22id%27%3Cx%3E"' in svg
    assert 'data-actor="evil:&#34;id&#39;&lt;x&gt;"' in svg


def test_malformed_record_pieces_are_skipped_not_fatal() -> None:
    from narrascope.web.actor_view import quotes_about_in, record_stances

    record = ARTICLES[0].to_record()
    good = quotes_about_in(record, "XAV")
    assert [q["content"] for q in good] == [QUOTE]
    record["actors"][0]["mentions"] += [{"text": "no offsets"}, "not a dict", {"start": "1", "end": 5}]
    record["quotes"] += [{"speaker_actor": "ZEM", "content": "no span"}, "junk",
                         {"speaker_actor": "ZEM", "start": None, "end": 9}]
    good_stances = record["stances"]
    record["stances"] += [{"holder": "ZEM", "target": "XAV", "polarity": "very bad"}, "junk",
                          {"holder": "ZEM", "target": "XAV", "polarity": True},
                          {"holder": "ZEM", "target": "XAV", "polarity": -1, "evidence": ["x", {"start": 0}]}]
    assert quotes_about_in(record, "XAV") == good
    record["stances"] = [{"holder": "person:ana-berg", "target": "XAV", "polarity": "very bad"}]
    assert [q["polarity"] for q in quotes_about_in(record, "XAV")] == [None]
    record["stances"] = good_stances
    stances = record_stances(record, "XAV")
    assert [(s["holder"], s["polarity"]) for s in stances] == [("author", STORIES[0][1]),
                                                               ("person:ana-berg", STORIES[0][2]), ("ZEM", -1.0)]
    assert stances[-1]["evidence"] == [] and stances[-1]["holder_name"] == "Zembla"
