"""Settings are range-checked where they are defined (issue 11): a negative size, a NaN threshold,
``--seed -5`` or a settings file that is not UTF-8 is NS401 and exit 2, never a traceback."""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import copy_store, run_cli
from narrascope.errors import SettingsError
from narrascope.settings import Settings, defaults_text, load_settings, setting_range

BAD = [
    ("[input]\nmax_bytes = -5\n", "input.max_bytes"),
    ("[input]\nstdin_spool_bytes = -1\n", "input.stdin_spool_bytes"),
    ("[store]\nbatch_size = 0\n", "store.batch_size"),
    ("[web]\nmax_upload_bytes = -10_000\n", "web.max_upload_bytes"),
    ("[narratives]\nassign_threshold = nan\n", "narratives.assign_threshold"),
    ("[narratives]\nmerge_threshold = inf\n", "narratives.merge_threshold"),
    ("[reuse]\nmin_score = -0.5\n", "reuse.min_score"),
    ("[reuse]\nrepost_coverage = 1.5\n", "reuse.repost_coverage"),
    ("[narratives]\nseed = -5\n", "narratives.seed"),
    ("[analysis.min_confidence]\nquotes = nan\n", "analysis.min_confidence.quotes"),
    ("[analysis.min_confidence]\nquotes = 1.5\n", "analysis.min_confidence.quotes"),
]


@pytest.mark.parametrize(("text", "name"), BAD)
def test_a_value_out_of_range_is_ns401_exit_2(tmp_path: Path, seeds_dir: Path, text: str, name: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(text, encoding="utf-8")
    db = tmp_path / "x.db"
    result = run_cli("--config", str(config), "ingest", "--db", str(db), str(seeds_dir))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: NS401") and name in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert not db.exists()  # refused before anything was read or written


def test_a_settings_file_that_is_not_utf8_is_ns401_exit_2(tmp_path: Path, seeds_dir: Path) -> None:
    config = tmp_path / "latin1.toml"
    config.write_bytes("# réglages\n[input]\nmax_bytes = 5_000_000\n".encode("latin-1"))
    result = run_cli("--config", str(config), "ingest", "--db", str(tmp_path / "x.db"), str(seeds_dir))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: NS401") and "UTF-8" in result.stderr and str(config) in result.stderr
    assert "Traceback" not in result.output
    with pytest.raises(SettingsError):
        load_settings(config)


@pytest.mark.parametrize("seed", ["-5", "-1", str(2**32)])
def test_a_seed_out_of_range_is_ns401_exit_2(tmp_path: Path, seed: str) -> None:
    result = run_cli("narratives", "--db", str(tmp_path / "x.db"), "--seed", seed, "--json")
    assert result.exit_code == 2, result.output
    assert "NS401" in result.stderr and "--seed" in result.stderr and "narratives.seed" in result.stderr
    assert "Traceback" not in result.output


def test_a_seed_in_range_runs(tmp_path: Path, seeds_once: Path) -> None:
    db = tmp_path / "x.db"
    copy_store(seeds_once, db)  # the seeds ingested with the default pipeline, once for the run
    result = run_cli("narratives", "--db", str(db), "--seed", "7", "--json", "--full")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["seed"] == 7


def _numbers(section: Any, prefix: str) -> list[tuple[str, Any, Any]]:
    out = []
    for f in fields(section):
        value = getattr(section, f.name)
        if is_dataclass(value):
            out += _numbers(value, f"{prefix}{f.name}.")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out.append((f"{prefix}{f.name}", f, value))
    return out


def test_every_number_has_a_range_its_default_is_in() -> None:
    settings = load_settings()
    numbers = [n for f in fields(Settings) if is_dataclass(getattr(settings, f.name))
               for n in _numbers(getattr(settings, f.name), f"{f.name}.")]
    assert len(numbers) > 30
    shipped = tomllib.loads(defaults_text())
    for name, definition, value in numbers:
        low, high = setting_range(definition)
        assert low is not None and low >= 0, name  # no setting is negative
        assert low <= value and (high is None or value <= high), (name, value, low, high)
        assert math.isfinite(value), name
    assert shipped["store"]["batch_size"] == settings.store.batch_size
