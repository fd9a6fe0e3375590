"""`narrascope export --table`: derived tables through the CLI, brought up to date first."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pyarrow.parquet as pq

from conftest import copy_store, run_cli


def test_export_table_updates_and_writes_every_format(db: Path, tmp_path: Path, seeds_once: Path) -> None:
    copy_store(seeds_once, db)  # the seeds ingested with the default pipeline, once for the run
    # No `narrascope graph` run first: export brings the table up to date itself.
    result = run_cli("export", "--db", str(db), "--table", "graph_edges", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert any(r["kind"] == "event" and r["level"] == "state" and (r["source"], r["target"]) == ("USA", "PRK")
               for r in rows)

    parquet = tmp_path / "edges.parquet"
    assert run_cli("export", "--db", str(db), "--table", "graph_edges", "--format", "parquet",
                   "-o", str(parquet)).exit_code == 0
    assert pq.read_table(parquet).num_rows == len(rows)

    gexf = tmp_path / "actors.gexf"
    assert run_cli("export", "--db", str(db), "--table", "graph", "--format", "gexf", "-o", str(gexf)).exit_code == 0
    graph = nx.read_gexf(gexf)
    assert "RUS" in graph and "PRK" in graph


def test_binary_formats_need_a_file_and_unknown_tables_are_named(db: Path, seeds_once: Path) -> None:
    copy_store(seeds_once, db)  # the seeds ingested with the default pipeline, once for the run
    assert run_cli("export", "--db", str(db), "--table", "graph_edges", "--format", "parquet").exit_code == 2
    result = run_cli("export", "--db", str(db), "--table", "nonsense")
    assert result.exit_code == 2 and "NS403" in result.output and "graph_edges" in result.output
