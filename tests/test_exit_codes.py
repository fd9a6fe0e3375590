"""Exit codes and output streams of the CLI (issue 11): NS403, a bad option value, exits 2 everywhere.

``timelines`` and ``graph`` with a bad ``--since`` and ``export --format parquet`` of articles
exited 1; ``graph --gexf FILE`` also printed the heaviest edges on standard output.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import copy_store, run_cli


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, seeds_once: Path) -> Path:
    db = tmp_path_factory.mktemp("exit") / "seeds.db"
    copy_store(seeds_once, db)  # the seeds ingested with the default pipeline, once for the run
    return db


BAD_OPTION_VALUES = [
    ("timelines", "--since", "yesterday"),
    ("timelines", "--until", "2020-13"),
    ("graph", "--since", "2020-13"),
    ("graph", "--until", "nope"),
    ("export", "--format", "parquet"),
    ("export", "--format", "gexf"),
    ("export", "--table", "graph_edges", "--format", "bogus"),
    ("list", "--since", "x"),
    ("search", "talks", "--until", "2020-02-30"),
]


@pytest.mark.parametrize("args", BAD_OPTION_VALUES)
def test_a_bad_option_value_exits_2_with_its_code(seeded: Path, args: tuple[str, ...]) -> None:
    result = run_cli(*args, "--db", str(seeded))
    assert result.exit_code == 2, result.output
    assert "NS403" in result.stderr and "Traceback" not in result.output
    assert result.stdout == ""


def test_parquet_of_articles_names_the_way_to_a_table(seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "articles.parquet"
    result = run_cli("export", "--format", "parquet", "-o", str(out), "--db", str(seeded))
    assert result.exit_code == 2 and "--table" in result.stderr
    assert not out.exists()


def test_other_errors_still_exit_1(seeded: Path, tmp_path: Path) -> None:
    assert run_cli("show", "ffffffff", "--db", str(seeded)).exit_code == 1  # NS402 unknown id
    assert run_cli("list", "--db", str(tmp_path / "none.db")).exit_code == 1  # NS501 no store


def test_graph_gexf_writes_only_the_file(seeded: Path, tmp_path: Path) -> None:
    printed = run_cli("graph", "--db", str(seeded))
    assert printed.exit_code == 0 and printed.stdout.strip()  # edges are printed without --gexf
    out = tmp_path / "graph.gexf"
    result = run_cli("graph", "--db", str(seeded), "--gexf", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "written to" in result.stderr
    root = ET.parse(out).getroot()
    assert root.tag.endswith("gexf") and len(root.findall(".//{http://gexf.net/1.3}edge")) > 0
