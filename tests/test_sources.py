"""Sources on inputs built in code: what items, hints and rejects each format yields.

These tests stop at the source (``read_inputs``): what the extractors then make of an item is
tested elsewhere; here it is the container's job that matters (one item per entry, record or
line, the stated metadata as hints, nothing silently lost).
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import tracemalloc
from dataclasses import replace
from pathlib import Path

import pytest

import narrascope
from conftest import export_records, run_cli
from fixtures_make import (
    PNG_HEADER,
    Entry,
    Page,
    article_html_fragment,
    atom_feed,
    chunked,
    deflated,
    gzip_bytes,
    html_page,
    jsonl,
    paragraphs,
    rss_feed,
    text_article,
    title,
    truncated,
    warc_bytes,
    write,
)
from narrascope.model import RawItem, Reject
from narrascope.plugins import registry
from narrascope.settings import Settings
from narrascope.sources import Blob, ContentStream, detect, read_blob, read_document, read_inputs
from narrascope.sources.dates import stated_date


def read(path: Path, settings: Settings) -> tuple[list[RawItem], list[Reject]]:
    out = list(read_inputs([str(path)], settings))
    return [o for o in out if isinstance(o, RawItem)], [o for o in out if isinstance(o, Reject)]


def limited(settings: Settings, max_bytes: int) -> Settings:
    return replace(settings, input=replace(settings.input, max_bytes=max_bytes))


# -- detection ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("a.txt", text_article(1).encode(), "text"),
    ("a.md", text_article(1).encode(), "text"),
    ("noname", text_article(1).encode(), "text"),
    ("page.html", html_page(1).encode(), "html"),
    ("page", html_page(1).encode(), "html"),
    ("feed.xml", rss_feed("Outlet", [Entry("t", content="<p>x</p>")]), "rss"),
    ("feed", atom_feed("Outlet", [Entry("t", content="<p>x</p>")]), "rss"),
    ("feed.rdf", b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', "rss"),
    ("broken.rss", b"this is not XML at all", "rss"),
    ("crawl", warc_bytes([]), "warc"),
    ("crawl.warc", b"", "warc"),
    ("lines.jsonl", b'{"nothing": 1}\n', "jsonl"),
    ("export.json", jsonl([{"text": "x", "url": "u"}]), "jsonl"),
    ("stdin", b'\n\n{"html": "<p>x</p>"}\n', "jsonl"),
])
def test_detect_by_content_and_name(name: str, data: bytes, expected: str) -> None:
    sources = registry().sources
    assert detect(Blob(location=name, name=name, data=data), sources).name == expected
    zipped = Blob(location=name + ".gz", name=name + ".gz", data=gzip_bytes(data))
    assert detect(zipped, sources).name == expected


def test_every_builtin_source_is_registered() -> None:
    assert {"text", "html", "rss", "warc", "jsonl"} <= set(registry().sources)


# -- RSS and Atom ---------------------------------------------------------------------------------


@pytest.mark.parametrize("policy", ["folder", "any", "none"])
def test_feed_links_to_local_files_follow_the_policy(tmp_path: Path, settings: Settings, policy: str) -> None:
    secret = write(tmp_path / "elsewhere" / "secret.txt", text_article(7))
    write(tmp_path / "feeds" / "pages" / "inside.html", html_page(8))
    feed = write(tmp_path / "feeds" / "feed.rss", rss_feed("The Example Times", [
        Entry("Inside", link="pages/inside.html", guid="inside"),
        Entry("Outside", link=secret.as_uri(), guid="outside"),
        Entry("Climbing out", link="../elsewhere/secret.txt", guid="climb"),
    ]))
    chosen = replace(settings, input=replace(settings.input, feed_local_links=policy))
    items, rejects = read(feed, chosen)
    read_files = {i.location.rsplit("=", 1)[1] for i in items}
    refused = {r.location.rsplit("=", 1)[1]: r.code for r in rejects}
    if policy == "any":
        assert read_files == {"inside", "outside", "climb"} and refused == {}
    elif policy == "folder":
        assert read_files == {"inside"}
        assert refused == {"outside": "NS111", "climb": "NS111"}
        assert all("outside the feed's folder" in r.reason for r in rejects)
    else:
        assert read_files == set() and set(refused) == {"inside", "outside", "climb"}
    assert all(secret.read_bytes() != i.data for i in items) or policy == "any"



def test_rss_entries_become_items_with_the_feed_metadata_as_hints(tmp_path: Path, settings: Settings) -> None:
    write(tmp_path / "pages" / "second.html", html_page(2))
    write(tmp_path / "notes" / "third.txt", text_article(3))
    feed = write(tmp_path / "feed.rss", rss_feed("The Example Times", [
        Entry("First story", link="https://news.example.org/first", guid="story-1",
              content=article_html_fragment(1), description="A teaser.",
              published="Tue, 14 May 2024 23:30:00 -0500", authors=["Jane Roe"], categories=["World", "Asia"]),
        Entry("Second story", link="pages/second.html", guid="story-2", description="Teaser only."),
        Entry("Third story", link=(tmp_path / "notes" / "third.txt").as_uri(), guid="story-3"),
        Entry("Fourth story", description="Just a summary of the fourth story."),
    ]))
    items, rejects = read(feed, settings)
    assert rejects == []
    first, second, third, fourth = items
    assert all(i.source_kind == "rss" for i in items)

    assert first.media_type == "text/html"
    assert b"(Report 1, part 1.)" in first.data and b"A teaser." not in first.data
    assert first.location == f"{feed.resolve()}#entry=story-1"
    assert first.hints == {
        "url": "https://news.example.org/first",
        "title": "First story",
        "published": "2024-05-14",  # the day it states, not the UTC day (15th)
        "authors": ["Jane Roe"],
        "outlet": "The Example Times",
        "tags": ["World", "Asia"],
        "feed_location": str(feed.resolve()),
    }

    # A relative link is a file beside the feed: read as it is, no URL hint; what the feed says of
    # it is a fallback, below the page's own structured metadata.
    assert second.media_type == "text/html"
    assert second.data == (tmp_path / "pages" / "second.html").read_bytes()
    assert "url" not in second.hints and "title" not in second.hints
    assert second.hints["fallback"] == {"title": "Second story", "outlet": "The Example Times"}
    # A file:// link to a text file.
    assert third.media_type == "text/plain"
    assert third.data == (tmp_path / "notes" / "third.txt").read_bytes()
    # Neither content nor a link: the summary (numbered location: no guid).
    assert b"Just a summary of the fourth story." in fourth.data
    assert fourth.location == f"{feed.resolve()}#entry=4"
    assert "published" not in fourth.hints


def test_atom_feed_with_several_authors_and_an_iso_date(tmp_path: Path, settings: Settings) -> None:
    feed = write(tmp_path / "feed.atom", atom_feed("Atom Outlet", [
        Entry("Atom story", link="https://news.example.org/atom", guid="urn:example:1",
              content=article_html_fragment(5), published="2024-05-14T01:00:00+09:00",
              authors=["Ann Able", "Bob Baker"], categories=["Europe"]),
    ]))
    (item,), rejects = read(feed, settings)
    assert rejects == []
    assert item.hints["published"] == "2024-05-14"
    assert item.hints["authors"] == ["Ann Able", "Bob Baker"]
    assert item.hints["outlet"] == "Atom Outlet" and item.hints["tags"] == ["Europe"]
    assert b"(Report 5, part 4.)" in item.data


def test_feed_entries_that_cannot_be_read_are_rejected_one_by_one(tmp_path: Path, settings: Settings) -> None:
    feed = write(tmp_path / "feed.rss", rss_feed("Outlet", [
        Entry("Missing file", link="pages/gone.html"),
        Entry("Nothing at all"),
        Entry("Picture", link="photo.png"),
        Entry("Fine", content=article_html_fragment(1)),
    ]))
    write(tmp_path / "photo.png", PNG_HEADER)
    items, rejects = read(feed, settings)
    assert len(items) == 1 and items[0].hints["title"] == "Fine"
    codes = {r.location.rsplit("#", 1)[1]: (r.code, r.reason) for r in rejects}
    assert codes["entry=1"][0] == "NS109" and str(tmp_path / "pages" / "gone.html") in codes["entry=1"][1]
    assert codes["entry=2"][0] == "NS111"
    assert codes["entry=3"][0] == "NS102" and "PNG" in codes["entry=3"][1]


def test_a_long_html_description_is_the_article(tmp_path: Path, settings: Settings) -> None:
    feed = write(tmp_path / "feed.rss", rss_feed("Outlet", [Entry("Long", description=article_html_fragment(2))]))
    (item,), _ = read(feed, settings)
    assert item.media_type == "text/html" and b"(Report 2, part 4.)" in item.data


def test_broken_feed_xml_is_one_ns108_reject(tmp_path: Path, settings: Settings) -> None:
    feed = write(tmp_path / "broken.rss", b'<?xml version="1.0"?>\n<rss version="2.0"><channel>'
                                          b"<title>Broken & bad</title><<<</channel>")
    items, rejects = read(feed, settings)
    assert items == []
    assert [(r.code, r.location) for r in rejects] == [("NS108", str(feed.resolve()))]
    assert rejects[0].reason.startswith("broken feed XML: ") and "not well-formed" in rejects[0].reason


def test_a_cut_feed_keeps_the_entries_the_parser_recovered(tmp_path: Path, settings: Settings) -> None:
    whole = rss_feed("Outlet", [Entry(f"Story {n}", content=article_html_fragment(n), guid=f"g{n}")
                                for n in range(3)])
    feed = write(tmp_path / "cut.rss", whole[: whole.index(b"<item><title>Story 2")])
    items, rejects = read(feed, settings)
    assert [i.hints["title"] for i in items] == ["Story 0", "Story 1"]
    assert rejects == []


def test_the_entry_a_cut_falls_in_is_reported_not_stored_half(tmp_path: Path, settings: Settings) -> None:
    whole = rss_feed("Outlet", [Entry(f"Story {n}", content=article_html_fragment(n), guid=f"g{n}")
                                for n in range(3)])
    feed = write(tmp_path / "cut.rss", whole[: whole.index(b"(Report 2, part 3.)")])
    items, rejects = read(feed, settings)
    assert [i.hints["title"] for i in items] == ["Story 0", "Story 1"]
    assert [(r.code, r.location) for r in rejects] == [("NS108", f"{feed.resolve()}#entry=3")]
    assert "the feed ends inside entry 3" in rejects[0].reason


def test_truncated_feed_gz_keeps_the_complete_entries(tmp_path: Path, settings: Settings) -> None:
    whole = rss_feed("Outlet", [Entry(f"Story {n}", content=article_html_fragment(n), guid=f"g{n}")
                                for n in range(6)])
    feed = write(tmp_path / "feed.rss.gz", truncated(gzip_bytes(whole), 0.6))
    items, rejects = read(feed, settings)
    assert 0 < len(items) < 6
    assert [i.hints["title"] for i in items] == [f"Story {n}" for n in range(len(items))]
    assert [r.code for r in rejects] == ["NS105"] and "truncated" in rejects[0].reason


@pytest.mark.parametrize("gzipped", [False, True], ids=["rss", "rss.gz"])
def test_a_feed_cut_anywhere_never_raises_and_never_yields_half_an_entry(settings: Settings, gzipped: bool) -> None:
    from narrascope.sources.rss import FeedSource

    whole = rss_feed("Outlet", [Entry(f"Story {n}", content=article_html_fragment(n), guid=f"g{n}")
                                for n in range(3)])
    data = gzip_bytes(whole) if gzipped else whole
    complete = [o.data for o in FeedSource().read(Blob("f.rss", "f.rss", data=data), settings)]
    for cut in range(1, len(data), 11):
        out = list(read_blob(Blob("f.rss", "f.rss", data=data[:cut]), settings))
        items = [o.data for o in out if isinstance(o, RawItem)]
        rejects = [o for o in out if isinstance(o, Reject)]
        assert items == complete[: len(items)], cut
        assert len(rejects) <= 1, (cut, rejects)


def test_a_feed_without_entries_is_empty(tmp_path: Path, settings: Settings) -> None:
    _, rejects = read(write(tmp_path / "feed.rss", rss_feed("Outlet", [])), settings)
    assert [r.code for r in rejects] == ["NS101"]


def test_entry_with_only_a_published_date_raises_no_feedparser_warning(tmp_path: Path, settings: Settings) -> None:
    # feedparser warns (DeprecationWarning) when code reads "updated" and only "published" exists;
    # tests run with warnings as errors, so this would fail if the source did.
    feed = write(tmp_path / "feed.atom", atom_feed("O", [Entry("T", content="<p>x</p>", published="2023-01-02")]))
    (item,), _ = read(feed, settings)
    assert item.hints["published"] == "2023-01-02"


# -- WARC -----------------------------------------------------------------------------------------


def crawl() -> list[Page]:
    """A small crawl: seven HTML pages among the records a crawler also writes."""
    page = {n: html_page(n).encode() for n in range(1, 8)}
    return [
        Page("https://news.example.org/1", kind="request"),
        Page("https://news.example.org/1", page[1]),
        Page("https://news.example.org/logo.png", PNG_HEADER, content_type="image/png"),
        Page("https://news.example.org/site.css", b"body { color: black }", content_type="text/css"),
        Page("https://news.example.org/2", gzip_bytes(page[2]), headers=[("Content-Encoding", "gzip")]),
        Page("https://news.example.org/3", chunked(page[3]), headers=[("Transfer-Encoding", "chunked")],
             content_type="text/html; charset=windows-1252"),
        Page("https://news.example.org/4", chunked(gzip_bytes(page[4])),
             headers=[("Transfer-Encoding", "chunked"), ("Content-Encoding", "gzip")]),
        Page("https://news.example.org/5", deflated(page[5]), headers=[("Content-Encoding", "deflate")],
             content_type="application/xhtml+xml"),
        Page("https://news.example.org/gone", b"<html><body>Not found</body></html>", status="404 Not Found"),
        Page("https://news.example.org/old", b"", status="301 Moved Permanently",
             headers=[("Location", "https://news.example.org/1")]),
        Page("https://news.example.org/error", b"<html><body>Oops</body></html>", status="500 Server Error"),
        Page("https://news.example.org/6", page[6], kind="resource", content_type="text/html"),
        Page("https://news.example.org/meta", b"outlink: https://news.example.org/1\r\n", kind="metadata",
             content_type="application/warc-fields"),
        Page("https://news.example.org/7", page[7], content_type=None),
    ]


@pytest.mark.parametrize("gzipped", [False, True], ids=["warc", "warc.gz"])
def test_warc_html_pages_become_items_and_nothing_else(tmp_path: Path, settings: Settings, gzipped: bool,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    path = write(tmp_path / ("crawl.warc.gz" if gzipped else "crawl.warc"), warc_bytes(crawl(), gzipped=gzipped))
    with caplog.at_level(logging.DEBUG, logger="narrascope.sources.warc"):
        items, rejects = read(path, settings)
    assert rejects == []
    assert [i.hints["url"] for i in items] == [f"https://news.example.org/{n}" for n in range(1, 8)]
    for n, item in enumerate(items, start=1):
        # chunking and gzip/deflate content encoding undone: the page exactly as served
        assert item.data == html_page(n).encode(), n
        assert item.media_type == "text/html" and item.source_kind == "warc"
        assert item.location.startswith(f"{path.resolve()}#record=urn:uuid:")
        assert item.hints["fetched"].startswith("20")  # WARC-Date, kept apart from "published"
        assert "published" not in item.hints
    assert items[0].hints["charset"] == "utf-8" and items[2].hints["charset"] == "windows-1252"
    assert "charset" not in items[6].hints
    log = caplog.text
    assert "7 HTML pages" in log
    for why in ("request record", "not HTML (image/png)", "HTTP status 404", "HTTP status 301", "metadata record"):
        assert why in log


def test_warc_record_over_the_size_limit_is_rejected_and_the_next_read(tmp_path: Path, settings: Settings) -> None:
    big = html_page(1, body=paragraphs(1, count=40)).encode()
    path = write(tmp_path / "crawl.warc", warc_bytes([
        Page("https://news.example.org/big", big),
        Page("https://news.example.org/2", html_page(2).encode()),
    ]))
    items, rejects = read(path, limited(settings, 4000))
    assert [i.hints["url"] for i in items] == ["https://news.example.org/2"]
    assert [r.code for r in rejects] == ["NS103"] and "#record=urn:uuid:" in rejects[0].location


def test_warc_body_that_cannot_be_decoded_is_rejected(tmp_path: Path, settings: Settings) -> None:
    damaged = bytearray(gzip_bytes(html_page(1).encode()))
    damaged[30:60] = b"\xff" * 30
    path = write(tmp_path / "crawl.warc", warc_bytes([
        Page("https://news.example.org/1", bytes(damaged), headers=[("Content-Encoding", "gzip")]),
        Page("https://news.example.org/2", html_page(2).encode(), headers=[("Content-Encoding", "compress")]),
        Page("https://news.example.org/3", html_page(3).encode()),
    ]))
    items, rejects = read(path, settings)
    assert [i.hints["url"] for i in items] == ["https://news.example.org/3"]
    assert [r.code for r in rejects] == ["NS106", "NS102"]
    assert "gzip" in rejects[0].reason and "'compress'" in rejects[1].reason


@pytest.mark.parametrize(("gzipped", "code"), [(False, "NS106"), (True, "NS105")], ids=["warc", "warc.gz"])
def test_truncated_warc_keeps_the_complete_records(tmp_path: Path, settings: Settings, gzipped: bool,
                                                   code: str) -> None:
    data = warc_bytes(crawl(), gzipped=gzipped)
    path = write(tmp_path / ("cut.warc.gz" if gzipped else "cut.warc"), truncated(data, 0.7))
    items, rejects = read(path, settings)
    whole, _ = read(write(tmp_path / ("whole.warc.gz" if gzipped else "whole.warc"), data), settings)
    assert 0 < len(items) < len(whole)
    assert [i.data for i in items] == [i.data for i in whole[: len(items)]]
    assert [r.code for r in rejects] == [code]
    assert rejects[0].location.startswith(str(path.resolve()) + "#")
    assert "the complete records before it were read" in rejects[0].reason


@pytest.mark.parametrize("gzipped", [False, True], ids=["warc", "warc.gz"])
def test_a_warc_cut_anywhere_never_raises_and_never_yields_half_a_page(settings: Settings, gzipped: bool) -> None:
    data = warc_bytes(crawl(), gzipped=gzipped)
    whole = [o for o in read_inputs_of(data, settings) if isinstance(o, RawItem)]
    for cut in range(1, len(data), 13):
        out = read_inputs_of(data[:cut], settings)
        items = [o.data for o in out if isinstance(o, RawItem)]
        rejects = [o for o in out if isinstance(o, Reject)]
        assert items == [i.data for i in whole[: len(items)]], cut
        assert len(rejects) <= 1, (cut, rejects)
        assert all(r.code in ("NS105", "NS106") for r in rejects), (cut, rejects)


def read_inputs_of(data: bytes, settings: Settings) -> list[RawItem | Reject]:
    from narrascope.sources.warc import WarcSource

    return list(WarcSource().read(Blob(location="mem.warc", name="mem.warc", data=data), settings))


def test_garbage_after_a_warc_header_is_a_damaged_archive(tmp_path: Path, settings: Settings) -> None:
    path = write(tmp_path / "bad.warc", warc_bytes([Page("https://news.example.org/1", html_page(1).encode())])
                 + b"this is not a WARC record\r\n\r\n")
    items, rejects = read(path, settings)
    assert len(items) == 1
    assert [r.code for r in rejects] == ["NS106"]


# -- JSONL ----------------------------------------------------------------------------------------


def test_jsonl_lines_become_items_with_their_fields_as_hints(tmp_path: Path, settings: Settings) -> None:
    body = "\n\n".join(paragraphs(1))
    path = write(tmp_path / "articles.jsonl", jsonl([
        {"id": 17, "text": body, "url": "https://news.example.org/1", "title": " A title ", "subtitle": "A dek",
         "published": "2024-05-14T23:30:00-05:00", "authors": ["Jane Roe", "John Doe"], "outlet": "The Times",
         "tags": ["World"], "language": "en-GB", "republished_from": "Another Paper", "extra": {"ignored": True}},
        {"html": html_page(2), "text": "the text is not used when html is given", "author": "Solo Writer",
         "tags": "Politics", "published": "not a date"},
        {"text": body + " Again.", "published": None, "url": None},
    ]) + b"\n   \n")
    items, rejects = read(path, settings)
    assert rejects == []
    first, second, third = items
    assert first.media_type == "text/plain" and first.data == body.encode("utf-8")
    assert first.location == f"{path.resolve()}:1" and first.source_kind == "jsonl"
    assert first.hints == {
        "url": "https://news.example.org/1", "title": "A title", "subtitle": "A dek", "published": "2024-05-14",
        "authors": ["Jane Roe", "John Doe"], "outlet": "The Times", "tags": ["World"], "language": "en",
        "republished_from": "Another Paper",
    }
    assert second.media_type == "text/html" and second.data == html_page(2).encode()
    assert second.hints == {"authors": ["Solo Writer"], "tags": ["Politics"]}  # "not a date" left out
    assert third.hints == {}


@pytest.mark.parametrize(("line", "problem"), [
    (b"{not json", "not JSON"),
    (b"[1, 2, 3]", "a JSON list, not an object"),
    (b'"just a string"', "a JSON string, not an object"),
    (b'{"title": "no body"}', "neither 'text' nor 'html'"),
    (b'{"text": 42}', "'text' must be a string, not a number"),
    (b'{"text": "body", "authors": [1, 2]}', "'authors' must be a string or a list of strings"),
    (b'{"text": "body", "title": ["a"]}', "'title' must be a string, not a list"),
    (b'{"text": "body", "published": 20240514}', "'published' must be a string, not a number"),
    ('{"text": "caf\u00e9"}'.encode("cp1252"), "not UTF-8"),
])
def test_malformed_jsonl_line_is_ns107_and_the_good_lines_are_kept(tmp_path: Path, settings: Settings,
                                                                  line: bytes, problem: str) -> None:
    good = jsonl([{"text": "\n\n".join(paragraphs(1))}, {"text": "\n\n".join(paragraphs(2))}])
    first, second = good.splitlines(keepends=True)
    path = write(tmp_path / "mixed.jsonl", first + b"\n" + line + b"\n" + second)
    items, rejects = read(path, settings)
    assert [i.location for i in items] == [f"{path.resolve()}:1", f"{path.resolve()}:4"]
    assert [(r.code, r.location) for r in rejects] == [("NS107", f"{path.resolve()}:3")]
    assert rejects[0].reason.startswith("malformed JSONL line: ") and problem in rejects[0].reason


def test_jsonl_blank_text_is_empty_input(tmp_path: Path, settings: Settings) -> None:
    _, rejects = read(write(tmp_path / "a.jsonl", jsonl([{"text": "   "}])), settings)
    assert [r.code for r in rejects] == ["NS101"]


def test_jsonl_line_over_the_size_limit_is_skipped_and_the_next_read(tmp_path: Path, settings: Settings) -> None:
    path = write(tmp_path / "a.jsonl", jsonl([{"text": "x" * 5000}, {"text": "\n\n".join(paragraphs(1))}]))
    items, rejects = read(path, limited(settings, 2000))
    assert [i.location for i in items] == [f"{path.resolve()}:2"]
    assert [(r.code, r.location) for r in rejects] == [("NS103", f"{path.resolve()}:1")]


def test_jsonl_with_a_byte_order_mark_and_crlf_lines(tmp_path: Path, settings: Settings) -> None:
    data = b"\xef\xbb\xbf" + jsonl([{"text": "one"}, {"text": "two"}]).replace(b"\n", b"\r\n")
    items, rejects = read(write(tmp_path / "a.ndjson", data), settings)
    assert [i.data for i in items] == [b"one", b"two"] and rejects == []


def test_truncated_jsonl_gz_keeps_the_lines_before_the_cut(tmp_path: Path, settings: Settings) -> None:
    lines = [{"text": "\n\n".join(paragraphs(n)), "title": title(n)} for n in range(40)]
    data = gzip_bytes(jsonl(lines))
    path = write(tmp_path / "a.jsonl.gz", truncated(data, 0.5))
    items, rejects = read(path, settings)
    assert 0 < len(items) < 40
    assert [i.hints["title"] for i in items] == [title(n) for n in range(len(items))]
    assert [(r.code, r.location) for r in rejects] == [("NS105", f"{path.resolve()}:{len(items) + 1}")]
    assert "truncated" in rejects[0].reason


# -- gzip, size limits, single documents ------------------------------------------------------------


def test_truncated_gzip_of_one_document_is_ns105(tmp_path: Path, settings: Settings) -> None:
    path = write(tmp_path / "page.html.gz", truncated(gzip_bytes(html_page(1).encode()), 0.5))
    items, rejects = read(path, settings)
    assert items == [] and [r.code for r in rejects] == ["NS105"]
    assert "truncated" in rejects[0].reason


def test_corrupt_gzip_is_ns105_not_a_crash(tmp_path: Path, settings: Settings) -> None:
    path = write(tmp_path / "page.txt.gz", b"\x1f\x8b" + b"\x00garbage that is no deflate stream" * 3)
    _, rejects = read(path, settings)
    assert [r.code for r in rejects] == ["NS105"]


def test_gzip_bomb_is_rejected_without_inflating_it(settings: Settings) -> None:
    bomb = gzip.compress(b"a" * 50_000_000, compresslevel=9)  # 50 MB of content in ~50 KB
    blob = Blob(location="bomb.txt.gz", name="bomb.txt.gz", data=bomb)
    with pytest.raises(narrascope.errors.ReadError) as caught:
        read_document(blob, limited(settings, 100_000))
    assert caught.value.code == "NS103"
    stream = blob.stream()
    stream.read(1000)
    assert stream.position == 1000 and stream.gzip_error is None
    stream.close()


def test_content_stream_reads_multi_member_gzip_and_stops_cleanly_at_damage() -> None:
    data = gzip_bytes(b"first member\n") + gzip_bytes(b"second member\n")
    with ContentStream(io.BytesIO(data), gzipped=True) as stream:
        assert stream.read() == b"first member\nsecond member\n" and stream.gzip_error is None
    with ContentStream(io.BytesIO(data[:-5]), gzipped=True) as stream:
        assert stream.read() == b"first member\nsecond member\n"
        assert stream.gzip_error is not None and "truncated" in stream.gzip_error


@pytest.mark.parametrize("sizes", [(200_000, 11), (11, 200_000), (300_000, 5, 70_000), (1, 1, 1)])
@pytest.mark.parametrize("read_size", [1, 1000, 16384, 65536, 1_000_000])
def test_content_stream_equals_gzip_module_on_multi_member_files(sizes: tuple[int, ...], read_size: int) -> None:
    # Highly compressible members: zlib's output cap is hit long before the input runs out.
    data = b"".join(gzip_bytes(bytes([65 + n]) * size + b"\n") for n, size in enumerate(sizes))
    expected = gzip.decompress(data)
    with ContentStream(io.BytesIO(data), gzipped=True) as stream:
        parts = iter(lambda: stream.read(read_size), b"")
        assert b"".join(parts) == expected and stream.gzip_error is None
        assert stream.position == len(expected)


def test_content_stream_cut_anywhere_gives_a_prefix_and_says_why() -> None:
    data = gzip_bytes(b"first member\n" * 50) + gzip_bytes(b"second member\n" * 50)
    expected = gzip.decompress(data)
    boundary = len(gzip_bytes(b"first member\n" * 50))
    for cut in range(1, len(data)):
        with ContentStream(io.BytesIO(data[:cut]), gzipped=True) as stream:
            got = stream.read()
            assert expected.startswith(got), cut
            assert (stream.gzip_error is None) == (cut == boundary), (cut, stream.gzip_error)


def test_gzipped_html_is_read_as_html(tmp_path: Path, settings: Settings) -> None:
    path = write(tmp_path / "page.html.gz", gzip_bytes(html_page(1).encode()))
    (item,), _ = read(path, settings)
    assert item.media_type == "text/html" and item.data == html_page(1).encode()


# -- folders and standard input -------------------------------------------------------------------


def test_folders_are_walked_in_order_skipping_hidden_files(tmp_path: Path, settings: Settings) -> None:
    write(tmp_path / "in" / "b.txt", text_article(2))
    write(tmp_path / "in" / "a" / "z.txt", text_article(1))
    write(tmp_path / "in" / ".hidden.txt", text_article(3))
    write(tmp_path / "in" / ".cache" / "x.txt", text_article(4))
    write(tmp_path / "in" / "c.jsonl", jsonl([{"text": "one"}, {"text": "two"}]))
    items, rejects = read(tmp_path / "in", settings)
    names = [i.location.removeprefix(str((tmp_path / "in").resolve())) for i in items]
    # each folder's files in name order, then its subfolders in name order
    assert names == ["/b.txt", "/c.jsonl:1", "/c.jsonl:2", "/a/z.txt"] and rejects == []


def test_missing_input_is_ns109(tmp_path: Path, settings: Settings) -> None:
    _, rejects = read(tmp_path / "nope.txt", settings)
    assert [r.code for r in rejects] == ["NS109"] and "no such file" in rejects[0].reason


@pytest.mark.parametrize("zipped", [False, True], ids=["plain", "gzipped"])
def test_standard_input_text(db: Path, zipped: bool) -> None:
    data = text_article(1).encode()
    result = run_cli("ingest", "--db", str(db), "-", input=gzip_bytes(data) if zipped else data)
    assert result.exit_code == 0, result.output
    (record,) = export_records(db)
    assert record["source"] == {"kind": "text", "location": "<stdin>"}
    assert "(Report 1, part 2.)" in record["text"]


def test_standard_input_jsonl_and_warc(db: Path) -> None:
    lines = jsonl([{"text": "\n\n".join(paragraphs(n)), "title": title(n)} for n in range(3)])
    result = run_cli("ingest", "--db", str(db), "-", input=lines)
    assert result.exit_code == 0, result.output
    assert sorted(r["source"]["location"] for r in export_records(db)) == ["<stdin>:1", "<stdin>:2", "<stdin>:3"]
    crawl_bytes = warc_bytes([Page("https://news.example.org/9", html_page(9).encode())], gzipped=True)
    result = run_cli("ingest", "--db", str(db), "--json", "-", input=crawl_bytes)
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["stored"]) == 1
    assert "https://news.example.org/9" in {r["url"] for r in export_records(db)}


# -- stated dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-05-14", "2024-05-14"),
    ("2024-05-14T23:30:00Z", "2024-05-14"),
    ("2024-05-14T23:30:00-05:00", "2024-05-14"),
    ("2024-05-14 08:00", "2024-05-14"),
    ("Tue, 14 May 2024 23:30:00 -0500", "2024-05-14"),
    ("14 May 2024", "2024-05-14"),
    ("May 14, 2024", "2024-05-14"),
    ("05/06/2024", None),  # May 6 or June 5: not guessed
    ("2024-02-30", None),
    ("yesterday", None),
    ("2024", None),
    ("", None),
])
def test_stated_dates(value: str, expected: str | None) -> None:
    assert stated_date(value) == expected


# -- memory: containers are streamed ----------------------------------------------------------------


def peak_memory_while_reading(path: Path, settings: Settings) -> tuple[list[RawItem], list[Reject], int]:
    registry()  # loading the plugins imports modules: not what is measured
    tracemalloc.start()
    try:
        items, rejects = read(path, settings)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return items, rejects, peak


@pytest.mark.parametrize("gzipped", [False, True], ids=["warc", "warc.gz"])
def test_big_warc_records_are_streamed_not_held_in_memory(tmp_path: Path, settings: Settings, gzipped: bool) -> None:
    video = bytes(range(256)) * (30 * 4096)  # 30 MB that is not a page
    huge_page = b"<html><body>" + b"<p>word</p>" * 3_000_000 + b"</body></html>"  # 33 MB page
    path = write(tmp_path / ("big.warc.gz" if gzipped else "big.warc"), warc_bytes([
        Page("https://news.example.org/video", video, content_type="video/mp4"),
        Page("https://news.example.org/huge", huge_page),
        Page("https://news.example.org/1", html_page(1).encode()),
    ], gzipped=gzipped))
    items, rejects, peak = peak_memory_while_reading(path, limited(settings, 1_000_000))
    assert [i.hints["url"] for i in items] == ["https://news.example.org/1"]
    assert [r.code for r in rejects] == ["NS103"]
    assert peak < 6_000_000, f"reading a {path.stat().st_size:,}-byte WARC peaked at {peak:,} bytes"


def test_a_huge_jsonl_line_is_skipped_without_holding_it(tmp_path: Path, settings: Settings) -> None:
    path = write(tmp_path / "big.jsonl", b'{"text": "' + b"word " * 6_000_000 + b'"}\n' + jsonl([{"text": "small"}]))
    items, rejects, peak = peak_memory_while_reading(path, limited(settings, 1_000_000))
    assert [i.data for i in items] == [b"small"] and [r.code for r in rejects] == ["NS103"]
    assert peak < 6_000_000, peak


def test_large_standard_input_is_spooled_not_lost(tmp_path: Path, db: Path) -> None:
    config = write(tmp_path / "spool.toml", "[input]\nstdin_spool_bytes = 300\n")
    data = text_article(11).encode()
    assert len(data) > 300
    result = run_cli("--config", str(config), "ingest", "--db", str(db), "-", input=data)
    assert result.exit_code == 0, result.output
    records = export_records(db)
    assert len(records) == 1 and records[0]["source"]["location"] == "<stdin>"
    assert "(Report 11, part 1.)" in records[0]["text"]
