"""Timelines on a hand-built store: counts per day and week by outlet, incremental equals full."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import export_records, ingest_jsonl, run_cli
from narrascope.corpus.timelines import TimelineAnalysis, period_of, timeline
from narrascope.settings import load_settings
from narrascope.store import open_store

FILLER = ("\n\nOfficials said the talks would continue over the coming months, and both governments described"
          " the outcome of the negotiations as a sign of a lasting and practical working relationship.")
ARTICLES = [  # Monday 8 and Wednesday 10 January share a week; the 15th starts the next
    {"url": "https://alpha.example/1", "title": "One", "outlet": "Alpha", "published": "2024-01-08",
     "text": "Russia and China signed a trade agreement." + FILLER},
    {"url": "https://alpha.example/2", "title": "Two", "outlet": "Alpha", "published": "2024-01-10",
     "text": "Russia and France held talks on Wednesday." + FILLER},
    {"url": "https://beta.example/3", "title": "Three", "outlet": "Beta", "published": "2024-01-15",
     "text": "Germany and France held a meeting on border policy." + FILLER},
    {"url": "https://beta.example/4", "title": "Four", "outlet": "Beta",
     "text": "Germany said nothing about the date of this meeting." + FILLER},
]


def test_period_of() -> None:
    assert period_of("2024-01-10", "day") == "2024-01-10"
    assert period_of("2024-01-10", "week") == "2024-01-08"
    assert period_of("2024-01-14", "week") == "2024-01-08"
    assert period_of(None, "day") is None and period_of("2024", "day") is None


def test_counts_per_day_and_week_by_outlet(tmp_path: Path, db: Path) -> None:
    ingest_jsonl(tmp_path, db, ARTICLES, "articles.jsonl")
    result = run_cli("timelines", "--db", str(db), "--json", "--by", "week", "--metric", "articles")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["update"]["undated"] == 1 and report["update"]["articles"] == 4
    assert [(r["period"], r["count"]) for r in report["rows"]] == [("2024-01-08", 2), ("2024-01-15", 1)]
    days = json.loads(run_cli("timelines", "--db", str(db), "--json", "--metric", "articles").stdout)["rows"]
    assert [(r["period"], r["count"]) for r in days] == [("2024-01-08", 1), ("2024-01-10", 1), ("2024-01-15", 1)]
    # actor mentions equal the records' mention counts, per outlet and week
    records = [r for r in export_records(db) if r["published"]]
    with open_store(db) as store:
        rows = timeline(store, by="week", metrics=["actors"], by_outlet=True)
        got = {(r["outlet"], r["period"], r["key"]): r["count"] for r in rows}
        expected: dict[tuple[str, str, str], int] = {}
        for record in records:
            for actor in record["actors"]:
                key = (record["outlet"], period_of(record["published"], "week"), actor["id"])
                expected[key] = expected.get(key, 0) + len(actor["mentions"])
        assert got == expected
        assert got[("Alpha", "2024-01-08", "RUS")] == 2
        fra = timeline(store, by="day", metrics=["actors"], keys=["FRA"])
        assert [(r["period"], r["count"]) for r in fra] == [("2024-01-10", 1), ("2024-01-15", 1)]
        assert timeline(store, by="day", metrics=["actors"], keys=["FRA"], outlet="beta", since="2024-01-11") \
            == [{"period": "2024-01-15", "metric": "actors", "key": "FRA", "count": 1}]
    text = run_cli("timelines", "--db", str(db), "--metric", "articles", "--by-outlet", "-q", "--no-update")
    assert text.stdout.splitlines() == ["2024-01-08\tAlpha\tarticles\t\t1", "2024-01-10\tAlpha\tarticles\t\t1",
                                        "2024-01-15\tBeta\tarticles\t\t1"]
    bad = run_cli("timelines", "--db", str(db), "--metric", "nope")
    assert bad.exit_code == 2 and "NS403" in bad.output


def test_incremental_equals_full(tmp_path: Path, db: Path) -> None:
    ingest_jsonl(tmp_path, db, ARTICLES[:2], "first.jsonl")
    settings = load_settings()
    with open_store(db) as store:
        first = TimelineAnalysis().update(store, settings)
        assert first["articles"] == 2
    # one new article, and a new version of article 1 (same URL) dated a week later
    ingest_jsonl(tmp_path, db, [ARTICLES[2], {**ARTICLES[0], "published": "2024-01-16",
                                               "text": "Russia and China signed it again." + FILLER}], "more.jsonl")
    with open_store(db) as store:
        second = TimelineAnalysis().update(store, settings)
        assert not second["full"] and second["articles_added"] == 2 and second["articles_removed"] == 1
        assert second["watermark"] > first["watermark"] and second["articles"] == 3
        weeks = {(r["period"]): r["count"] for r in timeline(store, by="week", metrics=["articles"])}
        assert weeks == {"2024-01-08": 1, "2024-01-15": 2}
        incremental = sorted(store.conn.execute("SELECT granularity, period, outlet, metric, key, count FROM timeline"))
        TimelineAnalysis().update(store, settings, full=True)
        full = sorted(store.conn.execute("SELECT granularity, period, outlet, metric, key, count FROM timeline"))
        assert incremental == full
