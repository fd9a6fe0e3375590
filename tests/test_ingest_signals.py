"""A SIGTERM to ``narrascope ingest --jobs 2`` leaves no worker behind and the store consistent (issue 11).

A real ``narrascope ingest`` subprocess in its own process group, on a folder of generated articles;
its processes are found by scanning /proc for the group.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fixtures_make import text_article

ROOT = Path(__file__).resolve().parent.parent
NARRASCOPE = str(Path(sys.executable).parent / "narrascope")  # the console script beside this Python
ARTICLES = 150  # thirty batches of 5: the signal comes once the first is written
#: Small batches, so the first is written after 5 articles rather than 50 (most of this file's time).
CONFIG = "[store]\nbatch_size = 5\n"
pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of the process group ``pgid``."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ")".
        state, _ppid, pgrp = stat[stat.rindex(")") + 2:].split()[:3]
        if int(pgrp) == pgid and state not in ("Z", "X"):
            members.append(int(entry.name))
    return members


def wait_until(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def stored(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:  # not yet migrated
        return 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_ingest_jobs_2_leaves_no_worker_and_a_consistent_store(tmp_path: Path, sig: int) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(ARTICLES):
        (folder / f"article-{n:04d}.txt").write_text(text_article(n), encoding="utf-8")
    db = tmp_path / "signal.db"
    config = tmp_path / "small-batches.toml"
    config.write_text(CONFIG, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NARRASCOPE_CONFIG": str(config)}
    process = subprocess.Popen([NARRASCOPE, "ingest", "--jobs", "2", "--db", str(db),
                                str(folder)], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True)
    pgid = process.pid  # a new session: the group is the ingest and the workers it starts
    try:
        # Signal once the workers run and the first batch is written (the store is being written).
        assert wait_until(lambda: len(group_members(pgid)) >= 3 and stored(db) > 0, 240), \
            process.stderr.read().decode() if process.poll() is not None else "no workers or nothing stored"
        assert process.poll() is None, "the ingest ended before the signal: give it more articles"
        os.kill(process.pid, sig)
        process.wait(timeout=60)
        # Every worker is gone too (not orphaned and still running, nor left waiting for work).
        assert wait_until(lambda: group_members(pgid) == [], 10), group_members(pgid)
    finally:
        for pid in group_members(pgid):
            os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)
    # Stopped, not finished: as the signal would (128 + SIGTERM), or click's "Aborted!" for Ctrl-C.
    assert process.returncode == (128 + signal.SIGTERM if sig == signal.SIGTERM else 1), process.returncode
    assert stored(db) < ARTICLES
    # The store is consistent: the integrity check passes and what was committed is complete.
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM articles WHERE text IS NULL OR text = ''").fetchone()[0] == 0
    if sig != signal.SIGTERM:
        return
    # A re-run takes in the rest: nothing was lost (only the language stage, to be quick).
    light = tmp_path / "light.toml"
    light.write_text('[pipeline]\nstages = ["language"]\n', encoding="utf-8")
    rerun = subprocess.run([NARRASCOPE, "--config", str(light), "ingest", "--jobs", "2", "--db", str(db), str(folder)],
                           cwd=tmp_path, env=env, capture_output=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr.decode()[-2000:]
    assert stored(db) == ARTICLES
