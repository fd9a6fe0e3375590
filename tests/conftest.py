"""Shared fixtures: real SQLite files in tmp_path, the real CLI through click's runner."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from narrascope import api
from narrascope.cli import cli
from narrascope.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"


@pytest.fixture
def settings() -> Settings:
    return load_settings()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user settings or store from the environment leak into a test."""
    monkeypatch.delenv("NARRASCOPE_DB", raising=False)
    monkeypatch.delenv("NARRASCOPE_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


@contextmanager
def isolated_env(folder: Path) -> Iterator[None]:
    """What ``_isolated_env`` does for a test, for a fixture of wider scope (a module's shared store)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("NARRASCOPE_DB", raising=False)
        patch.delenv("NARRASCOPE_CONFIG", raising=False)
        patch.chdir(folder)
        yield


def copy_store(source: Path, target: Path) -> Path:
    """A copy of the store ``source`` at ``target`` (SQLite's online backup, so what sits in the WAL
    comes too): a fixture builds a store once per module and hands each test its own copy to write."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return target


@pytest.fixture(scope="session")
def seeds_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds ingested with the default settings (the full pipeline), once for the whole run; a
    test takes its own copy (``copy_store``), so it may write it."""
    folder = tmp_path_factory.mktemp("seeds-once")
    with isolated_env(folder):
        report = api.ingest([str(SEEDS)], db=folder / "seeds.db", settings=load_settings())
    assert len(report.stored) == 2 and not report.rejected, report
    return folder / "seeds.db"


@pytest.fixture
def seeded(db: Path, seeds_once: Path) -> Path:
    """The seeds' store at ``db``, the test's own copy."""
    return copy_store(seeds_once, db)


@pytest.fixture(scope="session")
def hostile_once(tmp_path_factory: pytest.TempPathFactory, seeds_once: Path) -> Path:
    """``test_web_security.build_hostile_store``'s corpus, built once for the run (the web security
    tests and the browser's take their own copies)."""
    from test_web_security import build_hostile_store

    folder = tmp_path_factory.mktemp("hostile-once")
    with isolated_env(folder):
        return build_hostile_store(folder, seeds_once)


@pytest.fixture(scope="session")
def workbench_once(tmp_path_factory: pytest.TempPathFactory, seeds_once: Path) -> tuple[Path, Any]:
    """``workbench_corpus.build_store``'s store and corpus, built once for the run (the web's corpus
    tests and the browser's take their own copies of the store)."""
    from workbench_corpus import build_store

    folder = tmp_path_factory.mktemp("workbench-once")
    with isolated_env(folder):
        return build_store(folder, seeds=seeds_once)


def run_cli(*args: str, input: bytes | str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


ACTORS_ONLY = '[pipeline]\nstages = ["language", "genre", "actors"]\n'


def ingest_jsonl(tmp_path: Path, db: Path, articles: list[dict], name: str = "articles.jsonl") -> None:
    """Ingest ``articles`` (JSONL records) into ``db`` with the actors stage only (fast)."""
    config = tmp_path / "actors-only.toml"
    config.write_text(ACTORS_ONLY)
    source = tmp_path / name
    source.write_text("".join(json.dumps(a) + "\n" for a in articles))
    result = run_cli("--config", str(config), "ingest", str(source), "--db", str(db))
    assert result.exit_code == 0, result.output


def export_records(db: Path) -> list[dict]:
    result = run_cli("export", "--db", str(db), "--format", "jsonl")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
