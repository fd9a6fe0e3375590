"""The hostile corpus in a real browser: nothing on any page runs. Headless Chromium (Debian's) driven by Playwright.

The store is (a copy of) ``test_web_security.build_hostile_store``'s: payloads that set ``window.__pwned`` (or
call ``alert``) in titles, bodies, outlets, authors, tags, quotes and speakers, actor names,
narrative sentences and reuse originals. The real app is served by uvicorn on a free local port
(with a write token, so the ingest page shows its form). Each page of
``test_web_security.hostile_page_urls`` is loaded; every element is sent mouseover, mouseenter and
focus events (so an event-handler attribute, if one got through, would fire); then the page must
have no ``window.__pwned``, no dialog, no page error, and no Content-Security-Policy violation for
a script (an inline script or handler from the payloads would be one).
"""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

if shutil.which("chromium") is None:
    pytest.skip("browser tests need the Debian chromium on PATH (apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="browser tests need playwright (pip install playwright==1.56.0)")

from conftest import copy_store  # noqa: E402
from narrascope.web.app import create_app  # noqa: E402
from served import chromium, serving  # noqa: E402
from test_web_security import (  # noqa: E402
    HOSTILE_ACTOR,
    PWN_IMG,
    PWN_SCRIPT,
    PWNS,
    TOKEN,
    hostile_page_urls,
)

#: Records CSP violations from the first moment of each document (init scripts are not subject to the CSP).
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  [e.violatedDirective, e.effectiveDirective, e.blockedURI, e.sample].join(' | ')));
"""
#: Sends every element the events an injected handler attribute would listen to.
PROVOKE = """
() => { for (const el of document.querySelectorAll('*')) {
  for (const type of ['mouseover', 'mouseenter', 'focus', 'load', 'error', 'toggle']) {
    el.dispatchEvent(new Event(type, {bubbles: false}));
  }
} }
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, hostile_once: Path) -> Iterator[tuple[str, Path]]:
    db = copy_store(hostile_once, tmp_path_factory.mktemp("browser-hostile") / "hostile-corpus.db")
    with serving(create_app(db, write_token=TOKEN)) as url:
        with urllib.request.urlopen(f"{url}/api/stats") as response:
            assert json.loads(response.read())["articles"] > 100
        yield url, db


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with chromium() as browser:
        yield browser


class Watched:
    """A page with its dialogs, page errors and console messages recorded."""

    def __init__(self, browser: sync_api.Browser, base_url: str) -> None:
        self.context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
        self.context.add_init_script(WATCH)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.console: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        # Requests under way, so a visit waits for the last one (Playwright's "networkidle" would wait
        # a further 500 ms of quiet on each of the ~90 pages: most of this file's time).
        self.pending: set[Any] = set()
        self.page.on("request", lambda request: self.pending.add(request))
        self.page.on("requestfinished", lambda request: self.pending.discard(request))
        self.page.on("requestfailed", lambda request: self.pending.discard(request))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def visit(self, url: str) -> dict[str, Any]:
        """Load ``url``, provoke every element, and say what ran."""
        self.console.clear()
        response = self.page.goto(url, wait_until="load")
        assert response is not None
        for _ in range(1500):  # at most 15 s, as the page's default timeout
            if not self.pending:
                break
            self.page.wait_for_timeout(10)
        assert not self.pending, [r.url for r in self.pending]
        self.page.evaluate(PROVOKE)
        self.page.wait_for_timeout(50)
        return {"status": response.status,
                "pwned": self.page.evaluate("typeof window.__pwned"),
                "csp": [v for v in self.page.evaluate("window.__csp") if v.startswith("script")],
                "refused": [m for m in self.console if "Refused to execute" in m or "inline" in m.lower()]}


@pytest.fixture
def watched(browser: sync_api.Browser, served: tuple[str, Path]) -> Iterator[Watched]:
    watched = Watched(browser, served[0])
    yield watched
    watched.context.close()


def test_the_checks_see_a_payload_that_runs(watched: Watched, served: tuple[str, Path]) -> None:
    """Controls: the payloads do run where nothing stops them, and the CSP listener sees a blocked one."""
    page = watched.page
    page.set_content(f"<p>{PWN_IMG}</p>")
    page.wait_for_function("window.__pwned === 1")
    page.evaluate("delete window.__pwned")
    page.set_content(f"<p>{PWN_SCRIPT}</p>")
    assert page.evaluate("window.__pwned") == 1
    # On a page of the app, markup added past the escaping is stopped by the CSP, and seen.
    watched.visit("/")
    page.evaluate("html => document.body.insertAdjacentHTML('beforeend', html)", PWN_IMG)
    page.wait_for_function("window.__csp.length > 0")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert any(v.startswith("script-src") for v in page.evaluate("window.__csp"))


def test_no_page_of_the_hostile_corpus_runs_a_payload(watched: Watched, served: tuple[str, Path]) -> None:
    urls = hostile_page_urls(served[1])
    assert len(urls) > 40
    ran: dict[str, dict[str, Any]] = {}
    for url in urls:
        seen = watched.visit(url)
        assert seen["status"] in (200, 400, 404), (url, seen["status"])
        if seen["pwned"] != "undefined" or seen["csp"] or seen["refused"]:
            ran[url] = seen
    assert ran == {}
    assert watched.dialogs == []
    assert watched.errors == []


def test_hostile_names_are_shown_as_text(watched: Watched) -> None:
    watched.visit(f"/actors/{HOSTILE_ACTOR}")
    page = watched.page
    assert page.locator("h1").inner_text().startswith(PWN_SCRIPT)
    assert page.locator("main script, main img, main iframe").count() == 0
    watched.visit("/?q=pwned")
    titles = page.locator("ol.results a.title").all_inner_texts()
    assert titles and all(any(p in t for p in PWNS) for t in titles), titles
    watched.visit("/reuse")
    assert any(p in page.locator("main").inner_text() for p in PWNS)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert watched.dialogs == [] and watched.errors == []


def test_a_hostile_upload_reported_by_the_ingest_page_runs_nothing(watched: Watched, served: tuple[str, Path],
                                                                    tmp_path: Path) -> None:
    """ingest.js builds the report from JSON (titles, names, reasons): it must stay text too."""
    body = ("Officials in Riga said on Tuesday that the {word} naval drills in the Baltic Sea would go on as planned."
            " The defence ministry in Vilnius said the exercise was routine and that allies had been informed.\n\n"
            "Analysts in Tallinn said the drills were the largest this year.")
    records = [{"title": f"{payload} upload {n}", "text": body.format(word=f"{payload} dingoword{n}"),
                "outlet": payload, "authors": [payload], "published": "2021-02-02"}
               for n, payload in enumerate(PWNS)]
    lines = [json.dumps(r) for r in records] + ['{"title": "<script>window.__pwned=1</script>", "text": ""}']
    upload = tmp_path / '<img src=x onerror="window.__pwned=1">.jsonl'
    upload.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page = watched.page
    watched.visit("/ingest")
    page.set_input_files("input[name=file]", str(upload))
    page.fill("input[name=token]", TOKEN)
    page.click("form.ingest button[type=submit]")
    sync_api.expect(page.locator("#ingest-state")).to_have_text("Done", timeout=60_000)
    report = page.locator("#ingest-report")
    sync_api.expect(report.locator("li a", has_text="upload 0")).to_have_count(1)
    for n in range(len(PWNS)):
        report.locator("li a", has_text=f"upload {n}").wait_for()  # titles replace the ids
    links = report.locator("li a").all_inner_texts()
    assert sorted(links) == sorted(r["title"] for r in records)
    assert report.locator("li.error").count() == 1
    assert report.locator("img, script, svg, iframe").count() == 0
    page.evaluate(PROVOKE)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert [v for v in page.evaluate("window.__csp") if v.startswith("script")] == []
    assert watched.dialogs == [] and watched.errors == []
