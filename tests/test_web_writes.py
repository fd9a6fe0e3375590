"""Who may write, decided before the upload is read (issue 11): the token before the body, and no
write from another site's page (an Origin, Referer or Sec-Fetch-Site naming another site).

The app is called as a server calls it: over ASGI with the body arriving in chunks, counting what the
app pulled (Starlette's TestClient reads a streamed body whole before the app sees it); the rest
through the TestClient over a real store.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest
from starlette.testclient import TestClient

from conftest import copy_store
from narrascope import api
from narrascope.settings import Settings
from narrascope.web.app import create_app
from narrascope.web.writes import FORM_TOKEN_WINDOW

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"
TOKEN = "writes-token-0123456789abcdef"
AUTH = {"authorization": f"Bearer {TOKEN}"}
ARTICLE = ("The harbour authority in Gdansk said on Tuesday that the wombatword terminal would open in spring,"
           " after two years of works. Officials told reporters the port expects more grain ships from the"
           " Baltic states, and that the city council approved the budget for the access road last month.\n\n"
           "Local traders said the terminal was long awaited, while environmental groups warned about dredging"
           " in the bay and asked the regional government for a new assessment of the works.")
BIG = 9_500_000  # the size of the uploads that raised the server from 90 MB to 589 MB
WRITE_ROUTES = ("/api/ingest", "/api/ingest/jobs", "/ingest")


@pytest.fixture
def store(tmp_path: Path, seeds_once: Path) -> Path:
    return copy_store(seeds_once, tmp_path / "writes.db")  # the seeds ingested (once for the run)


@pytest.fixture
def writable(store: Path) -> TestClient:
    return TestClient(create_app(store, write_token=TOKEN), base_url="http://127.0.0.1")


def stored_words(db: Path, word: str) -> int:
    return sum(word in a.text for a in api.list_articles(db=db))


def multipart(fields: list[tuple[str, bytes, str | None]], boundary: str = "b0undary") -> tuple[bytes, str]:
    """A multipart body of (name, value, filename) in this order, and its content type."""
    out = b""
    for name, value, filename in fields:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        out += b"Content-Type: text/plain\r\n" if filename else b""
        out += b"\r\n" + value + b"\r\n"
    return out + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def call(app: Any, path: str, body: bytes, headers: dict[str, str], chunk: int = 65_536) -> tuple[int, int, dict]:
    """POST ``body`` to ``app`` over ASGI in ``chunk``-byte pieces, as uvicorn does: (status, bytes the
    app pulled, JSON or {})."""
    pulled = 0
    messages: list[dict[str, Any]] = []
    pieces = [body[i:i + chunk] for i in range(0, len(body), chunk)] or [b""]

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled >= len(body) and pulled > 0:
            await anyio.sleep(3600)  # a client still sending: nothing more arrives in this test
        piece = pieces[pulled // chunk] if pulled < len(body) else b""
        pulled += len(piece)
        return {"type": "http.request", "body": piece, "more_body": pulled < len(body)}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1"), (b"content-length", str(len(body)).encode()),
                         *((k.lower().encode(), v.encode()) for k, v in headers.items())],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80)}

    async def main() -> None:
        with anyio.fail_after(60):
            await app(scope, receive, send)

    anyio.run(main)
    start = next(m for m in messages if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    try:
        parsed = json.loads(content)
    except ValueError:
        parsed = {"html": content.decode("utf-8", "replace")}
    return start["status"], pulled, parsed


# -- the token before the body ---------------------------------------------------------------------

@pytest.mark.parametrize("route", WRITE_ROUTES)
def test_a_big_upload_without_the_token_is_refused_before_its_body_is_read(store: Path, route: str) -> None:
    app = create_app(store, write_token=TOKEN)
    body, content_type = multipart([("file", b"word " * (BIG // 5), "big.txt")])
    assert len(body) > BIG
    status, pulled, answer = call(app, route, body, {"content-type": content_type})
    assert status == 401, (route, status, answer)
    assert pulled <= FORM_TOKEN_WINDOW + 65_536, pulled  # not the 9.5 MB
    if route.startswith("/api/"):
        assert answer["code"] == "NS405"
    # A wrong token in the header: refused without reading a byte.
    status, pulled, answer = call(app, route, body, {"content-type": content_type,
                                                     "authorization": "Bearer wrong-token-0123456789"})
    assert (status, pulled) == (403, 0), (route, status, pulled)
    # A read-only server reads nothing either.
    status, pulled, _ = call(create_app(store), route, body, {"content-type": content_type, **AUTH})
    assert (status, pulled) == (403, 0)


def test_the_form_token_is_read_first_and_a_big_file_after_it_is_stored(store: Path) -> None:
    # The stages that need no spaCy model: the upload's reading is under test, and the full pipeline
    # on this 300-paragraph article took most of the test's time.
    light = Settings().with_overrides({"pipeline": {"stages": ["language", "genre"]}}, source="test")
    app = create_app(store, write_token=TOKEN, settings=light)
    padding = "\n\n".join(ARTICLE.replace("wombatword", f"padword{i}") for i in range(300))
    body, content_type = multipart([("token", TOKEN.encode(), None),
                                    ("file", (ARTICLE + "\n\n" + padding).encode(), "big-form.txt")])
    assert len(body) > 2 * FORM_TOKEN_WINDOW
    status, pulled, answer = call(app, "/api/ingest", body, {"content-type": content_type})
    assert status == 201 and pulled == len(body), (status, answer)
    assert stored_words(store, "wombatword") == 1
    # The same file with the token after it: the token is not among the first bytes, so refused unread.
    body, content_type = multipart([("file", (ARTICLE.replace("wombatword", "numbatword") + padding).encode(),
                                     "late-token.txt"), ("token", TOKEN.encode(), None)])
    status, pulled, answer = call(app, "/api/ingest", body, {"content-type": content_type})
    assert status == 401 and pulled < len(body), (status, pulled)
    assert "first" in answer["error"] and answer["code"] == "NS405"
    assert stored_words(store, "numbatword") == 0


def test_small_forms_keep_their_token_anywhere_and_a_wrong_one_is_403(writable: TestClient, store: Path) -> None:
    assert writable.post("/api/ingest", data={"text": ARTICLE, "token": "wrong"}).status_code == 403
    assert writable.post("/api/ingest", data={"text": ARTICLE, "token": ""}).status_code == 401
    assert writable.post("/api/ingest", data={"text": ARTICLE}).json()["code"] == "NS405"
    body, content_type = multipart([("text", ARTICLE.encode(), None), ("token", b"wrong", None)])
    refused = writable.post("/api/ingest", content=body, headers={"content-type": content_type})
    assert refused.status_code == 403 and refused.json()["code"] == "NS405"
    assert stored_words(store, "wombatword") == 0
    body, content_type = multipart([("text", ARTICLE.encode(), None), ("token", TOKEN.encode(), None)])
    assert writable.post("/api/ingest", content=body, headers={"content-type": content_type}).status_code == 201
    assert stored_words(store, "wombatword") == 1


# -- no write from another site ------------------------------------------------------------------

FOREIGN = [{"origin": "http://evil.example"}, {"origin": "null"}, {"origin": "http://127.0.0.1:8001"},
           {"origin": "https://127.0.0.1.evil.example"}, {"referer": "http://evil.example/page"},
           {"referer": "http://127.0.0.1.evil.example/ingest"}, {"sec-fetch-site": "cross-site"},
           {"sec-fetch-site": "same-site"}, {"origin": "http://127.0.0.1", "sec-fetch-site": "cross-site"}]


@pytest.mark.parametrize("route", WRITE_ROUTES)
def test_a_cross_site_post_is_refused_even_with_the_token(writable: TestClient, store: Path, route: str) -> None:
    for headers in FOREIGN:
        header_token = writable.post(route, data={"text": ARTICLE}, headers={**AUTH, **headers})
        form_token = writable.post(route, data={"token": TOKEN, "text": ARTICLE}, headers=headers)
        for response in (header_token, form_token):
            assert response.status_code == 403, (route, headers, response.status_code)
            assert "another site" in response.text
            if route.startswith("/api/"):
                assert response.json()["code"] == "NS405"
    assert stored_words(store, "wombatword") == 0


def test_a_cross_site_post_is_refused_before_its_body_is_read(store: Path) -> None:
    body, content_type = multipart([("token", TOKEN.encode(), None), ("file", b"word " * 400_000, "x.txt")])
    status, pulled, answer = call(create_app(store, write_token=TOKEN), "/api/ingest", body,
                                  {"content-type": content_type, "origin": "http://evil.example"})
    assert (status, pulled, answer.get("code")) == (403, 0, "NS405")


@pytest.mark.parametrize("headers", [{"origin": "http://127.0.0.1"}, {"referer": "http://127.0.0.1/ingest"},
                                     {"origin": "http://127.0.0.1", "sec-fetch-site": "same-origin"},
                                     {"sec-fetch-site": "none"}, {}])
def test_same_origin_and_non_browser_posts_work(writable: TestClient, store: Path, headers: dict[str, str]) -> None:
    text = ARTICLE.replace("wombatword", "quollword")
    response = writable.post("/ingest", data={"token": TOKEN, "text": text}, headers=headers)
    assert response.status_code == 201, (headers, response.text[:300])
    assert stored_words(store, "quollword") == 1


def test_pages_send_their_origin_to_the_server_and_nothing_to_other_sites(writable: TestClient) -> None:
    # "no-referrer" made the browser send "Origin: null" from the workbench's own form, which an
    # Origin check must refuse; "same-origin" sends the origin to the workbench only.
    assert writable.get("/ingest").headers["referrer-policy"] == "same-origin"


def test_the_ingest_form_puts_the_token_first(writable: TestClient) -> None:
    page = writable.get("/ingest").text
    form = page[page.index('<form class="ingest"'):page.index("</form>")]
    assert form.index('name="token"') < form.index('name="file"') < form.index('name="text"')


def test_a_read_only_ingest_page_says_how_to_enable_uploads(store: Path) -> None:
    page = TestClient(create_app(store), base_url="http://127.0.0.1").get("/ingest")
    assert page.status_code == 200
    assert "read-only" in page.text and "--write-token-env" in page.text
    assert 'name="file"' not in page.text
