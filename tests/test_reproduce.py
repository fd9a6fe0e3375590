"""benchmarks/reproduce.py: the check that the train commands give back the shipped models."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("reproduce", ROOT / "benchmarks" / "reproduce.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_every_shipped_model_but_the_encoders_has_a_command(tmp_path: Path) -> None:
    tool = _tool()
    rebuilt = {name for _argv, files in tool.commands(tmp_path, tmp_path, 1).values() for name in files}
    # Sidecars are written with the model they describe; the encoders need torch (README, "Models").
    sidecars = {"techniques.json", "stance.json"}
    shipped = {p.name for p in tool.MODELS.iterdir()
               if p.is_file() and not p.name.startswith(("techniques_encoder.", "stance_encoder."))}
    assert shipped - sidecars <= rebuilt, shipped - sidecars - rebuilt
    # Paths are given relative to the checkout, as model cards record them.
    argv, _files = tool.commands(ROOT.parent / "shared" / "data", tmp_path, 1)["techniques"]
    assert argv[1] == "../shared/data/ptc"


def test_the_difference_says_what_changed(tmp_path: Path) -> None:
    tool = _tool()
    shipped = {"field": "x", "bias": 0.5, "weights": {"a": 1.0, "b": -2.0}, "meta": {"facts": 10, "right": 7}}
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(shipped))
    b.write_text(json.dumps(shipped))
    assert tool.difference(a, b) == "identical"
    assert tool.difference(a, tmp_path / "missing.json") == "not written"
    b.write_text(json.dumps({**shipped, "bias": 0.5000004}))
    assert tool.difference(a, b).startswith("largest difference 4e-07")
    b.write_text(json.dumps({**shipped, "weights": {"a": 1.0}, "meta": {"facts": 11, "right": 7}}))
    said = tool.difference(a, b)
    assert said.startswith("training facts 10 -> 11 (right 7 -> 7)") and "1 numbers in one file only" in said


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(SystemExit) as refused:
        _tool().main(["nonsense"])
    assert refused.value.code == 2
