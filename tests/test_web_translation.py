"""A translation pair in the workbench (issue 13): the pair page and the cluster page show it
sentence by sentence (source | similarity | target, unaligned sentences greyed in order), the
header says translation, the languages, the likely original and why, and the confidence; the
JSON API, the library (``narrascope.api.reuse_pair``) and the CLI give the same alignment.

A real SQLite store (``translation_store``) and the real app through Starlette's TestClient.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from conftest import run_cli
from narrascope import api
from narrascope.web.app import create_app
from translation_rows import sentence_spans
from translation_store import ALIGNED, ARABIC, ENGLISH, build


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    return build(tmp_path_factory.mktemp("translation"))


@pytest.fixture(scope="module")
def client(store: tuple[Path, str, str]) -> TestClient:
    return TestClient(create_app(store[0]), base_url="http://127.0.0.1")


def expected_rows() -> list[tuple[str, str | None, str | None]]:
    """(kind, source sentence, target sentence) in reading order, from the texts and ``ALIGNED``."""
    en, ar = sentence_spans(ENGLISH), sentence_spans(ARABIC)
    aligned = {i: j for i, j, _score in ALIGNED}
    rows: list[tuple[str, str | None, str | None]] = []
    for i, (s0, s1) in enumerate(en):
        if i in aligned:
            t0, t1 = ar[aligned[i]]
            rows.append(("aligned", ENGLISH[s0:s1], ARABIC[t0:t1]))
        else:
            rows.append(("source", ENGLISH[s0:s1], None))
            rows += [("target", None, ARABIC[t0:t1]) for j, (t0, t1) in enumerate(ar)
                     if j not in aligned.values() and j == i]
    return rows


def test_json_api_gives_the_sentence_alignment(client: TestClient, store: tuple[Path, str, str]) -> None:
    db, english, arabic = store
    response = client.get(f"/api/reuse/pairs/{english}/{arabic}")
    assert response.status_code == 200
    pair = response.json()
    assert pair["kind"] == "translation" and pair["languages"] == ["en", "ar"]
    assert pair["source_article"]["language"] == "en" and pair["target_article"]["language"] == "ar"
    got = [(row["kind"], row["source"] and row["source"]["text"], row["target"] and row["target"]["text"])
           for row in pair["sentences"]]
    assert got == expected_rows()
    assert [row["score"] for row in pair["sentences"] if row["kind"] == "aligned"] == [s for *_ij, s in ALIGNED]
    for row in pair["sentences"]:   # offsets into each article's text
        if row["target"]:
            assert ARABIC[row["target"]["start"]:row["target"]["end"]] == row["target"]["text"]
    # the library gives the same (the web calls the same read function)
    assert api.reuse_pair(english[:8], target=arabic, db=db)["sentences"] == pair["sentences"]
    assert client.get(f"/api/reuse/pairs/{arabic}/{english}").status_code == 404   # no pair that way round
    (link,) = client.get(f"/api/articles/{arabic}/links").json()["reuse"]["items"]
    assert link["kind"] == "translation" and link["sentences"] == pair["sentences"]


def test_pair_page_shows_the_translation_side_by_side(client: TestClient, store: tuple[Path, str, str]) -> None:
    _db, english, arabic = store
    response = client.get(f"/reuse/pairs/{english}/{arabic}")
    assert response.status_code == 200
    html = response.text
    summary = unescape(re.sub(r"<[^>]+>", "", html.split('class="pair-summary"')[1].split("</p>")[0]))
    assert "translation" in summary and "en → ar" in summary and "likely original: the left side (en)" in summary
    assert "confidence 0.80" in summary
    assert "the original is taken to be the en text" in html and "dated 2024-03-01, before the translation" in html and "the copy" not in html
    rows = re.findall(r'<div class="row ([^"]+)"', html.split('id="translation-rows"')[1])
    assert rows == ["aligned", "aligned", "unaligned only-source", "unaligned only-target", "aligned"]
    arabic_cells = re.findall(r'<div class="cell target" lang="ar" dir="auto">([^<]*)</div>', html)
    assert [unescape(c) for c in arabic_cells] == [r[2] for r in expected_rows() if r[2] is not None]
    assert re.search(r'<div class="cell source" lang="en" dir="auto">The finance ministers met', html)
    assert ">0.93<" in html and ">0.88<" in html


def test_cluster_page_and_article_page_lead_to_it(client: TestClient, store: tuple[Path, str, str]) -> None:
    _db, english, arabic = store
    html = client.get("/reuse/1").text
    assert 'id="translation-rows"' in html and html.count('<div class="row aligned"') == len(ALIGNED)
    cluster = client.get("/api/reuse/1").json()
    assert len(cluster["pair"]["sentences"]) == len(expected_rows())
    article = client.get(f"/articles/{arabic}").text
    assert f'href="/reuse/pairs/{english}/{arabic}"' in article


def test_cli_reuse_show_gives_each_sentence_beside_its_translation(store: tuple[Path, str, str]) -> None:
    db, english, _arabic = store
    result = run_cli("reuse", "show", english, "--db", str(db), "--json")
    assert result.exit_code == 0, result.output
    (link,) = json.loads(result.stdout)["links"]
    assert link["kind"] == "translation"
    pairs = [(s["text"], s["target_text"]) for s in link["shared"]]
    assert pairs == [(src, tgt) for kind, src, tgt in expected_rows() if kind == "aligned"]
