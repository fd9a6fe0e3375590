"""Several processes on one store: concurrent ingests, searching meanwhile, short write locks."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import narrascope
from conftest import run_cli
from narrascope.settings import load_settings
from narrascope.store import open_store
from test_ingest import count_rows, write_articles


def cli_process(*args: str, config: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, NARRASCOPE_CONFIG=str(config))
    return subprocess.Popen([sys.executable, "-m", "narrascope.cli", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_two_ingests_of_overlapping_inputs_into_one_store(tmp_path: Path, db: Path) -> None:
    paths = write_articles(tmp_path / "in", 300)
    config = tmp_path / "small-batches.toml"
    # Small batches, many commits; the stages that need no spaCy model (the store's concurrency is
    # under test, not the analyses, and four workers each loading the model took most of a minute).
    config.write_text('[store]\nbatch_size = 3\n[pipeline]\nstages = ["language", "genre"]\n')
    open_store(db).close()  # so the searches below have a store to read from the start
    # One walks the folder forwards, the other takes two thirds of it backwards: they meet in the middle.
    forwards = cli_process("ingest", "--quiet", "--jobs", "2", "--db", str(db), str(tmp_path / "in"), config=config)
    backwards = cli_process("ingest", "--json", "--jobs", "2", "--db", str(db),
                            *(str(p) for p in reversed(paths[100:])), config=config)
    searched: list[int] = []
    while forwards.poll() is None or backwards.poll() is None:
        searched.append(len(narrascope.search("talks", db=db, limit=1000)))
        time.sleep(0.005)
    # The two ingests overlapped: the searches saw the store part-filled at least once.
    assert any(0 < n < 300 for n in searched), searched
    _, forwards_err = forwards.communicate()
    backwards_out, backwards_err = backwards.communicate()
    assert forwards.returncode == 0, forwards_err.decode()
    assert backwards.returncode == 0, backwards_err.decode()
    report = json.loads(backwards_out)
    assert len(report["stored"]) + report["unchanged"] == 200
    assert report["skipped"] == [] and report["rejected"] == []
    assert count_rows(db, "articles") == 300 and count_rows(db, "raw") == 300
    assert count_rows(db, "rejects") == 0
    assert searched == sorted(searched), "search results went backwards during the ingests"
    assert len(narrascope.search("talks", db=db, limit=1000)) == 300


def test_the_write_lock_is_free_between_batches(tmp_path: Path, db: Path) -> None:
    write_articles(tmp_path / "in", 4)
    config = tmp_path / "batches-of-one.toml"
    config.write_text("[store]\nbatch_size = 1\n")
    open_store(db).close()
    writable: list[bool] = []

    def another_writer(kind: str, text: str) -> None:
        # Told after each batch is written, before the next is read and extracted.
        other = sqlite3.connect(db, isolation_level=None, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            writable.append(True)
        except sqlite3.OperationalError:
            writable.append(False)
        finally:
            other.close()

    report = narrascope.ingest([str(tmp_path / "in")], db=db, settings=load_settings(str(config)),
                               on_outcome=another_writer)
    assert len(report.stored) == 4
    assert writable == [True] * 4


def test_ingest_into_a_locked_store_fails_with_one_coded_line(tmp_path: Path, db: Path) -> None:
    write_articles(tmp_path / "in", 2)
    config = tmp_path / "impatient.toml"
    config.write_text("[store]\nbusy_timeout_ms = 50\n")
    open_store(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = run_cli("--config", str(config), "ingest", "--db", str(db), str(tmp_path / "in"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: NS501") and "locked" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert count_rows(db, "articles") == 0
