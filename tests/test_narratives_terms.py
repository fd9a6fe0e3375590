"""Narrative labels depend on the corpus only: no process-wide state carries terms from one run to the next.

Two lemmas of different corpora can share a feature bucket (crc32 modulo 2**20). A narrative's label
names each heavy bucket by the first term the run saw for it; if that memory were process-wide, a
process that first clustered another corpus would label this one with the other corpus's word.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

from conftest import ROOT, run_cli
from narrascope.corpus.narratives_model import N_FEATURES, _lemma

# Two words in one feature bucket: "classified" only in corpus A, "decay" the heaviest word of corpus B.
OTHER, OWN = "classified", "decay"

A_TEXT = ("The ministry said the classified files were moved. Officials kept the classified report from the public, "
          "and the classified annex stayed sealed while reporters asked about classified budgets and classified "
          "briefings held in the capital during the week of the hearing.")
B_TEXT = ("Engineers found decay in the old river bridge. The decay of its steel beams worried the town council, "
          "which said the decay had spread to the piers; inspectors measured decay along the deck and ordered repairs "
          "before the decay closes the crossing to lorries and buses.")

SCRIPT = """
import json, sys
from click.testing import CliRunner
from narrascope.cli import cli

out = None
for db in sys.argv[1:]:   # the stores, one after another, in this one process
    result = CliRunner().invoke(cli, ["narratives", "--db", db, "--json", "--all"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
print(json.dumps([[n["id"], n["label"], n["terms"]] for n in out["list"]]))
"""


def _store(tmp_path: Path, name: str, text: str, days: list[str]) -> Path:
    config = tmp_path / "light.toml"
    config.write_text('[pipeline]\nstages = ["genre"]\n[budget]\nitem_seconds = 0\nitem_memory_mb = 0\n')
    source = tmp_path / f"{name}.jsonl"
    source.write_text("".join(json.dumps({"url": f"https://example.org/{name}/{i}", "title": text[:50],
                                          "published": day, "text": f"{text} Report {name} {i}."}) + "\n"
                              for i, day in enumerate(days)), encoding="utf-8")
    db = tmp_path / f"{name}.db"
    result = run_cli("--config", str(config), "ingest", str(source), "--db", str(db))
    assert result.exit_code == 0, result.output
    return db


def _labels(*dbs: Path) -> list[list[object]]:
    done = subprocess.run([sys.executable, "-c", SCRIPT, *map(str, dbs)], capture_output=True, text=True,
                          check=True, cwd=ROOT, timeout=300)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_labels_are_the_same_in_a_fresh_process_and_after_another_corpus(tmp_path: Path) -> None:
    # the premise: the two words are lemmas of their own and share a bucket
    assert _lemma(OTHER) == OTHER and _lemma(OWN) == OWN
    assert zlib.crc32(OTHER.encode()) % N_FEATURES == zlib.crc32(OWN.encode()) % N_FEATURES
    days = ["2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07"]
    other = _store(tmp_path, "other", A_TEXT, days)
    own = _store(tmp_path, "own", B_TEXT, days)
    fresh_copy, after_copy = tmp_path / "fresh.db", tmp_path / "after.db"
    shutil.copy(own, fresh_copy)
    shutil.copy(own, after_copy)

    fresh = _labels(fresh_copy)
    after_other = _labels(other, after_copy)
    assert fresh and any(OWN in terms for _id, _label, terms in fresh)  # the word is a key term of its narrative
    assert after_other == fresh
    assert not any(OTHER in terms for _id, _label, terms in after_other)
