"""Ingest end to end on real SQLite files: idempotency, versions, reprocess, concurrent search."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import narrascope
from conftest import export_records, run_cli
from narrascope.store import open_store

SENTENCES = [
    "The foreign ministry said on Tuesday that talks with its neighbours would resume next month.",
    "Officials in the capital described the negotiations as difficult but necessary for regional stability.",
    "Analysts noted that the sanctions imposed last year had hurt exports of grain and fertiliser.",
    "A spokesman for the alliance declined to comment on reports of new troop movements near the border.",
    "Diplomats expect the summit to produce a joint statement on maritime security and trade.",
    "Opposition leaders accused the government of hiding the true cost of the energy crisis.",
]


def article_text(n: int, *, title: str | None = None) -> str:
    body = "\n\n".join(f"{SENTENCES[(n + i) % len(SENTENCES)]} Report number {n}, paragraph {i}." for i in range(5))
    return f"{title or f'Talks resume in report {n}'}\n\n{body}\n"


def write_articles(folder: Path, count: int, *, start: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(start, start + count):
        path = folder / f"article_{n:04d}.txt"
        path.write_text(article_text(n), encoding="utf-8")
        paths.append(path)
    return paths


def count_rows(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def test_ingest_twice_is_idempotent(tmp_path: Path, db: Path) -> None:
    write_articles(tmp_path / "in", 3)
    (tmp_path / "in" / "empty.txt").write_text("")
    first = run_cli("ingest", "--db", str(db), str(tmp_path / "in"))
    assert first.exit_code == 3  # the empty file was rejected
    before = (count_rows(db, "articles"), count_rows(db, "raw"), count_rows(db, "rejects"))
    second = run_cli("ingest", "--db", str(db), str(tmp_path / "in"))
    assert second.exit_code == 0  # the empty file is a known reject now: same bytes, same reason
    assert "3 already stored" in second.stderr and "1 known reject" in second.stderr
    assert (count_rows(db, "articles"), count_rows(db, "raw"), count_rows(db, "rejects")) == before
    assert before[0] == 3


def test_same_bytes_under_another_name_are_skipped_not_stored(tmp_path: Path, db: Path) -> None:
    (tmp_path / "a.txt").write_text(article_text(1))
    (tmp_path / "copy-of-a.txt").write_text(article_text(1))
    result = run_cli("ingest", "--db", str(db), str(tmp_path / "a.txt"), str(tmp_path / "copy-of-a.txt"))
    assert result.exit_code == 0, result.output
    assert count_rows(db, "articles") == 1
    rejects = narrascope.list_rejects(db=db)
    assert [(r["code"], r["skipped"]) for r in rejects] == [("NS301", True)]
    assert rejects[0]["location"].endswith("copy-of-a.txt")


def test_ids_are_stable_across_stores(tmp_path: Path) -> None:
    write_articles(tmp_path / "in", 2)
    narrascope.ingest([str(tmp_path / "in")], db=tmp_path / "one.db")
    narrascope.ingest([str(tmp_path / "in")], db=tmp_path / "two.db")
    one = sorted(r["id"] for r in export_records(tmp_path / "one.db"))
    two = sorted(r["id"] for r in export_records(tmp_path / "two.db"))
    assert one == two and len(one) == 2


def test_parallel_jobs_store_the_same_records(tmp_path: Path) -> None:
    write_articles(tmp_path / "in", 6)
    narrascope.ingest([str(tmp_path / "in")], db=tmp_path / "serial.db")
    report = narrascope.ingest([str(tmp_path / "in")], db=tmp_path / "parallel.db", jobs=2)
    assert len(report.stored) == 6

    def comparable(db: Path) -> list[dict]:
        return sorted(({k: v for k, v in r.items() if k != "source"} for r in export_records(db)),
                      key=lambda r: r["id"])

    assert comparable(tmp_path / "serial.db") == comparable(tmp_path / "parallel.db")


def test_reprocess_rebuilds_from_raw_bytes_without_the_files(tmp_path: Path, db: Path) -> None:
    paths = write_articles(tmp_path / "in", 2)
    narrascope.ingest([str(p) for p in paths], db=db)
    original = {r["id"]: r for r in export_records(db)}
    for path in paths:
        path.unlink()
    # Pretend the records were made by an older pipeline and damaged since.
    conn = sqlite3.connect(db)
    for article_id in original:
        conn.execute("UPDATE articles SET record = json_set(record, '$.pipeline.version', '0.0.1', '$.title', 'stale')"
                     " WHERE id = ?", (article_id,))
    conn.commit()
    conn.close()
    report = narrascope.reprocess(db=db)
    assert sorted(report.updated) == sorted(original)
    assert {r["id"]: r for r in export_records(db)} == original
    again = narrascope.reprocess(db=db)
    assert again.updated == [] and again.up_to_date == 2


def test_reprocess_rejects_after_a_settings_change(tmp_path: Path, db: Path) -> None:
    german = tmp_path / "artikel.txt"
    german.write_text(
        "Gespräche in Berlin\n\n" + "\n\n".join(
            ["Die Bundesregierung hat am Dienstag erklärt, dass die Gespräche mit den Nachbarländern im nächsten"
             " Monat fortgesetzt werden sollen. Beobachter sprechen von einem schwierigen, aber notwendigen Schritt."]
            * 3), encoding="utf-8")
    english_only = tmp_path / "english.toml"
    english_only.write_text('[language]\naccept = ["en"]\n')
    result = run_cli("--config", str(english_only), "ingest", "--db", str(db), str(german))
    assert result.exit_code == 3 and "NS203" in result.stderr
    german.unlink()
    config = tmp_path / "all-languages.toml"
    config.write_text("[language]\naccept = []\n")
    retry = run_cli("--config", str(config), "reprocess", "--rejects", "--db", str(db), "--json")
    assert retry.exit_code == 0, retry.output
    assert len(json.loads(retry.stdout)["recovered"]) == 1
    records = export_records(db)
    assert [r["language"] for r in records] == ["de"]
    assert narrascope.list_rejects(db=db) == []


def test_changed_copy_of_a_url_is_a_new_version(tmp_path: Path, db: Path) -> None:
    url = "https://news.example.org/2024/05/talks"
    # v2-again differs from v2 only in trailing white space: other bytes, the same article text.
    for name, n, tail in (("v1.jsonl", 1, ""), ("v2.jsonl", 2, ""), ("v2-again.jsonl", 2, "\n\n   ")):
        line = {"url": url, "title": "Talks resume", "text": article_text(n).split("\n\n", 1)[1] + tail}
        (tmp_path / name).write_text(json.dumps(line) + "\n")
    for name in ("v1.jsonl", "v2.jsonl", "v2-again.jsonl"):
        result = run_cli("ingest", "--db", str(db), str(tmp_path / name))
        assert result.exit_code == 0, result.output
    assert [r["code"] for r in narrascope.list_rejects(db=db)] == ["NS302"]
    latest = export_records(db)
    assert len(latest) == 1 and latest[0]["version"] == 2 and latest[0]["supersedes"]
    everything = run_cli("export", "--db", str(db), "--all-versions")
    assert len(everything.stdout.splitlines()) == 2


def test_search_runs_while_another_process_ingests(tmp_path: Path, db: Path) -> None:
    total = 300
    write_articles(tmp_path / "in", total)
    config = tmp_path / "small-batches.toml"
    # Small batches, many commits; the stages that need no spaCy model (the store's readers and writer
    # are under test, not the analyses, which took most of this test's time).
    config.write_text('[store]\nbatch_size = 5\n[pipeline]\nstages = ["language", "genre"]\n')
    # Create the store first so the reader never races the migration.
    open_store(db).close()
    env = dict(os.environ, NARRASCOPE_CONFIG=str(config))
    proc = subprocess.Popen(
        [sys.executable, "-m", "narrascope.cli", "ingest", "--quiet", "--db", str(db), str(tmp_path / "in")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    seen: list[int] = []
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        hits = narrascope.search("talks", db=db, limit=1000)
        seen.append(len(hits))
        time.sleep(0.01)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    assert seen, "the ingest finished before a single search ran"
    assert seen == sorted(seen), "search results went backwards during ingest"
    assert any(0 < n < total for n in seen), f"never saw a partly ingested store: {seen[:5]}...{seen[-5:]}"
    assert len(narrascope.search("talks", db=db, limit=1000)) == total


def test_every_item_is_told_its_outcome(tmp_path: Path, db: Path) -> None:
    write_articles(tmp_path / "in", 2)
    lines = [json.dumps({"title": f"Report {n}", "text": article_text(n).split("\n\n", 1)[1]}) for n in (7, 8, 9)]
    (tmp_path / "in" / "dump.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "in" / "empty.txt").write_text("")
    outcomes: list[str] = []
    report = narrascope.ingest([str(tmp_path / "in")], db=db, on_outcome=lambda kind, _: outcomes.append(kind))
    assert sorted(outcomes) == ["rejected"] + ["stored"] * 5  # one per item: the JSONL file holds three
    assert report.inputs == 6
    again: list[str] = []
    narrascope.ingest([str(tmp_path / "in")], db=db, on_outcome=lambda kind, _: again.append(kind))
    assert sorted(again) == ["rejected"] + ["unchanged"] * 5


def test_no_progress_bar_when_not_a_terminal(tmp_path: Path, db: Path) -> None:
    write_articles(tmp_path / "in", 2)
    result = run_cli("ingest", "--db", str(db), str(tmp_path / "in"))
    assert "ingest:" not in result.stderr and "%|" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("2 inputs: 2 stored")


def test_a_duplicate_of_a_rejected_item_names_no_unstored_id(tmp_path: Path, db: Path) -> None:
    short = "Too short\n\nOnly one sentence here, far below the minimum length of an article.\n"
    (tmp_path / "a.txt").write_text(short)
    (tmp_path / "copy-of-a.txt").write_text(short)
    (tmp_path / "b.txt").write_text(article_text(1))
    (tmp_path / "copy-of-b.txt").write_text(article_text(1))
    names = ("a.txt", "copy-of-a.txt", "b.txt", "copy-of-b.txt")
    report = narrascope.ingest([str(tmp_path / name) for name in names], db=db)
    rejects = {Path(r["location"]).name: r for r in narrascope.list_rejects(db=db)}
    # Both short copies are rejected for what they are; neither points at the other.
    assert (rejects["a.txt"]["code"], rejects["copy-of-a.txt"]["code"]) == ("NS202", "NS202")
    # The copy of a stored article is skipped, naming the stored id.
    assert rejects["copy-of-b.txt"]["code"] == "NS301" and rejects["copy-of-b.txt"]["skipped"]
    assert report.stored and report.stored[0] in rejects["copy-of-b.txt"]["reason"]
    stored = {r["id"] for r in export_records(db)}
    for reject in rejects.values():
        if reject["code"] == "NS301":
            assert any(article_id in reject["reason"] for article_id in stored)


def test_reprocess_updates_the_url_column_with_the_record(tmp_path: Path, db: Path) -> None:
    url = "https://news.example.org/2024/05/talks"
    line = {"url": url, "title": "Talks resume", "text": article_text(3).split("\n\n", 1)[1]}
    (tmp_path / "one.jsonl").write_text(json.dumps(line) + "\n")
    narrascope.ingest([str(tmp_path / "one.jsonl")], db=db)
    conn = sqlite3.connect(db)
    for stale in (None, "https://news.example.org/old-address"):
        # As if an older extractor had found no URL, or a wrong one.
        conn.execute("UPDATE articles SET url = ?, record = json_set(record, '$.url', ?, '$.pipeline.version', '0.0.1')",
                     (stale, stale))
        conn.commit()
        report = narrascope.reprocess(db=db)
        assert len(report.updated) == 1
        assert conn.execute("SELECT url, json_extract(record, '$.url') FROM articles").fetchall() == [(url, url)]
        assert [a.id for a in narrascope.list_articles(db=db)] == report.updated
    conn.close()


def test_reprocess_keeps_the_url_that_holds_a_version_chain(tmp_path: Path, db: Path) -> None:
    url = "https://news.example.org/2024/05/talks"
    for name, n in (("v1.jsonl", 1), ("v2.jsonl", 2)):
        line = {"url": url, "title": "Talks resume", "text": article_text(n).split("\n\n", 1)[1]}
        (tmp_path / name).write_text(json.dumps(line) + "\n")
        narrascope.ingest([str(tmp_path / name)], db=db)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE articles SET record = json_set(record, '$.pipeline.version', '0.0.1')")
    conn.commit()
    narrascope.reprocess(db=db)
    rows = conn.execute("SELECT url, json_extract(record, '$.url'), version, latest FROM articles ORDER BY version")
    assert rows.fetchall() == [(url, url, 1, 0), (url, url, 2, 1)]
    conn.close()


def test_ingesting_the_stores_own_folder_skips_the_store(tmp_path: Path) -> None:
    write_articles(tmp_path / "work", 2)
    os.chdir(tmp_path / "work")
    first = run_cli("ingest", ".")  # creates ./narrascope.db (and its -wal and -shm) here, then walks past them
    other = run_cli("ingest", "--db", "other.db", ".")  # past its own store and the default one
    again = run_cli("ingest", "--db", "other.db", ".")
    assert (first.exit_code, other.exit_code, again.exit_code) == (0, 0, 0), first.output + other.output + again.output
    for db in ("narrascope.db", "other.db"):
        assert narrascope.list_rejects(db=db) == []
        assert len(narrascope.list_articles(db=db)) == 2
    assert again.stderr.strip().endswith("2 inputs: 0 stored, 2 already stored, 0 rejected in other.db")
