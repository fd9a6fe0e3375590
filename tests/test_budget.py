"""Per-item time and memory budgets: an item past its budget is stopped, coded, and the batch goes on.

Real items, real worker processes: a long article whose analysis takes longer than a lowered
``budget.item_seconds``, a page whose extraction does, and a memory budget no worker can meet.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from conftest import export_records, run_cli
from narrascope.analysis.rerun import analyze
from narrascope.ingest import ingest, warm
from narrascope.runners import _resident_mb
from narrascope.settings import Settings, load_settings

GOOD = ("The foreign ministry said on Tuesday that talks with its neighbours would resume next month. "
        "Officials in the capital described the negotiations as difficult but necessary for stability. ")


def good_article(n: int) -> str:
    return f"Talks resume in report {n}\n\n" + "\n\n".join(f"{GOOD} Report {n}, paragraph {i}." for i in range(4))


#: The time budget of the tests: far above what a small article costs on a loaded machine, far below
#: what ``long_article()`` costs on a fast one (its analysis takes minutes).
BUDGET = 10.0


def long_article(paragraphs: int = 5000) -> str:
    """An article of some 600,000 characters: many names, quotes and places."""
    names = ["Sergey Lavrov", "Angela Merkel", "Emmanuel Macron", "Olaf Scholz", "Kamala Harris", "Xi Jinping"]
    places = ["Moscow", "Berlin", "Paris", "Washington", "Beijing", "Kyiv"]
    lines = []
    for i in range(paragraphs):
        a, b, p = names[i % 6], names[(i * 5 + 1) % 6], places[(i * 7 + 2) % 6]
        lines.append(f'{a} told reporters in {p} that "{b} is wrong about the talks," and {b} denied it on day {i}.')
    return "A very long article\n\n" + "\n\n".join(lines)


def with_budget(settings: Settings, **budget: object) -> Settings:
    return settings.with_overrides({"budget": budget}, source="test")


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def rejects(db: Path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(db)
    try:
        return [tuple(r) for r in conn.execute("SELECT location, code, stage FROM rejects ORDER BY location")]
    finally:
        conn.close()


def test_an_analysis_past_the_time_budget_stores_a_partial_article_and_the_batch_goes_on(
        tmp_path: Path, db: Path, settings: Settings) -> None:
    folder = tmp_path / "in"
    write(folder, "a_long.txt", long_article())  # first, so the items after it must still be done
    for n in range(3):
        write(folder, f"b_good_{n}.txt", good_article(n))
    report = ingest([str(folder)], db=db, settings=with_budget(settings, item_seconds=BUDGET))
    assert len(report.stored) == 4 and not report.rejected
    assert len(report.partial) == 1
    assert "partly analysed" in report.summary()
    # The slowest item is the stopped one, stopped at its budget (a poll and a kill later at most).
    assert report.slowest[1].endswith("a_long.txt") and BUDGET <= report.slowest[0] < BUDGET + 5
    records = {Path(r["source"]["location"]).name: r for r in export_records(db)}
    long = records["a_long.txt"]
    assert long["id"] == report.partial[0]
    note = long["provenance"]["analysis"]
    assert note.startswith("partial: stage ") and f"over the {BUDGET:g} s budget" in note and "not run: " in note
    stopped = note.split("stage ", 1)[1].split(" ", 1)[0]
    stages = list(settings.pipeline.stages)
    assert stopped in stages
    # Only the stages that finished are in its pipeline record; the stopped one did not run.
    assert set(long["pipeline"]["stages"]) - {"extract.text"} == set(stages[:stages.index(stopped)])
    for n in range(3):
        good = records[f"b_good_{n}.txt"]
        assert "analysis" not in good["provenance"]
        assert set(stages) <= set(good["pipeline"]["stages"])


def test_a_partial_article_is_out_of_date_for_analyze_which_reports_the_overrun(
        tmp_path: Path, db: Path, settings: Settings) -> None:
    write(tmp_path / "in", "long.txt", long_article())
    tight = with_budget(settings, item_seconds=BUDGET)
    report = ingest([str(tmp_path / "in")], db=db, settings=tight)
    assert len(report.partial) == 1
    again = analyze(db=db, settings=tight)
    assert again.up_to_date == 0 and not again.updated
    assert [f["code"] for f in again.failed] == ["NS204"]
    assert "stopped" in again.failed[0]["reason"]
    # The stored record is kept as it was (partial), never deleted.
    assert export_records(db)[0]["provenance"]["analysis"].startswith("partial")


def test_an_extraction_past_the_time_budget_is_a_coded_reject(tmp_path: Path, db: Path) -> None:
    config = tmp_path / "fast.toml"
    config.write_text('[pipeline]\nstages = ["language"]\n[budget]\nitem_seconds = 1.0\n')
    folder = tmp_path / "in"
    # Well over a second of trafilatura and cleaning on any machine.
    page = "<html><body><article>" + "".join(
        f"<p>Paragraph {i} of a very long page says something about the talks.</p>" for i in range(25_000))
    write(folder, "a_page.html", page + "</article></body></html>")
    write(folder, "b_good.txt", good_article(1))
    result = run_cli("--config", str(config), "ingest", str(folder), "--db", str(db))
    assert result.exit_code == 3, result.output
    assert "1 stored" in result.stderr
    [(location, code, stage)] = rejects(db)
    assert location.endswith("a_page.html") and code == "NS204" and stage == "extract"


def test_a_worker_past_the_memory_budget_is_stopped_and_the_batch_goes_on(tmp_path: Path, db: Path,
                                                                          settings: Settings) -> None:
    # Workers are forked from this process once it has loaded the models (``warm``): give them
    # 150 MB more than that. Parsing 600,000 characters takes far more; a small article far less.
    warm(settings)
    budget = int(_resident_mb(os.getpid()) or 0) + 150
    folder = tmp_path / "in"
    write(folder, "a_long.txt", long_article())
    for n in range(2):
        write(folder, f"b_good_{n}.txt", good_article(n))
    report = ingest([str(folder)], db=db, settings=with_budget(settings, item_seconds=600.0, item_memory_mb=budget))
    records = {Path(r["source"]["location"]).name: r for r in export_records(db)}
    assert {"b_good_0.txt", "b_good_1.txt"} <= set(records)
    assert all("analysis" not in records[f"b_good_{n}.txt"]["provenance"] for n in range(2))
    if "a_long.txt" in records:  # stopped during a stage: stored, partial
        assert f"over the {budget} MB budget" in records["a_long.txt"]["provenance"]["analysis"]
    else:  # stopped during extraction: a coded reject
        assert [(r.code, r.stage) for r in report.rejected] == [("NS205", "extract")]


def test_budgets_hold_with_several_jobs(tmp_path: Path, db: Path, settings: Settings) -> None:
    folder = tmp_path / "in"
    write(folder, "a_long.txt", long_article())
    for n in range(5):
        write(folder, f"b_good_{n}.txt", good_article(n))
    report = ingest([str(folder)], db=db, settings=with_budget(settings, item_seconds=BUDGET), jobs=2)
    assert len(report.stored) == 6 and len(report.partial) == 1


def test_no_budget_runs_items_in_process(tmp_path: Path, db: Path, settings: Settings) -> None:
    write(tmp_path / "in", "good.txt", good_article(1))
    report = ingest([str(tmp_path / "in")], db=db, settings=with_budget(settings, item_seconds=0, item_memory_mb=0))
    assert len(report.stored) == 1 and not report.partial


def test_the_budget_settings_are_in_the_defaults() -> None:
    settings = load_settings()
    assert settings.budget.item_seconds > 0 and settings.budget.item_memory_mb > 0
    assert json.dumps(settings.budget.item_seconds)
