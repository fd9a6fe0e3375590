"""STIX 2.1 export: the bundle parses with stix2, holds outlets, reports, techniques with DISARM
ids where mapped, OpenCTI narratives when the store has them, and is the same on every export."""

from __future__ import annotations

import io
import json
import random
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import stix2

from conftest import copy_store, run_cli
from narrascope import api
from narrascope.exporters.stix import DISARM_SOURCE, StixExporter, disarm_mapping
from narrascope.store import Filters, open_store

TECHNIQUES = {
    "Appeal_to_Authority", "Appeal_to_Popularity", "Appeal_to_Values", "Appeal_to_Fear-Prejudice", "Flag_Waving",
    "Causal_Oversimplification", "False_Dilemma-No_Choice", "Consequential_Oversimplification", "Straw_Man",
    "Red_Herring", "Whataboutism", "Slogans", "Appeal_to_Time", "Conversation_Killer", "Loaded_Language",
    "Repetition", "Exaggeration-Minimisation", "Obfuscation-Vagueness-Confusion", "Name_Calling-Labeling", "Doubt",
    "Guilt_by_Association", "Appeal_to_Hypocrisy", "Questioning_the_Reputation",
}


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory: pytest.TempPathFactory, seeds_once: Path) -> Path:
    """The two seeds ingested with the full default pipeline."""
    db = tmp_path_factory.mktemp("stix") / "seeds.db"
    copy_store(seeds_once, db)  # the seeds ingested with the default pipeline, once for the run
    return db


def export_stix(db: Path) -> str:
    stream = io.StringIO()
    api.export(stream, format="stix", db=db)
    return stream.getvalue()


def export_with_store(db: Path) -> str:
    """What ``api.export`` writes once it passes the store to exporters that ask for it."""
    stream = io.StringIO()
    with open_store(db, create=False) as store:
        StixExporter().write(store.iter_articles(Filters()), stream, store=store)
    return stream.getvalue()


def by_type(bundle: dict, kind: str) -> list[dict]:
    return [o for o in bundle["objects"] if o["type"] == kind]


def test_disarm_table_names_real_techniques() -> None:
    mapping = disarm_mapping()
    assert mapping, "the DISARM table is empty"
    for name, row in mapping.items():
        assert name in TECHNIQUES
        assert re.fullmatch(r"T\d{4}(\.\d{3})?", row.disarm_id), row
        assert row.disarm_name and len(row.justification) > 20


def test_bundle_parses_and_holds_outlets_reports_techniques(seeds_db: Path) -> None:
    text = export_with_store(seeds_db)
    parsed = stix2.parse(text, allow_custom=True)
    assert parsed.type == "bundle"
    bundle = json.loads(text)
    records = [a.to_record() for a in api.list_articles(db=seeds_db)]

    outlets = {o["name"]: o for o in by_type(bundle, "identity") if o["identity_class"] == "organization"}
    assert set(outlets) == {r["outlet"] for r in records} == {"DW", "The Moscow Times"}

    # a dated article is a report; an undated one a grouping (a report must have a published date)
    reports = {r["name"]: r for r in by_type(bundle, "report") + by_type(bundle, "grouping")}
    assert len(reports) == len(records) == 2
    patterns = {p["id"]: p for p in by_type(bundle, "attack-pattern")}
    for record in records:
        report = reports[record["title"]]
        assert report["description"] == record["text"][:500]
        if record["published"]:
            assert report["type"] == "report" and report["published"].startswith(record["published"])
        else:
            assert report["type"] == "grouping" and "published" not in report and report["x_narrascope_undated"]
        if record["url"]:  # the seeds state none; the narrative corpus below does
            assert {"source_name": record["outlet"], "url": record["url"]} in report["external_references"]
        assert {"source_name": "narrascope", "external_id": record["id"]} in report["external_references"]
        assert outlets[record["outlet"]]["id"] in report["object_refs"]
        names = {patterns[ref]["external_references"][-1]["external_id"] for ref in report["object_refs"]
                 if ref in patterns}
        assert names == {t["name"] for t in record["techniques"]}
        # How the article uses each technique: its spans and the surest span's confidence on 0-100.
        uses = {patterns[u["attack_pattern_ref"]]["external_references"][-1]["external_id"]: u
                for u in report.get("x_narrascope_techniques", [])}
        assert set(uses) == names
        for name, use in uses.items():
            spans = [t for t in record["techniques"] if t["name"] == name]
            assert sorted(use["spans"]) == sorted([t["start"], t["end"]] for t in spans)
            best = max(t.get("confidence", t["score"]) for t in spans)
            assert use["confidence"] == round(100 * best) and 0 <= use["confidence"] <= 100

    mapping = disarm_mapping()
    mapped = 0
    for pattern in patterns.values():
        refs = {ref["source_name"]: ref for ref in pattern["external_references"]}
        name = refs["narrascope"]["external_id"]
        if name in mapping:
            mapped += 1
            assert refs[DISARM_SOURCE]["external_id"] == mapping[name].disarm_id
        else:
            assert DISARM_SOURCE not in refs
    assert mapped >= 1, "the seeds should carry at least one technique with a DISARM id"


def test_same_store_same_bundle(seeds_db: Path, tmp_path: Path) -> None:
    first, second = export_stix(seeds_db), export_stix(seeds_db)
    assert first == second
    stix2.parse(first, allow_custom=True)
    assert export_with_store(seeds_db) == export_with_store(seeds_db)
    api.export_file(tmp_path / "a.json", format="stix", db=seeds_db)
    assert (tmp_path / "a.json").read_text(encoding="utf-8") == first
    result = run_cli("export", "--db", str(seeds_db), "--format", "stix")
    assert result.exit_code == 0 and result.stdout == first


# -- narratives ------------------------------------------------------------------------------------

def words(text: str) -> list[str]:
    return text.split()


STORIES = {
    "dam": words("dam reservoir turbine floodgate hydropower spillway riverbank sluice engineers concrete silt levee"),
    "vaccine": words("vaccine clinic dose booster immunisation nurse pharmacy antibody trial pathogen syringe"),
}
TEMPLATES = (
    "The {0} and the {1} worried the {2}.",
    "Reports linked the {0} with the {1} near the {2}.",
    "Was the {0} behind the {1} of the {2}?",
)


def two_stories() -> list[dict]:
    rng = random.Random(3)
    out = []
    for week in range(4):
        for story, vocabulary in STORIES.items():
            for i in range(2):
                text = " ".join(rng.choice(TEMPLATES).format(*rng.sample(vocabulary, 3)) for _ in range(8))
                day = date(2024, 1, 1) + timedelta(days=7 * week + i)
                out.append({"url": f"https://example.org/{story}/{week}-{i}", "outlet": f"{story.title()} Daily",
                            "title": f"The {' and the '.join(rng.sample(vocabulary, 2))}",
                            "published": day.isoformat(), "text": text})
    return out


@pytest.fixture
def narratives_db(tmp_path: Path) -> Path:
    config = tmp_path / "cheap.toml"
    config.write_text('[pipeline]\nstages = ["language", "genre"]\n')
    source = tmp_path / "stories.jsonl"
    source.write_text("".join(json.dumps(a) + "\n" for a in two_stories()), encoding="utf-8")
    db = tmp_path / "narratives.db"
    result = run_cli("--config", str(config), "ingest", str(source), "--db", str(db))
    assert result.exit_code == 0, result.output
    result = run_cli("--config", str(config), "narratives", "--db", str(db), "--quiet")
    assert result.exit_code == 0, result.output
    return db


def test_narratives_become_opencti_narratives(narratives_db: Path) -> None:
    text = export_with_store(narratives_db)
    stix2.parse(text, allow_custom=True)
    bundle = json.loads(text)
    narratives = by_type(bundle, "narrative")
    with open_store(narratives_db, create=False) as store:
        rows = dict(store.conn.execute("SELECT id, label FROM narratives"))
        members = dict(store.conn.execute("SELECT article, narrative FROM narrative_members"))
    assert len(rows) >= 2 and len(narratives) == len(rows)
    assert {n["name"] for n in narratives} == set(rows.values())
    ids = {n["external_references"][0]["external_id"]: n["id"] for n in narratives}
    urls = {u["value"]: u["id"] for u in by_type(bundle, "url")}
    for report in by_type(bundle, "report"):
        article = report["external_references"][-1]["external_id"]
        assert ids[f"narrative-{members[article]}"] in report["object_refs"]
        url = report["external_references"][0]["url"]
        assert url.startswith("https://example.org/") and urls[url] in report["object_refs"]
    assert export_with_store(narratives_db) == text


def test_undated_article_has_no_date(tmp_path: Path) -> None:
    """Not its ingest day (issue 11): STIX requires a report's published, so it is a grouping."""
    source = tmp_path / "undated.jsonl"
    source.write_text(json.dumps({"title": "No date", "text": "A plain report without a date. " * 10}) + "\n")
    db = tmp_path / "undated.db"
    config = tmp_path / "cheap.toml"
    config.write_text('[pipeline]\nstages = ["language", "genre"]\n')
    assert run_cli("--config", str(config), "ingest", str(source), "--db", str(db)).exit_code == 0
    with open_store(db, create=False) as store:
        ingested = store.conn.execute("SELECT ingested_at FROM articles").fetchone()[0]
    text = export_with_store(db)
    stix2.parse(text, allow_custom=True)
    assert ingested[:10] not in text
    bundle = json.loads(text)
    assert by_type(bundle, "report") == []
    (report,) = by_type(bundle, "grouping")
    assert "published" not in report and report["context"] == "unspecified" and report["x_narrascope_undated"]
    assert report["object_refs"]  # no outlet, no URL, no technique: still refers to something
