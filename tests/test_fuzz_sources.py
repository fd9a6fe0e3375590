"""Fuzzing every source: one generated hostile item among good ones never stops or shrinks the batch.

For each source (text, HTML, RSS, Atom, WARC, JSONL) hypothesis generates a hostile item: random
bytes, lone surrogates (as JSON escapes, as character references, as CESU-8 bytes), control
characters, deep nesting, numbers past U+10FFFF, broken markup and wrong types. It is written beside
good files (and, in a container, between good siblings) and the folder is ingested into a real store
through the library. Every good item is stored; the hostile one is stored or rejected with a code,
never an internal error (NS901) and never an exception out of ``ingest``.

Runs are derandomized (the same examples every run, for CI) and kept to a few seconds.
"""

from __future__ import annotations

import html
import itertools
import json
import shutil
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from fixtures_make import (
    Entry,
    Page,
    atom_feed,
    html_page,
    jsonl,
    paragraphs,
    rss_feed,
    text_article,
    title,
    warc_bytes,
)
from narrascope import api
from narrascope.errors import CODES
from narrascope.settings import load_settings

FUZZ = hypothesis_settings(
    max_examples=12,
    deadline=timedelta(seconds=20),  # one example is one small ingest; a hang fails, a slow CI machine does not
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Pieces known to have broken a source once, or likely to: mixed into the generated input.
HOSTILE_MARKUP = [
    "&#xD800;", "&#55296;", "&#xDFFF;", "&#x110000;", "&#99999999999999999999999;", "&#0;", "&#x1F;",
    "&amp;#xD800;", "&unknown;", "&", "<", "]]>", "<![CDATA[", "<!--", "<?xml", "<!DOCTYPE x [<!ENTITY a 'b'>]>",
    "<div>" * 300, "</p>" * 50, "\x00", "\x1b[31m", "\u202e", "\ufeff", "\r", "\r\n\r\n", "\ud800", "\udcff",
]
HOSTILE_BYTES = [b"\xed\xa0\x80", b"\xff\xfe", b"\xef\xbb\xbf", b"\x1f\x8b\x08", b"\xc3", b"\x00" * 8,
                 b"WARC/1.0\r\n", b'{"text":', b"%PDF-"]

any_char = st.characters(codec=None, exclude_categories=())  # surrogates included
hostile_text = st.lists(st.one_of(st.text(any_char, max_size=40), st.sampled_from(HOSTILE_MARKUP)),
                        max_size=8).map("".join)
hostile_bytes = st.lists(st.one_of(st.binary(max_size=60), st.sampled_from(HOSTILE_BYTES),
                                   hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass"))),
                         min_size=1, max_size=8).map(b"".join)
json_value = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(any_char, max_size=20),
                          lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                      max_size=4),
                          max_leaves=12)


GOOD_FILES = {"good.txt": text_article(1), "good.html": html_page(2)}


class Batch:
    """One folder and one store per fuzz test, reused by its examples (the good items become
    "unchanged", so an example costs one hostile item, not a store and a batch)."""

    def __init__(self, root: Path) -> None:
        self.folder = root / "in"
        self.db = root / "fuzz.db"
        config = root / "fast.toml"
        config.write_text('[pipeline]\nstages = ["language"]\n[input]\nfeed_local_links = "none"\n')
        self.settings = load_settings(config)

    def check(self, write_hostile: Callable[[Path], list[str]]) -> None:
        """Write good files and the hostile input; ingest; every good item in the store, the rest coded rejects.

        ``write_hostile(folder)`` writes the hostile input (with any good siblings inside it) and returns
        a phrase of each good item it holds, to be found in the stored texts (a good sibling may be
        stored under another location by an earlier example: then it is a skipped duplicate).
        """
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        for name, text in GOOD_FILES.items():
            (self.folder / name).write_text(text, encoding="utf-8")
        good_inside = write_hostile(self.folder)
        report = api.ingest([str(self.folder)], db=self.db, settings=self.settings)
        outcomes = report.to_dict()
        stored = dict(_stored(self.db))
        for name in GOOD_FILES:
            assert str((self.folder / name).resolve()) in stored, outcomes
        texts = "\n".join(stored.values())
        assert all(phrase in texts for phrase in good_inside), outcomes
        for reject in report.rejected + report.skipped:
            assert reject.code in CODES and reject.code != "NS901", outcomes
            assert reject.location and reject.reason and "\n" not in reject.reason


@pytest.fixture(scope="module")
def batches(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Batch]:
    return {kind: Batch(tmp_path_factory.mktemp(f"fuzz-{kind}")) for kind in ("text", "html", "feed", "warc", "jsonl")}


def put(path: Path, data: bytes, good_inside: list[str]) -> list[str]:
    path.write_bytes(data)
    return good_inside


def _stored(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT location, text FROM articles").fetchall()
    finally:
        conn.close()


@FUZZ
@given(data=hostile_bytes, name=st.sampled_from(["hostile.txt", "hostile.md", "hostile", "hostile.txt.gz"]))
def test_fuzz_text_files(batches: dict[str, Batch], data: bytes, name: str) -> None:
    batches["text"].check(lambda folder: put(folder / name, data, []))


@FUZZ
@given(body=hostile_text, raw=hostile_bytes, charset=st.sampled_from(["utf-8", "base64", "utf-16", "x-bogus", ""]))
def test_fuzz_html_pages(batches: dict[str, Batch], body: str, raw: bytes, charset: str) -> None:
    page = (f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{body}</title></head>'
            f"<body><article><h1>{body}</h1><p>{body}</p>").encode("utf-8", "surrogatepass") + raw
    batches["html"].check(lambda folder: put(folder / "hostile.html", page, []))


EXAMPLES = itertools.count(1)


def good_siblings() -> tuple[list[list[str]], list[str]]:
    """The paragraphs of two good items to put beside the hostile one in a container, and a phrase
    of each. New words in every example: an item an earlier example stored cannot hide a loss."""
    example = next(EXAMPLES)
    bodies = [[*paragraphs(n), f"This is good item {n} of fuzz example {example}."] for n in (10, 11)]
    return bodies, [body[-1] for body in bodies]


def _feed_with_hostile_entry(make: Callable[[str, list[Entry]], bytes], text: str, raw_markup: str,
                             bodies: list[list[str]]) -> bytes:
    entries = [Entry(title(n), guid=f"good-{n}", content="".join(f"<p>{html.escape(p)}</p>" for p in body))
               for n, body in enumerate(bodies)]
    entries.insert(1, Entry("HOSTILE-TITLE", guid="hostile", description="HOSTILE-BODY"))
    feed = make("The Example Times", entries)
    # The text is escaped (it cannot break the feed's structure); the markup pieces go in raw.
    escaped = html.escape(text.replace("\x00", "")).encode("utf-8", "surrogatepass") + raw_markup.encode(
        "utf-8", "surrogatepass")
    return feed.replace(b"HOSTILE-TITLE", escaped).replace(b"HOSTILE-BODY", escaped)


#: Raw in a feed's entry: no markup that would change the feed's structure, and no NUL byte, which makes
#: the whole file binary content (NS102 for the file, by design: a NUL has no place in a text file).
SAFE_MARKUP = [m for m in HOSTILE_MARKUP if not m.startswith(("<", "]]>", "\x00"))]


@FUZZ
@given(text=hostile_text, markup=st.lists(st.sampled_from(SAFE_MARKUP), max_size=4).map("".join),
       atom=st.booleans())
def test_fuzz_feed_entries(batches: dict[str, Batch], text: str, markup: str, atom: bool) -> None:
    bodies, phrases = good_siblings()
    data = _feed_with_hostile_entry(atom_feed if atom else rss_feed, text, markup, bodies)
    batches["feed"].check(lambda folder: put(folder / ("feed.atom" if atom else "feed.rss"), data, phrases))


@FUZZ
@given(body=hostile_bytes, url=hostile_text, content_type=st.sampled_from([
    "text/html", "text/html; charset=utf-16", "text/html; charset=bogus", None, "application/xhtml+xml"]),
    encoding=st.sampled_from([None, "gzip", "deflate", "br", "x-bogus"]))
def test_fuzz_warc_records(batches: dict[str, Batch], body: bytes, url: str, content_type: str | None, encoding: str | None) -> None:
    headers = [("Content-Encoding", encoding)] if encoding else []
    safe_url = "https://news.example.org/" + url.encode("utf-8", "surrogatepass").hex()[:200]
    bodies, phrases = good_siblings()
    pages = [Page(f"https://news.example.org/{n}", html_page(n, body=body).encode()) for n, body in enumerate(bodies)]
    pages.insert(1, Page(safe_url, body, content_type=content_type, headers=headers))
    data = warc_bytes(pages)
    batches["warc"].check(lambda folder: put(folder / "crawl.warc", data, phrases))


@FUZZ
@given(line=st.one_of(
    json_value.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.sampled_from(["text", "html", "title", "authors", "published", "url", "language"]),
                    json_value, max_size=5).map(lambda d: json.dumps(d).encode()),
    st.fixed_dictionaries({"text": hostile_text, "title": hostile_text}).map(lambda d: json.dumps(d).encode()),
    st.tuples(st.sampled_from(["text", "title", "url", "outlet", "authors"]), hostile_text,
              st.sampled_from(["\ud800", "\udcff", "\udfff"])).map(
        lambda t: json.dumps({"text": " ".join(paragraphs(40)), t[0]: t[1] + t[2]}).encode()),
    st.one_of(st.sampled_from([1_000, 100_000]), st.integers(1, 200_000)).map(lambda d: b"[" * d + b"]" * d),
    hostile_bytes.map(lambda b: b.replace(b"\n", b" ")),
))
def test_fuzz_jsonl_lines(batches: dict[str, Batch], line: bytes) -> None:
    bodies, phrases = good_siblings()
    good = [{"title": title(n), "text": "\n\n".join(body)} for n, body in enumerate(bodies)]
    data = jsonl(good[:1]) + line + b"\n" + jsonl(good[1:])
    batches["jsonl"].check(lambda folder: put(folder / "lines.jsonl", data, phrases))
