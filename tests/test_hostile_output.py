"""Exports and terminals are not an attack surface (issue 11), on a real store with hostile metadata.

- CSV cells starting with = + - @ (or a tab or CR) are neutralised by default, ``--raw`` writes them
  as stored; a bare CR in a field is quoted.
- GEXF never carries characters XML forbids.
- ``list``, ``show`` and ``search`` never send control or escape sequences to the terminal.
- The web API shows no server path in a source location or a reject reason.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from conftest import run_cli
from narrascope import api
from narrascope.corpus.table_writers import write_gexf
from narrascope.exporters.csv import CsvRows
from narrascope.ingest import IngestReport
from narrascope.model import Reject
from narrascope.settings import load_settings
from narrascope.web.app import create_app
from narrascope.web.json_api import public_location, report_for_web

TEXT = ("=HYPERLINK(\"http://evil.example/x\") Officials said on Monday that the talks would go on, and zorblax"
        " analysts warned that the dispute could delay the summit planned for the spring. Reporters waited outside"
        " the hall for a statement from the ministry about the plan.")
HOSTILE = {
    "title": "Evil \x1b[31mred\x1b[0m title \x9b2J and\rcarriage \u202egnp.exe",
    "outlet": "\x1b]0;pwned\x07Wire",
    "authors": ["@SUM(1+1)", "Jane\x1b[2J Doe"],
    "subtitle": "-2+3",
    "tags": ["=cmd|' /C calc'!A0", "a\rb", "+plus"],
    "url": "https://example.org/hostile",
    "published": "2020-01-01",
    "text": TEXT,
}
PLAIN = {"title": "A quiet day", "outlet": "+Plain Wire", "url": "https://example.org/plain", "published": "2020-01-02",
         "text": TEXT.replace("=HYPERLINK(\"http://evil.example/x\") ", "").replace("zorblax", "plain")}
TOKEN = "a-write-token-of-some-length"


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    source = folder / "hostile.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in (HOSTILE, PLAIN)), encoding="utf-8")
    config = folder / "fast.toml"
    config.write_text('[pipeline]\nstages = ["language", "genre"]\n')
    db = folder / "hostile.db"
    report = api.ingest([str(source)], db=db, settings=load_settings(str(config)))
    assert len(report.stored) == 2 and not report.rejected
    record = api.list_articles(db=db, filters=None)[1].to_record()
    assert record["title"] == HOSTILE["title"] and record["tags"] == HOSTILE["tags"]  # stored as given
    return db


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


# -- CSV ---------------------------------------------------------------------------------------


def test_csv_export_neutralises_formula_cells_by_default(hostile_db: Path) -> None:
    result = run_cli("export", "--db", str(hostile_db), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = csv_rows(result.stdout)
    assert len(rows) == 2  # the CR inside the title and tags did not split a row
    row = next(r for r in rows if r["url"] == HOSTILE["url"])
    assert row["authors"] == "'@SUM(1+1) | Jane\x1b[2J Doe"
    assert row["subtitle"] == "'-2+3"
    assert row["tags"] == "'=cmd|' /C calc'!A0 | a\rb | +plus"
    assert row["text"].startswith("'=HYPERLINK(")
    assert row["title"] == HOSTILE["title"]  # not formula-like: unchanged
    assert row["published"] == "2020-01-01"
    for cell in (c for r in rows for c in r.values()):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_csv_export_raw_writes_cells_as_stored(hostile_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "raw.csv"
    result = run_cli("export", "--db", str(hostile_db), "--format", "csv", "--raw", "-o", str(out))
    assert result.exit_code == 0, result.output
    row = next(r for r in csv_rows(out.read_bytes().decode("utf-8")) if r["url"] == HOSTILE["url"])
    assert row["subtitle"] == "-2+3" and row["text"].startswith("=HYPERLINK(")
    assert row["tags"] == " | ".join(HOSTILE["tags"])


def test_a_bare_cr_in_a_field_is_quoted() -> None:
    stream = io.StringIO(newline="")
    writer = CsvRows(stream, ["a", "b"], raw=True)
    writer.writeheader()
    writer.writerow({"a": "one\rtwo", "b": "x"})
    writer.writerow({"a": "plain", "b": -1.5})
    assert stream.getvalue() == 'a,b\n"one\rtwo",x\nplain,-1.5\n'
    assert list(csv.reader(io.StringIO(stream.getvalue(), newline=""))) == [["a", "b"], ["one\rtwo", "x"],
                                                                           ["plain", "-1.5"]]


def test_numbers_are_never_neutralised() -> None:
    stream = io.StringIO(newline="")
    writer = CsvRows(stream, ["score", "label"])
    writer.writerow({"score": -0.25, "label": "-0.25"})
    writer.writerow({"score": 3, "label": "\tTabbed"})
    assert stream.getvalue() == "-0.25,'-0.25\n3,'\tTabbed\n"


def test_table_csv_is_neutralised_too(hostile_db: Path) -> None:
    result = run_cli("export", "--db", str(hostile_db), "--table", "timeline", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = csv_rows(result.stdout)
    assert "'+Plain Wire" in {row["outlet"] for row in rows}
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())
    raw = run_cli("export", "--db", str(hostile_db), "--table", "timeline", "--format", "csv", "--raw")
    assert "+Plain Wire" in {row["outlet"] for row in csv_rows(raw.stdout)}


# -- GEXF --------------------------------------------------------------------------------------


def test_gexf_never_carries_xml_invalid_characters(tmp_path: Path) -> None:
    nodes = [{"id": "person:evil\x1b[31m", "name": "Evil\x00 \x1b[31mName\ud800", "kind": "person\x0b"},
             {"id": "RUS", "name": "Russia", "kind": "state"}]
    edges = [{"source": "person:evil\x1b[31m", "target": "RUS", "weight": 1.0, "type": "ACCUSE\x1f",
              "evidence": ["quote \x08 with \udcff"]}]
    out = tmp_path / "hostile.gexf"
    with out.open("wb") as stream:
        write_gexf(nodes, edges, stream, node_attributes=[("kind", "string")],
                   edge_attributes=[("type", "string"), ("evidence", "string")], description="evil\x1b")
    root = ET.parse(out).getroot()  # well-formed XML
    ns = {"g": "http://gexf.net/1.3"}
    labels = [n.get("label") for n in root.findall(".//g:node", ns)]
    assert labels == ["Evil\ufffd \ufffd[31mName\ufffd", "Russia"]
    edge = root.find(".//g:edge", ns)
    assert edge is not None and edge.get("source") == "person:evil\ufffd[31m"
    values = [v.get("value") for v in root.findall(".//g:attvalue", ns)]
    assert "ACCUSE\ufffd" in values and "person\ufffd" in values
    raw = out.read_bytes()
    assert not any(b in raw for b in (b"\x1b", b"\x00", b"\x0b", b"\x1f", b"\x08"))


# -- Terminal ----------------------------------------------------------------------------------


UNSAFE = ("\x1b", "\x07", "\x9b", "\r", "\u202e")


def assert_terminal_safe(text: str) -> None:
    assert not any(ch in text for ch in UNSAFE), repr(text)


def test_list_show_and_search_escape_control_sequences(hostile_db: Path) -> None:
    listed = run_cli("list", "--db", str(hostile_db))
    assert listed.exit_code == 0
    assert_terminal_safe(listed.output)
    assert "Evil \\x1b[31mred\\x1b[0m title \\x9b2J and carriage \\u202egnp.exe" in listed.stdout
    assert len(listed.stdout.splitlines()) == 2
    hostile_id = next(line.split()[0] for line in listed.stdout.splitlines() if "Evil" in line)
    shown = run_cli("show", hostile_id, "--db", str(hostile_db), "--full")
    assert shown.exit_code == 0
    assert_terminal_safe(shown.output)
    assert "\\x1b]0;pwned\\x07Wire" in shown.stdout and "Jane\\x1b[2J Doe" in shown.stdout
    searched = run_cli("search", "zorblax", "--db", str(hostile_db))
    assert searched.exit_code == 0 and hostile_id in searched.stdout
    assert_terminal_safe(searched.output)
    as_json = run_cli("list", "--db", str(hostile_db), "--json")
    assert_terminal_safe(as_json.stdout)
    assert json.loads(as_json.stdout)[1]["title"] == HOSTILE["title"]  # JSON escapes keep the value


# -- Web API -----------------------------------------------------------------------------------


def test_web_api_shows_no_server_path_in_a_source_location(hostile_db: Path) -> None:
    client = TestClient(create_app(hostile_db), base_url="http://127.0.0.1")
    folder = str(hostile_db.parent)
    for item in client.get("/api/articles").json()["items"]:
        body = client.get(f"/api/articles/{item['id']}")
        assert body.status_code == 200
        assert folder not in body.text
        assert body.json()["source"]["location"] in ("hostile.jsonl:1", "hostile.jsonl:2")
        assert folder not in client.get(f"/articles/{item['id']}").text


def test_web_ingest_report_shows_no_server_path(hostile_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "upload.db"
    db.write_bytes(hostile_db.read_bytes())
    client = TestClient(create_app(db, write_token=TOKEN), base_url="http://127.0.0.1")
    response = client.post("/api/ingest", headers={"authorization": f"Bearer {TOKEN}"},
                           files={"file": ("bad.jsonl", b'{"title": "no text"}\n{not json\n', "application/x-ndjson")})
    assert response.status_code in (200, 201), response.text
    report = response.json()
    assert report["rejected"] and all(r["location"].startswith("upload:bad.jsonl") for r in report["rejected"])
    assert str(tmp_path) not in response.text


def test_reject_reasons_and_locations_lose_their_server_paths() -> None:
    report = IngestReport(db="/srv/narrascope/corpus.db")
    report.rejected.append(Reject(location="/srv/corpus/private/feed.xml#entry=https://example.org/a/b", code="NS109",
                                  reason="cannot read: [Errno 13] Permission denied: '/srv/corpus/private/page.html'"
                                         " (linked from https://example.org/a/b)", stage="read"))
    shown = report_for_web(report, "feed.xml")
    assert shown["rejected"] == [{"location": "feed.xml#entry=https://example.org/a/b", "code": "NS109",
                                  "reason": "cannot read: [Errno 13] Permission denied: 'page.html'"
                                            " (linked from https://example.org/a/b)", "stage": "read",
                                  "known": False}]
    assert "/srv" not in json.dumps(shown)
    assert public_location("/srv/c/data.jsonl:12") == "data.jsonl:12"
    assert public_location("upload:x.jsonl:3") == "upload:x.jsonl:3"
    assert public_location("C:\\corpus\\page.html") == "page.html"
