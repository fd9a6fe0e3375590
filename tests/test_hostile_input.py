"""Hostile input that used to stop a whole ingest: now a coded reject of that one item.

Each case writes real files into ``tmp_path`` (one bad item between good ones), ingests them into a
real store through the library (and the CLI for some), and reads the store back: every good item is
stored, the bad one is in ``rejects`` with its code, and a re-run changes nothing.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from conftest import run_cli
from fixtures_make import (
    Entry,
    article_html_fragment,
    jsonl,
    paragraphs,
    rss_feed,
    text_article,
    title,
    write,
)
from narrascope import api
from narrascope.settings import Settings, load_settings

FAST = '[pipeline]\nstages = ["language"]\n'


@pytest.fixture
def fast(tmp_path: Path) -> Settings:
    return load_settings(write(tmp_path / "fast.toml", FAST))


def table(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def counts(db: Path) -> tuple[int, int, int]:
    return tuple(table(db, f"SELECT COUNT(*) FROM {t}")[0][0] for t in ("articles", "raw", "rejects"))  # type: ignore[return-value]


def ingest_twice(folder: Path, db: Path, settings: Settings, *, stored: int) -> list[dict]:
    """Ingest ``folder`` twice: ``stored`` articles and one reject the first time, nothing new the second."""
    first = api.ingest([str(folder)], db=db, settings=settings)
    assert len(first.stored) == stored, first.to_dict()
    assert len(first.rejected) == 1, first.to_dict()
    before = counts(db)
    second = api.ingest([str(folder)], db=db, settings=settings)
    assert second.stored == [] and second.unchanged == stored, second.to_dict()
    assert counts(db) == before
    found = api.list_rejects(db=db, settings=settings)
    assert len(found) == 1, found
    return found


def good_line(n: int) -> dict:
    return {"title": title(n), "text": "\n\n".join(paragraphs(n))}


def raw_line(body: str) -> bytes:
    return body.encode("ascii") + b"\n"


@pytest.mark.parametrize(("bad", "reason"), [
    # json.loads turns these escapes into lone surrogates: not characters, they cannot be stored.
    (raw_line('{"title": "\\udcff", "text": "' + " ".join(paragraphs(7)) + '"}'), "'title'"),
    (raw_line('{"text": "\\ud800 ' + " ".join(paragraphs(7)) + '"}'), "'text'"),
    (raw_line('{"text": "x", "authors": ["ok", "\\udfff"]}'), "'authors'"),
    (b"[" * 100_000 + b"]" * 100_000 + b"\n", "nested"),
], ids=["surrogate in title", "surrogate in text", "surrogate in a list", "nested 100k deep"])
def test_a_bad_jsonl_line_is_a_reject_of_that_line_alone(tmp_path: Path, db: Path, fast: Settings, bad: bytes,
                                                         reason: str) -> None:
    source = write(tmp_path / "in" / "lines.jsonl", jsonl([good_line(1)]) + bad + jsonl([good_line(2), good_line(3)]))
    (reject,) = ingest_twice(source.parent, db, fast, stored=3)
    assert reject["code"] == "NS107" and reject["location"] == f"{source.resolve()}:2"
    assert reason in reject["reason"], reject["reason"]


def test_a_surrogate_in_a_json_array_element_costs_that_element(tmp_path: Path, db: Path, fast: Settings) -> None:
    good = [json.dumps(good_line(n)) for n in (1, 2)]
    bad = '{"title": "\\udcff", "text": "' + " ".join(paragraphs(7)) + '"}'
    source = write(tmp_path / "in" / "articles.json", f"[{good[0]}, {bad}, {good[1]}]")
    (reject,) = ingest_twice(source.parent, db, fast, stored=2)
    assert reject["code"] == "NS107" and reject["location"] == f"{source.resolve()}#item=2"


def feed_with(bad_title: str) -> bytes:
    feed = rss_feed("The Example Times", [
        Entry("Good one", content=article_html_fragment(1), guid="one"),
        Entry("BAD", content=article_html_fragment(2), guid="two"),
        Entry("Good three", content=article_html_fragment(3), guid="three"),
    ])
    return feed.replace(b"<title>BAD</title>", f"<title>{bad_title}</title>".encode())


@pytest.mark.parametrize("ref", ["&#xD800;", "&#55296;", "&#x110000;", "&#xdfff;"])
def test_a_bad_character_reference_in_a_feed_is_a_reject_of_that_entry(tmp_path: Path, db: Path, fast: Settings,
                                                                       ref: str) -> None:
    folder = tmp_path / "in"
    write(folder / "good.txt", text_article(9))
    feed = write(folder / "feed.rss", feed_with(f"Bad {ref} title"))
    (reject,) = ingest_twice(folder, db, fast, stored=3)
    assert reject["code"] == "NS108" and reject["location"] == f"{feed.resolve()}#entry=two"
    assert ref in reject["reason"]


def test_a_bad_character_reference_in_a_feed_through_the_cli(tmp_path: Path, db: Path) -> None:
    folder = tmp_path / "in"
    feed = write(folder / "feed.rss", feed_with("Bad &#xD800; title"))
    config = write(tmp_path / "fast.toml", FAST)
    result = run_cli("--config", str(config), "ingest", "--db", str(db), str(folder))
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert f"rejected  {feed.resolve()}#entry=two: NS108" in result.stderr
    assert counts(db)[0] == 2


@pytest.mark.skipif(os.name != "posix", reason="POSIX file names are bytes")
def test_a_file_name_that_is_not_utf8_is_a_reject_of_that_file(tmp_path: Path, db: Path) -> None:
    folder = tmp_path / "in"
    write(folder / "good.txt", text_article(1))
    bad = os.path.join(os.fsencode(folder), b"caf\xe9-\xff.txt")
    with open(bad, "wb") as f:
        f.write(text_article(2).encode())
    config = write(tmp_path / "fast.toml", FAST)
    for run in (1, 2):
        result = run_cli("--config", str(config), "ingest", "--db", str(db), str(folder))
        assert "Traceback" not in result.output
        assert result.exit_code == (3 if run == 1 else 0), result.output
        assert counts(db)[0] == 1
        (reject,) = api.list_rejects(db=db)
        assert reject["code"] == "NS109" and "not valid UTF-8" in reject["reason"]
        # The location says which file, with the undecodable bytes escaped.
        assert reject["location"] == f"{folder.resolve()}/caf\\xe9-\\xff.txt"
    # Given by name, too (not through a folder walk).
    result = run_cli("--config", str(config), "ingest", "--db", str(db), os.fsdecode(bad))
    assert "Traceback" not in result.output and result.exit_code == 0, result.output


def test_a_symlink_loop_in_a_folder_is_a_reject_of_that_link(tmp_path: Path, db: Path, fast: Settings) -> None:
    folder = tmp_path / "in"
    write(folder / "good.txt", text_article(1))
    write(folder / "sub" / "good.txt", text_article(2))
    (folder / "loop-a").symlink_to("loop-b")
    (folder / "loop-b").symlink_to("loop-a")
    (folder / "self").symlink_to("self")
    first = api.ingest([str(folder)], db=db, settings=fast)
    assert len(first.stored) == 2
    found = {r.location: r for r in first.rejected}
    assert set(found) == {str(folder.absolute() / name) for name in ("loop-a", "loop-b", "self")}
    assert all(r.code == "NS109" and "symbolic link loop" in r.reason for r in found.values())
    before = counts(db)
    second = api.ingest([str(folder)], db=db, settings=fast)
    assert second.unchanged == 2 and counts(db) == before
    # Given by name: the same reject, never a traceback.
    alone = api.ingest([str(folder / "self")], db=db, settings=fast)
    assert [(r.code, "symbolic link loop" in r.reason) for r in alone.rejected] == [("NS109", True)]


def test_a_feed_linking_to_a_symlink_loop_rejects_that_entry(tmp_path: Path, db: Path, fast: Settings) -> None:
    folder = tmp_path / "in"
    write(folder / "page.html", "<html><body><article>" + article_html_fragment(4) + "</article></body></html>")
    (folder / "loop").symlink_to("loop")
    write(folder / "feed.rss", rss_feed("The Example Times", [
        Entry("Local page", link="page.html", guid="page"),
        Entry("Looping", link="loop", guid="loop"),
        Entry("Embedded", content=article_html_fragment(5), guid="embedded"),
    ]))
    report = api.ingest([str(folder)], db=db, settings=fast)
    assert len(report.stored) == 2, report.to_dict()
    assert any(r.location.endswith("#entry=loop") and r.code == "NS109" for r in report.rejected), report.to_dict()
    assert "Traceback" not in str(report.to_dict())


class CountingGuid(str):
    """A guid that counts how often it is compared: a quadratic scan shows as n * n comparisons."""

    comparisons = 0

    def __eq__(self, other: object) -> bool:
        CountingGuid.comparisons += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_naming_feed_entries_by_guid_is_linear() -> None:
    from narrascope.sources.rss import unique_guids

    n = 1000
    guids: list[str | None] = [CountingGuid(f"urn:entry:{i}") for i in range(n)]
    guids += [CountingGuid("urn:entry:7"), None, CountingGuid("")]
    CountingGuid.comparisons = 0
    unique = unique_guids(guids)
    assert CountingGuid.comparisons <= 2 * n, CountingGuid.comparisons  # list.count per entry made n * n
    assert unique[:3] == ["urn:entry:0", "urn:entry:1", "urn:entry:2"]
    assert unique[7] is None and unique[n] is None  # the duplicated guid names neither entry
    assert unique[n + 1:] == [None, None]


def test_a_big_feed_names_each_entry_once(tmp_path: Path) -> None:
    from narrascope.sources import Blob
    from narrascope.sources.rss import FeedSource

    n = 3000
    entries = [Entry(f"Story {i}", guid=f"g{i}", content=f"<p>Story {i}.</p>") for i in range(n)]
    entries.append(Entry("Again", guid="g5", content="<p>Again.</p>"))
    feed = write(tmp_path / "big.rss", rss_feed("The Example Times", entries))
    settings = load_settings(write(tmp_path / "small.toml", "[extract]\nmin_chars = 1\n"))
    locations = [item.location for item in FeedSource().read(Blob(str(feed), feed.name, path=feed), settings)]
    assert len(locations) == n + 1 and len(set(locations)) == n + 1
    assert locations[0] == f"{feed}#entry=g0" and locations[5] == f"{feed}#entry=6"
    assert locations[-1] == f"{feed}#entry={n + 1}"
