"""A Russian and an Arabic article, ingested through the CLI and read in a real browser.

Both are plain-text scrapes written for this test (a title, a byline, a date with the month
written out, a related-link line, a few paragraphs). The store is read back (both stored, their
metadata extracted), then the workbench is served by uvicorn and driven in Debian's Chromium:
the article page shows the title and text exactly as stored, the Arabic text runs right to left
and the Russian left to right (the browser's computed ``direction``), and the search list
isolates each result's title and names (``dir``, ``<bdi>``) so mixed scripts keep their order.
"""

from __future__ import annotations

import json
import shutil
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

from conftest import export_records, run_cli  # noqa: E402
from narrascope.web.app import create_app  # noqa: E402
from served import chromium, serving  # noqa: E402

RUSSIAN = """Переговоры в Женеве снова зашли в тупик

Автор: Иван Петров
14 августа 2017

Министр иностранных дел заявил в понедельник, что переговоры в Женеве не принесли результата. По его словам, стороны так и не смогли договориться о графике отвода войск.

Читайте также: Лавров встретился с коллегой из Франции

Эксперты считают, что следующая встреча может состояться осенью. Дипломаты пока не комментируют эти сведения, но источники в делегации говорят о «трудном, но нужном» диалоге.

Наблюдатели из ОБСЕ отметили, что обе стороны соблюдают перемирие уже третью неделю.
"""

ARABIC = """محادثات جنيف تصل إلى طريق مسدود مرة أخرى

بقلم: محمد علي
3 مارس 2019

قال وزير الخارجية يوم الاثنين إن المحادثات في جنيف لم تحقق أي نتيجة. وأضاف أن الطرفين لم يتفقا على جدول زمني لسحب القوات.

اقرأ أيضا: الوزير يلتقي نظيره الفرنسي في باريس

ويرى الخبراء أن الاجتماع المقبل قد يعقد في الخريف. ولم يعلق الدبلوماسيون على هذه المعلومات بعد، لكن مصادر في الوفد تحدثت عن حوار "صعب لكنه ضروري".

وأشار مراقبون من منظمة الأمن والتعاون في أوروبا إلى أن الطرفين يلتزمان بوقف إطلاق النار منذ ثلاثة أسابيع.
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("languages")
    (folder / "inputs").mkdir()
    (folder / "inputs" / "statya.txt").write_text(RUSSIAN, encoding="utf-8")
    (folder / "inputs" / "maqal.txt").write_text(ARABIC, encoding="utf-8")
    db = folder / "languages.db"
    result = run_cli("ingest", str(folder / "inputs"), "--db", str(db), "--quiet")
    assert result.exit_code == 0, result.output  # every language is accepted by default
    return db, {r["language"]: r for r in export_records(db)}


@pytest.fixture(scope="module")
def base_url(store: tuple[Path, dict[str, dict[str, Any]]]) -> Iterator[str]:
    with serving(create_app(store[0])) as url:
        with urllib.request.urlopen(f"{url}/api/stats") as response:
            assert json.loads(response.read())["articles"] == 2
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def test_both_articles_are_stored_with_their_metadata(store: tuple[Path, dict[str, dict[str, Any]]]) -> None:
    records = store[1]
    assert sorted(records) == ["ar", "ru"]
    russian, arabic = records["ru"], records["ar"]
    assert russian["title"] == "Переговоры в Женеве снова зашли в тупик"
    assert russian["authors"] == ["Иван Петров"] and russian["published"] == "2017-08-14"
    assert arabic["title"] == "محادثات جنيف تصل إلى طريق مسدود مرة أخرى"
    assert arabic["authors"] == ["محمد علي"] and arabic["published"] == "2019-03-03"
    # the related-link lines went to the boilerplate, the body stayed whole
    assert "Читайте также" not in russian["text"] and "Наблюдатели из ОБСЕ" in russian["text"]
    assert "اقرأ أيضا" not in arabic["text"] and "وأشار مراقبون" in arabic["text"]
    assert any(r["kind"] == "related" for r in russian["removed"])
    assert any(r["kind"] == "related" for r in arabic["removed"])


@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("ru", "ltr")])
def test_the_article_page_shows_the_text_as_stored_in_its_direction(
        base_url: str, browser: Any, store: tuple[Path, dict[str, dict[str, Any]]], language: str,
        direction: str) -> None:
    record = store[1][language]
    page = browser.new_page()
    try:
        page.goto(f"{base_url}/articles/{record['id']}")
        heading = page.locator("h1")
        assert heading.text_content() == record["title"]
        text = page.locator("#article-text")
        # characters and their order as stored: no mangling, no reordering by the markup
        assert text.text_content().strip() == record["text"]
        assert text.get_attribute("lang") == language
        assert text.evaluate("el => getComputedStyle(el).direction") == direction
        assert heading.evaluate("el => getComputedStyle(el).direction") == direction
        assert page.locator("#metadata .authors bdi").all_text_contents() == record["authors"]
    finally:
        page.close()


def test_the_search_list_isolates_each_script(base_url: str, browser: Any,
                                              store: tuple[Path, dict[str, dict[str, Any]]]) -> None:
    page = browser.new_page()
    try:
        page.goto(f"{base_url}/")
        titles = page.locator(".result a.title")
        assert titles.count() == 2
        seen = {}
        for i in range(2):
            link = titles.nth(i)
            seen[link.get_attribute("lang")] = (link.text_content(),
                                                link.evaluate("el => getComputedStyle(el).direction"))
        assert seen == {"ar": (store[1]["ar"]["title"], "rtl"), "ru": (store[1]["ru"]["title"], "ltr")}
        # a name in another script than the page's is isolated: it cannot reorder the text around it
        assert sorted(page.locator(".result .authors bdi").all_text_contents()) == ["Иван Петров", "محمد علي"]
    finally:
        page.close()
