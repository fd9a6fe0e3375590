"""The narrative and reuse pages in a real browser: headless Chromium (Debian's) driven by Playwright.

The store is ``workbench_corpus``'s (the seeds plus five stories over twelve weeks, one article
reposted, cut and quoted), with ``narrascope reuse`` and ``narrascope narratives`` run; the real app
is served by uvicorn on a free local port. Screenshots go to $NARRASCOPE_SCREENSHOTS (as in
test_browser.py): narratives.png, narrative.png, reuse.png.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

if shutil.which("chromium") is None:
    pytest.skip("browser tests need the Debian chromium on PATH (apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="browser tests need playwright (pip install playwright==1.56.0)")

from conftest import copy_store  # noqa: E402
from narrascope.web.app import create_app  # noqa: E402
from served import chromium, serving  # noqa: E402
from test_browser import shot  # noqa: E402
from workbench_corpus import HOSTILE_TITLE, Corpus  # noqa: E402


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, workbench_once: tuple[Path, Corpus]
           ) -> Iterator[tuple[str, Path, Corpus]]:
    template, corpus = workbench_once  # built once for the run; this module serves its own copy
    db = copy_store(template, tmp_path_factory.mktemp("browser-corpus") / "workbench.db")
    with serving(create_app(db)) as url:
        with urllib.request.urlopen(f"{url}/api/narratives") as response:
            assert json.loads(response.read())["computed"] is True
        yield url, db, corpus


@pytest.fixture(scope="module")
def sql(served: tuple[str, Path, Corpus]) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"{served[1].as_uri()}?mode=ro", uri=True)
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: sync_api.Browser, served: tuple[str, Path, Corpus]) -> Iterator[sync_api.Page]:
    context = browser.new_context(base_url=served[0], viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: errors.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico") else None)
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert not errors, errors  # no script error, no CSP violation, no missing file


def test_narratives_list_draws_a_sparkline_per_row(page: sync_api.Page, sql: sqlite3.Connection) -> None:
    page.goto("/narratives")
    rows = sql.execute("SELECT id, label FROM narratives WHERE status IN ('active', 'faded') ORDER BY size DESC, id"
                       ).fetchall()
    assert page.locator("tr.narrative-row").count() == len(rows)
    assert page.locator("tr.narrative-row a.label").all_inner_texts() == [label for _, label in rows]
    page.wait_for_function(f"document.querySelectorAll('canvas.spark.drawn').length === {len(rows)}")
    # Chart.js drew something: the canvas holds coloured pixels
    painted = page.locator("canvas.spark").first.evaluate(
        "c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true; return false; }")
    assert painted
    # the status filter narrows the list
    page.select_option("select[name=status]", "merged")
    with page.expect_navigation():
        page.click("form.corpus-filters button[type=submit]")
    merged = sql.execute("SELECT COUNT(*) FROM narratives WHERE status = 'merged'").fetchone()[0]
    assert page.locator("tr.narrative-row").count() == merged
    page.goto("/narratives")
    page.wait_for_function(f"document.querySelectorAll('canvas.spark.drawn').length === {len(rows)}")
    shot(page, "narratives")


def test_narrative_page_timeline_members_and_an_evidence_link(page: sync_api.Page, sql: sqlite3.Connection) -> None:
    narrative, label, size = sql.execute("SELECT id, label, size FROM narratives WHERE status = 'active'"
                                         " ORDER BY size DESC LIMIT 1").fetchone()
    page.goto("/narratives")
    with page.expect_navigation():
        page.locator("tr.narrative-row a.label", has_text=label).first.click()
    assert page.url.endswith(f"/narratives/{narrative}")
    assert page.locator("h1").inner_text() == label
    page.wait_for_selector("#timeline-articles.drawn")
    box = page.locator("#timeline-articles").bounding_box()
    assert box and box["height"] > 150 and box["width"] > 400
    members = page.locator("ol.members li.member")
    assert members.count() == min(size, 20)
    best = sql.execute("SELECT a.title FROM narrative_members m JOIN articles a ON a.id = m.article"
                       " WHERE m.narrative = ? ORDER BY m.score DESC, m.article LIMIT 1", (narrative,)).fetchone()[0]
    assert members.first.locator("a.title").inner_text() == best
    assert page.locator("ol.events li.event").count() == sql.execute(
        "SELECT COUNT(*) FROM narrative_events WHERE narrative = ?", (narrative,)).fetchone()[0]
    shot(page, "narrative")
    # follow the first member's first evidence sentence to its article: the span is marked and in view
    link = members.first.locator("ul.evidence a.evidence-link").first
    sentence = link.inner_text()
    start, end = int(link.get_attribute("data-start") or -1), int(link.get_attribute("data-end") or -1)
    with page.expect_navigation():
        link.click()
    assert f"hl={start}-{end}" in page.url and page.url.endswith("#highlight")
    marked = page.locator("#article-text .hl.target")
    assert "".join(marked.all_inner_texts()) == sentence
    background = marked.first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    assert page.locator("#highlight").evaluate(
        "el => { const r = el.getBoundingClientRect(); return r.top >= 40 && r.bottom <= window.innerHeight; }")
    assert page.evaluate("window.scrollY") > 0  # it was scrolled to
    # the article's narrative panel links back to the narrative
    assert page.locator(f"#narrative-links a[href='/narratives/{narrative}']").count() == 1


def test_reuse_cluster_side_by_side(page: sync_api.Page, sql: sqlite3.Connection,
                                    served: tuple[str, Path, Corpus]) -> None:
    corpus = served[2]
    original = sql.execute("SELECT id, title FROM articles WHERE url = ?",
                           (corpus.planted["repost"]["original"],)).fetchone()
    cluster = sql.execute("SELECT cluster FROM reuse_clusters WHERE article = ?", (original[0],)).fetchone()[0]
    page.goto("/reuse")
    first = page.locator("tr.cluster-row").first
    assert first.get_attribute("data-cluster") == str(cluster)  # the largest cluster comes first
    assert first.locator("a.title").inner_text() == original[1]
    with page.expect_navigation():
        first.locator("a.title").click()
    assert page.locator("tr.member-row").count() == 4
    assert page.locator("tr.member-row.role-original .role").inner_text() == "likely original"
    # the hostile title is text, and ran nothing
    assert page.locator("tr.member-row a.title", has_text=HOSTILE_TITLE).count() == 1
    assert page.evaluate("window.__pwned") is None
    # the shown pair: passages side by side, original on the left
    passages = page.locator("#aligned .row.passage")
    assert passages.count() >= 1
    left = passages.first.locator(".cell.source").bounding_box()
    right = passages.first.locator(".cell.target").bounding_box()
    assert left and right and left["x"] + left["width"] <= right["x"] and abs(left["y"] - right["y"]) < 2
    assert page.locator("#direction li").count() >= 2
    # compare the copy with the cut paragraph: its gap is there, on the original's side only
    cut = sql.execute("SELECT id FROM articles WHERE url = ?", (corpus.planted["cut"]["copy"],)).fetchone()[0]
    with page.expect_navigation():
        page.locator(f"tr.member-row[data-article='{cut}'] a.compare").click()
    assert page.locator(f"tr.member-row.shown[data-article='{cut}']").count() == 1
    middle = corpus.planted["cut"]["cut"].split(". ")[1]
    gap = page.locator("#aligned .row.gap", has_text=middle)
    assert gap.count() == 1
    assert gap.locator(".cell.target").inner_text().strip() == ""
    color = gap.locator(".cell.source").evaluate("el => getComputedStyle(el).color")
    assert color == "rgb(136, 136, 136)"  # dimmed
    page.locator("#side-by-side").scroll_into_view_if_needed()
    shot(page, "reuse")
