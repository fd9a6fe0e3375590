"""A translation pair in a real browser (issue 13): headless Chromium (Debian's) through Playwright.
The two columns render side by side (each target sentence to the right of its source sentence, on
the same row) and the Arabic cells are laid out right to left. Store: ``translation_store``.
A screenshot goes to $NARRASCOPE_SCREENSHOTS (as in test_browser.py): translation.png.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

if shutil.which("chromium") is None:
    pytest.skip("browser tests need the Debian chromium on PATH (apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="browser tests need playwright (pip install playwright==1.56.0)")

from narrascope.web.app import create_app  # noqa: E402
from served import chromium, serving  # noqa: E402
from test_browser import shot  # noqa: E402
from translation_store import ALIGNED, build  # noqa: E402


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str]]:
    db, english, arabic = build(tmp_path_factory.mktemp("browser-translation"))
    with serving(create_app(db)) as url:
        yield url, english, arabic


def test_translation_columns_side_by_side_and_arabic_right_to_left(served: tuple[str, str, str]) -> None:
    url, english, arabic = served
    with chromium() as browser:
        context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("response", lambda response: errors.append(f"{response.status} {response.url}")
                if response.status >= 400 and not response.url.endswith("/favicon.ico") else None)
        page.on("console", lambda message: errors.append(message.text)
                if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
        page.goto(f"/reuse/pairs/{english}/{arabic}")
        rows = page.locator("#translation-rows .row.aligned")
        assert rows.count() == len(ALIGNED)
        for i in range(rows.count()):
            source = rows.nth(i).locator(".cell.source").bounding_box()
            target = rows.nth(i).locator(".cell.target").bounding_box()
            assert source is not None and target is not None
            assert target["x"] >= source["x"] + source["width"]   # the target column to the right
            assert abs(target["y"] - source["y"]) < 2               # on the same row
            assert source["width"] > 200 and target["width"] > 200
        directions = page.locator("#translation-rows .cell.target[lang=ar]").evaluate_all(
            "cells => cells.map(c => getComputedStyle(c).direction)")
        assert directions and set(directions) == {"rtl"}
        english_directions = page.locator("#translation-rows .cell.source[lang=en]").evaluate_all(
            "cells => cells.map(c => getComputedStyle(c).direction)")
        assert english_directions and set(english_directions) == {"ltr"}
        # an unaligned sentence is greyed: lighter text than an aligned one
        grey = page.locator("#translation-rows .unaligned .cell.source").first.evaluate("c => getComputedStyle(c).color")
        black = rows.first.locator(".cell.source").evaluate("c => getComputedStyle(c).color")
        assert grey != black
        shot(page, "translation")
        context.close()
    assert not errors, errors
