"""Stance, topics, the shared parse and the `analyze` verb, on hand-written texts and a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SEEDS, copy_store, export_records, run_cli
from narrascope.analysis.stages import TopicsStage
from narrascope.analysis.topics import assign_topics


def test_topics_are_assigned_from_weighted_terms_with_evidence() -> None:
    topics = assign_topics("New sanctions on Freedonia",
                           "The embargo widens. Talks on the nuclear weapons programme stalled; no ballistic missile test.")
    ids = [t.id for t in topics]
    assert ids[0] == "sanctions" and "nuclear_proliferation" in ids
    assert topics[0].terms == {"embargo*": 1, "sanctions": 1}
    assert "elections" not in ids
    assert assign_topics("", "A quiet afternoon in the park.") == []


def test_topics_need_the_floor() -> None:
    text = "The summit went ahead."
    assert [t.id for t in assign_topics("", text, min_score=2.0)] == ["diplomacy"]
    assert assign_topics("", text, min_score=2.5) == []


@pytest.fixture
def basic_config(tmp_path: Path) -> Path:
    config = tmp_path / "basic.toml"
    config.write_text('[pipeline]\nstages = ["language", "genre"]\n')
    return config


def test_analyze_adds_stages_to_stored_articles_and_is_idempotent(db: Path, basic_config: Path) -> None:
    assert run_cli("--config", str(basic_config), "ingest", "-q", "--db", str(db), str(SEEDS)).exit_code == 0
    before = export_records(db)
    assert all(r["topics"] == [] and "topics" not in r["pipeline"]["stages"] for r in before)

    result = run_cli("analyze", "--db", str(db), "--stages", "topics", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["stages"] == ["topics"] and len(report["updated"]) == 2

    after = {r["id"]: r for r in export_records(db)}
    for old in before:
        new = after[old["id"]]
        assert new["topics"], new["title"]
        assert new["pipeline"]["stages"]["topics"] == TopicsStage.version
        assert new["pipeline"]["stages"]["genre"] == old["pipeline"]["stages"]["genre"]
        assert new["text"] == old["text"] and new["genre"] == old["genre"]

    again = json.loads(run_cli("analyze", "--db", str(db), "--stages", "topics", "--json").stdout)
    assert again["updated"] == [] and again["up_to_date"] == 2
    forced = json.loads(run_cli("analyze", "--db", str(db), "--stages", "topics", "--force", "--json").stdout)
    assert len(forced["updated"]) == 2


def test_analyze_rejects_an_unknown_stage(db: Path, basic_config: Path) -> None:
    run_cli("--config", str(basic_config), "ingest", "-q", "--db", str(db), str(SEEDS))
    result = run_cli("analyze", "--db", str(db), "--stages", "nonsense")
    assert result.exit_code == 2 and "nonsense" in result.output


def test_show_prints_the_analysis_with_evidence_offsets(db: Path, seeds_once: Path) -> None:
    copy_store(seeds_once, db)  # the seeds ingested with the default pipeline, once for the run
    short = run_cli("show", "--all", "--db", str(db)).stdout
    full = run_cli("show", "--all", "--full", "--db", str(db)).stdout
    assert short.count("--- analysis (offsets [start:end] into the text) ---") == 2
    for section in ("Actors:", "Quotes:", "Events:", "Stances:", "Topics:"):
        assert section in short
    assert "more; --full to show all]" in short and "more; --full to show all]" not in full
    assert len(full.splitlines()) > len(short.splitlines())
    # Every quote line carries offsets that point at its content in the stored text.
    record = export_records(db)[0]
    for quote in record["quotes"]:
        assert f"[{quote['start']}:{quote['end']}]" in full


def test_users_extend_the_actor_base_through_the_settings(db: Path, tmp_path: Path) -> None:
    people = tmp_path / "my-people.tsv"
    people.write_text("id\tname\tcountry\trole\tfrom\tto\taliases\tshort\n"
                      "person:ivan-ivanov\tIvan Ivanov\tRUS\tDeputy Foreign Minister\t2020-01-01\t\t\tIvanov\n",
                      encoding="utf-8")
    config = tmp_path / "mine.toml"
    config.write_text(f'[analysis]\nactors_files = ["{people}"]\n', encoding="utf-8")
    article = tmp_path / "a.jsonl"
    body = ("Ivan Ivanov met his counterparts in Geneva on Tuesday. Ivanov said the talks were useful "
            "and that more meetings would follow before the end of the year, according to his office.")
    article.write_text(json.dumps({"title": "Talks in Geneva", "text": body * 2, "published": "2021-05-01"}) + "\n",
                       encoding="utf-8")
    assert run_cli("--config", str(config), "ingest", "-q", "--db", str(db), str(article)).exit_code == 0
    actors = {a["id"]: a for a in export_records(db)[0]["actors"]}
    assert actors["person:ivan-ivanov"]["country"] == "RUS"
    assert {"Ivan Ivanov", "Ivanov"} <= {m["text"] for m in actors["RUS"]["mentions"]}
    # Without the file the same name is only an entity the recogniser found, acting for no state.
    other = tmp_path / "other.db"
    assert run_cli("ingest", "-q", "--db", str(other), str(article)).exit_code == 0
    assert "RUS" not in {a["id"] for a in export_records(other)[0]["actors"]}
