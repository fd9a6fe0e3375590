"""Bad input through the real CLI into a real store: a clear coded reason, the rest of the batch kept.

Every case puts one bad input beside good ones, runs ``narrascope ingest``, and reads the store
back: the good articles are all stored, the bad input is in ``rejects`` with its code and a
one-line reason, the CLI printed that line, and the exit status is 3 (0 when only duplicates
were skipped). Inputs are built in code (``fixtures_make``), never read from the repository.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import export_records, run_cli
from fixtures_make import (
    CP1252_BODY,
    CP1252_TITLE,
    GERMAN,
    LATIN1_BODY,
    LATIN1_TITLE,
    PNG_HEADER,
    RUSSIAN,
    Entry,
    Page,
    article_html_fragment,
    empty_page,
    gzip_bytes,
    html_page,
    jsonl,
    paragraphs,
    rss_feed,
    scrape,
    text_article,
    title,
    truncated,
    warc_bytes,
    write,
)


def rejects(db: Path) -> list[dict]:
    result = run_cli("list", "--rejects", "--json", "--db", str(db))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def count(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def small_limit(tmp_path: Path, max_bytes: int = 3000) -> Path:
    return write(tmp_path / "small.toml", f"[input]\nmax_bytes = {max_bytes}\n")


def crawl(first: int, count: int) -> list[Page]:
    return [Page(f"https://news.example.org/{n}", html_page(n).encode()) for n in range(first, first + count)]


@dataclass
class Case:
    """One bad input: ``make(folder)`` writes it (and any good siblings it carries) into ``folder``."""

    id: str
    make: Callable[[Path], Path]
    codes: tuple[str, ...]  # any of these is right (the HTML extractor may say NS201 or NS202)
    reason: str  # a phrase the reason must contain
    stored_from_it: int = 0  # good articles inside the bad input itself (records before a cut...)


CASES = [
    Case("empty file", lambda d: write(d / "empty.txt", b""), ("NS101",), "empty"),
    Case("blank file", lambda d: write(d / "blank.txt", b"\n \n\t\n"), ("NS101",), "empty"),
    Case("png image", lambda d: write(d / "photo.png", PNG_HEADER + bytes(range(256)) * 4), ("NS102",), "PNG image"),
    Case("png named .txt", lambda d: write(d / "notes.txt", PNG_HEADER + bytes(range(256))), ("NS102",), "PNG"),
    Case("pdf", lambda d: write(d / "paper.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + bytes(300)),
         ("NS102",), "PDF"),
    Case("html without an article", lambda d: write(d / "front.html", empty_page()), ("NS201", "NS202"), ""),
    Case("truncated gzip", lambda d: write(d / "story.txt.gz", truncated(gzip_bytes(text_article(50).encode()))),
         ("NS105",), "truncated"),
    Case("truncated warc", lambda d: write(d / "crawl.warc", truncated(warc_bytes(crawl(60, 4)), 0.8)),
         ("NS106",), "the WARC ends inside", stored_from_it=3),
    Case("truncated warc.gz", lambda d: write(d / "crawl.warc.gz", truncated(warc_bytes(crawl(70, 4), gzipped=True), 0.8)),
         ("NS105",), "gzip stream is truncated", stored_from_it=3),
    Case("malformed jsonl line",
         lambda d: write(d / "lines.jsonl", jsonl([{"text": "\n\n".join(paragraphs(80)), "title": title(80)}])
                         + b'{"text": "unterminated\n'
                         + jsonl([{"text": "\n\n".join(paragraphs(81)), "title": title(81)}])),
         ("NS107",), "not JSON", stored_from_it=2),
    Case("broken feed xml", lambda d: write(d / "feed.rss", b'<?xml version="1.0"?>\n<rss version="2.0"><channel>'
                                                            b"<title>Broken &amp; bad</title><<</rss>"),
         ("NS108",), "broken feed XML"),
    Case("feed entry without content", lambda d: write(d / "feed.rss", rss_feed("Outlet", [
        Entry("Good entry", content=article_html_fragment(90), guid="good"), Entry("Empty entry", guid="empty")])),
         ("NS111",), "no content", stored_from_it=1),
]


@pytest.mark.parametrize(("name", "title_text", "body", "code"), [
    ("artikel.txt", "Gespräche in Genf", GERMAN, "de"), ("statya.txt", "Переговоры в Женеве", RUSSIAN, "ru")])
def test_every_language_is_stored_unless_language_accept_restricts_it(
        tmp_path: Path, db: Path, name: str, title_text: str, body: list[str], code: str) -> None:
    folder = tmp_path / "in"
    write(folder / "good-1.txt", text_article(1))
    bad = write(folder / name, scrape(title_text, body))
    everything = run_cli("ingest", "--db", str(db), str(folder))
    assert everything.exit_code == 0, everything.output
    assert sorted(r["language"] for r in export_records(db)) == sorted(["en", code])

    english_only = write(tmp_path / "english.toml", '[language]\naccept = ["en"]\n')
    other_db = tmp_path / "english.db"
    result = run_cli("--config", str(english_only), "ingest", "--db", str(other_db), str(folder))
    assert result.exit_code == 3, result.output
    assert [r["language"] for r in export_records(other_db)] == ["en"]
    (reject,) = [r for r in rejects(other_db) if not r["skipped"]]
    assert reject["code"] == "NS203" and f"'{code}'" in reject["reason"]
    assert reject["location"].startswith(str(bad.resolve()))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_rejected_with_a_reason_and_the_batch_goes_on(tmp_path: Path, db: Path, case: Case) -> None:
    folder = tmp_path / "in"
    for n in (1, 2):
        write(folder / f"good-{n}.txt", text_article(n))
    bad = case.make(folder)
    result = run_cli("ingest", "--db", str(db), str(folder))
    assert result.exit_code == 3, result.output

    stored = export_records(db)
    assert len(stored) == 2 + case.stored_from_it, [r["source"]["location"] for r in stored]
    found = [r for r in rejects(db) if not r["skipped"]]
    assert len(found) == 1, found
    (reject,) = found
    assert reject["code"] in case.codes
    assert reject["location"].startswith(str(bad.resolve()))
    assert case.reason in reject["reason"] and "\n" not in reject["reason"]
    # The CLI says it in one line, with the code, and where to look.
    line = f"rejected  {reject['location']}: {reject['code']} {reject['reason']}"
    assert line in result.stderr.splitlines()
    assert "1 rejected" in result.stderr and "narrascope list --rejects" in result.stderr


def test_file_over_the_configured_size_limit(tmp_path: Path, db: Path) -> None:
    config = small_limit(tmp_path, 3000)
    write(tmp_path / "in" / "good.txt", text_article(1))
    big = write(tmp_path / "in" / "long.txt", scrape(title(2), paragraphs(2, count=30)))
    result = run_cli("--config", str(config), "ingest", "--db", str(db), str(tmp_path / "in"))
    assert result.exit_code == 3, result.output
    assert len(export_records(db)) == 1
    (reject,) = rejects(db)
    assert (reject["code"], reject["location"]) == ("NS103", str(big.resolve()))
    assert "3,000 bytes" in reject["reason"] and "input.max_bytes" in reject["reason"]


@pytest.mark.parametrize(("encoding", "heading", "body", "expected"), [
    pytest.param(
        "cp1252", CP1252_TITLE, CP1252_BODY,
        ["The minister\u2019s \u201cfinal offer\u201d was rejected on Monday \u2013 the third time",
         "\u201cWe are not there yet,\u201d said the union\u2019s chief negotiator"],
        id="cp1252",
    ),
    pytest.param(
        "latin-1", LATIN1_TITLE, LATIN1_BODY,
        ["Jos\u00e9 Ara\u00fajo, who has run a caf\u00e9 near the cathedral",
         "the na\u00efve planners", "Pra\u00e7a da S\u00e9", "the r\u00e9gime of inspections"],
        id="latin-1",
    ),
])
def test_legacy_encodings_are_decoded_without_mojibake(tmp_path: Path, db: Path, encoding: str, heading: str,
                                                      body: list[str], expected: list[str]) -> None:
    path = write(tmp_path / f"{encoding}.txt", scrape(heading, body).encode(encoding))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # the file really is not UTF-8
    result = run_cli("ingest", "--db", str(db), str(path))
    assert result.exit_code == 0, result.output
    (record,) = export_records(db)
    for phrase in expected:
        assert phrase in record["text"], record["text"]
    assert "\u00c3" not in record["text"] and "\ufffd" not in record["text"]


def test_same_file_twice_is_stored_once(tmp_path: Path, db: Path) -> None:
    original = write(tmp_path / "story.txt", text_article(1))
    copy = write(tmp_path / "copy" / "story-again.txt", text_article(1))
    # The same path twice on one command line, and a byte-identical copy elsewhere.
    result = run_cli("ingest", "--db", str(db), str(original), str(original), str(copy))
    assert result.exit_code == 0, result.output
    assert count(db, "articles") == 1
    (skipped,) = rejects(db)
    assert (skipped["code"], skipped["skipped"], skipped["location"]) == ("NS301", True, str(copy.resolve()))
    assert "duplicate" in skipped["reason"] and str(original.resolve()) in skipped["reason"]
    # A batch of nothing but duplicates is a success.
    again = run_cli("ingest", "--db", str(db), str(copy))
    assert again.exit_code == 0, again.output
    assert count(db, "articles") == 1


def file_name(location: str) -> str:
    """The file a location is in: without "#entry=..."/"#record=..." or a ":<line>" suffix."""
    return Path(re.sub(r":\d+$", "", location.split("#", 1)[0])).name


def mixed_batch(folder: Path) -> dict[str, str]:
    """Good and bad inputs of every kind in one folder; returns file name -> expected reject code."""
    write(folder / "good.txt", text_article(1))
    write(folder / "good.html", html_page(2))
    write(folder / "good.txt.gz", gzip_bytes(text_article(3).encode()))
    write(folder / "cp1252.txt", scrape(CP1252_TITLE, CP1252_BODY).encode("cp1252"))
    write(folder / "feed.rss", rss_feed("The Example Times", [
        Entry(title(4), link="https://news.example.org/4", content=article_html_fragment(4), guid="four",
              published="Tue, 14 May 2024 09:00:00 +0000", authors=["Jane Roe"]),
        Entry(title(5), link="../linked/five.html", guid="five"),
    ]))
    # Outside the folder: a linked page that is also walked would be stored twice (once bare, once
    # with the feed's metadata), since the hints take part in the id.
    write(folder.parent / "linked" / "five.html", html_page(5))
    write(folder / "crawl.warc.gz", warc_bytes(crawl(6, 2), gzipped=True))
    write(folder / "lines.jsonl", jsonl([{"text": "\n\n".join(paragraphs(8)), "title": title(8)}])
          + b"[]\n" + jsonl([{"text": "\n\n".join(paragraphs(9)), "title": title(9)}]))
    write(folder / "cut.warc", truncated(warc_bytes(crawl(10, 3)), 0.8))  # 2 records survive
    # ... and the bad ones
    write(folder / "empty.txt", b"")
    write(folder / "image.png", PNG_HEADER + bytes(200))
    write(folder / "long.txt", scrape(title(20), paragraphs(20, count=30)))
    write(folder / "front.html", empty_page())
    write(folder / "cut.txt.gz", truncated(gzip_bytes(text_article(21).encode())))
    write(folder / "broken.rss", b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><<<')
    write(folder / "artikel.txt", scrape("Gespräche in Genf", GERMAN))
    write(folder / "zz-copy-of-good.txt", text_article(1))
    return {
        "empty.txt": "NS101", "image.png": "NS102", "long.txt": "NS103", "front.html": "NS20x",
        "cut.txt.gz": "NS105", "cut.warc": "NS106", "lines.jsonl": "NS107", "broken.rss": "NS108",
        "artikel.txt": "NS203", "zz-copy-of-good.txt": "NS301",
    }


def test_mixed_batch_keeps_every_good_input_and_a_rerun_changes_nothing(tmp_path: Path, db: Path) -> None:
    folder = tmp_path / "in"
    expected = mixed_batch(folder)
    config = write(tmp_path / "mixed.toml",
                   '[input]\nmax_bytes = 6000\nfeed_local_links = "any"\n[language]\naccept = ["en"]\n')
    first = run_cli("--config", str(config), "ingest", "--db", str(db), str(folder))
    assert first.exit_code == 3, first.output

    records = export_records(db)
    # 1 txt + 1 html + 1 txt.gz + cp1252 + 2 feed entries + 2 WARC pages + 2 JSONL lines + 2 cut-WARC pages
    assert len(records) == 12, "\n".join(sorted(r["source"]["location"] for r in records))
    by_kind = sorted(r["source"]["kind"] for r in records)
    assert by_kind == sorted(["text", "html", "text", "text", "rss", "rss", "warc", "warc", "jsonl", "jsonl",
                              "warc", "warc"])
    feed_entry = next(r for r in records if r["source"]["location"].endswith("#entry=four"))
    assert feed_entry["outlet"] == "The Example Times" and feed_entry["published"] == "2024-05-14"
    assert feed_entry["url"] == "https://news.example.org/4"

    found = rejects(db)
    got = {file_name(r["location"]): r["code"] for r in found}
    assert got.pop("front.html") in ("NS201", "NS202")
    expected.pop("front.html")
    assert got == expected
    assert all(r["seen"] == 1 for r in found)

    before = (count(db, "articles"), count(db, "raw"), count(db, "rejects"))
    second = run_cli("--config", str(config), "ingest", "--db", str(db), "--json", str(folder))
    assert second.exit_code == 0  # every reject is known: recorded before, same bytes, same reason
    report = json.loads(second.stdout)
    assert report["stored"] == [] and report["unchanged"] == 12
    assert report["known_rejects"] == sum(not r["skipped"] for r in found) and all(r["known"] for r in report["rejected"])
    assert (count(db, "articles"), count(db, "raw"), count(db, "rejects")) == before
    assert all(r["seen"] == 2 for r in rejects(db))


def test_an_unforeseen_failure_costs_one_input_not_the_batch(tmp_path: Path, db: Path) -> None:
    folder = tmp_path / "in"
    write(folder / "good.txt", text_article(1))
    write(folder / "odd.html", b'<html><head><meta charset="base64"></head><body><p>caf\xe9 ' + b"word " * 80
          + b"</p></body></html>")
    write(folder / "deep.jsonl", b"[" * 100_000 + b"\n")
    result = run_cli("ingest", "--db", str(db), str(folder))
    assert result.exit_code in (0, 3), result.output
    assert "Traceback" not in result.output
    assert any("(Report 1, part 1.)" in r["text"] for r in export_records(db))
