"""Import: a JSONL export read back into a store unchanged; idempotent; bad lines rejected."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from conftest import copy_store, run_cli
from narrascope import api
from narrascope.importer import import_records
from narrascope.store import Filters, open_store


@pytest.fixture(scope="module")
def seeds_export(tmp_path_factory: pytest.TempPathFactory, seeds_once: Path) -> Path:
    """JSONL export of the two seeds ingested with the full default pipeline."""
    folder = tmp_path_factory.mktemp("import")
    db = folder / "seeds.db"
    copy_store(seeds_once, db)  # the seeds ingested with the default pipeline, once for the run
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


# -- every field of a record is checked against the schema (issue 11) -------------------------------

def _variant(good: str, n: int, change: object) -> str:
    """The good record with a new id, changed by ``change`` (a callable on the record, or a dict update)."""
    record = json.loads(good)
    record["id"] = f"bad{n:013d}"
    if callable(change):
        change(record)
    else:
        record.update(change)  # type: ignore[call-overload]
    return json.dumps(record, ensure_ascii=False)


def _set(path: str, value: object) -> object:
    """A change that sets record[a][0][b]... (``path`` "a.0.b") to ``value``."""
    def change(record: dict) -> None:
        *parents, last = path.split(".")
        target: object = record
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]  # type: ignore[index]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value  # type: ignore[index]
    return change


BAD_FIELDS = {
    "published, not a real day": ({"published": "2017-02-30"}, "published"),
    "published, year 1": ({"published": "0001-01-01"}, "published"),
    "published, markup": ({"published": "<script>"}, "published"),
    "published, a date-time": ({"published": "2017-02-03T10:00:00Z"}, "published"),
    "published, far future": ({"published": "9999-12-31"}, "published"),
    "version, oversized": ({"version": 10**30}, "version"),
    "version, zero": ({"version": 0}, "version"),
    "genre, unknown": ({"genre": "news"}, "genre"),
    "genre confidence, over 1": ({"genre_confidence": 1.5}, "genre_confidence"),
    "source kind, unknown": (_set("source.kind", "ftp"), "source"),
    "language, not a code": ({"language": "<b>English</b>"}, "language"),
    "authors, not strings": ({"authors": [1, 2]}, "authors"),
    "removed kind, unknown": (_set("removed.0.kind", "secret"), "removed"),
    "actor kind, unknown": (_set("actors.0.kind", "alien"), "actors"),
    "actor confidence, negative": (_set("actors.0.confidence", -0.1), "actors"),
    "mention, past the text": (_set("actors.0.mentions.0.end", 10**9), "actors"),
    "mention, reversed": (_set("actors.0.mentions.0.start", 10**6), "actors"),
    "mention text, not the span's": (_set("actors.0.mentions.0.text", "someone else"), "actors"),
    "quote offset, negative": (_set("quotes.0.start", -1), "quotes"),
    "quote direct, not a bool": (_set("quotes.0.direct", "yes"), "quotes"),
    "event type, unknown": (_set("events.0.type", "EXPLODE"), "events"),
    "event source, not a string": (_set("events.0.source", {"id": 1}), "events"),
    "quote speaker, not a string": (_set("quotes.0.speaker", 5), "quotes"),
    "actor country, not a string": (_set("actors.0.country", ["RUS"]), "actors"),
    "technique name, unknown": (_set("techniques.0.name", "Mind_Control"), "techniques"),
    "technique score, over 1": (_set("techniques.0.score", 7), "techniques"),
    "frame name, unknown": (_set("frames.0.name", "Astrology"), "frames"),
    "stance polarity, over 1": (_set("stances.0.polarity", 3.0), "stances"),
    "stance evidence, past the text": (_set("stances.0.evidence.0.end", 10**9), "stances"),
}


@pytest.mark.parametrize("name", sorted(BAD_FIELDS))
def test_a_field_against_the_schema_is_rejected_and_the_next_line_imported(seeds_export: Path, tmp_path: Path,
                                                                          name: str) -> None:
    change, field_name = BAD_FIELDS[name]
    good = seeds_export.read_text(encoding="utf-8").splitlines()
    source = tmp_path / "mixed.jsonl"
    source.write_text(_variant(good[0], 1, change) + "\n" + good[1] + "\n", encoding="utf-8")
    db = tmp_path / "copy.db"
    report = import_records(source, db=db)
    assert report.imported == 1, report.to_dict()
    assert [(r["location"].rsplit(":", 1)[1], r["code"]) for r in report.rejects] == [("1", "NS107")]
    assert field_name in report.rejects[0]["reason"]
    assert [r["code"] for r in api.list_rejects(db=db)] == ["NS107"]


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_a_number_that_is_not_finite_is_rejected_alone(seeds_export: Path, tmp_path: Path, raw: str) -> None:
    good = seeds_export.read_text(encoding="utf-8").splitlines()
    bad = _variant(good[0], 2, {"genre_confidence": 0.123456789}).replace("0.123456789", raw)
    source = tmp_path / "nan.jsonl"
    source.write_text(bad + "\n" + good[1] + "\n", encoding="utf-8")
    db = tmp_path / "copy.db"
    result = run_cli("import", str(source), "--db", str(db))
    assert result.exit_code == 3, result.output  # rejects, not NS501
    assert "NS107" in result.stderr and "NS501" not in result.stderr and "finite" in result.stderr
    with open_store(db, create=False) as store:
        assert store.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 1


def test_a_lone_surrogate_or_deep_nesting_is_rejected_alone(seeds_export: Path, tmp_path: Path) -> None:
    good = seeds_export.read_text(encoding="utf-8").splitlines()
    surrogate = _variant(good[0], 3, {"title": "TITLE"}).replace('"TITLE"', '"\\udcff"')
    deep = '{"id": "deep", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    source = tmp_path / "odd.jsonl"
    source.write_text("\n".join([surrogate, deep, good[1]]) + "\n", encoding="utf-8")
    db = tmp_path / "copy.db"
    report = import_records(source, db=db)
    assert report.imported == 1
    assert [(r["location"].rsplit(":", 1)[1], r["code"]) for r in report.rejects] == [("1", "NS107"), ("2", "NS107")]


def test_bad_dates_never_reach_narratives_or_stix(seeds_export: Path, tmp_path: Path) -> None:
    """The three dates of the issue: before, each made `narratives` and the STIX export fail on every run."""
    good = seeds_export.read_text(encoding="utf-8").splitlines()
    lines = [_variant(good[0], n, {"published": day}) for n, day in enumerate(("2017-02-30", "0001-01-01", "<script>"))]
    source = tmp_path / "dates.jsonl"
    source.write_text("\n".join([*lines, good[1]]) + "\n", encoding="utf-8")
    db = tmp_path / "copy.db"
    result = run_cli("import", str(source), "--db", str(db), "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["imported"] == 1 and json.loads(result.stdout)["rejected"] == 3
    assert run_cli("narratives", "--db", str(db), "-q").exit_code == 0
    stix = tmp_path / "bundle.json"
    assert run_cli("export", "--format", "stix", "--db", str(db), "-o", str(stix)).exit_code == 0
    assert json.loads(stix.read_text(encoding="utf-8"))["type"] == "bundle"


#: the keys ../shared/SCHEMA.md gives each kind of fact; anything else is narrascope's own addition
SCHEMA_FACT_KEYS = {
    "actors": {"id", "name", "kind", "country", "role", "mentions"},
    "quotes": {"speaker", "speaker_actor", "speaker_role", "speaker_span", "cue", "content", "start", "end",
               "direct", "anonymous"},
    "events": {"type", "source", "target", "start", "end", "text", "negated", "hypothetical"},
    "techniques": {"name", "start", "end", "text", "score"},
    "frames": {"name", "score"},
    "stances": {"holder", "target", "polarity", "evidence"},
}


def test_the_article_page_shows_a_record_holding_only_the_schemas_fields(seeds_export: Path, tmp_path: Path) -> None:
    """Records another tool wrote to SCHEMA.md (no confidences, no `partial` quotes...) import and render."""
    from starlette.testclient import TestClient

    from narrascope.web.app import create_app

    lines = []
    for line in seeds_export.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for field, keys in SCHEMA_FACT_KEYS.items():
            record[field] = [{k: v for k, v in fact.items() if k in keys} for fact in record.get(field) or []]
        lines.append(json.dumps(record, ensure_ascii=False))
    source = tmp_path / "schema-only.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "schema-only.db"
    assert import_records(source, db=db).imported == len(lines)
    client = TestClient(create_app(db), base_url="http://127.0.0.1")
    for line in lines:
        record = json.loads(line)
        page = client.get(f"/articles/{record['id']}")
        assert page.status_code == 200, page.text[-2000:]
        if record["quotes"]:
            assert record["quotes"][0]["content"][:40] in page.text.replace("&#39;", "'").replace("&quot;", '"')
