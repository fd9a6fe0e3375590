"""Edges of reading input found in review: feeds beside their pages, guids, site-relative links,
feed dates, private files, odd folder entries, data files, stated languages.

Every input is a real file in ``tmp_path``; ingest tests write a real SQLite store and read it back.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import export_records
from fixtures_make import Entry, atom_feed, html_page, jsonl, paragraphs, rss_feed, text_article, title, write
from narrascope.enrich.language import LanguageStage, iso_639_1
from narrascope.errors import ExtractionError
from narrascope.extract import extract
from narrascope.ingest import ingest
from narrascope.model import Article, RawItem, Reject
from narrascope.settings import Settings
from narrascope.sources import expand_inputs, read_inputs


def read(paths: list[Path], settings: Settings) -> tuple[list[RawItem], list[Reject]]:
    out = list(read_inputs([str(p) for p in paths], settings))
    return [o for o in out if isinstance(o, RawItem)], [o for o in out if isinstance(o, Reject)]


def raw_feed(channel: str, items: list[str]) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
            f"<channel><title>Feed Outlet</title>{channel}\n"
            + "\n".join(f"<item>{i}</item>" for i in items) + "\n</channel></rss>\n").encode()


JSONLD_PAGE = html_page(1, extra_head=(
    '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "The page\'s own headline",'
    ' "author": {"@type": "Person", "name": "Rosa Jimenez"}}</script>'))


# -- 1. a feed and the pages it links to, in one folder ---------------------------------------------


@pytest.mark.parametrize("page_name", ["a.html", "z.html"], ids=["page-sorts-first", "feed-sorts-first"])
def test_a_feed_and_its_linked_page_in_one_folder_store_the_page_once(tmp_path: Path, db: Path,
                                                                      page_name: str) -> None:
    folder = tmp_path / "news"
    write(folder / page_name, JSONLD_PAGE)
    write(folder / "feed.xml", rss_feed("Feed Outlet", [
        Entry("The feed's title", link=page_name, guid="page-1", published="Tue, 14 May 2024 23:30:00 -0500",
              authors=["Tomas Brandt"], categories=["World"]),
    ]))
    first = ingest([str(folder)], db=db)
    second = ingest([str(folder)], db=db)

    assert len(first.stored) == 1 and first.rejected == [] and first.skipped == []
    assert second.stored == [] and second.unchanged == 1 and second.skipped == [] and second.rejected == []
    (record,) = export_records(db)
    # The page's structured data first; the feed only where the page is silent.
    assert record["title"] == "The page's own headline" and record["provenance"]["title"] == "jsonld"
    assert record["authors"] == ["Rosa Jimenez"] and record["provenance"]["authors"] == "jsonld"
    assert record["published"] == "2024-05-14" and record["provenance"]["published"] == "rss"
    assert record["tags"] == ["World"] and record["outlet"] == "Feed Outlet"
    assert record["source"]["location"].endswith("feed.xml#entry=page-1")


def test_a_page_linked_from_a_feed_is_left_to_the_feed_only_if_the_feed_reads_it(tmp_path: Path,
                                                                                  settings: Settings) -> None:
    folder = tmp_path / "news"
    write(folder / "read.html", html_page(1))
    write(folder / "embedded.html", html_page(2))  # the entry has its own content: the file is read alone
    write(folder / "feed.xml", rss_feed("Feed Outlet", [
        Entry("Read", link="read.html", guid="read"),
        Entry("Embedded", link="embedded.html", guid="embedded", content="<p>" + " ".join(paragraphs(3)) + "</p>"),
    ]))
    blobs = list(expand_inputs([str(folder)], settings))
    assert sorted(Path(b.location).name for b in blobs) == ["embedded.html", "feed.xml"]
    none = replace(settings, input=replace(settings.input, feed_local_links="none"))
    assert sorted(Path(b.location).name for b in expand_inputs([str(folder)], none)) == [
        "embedded.html", "feed.xml", "read.html"]


# -- 2. guidislink ----------------------------------------------------------------------------------


def test_a_bare_guid_is_not_a_link(tmp_path: Path, settings: Settings) -> None:
    feed = write(tmp_path / "feed.xml", raw_feed("", [
        "<title>Numbered</title><guid>12345</guid><description>A short summary of the story.</description>",
        "<title>Tagged</title><guid>tag:example.org,2024:7</guid><description>Another summary.</description>",
        "<title>Web</title><guid>https://news.example.org/web</guid><description>A third summary.</description>",
    ]))
    write(tmp_path / "12345", text_article(1))  # a file named like the guid must not be read
    items, rejects = read([feed], settings)
    assert rejects == []
    numbered, tagged, web = items
    assert "url" not in numbered.hints and b"A short summary" in numbered.data
    assert "url" not in tagged.hints and b"Another summary" in tagged.data
    assert web.hints["url"] == "https://news.example.org/web"


# -- 3. site-relative links -------------------------------------------------------------------------


def test_a_site_relative_link_is_a_url_on_the_feeds_site_not_a_local_path(tmp_path: Path,
                                                                          settings: Settings) -> None:
    feed = write(tmp_path / "feed.xml", raw_feed("<link>https://news.example.org/world/</link>", [
        "<title>Site-relative</title><link>/news/2024/x.html</link><description>Summary of x.</description>",
        "<title>FTP</title><link>ftp://files.example.org/y.txt</link><description>Summary of y.</description>",
    ]))
    items, rejects = read([feed], settings)
    assert rejects == []
    relative, ftp = items
    assert relative.hints["url"] == "https://news.example.org/news/2024/x.html"
    assert b"Summary of x." in relative.data
    assert "url" not in ftp.hints  # only http(s) links are URLs


def test_a_site_relative_link_without_a_site_is_neither_url_nor_file(tmp_path: Path, settings: Settings) -> None:
    write(tmp_path / "etc" / "page.html", html_page(1))
    feed = write(tmp_path / "feed.atom", atom_feed("Atom Outlet", [
        Entry("Absolute path", link=f"{tmp_path}/etc/page.html", guid="urn:x:1", description="The summary only."),
    ]))
    (item,), rejects = read([feed], settings)
    assert rejects == [] and "url" not in item.hints and b"The summary only." in item.data


# -- 4. dates ---------------------------------------------------------------------------------------


def test_atom_updated_is_not_a_publication_date(tmp_path: Path, settings: Settings) -> None:
    feed = write(tmp_path / "feed.atom", (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:f</id>'
        '<entry><title>Only updated</title><id>urn:e:1</id><updated>2024-05-14T10:00:00Z</updated>'
        f'<content type="html">{"&lt;p&gt;" + " ".join(paragraphs(1)) + "&lt;/p&gt;"}</content></entry>'
        '<entry><title>Both</title><id>urn:e:2</id><updated>2024-06-01T10:00:00Z</updated>'
        '<published>2024-05-02T10:00:00+02:00</published><summary>Short.</summary></entry></feed>').encode())
    (updated_only, both), _ = read([feed], settings)
    assert "published" not in updated_only.hints
    assert both.hints["published"] == "2024-05-02"


def test_rss_dates_are_the_day_written_in_the_feed(tmp_path: Path, settings: Settings) -> None:
    feed = write(tmp_path / "feed.xml", raw_feed("", [
        "<title>dc:date</title><guid>a</guid><dc:date>2024-05-14T23:30:00-05:00</dc:date><description>x</description>",
        "<title>spaced</title><guid>b</guid><pubDate>2024-05-14 23:30:00 -0500</pubDate><description>y</description>",
        "<title>none</title><guid>c</guid><description>z</description>",
    ]))
    (dc_date, spaced, none), _ = read([feed], settings)
    assert dc_date.hints["published"] == "2024-05-14"
    assert spaced.hints["published"] == "2024-05-14"  # not the UTC day (15th) of feedparser's time tuple
    assert "published" not in none.hints


# -- 5. private files a feed links to ---------------------------------------------------------------


@pytest.mark.parametrize("link", [".secret/a.html", ".env", "pages/.draft.html"])
def test_a_feed_does_not_read_hidden_files(tmp_path: Path, db: Path, link: str) -> None:
    secret = write(tmp_path / "feeds" / link, html_page(9, heading="Private notes of the editor"))
    write(tmp_path / "feeds" / "feed.xml", rss_feed("Feed Outlet", [Entry("Secret", link=link, guid="s")]))
    report = ingest([str(tmp_path / "feeds")], db=db)
    assert report.stored == [] and [r.code for r in report.rejected] == ["NS111"]
    assert "hidden local file" in report.rejected[0].reason
    with sqlite3.connect(db) as conn:
        kept = [zlib.decompress(d) for (d,) in conn.execute("SELECT data FROM raw WHERE data IS NOT NULL")]
        digests = [d for (d,) in conn.execute("SELECT digest FROM rejects")]
    assert secret.read_bytes() not in kept and digests == [None]


def test_hidden_files_are_read_through_a_feed_when_skip_hidden_is_off(tmp_path: Path, settings: Settings) -> None:
    write(tmp_path / ".secret" / "a.html", html_page(9))
    feed = write(tmp_path / "feed.xml", rss_feed("Feed Outlet", [Entry("Secret", link=".secret/a.html", guid="s")]))
    shown = replace(settings, input=replace(settings.input, skip_hidden=False))
    items, rejects = read([feed], shown)
    assert rejects == [] and len(items) == 1


# -- 6. odd entries in a folder ---------------------------------------------------------------------


def test_broken_links_pipes_and_linked_folders_are_rejected_and_the_batch_goes_on(tmp_path: Path,
                                                                                 settings: Settings) -> None:
    folder = tmp_path / "in"
    write(folder / "good.txt", text_article(1))
    (folder / "broken.txt").symlink_to(folder / "missing.txt")
    os.mkfifo(folder / "pipe.txt")  # opening it would block the walk forever
    write(tmp_path / "elsewhere" / "x.txt", text_article(2))
    (folder / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    items, rejects = read([folder], settings)
    assert [Path(i.location).name for i in items] == ["good.txt"]
    why = {Path(r.location).name: (r.code, r.reason) for r in rejects}
    assert why["broken.txt"][0] == "NS109" and "broken symbolic link" in why["broken.txt"][1]
    assert why["pipe.txt"][0] == "NS109" and "named pipe" in why["pipe.txt"][1]
    assert why["linked"][0] == "NS109" and "not followed" in why["linked"][1]
    assert len(rejects) == 3


def test_a_pipe_given_on_the_command_line_is_not_opened(tmp_path: Path, settings: Settings) -> None:
    os.mkfifo(tmp_path / "pipe")
    _, rejects = read([tmp_path / "pipe"], settings)
    assert [r.code for r in rejects] == ["NS109"] and "named pipe" in rejects[0].reason


# -- 7. data files are not articles -----------------------------------------------------------------


def test_json_documents_are_unsupported_and_csv_tables_are_rows(tmp_path: Path, settings: Settings) -> None:
    write(tmp_path / "in" / "config.json", json.dumps({"name": "x", "items": list(range(50)),
                                                     "note": " ".join(paragraphs(1))}, indent=2))
    write(tmp_path / "in" / "table.csv", "id,title,body\n" + "\n".join(f'{n},"{title(n)}","{paragraphs(n)[0]}"'
                                                                       for n in range(5)))
    items, rejects = read([tmp_path / "in"], settings)
    assert [(Path(i.location).name, i.source_kind) for i in items] == [(f"table.csv:{n + 2}", "csv") for n in range(5)]
    by_name = {Path(r.location).name: r for r in rejects}
    assert {n: r.code for n, r in by_name.items()} == {"config.json": "NS110"}
    assert "JSON document" in by_name["config.json"].reason


def test_json_arrays_and_lines_of_articles_are_read(tmp_path: Path, settings: Settings) -> None:
    array = write(tmp_path / "articles.json", json.dumps([
        {"text": text_article(1), "title": "One", "language": "en-GB"},
        {"html": html_page(2), "url": "https://news.example.org/2"},
        "not an object",
    ], indent=1))
    lines = write(tmp_path / "lines.json", jsonl([{"text": text_article(3)}]))
    items, rejects = read([array, lines], settings)
    assert [i.location.rsplit("/", 1)[1] for i in items] == ["articles.json#item=1", "articles.json#item=2",
                                                             "lines.json:1"]
    assert items[0].hints == {"title": "One", "language": "en"} and items[1].media_type == "text/html"
    assert [(r.location.rsplit("/", 1)[1], r.code) for r in rejects] == [("articles.json#item=3", "NS107")]


# -- 8. exclude -------------------------------------------------------------------------------------


def test_expand_inputs_skips_excluded_paths_in_a_walk(tmp_path: Path, settings: Settings) -> None:
    write(tmp_path / "in" / "a.txt", text_article(1))
    store = write(tmp_path / "in" / "narrascope.db", b"SQLite format 3\x00" + b"\x00" * 100)
    wal = write(tmp_path / "in" / "narrascope.db-wal", b"\x37\x7f\x06\x82" + b"\x00" * 100)
    everything = list(expand_inputs([str(tmp_path / "in")], settings))
    assert len(everything) == 3
    kept = list(expand_inputs([str(tmp_path / "in")], settings, exclude=[store, wal]))
    assert [Path(b.location).name for b in kept] == ["a.txt"]


# -- 9. stated languages ----------------------------------------------------------------------------


def article(text: str, *, language: str | None = None, rung: str | None = None) -> Article:
    return Article(id="x", source={"kind": "text", "location": "x"}, text=text, title="",
                   language=language, provenance={"language": rung} if rung else {})


def accept_all(settings: Settings) -> Settings:
    return replace(settings, language=replace(settings.language, accept=()))


def test_a_stated_language_is_kept_and_a_missing_or_invalid_one_detected(settings: Settings) -> None:
    english = " ".join(paragraphs(1))
    stage, everything = LanguageStage(), accept_all(settings)
    stated = stage.compute(article(english, language="de", rung="jsonl"), everything)
    assert stated["language"] == "de" and stated["provenance"]["language"] == "stated"
    for given in (None, "xx", "English"):
        found = stage.compute(article(english, language=given, rung="jsonl" if given else None), everything)
        assert found["language"] == "en" and found["provenance"]["language"] == "detected"
    # a language detected by an earlier run is not a statement: it is detected again
    again = stage.compute(article(english, language="de", rung="detected"), everything)
    assert again["language"] == "en"
    with pytest.raises(ExtractionError, match="'de' \\(stated\\)"):
        stage.compute(article(english, language="de", rung="meta"),
                      replace(settings, language=replace(settings.language, accept=("en",))))


def test_a_text_without_letters_has_no_language(settings: Settings) -> None:
    with pytest.raises(ExtractionError, match="no language detected") as caught:
        LanguageStage().compute(article("1234 5678 -- 90.12 / 345 " * 20), accept_all(settings))
    assert caught.value.code == "NS203"


@pytest.mark.parametrize(("tag", "code"), [("en-US", "en"), ("EN_gb", "en"), ("fr", "fr"), ("eng", None),
                                           ("xx", None), ("English", None), ("", None)])
def test_language_tags_reduce_to_iso_639_1(tag: str, code: str | None) -> None:
    assert iso_639_1(tag) == code


@pytest.mark.parametrize("head", ['<meta property="og:locale" content="fr_FR">',
                                  '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "H",'
                                  ' "inLanguage": "fr-FR"}</script>'])
def test_a_page_states_its_language(tmp_path: Path, db: Path, head: str) -> None:
    write(tmp_path / "page.html", html_page(1, lang="", extra_head=head).replace(' lang=""', ""))
    write(tmp_path / "narrascope.toml", "[language]\naccept = []\n")
    report = ingest([str(tmp_path / "page.html")], db=db)
    assert len(report.stored) == 1
    (record,) = export_records(db)
    assert record["language"] == "fr" and record["provenance"]["language"] == "stated"


def test_html_lang_is_stated_and_jsonl_language_too(tmp_path: Path, settings: Settings) -> None:
    page = RawItem(data=html_page(1, lang="en-GB").encode(), media_type="text/html", source_kind="html", location="p")
    assert extract(page, settings).language == "en"
    line = RawItem(data=text_article(2).encode(), media_type="text/plain", source_kind="jsonl", location="l",
                   hints={"language": "de"})
    extracted = extract(line, settings)
    assert extracted.language == "de" and extracted.provenance["language"] == "jsonl"
