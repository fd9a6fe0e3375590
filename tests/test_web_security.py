"""Hostile input against the workbench: stored articles built to attack the pages, path traversal in
every path-like parameter, oversize and unauthenticated writes, errors that must not leak.

A real store (hostile JSONL lines really ingested), the real app through Starlette's TestClient.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from starlette.testclient import TestClient

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
def writable(store_path: Path, tmp_path: Path) -> TestClient:
    """A served copy of the store with a write token and a small upload limit."""
    copy = tmp_path / "write.db"
    api.ingest([str(SEEDS)], db=copy, settings=load_settings())
    return TestClient(create_app(copy, write_token=TOKEN, web=WebSettings(max_upload_bytes=20_000)), base_url="http://127.0.0.1")


class Executable(HTMLParser):
    """Everything in a page that could run script: script elements, event-handler attributes,
    javascript: URLs, frames, objects, style elements and attributes (the CSP forbids inline)."""

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
        if tag in ("iframe", "object", "embed", "svg", "img", "style", "base", "meta") and tag != "meta":
            self.found.append(f"<{tag}>")
        if tag == "meta" and "http-equiv" in values:
            self.found.append("<meta http-equiv>")
        for name, value in values.items():
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag} {name}={value!r}")
            if name in ("href", "src", "action", "formaction") and value.strip().lower().startswith(
                    ("javascript:", "data:", "vbscript:")):
                self.found.append(f"{tag} {name}={value!r}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.found.append(f"inline script {data[:40]!r}")


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
    parser = Executable()
    parser.feed(html)
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
