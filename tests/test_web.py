"""The workbench (``narrascope serve``): JSON API, pages and the serve command, on a real store.

The store is built by really ingesting the seeds and a few hand-written articles; the app is the
real Starlette app driven through its TestClient. Browser tests (Playwright) come later.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from narrascope import api
from narrascope.cli import cli
from narrascope.plugins import registry
from narrascope.settings import load_settings
from narrascope.store import Filters, open_store
from narrascope.web.app import SECURITY_HEADERS, WebSettings, create_app

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"

BODY = ("The foreign ministry in Moscow said on Monday that talks with Pyongyang would go on. Sergey Lavrov told"
        " reporters: \"We will not accept pressure from Washington,\" and the {word} delegation left the hall."
        " Russia accused the United States of sabotaging the negotiations over the peninsula, officials said.\n\n"
        "Analysts in Seoul said the statement was the sharpest yet, and warned that the dispute could delay the summit.")
EXTRA = [
    {"text": BODY.format(word="zanzibarword"), "title": "Moscow rejects pressure", "outlet": "Test Wire",
     "published": "2019-03-01", "url": "https://example.org/one"},
    {"text": BODY.format(word="quokkaword"), "title": "Talks go on", "outlet": "Test Wire",
     "published": "2020-05-05", "url": "https://example.org/two"},
    {"text": BODY.format(word="wombatword"), "title": "Seoul warns", "outlet": "Other Daily",
     "published": "2020-06-10", "url": "https://example.org/three"},
]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("web")
    inputs = folder / "inputs"
    shutil.copytree(SEEDS, inputs)
    (inputs / "extra.jsonl").write_text("".join(json.dumps(r) + "\n" for r in EXTRA), encoding="utf-8")
    db = folder / "web.db"
    report = api.ingest([str(inputs)], db=db, settings=load_settings())
    assert len(report.stored) == 5 and not report.rejected
    return db


@pytest.fixture(scope="module")
def client(store_path: Path) -> TestClient:
    return TestClient(create_app(store_path), base_url="http://127.0.0.1")


def ids_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


# -- JSON API --------------------------------------------------------------------------------

def test_articles_paginate_through_the_whole_store_in_library_order(client: TestClient, store_path: Path) -> None:
    expected = [a.id for a in api.list_articles(db=store_path)]
    assert len(expected) == 5
    seen: list[str] = []
    offset = 0
    while True:
        body = client.get("/api/articles", params={"limit": 2, "offset": offset}).json()
        assert len(body["items"]) <= 2
        seen += [item["id"] for item in body["items"]]
        if not body["has_more"]:
            assert body["next_offset"] is None
            break
        assert body["next_offset"] == offset + 2
        offset = body["next_offset"]
    assert seen == expected


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"limit": "abc"}, {"offset": -1},
                                    {"offset": "1e3"}, {"since": "yesterday"}, {"until": "2020-13"},
                                    {"q": "( & )"}, {"q": "x" * 501}])
def test_bad_parameters_are_a_clean_400(client: TestClient, params: dict[str, object]) -> None:
    response = client.get("/api/articles", params=params)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and body["error"]
    assert "Traceback" not in response.text


@pytest.mark.parametrize("params, filters", [
    ({"outlet": "test wire"}, Filters(outlet="Test Wire")),
    ({"genre": "opinion"}, Filters(genre="opinion")),
    ({"language": "en", "since": "2020"}, Filters(language="en", since="2020")),
    ({"until": "2019-03"}, Filters(until="2019-03")),
    ({"since": "2020-06-10", "until": "2020-06-10"}, Filters(since="2020-06-10", until="2020-06-10")),
])
def test_filters_select_what_the_library_selects(client: TestClient, store_path: Path, params: dict[str, str],
                                                 filters: Filters) -> None:
    expected = [a.id for a in api.list_articles(db=store_path, filters=filters)]
    assert expected, "each case must select something"
    assert ids_of(client.get("/api/articles", params=params)) == expected


def test_filter_values_behave(client: TestClient) -> None:
    items = client.get("/api/articles", params={"since": "2020"}).json()["items"]
    assert sorted(i["published"] for i in items) == ["2020-05-05", "2020-06-10"]
    assert {i["outlet"] for i in client.get("/api/articles", params={"outlet": "Test Wire"}).json()["items"]} \
        == {"Test Wire"}
    assert ids_of(client.get("/api/articles", params={"outlet": "Nobody"})) == []


def test_full_text_search_with_snippet_highlights_and_filters(client: TestClient, store_path: Path) -> None:
    body = client.get("/api/articles", params={"q": "quokkaword"}).json()
    assert [i["title"] for i in body["items"]] == ["Talks go on"]
    item = body["items"][0]
    hits = [item["snippet"][s:e] for s, e in item["highlights"]]
    assert hits == ["quokkaword"]
    # Same hits as the library's search, in the same order; a filter narrows them.
    expected = [h.article.id for h in api.search("Lavrov", db=store_path)]
    assert ids_of(client.get("/api/articles", params={"q": "Lavrov"})) == expected
    narrowed = [h.article.id for h in api.search("Lavrov", db=store_path, filters=Filters(outlet="Other Daily"))]
    assert ids_of(client.get("/api/articles", params={"q": "Lavrov", "outlet": "Other Daily"})) == narrowed
    assert len(narrowed) == 1


def test_article_endpoint_returns_the_full_record_and_accepts_a_prefix(client: TestClient, store_path: Path) -> None:
    article = api.list_articles(db=store_path, limit=1)[0]
    record = client.get(f"/api/articles/{article.id}").json()
    expected = json.loads(json.dumps(article.to_record()))
    expected["source"]["location"] = Path(expected["source"]["location"]).name  # no server path on the web
    assert record == expected
    assert client.get(f"/api/articles/{article.id[:6]}").json()["id"] == article.id
    missing = client.get("/api/articles/0000000000000000")
    assert missing.status_code == 404 and missing.json()["code"] == "NS402"
    assert client.get("/api/articles/NOT-AN-ID").status_code == 404


def test_actor_endpoint_from_the_records(client: TestClient) -> None:
    body = client.get("/api/actors/person:sergey-lavrov").json()
    assert body["from"] == "scan"
    assert body["actor"]["name"] == "Sergey Lavrov" and body["actor"]["country"] == "RUS"
    assert len(body["articles"]) >= 4  # one seed and the three hand-written articles
    contents = [q["content"] for q in body["quotes"]]
    assert any(c.startswith("We will not accept pressure from Washington") for c in contents)
    for article in body["articles"]:
        record = client.get(f"/api/articles/{article['id']}").json()
        for mention in article["mentions"]:
            assert record["text"][mention["start"]:mention["end"]] == mention["text"]
    russia = client.get("/api/actors/RUS").json()
    assert any(e["type"] == "ACCUSE" and e["target"] == "USA" for e in russia["events_as_source"])
    usa = client.get("/api/actors/USA").json()
    assert any(e["type"] == "ACCUSE" and e["source"] == "RUS" for e in usa["events_as_target"])
    assert client.get("/api/actors/person:nobody-at-all").status_code == 404


def test_without_the_graph_an_actor_page_scans_only_the_latest_articles(store_path: Path) -> None:
    latest = api.list_articles(db=store_path, order="stored")[-1]
    assert any(a["id"] == "person:sergey-lavrov" for a in latest.actors)
    narrow = TestClient(create_app(store_path, web=WebSettings(actor_scan_window=1)), base_url="http://127.0.0.1")
    body = narrow.get("/api/actors/person:sergey-lavrov").json()
    assert [a["id"] for a in body["articles"]] == [latest.id]
    assert body["scan_window"] == 1
    assert "1 most recently stored articles" in narrow.get("/actors/person:sergey-lavrov").text
    # An actor only in older articles is not found by the narrow scan: a clean 404, no full scan.
    first = api.list_articles(db=store_path, order="stored")[0]
    only_first = next(a["id"] for a in first.actors if all(a["id"] != b["id"] for b in latest.actors))
    assert narrow.get(f"/api/actors/{only_first}").status_code == 404


def test_actor_endpoint_uses_the_actor_graph_when_computed(store_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "graph.db"
    with open_store(store_path, load_settings()) as store:
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(store_path, copy)
    settings = load_settings()
    with open_store(copy, settings) as store:
        registry().analyses["graph"].update(store, settings)
    graph_client = TestClient(create_app(copy), base_url="http://127.0.0.1")
    scan_client = TestClient(create_app(store_path), base_url="http://127.0.0.1")
    from_graph = graph_client.get("/api/actors/person:sergey-lavrov").json()
    from_scan = scan_client.get("/api/actors/person:sergey-lavrov").json()
    assert from_graph["from"] == "graph"
    assert from_graph["actor"]["articles"] == len(from_scan["articles"])
    assert sorted(a["id"] for a in from_graph["articles"]) == sorted(a["id"] for a in from_scan["articles"])
    assert sorted(q["content"] for q in from_graph["quotes"]) == sorted(q["content"] for q in from_scan["quotes"])


def test_stats_match_db_info_without_the_server_path(client: TestClient, store_path: Path) -> None:
    body = client.get("/api/stats").json()
    info = api.db_info(db=store_path)
    assert body["articles"] == info["articles"] == 5
    assert body["languages"] == info["languages"]
    assert "path" not in body and str(store_path) not in json.dumps(body)
    assert body["writable"] is False


def test_openapi_describes_every_api_route_and_its_parameters(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    app_routes = [r for r in client.app.routes if getattr(r, "path", "").startswith("/api/")]  # type: ignore[attr-defined]
    assert len(app_routes) >= 6
    for route in app_routes:
        assert route.path in spec["paths"], route.path
        described = spec["paths"][route.path]
        assert {m.lower() for m in route.methods - {"HEAD"}} == set(described)
        for operation in described.values():
            declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert declared == set(route.param_convertors), route.path
    query = {p["name"] for p in spec["paths"]["/api/articles"]["get"]["parameters"]}
    assert query == {"q", "outlet", "language", "genre", "since", "until", "actor", "state", "technique", "topic",
                     "narrative", "all_versions", "limit", "offset"}


def test_reads_while_another_process_holds_the_write_lock(client: TestClient, store_path: Path) -> None:
    with open_store(store_path, load_settings()) as writer:
        writer.conn.execute("BEGIN IMMEDIATE")
        writer.conn.execute("UPDATE articles SET title = 'changing' WHERE rowid = 1")
        assert client.get("/api/articles").status_code == 200
        assert "changing" not in client.get("/api/articles").text  # uncommitted: not seen
        assert client.get("/api/articles", params={"q": "Lavrov"}).status_code == 200
        writer.conn.execute("ROLLBACK")


# -- pages -------------------------------------------------------------------------------------

class Segments(HTMLParser):
    """The children of #article-text: (attributes or None for bare text, text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # >0 inside the text container
        self.pieces: list[tuple[dict[str, str] | None, str]] = []
        self.current: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if self.depth:
            self.depth += 1
            assert tag == "span" and self.depth == 2, "segments are flat spans"
            self.current = values
        elif values.get("id") == "article-text":
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.pieces.append((self.current, data))


def segments_of(html: str) -> list[tuple[int, dict[str, str] | None, str]]:
    parser = Segments()
    parser.feed(html)
    out, at = [], 0
    for attrs, text in parser.pieces:
        if attrs is not None:
            assert int(attrs["data-start"]) == at
        out.append((at, attrs, text))
        at += len(text)
    return out


def covering(segments: list[tuple[int, dict[str, str] | None, str]], start: int, end: int) -> list[tuple[int, dict[str, str] | None, str]]:
    return [s for s in segments if start <= s[0] < end]


def test_search_page_shows_facets_and_a_highlighted_snippet(client: TestClient) -> None:
    page = client.get("/", params={"q": "zanzibarword"})
    assert page.status_code == 200
    assert "<mark>zanzibarword</mark>" in page.text
    assert "Moscow rejects pressure" in page.text and "Talks go on" not in page.text
    assert '<option value="Test Wire">Test Wire (2)</option>' in page.text
    filtered = client.get("/", params={"q": "Lavrov", "outlet": "Other Daily"}).text
    assert "Seoul warns" in filtered and "Moscow rejects pressure" not in filtered
    assert '<option value="Other Daily" selected>' in filtered
    listing = client.get("/", params={"limit": 2}).text
    assert 'rel="next"' in listing and "offset=2" in listing


def test_article_page_text_is_the_article_text_split_at_span_offsets(client: TestClient, store_path: Path) -> None:
    article = next(a for a in api.list_articles(db=store_path) if any(
        q.get("speaker") == "Konstantin Eggert" for q in a.quotes))
    html = client.get(f"/articles/{article.id}").text
    segments = segments_of(html)
    assert "".join(text for _, _, text in segments) == article.text
    # A known actor mention: every piece of it carries the actor id, and the pieces are its text.
    lavrov = next(a for a in article.actors if a["id"] == "person:sergey-lavrov")
    mention = lavrov["mentions"][0]
    pieces = covering(segments, mention["start"], mention["end"])
    assert "".join(t for _, _, t in pieces) == mention["text"]
    assert all(attrs and "actor" in attrs["class"].split() and "person:sergey-lavrov" in attrs["data-actors"].split()
               for _, attrs, _ in pieces)
    # A known quote: its pieces carry its index, show the speaker, and join to its span of text.
    index = next(i for i, q in enumerate(article.quotes) if q.get("speaker") == "Konstantin Eggert")
    quote = article.quotes[index]
    pieces = covering(segments, quote["start"], quote["end"])
    assert "".join(t for _, _, t in pieces) == article.text[quote["start"]:quote["end"]]
    for _, attrs, _ in pieces:
        assert attrs and str(index) in attrs["data-quotes"].split()
        assert "quote by Konstantin Eggert" in attrs["title"]
    speaker = covering(segments, quote["speaker_span"]["start"], quote["speaker_span"]["end"])
    assert all(attrs and str(index) in attrs.get("data-speaker-of", "").split() for _, attrs, _ in speaker)
    # Outside every span the text is bare.
    assert segments[-1][1] is None or segments[-1][2]
    # Toggles, panels, and the script that drives them from a static file.
    for layer in ("actor", "quote", "event", "technique"):
        assert f'data-layer="{layer}"' in html
    for panel in ("metadata", "actors", "quotes", "events", "techniques", "stances", "removed"):
        assert f'id="{panel}"' in html
    assert '<script src="/static/app.js" defer></script>' in html
    assert article.removed[0].text in html
    assert client.get("/static/app.js").text.count("show-") >= 1


def test_actor_page_lists_quotes_events_and_articles(client: TestClient) -> None:
    html = client.get("/actors/person:sergey-lavrov").text
    assert "<h1>Sergey Lavrov</h1>" in html
    assert "<q>We will not accept pressure from Washington" in html
    assert 'href="/actors/RUS"' in html
    assert "Moscow rejects pressure" in html
    russia = client.get("/actors/RUS").text
    assert "<b>ACCUSE</b>" in russia
    assert client.get("/actors/person:nobody-at-all").status_code == 404


def test_security_headers_on_pages_api_and_static(client: TestClient) -> None:
    for url in ("/", "/api/articles", "/static/app.css", "/nope", "/api/articles?limit=0"):
        response = client.get(url)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, url
    assert "script-src 'self'" in SECURITY_HEADERS["content-security-policy"]
    assert "frame-ancestors 'none'" in SECURITY_HEADERS["content-security-policy"]


def test_read_only_server_has_no_ingest_page_link_and_refuses_ingest(client: TestClient) -> None:
    assert 'href="/ingest"' not in client.get("/").text
    assert client.post("/api/ingest", data={"text": "x"}).status_code == 403


# -- the command ----------------------------------------------------------------------------

def test_serve_command_is_registered_and_refuses_an_unset_token_variable(store_path: Path) -> None:
    runner = CliRunner()
    help_text = runner.invoke(cli, ["serve", "--help"]).output
    for option in ("--host", "--port", "--write-token-env", "--db"):
        assert option in help_text
    assert "127.0.0.1" in help_text
    result = runner.invoke(cli, ["serve", "--db", str(store_path), "--write-token-env", "NARRASCOPE_TEST_NO_SUCH_VAR"])
    assert result.exit_code != 0
    assert "NARRASCOPE_TEST_NO_SUCH_VAR" in result.output


def test_a_missing_store_is_an_error_before_serving(tmp_path: Path) -> None:
    from narrascope.errors import StoreError

    with pytest.raises(StoreError):
        create_app(tmp_path / "none.db")
    assert not (tmp_path / "none.db").exists()


@pytest.mark.slow
def test_serve_runs_uvicorn_read_write_with_the_token_from_the_environment(store_path: Path, tmp_path: Path) -> None:
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    copy = tmp_path / "served.db"
    # The stages that need no spaCy model, here and in the server (its ingest is under test, not the
    # analyses; loading the model there took most of this test's 20 s).
    light = tmp_path / "light.toml"
    light.write_text('[pipeline]\nstages = ["language", "genre"]\n', encoding="utf-8")
    api.ingest([str(SEEDS)], db=copy, settings=load_settings(str(light)))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    token = "served-token-0123456789"
    command = [str(Path(sys.executable).parent / "narrascope"), "serve", "--db", str(copy), "--port", str(port),
               "--write-token-env", "NARRASCOPE_TEST_TOKEN"]
    server = subprocess.Popen(command, env={**os.environ, "NARRASCOPE_TEST_TOKEN": token,
                                            "NARRASCOPE_CONFIG": str(light)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        stats = None
        while stats is None:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            assert time.monotonic() < deadline, "the server did not start"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/stats") as response:
                    stats = json.loads(response.read())
                    headers = response.headers
            except urllib.error.URLError:
                time.sleep(0.2)
        assert stats["articles"] == 2 and stats["writable"] is True
        assert headers["content-security-policy"].startswith("default-src 'self'")
        assert "server" not in {k.lower() for k in headers}
        assert token not in Path(f"/proc/{server.pid}/cmdline").read_bytes().decode(errors="replace")
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/ingest", method="POST",
                                         data=b"text=" + b"Officials+in+Riga+said+the+kiwiword+drills+would+go+on." * 8,
                                         headers={"Authorization": f"Bearer {token}",
                                                  "Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request) as response:
            assert response.status == 201
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/articles?q=kiwiword") as response:
            assert len(json.loads(response.read())["items"]) == 1
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stderr:
            server.stderr.close()


def test_article_panels_name_actors_rather_than_show_ids(client: TestClient, store_path: Path) -> None:
    article = next(a for a in api.list_articles(db=store_path) if any(
        q.get("speaker") == "Konstantin Eggert" for q in a.quotes))
    html = client.get(f"/articles/{article.id}").text
    stances = html[html.index('id="stances"'):]
    stances = stances[:stances.index("</section>")]
    assert "Russia</a>" in stances and ">RUS</a>" not in stances
    events = html[html.index('id="events"'):]
    events = events[:events.index("</section>")]
    assert "North Korea</a>" in events and ">PRK</a>" not in events


def test_article_panels_show_each_facts_confidence(client: TestClient, store_path: Path) -> None:
    article = next(a for a in api.list_articles(db=store_path) if any(
        q.get("speaker") == "Konstantin Eggert" for q in a.quotes))
    html = client.get(f"/articles/{article.id}").text
    for panel, facts in (("actors", article.actors), ("quotes", article.quotes), ("events", article.events),
                         ("techniques", article.techniques), ("stances", article.stances)):
        assert facts, panel
        section = html[html.index(f'id="{panel}"'):]
        section = section[:section.index("</section>")]
        shown = re.findall(r'class="confidence"[^>]*>([0-9.]+)</small>', section)
        assert shown == [f"{float(f['confidence']):.2f}" for f in facts], panel
        assert all(0.0 <= float(f["confidence"]) <= 1.0 for f in facts)
