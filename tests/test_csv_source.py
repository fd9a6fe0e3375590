"""CSV and TSV tables: one article per row, the usual columns found, per-row rejects.

The tables are written here in the shapes the common news datasets have (ReCOVery, EUvsDisinfo,
the Kaggle news sets), then read by the real source and ingested through the real CLI.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from conftest import export_records, run_cli
from fixtures_make import gzip_bytes, paragraphs, title, write
from narrascope import api
from narrascope.errors import UsageError
from narrascope.model import RawItem, Reject
from narrascope.plugins import registry
from narrascope.settings import Settings
from narrascope.sources import Blob, detect, read_inputs
from narrascope.sources.csv import split_authors
from narrascope.sources.dates import stated_date

FAST = '[pipeline]\nstages = ["language", "genre"]\n'


def body(n: int) -> str:
    return "\n\n".join(paragraphs(n))


def table(header: list[str], rows: list[list[str]], *, delimiter: str = ",", bom: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


def read(path: Path, settings: Settings) -> tuple[list[RawItem], list[Reject]]:
    out = list(read_inputs([str(path)], settings))
    return [o for o in out if isinstance(o, RawItem)], [o for o in out if isinstance(o, Reject)]


def ingest(tmp_path: Path, db: Path, *paths: Path | str, columns: str | None = None) -> dict:
    config = write(tmp_path / "fast.toml", FAST)
    args = ["--config", str(config), "ingest", "--db", str(db), "--json", *map(str, paths)]
    if columns is not None:
        args += ["--columns", columns]
    result = run_cli(*args)
    assert result.exit_code in (0, 3), result.output
    return json.loads(result.stdout)


def by_title(db: Path) -> dict[str, dict]:
    return {r["title"]: r for r in export_records(db)}


# -- the datasets people have ---------------------------------------------------------------------


def test_a_recovery_like_table_ingests_with_its_fields(tmp_path: Path, db: Path) -> None:
    header = ["news_id", "url", "publisher", "publish_date", "author", "title", "image", "body_text",
              "political_bias", "country", "reliability"]
    rows = [
        ["1", "https://news.example.org/1", "Example Times", "2020-03-24", "['Rosie Perper', 'Jane Doe']", title(1),
         "https://img.example.org/1.jpg", body(1), "left", "US", "1"],
        ["2", "https://news.example.org/2", "Example Times", "2020-04-02 08:15:00", "John Smith and Ann Lee",
         title(2), "", body(2), "right", "US", "0"],
    ]
    path = write(tmp_path / "news_collection.csv", table(header, rows))
    report = ingest(tmp_path, db, path)
    assert len(report["stored"]) == 2 and report["rejected"] == []
    records = by_title(db)
    first, second = records[title(1)], records[title(2)]
    assert first["source"] == {"kind": "csv", "location": f"{path.resolve()}:2"}
    assert second["source"]["location"] == f"{path.resolve()}:9"  # the line the row starts on
    assert first["url"] == "https://news.example.org/1" and first["outlet"] == "Example Times"
    assert first["authors"] == ["Rosie Perper", "Jane Doe"] and second["authors"] == ["John Smith", "Ann Lee"]
    assert (first["published"], second["published"]) == ("2020-03-24", "2020-04-02")
    assert first["provenance"]["published"] == "csv" and first["provenance"]["title"] == "csv"
    assert first["text"] == body(1)


def test_an_euvsdisinfo_like_table_semicolons_bom_and_dotted_dates(tmp_path: Path, db: Path) -> None:
    header = ["id", "title", "summary", "disproof", "date", "outlets", "keywords", "url"]
    rows = [
        ["8201", title(3), body(3), "No evidence supports the claim.", "20.03.2020", "sputniknews.com",
         "Coronavirus, Biological weapons", "https://euvsdisinfo.example/8201"],
        ["8202", title(4), body(4), "The claim is recurring.", "yesterday", "rt.com", "EU; NATO", ""],
    ]
    path = write(tmp_path / "euvsdisinfo.csv", table(header, rows, delimiter=";", bom=True))
    report = ingest(tmp_path, db, path)
    assert len(report["stored"]) == 2, report
    records = by_title(db)
    first, second = records[title(3)], records[title(4)]
    assert first["text"] == body(3) and first["outlet"] == "sputniknews.com"
    assert first["published"] == "2020-03-20" and first["tags"] == ["Coronavirus", "Biological weapons"]
    assert second["tags"] == ["EU", "NATO"] and second["url"] is None
    # a date the row states but that is not read unambiguously: null, and provenance says so
    assert second["published"] is None
    assert "'yesterday'" in second["provenance"]["published"] and "left empty" in second["provenance"]["published"]


def test_kaggle_like_tables(tmp_path: Path, db: Path) -> None:
    fake_and_real = write(tmp_path / "Fake.csv", table(
        ["title", "text", "subject", "date"],
        [[title(5), body(5), "politicsNews", "December 31, 2017 "],
         [title(6), body(6), "worldnews", "31-Dec-17"]]))
    getting_real = write(tmp_path / "fake_news.csv", table(
        ["uuid", "ord_in_thread", "author", "published", "title", "text", "language", "crawled", "site_url"],
        [["6a175f46", "0", "Barracuda Brigade", "2016-10-26T21:41:00.000+03:00", title(7), body(7), "english",
          "2016-10-27T01:49:27.168+03:00", "100percentfedup.com"]]))
    report = ingest(tmp_path, db, fake_and_real, getting_real)
    assert len(report["stored"]) == 3, report
    records = by_title(db)
    assert records[title(5)]["published"] == "2017-12-31" and records[title(5)]["tags"] == ["politicsNews"]
    assert records[title(6)]["published"] is None and "'31-Dec-17'" in records[title(6)]["provenance"]["published"]
    seven = records[title(7)]
    assert seven["published"] == "2016-10-26" and seven["authors"] == ["Barracuda Brigade"]
    assert seven["outlet"] == "100percentfedup.com" and seven["language"] == "en"


def test_a_tsv_file_and_a_gzipped_csv(tmp_path: Path, settings: Settings) -> None:
    tsv = write(tmp_path / "articles.tsv", table(["headline", "content", "link"],
                                                 [[title(8), body(8).replace("\n\n", " "), "https://x.example/8"]],
                                                 delimiter="\t"))
    gz = write(tmp_path / "articles.csv.gz", gzip_bytes(table(["title", "text"], [[title(9), body(9)]])))
    items, rejects = read(tsv, settings)
    assert rejects == [] and [i.hints for i in items] == [{"title": title(8), "url": "https://x.example/8"}]
    items, rejects = read(gz, settings)
    assert rejects == [] and items[0].data.decode() == body(9) and items[0].source_kind == "csv"


def test_a_csv_on_standard_input_is_recognised_by_its_header(db: Path, tmp_path: Path) -> None:
    data = table(["title", "text", "url"], [[title(n), body(n).replace("\n\n", " "), f"https://x.example/{n}"]
                                            for n in range(2)])
    assert detect(Blob(location="<stdin>", name="stdin", data=data), registry().sources).name == "csv"
    config = write(tmp_path / "fast.toml", FAST)
    result = run_cli("--config", str(config), "ingest", "--db", str(db), "-", input=data)
    assert result.exit_code == 0, result.output
    assert sorted(r["source"]["location"] for r in export_records(db)) == ["<stdin>:2", "<stdin>:3"]


# -- the --columns override -----------------------------------------------------------------------


def test_columns_override_on_the_command_line(tmp_path: Path, db: Path) -> None:
    header = ["story", "head", "web", "when", "by", "notes"]
    rows = [[body(10), title(10), "https://x.example/10", "2021-06-01", "Maria Garcia", body(11)]]
    path = write(tmp_path / "odd.csv", table(header, rows))
    ingest(tmp_path, db, path, columns="text=notes,title=head,url=web,date=when,author=by")
    record = export_records(db)[0]
    assert record["text"] == body(11) and record["title"] == title(10)
    assert (record["url"], record["published"], record["authors"]) == ("https://x.example/10", "2021-06-01",
                                                                      ["Maria Garcia"])


def test_columns_override_through_the_library_and_a_field_left_unread(tmp_path: Path, db: Path,
                                                                       settings: Settings) -> None:
    path = write(tmp_path / "a.csv", table(["Body Text", "Title", "Author"], [[body(12), title(12), "Someone Else"]]))
    report = api.ingest([str(path)], db=db, settings=settings.with_overrides(
        {"pipeline": {"stages": ["language", "genre"]}}, source="test"), columns={"text": "body text", "author": ""})
    assert len(report.stored) == 1
    record = export_records(db)[0]
    assert record["text"] == body(12) and record["authors"] == []


def test_a_bad_columns_option_is_a_usage_error(tmp_path: Path, db: Path, settings: Settings) -> None:
    path = write(tmp_path / "a.csv", table(["title", "text"], [[title(1), body(1)]]))
    with pytest.raises(UsageError, match="NS403"):
        api.ingest([str(path)], db=db, settings=settings, columns="colour=title")
    result = run_cli("ingest", "--db", str(db), str(path), "--columns", "text")
    assert result.exit_code == 2 and "FIELD=COLUMN" in result.output


def test_a_column_the_override_names_must_exist(tmp_path: Path, settings: Settings) -> None:
    path = write(tmp_path / "a.csv", table(["title", "text"], [[title(1), body(1)]]))
    overridden = settings.with_overrides({"input": {"csv_columns": ["text=body_text"]}}, source="test")
    items, rejects = read(path, overridden)
    assert items == [] and [r.code for r in rejects] == ["NS110"]
    assert "'body_text'" in rejects[0].reason and "'title', 'text'" in rejects[0].reason


# -- rejects, one row at a time -------------------------------------------------------------------


def test_no_text_column_is_a_coded_error_naming_the_columns(tmp_path: Path, settings: Settings) -> None:
    path = write(tmp_path / "prices.csv", "date,open,close\n2024-01-02,10,11\n")
    items, rejects = read(path, settings)
    assert items == [] and [r.code for r in rejects] == ["NS110"]
    assert "'date', 'open', 'close'" in rejects[0].reason and "--columns text=" in rejects[0].reason


def test_bad_rows_are_rejected_one_by_one_and_the_good_kept(tmp_path: Path, settings: Settings) -> None:
    good = [f'"{title(n)}","' + body(n).replace('"', '""') + '",' for n in (1, 2, 3)]
    lines = [
        "title,text,url",
        good[0],  # a quoted cell over several lines (line 2 .. 8)
        "Blank text,   ,https://x.example/blank",  # NS101
        "only one cell",  # NS112: fewer cells than the header
        good[1],
        '"Zürich talks",“Quoted” text – in UTF-8,',  # too short for an article, but read as UTF-8
        ]
    data = ("\n".join(lines) + "\n").encode() + b"Latin,caf\xe9 au lait,\n" + (good[2] + "\n").encode()
    path = write(tmp_path / "mixed.csv", data)
    items, rejects = read(path, settings)
    assert [i.data.decode() for i in items] == [body(1), body(2), "“Quoted” text – in UTF-8", body(3)]
    located = [(r.location.rsplit(":", 1)[1], r.code) for r in rejects]
    assert located == [("9", "NS101"), ("10", "NS112"), ("19", "NS104")]
    assert [i.location.rsplit(":", 1)[1] for i in items] == ["2", "11", "18", "20"]
    assert all(r.source_kind == "csv" for r in rejects)


def test_a_huge_field_is_read_and_one_over_the_limit_is_rejected_alone(tmp_path: Path, settings: Settings) -> None:
    # longer than csv's default field limit (131,072 characters): a long article is still one cell
    long_body = " ".join(paragraphs(1)) + " " + "word " * 40_000
    data = table(["title", "text"], [["Long", long_body], ["Next", body(2)]])
    items, rejects = read(write(tmp_path / "long.csv", data), settings)
    assert rejects == [] and [len(i.data) for i in items] == [len(long_body.encode()), len(body(2).encode())]
    small = settings.with_overrides({"input": {"max_bytes": 50_000}}, source="test")
    huge = table(["title", "text"], [["Huge", "word, \"w\" " * 30_000 + "\n" + "x" * 200_000], ["Next", body(3)],
                                     ["Last", body(4)]])
    items, rejects = read(write(tmp_path / "huge.csv", huge), small)
    assert [(r.location.rsplit(":", 1)[1], r.code) for r in rejects] == [("2", "NS103")]
    assert [i.hints["title"] for i in items] == ["Next", "Last"]


def test_a_header_only_or_empty_table(tmp_path: Path, settings: Settings) -> None:
    items, rejects = read(write(tmp_path / "header.csv", "title,text\n"), settings)
    assert items == [] and rejects == []
    items, rejects = read(write(tmp_path / "empty.csv", "\n\n"), settings)
    assert items == [] and [r.code for r in rejects] == ["NS101"]


def test_a_cp1252_table_is_read(tmp_path: Path, settings: Settings) -> None:
    data = table(["title", "text"], [["Café", body(1) + " Café – crème."]]).decode().encode("cp1252")
    items, rejects = read(write(tmp_path / "latin.csv", data), settings)
    assert rejects == [] and items[0].hints["title"] == "Café" and items[0].data.decode().endswith("Café – crème.")


# -- ids --------------------------------------------------------------------------------------------


def test_the_same_row_gives_the_same_id_wherever_it_stands(tmp_path: Path, db: Path, settings: Settings) -> None:
    row = [title(1), body(1), "https://x.example/1"]
    first = write(tmp_path / "a.csv", table(["title", "text", "url"], [row, [title(2), body(2), ""]]))
    second = write(tmp_path / "b.csv", table(["title", "text", "url"], [[title(3), body(3), ""], row]))
    a_items, _ = read(first, settings)
    b_items, _ = read(second, settings)
    assert a_items[0].id == b_items[1].id and a_items[0].location != b_items[1].location
    assert a_items[0].id == read(first, settings)[0][0].id
    ingest(tmp_path, db, first)
    report = ingest(tmp_path, db, second)
    assert [r["code"] for r in report["skipped"]] == ["NS301"] and len(report["stored"]) == 1


# -- cells of names and dates -----------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "names"), [
    ("['Rosie Perper', 'Jane Doe']", ["Rosie Perper", "Jane Doe"]),
    ('["Rosie Perper"]', ["Rosie Perper"]),
    ("[\"O'Brien Smith\", 'Ann Lee']", ["O'Brien Smith", "Ann Lee"]),
    ("[]", []),
    ("John Smith; Ann Lee", ["John Smith", "Ann Lee"]),
    ("John Smith and Ann Lee", ["John Smith", "Ann Lee"]),
    ("John Smith & Ann Lee", ["John Smith", "Ann Lee"]),
    ("John Smith, Ann Lee", ["John Smith", "Ann Lee"]),
    ("Smith, John", ["Smith, John"]),
    ("By Jane Doe", ["Jane Doe"]),
    ("", []),
])
def test_author_cells(cell: str, names: list[str]) -> None:
    assert split_authors(cell) == names


@pytest.mark.parametrize(("value", "expected"), [
    ("2024/05/14", "2024-05-14"),
    ("14.05.2024", "2024-05-14"),
    ("14.05.2024 10:30", "2024-05-14"),
    ("30.02.2024", None),
    ("05/06/2024", None),
    ("31-Dec-17", None),
])
def test_dates_tables_use(value: str, expected: str | None) -> None:
    assert stated_date(value) == expected


# -- hostile tables -----------------------------------------------------------------------------------

CALM = "Officials said the talks would continue next week in Geneva after a difficult first round. " * 3


@pytest.mark.parametrize(("data", "expected"), [
    # a NUL byte in a cell: that row is binary (NS102), the next is read
    (b'title,text\nA,"' + CALM.encode() + b'\x00 more"\nB,' + CALM.encode() + b"\n", ["NS102", "item"]),
    # a quote opened and never closed runs to the end of the file: a reject, not a giant article
    (b"title,text\nB," + CALM.encode() + b'\nA,"' + CALM.encode() + b"\nC," + CALM.encode() + b"\n",
     ["item", "NS112"]),
    # a literal quote inside an unquoted cell is text
    (b'title,text\nA 5" screen,' + CALM.encode() + b"\n", ["item"]),
    # old Mac line ends
    (("title,text\rA," + CALM + "\rB," + CALM + "\r").encode(), ["item", "item"]),
    # a line of 100,000 delimiters and nothing else is a blank row, as a blank line is
    (b"title,text\n" + b"," * 100_000 + b"\nB," + CALM.encode() + b"\n", ["item"]),
    # an encoded surrogate (not UTF-8) in one row of a UTF-8 table
    (b"title,text\nA," + CALM.encode() + b"\xed\xa0\x80\nB," + CALM.encode() + "’".encode() + b"\n",
     ["NS104", "item"]),
    # UTF-16 with its byte-order mark, no line end at the end of the file
    (("title,text\nA," + CALM).encode("utf-16"), ["item"]),
])
def test_hostile_tables_cost_only_their_bad_rows(data: bytes, expected: list[str], settings: Settings) -> None:
    out = list(read_inputs([str(write(Path.cwd() / "hostile.csv", data))], settings))
    assert [o.code if isinstance(o, Reject) else "item" for o in out] == expected
    assert all(o.data.decode().startswith("Officials said") for o in out if isinstance(o, RawItem))


def test_an_author_cell_of_nested_brackets_names_no_one() -> None:
    assert split_authors("[" * 50_000 + "]" * 50_000) == []
    assert split_authors("['" + "A" * 500 + "']") == []
