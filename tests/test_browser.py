"""The workbench in a real browser: headless Chromium (Debian's) driven by Playwright.

A store is built from the seeds and a few hand-written articles (one with a hostile title), the
actor graph is computed, and the real app is served by uvicorn on a free local port. Each test
drives the pages as an analyst would, asserts what is on the page, and saves a full-page
screenshot to $NARRASCOPE_SCREENSHOTS/<name>.png (default: a temporary folder, so a test run leaves
the checkout clean). The README's pictures are made with
`NARRASCOPE_SCREENSHOTS=$PWD/docs/screenshots .venv/bin/pytest tests/test_browser.py`.

The narrative and reuse pages, which need a corpus with stories over several weeks and planted
reposts, are driven by tests/test_browser_corpus.py; tests/test_browser_security.py loads every
page of a hostile corpus.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
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

from conftest import SEEDS, run_cli  # noqa: E402
from narrascope.web.app import create_app  # noqa: E402
from served import chromium, serving  # noqa: E402
from test_web import BODY  # noqa: E402 - the same hand-written news text the API tests read

SHOTS = Path(os.environ.get("NARRASCOPE_SCREENSHOTS") or tempfile.mkdtemp(prefix="narrascope-screenshots-"))
TOKEN = "browser-test-token-0123456789"
HOSTILE_TITLE = "<script>window.__pwned=1</script>"

EXTRA = [
    {"text": BODY.format(word="zanzibarword"), "title": "Moscow rejects pressure", "outlet": "Test Wire",
     "published": "2019-03-01", "url": "https://example.org/one"},
    {"text": BODY.format(word="quokkaword"), "title": "Talks go on", "outlet": "Other Daily",
     "published": "2020-05-05", "url": "https://example.org/two"},
    {"text": BODY.format(word="hostileword") + " <img src=x onerror=\"window.__pwned=2\">",
     "title": HOSTILE_TITLE, "outlet": "Test Wire", "published": "2020-06-10", "url": "https://example.org/three"},
]
UPLOAD = ("Officials in Riga said on Tuesday that the kiwiword naval drills in the Baltic Sea would go on as planned."
          " The defence ministry in Vilnius said the exercise was routine and that allies had been informed.\n\n"
          "Analysts in Tallinn said the drills were the largest this year.\n")

LAYERS = ("actor", "quote", "event", "technique")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser")
    inputs = folder / "inputs"
    shutil.copytree(SEEDS, inputs)
    (inputs / "extra.jsonl").write_text("".join(json.dumps(r) + "\n" for r in EXTRA), encoding="utf-8")
    db = folder / "browser.db"
    result = run_cli("ingest", str(inputs), "--db", str(db), "--quiet")
    assert result.exit_code == 0, result.output
    result = run_cli("graph", "--db", str(db))
    assert result.exit_code == 0, result.output

    with serving(create_app(db, write_token=TOKEN)) as url:
        with urllib.request.urlopen(f"{url}/api/stats") as response:
            assert json.loads(response.read())["articles"] == 5
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: sync_api.Browser, base_url: str) -> Iterator[sync_api.Page]:
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert not errors, errors


def shot(page: sync_api.Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def search(page: sync_api.Page, query: str) -> None:
    page.goto("/")
    page.fill("input[name=q]", query)
    with page.expect_navigation():
        page.click("#search-form button[type=submit]")


def result_titles(page: sync_api.Page) -> list[str]:
    return page.locator("ol.results li.result a.title").all_inner_texts()


# -- search -------------------------------------------------------------------------------------

def test_search_with_a_query_and_an_outlet_facet(page: sync_api.Page) -> None:
    search(page, "Lavrov")
    assert {"Moscow rejects pressure", "Talks go on", HOSTILE_TITLE} <= set(result_titles(page))
    # Choosing an outlet submits the form by itself (app.js) and narrows the results.
    with page.expect_navigation():
        page.select_option("select[name=outlet]", "Other Daily")
    assert "outlet=Other+Daily" in page.url and "q=Lavrov" in page.url
    assert result_titles(page) == ["Talks go on"]
    result = page.locator("li.result").first
    assert result.locator(".outlet").inner_text() == "Other Daily"
    marks = result.locator(".snippet mark").all_inner_texts()
    assert marks and all(m.lower() == "lavrov" for m in marks)
    assert page.locator("select[name=outlet]").input_value() == "Other Daily"
    assert page.input_value("input[name=q]") == "Lavrov"
    # The record facets list actors by name (the value is the id); choosing one keeps the outlet.
    options = page.locator("select[name=actor] option")
    labels = dict(zip(options.all_inner_texts(), [o.get_attribute("value") for o in options.all()], strict=True))
    lavrov = next(value for label, value in labels.items() if label.startswith("Sergey Lavrov ("))
    assert lavrov and lavrov != "Sergey Lavrov"
    with page.expect_navigation():
        page.select_option("select[name=actor]", lavrov)
    assert "outlet=Other+Daily" in page.url and "q=Lavrov" in page.url and "actor=" in page.url
    assert page.locator("select[name=actor]").input_value() == lavrov
    assert page.locator("select[name=outlet]").input_value() == "Other Daily"
    api = page.request.get(page.url.replace("/?", "/api/articles?")).json()
    assert result_titles(page) == [item["title"] for item in api["items"]] == ["Talks go on"]
    shot(page, "search")


def test_export_link_from_search_downloads_the_selection(page: sync_api.Page, tmp_path: Path) -> None:
    page.goto("/?outlet=Test+Wire")
    expected = result_titles(page)
    assert len(expected) == 2
    with page.expect_navigation():
        page.click("a.export-link")
    assert page.url.endswith("/exports?outlet=Test+Wire")
    assert page.locator("#export-articles .selection").inner_text().startswith("2 articles selected")
    # The actor graph was computed for this store: its tables say when, the others say never.
    assert "never" not in page.locator("#table-graph_edges").inner_text()
    assert page.locator("#table-reuse_pairs").inner_text().count("never") == 1
    shot(page, "exports")
    with page.expect_download() as download:
        page.locator("#export-articles a.download", has_text="JSONL").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["title"] for r in records) == sorted(expected)
    assert all(r["outlet"] == "Test Wire" for r in records)


# -- article ------------------------------------------------------------------------------------

def open_from_results(page: sync_api.Page, query: str, title: str) -> None:
    search(page, query)
    with page.expect_navigation():
        page.locator("ol.results a.title", has_text=title).first.click()
    assert page.url.split("/")[-2] == "articles"


def test_article_highlight_toggles_and_quote_speaker(page: sync_api.Page) -> None:
    open_from_results(page, "Eggert", "Kremlin courts North Korea")
    assert "Kremlin courts North Korea" in page.locator("h1").inner_text()
    text = page.locator("#article-text")
    for layer in LAYERS:
        assert page.locator(f"#article-text .hl.{layer}").count() > 0, f"no {layer} highlight on the seed"
    # A quote span names its speaker (title attribute), and the quotes panel does too.
    eggert = page.locator("#article-text .hl.quote[title*='quote by Konstantin Eggert']")
    assert eggert.count() > 0
    assert "Konstantin Eggert" in page.locator("#quotes .speaker").all_inner_texts()
    assert page.locator("#article-text .hl.speaker").count() > 0

    def highlighted(layer: str) -> bool:
        """Whether the first span of a layer is drawn as highlighted (its computed style, app.css)."""
        return bool(page.locator(f"#article-text .hl.{layer}").first.evaluate(
            """(el, layer) => { const s = getComputedStyle(el);
                 return ({actor: s.backgroundColor !== 'rgba(0, 0, 0, 0)',
                          quote: s.color === 'rgb(11, 110, 79)',
                          event: s.textDecorationLine.includes('underline'),
                          technique: s.boxShadow !== 'none'})[layer]; }""", layer))

    for layer in LAYERS:
        assert f"show-{layer}" in (text.get_attribute("class") or "")
        assert highlighted(layer), layer
    for layer in LAYERS:
        box = page.locator(f"#toggles input[data-layer={layer}]")
        box.uncheck()
        classes = (text.get_attribute("class") or "").split()
        assert f"show-{layer}" not in classes, layer
        assert not highlighted(layer), layer
        if layer == "quote":
            assert "show-speaker" not in classes
        # The other layers still on are still drawn.
        for other in LAYERS[LAYERS.index(layer) + 1:]:
            assert f"show-{other}" in classes
    shot(page, "article-highlights-off")
    for layer in LAYERS:
        page.locator(f"#toggles input[data-layer={layer}]").check()
        assert highlighted(layer), layer
    assert "show-speaker" in (text.get_attribute("class") or "").split()
    eggert.first.scroll_into_view_if_needed()
    shot(page, "article")


def test_actor_link_from_the_article_leads_to_the_actor_page(page: sync_api.Page) -> None:
    open_from_results(page, "zanzibarword", "Moscow rejects pressure")
    with page.expect_navigation():
        page.locator("#actors a", has_text="Sergey Lavrov").click()
    assert page.url.endswith("/actors/person:sergey-lavrov") or "sergey-lavrov" in page.url
    assert page.locator("h1").inner_text() == "Sergey Lavrov"
    assert page.locator("#actor-quotes q", has_text="We will not accept pressure from Washington").count() >= 1
    assert "Moscow rejects pressure" in page.locator("#actor-articles").inner_text()
    assert page.locator(".note", has_text="has not been computed").count() == 0  # the graph was computed
    # The hostile article is listed too, its title as text.
    assert page.locator("#actor-articles a", has_text=HOSTILE_TITLE).count() == 1
    assert page.evaluate("window.__pwned") is None
    # Russia, linked from the events panel, has the accusation against the United States as source.
    page.goto("/actors/RUS")
    source = page.locator("#actor-events ul").first
    assert source.locator("li", has_text="ACCUSE").count() >= 1
    assert source.locator("a[href='/actors/USA']").count() >= 1
    # The stance chart is drawn by Chart.js (charts.js marks its canvas), with pixels on it.
    page.wait_for_selector("#actor-stance canvas.chart.drawn")
    assert page.evaluate("document.querySelector('#actor-stance canvas.chart').chart.data.labels.length") >= 1
    # Chart.js put each polarity line on the polarity axis (-1..1) and the counts on their own axis.
    axes = page.evaluate("""() => { const c = document.querySelector('#actor-stance canvas.chart').chart;
        return c.data.datasets.map((d, i) => [d.label, c.getDatasetMeta(i).yAxisID,
                                                c.scales[c.getDatasetMeta(i).yAxisID].min,
                                                c.scales[c.getDatasetMeta(i).yAxisID].max]); }""")
    for label, axis, low, high in axes:
        if label == "stances":
            assert axis == "count"
        else:
            assert (axis, low, high) == ("y", -1, 1), (label, axis, low, high)
    # The neighbourhood: an SVG with a link per node, Russia in the centre.
    nodes = page.locator("#actor-graph svg a.node")
    assert nodes.count() >= 3
    assert page.locator("#actor-graph svg a.node.centre").get_attribute("data-actor") == "RUS"
    assert page.locator("#actor-graph svg path.edge").count() >= 2
    page.locator("#actor-quotes-about").scroll_into_view_if_needed()
    page.locator("#actor-stance").scroll_into_view_if_needed()
    shot(page, "actor")
    # Following a neighbour (the United States) opens its page, with its own graph.
    with page.expect_navigation():
        page.locator("#actor-graph svg a.node[data-actor='USA'] circle").click()
    assert page.url.endswith("/actors/USA")
    assert page.locator("h1").inner_text() == "United States"
    assert page.locator("#actor-graph svg a.node.centre").get_attribute("data-actor") == "USA"
    # The state-level toggle redraws the graph among states only.
    with page.expect_navigation():
        page.locator("#actor-graph .graph-levels a", has_text="state").click()
    assert "level=state" in page.url
    assert all(":" not in (n.get_attribute("data-actor") or ":")
               for n in page.locator("#actor-graph svg a.node").all())


# -- ingest -------------------------------------------------------------------------------------

def test_upload_a_file_with_the_token_and_find_it_in_search(page: sync_api.Page, tmp_path: Path) -> None:
    search(page, "kiwiword")
    assert result_titles(page) == []
    assert page.locator("li.none").inner_text() == "Nothing found."
    page.goto("/")
    with page.expect_navigation():
        page.click("header nav a[href='/ingest']")
    # A JSONL of three articles: ingest.js sends it to /api/ingest/jobs and shows the job's progress.
    others = [UPLOAD.replace("kiwiword naval drills in the Baltic Sea", f"{word} harbour works")
              .replace("Riga", "the capital").replace("Vilnius", "the port").replace("Tallinn", "the region")
              for word in ("tuiword", "wekaword")]
    records = [{"title": "Riga drills go on", "text": UPLOAD, "outlet": "Upload Wire", "published": "2021-02-02"},
               *({"title": f"Harbour works {n}", "text": text, "outlet": "Upload Wire", "published": "2021-02-03"}
                 for n, text in enumerate(others, 1))]
    upload = tmp_path / "riga-drills.jsonl"
    upload.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    page.set_input_files("input[name=file]", str(upload))
    page.fill("input[name=token]", TOKEN)
    shot(page, "ingest")
    url = page.url
    page.click("form.ingest button[type=submit]")
    progress = page.locator("#ingest-progress")
    progress.wait_for(state="visible")
    sync_api.expect(page.locator("#ingest-state")).to_have_text("Done", timeout=60_000)
    assert page.url == url  # no navigation: the page followed the job
    bar = page.locator("#ingest-bar")
    assert bar.get_attribute("max") == "3" and bar.evaluate("b => b.value") == 3
    assert page.locator("#ingest-counts").inner_text().startswith("3 of 3 items, 3 stored, 0 already stored")
    report = page.locator("#ingest-report")
    assert report.locator("p").first.inner_text() == ("riga-drills.jsonl: 3 stored, 0 already stored, 0 skipped,"
                                                      " 0 rejected.")
    link = report.locator("li a", has_text="Riga drills go on")
    link.wait_for()  # titles replace the ids once /api/articles/{id} answers
    href = link.get_attribute("href")
    assert href is not None and href.startswith("/articles/")
    assert report.locator("li a").count() == 3
    shot(page, "ingest-report")
    with page.expect_navigation():
        link.click()
    assert page.locator("h1").inner_text() == "Riga drills go on"
    search(page, "kiwiword")
    results = page.locator("li.result")
    assert results.count() == 1
    assert results.first.locator(".snippet mark").first.inner_text() == "kiwiword"
    assert results.first.locator("a.title").get_attribute("href") == href


def test_wrong_token_is_refused_on_the_ingest_page(page: sync_api.Page, tmp_path: Path) -> None:
    page.goto("/ingest")
    page.fill("textarea[name=text]", UPLOAD.replace("kiwiword", "emuword"))
    page.fill("input[name=token]", "not-the-token-at-all")
    with page.expect_navigation():
        page.click("form.ingest button[type=submit]")
    assert page.locator("h1").inner_text() == "403"
    assert "Wrong write token" in page.locator("p.error").inner_text()
    search(page, "emuword")
    assert result_titles(page) == []


# -- hostile input ------------------------------------------------------------------------------

def test_a_hostile_title_renders_as_text_and_runs_nothing(page: sync_api.Page) -> None:
    search(page, "hostileword")
    assert result_titles(page) == [HOSTILE_TITLE]
    assert page.evaluate("window.__pwned") is None
    with page.expect_navigation():
        page.locator("ol.results a.title").first.click()
    assert page.locator("h1").inner_text() == HOSTILE_TITLE
    assert page.title().startswith(HOSTILE_TITLE)
    assert page.locator("#article-text").inner_text().rstrip().endswith('<img src=x onerror="window.__pwned=2">')
    assert page.locator("main script, main img").count() == 0
    assert page.evaluate("window.__pwned") is None
    shot(page, "hostile-article")
