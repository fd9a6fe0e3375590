"""Documentation is tested: every command, setting, error code and stage appears in the README."""

from __future__ import annotations

import tomllib
import types

import pytest

import narrascope
from conftest import ROOT
from narrascope.errors import CODES
from narrascope.plugins import is_builtin, registry
from narrascope.settings import defaults_text
from test_cli import all_commands

README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", [" ".join(c) for c in all_commands()])
def test_every_command_is_documented(command: str) -> None:
    assert f"`{command}" in README


def _setting_keys(table: dict[str, object], prefix: str = "") -> list[str]:
    keys = []
    for key, value in table.items():
        name = f"{prefix}{key}"
        keys += _setting_keys(value, name + ".") if isinstance(value, dict) else [name]
    return keys


@pytest.mark.parametrize("key", _setting_keys(tomllib.loads(defaults_text())))
def test_every_setting_is_documented(key: str) -> None:
    assert f"`{key}`" in README


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_error_code_is_documented(code: str) -> None:
    assert f"| {code} |" in README


def _core(things: dict[str, object]) -> list[str]:
    """The names the narrascope package itself registers (installed plugins document their own)."""
    return sorted(name for name, thing in things.items() if is_builtin(thing))


@pytest.mark.parametrize("name", _core(registry().stages) + _core(registry().sources) + _core(registry().exporters))
def test_every_plugin_is_documented(name: str) -> None:
    assert f"`{name}`" in README


def test_public_api_is_what_all_says() -> None:
    public = {name for name in dir(narrascope) if not name.startswith("_")}
    modules = {name for name in public if isinstance(getattr(narrascope, name), types.ModuleType)}
    assert set(narrascope.__all__) == (public - modules) | {"__version__"}
    # The verbs are functions, not the submodules of the same name.
    for name in ("ingest", "reprocess", "export", "search"):
        assert callable(getattr(narrascope, name)) and not isinstance(getattr(narrascope, name), types.ModuleType)


def _tables() -> list[tuple[str, str]]:
    core = [registry().analyses[name] for name in _core(dict(registry().analyses))]
    return [(spec.name, column.name) for analysis in core for spec in analysis.tables for column in spec.columns]


@pytest.mark.parametrize(("table", "column"), _tables())
def test_every_derived_table_and_column_is_documented(table: str, column: str) -> None:
    # A table is described where it is defined: a "- `name`:" bullet or a "Table `name`" sentence.
    anchors = [a for a in (f"- `{table}`:", f"Table `{table}`") if a in README]
    assert anchors, f"table {table} is not described in the README"
    section = README[README.index(anchors[0]):]
    assert f"`{column}`" in section[:2500], f"{table}.{column} is not described with its table"
