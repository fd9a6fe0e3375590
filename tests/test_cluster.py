"""The Dask runner on a real LocalCluster of 2 worker processes: the same records and tables as a
serial run, and a worker killed mid-ingest loses nothing and duplicates nothing.

One cluster serves the module; the corpus is written here (stories over four weeks, a few
syndicated copies) plus the two seed articles, ingested with the cheap stages, then analysed with
the actors stage (spaCy).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import SEEDS, copy_store, run_cli
from narrascope.analysis.rerun import analyze
from narrascope.corpus.narratives import update_narratives
from narrascope.corpus.reuse import update_reuse
from narrascope.ingest import ingest
from narrascope.reprocess import reprocess
from narrascope.runners import Budget, DaskRunner, Overrun, local_cluster
from narrascope.settings import Settings, load_settings
from narrascope.store import open_store

pytestmark = pytest.mark.cluster

CHEAP = ["language", "genre"]
ARTICLES = 30  # 24 stories, 4 syndicated copies, 2 seeds
#: Columns that hold the time a row was written: the one thing two runs may not share.
TIMES = {"applied_at", "received_at", "ingested_at", "updated_at", "computed_at"}



def words(text: str) -> list[str]:
    return text.split()


STORIES = {
    "dam": words("dam reservoir turbine floodgate hydropower spillway riverbank sluice engineers levee"),
    "vaccine": words("vaccine clinic dose booster immunisation nurse pharmacy antibody pathogen outbreak"),
    "strike": words("dockworker strike port wage union crane container picket harbour terminal"),
}
TEMPLATES = (
    "Officials in Berlin said the {0} and the {1} would affect the {2} this month.",
    "According to the ministry in Paris, the {0} was linked to the {1} near the {2}.",
    "The government of Germany warned that the {0} could spread to the {1} within weeks.",
    "Critics argued that the {0} had ignored the {1} and the {2} for years, Angela Merkel said.",
    "The minister insisted that the {0} will not change the {1} or the {2}.",
)


def corpus(folder: Path) -> Path:
    """Articles of three stories over four weeks from three outlets, four of them syndicated copies."""
    rng = random.Random(7)
    records = []
    for story, vocabulary in STORIES.items():
        for n in range(8):
            text = " ".join(TEMPLATES[rng.randrange(len(TEMPLATES))].format(*rng.sample(vocabulary, 3))
                            for _ in range(10))
            day = date(2024, 1, 1) + timedelta(days=3 * n + len(story))
            records.append({"title": f"The {story} story, part {n}", "text": text, "published": day.isoformat(),
                            "outlet": f"outlet{n % 3}.example", "url": f"https://outlet{n % 3}.example/{story}/{n}"})
    for original in records[::7][:4]:
        records.append({**original, "outlet": "wire.example", "url": original["url"].replace("outlet", "wire-")})
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "articles.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    for seed in sorted(SEEDS.glob("*.txt")):
        (folder / seed.name).write_bytes(seed.read_bytes())
    return folder


def rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (full-text index internals and write times aside), in a fixed order."""
    conn = sqlite3.connect(db)
    try:
        tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                  if not name.startswith(("sqlite_", "articles_fts")) and name != "migrations"]
        out = {}
        for table in tables:
            columns = [c[1] for c in conn.execute(f"PRAGMA table_info({table})") if c[1] not in TIMES]
            listed = ", ".join(f'"{c}"' for c in columns)
            out[table] = sorted(conn.execute(f"SELECT {listed} FROM {table}").fetchall(), key=repr)  # noqa: S608
        return out
    finally:
        conn.close()


def records(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r for (r,) in conn.execute("SELECT record FROM articles ORDER BY id")]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def cluster() -> object:
    from distributed import Client

    with local_cluster(2) as local, Client(local) as client:
        yield local.scheduler_address, client


@pytest.fixture(scope="module")
def quick_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    config = tmp_path_factory.mktemp("config") / "quick.toml"
    config.write_text(f"[pipeline]\nstages = {json.dumps([*CHEAP, 'actors'])}\n[store]\nbatch_size = 1\n")
    return load_settings(config)


def cheap(settings: Settings) -> Settings:
    return settings.with_overrides({"pipeline": {"stages": CHEAP}}, source="test")


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory, cluster: tuple[str, object],
           quick_settings: Settings) -> tuple[Path, Path, Path]:
    """The corpus ingested (cheap stages) serially and on the cluster."""
    base = tmp_path_factory.mktemp("stores")
    folder = corpus(base / "in")
    serial, clustered = base / "serial.db", base / "cluster.db"
    report = ingest([str(folder)], db=serial, settings=cheap(quick_settings))
    assert len(report.stored) == ARTICLES and not report.rejected
    report = ingest([str(folder)], db=clustered, settings=cheap(quick_settings), cluster=cluster[0])
    assert len(report.stored) == ARTICLES and not report.rejected and report.retried == 0
    return folder, serial, clustered


def test_a_cluster_ingest_stores_the_same_records_and_rows_as_a_serial_one(stores: tuple[Path, Path, Path]) -> None:
    _folder, serial, clustered = stores
    assert records(clustered) == records(serial)
    assert len(records(serial)) == ARTICLES
    assert rows(clustered) == rows(serial)


def test_reprocess_on_the_cluster_writes_what_a_serial_reprocess_writes(
        stores: tuple[Path, Path, Path], cluster: tuple[str, object], quick_settings: Settings) -> None:
    _folder, serial, clustered = stores
    for db, address in ((serial, ""), (clustered, cluster[0])):
        report = reprocess(db=db, settings=cheap(quick_settings), force=True, cluster=address)
        assert len(report.updated) == ARTICLES and not report.failed and report.retried == 0
    assert records(clustered) == records(serial)
    assert rows(clustered) == rows(serial)


def test_analyze_on_the_cluster_writes_what_a_serial_analyze_writes(
        stores: tuple[Path, Path, Path], cluster: tuple[str, object], quick_settings: Settings) -> None:
    _folder, serial, clustered = stores
    # Stored without the actors stage, so that analyze has something to add.
    for db, address in ((serial, ""), (clustered, cluster[0])):
        report = analyze(db=db, settings=quick_settings, stages=["actors"], cluster=address)
        assert len(report.updated) == ARTICLES and not report.failed and report.retried == 0
    after = [json.loads(r) for r in records(clustered)]
    assert all("actors" in r["pipeline"]["stages"] for r in after)
    assert sum(bool(r["actors"]) for r in after) >= ARTICLES // 2
    assert records(clustered) == records(serial)
    assert rows(clustered) == rows(serial)


def test_reuse_and_narratives_after_a_cluster_ingest_equal_a_serial_run(
        stores: tuple[Path, Path, Path], quick_settings: Settings) -> None:
    _folder, serial, clustered = stores
    for db in (serial, clustered):
        with open_store(db, quick_settings) as store:
            summary = update_reuse(store, quick_settings)
            assert summary["new_pairs"] >= 4  # the syndicated copies
            update_narratives(store, quick_settings)
    derived = {db: {t: r for t, r in rows(db).items() if t.startswith(("reuse_", "narrative"))}
               for db in (serial, clustered)}
    assert derived[serial]["narratives"] and derived[serial]["reuse_pairs"]
    assert derived[clustered] == derived[serial]


def derived(db: Path) -> dict[str, list[tuple[object, ...]]]:
    return {t: r for t, r in rows(db).items() if t.startswith(("reuse_", "narrative"))}


def test_reuse_and_narratives_computed_on_the_cluster_equal_a_serial_run(
        stores: tuple[Path, Path, Path], cluster: tuple[str, object], quick_settings: Settings,
        tmp_path: Path) -> None:
    from distributed import get_task_stream

    _folder, serial, _clustered = stores
    address, client = cluster
    here, there, cli = (copy_store(serial, tmp_path / f"{name}.db") for name in ("here", "there", "cli"))
    with open_store(here, quick_settings) as store:
        reuse = update_reuse(store, quick_settings, full=True)
        update_narratives(store, quick_settings, full=True)
    # On the cluster, in chunks of 4 articles (or candidate pairs): another chunking than the serial run's.
    with get_task_stream(client) as stream, DaskRunner(address) as runner, \
            open_store(there, quick_settings) as store:
        assert update_reuse(store, quick_settings, full=True, runner=runner, chunk_size=4)["new_pairs"] == \
            reuse["new_pairs"]
        update_narratives(store, quick_settings, full=True, runner=runner, chunk_size=4)
    tasks = [t["key"] for t in stream.data if "narrascope-item" in str(t["key"])]
    # fingerprinting, vectorising and claim scoring: 8 chunks each; alignment: a chunk per 4 candidates
    assert len(tasks) >= 3 * -(-ARTICLES // 4) + -(-reuse["new_pairs"] // 4)
    # The CLI's --cluster, with its default chunks.
    for verb in ("reuse", "narratives"):
        result = run_cli(verb, "--full", "--db", str(cli), "--cluster", address, "--json")
        assert result.exit_code == 0, result.output
    expected = derived(here)
    assert expected["narratives"] and expected["reuse_pairs"] and expected["narrative_members"]
    assert any(json.loads(row[-1]) for row in expected["narrative_members"])  # claim evidence was scored
    assert derived(there) == expected
    assert derived(cli) == expected


def test_a_worker_killed_mid_ingest_loses_and_duplicates_nothing(
        stores: tuple[Path, Path, Path], cluster: tuple[str, object], quick_settings: Settings,
        tmp_path: Path) -> None:
    folder, serial, _clustered = stores
    address, client = cluster
    db = tmp_path / "killed.db"
    killed: list[int] = []
    lock = threading.Lock()

    def kill_a_busy_worker(kind: str, text: str) -> None:
        with lock:
            if killed:
                return
            busy = [worker for worker, keys in client.processing().items() if keys]  # type: ignore[attr-defined]
            if not busy:
                return
            pids = client.run(os.getpid, workers=busy[:1])  # type: ignore[attr-defined]
            for pid in pids.values():
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

    report = ingest([str(folder)], db=db, settings=quick_settings, cluster=address, on_outcome=kill_a_busy_worker)
    assert killed
    assert report.inputs == ARTICLES and len(report.stored) == ARTICLES and not report.rejected
    assert report.retried >= 1
    assert f"{report.retried} retried after a cluster worker was lost" in report.summary()
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT COUNT(*), COUNT(DISTINCT id) FROM articles").fetchone() == (ARTICLES, ARTICLES)
        assert conn.execute("SELECT COUNT(*) FROM raw").fetchone() == (ARTICLES,)
    finally:
        conn.close()
    stored = {json.loads(r)["id"] for r in records(db)}
    assert stored == {json.loads(r)["id"] for r in records(serial)} and len(stored) == ARTICLES


def test_an_unreachable_cluster_is_a_coded_error(tmp_path: Path) -> None:
    config = tmp_path / "quick.toml"
    config.write_text("[cluster]\nconnect_seconds = 0.5\n")
    (tmp_path / "a.txt").write_text("Talks resume\n\n" + "The talks resume on Monday in Geneva. " * 10)
    result = run_cli("--config", str(config), "ingest", str(tmp_path / "a.txt"), "--db", str(tmp_path / "x.db"),
                     "--cluster", "tcp://127.0.0.1:9")
    assert result.exit_code == 1 and "NS601" in result.output
    result = run_cli("ingest", str(tmp_path / "a.txt"), "--db", str(tmp_path / "x.db"), "--cluster", "local:two")
    assert result.exit_code == 2 and "NS403" in result.output


def sleepy(item: int, checkpoint: object) -> int:
    checkpoint(("began", item))  # type: ignore[operator]
    if item == 2:
        time.sleep(120)
    return item * 10


def stopped(item: int, states: list[object], overrun: Overrun) -> tuple[object, ...]:
    return ("stopped", item, overrun.kind, states)


def test_each_item_keeps_its_time_budget_on_the_cluster(cluster: tuple[str, object]) -> None:
    started = time.monotonic()
    with DaskRunner(cluster[0]) as runner:
        results = list(runner.map(sleepy, range(5), budget=Budget(seconds=3.0), over=stopped))
    assert results == [0, 10, ("stopped", 2, "time", [("began", 2)]), 30, 40]
    assert time.monotonic() - started < 60  # stopped at its budget, not after its two minutes


def test_a_run_with_nothing_to_compute_does_not_connect(stores: tuple[Path, Path, Path],
                                                        quick_settings: Settings) -> None:
    folder, serial, _clustered = stores
    unreachable = quick_settings.with_overrides({"cluster": {"connect_seconds": 0.5}}, source="test")
    report = ingest([str(folder)], db=serial, settings=cheap(unreachable), cluster="tcp://127.0.0.1:9")
    assert report.unchanged == ARTICLES and not report.stored and report.ok
