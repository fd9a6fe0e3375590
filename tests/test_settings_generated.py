"""One definition per setting: the defaults file and the README reference are generated from
``settings.py`` and must be current; loading the shipped file changes nothing."""

from __future__ import annotations

import tomllib
from dataclasses import fields, is_dataclass, replace
from typing import Any

from conftest import ROOT
from narrascope.settings import (
    README_END,
    README_START,
    Settings,
    load_settings,
    render_defaults,
    render_reference,
    tables,
    with_reference,
)

DEFAULTS_FILE = ROOT / "src" / "narrascope" / "defaults.toml"
README = ROOT / "README.md"


def _flat(part: Any, prefix: str = "") -> dict[str, Any]:
    """Setting name -> value of a settings object (tuples as TOML lists)."""
    out: dict[str, Any] = {}
    for f in fields(part):
        value = getattr(part, f.name)
        if is_dataclass(value):
            out |= _flat(value, f"{prefix}{f.name}.")
        elif part.__class__ is not Settings:  # Settings' own non-section field is `source`
            out[f"{prefix}{f.name}"] = list(value) if isinstance(value, tuple) else value
    return out


def _flat_toml(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        out |= _flat_toml(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}": value}
    return out


def test_the_committed_defaults_file_is_the_generated_one() -> None:
    committed = DEFAULTS_FILE.read_text(encoding="utf-8")
    assert committed == render_defaults(), "defaults.toml is stale: run `python3 tasks.py docs`"


def test_loading_the_committed_defaults_file_gives_exactly_the_definitions() -> None:
    shipped = _flat_toml(tomllib.loads(DEFAULTS_FILE.read_text(encoding="utf-8")))
    defined = _flat(Settings())
    assert shipped == defined
    # same types too (a float written "5" would load as an int)
    assert {k: type(v) for k, v in shipped.items()} == {k: type(v) for k, v in defined.items()}
    assert Settings().with_overrides(tomllib.loads(render_defaults()), source="defaults") == replace(
        Settings(), source="defaults")
    assert load_settings(ROOT / "src" / "narrascope" / "defaults.toml") == replace(
        Settings(), source=str(ROOT / "src" / "narrascope" / "defaults.toml"))


def test_the_readme_settings_reference_is_the_generated_one() -> None:
    text = README.read_text(encoding="utf-8")
    assert text.count(README_START) == 1 and text.count(README_END) == 1
    assert with_reference(text) == text, "the README's settings reference is stale: run `python3 tasks.py docs`"
    block = text[text.index(README_START):text.index(README_END)]
    for name in _flat(Settings()):
        assert f"| `{name}` |" in block, name


def test_every_setting_and_every_section_help_is_in_both_generated_texts() -> None:
    defaults, reference = render_defaults(), render_reference()
    squashed = " ".join(line.lstrip("# ") for line in defaults.splitlines())
    names = []
    for table, help_text, keys in tables():
        assert f"[{table}]" in defaults and f"**`[{table}]`**" in reference
        if help_text:
            assert " ".join(help_text.split()) in " ".join(squashed.split())
        for key, definition, _default in keys:
            help_text = definition.metadata.get("help", "")
            assert help_text.strip(), f"{table}.{key} has no help text"
            assert " ".join(help_text.split()) in " ".join(squashed.split()), f"{table}.{key}"
            assert help_text.replace("|", "\\|") in reference, f"{table}.{key}"
            names.append(f"{table}.{key}")
    assert sorted(names) == sorted(_flat(Settings()))

