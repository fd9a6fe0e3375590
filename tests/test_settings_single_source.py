"""No setting has two defaults, and the corpus analyses take their settings from their argument.

A module constant holding a setting's default (``RANK_LIMIT = 20_000`` beside ``web.search_rank_limit``)
silently stops following the setting; so does an analysis that reads ``store.settings`` instead of
the ``settings`` it is handed.
"""

from __future__ import annotations

import ast
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from conftest import ROOT, run_cli
from narrascope.corpus import derived_state
from narrascope.corpus.narratives import NarrativesAnalysis
from narrascope.corpus.reuse import ReuseAnalysis
from narrascope.settings import Settings, load_settings, tables
from narrascope.store import open_store

PACKAGE = ROOT / "src" / "narrascope"
#: Where constants held a setting's default beside its definition, or process-wide state (issue 12).
RETIRED = {
    "store/__init__.py": {"RANK_LIMIT"},
    "analysis/nlp.py": {"PIECE_CHARS"},
    "web/exports.py": {"STIX_MAX_ARTICLES"},
    "corpus/narratives.py": {"DEFAULT_SEED", "EMERGE_MIN", "GROW_FACTOR", "FADE_WINDOWS"},
    "corpus/narratives_model.py": {"ASSIGN_THRESHOLD", "MERGE_THRESHOLD", "SPLIT_SILHOUETTE", "CANDIDATE_WEEKS",
                                   "TERMS"},
    "corpus/reuse_core.py": {"NGRAM", "WINDOW", "MAX_POSTINGS", "MAX_OUTLET_POSTINGS", "MIN_SHARED_FINGERPRINTS",
                             "SEED", "GAP", "MAX_SHIFT", "MIN_PASSAGE_WORDS", "MIN_SCORE", "REPOST_COVERAGE",
                             "LINEAGE_COVERAGE", "MAX_PASSAGE_ARTICLES"},
    "corpus/reuse.py": {"PARAMETERS"},
}


def _defaults() -> dict[str, Any]:
    """Setting key (last part) -> the defaults of the settings of that name."""
    out: dict[str, list[Any]] = {}
    for _table, _help, keys in tables():
        for key, _definition, default in keys:
            out.setdefault(key, []).append(default)
    return out


def _names_a_setting(name: str, key: str) -> bool:
    """``RANK_LIMIT`` names ``search_rank_limit``, ``STIX_MAX_ARTICLES`` ``max_stix_articles``: the
    constant's words are the key's, or two or more of them end it."""
    words, key_words = name.lower().strip("_").split("_"), key.split("_")
    return set(words) == set(key_words) or (len(words) >= 2 and key_words[-len(words):] == words)


def _number(node: ast.AST | None) -> float | None:
    try:
        value = ast.literal_eval(node) if node is not None else None
    except ValueError:
        return None
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def duplicates(root: Path = PACKAGE) -> list[str]:
    """Module constants and parameter defaults that repeat a setting's default under its name."""
    defaults = _defaults()
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "settings.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(root)
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
            for target in targets:
                if not isinstance(target, ast.Name):
                    continue
                if target.id in RETIRED.get(where.as_posix(), ()):
                    found.append(f"{where}: {target.id}")
                    continue
                value = _number(node.value)
                for key, values in defaults.items():
                    if value is not None and value in values and _names_a_setting(target.id, key):
                        found.append(f"{where}: {target.id} = {value} (the default of {key})")
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = node.args
                positional = args.posonlyargs + args.args
                pairs = [*zip(positional[len(positional) - len(args.defaults):], args.defaults, strict=True),
                         *zip(args.kwonlyargs, args.kw_defaults, strict=True)]
                for arg, default in pairs:
                    value = _number(default)
                    if value is not None and value in defaults.get(arg.arg, ()):
                        found.append(f"{where}: {node.name}({arg.arg}={value}) repeats the setting's default")
    return found


def test_no_module_repeats_a_settings_default() -> None:
    assert duplicates() == []


def test_the_scan_finds_a_repeated_default(tmp_path: Path) -> None:
    # the scan is not vacuous: the duplicates this issue removed are found when they come back
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "__init__.py").write_text("RANK_LIMIT = 1\nSEARCH_RANK_LIMIT = 20_000\n")
    (tmp_path / "model.py").write_text("def fit(*, assign_threshold=0.22, other=0.22):\n    pass\n")
    (tmp_path / "fine.py").write_text("FRAME_MIN_SCORE = 0.5\nSEED = 13\nWIDTH = 100\n")
    assert sorted(duplicates(tmp_path)) == [
        "model.py: fit(assign_threshold=0.22) repeats the setting's default",
        "store/__init__.py: RANK_LIMIT",
        "store/__init__.py: SEARCH_RANK_LIMIT = 20000 (the default of search_rank_limit)",
    ]


DAYS = [f"2024-03-{d:02d}" for d in range(4, 11)]
WORDS = ["amber", "birch", "cedar", "delta", "ember", "fjord", "grove"]  # one word of its own per article
TEXT = ("Engineers found decay in the old river bridge near the harbour, and the town council said the repairs "
        "would close the crossing to lorries for a month while inspectors measured the steel of every beam.")


def _corpus(tmp_path: Path) -> Path:
    config = tmp_path / "light.toml"
    config.write_text('[pipeline]\nstages = ["genre"]\n[budget]\nitem_seconds = 0\nitem_memory_mb = 0\n')
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"url": f"https://example.org/{i}", "title": f"Bridge report {i}",
                                          "published": day, "text": f"{TEXT} Update from {WORDS[i]}."}) + "\n"
                              for i, day in enumerate(DAYS)), encoding="utf-8")
    db = tmp_path / "c.db"
    assert run_cli("--config", str(config), "ingest", str(source), "--db", str(db)).exit_code == 0
    return db


def test_the_analyses_use_the_settings_they_are_given(tmp_path: Path) -> None:
    db = _corpus(tmp_path)
    given = Settings().with_overrides({"narratives": {"assign_threshold": 1.0, "merge_threshold": 1.0, "candidate_weeks": 1, "seed": 7},
                                       "reuse": {"min_passage_words": 40, "gap": 3}}, source="given")
    with open_store(db, load_settings()) as store:   # the store's own settings are the defaults
        NarrativesAnalysis().update(store, given)
        ReuseAnalysis().update(store, given)
        narratives, reuse = derived_state(store, "narratives"), derived_state(store, "reuse")
        sizes = [n for (n,) in store.conn.execute("SELECT size FROM narratives")]
    assert narratives is not None and reuse is not None
    assert narratives.inputs == {**narratives.inputs, "assign_threshold": 1.0, "candidate_weeks": 1, "seed": 7}
    assert narratives.state["assign_threshold"] == 1.0 and narratives.state["candidate_weeks"] == 1
    assert reuse.inputs["settings.reuse"]["min_passage_words"] == 40 and reuse.inputs["settings.reuse"]["gap"] == 3
    # and the behaviour follows: near-copies of one text form one narrative at the default threshold,
    # none when nothing short of an identical article joins or merges (every article its own candidate)
    assert sizes == [1] * len(DAYS)
    with open_store(db, load_settings()) as store:
        NarrativesAnalysis().update(store, replace(Settings(), source="defaults"), full=True)
        assert [n for (n,) in store.conn.execute("SELECT size FROM narratives")] == [len(DAYS)]
