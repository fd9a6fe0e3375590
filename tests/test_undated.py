"""Time is what the article says (issue 11): an undated article belongs to no period.

A real store holds twelve weeks of dated 2024 articles and twenty undated ones (ingested today).
Before, an undated article counted on its ingest day: it stretched a narrative to today, marked
every other narrative faded, drew a three-year series, and STIX called it published today.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

import pytest
import stix2
from starlette.testclient import TestClient

from conftest import run_cli
from narrascope.store import open_store
from narrascope.web import create_app
from test_narratives import STORIES, TEMPLATES, corpus, write_jsonl

UNDATED = 20
TODAY = date.today().isoformat()


def undated_article(rng: random.Random, n: int) -> dict:
    """A dam story with no date."""
    sentences = [rng.choice(TEMPLATES).format(*(rng.choice(STORIES["dam"]) for _ in range(3))) for _ in range(9)]
    return {"url": f"https://undated.example/dam/{n}", "title": "The dam and the reservoir", "text": " ".join(sentences)}


@pytest.fixture(scope="module")
def store_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The store, and the last dated day of its articles."""
    folder = tmp_path_factory.mktemp("undated")
    db = folder / "mixed.db"
    config = folder / "fast.toml"
    config.write_text('[pipeline]\nstages = ["language", "genre"]\n')
    dated = [a for _, a in corpus()]
    rng = random.Random(5)
    undated = [undated_article(rng, n) for n in range(UNDATED)]
    source = write_jsonl(folder / "mixed.jsonl", dated[:len(dated) // 2] + undated + dated[len(dated) // 2:])
    result = run_cli("--config", str(config), "ingest", str(source), "--db", str(db))
    assert result.exit_code == 0, result.output
    result = run_cli("narratives", "--db", str(db), "-q")
    assert result.exit_code == 0, result.output
    return db, max(a["published"] for a in dated)


def listed(db: Path) -> list[dict]:
    result = run_cli("narratives", "--db", str(db), "--json", "--all")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["list"]  # type: ignore[no-any-return]


def test_undated_members_have_no_day_and_no_period(store_db: tuple[Path, str]) -> None:
    db, last_day = store_db
    with open_store(db, create=False) as store:
        members = store.conn.execute(
            "SELECT m.date, m.date_source, m.period FROM narrative_members m JOIN articles a ON a.id = m.article"
            " WHERE a.published IS NULL").fetchall()
        assert len(members) == UNDATED
        assert {(d, s) for d, s, _ in members} == {(None, "undated")}
        periods = [p for (p,) in store.conn.execute("SELECT period FROM narrative_series")]
        assert periods and max(periods) <= last_day
        assert max(p for (p,) in store.conn.execute("SELECT period FROM narrative_events")) <= last_day
        seen = store.conn.execute("SELECT MAX(last_seen) FROM narratives").fetchone()[0]
        assert seen <= last_day < TODAY


def test_status_is_judged_against_the_newest_dated_article(store_db: tuple[Path, str]) -> None:
    db, last_day = store_db
    items = listed(db)
    last_week = (date.fromisoformat(last_day) - timedelta(days=date.fromisoformat(last_day).weekday())).isoformat()
    current = [n for n in items if n["status"] in ("active", "faded") and last_week in n["weeks"]]
    assert current, items
    assert {n["status"] for n in current} == {"active"}  # was "faded": judged against today's week
    assert sum(n["undated"] for n in items) == UNDATED
    dam = max(items, key=lambda n: n["undated"])
    assert dam["undated"] >= UNDATED - 2 and dam["status"] == "active" and dam["last_seen"] <= last_day


def test_cli_shows_undated_beside_the_series(store_db: tuple[Path, str]) -> None:
    db, _ = store_db
    dam = max(listed(db), key=lambda n: n["undated"])
    lines = run_cli("narratives", "--db", str(db)).stdout
    assert f"undated {dam['undated']}" in lines
    shown = run_cli("narratives", "show", str(dam["id"]), "--db", str(db), "--members", "200")
    assert shown.exit_code == 0, shown.output
    assert f"undated: {dam['undated']}" in shown.stdout
    assert "(undated)" in shown.stdout and "ingested" not in shown.stdout and TODAY not in shown.stdout


def test_incremental_run_with_a_new_version_of_an_undated_article(store_db: tuple[Path, str], tmp_path: Path) -> None:
    db, last_day = store_db
    copy = tmp_path / "copy.db"
    copy.write_bytes(db.read_bytes())
    config = tmp_path / "fast.toml"
    config.write_text('[pipeline]\nstages = ["language", "genre"]\n')
    changed = undated_article(random.Random(99), 0)  # same URL, new text: supersedes the first undated one
    more = [undated_article(random.Random(100 + n), 100 + n) for n in range(3)]
    source = write_jsonl(tmp_path / "more.jsonl", [changed, *more])
    assert run_cli("--config", str(config), "ingest", str(source), "--db", str(copy)).exit_code == 0
    result = run_cli("narratives", "--db", str(copy), "--json", "--all")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["full"] is False
    assert sum(n["undated"] for n in json.loads(result.stdout)["list"]) == UNDATED + 3
    with open_store(copy, create=False) as store:
        assert max(p for (p,) in store.conn.execute("SELECT period FROM narrative_series")) <= last_day


def test_timelines_leave_undated_articles_out_and_count_them(store_db: tuple[Path, str]) -> None:
    db, last_day = store_db
    result = run_cli("timelines", "--db", str(db), "--json", "--metric", "articles")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert max(r["period"] for r in report["rows"]) <= last_day
    assert report["undated"] == UNDATED
    again = json.loads(run_cli("timelines", "--db", str(db), "--json", "--no-update").stdout)
    assert again["undated"] == UNDATED and again["update"] is None


def test_stix_leaves_the_date_out(store_db: tuple[Path, str], tmp_path: Path) -> None:
    db, _ = store_db
    out = tmp_path / "bundle.json"
    assert run_cli("export", "--format", "stix", "--db", str(db), "-o", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    stix2.parse(text, allow_custom=True)
    assert TODAY not in text
    bundle = json.loads(text)
    with open_store(db, create=False) as store:
        undated_ids = {i for (i,) in store.conn.execute("SELECT id FROM articles WHERE published IS NULL")}
    articles = [o for o in bundle["objects"]
                if any(r.get("source_name") == "narrascope" and r.get("external_id") in undated_ids
                       for r in o.get("external_references", []))]
    assert len(articles) == UNDATED
    assert all("published" not in o for o in articles)
    assert {o["type"] for o in articles} == {"grouping"}
    assert all(o["x_narrascope_undated"] is True for o in articles)
    reports = [o for o in bundle["objects"] if o["type"] == "report"]
    assert reports and all(o["published"] < "2025" for o in reports)


def test_web_shows_undated_apart(store_db: tuple[Path, str]) -> None:
    db, last_day = store_db
    client = TestClient(create_app(db), base_url="http://127.0.0.1")
    page = client.get("/api/narratives", params={"status": "all", "limit": 100}).json()
    assert sum(n["undated"] for n in page["items"]) == UNDATED
    dam = max(page["items"], key=lambda n: n["undated"])
    assert max(dam["weeks"]) <= last_day
    detail = client.get(f"/api/narratives/{dam['id']}", params={"limit": 100}).json()
    assert detail["undated"] == dam["undated"]
    assert max(s["period"] for s in detail["series"]) <= last_day
    assert {m["date_source"] for m in detail["members"]["items"] if m["date"] is None} == {"undated"}
    html = client.get(f"/narratives/{dam['id']}").text
    assert f"{dam['undated']} undated" in html and "ingest day" not in html and TODAY not in html
    listing = client.get("/narratives", params={"status": "all"}).text
    assert "undated" in listing


def test_a_store_holding_bad_dates_from_an_old_import_still_works(store_db: tuple[Path, str], tmp_path: Path) -> None:
    """Import now refuses these dates; a store filled before holds them: they count as undated."""
    db, last_day = store_db
    copy = tmp_path / "old.db"
    copy.write_bytes(db.read_bytes())
    with open_store(copy, create=False) as store, store.transaction():
        ids = [i for (i,) in store.conn.execute("SELECT id FROM articles WHERE published IS NOT NULL LIMIT 3")]
        for article_id, day in zip(ids, ("2017-02-30", "0001-01-01", "<script>"), strict=True):
            store.conn.execute("UPDATE articles SET published = ?, record = json_set(record, '$.published', ?)"
                               " WHERE id = ?", (day, day, article_id))
    result = run_cli("narratives", "--db", str(copy), "--full", "--json", "--all")
    assert result.exit_code == 0, result.output
    assert sum(n["undated"] for n in json.loads(result.stdout)["list"]) == UNDATED + 3
    timelines = run_cli("timelines", "--db", str(copy), "--full", "--json", "--metric", "articles")
    assert timelines.exit_code == 0 and json.loads(timelines.stdout)["undated"] == UNDATED + 3
    out = tmp_path / "bundle.json"
    assert run_cli("export", "--format", "stix", "--db", str(copy), "-o", str(out)).exit_code == 0
    bundle = json.loads(out.read_text(encoding="utf-8"))
    assert len([o for o in bundle["objects"] if o["type"] == "grouping"]) == UNDATED + 3


def test_actor_stance_series_counts_undated_stances_apart(tmp_path: Path) -> None:
    from narrascope.model import Article
    from narrascope.settings import load_settings
    from narrascope.web.actor_view import stance_series

    def article(i: int, published: str | None) -> Article:
        text = f"Story {i}: Xavonia and its neighbours met again to talk about the border and trade."
        stance = {"holder": "author", "target": "XAV", "polarity": 0.5, "confidence": 0.9,
                  "evidence": [{"start": 0, "end": len(text)}]}
        return Article(id=f"{0xda7e + i:04x}{i:012d}", source={"kind": "jsonl", "location": f"u.jsonl:{i}"},
                       text=text, title=f"Story {i}", published=published, language="en", stances=[stance],
                       actors=[{"id": "XAV", "name": "Xavonia", "kind": "state", "country": "XAV", "role": None,
                                "mentions": [{"start": text.index("Xavonia"), "end": text.index("Xavonia") + 7,
                                              "text": "Xavonia"}]}],
                       pipeline={"version": "test", "stages": []})

    db = tmp_path / "stances.db"
    with open_store(db, load_settings()) as store:
        with store.transaction():
            for i, published in enumerate(("2024-06-03", "2024-06-20", None, None, None)):
                assert store.add_article(article(i, published))
        series = stance_series(store, "XAV")
    assert series["stances"] == 2 and series["undated"] == 3
    assert all(p <= "2024-06-20" for p in series["periods"])
    html = TestClient(create_app(db), base_url="http://127.0.0.1").get("/actors/XAV").text
    assert "3 stances from undated articles" in html


def test_db_info_counts_undated_articles_apart(store_db: tuple[Path, str]) -> None:
    db, last_day = store_db
    with open_store(db, create=False) as store:
        (expected,) = store.conn.execute("SELECT COUNT(*) FROM articles WHERE latest = 1 AND published IS NULL").fetchone()
    assert expected >= UNDATED
    info = json.loads(run_cli("db", "info", "--db", str(db), "--json").stdout)
    assert info["undated"] == expected
    assert info["published_range"][1] == last_day  # the range holds dated articles only, no ingest day
    text = run_cli("db", "info", "--db", str(db)).stdout
    assert f"({expected} undated)" in text
