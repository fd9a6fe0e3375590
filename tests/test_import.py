"""Import: a JSONL export read back into a store unchanged; idempotent; bad lines rejected."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from conftest import SEEDS, run_cli
from narrascope import api
from narrascope.importer import import_records
from narrascope.store import Filters, open_store


@pytest.fixture(scope="module")
def seeds_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """JSONL export of the two seeds ingested with the full default pipeline."""
    folder = tmp_path_factory.mktemp("import")
    db = folder / "seeds.db"
    result = run_cli("ingest", str(SEEDS), "--db", str(db))
    assert result.exit_code == 0, result.output
    api.export_file(folder / "seeds.jsonl", db=db)
    return folder / "seeds.jsonl"


def export_bytes(db: Path, **filters: object) -> bytes:
    stream = io.StringIO()
    api.export(stream, db=db, filters=Filters(**filters))  # type: ignore[arg-type]
    return stream.getvalue().encode("utf-8")


def test_export_import_export_is_byte_identical(seeds_export: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.db"
    report = import_records(seeds_export, db=db)
    assert (report.imported, report.unchanged, report.rejects) == (2, 0, [])
    assert export_bytes(db) == seeds_export.read_bytes()
    records = [json.loads(line) for line in seeds_export.read_text(encoding="utf-8").splitlines()]
    assert all(r["pipeline"]["stages"] for r in records)  # the full pipeline's output travelled


def test_import_twice_changes_nothing(seeds_export: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.db"
    import_records(seeds_export, db=db)
    first = export_bytes(db)
    with open_store(db, create=False) as store:
        rows = store.conn.execute("SELECT id, version, latest, record FROM articles ORDER BY rowid").fetchall()
    again = import_records(seeds_export, db=db)
    assert (again.imported, again.unchanged, again.conflicts) == (0, 2, [])
    assert export_bytes(db) == first
    with open_store(db, create=False) as store:
        assert store.conn.execute("SELECT id, version, latest, record FROM articles ORDER BY rowid").fetchall() == rows


def test_malformed_lines_are_rejected_and_the_rest_imported(seeds_export: Path, tmp_path: Path) -> None:
    good = seeds_export.read_text(encoding="utf-8").splitlines()
    missing_text = json.loads(good[0])
    del missing_text["text"]
    extra_field = {**json.loads(good[0]), "id": "feedfeedfeedfeed", "surprise": 1}
    source = tmp_path / "mixed.jsonl"
    source.write_bytes("\n".join([good[0], "{not json", "[1, 2]", json.dumps(missing_text), json.dumps(extra_field),
                                  "", good[1]]).encode() + b"\n" + b'{"id": "\xff"}\n')
    db = tmp_path / "copy.db"
    report = import_records(source, db=db)
    assert report.imported == 2
    assert [(r["location"].rsplit(":", 1)[1], r["code"]) for r in report.rejects] == [
        ("2", "NS107"), ("3", "NS107"), ("4", "NS107"), ("5", "NS107"), ("8", "NS107")]
    assert "surprise" in report.rejects[3]["reason"]
    assert export_bytes(db) == seeds_export.read_bytes()
    rejects = api.list_rejects(db=db)
    assert {(r["stage"], r["code"]) for r in rejects} == {("import", "NS107")} and len(rejects) == 5
    assert "not UTF-8" in report.rejects[4]["reason"]


def test_versions_travel_with_their_chain(tmp_path: Path) -> None:
    config = tmp_path / "cheap.toml"
    config.write_text('[pipeline]\nstages = ["language", "genre"]\n')
    db = tmp_path / "versions.db"
    for n, body in enumerate(("The first wording of the story, told at length. " * 8,
                              "The second wording of the story, changed later. " * 8)):
        source = tmp_path / f"v{n}.jsonl"
        source.write_text(json.dumps({"url": "https://example.org/a", "title": "A story", "text": body}) + "\n")
        assert run_cli("--config", str(config), "ingest", str(source), "--db", str(db)).exit_code == 0
    everything = tmp_path / "all.jsonl"
    everything.write_bytes(export_bytes(db, all_versions=True))
    copy = tmp_path / "copy.db"
    assert import_records(everything, db=copy).imported == 2
    assert export_bytes(copy, all_versions=True) == everything.read_bytes()
    assert export_bytes(copy) == export_bytes(db)  # the latest version is the latest again
    latest_only = tmp_path / "latest.jsonl"
    latest_only.write_bytes(export_bytes(db))
    other = tmp_path / "other.db"
    import_records(latest_only, db=other)
    (record,) = [json.loads(line) for line in export_bytes(other).decode().splitlines()]
    assert record["version"] == 2 and record["supersedes"]


def test_import_command(seeds_export: Path, tmp_path: Path) -> None:
    help_text = run_cli("import", "--help").output
    assert "Example:" in help_text and "--db" in help_text and "--json" in help_text
    db = tmp_path / "cli.db"
    result = run_cli("import", str(seeds_export), "--db", str(db), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["imported"] == 2
    result = run_cli("import", str(seeds_export), "--db", str(db))
    assert result.exit_code == 0 and "0 imported, 2 already stored" in result.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{oops\n", encoding="utf-8")
    result = run_cli("import", str(bad), "--db", str(db))
    assert result.exit_code == 3 and "NS107" in result.stderr
    result = run_cli("import", "-", "--db", str(db), "--json", input=seeds_export.read_text(encoding="utf-8"))
    assert result.exit_code == 0 and json.loads(result.stdout)["unchanged"] == 2
    assert export_bytes(db) == seeds_export.read_bytes()
