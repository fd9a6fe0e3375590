"""Hostile input against the workbench: stored articles built to attack the pages, path traversal in
every path-like parameter, oversize and unauthenticated writes, errors that must not leak.

A real store (hostile JSONL lines really ingested), the real app through Starlette's TestClient.

The second half covers every route generically, enumerated from ``app.routes`` (a route added
later is covered without a change here, except a page's query parameters in ``PAGE_QUERY``, which
``test_every_route_is_described`` asks for): a hostile corpus (``build_hostile_store``: payloads in
titles, bodies, outlets, authors, tags, quotes, speakers, actor names and ids, topics, technique
names, narrative sentences and reuse originals) whose every page must be inert (``Inert``, an
html.parser check); hostile path parameters (TestClient and raw over a socket to uvicorn), hostile
documented query parameters (OpenAPI for /api/, ``PAGE_QUERY`` for pages), methods not allowed,
writes without the token and oversize or malformed uploads on every write route; a read-only
server never changes the store file (sha256, -wal); a store that goes bad answers clean errors.
``tests/test_browser_security.py`` loads the hostile pages in Chromium.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from conftest import copy_store
from narrascope import api
from narrascope.settings import load_settings
from narrascope.web.app import SECURITY_HEADERS, WebSettings, create_app

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"
TOKEN = "test-token-0123456789abcdef"

BODY = ("<script>alert('body')</script> The foreign ministry in Moscow said on Monday that talks with Pyongyang"
        " would go on. <img src=x onerror=alert('img')> Sergey Lavrov told reporters: \"<script>alert('quote')"
        "</script> We will not accept pressure from Washington,\" and the {word} delegation walked out."
        " Russia accused the United States of sabotaging the negotiations over the peninsula, officials said.\n\n"
        "Analysts in Seoul said the statement was the sharpest yet, and warned that the dispute could delay the"
        " summit. <a href=\"javascript:alert('link')\">more</a> <iframe src=//evil.example></iframe>")
HOSTILE = [
    {"text": BODY.format(word="zanzibarword"), "title": "<script>alert(1)</script>",
     "authors": ["<svg onload=alert('author')>"], "outlet": "\"><script>alert('outlet')</script>",
     "tags": ["<b onmouseover=alert('tag')>tag</b>"], "published": "2019-03-01",
     "url": "javascript:alert('url')", "subtitle": "<style>body{display:none}</style>"},
    {"text": BODY.format(word="quokkaword"), "title": "<img src=x onerror=alert(2)> second",
     "published": "2020-05-05", "outlet": "Hostile Daily", "authors": ["O'Brien \" onmouseover=\"alert(3)"]},
]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "in").mkdir()
    (folder / "in" / "hostile.jsonl").write_text("".join(json.dumps(r) + "\n" for r in HOSTILE), encoding="utf-8")
    db = folder / "hostile.db"
    report = api.ingest([str(folder / "in"), str(SEEDS)], db=db, settings=load_settings())
    assert len(report.stored) == 4 and not report.rejected
    return db


@pytest.fixture(scope="module")
def client(store_path: Path) -> TestClient:
    return TestClient(create_app(store_path), base_url="http://127.0.0.1")


@pytest.fixture
def writable(store_path: Path, tmp_path: Path, seeds_once: Path) -> TestClient:
    """A served copy of the store with a write token and a small upload limit."""
    copy = copy_store(seeds_once, tmp_path / "write.db")  # the seeds ingested (once for the run)
    return TestClient(create_app(copy, write_token=TOKEN, web=WebSettings(max_upload_bytes=20_000)), base_url="http://127.0.0.1")


class TextOf(HTMLParser):
    """The text inside the element with the given id (the parser decodes entities)."""

    def __init__(self, element_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.element_id = element_id
        self.depth = 0
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth or dict(attrs).get("id") == self.element_id:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.data.append(data)


def assert_nothing_executable(html: str) -> None:
    parser = Inert()
    parser.feed(html)
    parser.close()
    assert parser.found == []
    # Scripts come from /static only (app.js on every page, a page's own such as ingest.js), never inline.
    assert parser.scripts[0] == {"src": "/static/app.js", "defer": ""}
    assert all(set(s) == {"src", "defer"} and s["src"].startswith("/static/") and ".." not in s["src"]
               for s in parser.scripts), parser.scripts


def hostile_pages(client: TestClient, store_path: Path) -> dict[str, str]:
    ids = [a.id for a in api.list_articles(db=store_path)]
    pages = {url: client.get(url).text for url in (
        "/", "/?q=zanzibarword", "/?q=quokkaword", "/?q=alert", "/?q=script", "/actors/person:sergey-lavrov",
        "/actors/RUS", "/?outlet=%22%3E%3Cscript%3Ealert(9)%3C/script%3E", "/?q=%3Cscript%3Ealert(8)%3C/script%3E",
        "/?since=%3Cscript%3E", "/ingest")}
    for article_id in ids:
        pages[f"/articles/{article_id}"] = client.get(f"/articles/{article_id}").text
    return pages


def test_hostile_articles_render_escaped_and_nothing_executes(client: TestClient, store_path: Path) -> None:
    pages = hostile_pages(client, store_path)
    for url, html in pages.items():
        try:
            assert_nothing_executable(html)
        except AssertionError as e:
            raise AssertionError(f"{url}: {e}") from e
    # The hostile strings are there, as text.
    listing = pages["/"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing
    assert "&lt;img src=x onerror=alert(2)&gt; second" in listing
    hostile_id = next(a.id for a in api.list_articles(db=store_path) if a.title == "<script>alert(1)</script>")
    article = pages[f"/articles/{hostile_id}"]
    for escaped in ("&lt;script&gt;alert(1)&lt;/script&gt;",              # title
                    "&lt;svg onload=alert(&#39;author&#39;)&gt;",         # author
                    "&lt;script&gt;alert(&#39;quote&#39;)&lt;/script&gt;",  # quoted text (quotes panel)
                    "&lt;b onmouseover=alert(&#39;tag&#39;)&gt;tag&lt;/b&gt;",  # tags
                    "&#34;&gt;&lt;script&gt;alert(&#39;outlet&#39;)&lt;/script&gt;"):  # outlet
        assert escaped in article, escaped
    assert "<q>&lt;script&gt;alert(&#39;quote&#39;)&lt;/script&gt; We will not accept" in article
    # The body, cut into highlight segments, reads back as the stored text: the markup is text.
    body = TextOf("article-text")
    body.feed(article)
    stored = api.get_article(hostile_id, db=store_path).text
    assert "<script>alert('body')</script>" in stored and "<img src=x onerror=alert('img')>" in stored
    assert "".join(body.data) == stored
    search = pages["/?q=zanzibarword"]
    assert "<mark>zanzibarword</mark>" in search
    assert "&lt;img src=x onerror=alert(&#39;img&#39;)&gt;" in search or "&lt;script&gt;" in search
    # Attribute values are quoted and escaped: the author with a quote character stays one value.
    second = next(a.id for a in api.list_articles(db=store_path) if a.title.endswith("second"))
    assert "O&#39;Brien &#34; onmouseover=&#34;alert(3)" in pages[f"/articles/{second}"]


def test_json_api_is_json_and_never_sniffed(client: TestClient) -> None:
    response = client.get("/api/articles", params={"q": "zanzibarword"})
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.json()["items"][0]["title"] == "<script>alert(1)</script>"  # data, unchanged


TRAVERSALS = [
    "/static/../../etc/passwd",
    "/static/..%2f..%2f..%2fetc%2fpasswd",
    "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    "/static/..%252f..%252fapp.py",
    "/static/..%5c..%5capp.py",
    "/static/%2fetc%2fpasswd",
    "/static//etc/passwd",
    "/static/app.js%00.html",
    "/static/../app.py",
    "/static/..%2fapp.py",
    "/static/",
    "/static/%2e%2e",
    "/static/%2e%2e/",
    "/articles/..%2f..%2f..%2fetc%2fpasswd",
    "/articles/%252e%252e%252fetc%252fpasswd",
    "/articles/....%2f%2f....%2f%2fetc%2fpasswd",
    "/api/articles/..%2f..%2fetc%2fpasswd",
    "/api/articles/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/api/actors/..%2f..%2fetc%2fpasswd",
    "/api/actors/%252e%252e%252fetc%252fpasswd",
    "/api/actors/..",
    "/actors/..%2f..%2fetc%2fpasswd",
    "/actors/%2e%2e%5c%2e%2e%5cetc%5cpasswd",
    "/actors/file:%2f%2f%2fetc%2fpasswd",
    "/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
]


@pytest.mark.parametrize("url", TRAVERSALS)
def test_path_traversal_is_refused_cleanly(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert 400 <= response.status_code < 500, (url, response.status_code)
    assert "root:" not in response.text
    assert "import " not in response.text and "Traceback" not in response.text
    assert response.headers["content-security-policy"] == SECURITY_HEADERS["content-security-policy"]


@pytest.mark.parametrize("param", ["outlet", "language", "genre", "q"])
def test_path_like_query_values_read_nothing_outside_the_store(client: TestClient, param: str) -> None:
    for value in ("../../etc/passwd", "..%2f..%2fetc%2fpasswd", "/etc/passwd", "file:///etc/passwd"):
        response = client.get("/api/articles", params={param: value})
        assert response.status_code in (200, 400)
        assert "root:" not in response.text
        if response.status_code == 200:
            assert response.json()["items"] == []


def test_static_files_come_from_the_package(client: TestClient) -> None:
    response = client.get("/static/app.js")
    assert response.status_code == 200 and "DOMContentLoaded" in response.text
    assert client.get("/static/app.css").status_code == 200


def test_security_headers_on_every_response(client: TestClient, writable: TestClient) -> None:
    responses = [client.get(u) for u in ("/", "/api/stats", "/api/openapi.json", "/static/app.js", "/nope",
                                         "/api/nope", "/api/articles?limit=x", "/articles/0000000000000000")]
    responses += [client.post("/api/ingest", data={"text": "x"}), client.put("/api/articles"),
                  writable.post("/api/ingest", data={"text": "x"}),
                  writable.post("/api/ingest", content=b"x" * 30_000,
                                headers={"content-type": "application/x-www-form-urlencoded"})]
    assert {r.status_code for r in responses} >= {200, 400, 401, 403, 404, 405, 413}
    for response in responses:
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (response.url, name)


def test_unknown_host_header_is_refused(client: TestClient) -> None:
    # DNS rebinding: a page on evil.example resolving to 127.0.0.1 must not read the store.
    response = client.get("/api/articles", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert "items" not in response.text


def test_internal_errors_do_not_leak(store_path: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(store_path.read_bytes())
    client = TestClient(create_app(broken), base_url="http://127.0.0.1", raise_server_exceptions=False)
    broken.write_bytes(b"this is no longer a SQLite database" * 200)
    for url in ("/api/articles", "/"):
        response = client.get(url)
        assert response.status_code == 500
        assert "Traceback" not in response.text and "sqlite" not in response.text.lower()
        assert str(tmp_path) not in response.text
        assert response.headers["content-security-policy"] == SECURITY_HEADERS["content-security-policy"]
    assert client.get("/api/articles").json() == {"error": "Internal error.", "status": 500}


# -- writes ---------------------------------------------------------------------------------

ARTICLE = ("Officials in Tallinn said on Tuesday that the platypusword exercise near the border would continue."
           " The defence ministry added that allied aircraft had joined the drills, which are planned to last"
           " two weeks, and that observers from neighbouring states had been invited to attend.")


def test_error_messages_do_not_name_server_paths(client: TestClient, store_path: Path) -> None:
    for url in ("/api/articles/0000000000000000", "/articles/0000000000000000", "/api/articles/00"):
        response = client.get(url)
        assert response.status_code == 404
        assert str(store_path.parent) not in response.text and str(store_path.name) not in response.text


def test_a_form_without_file_or_text_is_400(writable: TestClient) -> None:
    response = writable.post("/api/ingest", data={"text": "  "}, headers={"authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 400 and response.json()["status"] == 400
    two = writable.post("/api/ingest", headers={"authorization": f"Bearer {TOKEN}"},
                        files=[("file", ("a.txt", b"a", "text/plain")), ("file", ("b.txt", b"b", "text/plain"))])
    assert two.status_code == 400


def test_write_without_a_configured_token_is_forbidden(client: TestClient) -> None:
    response = client.post("/api/ingest", data={"text": ARTICLE}, headers={"authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 403


def test_write_without_or_with_a_wrong_token_is_refused(writable: TestClient) -> None:
    assert writable.post("/api/ingest", data={"text": ARTICLE}).status_code == 401
    assert writable.post("/api/ingest", data={"text": ARTICLE, "token": "wrong"}).status_code == 403
    assert writable.post("/api/ingest", data={"text": ARTICLE},
                         headers={"authorization": "Bearer wrong-token"}).status_code == 403
    assert writable.post("/api/ingest", data={"text": ARTICLE},
                         headers={"authorization": f"Basic {TOKEN}"}).status_code == 403
    assert writable.post("/ingest", data={"text": ARTICLE, "token": TOKEN[:-1]}).status_code == 403
    assert writable.get("/api/articles", params={"q": "platypusword"}).json()["items"] == []


def test_oversize_upload_is_413_declared_or_streamed(writable: TestClient) -> None:
    big = b"word " * 10_000
    response = writable.post("/api/ingest", files={"file": ("big.txt", big, "text/plain")},
                             headers={"authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 413 and response.json()["status"] == 413

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(50):
            yield b"x" * 1000

    streamed = writable.post("/api/ingest", content=chunks(), headers={
        "authorization": f"Bearer {TOKEN}", "content-type": "application/x-www-form-urlencoded"})
    assert streamed.status_code == 413


def test_upload_with_the_token_appears_in_search(writable: TestClient) -> None:
    response = writable.post("/api/ingest", headers={"authorization": f"Bearer {TOKEN}"},
                             files={"file": ("../../../etc/evil name.txt", ARTICLE.encode(), "text/plain")})
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["name"] == "evil_name.txt"
    assert len(report["stored"]) == 1
    assert "/tmp" not in response.text and "db" not in report
    hits = writable.get("/api/articles", params={"q": "platypusword"}).json()["items"]
    assert [h["id"] for h in hits] == report["stored"]
    assert "<mark>platypusword</mark>" in writable.get("/", params={"q": "platypusword"}).text
    again = writable.post("/api/ingest", headers={"authorization": f"Bearer {TOKEN}"},
                          files={"file": ("again.txt", ARTICLE.encode(), "text/plain")})
    assert again.status_code == 200 and again.json()["stored"] == []


def test_pasted_text_through_the_ingest_page_with_the_form_token(writable: TestClient) -> None:
    page = writable.get("/ingest")
    assert 'name="token"' in page.text and 'type="password"' in page.text
    text = ARTICLE.replace("platypusword", "<script>alert('paste')</script> echidnaword")
    response = writable.post("/ingest", data={"text": text, "token": TOKEN})
    assert response.status_code == 201
    assert_nothing_executable(response.text)
    hits = writable.get("/api/articles", params={"q": "echidnaword"}).json()["items"]
    assert len(hits) == 1
    assert_nothing_executable(writable.get(f"/articles/{hits[0]['id']}").text)


def test_short_tokens_are_refused(store_path: Path) -> None:
    from narrascope.errors import NarrascopeError

    with pytest.raises(NarrascopeError):
        create_app(store_path, write_token="short")


# ==============================================================================================
# A hostile corpus, and every route of the app enumerated from ``app.routes``
# ==============================================================================================

#: Payloads that set a window flag if they ever run (the browser test looks for it).
PWN_SCRIPT = "<script>window.__pwned=1</script>"
PWN_IMG = '<img src=x onerror="window.__pwned=1">'
PWN_ATTR = '"><svg onload="window.__pwned=1">'
PWN_SQ = "'><img src=x onerror='window.__pwned=1'>"
PWN_JS = "javascript:window.__pwned=1"
PWNS = (PWN_SCRIPT, PWN_IMG, PWN_ATTR, PWN_SQ)
HOSTILE_ACTOR = "person:hostile-actor"
HOSTILE_ID = 'org:x"><img src=x onerror="window.__pwned=1">'
CRAFTED_URL = "https://hostile.example/crafted"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def store_files(db: Path) -> dict[str, tuple[str, int] | None]:
    """The store file's hash and the -wal / -shm files' sizes (None: absent)."""
    wal, shm = db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")
    return {"db": (sha256(db), db.stat().st_size),
            "wal": ("", wal.stat().st_size) if wal.exists() else None,
            "shm": ("", shm.stat().st_size) if shm.exists() else None}


def assert_store_untouched(db: Path, before: dict[str, tuple[str, int] | None]) -> None:
    after = store_files(db)
    assert after["db"] == before["db"], "the store file changed"
    # A -wal file that was not there may appear empty (a reader's), but never with pages in it.
    assert after["wal"] == before["wal"] or (before["wal"] is None and after["wal"] == ("", 0)), (before, after)


def _hostile_corpus_items() -> list[dict[str, object]]:
    """``workbench_corpus``'s stories with payloads in titles, outlets, authors, tags and text.

    The text changes are the same replacements in every article (before and in the planted copies),
    so the reused passages stay shared and the narratives' sentences carry the payloads.
    """
    from workbench_corpus import OUTLETS, make_corpus

    corpus = make_corpus()
    outlets = {name: f"{name} {PWNS[i % len(PWNS)]}" for i, name in enumerate(OUTLETS)}
    items: list[dict[str, object]] = []
    for n, item in enumerate(corpus.items):
        payload = PWNS[n % len(PWNS)]
        text = str(item["text"]).replace(" said ", f" said {PWN_IMG} ").replace(" warned ", f" warned {PWN_SCRIPT} ")
        items.append({**item, "title": f"{payload} {item['title']}", "outlet": outlets[str(item["outlet"])],
                      "authors": [f"Reporter {payload}"], "tags": [payload, "news"], "text": text,
                      "subtitle": PWN_ATTR})
    return items


def _crafted_article(db: Path) -> None:
    """An article stored through ``Store.add_article`` whose actor names, roles, quote speakers,
    technique names, topics, removed text and bios are payloads (the pipeline would not name an
    actor so, but a plugin or an import might)."""
    from narrascope.model import Article
    from narrascope.store import open_store

    with open_store(db, load_settings()) as store:
        row = store.conn.execute("SELECT id FROM articles WHERE title = ?", (HOSTILE[0]["title"],)).fetchone()
        record = store.get_article(row[0]).to_record()
        lavrov = next(a for a in record["actors"] if a["id"] == "person:sergey-lavrov")
        for i, actor in enumerate(record["actors"]):
            actor["name"] = f"{actor['name']} {PWNS[i % len(PWNS)]}"
            actor["role"] = PWN_ATTR
        record["actors"].append({"id": HOSTILE_ACTOR, "name": f"{PWN_SCRIPT} Evil {PWN_IMG}", "kind": "person",
                                 "country": "RUS", "role": PWN_SQ, "mentions": lavrov["mentions"]})
        # An actor whose id itself is a payload: it goes into links, data attributes and facet values.
        record["actors"].append({"id": HOSTILE_ID, "name": PWN_SQ, "kind": "org", "country": None, "role": None,
                                 "mentions": lavrov["mentions"]})
        record["stances"].append({"holder": "author", "target": HOSTILE_ID, "polarity": -0.3, "evidence": []})
        for i, said in enumerate(record["quotes"]):
            said.update(speaker=f"{PWNS[i % len(PWNS)]} speaker", speaker_role=PWN_ATTR, speaker_actor=HOSTILE_ACTOR)
        for event in record["events"]:
            event.update(source=HOSTILE_ACTOR, cue=PWN_IMG)
        record["events"][-1].update(target=HOSTILE_ID, target_state=None)
        record["techniques"].append({"name": PWN_SCRIPT, "start": 0, "end": 10, "text": PWN_IMG, "score": 0.9})
        record["stances"].append({"holder": HOSTILE_ACTOR, "target": "USA", "polarity": -0.5,
                                  "evidence": [{"start": 0, "end": 20}]})
        record["stances"].append({"holder": "author", "target": HOSTILE_ACTOR, "polarity": 0.4, "evidence": []})
        record.update(id=hashlib.sha256(b"crafted").hexdigest()[:16], url=CRAFTED_URL,
                      title=f"Crafted {PWN_SCRIPT} {PWN_ATTR}", topics=[PWN_SQ, "diplomacy"],
                      author_bios=[PWN_IMG], removed=[{"kind": "boilerplate", "text": PWN_SCRIPT, "label": PWN_IMG}],
                      genre_evidence=[PWN_IMG], provenance={"title": PWN_SCRIPT}, published="2021-03-03",
                      source={"kind": "jsonl", "location": f"crafted {PWN_IMG}"})
        with store.transaction():
            assert store.add_article(Article.from_record(record))


def build_hostile_store(folder: Path, seeds: Path | None = None) -> Path:
    """Seeds and ``HOSTILE`` (full pipeline), the hostile workbench corpus (cheap stages), the
    crafted article; then ``narrascope reuse``, ``narratives`` and ``graph`` through the real CLI.
    ``seeds``: a store of the seeds ingested with the default settings, to start from a copy of."""
    from conftest import copy_store, run_cli
    from workbench_corpus import FAST_CONFIG

    db = folder / "hostile-corpus.db"
    (folder / "full").mkdir()
    (folder / "full" / "hostile.jsonl").write_text("".join(json.dumps(r) + "\n" for r in HOSTILE), encoding="utf-8")
    if seeds is not None:
        copy_store(seeds, db)
    for path in ([] if seeds is not None else [str(SEEDS)]) + [str(folder / "full")]:
        result = run_cli("ingest", path, "--db", str(db), "--quiet")
        assert result.exit_code == 0, result.output
    config = folder / "fast.toml"
    config.write_text(FAST_CONFIG, encoding="utf-8")
    corpus = folder / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in _hostile_corpus_items()),
                      encoding="utf-8")
    result = run_cli("--config", str(config), "ingest", str(corpus), "--db", str(db), "--quiet")
    assert result.exit_code == 0, result.output
    _crafted_article(db)
    for command in ("reuse", "narratives", "graph"):
        result = run_cli("--config", str(config), command, "--db", str(db), "--quiet")
        assert result.exit_code == 0, result.output
    return db


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory, hostile_once: Path) -> Path:
    """A copy of the hostile corpus (``build_hostile_store``, built once for the run)."""
    return copy_store(hostile_once, tmp_path_factory.mktemp("hostile-corpus") / "hostile-corpus.db")


@pytest.fixture(scope="module")
def hostile(hostile_db: Path) -> TestClient:
    return TestClient(create_app(hostile_db), base_url="http://127.0.0.1")


def _one(db: Path, sql: str, *params: object) -> Any:
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute(sql, params).fetchone()
    finally:
        conn.close()
    assert row is not None, sql
    return row[0]


def _all(db: Path, sql: str, *params: object) -> list[Any]:
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return [row[0] for row in conn.execute(sql, params)]
    finally:
        conn.close()


def sample_path_values(db: Path) -> dict[str, str]:
    """A real value for each path parameter of the app's routes (a new parameter must be added here)."""
    return {"article_id": _one(db, "SELECT id FROM articles WHERE url = ?", CRAFTED_URL),
            "actor_id": HOSTILE_ACTOR,
            "narrative_id": str(_one(db, "SELECT id FROM narratives WHERE sentence LIKE '%<%' ORDER BY size DESC")),
            "cluster_id": str(_one(db, "SELECT cluster FROM reuse_clusters ORDER BY size DESC, cluster")),
            "source": _one(db, "SELECT source FROM reuse_pairs ORDER BY shared_words DESC, source, target"),
            "target": _one(db, "SELECT target FROM reuse_pairs ORDER BY shared_words DESC, source, target"),
            "table": "narratives",
            "job_id": "A" * 24}


def hostile_page_urls(db: Path) -> list[str]:
    """Every page of the workbench over the hostile corpus, with results, facets, highlights and panels."""
    sample = sample_path_values(db)
    outlet = _one(db, "SELECT outlet FROM articles WHERE outlet LIKE '%<script>%' LIMIT 1")
    urls = ["/", "/?q=pwned", "/?q=script", "/?q=zanzibarword", "/?q=grain&limit=50", "/?q=onerror",
            "/?" + urlencode({"outlet": outlet}), "/?" + urlencode({"q": "grain", "outlet": outlet}),
            f"/?actor={HOSTILE_ACTOR}", "/?" + urlencode({"actor": HOSTILE_ID}), "/?" + urlencode({"technique": PWN_SCRIPT}),
            "/?" + urlencode({"topic": PWN_SQ}), "/?" + urlencode({"q": PWN_SCRIPT, "outlet": PWN_IMG}),
            f"/actors/{HOSTILE_ACTOR}", f"/actors/{HOSTILE_ACTOR}?level=state", "/actors/person:sergey-lavrov",
            "/actors/RUS", "/actors/USA?level=state",
            "/narratives", "/narratives?status=all", "/narratives?sort=recent",
            "/reuse", "/reuse?sort=recent", "/exports", "/exports?" + urlencode({"outlet": outlet}), "/ingest",
            "/articles/0000000000000000", "/nope" + quote(PWN_SCRIPT)]
    hostile_ids = _all(db, "SELECT id FROM articles WHERE title LIKE '%<%' OR outlet LIKE '%<%' ORDER BY rowid")
    urls += [f"/articles/{i}" for i in hostile_ids[:12]]
    urls.append(f"/articles/{sample['article_id']}")
    for narrative, article, start, end in _rows(db, "SELECT id, sentence_article, sentence_start, sentence_end"
                                                    " FROM narratives ORDER BY id"):
        urls.append(f"/narratives/{narrative}")
        if article:
            urls.append(f"/articles/{article}?hl={start}-{end}")
    for cluster in _all(db, "SELECT DISTINCT cluster FROM reuse_clusters ORDER BY cluster"):
        urls.append(f"/reuse/{cluster}")
        for copy in _all(db, "SELECT article FROM reuse_clusters WHERE cluster = ? AND role != 'original'", cluster):
            urls.append(f"/reuse/{cluster}?copy={copy}")
    for original in _all(db, "SELECT DISTINCT original FROM reuse_clusters"):
        urls.append(f"/articles/{original}")
    return list(dict.fromkeys(urls))


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return list(conn.execute(sql))
    finally:
        conn.close()


class Inert(HTMLParser):
    """What a clean page must not hold: script elements other than ``<script src="/static/..." defer>``
    with no inline content, on* attributes, style attributes and elements, javascript:/data:/vbscript:
    URLs, frames, objects, embeds, images, base and meta refresh."""

    URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcdoc",
                      "srcset", "ping")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.scripts: list[dict[str, str]] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "script":
            self.scripts.append(values)
            self.in_script = True
            if set(values) != {"src", "defer"} or not values["src"].startswith("/static/") or ".." in values["src"]:
                self.found.append(f"<script {values}>")
        if tag in ("iframe", "frame", "object", "embed", "img", "style", "base", "link", "form") and not (
                tag == "link" and values.get("rel") in ("stylesheet", "icon") and values.get("href", "").startswith("/static/")
                or tag == "form" and values.get("action", "/").startswith("/") and not values.get("action", "/").startswith("//")):
            self.found.append(f"<{tag} {values}>")
        if tag == "meta" and "http-equiv" in values:
            self.found.append(f"<meta http-equiv={values['http-equiv']!r}>")
        for name, value in values.items():
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}={value!r}>")
            cleaned = "".join(ch for ch in value if ch > " ").lower()
            if name in self.URL_ATTRIBUTES and cleaned.startswith(("javascript:", "data:", "vbscript:")):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.in_script = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.found.append(f"inline script {data[:60]!r}")


def inert_problems(html: str) -> list[str]:
    parser = Inert()
    parser.feed(html)
    parser.close()
    return parser.found


def test_the_hostile_corpus_carries_its_payloads_where_the_pages_show_them(hostile_db: Path) -> None:
    """The hostile store really holds payloads in each place the page test then looks at."""
    assert _one(hostile_db, "SELECT COUNT(*) FROM articles WHERE title LIKE '%<script>window.__pwned%'") > 10
    assert _one(hostile_db, "SELECT COUNT(DISTINCT outlet) FROM articles WHERE outlet LIKE '%window.__pwned%'") == 6
    assert _one(hostile_db, "SELECT COUNT(*) FROM narratives WHERE sentence LIKE '%<%'") >= 1
    assert _one(hostile_db, "SELECT COUNT(*) FROM articles a JOIN reuse_clusters r ON r.original = a.id"
                            " WHERE a.title LIKE '%<%'") >= 1
    record = api.get_article(sample_path_values(hostile_db)["article_id"], db=hostile_db)
    assert any(PWN_SCRIPT in a["name"] for a in record.actors)
    assert all("window.__pwned" in q["speaker"] for q in record.quotes) and record.quotes
    assert any("<script>" in q["content"] for q in record.quotes)
    for actor in (HOSTILE_ACTOR, HOSTILE_ID):
        assert _one(hostile_db, "SELECT COUNT(*) FROM graph_edges WHERE source = ? OR target = ?", actor, actor) >= 1


def test_every_page_of_the_hostile_corpus_is_inert(hostile: TestClient, hostile_db: Path) -> None:
    urls = hostile_page_urls(hostile_db)
    assert len(urls) > 40
    problems: dict[str, list[str]] = {}
    shown = ""
    for url in urls:
        response = hostile.get(url)
        assert response.status_code in (200, 400, 404), (url, response.status_code)
        assert response.headers["content-type"].startswith("text/html"), url
        assert response.headers["content-security-policy"] == SECURITY_HEADERS["content-security-policy"], url
        found = inert_problems(response.text)
        if found:
            problems[url] = found
        shown += response.text
    assert problems == {}
    # The payloads are on the pages, as text: titles, outlets, actor names, speakers, narrative sentences.
    for escaped in ("&lt;script&gt;window.__pwned=1&lt;/script&gt;", "&lt;img src=x onerror=&#34;window.__pwned=1&#34;&gt;",
                    "&#34;&gt;&lt;svg onload=&#34;window.__pwned=1&#34;&gt;",
                    "&#39;&gt;&lt;img src=x onerror=&#39;window.__pwned=1&#39;&gt;"):
        assert escaped in shown, escaped
    actor_page = hostile.get(f"/actors/{HOSTILE_ACTOR}").text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt; Evil" in actor_page
    assert "<svg" in actor_page  # the neighbourhood picture is drawn, its labels escaped (checked above)


def test_the_inert_check_sees_each_payload_when_it_is_not_escaped() -> None:
    for payload in (*PWNS, f'<a href="{PWN_JS}">x</a>', '<a href=" java\tscript:alert(1)">x</a>',
                    '<p style="color:red">x</p>', '<script src="https://evil.example/x.js" defer></script>',
                    '<script src="/static/app.js" defer>alert(1)</script>', "<iframe src=/></iframe>"):
        assert inert_problems(f"<p>{payload}</p>"), payload
    assert inert_problems('<script src="/static/app.js" defer></script><svg><a href="/actors/USA"></a></svg>') == []


# -- every route, from app.routes ------------------------------------------------------------------

#: Path-parameter payloads, as they go into the URL (some already percent-encoded).
PATH_PAYLOADS = [
    "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "..%2f..%2f..%2f..%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "%2e%2e", "%252e%252e%252fetc%252fpasswd", "....//....//etc/passwd", "....%2F%2F....%2F%2Fetc%2Fpasswd",
    "..%5c..%5cwindows%5cwin.ini", "%2Fetc%2Fpasswd", "/etc/passwd", "file:%2F%2F%2Fetc%2Fpasswd",
    "%00", "abcd%00", "..%00%2F", "%ff%fe%fd", "%c0%ae%c0%ae%c0%af", "A" * 5000, "9" * 400,
    quote("<script>alert(1)</script>", safe=""), quote('"><img src=x onerror=alert(1)>', safe=""),
    quote(PWN_SCRIPT, safe=""), quote("日本語ü\u202e\u0000", safe=""), "%F0%9F%92%A3", "-1", "0x10", "1e9",
]
PASSWD = ("root:x:0:0", "root:*:0:0", "/bin/bash", "daemon:x:")
TRACEBACK = ("Traceback", 'File "', '.py", line', "sqlite3.", "OperationalError", "site-packages")

#: The query parameters of each page (the API's are read from /api/openapi.json). A new page must be
#: listed here (test_every_route_is_described fails until it is).
PAGE_QUERY: dict[str, tuple[str, ...]] = {
    "/": ("q", "outlet", "actor", "state", "technique", "genre", "topic", "narrative", "language", "since", "until",
          "all_versions", "limit", "offset"),
    "/articles/{article_id}": ("hl",),
    "/actors/{actor_id}": ("level",),
    "/ingest": (),
    "/narratives": ("status", "sort", "limit", "offset"),
    "/narratives/{narrative_id}": ("limit", "offset"),
    "/reuse": ("sort", "limit", "offset"),
    "/reuse/{cluster_id}": ("copy", "limit", "offset"),
    "/reuse/pairs/{source}/{target}": (),
    "/exports": ("outlet", "actor", "state", "technique", "genre", "topic", "narrative", "language", "since", "until",
                 "all_versions"),
    "/plugin/exclaim": (),  # the test plugin's page (tests/plugin_pkg): plugin pages get the same hostile tests
}
QUERY_PAYLOADS = [
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "'><svg onload=alert(1)>", PWN_JS,
    "../../etc/passwd", "/etc/passwd", "..%2F..%2Fetc%2Fpasswd", "file:///etc/passwd", "\x00", "a\x00b", "%00",
    "' OR 1=1 --", '"', "NEAR(", "*", "-1", "99999999999999999999", "1-2", "5-3", "0-999999999", "１２", "日本語\u202e",
    "\ud83d\udca3".encode("utf-16", "surrogatepass").decode("utf-16"), "x" * 501, "x" * 5000,
]
SCRIPT_MARKERS = ("<script>alert", "<img src=x onerror", "<svg onload", "<script>window")


def app_routes(client: TestClient) -> list[Route]:
    routes = [r for r in client.app.routes if isinstance(r, Route)]  # type: ignore[attr-defined]
    mounts = [r for r in client.app.routes if isinstance(r, Mount)]  # type: ignore[attr-defined]
    assert [m.path for m in mounts] == ["/static"]  # anything else mounted would need its own checks
    assert len(routes) >= 23
    return routes


def fill(route: Route, sample: dict[str, str], **given: str) -> str:
    path = route.path
    for name in route.param_convertors:
        assert name in sample or name in given, f"add a sample value for the path parameter {name!r}"
        path = path.replace("{" + name + "}", given.get(name, sample.get(name, "")))
    return path


def assert_clean(response: Any, db: Path, what: object) -> None:
    """No file content, no traceback, no server path, the CSP header."""
    text = response.text
    for marker in PASSWD + TRACEBACK:
        assert marker not in text, (what, marker, text[:300])
    for path in (str(db), str(db.parent), str(ROOT)):
        assert path not in text, (what, path)
    assert response.headers.get("content-security-policy") == SECURITY_HEADERS["content-security-policy"], what
    assert response.headers.get("x-content-type-options") == "nosniff", what
    assert "access-control-allow-origin" not in response.headers, what  # no cross-origin reads


def assert_escaped(response: Any, what: object) -> None:
    kind = response.headers.get("content-type", "")
    if response.request.method == "HEAD":
        assert response.content == b"", what
    elif kind.startswith("text/html"):
        assert kind == "text/html; charset=utf-8", (what, kind)  # a declared charset: no UTF-7 sniffing
        for marker in SCRIPT_MARKERS:
            assert marker not in response.text, (what, marker)
        assert inert_problems(response.text) == [], what
    elif kind.startswith("application/json"):
        response.json()
    else:  # a download: never something a browser would render in the page
        assert "attachment" in response.headers.get("content-disposition", ""), (what, kind)
        assert not kind.startswith(("text/html", "image/svg", "application/xhtml")), (what, kind)


def route_methods(route: Route) -> set[str]:
    return set(route.methods or ()) - {"HEAD"}


def test_every_route_is_described(hostile: TestClient) -> None:
    """Pages are in PAGE_QUERY, API routes in the OpenAPI document, with their path parameters."""
    paths = hostile.get("/api/openapi.json").json()["paths"]
    for route in app_routes(hostile):
        if route.path.startswith("/api/"):
            assert route.path in paths, route.path
            documented = {m.upper() for m in paths[route.path]}
            assert documented == route_methods(route), route.path
            for operation in paths[route.path].values():
                named = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
                assert named == set(route.param_convertors), route.path
        else:
            assert route.path in PAGE_QUERY, f"list the query parameters of {route.path} in PAGE_QUERY"


def test_hostile_path_parameters_on_every_route_are_a_clean_4xx(hostile: TestClient, hostile_db: Path) -> None:
    sample = sample_path_values(hostile_db)
    checked = 0
    for route in app_routes(hostile):
        for name in route.param_convertors:
            for payload in [*PATH_PAYLOADS, quote(str(hostile_db), safe=""), str(hostile_db)]:
                url = fill(route, sample, **{name: payload})
                for method in sorted(route_methods(route)):
                    response = hostile.request(method, url)
                    what = (method, url[:200], response.status_code)
                    assert 400 <= response.status_code < 500, what
                    assert_clean(response, hostile_db, what)
                    assert_escaped(response, what)
                    checked += 1
    assert checked >= 9 * len(PATH_PAYLOADS)


def test_static_mount_refuses_traversal(hostile: TestClient, hostile_db: Path) -> None:
    for payload in PATH_PAYLOADS + ["..", "../app.py", "..%2Fapp.py", "../templates/base.html", "vendor/../../app.py",
                                    "vendor/..%2F..%2Fapp.py", quote(str(hostile_db), safe="")]:
        response = hostile.get(f"/static/{payload}")
        what = (payload[:100], response.status_code)
        assert_clean(response, hostile_db, what)
        if not response.request.url.path.startswith("/static/"):
            continue  # the client resolved the dot segments (/static/.. is /): not a static request
        assert 400 <= response.status_code < 500, what
        assert "import " not in response.text and "{%" not in response.text, what


def query_parameters(client: TestClient) -> dict[str, tuple[str, ...]]:
    """Route path -> its documented query parameters (OpenAPI for /api/, PAGE_QUERY for pages)."""
    paths = client.get("/api/openapi.json").json()["paths"]
    out: dict[str, tuple[str, ...]] = {}
    for route in app_routes(client):
        if route.path.startswith("/api/"):
            operation = paths[route.path].get("get") or paths[route.path].get("post") or {}
            out[route.path] = tuple(p["name"] for p in operation.get("parameters", []) if p["in"] == "query")
        else:
            out[route.path] = PAGE_QUERY[route.path]
    return out


def test_hostile_query_parameters_on_every_route_are_escaped_or_a_clean_4xx(hostile: TestClient,
                                                                            hostile_db: Path) -> None:
    sample = sample_path_values(hostile_db)
    parameters = query_parameters(hostile)
    assert sum(len(p) for p in parameters.values()) >= 60
    statuses: dict[int, int] = {}
    for route in app_routes(hostile):
        if "GET" not in route_methods(route):
            continue
        url = fill(route, sample)
        for name in parameters[route.path]:
            for payload in QUERY_PAYLOADS:
                response = hostile.get(url, params={name: payload})
                what = (route.path, name, payload[:40], response.status_code)
                assert response.status_code < 500, what
                assert 200 <= response.status_code < 300 or 400 <= response.status_code < 500, what
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                assert_clean(response, hostile_db, what)
                assert_escaped(response, what)
                if route.path.startswith("/api/") and route.path != "/api/export/tables/{table}" \
                        and route.path != "/api/export/articles":
                    assert response.headers["content-type"] == "application/json", what
    assert statuses.get(200, 0) > 100 and statuses.get(400, 0) > 100, statuses


def test_methods_not_allowed_are_a_clean_405(hostile: TestClient, hostile_db: Path) -> None:
    sample = sample_path_values(hostile_db)
    for route in app_routes(hostile):
        url = fill(route, sample)
        for method in ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "PROPFIND"):
            if method in route_methods(route) or method == "HEAD" and "GET" in route_methods(route):
                continue
            response = hostile.request(method, url, content=b"x=1")
            what = (method, route.path, response.status_code)
            assert response.status_code == 405, what
            assert_clean(response, hostile_db, what)
            assert_escaped(response, what)
            assert set(response.headers.get("allow", "").replace(" ", "").split(",")) >= route_methods(route), what


# -- writes: refused without the token, and a read-only server never writes -----------------------

def secured_routes(client: TestClient) -> list[tuple[str, Route]]:
    """(method, route) of every write (POST) and of every operation the OpenAPI document says needs
    the write token."""
    paths = client.get("/api/openapi.json").json()["paths"]
    out = []
    for route in app_routes(client):
        for method in sorted(route_methods(route)):
            if method == "POST" or "security" in paths.get(route.path, {}).get(method.lower(), {}):
                out.append((method, route))
    assert {(m, r.path) for m, r in out} >= {("POST", "/api/ingest"), ("POST", "/api/ingest/jobs"),
                                             ("GET", "/api/ingest/jobs/{job_id}"), ("POST", "/ingest")}
    return out


def refused_writes(token: str) -> list[tuple[dict[str, Any], int]]:
    """Requests a server with the write token ``token`` must refuse, and its status."""
    bearer = {"authorization": f"Bearer {token}"}
    return [({"data": {"text": ARTICLE}}, 401),
            ({"files": {"file": ("a.txt", ARTICLE.encode(), "text/plain")}}, 401),
            ({"data": {"text": ARTICLE, "token": ""}}, 401),
            ({"data": {"text": ARTICLE}, "params": {"token": token}}, 401),  # never from the URL
            ({"data": {"text": ARTICLE, "token": "wrong"}}, 403),
            ({"data": {"text": ARTICLE, "token": token[:-1]}}, 403),
            ({"data": {"text": ARTICLE, "token": token + "x"}}, 403),
            ({"data": {"text": ARTICLE, "token": token.upper()}}, 403),
            ({"data": {"text": ARTICLE}, "headers": {"authorization": "Bearer wrong-token-0123456789"}}, 403),
            ({"data": {"text": ARTICLE}, "headers": {"authorization": "Bearer "}}, 403),
            ({"data": {"text": ARTICLE}, "headers": {"authorization": f"Basic {token}"}}, 403),
            ({"data": {"text": ARTICLE}, "headers": {"authorization": f"Bearer {token}\x00"}}, 403),
            ({"data": {"text": ARTICLE, "token": token}, "headers": {"authorization": "Bearer wrong-token-0123456"}},
             403),
            ({"data": {"text": ARTICLE}, "headers": {**bearer, "authorization": f"bearer{token}"}}, 403)]


def test_writes_without_the_token_are_refused_and_the_store_is_unchanged(hostile_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "write.db"
    shutil.copyfile(hostile_db, copy)
    before = store_files(copy)
    sample = sample_path_values(copy)
    with_token = TestClient(create_app(copy, write_token=TOKEN), base_url="http://127.0.0.1")
    read_only = TestClient(create_app(copy), base_url="http://127.0.0.1")
    checked = 0
    for method, route in secured_routes(with_token):
        url = fill(route, sample)
        for kwargs, status in refused_writes(TOKEN):
            if method == "GET":
                kwargs = {k: v for k, v in kwargs.items() if k in ("headers", "params")}
            try:
                response = with_token.request(method, url, **kwargs)
            except Exception as e:  # noqa: BLE001 - httpx refuses a NUL in a header: nothing was sent
                assert "\x00" in str(kwargs.get("headers")), e
                continue
            what = (method, route.path, kwargs, response.status_code)
            # A GET has no form: without the header it is 401, with a wrong one 403.
            expected = status if method == "POST" else (403 if "authorization" in kwargs.get("headers", {}) else 401)
            assert response.status_code == expected, what
            assert TOKEN[:12] not in response.text, what  # the token (or a part) is never echoed
            assert_clean(response, copy, what)
            assert_escaped(response, what)
            if expected == 401 and route.path.startswith("/api/"):
                assert response.headers.get("www-authenticate") == "Bearer", what
            # The read-only server refuses all of them, the right token too.
            refused = read_only.request(method, url, **kwargs)
            assert refused.status_code == 403, (*what, "read-only", refused.status_code)
            assert_clean(refused, copy, what)
            checked += 1
        right = {"headers": {"authorization": f"Bearer {TOKEN}"}}
        if method == "POST":
            right["data"] = {"text": ARTICLE}
        assert read_only.request(method, url, **right).status_code == 403, (method, route.path)
    assert checked >= 3 * 13
    assert_store_untouched(copy, before)
    assert with_token.get("/api/articles", params={"q": "platypusword"}).json()["items"] == []
    # The check would see a write: the right token stores the article, and the file changes.
    stored = with_token.post("/api/ingest", data={"text": ARTICLE}, headers={"authorization": f"Bearer {TOKEN}"})
    assert stored.status_code == 201 and TOKEN not in stored.text
    assert store_files(copy)["db"] != before["db"] or store_files(copy)["wal"] not in (None, ("", 0))


def read_urls(db: Path, client: TestClient) -> list[str]:
    """Every GET route with real values, every page of the hostile corpus, every download."""
    sample = sample_path_values(db)
    urls = [fill(route, sample) for route in app_routes(client) if "GET" in route_methods(route)]
    urls += hostile_page_urls(db)
    urls += [f"/api/export/articles?format={fmt}" for fmt in ("jsonl", "csv", "stix")]
    urls += [f"/api/export/articles?format=jsonl&outlet={quote(o, safe='')}"
             for o in _all(db, "SELECT DISTINCT outlet FROM articles WHERE outlet LIKE '%<%'")]
    from narrascope.web.download_pages import _table_names

    for table in sorted(_table_names()):
        urls += [f"/api/export/tables/{table}?format={fmt}" for fmt in ("csv", "jsonl", "parquet")]
    urls += ["/api/export/tables/graph?format=gexf", "/api/export/tables/graph?format=gexf&level=state"]
    urls += [f"/api/articles?q=grain&{name}=x" for name in PAGE_QUERY["/exports"]]
    urls += ["/api/narratives?status=all", "/api/reuse?sort=recent", f"/api/actors/{HOSTILE_ACTOR}?level=state"]
    return urls


def test_a_read_only_server_never_writes_the_store(hostile_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "read.db"
    shutil.copyfile(hostile_db, copy)
    before = store_files(copy)
    client = TestClient(create_app(copy), base_url="http://127.0.0.1")
    statuses: dict[int, int] = {}
    for url in read_urls(copy, client):
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    assert statuses.get(200, 0) > 60, statuses
    for method, route in secured_routes(client):
        assert client.request(method, fill(route, sample_path_values(copy)), data={"text": ARTICLE},
                              headers={"authorization": f"Bearer {TOKEN}"}).status_code == 403
    assert_store_untouched(copy, before)


def test_downloads_of_the_hostile_corpus_are_attachments_that_parse(hostile: TestClient) -> None:
    """Exports carry the payloads as data: GEXF is well-formed XML with the names as text, CSV and
    STIX parse, and each is an attachment of a type no browser renders as a page."""
    import csv
    import io
    import xml.etree.ElementTree as ET

    for level in ("actor", "state"):
        response = hostile.get("/api/export/tables/graph", params={"format": "gexf", "level": level})
        assert response.status_code == 200
        assert response.headers["content-disposition"].startswith("attachment")
        labels = [n.get("label") or "" for n in ET.fromstring(response.content).iter() if n.tag.endswith("}node")]
        assert any(PWN_SCRIPT in label for label in labels)
    response = hostile.get("/api/export/articles", params={"format": "csv"})
    assert response.headers["content-disposition"].startswith("attachment")
    titles = [row["title"] for row in csv.DictReader(io.StringIO(response.text))]
    assert sum(any(p in t for p in PWNS) for t in titles) > 10
    response = hostile.get("/api/export/articles", params={"format": "stix"})
    assert response.headers["content-type"].startswith("application/stix+json")
    assert any(PWN_SCRIPT in json.dumps(o) for o in json.loads(response.content)["objects"])


# -- over a real socket: paths exactly as sent, dot segments and all -------------------------------

RAW_PATHS = [
    "/static/../../../../../../etc/passwd", "/static/../app.py", "/static/../templates/base.html",
    "/static/vendor/../../app.py", "/static/./../app.py", "/static/..%2f..%2fapp.py", "/static/%2e%2e/%2e%2e/etc/passwd",
    "/static/%2e%2e%2f%2e%2e%2fapp.py", "/static/..\\..\\app.py", "/static/..%5c..%5capp.py", "/static//etc/passwd",
    "/static/%00", "/static/app.js%00.html", "/static/%c0%ae%c0%ae/app.py", "/static/....//....//app.py",
    "/../../../../etc/passwd", "/./../etc/passwd", "//etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
]


@pytest.fixture(scope="module")
def live(hostile_db: Path) -> Any:
    """The app served by uvicorn on a free local port (raw requests, no client-side path handling)."""
    from served import serving

    with serving(create_app(hostile_db)) as url:
        yield int(url.rsplit(":", 1)[1])


def raw_get(port: int, path: str, host: str | None = "127.0.0.1") -> tuple[int, dict[str, str], str]:
    """GET ``path`` exactly as given, with this Host header (None: none at all)."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode("utf-8",
                                                                                                        "replace")
    finally:
        connection.close()


def test_raw_paths_over_a_socket_are_a_clean_4xx(live: int, hostile: TestClient, hostile_db: Path) -> None:
    sample = sample_path_values(hostile_db)
    paths = list(RAW_PATHS)
    for route in app_routes(hostile):
        if "GET" not in route_methods(route):
            continue
        for name in route.param_convertors:
            for payload in ("../../../../etc/passwd", "..%2f..%2fetc%2fpasswd", "....//etc/passwd", "%00", "..",
                            "..\\..\\etc\\passwd", quote(str(hostile_db), safe="/")):
                paths.append(fill(route, sample, **{name: payload}))
    assert len(paths) > 80
    for path in paths:
        status, headers, text = raw_get(live, path)
        what = (path[:120], status)
        assert 400 <= status < 500, what
        for marker in PASSWD + TRACEBACK + ("import ", "{%"):
            assert marker not in text, (what, marker)
        assert str(hostile_db.parent) not in text, what
        assert headers.get("content-security-policy") == SECURITY_HEADERS["content-security-policy"], what
    assert raw_get(live, "/static/app.js")[0] == 200  # the same server serves what it should
    assert raw_get(live, "/api/stats", host=f"127.0.0.1:{live}")[0] == 200


@pytest.mark.parametrize("host", [None, "", "evil.example", "127.0.0.1.evil.example", "evil.example:80@127.0.0.1",
                                  "127.0.0.1\\@evil.example", "localhost.", "0.0.0.0", "[::ffff:127.0.0.1]"])
def test_raw_requests_with_a_foreign_or_no_host_are_refused(live: int, host: str | None) -> None:
    for path in ("/api/articles", "/", f"http://{host or 'x'}/api/articles"):
        status, headers, text = raw_get(live, path, host=host)
        assert status == 400, (host, path, status)
        assert '"items"' not in text and "<li" not in text, (host, path)
        if "content-security-policy" not in headers:  # h11 refused it before the app saw it: plain text
            assert headers["content-type"].startswith("text/plain") and text == "Invalid HTTP request received."
            continue
        assert headers.get("content-security-policy") == SECURITY_HEADERS["content-security-policy"]


def test_every_route_over_a_broken_store_fails_cleanly_and_leaves_no_temporary_file(
        hostile_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store goes bad under a running server: every route answers a short error (no traceback,
    no path, the CSP), and no export leaves its temporary file behind (nor does a good download)."""
    import tempfile

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    broken = tmp_path / "broken.db"
    shutil.copyfile(hostile_db, broken)
    client = TestClient(create_app(broken), base_url="http://127.0.0.1", raise_server_exceptions=False)
    urls = read_urls(broken, client)
    downloads = [u for u in urls if u.startswith("/api/export/")]
    assert len(downloads) > 10
    for url in downloads:
        assert client.get(url).status_code in (200, 404), url
    assert list(temporary.iterdir()) == []  # sent, then deleted
    broken.write_bytes(b"this is no longer a SQLite database" * 5000)
    statuses: dict[int, int] = {}
    for url in urls:
        response = client.get(url)
        what = (url[:120], response.status_code)
        assert response.status_code in (200, 400, 403, 404, 500, 503), what  # 200: pages that read no store
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert_clean(response, broken, what)
        if response.status_code >= 500:
            assert "sqlite" not in response.text.lower() and "database" not in response.text.lower(), what
            assert "Internal error." in response.text or "cannot be read" in response.text, what
    assert statuses.get(500, 0) > 20, statuses
    assert list(temporary.iterdir()) == []


def test_every_write_route_refuses_oversize_and_malformed_uploads_cleanly(hostile_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "limits.db"
    shutil.copyfile(hostile_db, copy)
    before = store_files(copy)
    client = TestClient(create_app(copy, write_token=TOKEN, web=WebSettings(max_upload_bytes=20_000)),
                        base_url="http://127.0.0.1")
    bearer = {"authorization": f"Bearer {TOKEN}"}

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(50):
            yield b"text=" + b"x" * 995

    posts = [route for method, route in secured_routes(client) if method == "POST"]
    for route in posts:
        url = fill(route, sample_path_values(copy))
        cases: list[tuple[dict[str, Any], int]] = [
            ({"files": {"file": ("big.txt", ARTICLE.encode() * 200, "text/plain")}, "headers": bearer}, 413),
            ({"data": {"text": ARTICLE * 200, "token": TOKEN}}, 413),
            ({"content": chunks(), "headers": {**bearer, "content-type": "application/x-www-form-urlencoded"}}, 413),
            ({"files": [("file", ("a.txt", b"a", "text/plain")), ("file", ("b.txt", b"b", "text/plain"))],
              "headers": bearer}, 400),
            ({"content": b"--x\r\n\xff\xfe", "headers": {**bearer, "content-type": "multipart/form-data; boundary=zz"}},
             400),
            ({"content": b"abc", "headers": {**bearer, "content-type": "multipart/form-data"}}, 400),
            ({"content": "&".join(f"f{i}=1" for i in range(100)).encode(),
              "headers": {**bearer, "content-type": "application/x-www-form-urlencoded"}}, 400),
            ({"data": {"text": "   "}, "headers": bearer}, 400),
        ]
        for kwargs, status in cases:
            response = client.post(url, **kwargs)
            what = (route.path, status, response.status_code, response.text[:100])
            assert response.status_code == status, what
            assert_clean(response, copy, what)
            assert_escaped(response, what)
    assert_store_untouched(copy, before)
