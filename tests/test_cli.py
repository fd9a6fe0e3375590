"""The CLI end to end on a real SQLite file: every verb, --json, --help, errors and exit codes."""

from __future__ import annotations

import csv
import io
import json
import tomllib
from pathlib import Path

import click
import pytest

from conftest import export_records, run_cli
from fixtures_make import text_article
from narrascope.cli import cli


def all_commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        out.append(path)
        if isinstance(command, click.Group):
            out += all_commands(command, path)
    return out


@pytest.mark.parametrize("command", all_commands(), ids=" ".join)
def test_every_command_has_help_with_an_example(command: tuple[str, ...]) -> None:
    result = run_cli(*command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output and "narrascope " in result.output


def test_ingest_json_report(db: Path, seeds_dir: Path) -> None:
    result = run_cli("ingest", "--db", str(db), "--json", str(seeds_dir))
    report = json.loads(result.stdout)
    assert result.exit_code == 0
    assert len(report["stored"]) == 2 and report["rejected"] == []


def test_list_show_search_on_the_seeds(seeded: Path) -> None:
    listed = json.loads(run_cli("list", "--db", str(seeded), "--json").stdout)
    assert len(listed) == 2
    hits = json.loads(run_cli("search", '"fire and fury"', "--db", str(seeded), "--json").stdout)
    assert len(hits) == 1
    fury = next(row for row in listed if row["id"] == hits[0]["id"])
    shown = run_cli("show", fury["id"][:6], "--db", str(seeded))
    assert shown.exit_code == 0
    assert fury["title"] in shown.stdout and "--- text" in shown.stdout
    assert "[fire and fury]" in hits[0]["snippet"]


def test_show_all_prints_every_article(seeded: Path) -> None:
    result = run_cli("show", "--all", "--db", str(seeded))
    assert result.exit_code == 0
    assert result.stdout.count("--- text (") == 2


def test_export_jsonl_to_file_and_csv_to_stdout(seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = run_cli("export", "--db", str(seeded), "--format", "jsonl", "-o", str(out))
    assert result.exit_code == 0 and "2 articles written" in result.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    for field in ("id", "source", "url", "outlet", "republished_from", "title", "subtitle", "authors",
                  "author_bios", "published", "language", "genre", "tags", "topics", "text", "removed", "actors",
                  "quotes", "events", "techniques", "frames", "stances", "pipeline"):
        assert all(field in r for r in records), field
    rows = list(csv.DictReader(io.StringIO(run_cli("export", "--db", str(seeded), "--format", "csv").stdout)))
    assert sorted(r["id"] for r in rows) == sorted(r["id"] for r in records)
    assert all(r["text"] for r in rows)


def test_export_unknown_format_is_a_clean_error(seeded: Path) -> None:
    result = run_cli("export", "--db", str(seeded), "--format", "docx")
    assert result.exit_code == 2  # NS403, a bad option value
    assert "NS403" in result.stderr and "jsonl" in result.stderr


def test_db_info_counts(seeded: Path) -> None:
    info = json.loads(run_cli("db", "info", "--db", str(seeded), "--json").stdout)
    assert info["articles"] == 2 and info["rejects"] == 0 and info["schema_version"] >= 1
    text = run_cli("db", "info", "--db", str(seeded)).stdout
    assert "articles:     2 latest" in text


def test_stdin_is_an_input(db: Path, seeds_dir: Path) -> None:
    data = (seeds_dir / "001_1c1e7d47ce9101b3.txt").read_bytes()
    result = run_cli("ingest", "--db", str(db), "-", input=data)
    assert result.exit_code == 0, result.output
    assert export_records(db)[0]["source"] == {"kind": "text", "location": "<stdin>"}


def test_db_from_the_environment(seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NARRASCOPE_DB", str(tmp_path / "env.db"))
    assert run_cli("ingest", "--quiet", str(seeds_dir)).exit_code == 0
    assert (tmp_path / "env.db").exists()
    assert len(json.loads(run_cli("list", "--json").stdout)) == 2


def test_errors_are_one_coded_line(tmp_path: Path, seeded: Path) -> None:
    missing = run_cli("list", "--db", str(tmp_path / "nothing.db"))
    assert missing.exit_code == 1 and missing.stderr.startswith("Error: NS501")
    unknown = run_cli("show", "ffffffff", "--db", str(seeded))
    assert unknown.exit_code == 1 and "NS402" in unknown.stderr
    bad_query = run_cli("search", "( & )", "--db", str(seeded))  # no word to search for
    assert bad_query.exit_code == 1 and "NS503" in bad_query.stderr
    assert "Traceback" not in missing.output + unknown.output + bad_query.output


def test_bad_settings_file_is_refused(tmp_path: Path, seeds_dir: Path) -> None:
    config = tmp_path / "typo.toml"
    config.write_text("[input]\nmax_byte = 10\n")
    result = run_cli("--config", str(config), "ingest", "--db", str(tmp_path / "x.db"), str(seeds_dir))
    assert result.exit_code == 2  # bad settings are bad usage
    assert "NS401" in result.stderr and "input.max_byte" in result.stderr


def test_settings_defaults_is_the_commented_file(tmp_path: Path) -> None:
    result = run_cli("settings", "--defaults")
    parsed = tomllib.loads(result.stdout)
    assert parsed["language"]["accept"] == []  # every language by default
    shown = json.loads(run_cli("settings").stdout)
    assert shown["store"]["batch_size"] == parsed["store"]["batch_size"]


def test_missing_input_is_rejected_and_the_rest_stored(db: Path, seeds_dir: Path) -> None:
    result = run_cli("ingest", "--db", str(db), str(seeds_dir), "no-such-file.txt")
    assert result.exit_code == 3
    assert "NS109" in result.stderr
    assert len(export_records(db)) == 2
    rejects = json.loads(run_cli("list", "--rejects", "--json", "--db", str(db)).stdout)
    assert [r["code"] for r in rejects] == ["NS109"]


def test_export_to_a_file_leaves_it_intact_on_error(seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "articles.jsonl"
    out.write_text("the previous export\n", encoding="utf-8")
    bad_format = run_cli("export", "--db", str(seeded), "--format", "docx", "-o", str(out))
    missing_db = run_cli("export", "--db", str(tmp_path / "absent.db"), "-o", str(out))
    assert bad_format.exit_code == 2 and missing_db.exit_code == 1
    assert out.read_text(encoding="utf-8") == "the previous export\n"
    good = run_cli("export", "--db", str(seeded), "-o", str(out))
    assert good.exit_code == 0, good.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary left


@pytest.mark.parametrize("command", ["list", "search", "export"])
def test_a_bad_date_is_bad_usage_with_a_code(seeded: Path, command: str) -> None:
    query = ("talks",) if command == "search" else ()
    result = run_cli(command, *query, "--db", str(seeded), "--until", "2017-13-01")
    assert result.exit_code == 2
    assert "NS403" in result.stderr and "--until" in result.stderr and "2017-13-01" in result.stderr
    assert "Traceback" not in result.output


def test_dates_may_be_a_month_or_a_year(seeded: Path) -> None:
    every = json.loads(run_cli("list", "--db", str(seeded), "--json").stdout)
    years = sorted({row["published"][:4] for row in every if row["published"]})
    assert years, "the seeds state their dates"
    year = years[0]
    in_year = json.loads(run_cli("list", "--db", str(seeded), "--json", "--since", year, "--until", year).stdout)
    assert in_year and all(row["published"].startswith(year) for row in in_year)
    month = in_year[0]["published"][:7]
    in_month = json.loads(run_cli("list", "--db", str(seeded), "--json", "--since", month, "--until", month).stdout)
    assert in_year[0]["id"] in [row["id"] for row in in_month]


def test_an_unknown_stage_in_the_settings_is_a_settings_error(tmp_path: Path, seeds_dir: Path) -> None:
    config = tmp_path / "stages.toml"
    config.write_text('[pipeline]\nstages = ["language", "sentiment"]\n')
    result = run_cli("--config", str(config), "ingest", "--db", str(tmp_path / "x.db"), str(seeds_dir))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: NS401") and "'sentiment'" in result.stderr
    assert "language" in result.stderr  # the installed stages are named


def test_stages_lists_what_is_installed_in_pipeline_order(tmp_path: Path) -> None:
    rows = json.loads(run_cli("stages", "--json").stdout)
    by_name = {row["name"]: row for row in rows}
    assert by_name["language"]["position"] == 1 and by_name["genre"]["position"] == 2
    assert "language" in by_name["language"]["sets"] and "text" in by_name["language"]["requires"]
    assert all(row["version"] for row in rows)
    config = tmp_path / "genre-only.toml"
    config.write_text('[pipeline]\nstages = ["genre"]\n')
    reordered = json.loads(run_cli("--config", str(config), "stages", "--json").stdout)
    assert reordered[0]["name"] == "genre" and reordered[0]["position"] == 1
    assert {row["name"]: row["position"] for row in reordered}["language"] is None
    text = run_cli("stages").stdout
    assert text.splitlines()[0].split() == ["POS", "NAME", "VERSION", "REQUIRES", "LANGUAGES", "SETS"]
    assert any(line.split()[:2] == ["1", "language"] for line in text.splitlines())
    assert by_name["language"]["languages"] is None and by_name["events"]["languages"] == ["en"]
    assert "ru" in by_name["actors"]["languages"]
    assert any(line.split()[1] == "events" and " en " in line for line in text.splitlines()[1:])


def test_progress_bar_counts_items_not_files(tmp_path: Path, db: Path) -> None:
    from narrascope import ingest
    from narrascope.cli import ItemProgress

    lines = [json.dumps({"title": f"Talks resume, report {n}", "text": text_article(n)}) for n in range(5)]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "dump.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "in" / "empty.txt").write_text("")
    screen = io.StringIO()
    bar = ItemProgress("ingest", file=screen)
    report = ingest([str(tmp_path / "in")], db=db, on_outcome=bar)
    shown = str(bar.bar)  # what the bar shows now (it redraws at most every 0.1 s)
    bar.close()
    assert len(report.stored) == 5 and len(report.rejected) == 1
    assert shown.startswith("ingest: 6 items") and "stored=5" in shown and "rejected=1" in shown
    assert "ingest:" in screen.getvalue()
