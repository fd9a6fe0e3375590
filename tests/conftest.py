"""Shared fixtures: real SQLite files in tmp_path, the real CLI through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

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
