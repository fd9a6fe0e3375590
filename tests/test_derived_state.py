"""The saved state of a corpus analysis: written piece by piece, read back unchanged."""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

import pytest

from narrascope.corpus import _json_pieces, derived_state, record_state
from narrascope.settings import load_settings
from narrascope.store import open_store

STATES: list[Any] = [
    {"df": {"12": 3, "7": 1}, "rows": [[i, f"sentence {i} – ’é’"] for i in range(2_000)], "meta": {
        "narratives": [{"id": 1, "terms": ["grain", "ü"], "centroid": [0.25, -0.0, 1e-12]}], "empty": {}, "none": None}},
    {"ints as keys": {1: "a", 2: "b"}, "nested": [[[], {}], [{"deep": [1, [2, [3]]]}]]},
    [], {}, "plain", 3.5, None,
]


@pytest.mark.parametrize("state", STATES)
def test_state_pieces_join_to_the_one_shot_json(state: Any) -> None:
    pieces = list(_json_pieces(state))
    assert "".join(pieces) == json.dumps(state, ensure_ascii=False)
    if isinstance(state, dict) and "rows" in state:
        assert max(map(len, pieces)) < len(json.dumps(state["rows"], ensure_ascii=False)) / 100


def test_a_recorded_state_reads_back_equal(tmp_path: Path) -> None:
    state = STATES[0]
    with open_store(tmp_path / "s.db", load_settings()) as store:
        with store.transaction():
            record_state(store, "test", "t1", inputs={"x": 1}, watermark=7, articles=3, state=state)
        saved = derived_state(store, "test")
        blob = store.conn.execute("SELECT state FROM derived WHERE name = 'test'").fetchone()[0]
    assert saved is not None and saved.state == state and saved.watermark == 7 and saved.articles == 3
    assert zlib.decompress(blob).decode("utf-8") == json.dumps(state, ensure_ascii=False)
