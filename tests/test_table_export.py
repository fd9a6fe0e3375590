"""Derived-table export round trips: jsonl, csv, parquet carry the documented columns and values;
gexf only for graph tables."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import run_cli
from narrascope.corpus import iter_table, table_spec
from narrascope.corpus.graph import GraphAnalysis
from narrascope.corpus.table_writers import export_table
from narrascope.corpus.timelines import TimelineAnalysis
from narrascope.errors import UsageError
from narrascope.settings import load_settings
from narrascope.store import open_store

FILLER = ("\n\nOfficials said the talks would continue over the coming months, and both governments described"
          " the outcome of the negotiations as a sign of a lasting and practical working relationship.")
ARTICLES = [
    {"url": "https://alpha.example/1", "title": "One", "outlet": "Alpha", "published": "2024-01-08",
     "text": "Russia and China signed a trade agreement." + FILLER},
    {"url": "https://beta.example/2", "title": "Two", "outlet": "Beta", "published": "2024-01-10",
     "text": "Germany and France held talks on Wednesday." + FILLER},
]
TABLES = ("timeline", "graph_nodes", "graph_edges", "graph_edge_evidence", "graph_mentions")


@pytest.fixture
def store_db(tmp_path: Path, db: Path) -> Path:
    config = tmp_path / "actors-only.toml"
    config.write_text('[pipeline]\nstages = ["language", "genre", "actors"]\n')
    source = tmp_path / "articles.jsonl"
    source.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES))
    assert run_cli("--config", str(config), "ingest", str(source), "--db", str(db)).exit_code == 0
    with open_store(db) as store:
        GraphAnalysis().update(store, load_settings())
        TimelineAnalysis().update(store, load_settings())
    return db


def normalise(value: object) -> object:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


@pytest.mark.parametrize("table", TABLES)
def test_round_trips_keep_documented_columns(store_db: Path, tmp_path: Path, table: str) -> None:
    with open_store(store_db) as store:
        _analysis, spec = table_spec(table)
        columns = [c.name for c in spec.columns]
        json_columns = {c.name for c in spec.columns if c.type == "JSON"}
        expected = list(iter_table(store, table))
        assert expected, f"{table} is empty"
        assert export_table(store, table, "jsonl", tmp_path / "t.jsonl") == len(expected)
        assert export_table(store, table, "csv", tmp_path / "t.csv") == len(expected)
        assert export_table(store, table, "parquet", tmp_path / "t.parquet") == len(expected)
    jsonl = [json.loads(line) for line in (tmp_path / "t.jsonl").read_text().splitlines()]
    assert jsonl == expected and all(list(row) == columns for row in jsonl)
    with (tmp_path / "t.csv").open(newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == columns
        rows = list(reader)
    for got, want in zip(rows, expected, strict=True):
        for name in columns:
            if name in json_columns:
                assert json.loads(got[name]) == want[name]
            elif want[name] is None:
                assert got[name] == ""
            else:
                assert normalise(type(want[name])(got[name])) == normalise(want[name])
    parquet = pq.read_table(tmp_path / "t.parquet")
    assert parquet.column_names == columns
    types = {"TEXT": "string", "INTEGER": "int64", "REAL": "double", "JSON": "string"}
    assert [str(parquet.schema.field(c.name).type) for c in spec.columns] == [types[c.type] for c in spec.columns]
    assert parquet.schema.field(columns[0]).metadata[b"doc"].decode() == spec.columns[0].doc
    for got, want in zip(parquet.to_pylist(), expected, strict=True):
        for name in columns:
            assert (json.loads(got[name]) if name in json_columns and got[name] is not None else got[name]) \
                == want[name]


def test_streams_and_gexf_only_for_graphs(store_db: Path, tmp_path: Path) -> None:
    with open_store(store_db) as store:
        text = io.StringIO()
        n = export_table(store, "timeline", "jsonl", text)
        assert n == len(text.getvalue().splitlines()) > 0
        binary = io.BytesIO()
        assert export_table(store, "graph_edges", "csv", binary) == n_edges(store)
        assert binary.getvalue().startswith(b"level,kind,type,source,target,")
        gexf = io.BytesIO()
        assert export_table(store, "graph", "gexf", gexf, level="state") == 2  # CHN--RUS, DEU--FRA
        assert b'version="1.3"' in gexf.getvalue() and b'type="mutual"' in gexf.getvalue()
        with pytest.raises(UsageError, match="graph tables"):
            export_table(store, "timeline", "gexf", io.BytesIO())
        with pytest.raises(UsageError, match="unknown table format"):
            export_table(store, "timeline", "xlsx", io.BytesIO())
        with pytest.raises(UsageError, match="unknown table"):
            export_table(store, "nope", "jsonl", io.StringIO())


def n_edges(store) -> int:
    return store.conn.execute("SELECT COUNT(*) FROM graph_edges").fetchone()[0]
