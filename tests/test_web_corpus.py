"""The narrative and reuse pages and their JSON API, over a real store where the analyses ran.

The store holds the two seed op-eds and the generated corpus of ``workbench_corpus`` (five stories
over twelve weeks, one article reposted, cut and quoted by three outlets), ingested and analysed
through the real CLI (``narrascope reuse``, ``narrascope narratives``). The app is the real
Starlette app driven through its TestClient. Every assertion compares what a page or endpoint
shows with what the derived tables hold, read here with plain SQL.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from conftest import SEEDS, copy_store, run_cli
from narrascope.web.app import create_app
from test_web import segments_of
from workbench_corpus import HOSTILE_TITLE, Corpus


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, workbench_once: tuple[Path, Corpus]) -> tuple[Path, Corpus]:
    """A copy of ``workbench_corpus.build_store``'s store (built once for the run), and its corpus."""
    template, corpus = workbench_once
    return copy_store(template, tmp_path_factory.mktemp("corpus-web") / "workbench.db"), corpus


@pytest.fixture(scope="module")
def db(built: tuple[Path, Corpus]) -> Path:
    return built[0]


@pytest.fixture(scope="module")
def corpus(built: tuple[Path, Corpus]) -> Corpus:
    return built[1]


@pytest.fixture(scope="module")
def client(db: Path) -> TestClient:
    return TestClient(create_app(db), base_url="http://127.0.0.1")


@pytest.fixture(scope="module")
def sql(db: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    yield conn
    conn.close()


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json() if response.headers["content-type"].startswith("application/json") else response.text


def id_of(sql: sqlite3.Connection, url: str) -> str:
    return str(sql.execute("SELECT id FROM articles WHERE url = ?", (url,)).fetchone()[0])


def text_of(sql: sqlite3.Connection, article_id: str) -> str:
    return str(sql.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()[0])


def all_pages(client: TestClient, url: str, limit: int = 3, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    offset = 0
    while True:
        body = ok(client.get(url, params={**params, "limit": limit, "offset": offset}))
        assert len(body["items"]) <= limit
        items += body["items"]
        if not body["has_more"]:
            assert body["next_offset"] is None
            return items
        assert body["next_offset"] == offset + limit
        offset = body["next_offset"]


class Links(HTMLParser):
    """Every <a href> with its text, and every <canvas data-chart>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.charts: list[dict[str, Any]] = []
        self._href: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "a" and "href" in values:
            self._href, self._text = values["href"], ""
        if tag == "canvas" and "data-chart" in values:
            self.charts.append({"id": values.get("id"), "config": json.loads(values["data-chart"])})

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, self._text))
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text += data


def parse(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


# -- narratives -----------------------------------------------------------------------------------

def test_narratives_api_pages_through_exactly_the_table(client: TestClient, sql: sqlite3.Connection) -> None:
    rows = sql.execute("SELECT id, label, terms, size, first_seen, last_seen, status FROM narratives"
                       " ORDER BY size DESC, id").fetchall()
    assert len(rows) >= 6 and {r[6] for r in rows} >= {"active", "faded", "merged", "candidate"}
    items = all_pages(client, "/api/narratives", status="all")
    assert [(i["id"], i["label"], i["terms"], i["size"], i["first_seen"], i["last_seen"], i["status"]) for i in items] \
        == [(r[0], r[1], json.loads(r[2]), r[3], r[4], r[5], r[6]) for r in rows]
    weekly: dict[int, dict[str, int]] = {}
    for narrative, period, n in sql.execute("SELECT narrative, period, articles FROM narrative_series WHERE unit = 'week'"):
        weekly.setdefault(narrative, {})[period] = n
    assert all(i["weeks"] == weekly.get(i["id"], {}) for i in items)
    # the default shows what `narrascope narratives` lists: active and faded
    current = all_pages(client, "/api/narratives")
    assert [i["id"] for i in current] == [r[0] for r in rows if r[6] in ("active", "faded")]
    merged = ok(client.get("/api/narratives", params={"status": "merged"}))["items"]
    assert [i["id"] for i in merged] == [r[0] for r in rows if r[6] == "merged"]
    recent = ok(client.get("/api/narratives", params={"status": "all", "sort": "recent", "limit": 100}))["items"]
    expected = sql.execute("SELECT id FROM narratives ORDER BY last_seen IS NULL, last_seen DESC, size DESC, id").fetchall()
    assert [i["id"] for i in recent] == [r[0] for r in expected]


@pytest.mark.parametrize("params", [{"status": "gone"}, {"sort": "alphabet"}, {"limit": 0}, {"limit": 101},
                                    {"offset": "-3"}])
def test_bad_list_parameters_are_a_clean_400(client: TestClient, params: dict[str, Any]) -> None:
    for url in ("/api/narratives", "/api/reuse", "/narratives", "/reuse"):
        if "status" in params and "reuse" in url:
            continue
        response = client.get(url, params=params)
        assert response.status_code == 400, (url, params)
        assert "Traceback" not in response.text


def test_narratives_page_rows_and_sparklines(client: TestClient, sql: sqlite3.Connection) -> None:
    html = ok(client.get("/narratives", params={"limit": 100}))
    rows = sql.execute("SELECT id, label, size FROM narratives WHERE status IN ('active', 'faded')"
                       " ORDER BY size DESC, id").fetchall()
    links = [(href, text) for href, text in parse(html).links if href.startswith("/narratives/")]
    assert [href for href, _ in links] == [f"/narratives/{r[0]}" for r in rows]
    assert [text for _, text in links] == [r[1] for r in rows]
    charts = parse(html).charts
    assert len(charts) == len(rows)
    for (narrative, _label, _size), chart in zip(rows, charts, strict=True):
        weeks = dict(sql.execute("SELECT period, articles FROM narrative_series WHERE narrative = ? AND unit = 'week'",
                                 (narrative,)).fetchall())
        data = chart["config"]["data"]["datasets"][0]["data"]
        assert sum(data) == sum(weeks.values())
        labels = chart["config"]["data"]["labels"]
        assert labels[0] == min(weeks) and labels[-1] == max(weeks)  # the narrative's own span, week by week
        assert all(data[labels.index(p)] == n for p, n in weeks.items())
    assert '<script src="/static/charts.js" defer></script>' in html
    assert 'href="/narratives"' in html and 'href="/reuse"' in html  # the nav


def test_narrative_api_detail_matches_the_tables(client: TestClient, sql: sqlite3.Connection) -> None:
    narrative = sql.execute("SELECT id FROM narratives WHERE status = 'active' ORDER BY size DESC LIMIT 1").fetchone()[0]
    body = ok(client.get(f"/api/narratives/{narrative}", params={"limit": 100}))
    series = sql.execute("SELECT period, articles, share FROM narrative_series WHERE narrative = ? AND unit = 'week'"
                         " ORDER BY period", (narrative,)).fetchall()
    assert [(s["period"], s["articles"], s["share"]) for s in body["series"]] == series
    events = sql.execute("SELECT period, kind, other, detail FROM narrative_events WHERE narrative = ?"
                         " ORDER BY period, rowid", (narrative,)).fetchall()
    assert [(e["period"], e["kind"], e["other"], e["detail"]) for e in body["events"]] \
        == [(p, k, o, json.loads(d)) for p, k, o, d in events]
    members = sql.execute("SELECT article, score, evidence FROM narrative_members WHERE narrative = ?"
                          " ORDER BY score DESC, article", (narrative,)).fetchall()
    assert [(m["article"], m["score"], m["evidence"]) for m in body["members"]["items"]] \
        == [(a, s, json.loads(e)) for a, s, e in members]
    for member in body["members"]["items"]:
        text = text_of(sql, member["article"])
        assert member["evidence"], member["article"]
        for sentence in member["evidence"]:
            assert text[sentence["start"]:sentence["end"]] == sentence["text"]
    # members page through, best score first
    first = ok(client.get(f"/api/narratives/{narrative}", params={"limit": 4}))["members"]
    second = ok(client.get(f"/api/narratives/{narrative}", params={"limit": 4, "offset": 4}))["members"]
    assert [m["article"] for m in first["items"] + second["items"]] == [m[0] for m in members[:8]]
    assert first["has_more"] and first["next_offset"] == 4
    # the representative claim is where the table says it is
    row = sql.execute("SELECT sentence, sentence_article, sentence_start, sentence_end FROM narratives WHERE id = ?",
                      (narrative,)).fetchone()
    assert text_of(sql, row[1])[row[2]:row[3]] == row[0] == body["sentence"]


def test_narrative_page_claim_timeline_events_and_evidence_links(client: TestClient, sql: sqlite3.Connection) -> None:
    # the narrative that absorbed another: its merge event links to the other one
    absorber, absorbed = sql.execute("SELECT merged_into, id FROM narratives WHERE status = 'merged'"
                                     " AND merged_into IS NOT NULL LIMIT 1").fetchone()
    html = ok(client.get(f"/narratives/{absorber}", params={"limit": 100}))
    parsed = parse(html)
    hrefs = [href for href, _ in parsed.links]
    assert f"/narratives/{absorbed}" in hrefs
    events = html[html.index('id="events"'):html.index('id="members"')]
    for (kind,) in sql.execute("SELECT kind FROM narrative_events WHERE narrative = ?", (absorber,)):
        assert f"<b>{kind}</b>" in events
    sentence, article, start, end = sql.execute(
        "SELECT sentence, sentence_article, sentence_start, sentence_end FROM narratives WHERE id = ?",
        (absorber,)).fetchone()
    assert f"/articles/{article}?hl={start}-{end}#highlight" in hrefs
    assert f"“{sentence}”" in html
    # the timeline chart holds the weekly counts, empty weeks as 0
    chart = next(c for c in parsed.charts if c["id"] == "timeline-articles")["config"]
    weeks = dict(sql.execute("SELECT period, articles FROM narrative_series WHERE narrative = ? AND unit = 'week'",
                             (absorber,)).fetchall())
    values = chart["data"]["datasets"][0]["data"]
    assert sum(values) == sum(weeks.values()) and chart["data"]["labels"][0] == min(weeks)
    # every member's evidence sentence links to its article with its offsets
    members = sql.execute("SELECT article, evidence FROM narrative_members WHERE narrative = ?", (absorber,)).fetchall()
    for article_id, evidence in members:
        for sentence in json.loads(evidence):
            assert (f"/articles/{article_id}?hl={sentence['start']}-{sentence['end']}#highlight", sentence["text"]) \
                in parsed.links
    # the absorbed narrative's page says where it went
    absorbed_html = ok(client.get(f"/narratives/{absorbed}"))
    assert f'href="/narratives/{absorber}"' in absorbed_html and "merged into" in absorbed_html


def test_evidence_link_marks_the_span_on_the_article_page(client: TestClient, sql: sqlite3.Connection) -> None:
    article_id, evidence = sql.execute("SELECT article, evidence FROM narrative_members ORDER BY score DESC LIMIT 1"
                                       ).fetchone()
    sentence = json.loads(evidence)[0]
    html = ok(client.get(f"/articles/{article_id}", params={"hl": f"{sentence['start']}-{sentence['end']}"}))
    segments = segments_of(html)
    text = text_of(sql, article_id)
    assert "".join(t for _, _, t in segments) == text  # the text is still whole, cut into flat spans
    marked = [(at, attrs, t) for at, attrs, t in segments if attrs and "target" in attrs["class"].split()]
    assert "".join(t for _, _, t in marked) == sentence["text"]
    assert marked[0][0] == sentence["start"] and marked[0][1]["id"] == "highlight"
    assert sum(1 for _, attrs, _ in marked if attrs.get("id") == "highlight") == 1
    # no mark without hl; out of range: no mark, still the page; not START-END: 400
    assert 'id="highlight"' not in ok(client.get(f"/articles/{article_id}"))
    assert 'id="highlight"' not in ok(client.get(f"/articles/{article_id}", params={"hl": f"5-{len(text) + 1}"}))
    for bad in ("12", "a-b", "3-", "1-2-3", "-5-9"):
        response = client.get(f"/articles/{article_id}", params={"hl": bad})
        assert response.status_code == 400 and "Traceback" not in response.text


# -- reuse ----------------------------------------------------------------------------------------

def test_reuse_api_lists_the_clusters_of_the_table(client: TestClient, sql: sqlite3.Connection) -> None:
    rows = sql.execute("SELECT c.cluster, c.size, c.original, a.title, a.outlet FROM reuse_clusters c"
                       " JOIN articles a ON a.id = c.article WHERE c.role = 'original'"
                       " ORDER BY c.size DESC, c.cluster DESC").fetchall()
    items = all_pages(client, "/api/reuse")
    assert [(i["cluster"], i["size"], i["original"]["id"], i["original"]["title"], i["original"]["outlet"])
            for i in items] == rows
    for item in items:
        roles = dict(sql.execute("SELECT role, COUNT(*) FROM reuse_clusters WHERE cluster = ? GROUP BY role",
                                 (item["cluster"],)).fetchall())
        assert item["roles"] == roles and sum(roles.values()) == item["size"]
    recent = ok(client.get("/api/reuse", params={"sort": "recent", "limit": 100}))["items"]
    assert [i["original"]["published"] for i in recent] == sorted((r["original"]["published"] for r in recent),
                                                                  reverse=True)
    html = ok(client.get("/reuse", params={"limit": 100}))
    hrefs = [href for href, _ in parse(html).links]
    for cluster, *_ in rows:
        assert f"/reuse/{cluster}" in hrefs


def test_planted_cluster_page_marks_the_original_and_explains_each_copy(client: TestClient, sql: sqlite3.Connection,
                                                                        corpus: Corpus) -> None:
    original = id_of(sql, corpus.planted["repost"]["original"])
    cluster, size = sql.execute("SELECT cluster, size FROM reuse_clusters WHERE article = ?", (original,)).fetchone()
    assert size == 4
    members = dict(sql.execute("SELECT article, role FROM reuse_clusters WHERE cluster = ?", (cluster,)).fetchall())
    assert members[original] == "original"
    assert members[id_of(sql, corpus.planted["repost"]["copy"])] == "republisher"
    assert members[id_of(sql, corpus.planted["cut"]["copy"])] == "republisher"
    assert members[id_of(sql, corpus.planted["partial"]["copy"])] == "partial"
    body = ok(client.get(f"/api/reuse/{cluster}"))
    assert body["original"]["id"] == original and body["size"] == size
    shown = body["members"]["items"]
    assert shown[0]["id"] == original and shown[0]["pair"] is None
    assert {m["id"]: m["role"] for m in shown} == members
    for member in shown[1:]:
        pair = member["pair"]
        assert pair["target"] == member["id"] and pair["source"] == original  # each came from the original
        row = sql.execute("SELECT kind, coverage_target, confidence FROM reuse_pairs WHERE source = ? AND target = ?",
                          (pair["source"], pair["target"])).fetchone()
        assert (pair["kind"], pair["coverage_target"], pair["confidence"]) == row
    # by default the first copy is side by side; the repost's direction came from its statement
    assert body["pair"]["copy"] == shown[1]["id"]
    repost = ok(client.get(f"/api/reuse/{cluster}", params={"copy": id_of(sql, corpus.planted["repost"]["copy"])}))
    assert repost["pair"]["direction_evidence"]["decided_by"] == "statement"
    assert any("first published by" in line for line in repost["pair"]["explanation"])
    html = ok(client.get(f"/reuse/{cluster}"))
    assert "likely original" in html and "Why the left one is taken for the original" in html
    for line in body["pair"]["explanation"]:
        assert line.replace("'", "&#39;") in html


def check_side_by_side(pair: dict[str, Any], sql: sqlite3.Connection) -> None:
    source, target = text_of(sql, pair["source"]), text_of(sql, pair["target"])
    passages = sql.execute("SELECT source_start, source_end, target_start, target_end FROM reuse_passages"
                           " WHERE source = ? AND target = ? ORDER BY source_start", (pair["source"], pair["target"])
                           ).fetchall()
    rows = pair["rows"]
    shown = [(r["source_start"], r["source_end"], r["target_start"], r["target_end"]) for r in rows
             if r["kind"] == "passage"]
    assert shown == passages
    for row in rows:
        assert row["source"] == source[row["source_start"]:row["source_end"]]
        if row["kind"] == "passage" or row["target"]:
            assert row["target"] == target[row["target_start"]:row["target_end"]]
    assert "".join(r["source"] for r in rows) == source  # nothing of the original is lost


def test_side_by_side_rows_are_the_texts_at_the_passage_offsets(client: TestClient, sql: sqlite3.Connection,
                                                                corpus: Corpus) -> None:
    original = id_of(sql, corpus.planted["cut"]["original"])
    cluster = sql.execute("SELECT cluster FROM reuse_clusters WHERE article = ?", (original,)).fetchone()[0]
    for name in ("repost", "cut", "partial"):
        body = ok(client.get(f"/api/reuse/{cluster}", params={"copy": id_of(sql, corpus.planted[name]["copy"])}))
        check_side_by_side(body["pair"], sql)
    cut = ok(client.get(f"/api/reuse/{cluster}", params={"copy": id_of(sql, corpus.planted["cut"]["copy"])}))["pair"]
    gaps = [r for r in cut["rows"] if r["kind"] == "gap"]
    # the cut paragraph is (most of) a gap with nothing on the copy's side; the aligner may take a
    # few words at its edges into the neighbouring passages
    cut_paragraph = corpus.planted["cut"]["cut"]
    assert any(r["source"].strip() in cut_paragraph and len(r["source"].strip()) > 0.8 * len(cut_paragraph)
               and not r["target"].strip() for r in gaps)
    repost = ok(client.get(f"/api/reuse/{cluster}",
                           params={"copy": id_of(sql, corpus.planted["repost"]["copy"])}))["pair"]
    added = "".join(r["target"] for r in repost["rows"] if r["kind"] == "gap")
    # the new header and footer (the "first appeared on" line became the record's republished_from)
    assert "brings you the week's shipping news" in added and "for our morning briefing" in added
    # the page shows the same rows: passages side by side, the cut paragraph in a dimmed gap
    html = ok(client.get(f"/reuse/{cluster}", params={"copy": id_of(sql, corpus.planted["cut"]["copy"])}))
    aligned = html[html.index('id="aligned"'):]
    assert aligned.count('class="row passage"') == sum(1 for r in cut["rows"] if r["kind"] == "passage")
    middle_sentence = cut_paragraph.split(". ")[1].replace("'", "&#39;")
    gap_html = aligned[aligned.index('class="row gap"'):]
    assert middle_sentence in gap_html


def test_other_clusters_side_by_side_too(client: TestClient, sql: sqlite3.Connection) -> None:
    for (cluster,) in sql.execute("SELECT DISTINCT cluster FROM reuse_clusters"):
        body = ok(client.get(f"/api/reuse/{cluster}"))
        assert body["pair"] is not None
        check_side_by_side(body["pair"], sql)


def test_bad_and_missing_ids_are_clean_404s(client: TestClient, sql: sqlite3.Connection, corpus: Corpus) -> None:
    top = sql.execute("SELECT MAX(id) FROM narratives").fetchone()[0]
    biggest = sql.execute("SELECT MAX(cluster) FROM reuse_clusters").fetchone()[0]
    for url in (f"/narratives/{top + 1}", "/narratives/abc", "/narratives/-1", "/narratives/1.5",
                "/narratives/9999999999", f"/reuse/{biggest + 1}", "/reuse/x1", "/reuse/%2e%2e",
                f"/api/narratives/{top + 1}", "/api/narratives/abc", "/api/reuse/-4", f"/api/reuse/{biggest + 1}",
                "/api/articles/zzzz/links", "/api/articles/0000000000000000/links"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Traceback" not in response.text
        if url.startswith("/api/"):
            assert response.json()["status"] == 404
    # a copy that is not in the cluster: 404; not an id: 400
    original = id_of(sql, corpus.planted["repost"]["original"])
    cluster = sql.execute("SELECT cluster FROM reuse_clusters WHERE article = ?", (original,)).fetchone()[0]
    outsider = sql.execute("SELECT id FROM articles WHERE id NOT IN (SELECT article FROM reuse_clusters WHERE"
                           " cluster = ?) LIMIT 1", (cluster,)).fetchone()[0]
    assert client.get(f"/api/reuse/{cluster}", params={"copy": outsider}).status_code == 404
    assert client.get(f"/reuse/{cluster}", params={"copy": "<script>"}).status_code == 400


def test_hostile_title_is_escaped_everywhere(client: TestClient, sql: sqlite3.Connection, corpus: Corpus) -> None:
    hostile = id_of(sql, corpus.planted["cut"]["copy"])
    cluster = sql.execute("SELECT cluster FROM reuse_clusters WHERE article = ?", (hostile,)).fetchone()[0]
    narrative = sql.execute("SELECT narrative FROM narrative_members WHERE article = ?", (hostile,)).fetchone()[0]
    original = id_of(sql, corpus.planted["cut"]["original"])
    pages = [f"/reuse/{cluster}", f"/reuse/{cluster}?copy={hostile}", f"/articles/{original}",
             f"/narratives/{narrative}?limit=100"]
    for url in pages:
        html = ok(client.get(url))
        assert HOSTILE_TITLE not in html, url
        assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html, url
    assert ok(client.get(f"/api/reuse/{cluster}", params={"copy": hostile}))["pair"]["target_article"]["title"] \
        == HOSTILE_TITLE


# -- the article page's panels and links ----------------------------------------------------------

def test_article_links_api_and_panels(client: TestClient, sql: sqlite3.Connection, corpus: Corpus) -> None:
    original = id_of(sql, corpus.planted["repost"]["original"])
    body = ok(client.get(f"/api/articles/{original[:8]}/links"))
    pairs = sql.execute("SELECT source, target, kind, shared_words FROM reuse_pairs WHERE source = ? OR target = ?"
                        " ORDER BY shared_words DESC, source, target", (original, original)).fetchall()
    assert [(original if link["direction"] == "copied by" else link["other"]["id"],
             link["other"]["id"] if link["direction"] == "copied by" else original, link["kind"], link["shared_words"])
            for link in body["reuse"]["items"]] == pairs
    assert len(pairs) == 3 and all(link["direction"] == "copied by" for link in body["reuse"]["items"])
    cluster = sql.execute("SELECT cluster, role, original, size FROM reuse_clusters WHERE article = ?",
                          (original,)).fetchone()
    assert body["cluster"] == dict(zip(("cluster", "role", "original", "size"), cluster, strict=True))
    narrative, evidence = sql.execute("SELECT narrative, evidence FROM narrative_members WHERE article = ?",
                                      (original,)).fetchone()
    assert [(n["id"], n["evidence"]) for n in body["narratives"]] == [(narrative, json.loads(evidence))]
    # the copy's links point back to the original
    copy = id_of(sql, corpus.planted["repost"]["copy"])
    back = ok(client.get(f"/api/articles/{copy}/links"))
    assert any(link["direction"] == "copied from" and link["other"]["id"] == original for link in back["reuse"]["items"])
    # the page's panels
    html = ok(client.get(f"/articles/{original}"))
    panel = html[html.index('id="reuse-links"'):html.index('id="narrative-links"')]
    hrefs = [href for href, _ in parse(panel).links]
    assert f"/reuse/{cluster[0]}" in hrefs
    for _source, target, _kind, _words in pairs:
        assert f"/articles/{target}" in hrefs and f"/reuse/{cluster[0]}?copy={target}#side-by-side" in hrefs
    assert "the likely original" in panel
    narratives_panel = html[html.index('id="narrative-links"'):]
    narratives_panel = narratives_panel[:narratives_panel.index("</section>")]
    assert f'href="/narratives/{narrative}"' in narratives_panel
    for sentence in json.loads(evidence):
        assert f"/articles/{original}?hl={sentence['start']}-{sentence['end']}#highlight" in narratives_panel
    # an article outside every reuse pair says so
    lonely = sql.execute("SELECT id FROM articles WHERE id NOT IN (SELECT source FROM reuse_pairs)"
                         " AND id NOT IN (SELECT target FROM reuse_pairs) LIMIT 1").fetchone()[0]
    assert ok(client.get(f"/api/articles/{lonely}/links"))["reuse"]["items"] == []
    lonely_html = ok(client.get(f"/articles/{lonely}"))
    panel = lonely_html[lonely_html.index('id="reuse-links"'):lonely_html.index('id="narrative-links"')]
    assert "<li>none</li>" in panel


def test_openapi_describes_the_corpus_endpoints(client: TestClient) -> None:
    spec = ok(client.get("/api/openapi.json"))
    for path, params in (("/api/narratives", {"status", "sort", "limit", "offset"}),
                         ("/api/narratives/{narrative_id}", {"narrative_id", "limit", "offset"}),
                         ("/api/reuse", {"sort", "limit", "offset"}),
                         ("/api/reuse/{cluster_id}", {"cluster_id", "copy", "limit", "offset"}),
                         ("/api/articles/{article_id}/links", {"article_id", "limit", "offset"})):
        assert {p["name"] for p in spec["paths"][path]["get"]["parameters"]} == params, path


# -- before the analyses ran ----------------------------------------------------------------------

def test_pages_say_which_command_to_run_when_the_analyses_have_not_run(tmp_path: Path) -> None:
    db = tmp_path / "plain.db"
    result = run_cli("ingest", str(SEEDS), "--db", str(db), "--quiet")
    assert result.exit_code == 0, result.output
    plain = TestClient(create_app(db), base_url="http://127.0.0.1")
    narratives = ok(plain.get("/narratives"))
    assert "narrascope narratives --db" in narratives and 'id="not-computed"' in narratives
    reuse = ok(plain.get("/reuse"))
    assert "narrascope reuse --db" in reuse and 'id="not-computed"' in reuse
    assert ok(plain.get("/api/narratives")) == {"items": [], "limit": 20, "offset": 0, "has_more": False,
                                                "next_offset": None, "status": "current", "sort": "size",
                                                "computed": False, "command": "narrascope narratives --db STORE"}
    assert ok(plain.get("/api/reuse"))["computed"] is False
    missing = plain.get("/narratives/1")
    assert missing.status_code == 404 and "narrascope narratives" in missing.text
    article = ok(plain.get("/api/articles"))["items"][0]["id"]
    links = ok(plain.get(f"/api/articles/{article}/links"))
    assert links["computed"] == {"reuse": False, "narratives": False} and links["reuse"]["items"] == []
    html = ok(plain.get(f"/articles/{article}"))
    assert "not computed: run <code>narrascope reuse --db STORE</code>" in html


# -- the CLI and the web answer from the same queries (issue 12) --------------------------------------

def test_cli_and_web_give_the_same_narratives_and_members(client: TestClient, db: Path) -> None:
    listed = json.loads(run_cli("narratives", "--db", str(db), "--json", "--all", "--limit", "500").output)["list"]
    page = all_pages(client, "/api/narratives", limit=7, status="all")
    assert listed and [n["id"] for n in listed] == [n["id"] for n in page]
    for cli_item, web_item in zip(listed, page, strict=True):
        assert {k: web_item[k] for k in cli_item} == cli_item  # same sizes, weeks, undated, terms...
    for narrative in [n["id"] for n in listed][:5]:
        shown = json.loads(run_cli("narratives", "show", str(narrative), "--db", str(db), "--json",
                                   "--members", "500").output)
        web = ok(client.get(f"/api/narratives/{narrative}", params={"limit": 100}))
        assert [m["article"] for m in shown["members"]][:100] == [m["article"] for m in web["members"]["items"]]
        assert shown["weeks"] == {s["period"]: s["articles"] for s in web["series"]}
        assert [(e["period"], e["kind"], e["other"]) for e in shown["events"]] == \
            [(e["period"], e["kind"], e["other"]) for e in web["events"]]


def test_cli_and_web_give_an_article_the_same_reuse_links(client: TestClient, db: Path,
                                                          sql: sqlite3.Connection) -> None:
    articles = [r[0] for r in sql.execute("SELECT article FROM reuse_clusters ORDER BY rowid")]
    assert articles
    for article in articles:
        shown = json.loads(run_cli("reuse", "show", article, "--db", str(db), "--json").output)
        web = ok(client.get(f"/api/articles/{article}/links", params={"limit": 100}))
        assert [(link["other"]["id"], link["kind"], link["shared_words"]) for link in shown["links"]] == \
            [(link["other"]["id"], link["kind"], link["shared_words"]) for link in web["reuse"]["items"]]
        assert shown["cluster"] == {k: web["cluster"][k] for k in ("cluster", "role", "original")}
