"""Writers for derived tables: ``narrascope export --table NAME --format jsonl|csv|parquet|gexf``.

Generic over every table a corpus analysis declares (``TableSpec``): rows come from
``iter_table`` in documented column order.

* ``jsonl``: one JSON object per row; JSON columns as JSON values.
* ``csv``: a header of the documented columns; JSON columns serialised as JSON text.
* ``parquet``: one file (pyarrow); TEXT -> string, INTEGER -> int64, REAL -> float64, JSON -> string
  holding the JSON text (nested shapes differ row to row, so they stay text).
* ``gexf``: GEXF 1.3 for Gephi, for graph tables only: ``graph``, ``graph_nodes`` or ``graph_edges``
  write the actor graph (``level`` actor or state, optional ``kinds`` and ``GraphFilters``); any other
  table whose analysis declares a (nodes, edges) pair with ``graph_role`` is written from those two
  tables (node id: column ``id`` or the first column; edges: ``source``, ``target``, ``weight``).
"""

from __future__ import annotations

import io
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

from ..errors import UsageError
from ..exporters.csv import CsvRows
from . import TableSpec, iter_table, table_spec

if TYPE_CHECKING:
    from ..store import Store
    from .graph import ActorGraph, GraphFilters

__all__ = ["TABLE_FORMATS", "export_table", "write_csv", "write_gexf", "write_graph_gexf", "write_jsonl", "write_parquet"]

TABLE_FORMATS = ("jsonl", "csv", "parquet", "gexf")
GRAPH_TABLES = ("graph", "graph_nodes", "graph_edges")
GEXF_NS = "http://gexf.net/1.3"
GEXF_TYPES = {"TEXT": "string", "INTEGER": "long", "REAL": "double", "JSON": "string"}

Out = str | os.PathLike[str] | IO[str] | IO[bytes]


@contextmanager
def _open(out: Out, *, binary: bool) -> Iterator[Any]:
    """A stream for ``out``: a path is opened (and closed), a stream is used as is (its byte buffer if binary)."""
    if isinstance(out, str | os.PathLike):
        if binary:
            with open(out, "wb") as fb:
                yield fb
        else:
            with open(out, "w", encoding="utf-8", newline="") as ft:
                yield ft
    elif binary:
        yield getattr(out, "buffer", out)
    elif isinstance(out, io.BufferedIOBase | io.RawIOBase):
        wrapper = io.TextIOWrapper(out, encoding="utf-8", newline="")
        try:
            yield wrapper
        finally:
            wrapper.flush()
            wrapper.detach()  # the caller's stream stays open
    else:
        yield out


def _json_text(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if value is not None else None


def write_jsonl(spec: TableSpec, rows: Iterable[dict[str, Any]], stream: IO[str]) -> int:
    count = 0
    for row in rows:
        stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(spec: TableSpec, rows: Iterable[dict[str, Any]], stream: IO[str], *, raw: bool = False) -> int:
    """CSV with a header; text cells a spreadsheet would run as formulas neutralised unless ``raw``
    (``exporters.csv.CsvRows``), fields with a CR or LF quoted."""
    json_columns = [c.name for c in spec.columns if c.type == "JSON"]
    writer = CsvRows(stream, [c.name for c in spec.columns], raw=raw)
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({**row, **{name: _json_text(row[name]) for name in json_columns}})
        count += 1
    return count


def write_parquet(spec: TableSpec, rows: Iterable[dict[str, Any]], stream: IO[bytes], *,
                  batch_rows: int = 50_000) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ModuleNotFoundError as e:
        raise UsageError("parquet export needs pyarrow: pip install pyarrow") from e
    types = {"TEXT": pa.string(), "INTEGER": pa.int64(), "REAL": pa.float64(), "JSON": pa.string()}
    schema = pa.schema([pa.field(c.name, types[c.type], metadata={"doc": c.doc, "narrascope_type": c.type})
                        for c in spec.columns], metadata={"table": spec.name, "doc": spec.doc})
    json_columns = {c.name for c in spec.columns if c.type == "JSON"}
    count = 0
    with pq.ParquetWriter(stream, schema) as writer:
        batch: dict[str, list[Any]] = {c.name: [] for c in spec.columns}

        def flush() -> None:
            writer.write_table(pa.table(batch, schema=schema))
            for values in batch.values():
                values.clear()

        for row in rows:
            for name, values in batch.items():
                values.append(_json_text(row[name]) if name in json_columns else row[name])
            count += 1
            if count % batch_rows == 0:
                flush()
        if count % batch_rows or count == 0:
            flush()
    return count


#: Characters XML 1.0 does not allow (C0 controls but tab, LF and CR; lone surrogates; U+FFFE, U+FFFF).
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: Any) -> str:
    """``value`` as text XML can carry: each character XML 1.0 forbids becomes U+FFFD."""
    return XML_INVALID.sub("\ufffd", str(value))


def _gexf_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return xml_text(json.dumps(value, ensure_ascii=False))
    return xml_text(value)


def write_gexf(nodes: Iterable[dict[str, Any]], edges: Iterable[dict[str, Any]], stream: IO[bytes], *,
               node_attributes: Iterable[tuple[str, str]], edge_attributes: Iterable[tuple[str, str]],
               label: str = "name", mutual: Callable[[dict[str, Any]], bool] | None = None,
               description: str = "") -> tuple[int, int]:
    """Write a directed GEXF 1.3 graph; attributes are (column, GEXF type) pairs; null values are left out.

    Ids, labels and values are written as XML can carry them (``xml_text``): a control character
    or a lone surrogate in an actor's name becomes U+FFFD, never an unreadable file.

    Nodes need ``id``; edges ``source``, ``target`` and optionally ``weight``. An edge for which
    ``mutual(edge)`` is true (co-mentions) gets ``type="mutual"``.
    """
    node_attributes, edge_attributes = list(node_attributes), list(edge_attributes)
    ET.register_namespace("", GEXF_NS)
    root = ET.Element(f"{{{GEXF_NS}}}gexf", {"version": "1.3"})
    meta = ET.SubElement(root, f"{{{GEXF_NS}}}meta")
    ET.SubElement(meta, f"{{{GEXF_NS}}}creator").text = "narrascope"
    ET.SubElement(meta, f"{{{GEXF_NS}}}description").text = xml_text(description)
    graph = ET.SubElement(root, f"{{{GEXF_NS}}}graph", {"defaultedgetype": "directed", "mode": "static"})
    for cls, attributes in (("node", node_attributes), ("edge", edge_attributes)):
        element = ET.SubElement(graph, f"{{{GEXF_NS}}}attributes", {"class": cls, "mode": "static"})
        for index, (name, gexf_type) in enumerate(attributes):
            ET.SubElement(element, f"{{{GEXF_NS}}}attribute", {"id": str(index), "title": name, "type": gexf_type})

    def attvalues(parent: ET.Element, row: dict[str, Any], attributes: list[tuple[str, str]]) -> None:
        values = ET.SubElement(parent, f"{{{GEXF_NS}}}attvalues")
        for index, (name, _type) in enumerate(attributes):
            if row.get(name) is not None:
                ET.SubElement(values, f"{{{GEXF_NS}}}attvalue", {"for": str(index), "value": _gexf_value(row[name])})

    nodes_element = ET.SubElement(graph, f"{{{GEXF_NS}}}nodes")
    n_nodes = 0
    for node in nodes:
        element = ET.SubElement(nodes_element, f"{{{GEXF_NS}}}node",
                                {"id": xml_text(node["id"]), "label": xml_text(node.get(label) or node["id"])})
        attvalues(element, node, node_attributes)
        n_nodes += 1
    edges_element = ET.SubElement(graph, f"{{{GEXF_NS}}}edges")
    n_edges = 0
    for edge in edges:
        attrs = {"id": str(n_edges), "source": xml_text(edge["source"]), "target": xml_text(edge["target"])}
        if edge.get("weight") is not None:
            attrs["weight"] = repr(float(edge["weight"]))
        if mutual is not None and mutual(edge):
            attrs["type"] = "mutual"
        element = ET.SubElement(edges_element, f"{{{GEXF_NS}}}edge", attrs)
        attvalues(element, edge, edge_attributes)
        n_edges += 1
    ET.indent(root)
    ET.ElementTree(root).write(stream, encoding="utf-8", xml_declaration=True)
    return n_nodes, n_edges


#: Attributes of the actor graph in GEXF: node and edge columns (weight is the edge's own attribute).
ACTOR_NODE_ATTRIBUTES = (("name", "string"), ("kind", "string"), ("country", "string"), ("mentions", "long"),
                         ("articles", "long"), ("first_seen", "string"), ("last_seen", "string"))
ACTOR_EDGE_ATTRIBUTES = (("kind", "string"), ("type", "string"), ("score", "double"), ("polarity", "double"),
                         ("count", "long"), ("negated", "long"), ("hypothetical", "long"), ("articles", "long"),
                         ("first_seen", "string"), ("last_seen", "string"))


def write_actor_gexf(store: Store, stream: IO[bytes], *, level: str = "actor", kinds: Iterable[str] | None = None,
                     filters: GraphFilters | None = None, min_weight: float = 0.0) -> tuple[int, int]:
    from .graph import GraphFilters, actor_graph

    graph = actor_graph(store, level=level, kinds=kinds, filters=filters or GraphFilters(), min_weight=min_weight)
    return write_graph_gexf(graph, stream)


def write_graph_gexf(graph: ActorGraph, stream: IO[bytes]) -> tuple[int, int]:
    """An ``ActorGraph`` as GEXF 1.3; co-mention edges are ``mutual``."""
    level = graph.level
    return write_gexf(graph.nodes, graph.edges, stream, node_attributes=ACTOR_NODE_ATTRIBUTES,
                      edge_attributes=ACTOR_EDGE_ATTRIBUTES, mutual=lambda e: e["kind"] == "comention",
                      description=f"narrascope actor graph, {level} level")


def _generic_gexf(store: Store, name: str, stream: IO[bytes]) -> int:
    analysis, spec = table_spec(name)
    roles = {s.graph_role: s for s in analysis.tables if s.graph_role}
    if "nodes" not in roles or "edges" not in roles:
        raise UsageError(f"--format gexf is for graph tables; {name!r} is not one (try --table graph)")
    node_spec, edge_spec = roles["nodes"], roles["edges"]
    node_id = "id" if any(c.name == "id" for c in node_spec.columns) else node_spec.columns[0].name
    nodes = ({**row, "id": row[node_id]} for row in iter_table(store, node_spec.name))
    node_attributes = [(c.name, GEXF_TYPES[c.type]) for c in node_spec.columns if c.name != node_id]
    edge_attributes = [(c.name, GEXF_TYPES[c.type]) for c in edge_spec.columns
                       if c.name not in ("source", "target", "weight")]
    label = next((c for c in ("name", "label") if any(col.name == c for col in node_spec.columns)), node_id)
    _, n_edges = write_gexf(nodes, iter_table(store, edge_spec.name), stream, node_attributes=node_attributes,
                            edge_attributes=edge_attributes, label=label, description=f"narrascope {analysis.name}")
    return n_edges


def export_table(store: Store, name: str, fmt: str, out: Out, *, level: str = "actor",
                 kinds: Iterable[str] | None = None, filters: GraphFilters | None = None, raw: bool = False) -> int:
    """Write derived table ``name`` to ``out`` (a path or a stream) as ``fmt``; return the rows (gexf: edges) written.

    ``level``, ``kinds`` and ``filters`` apply to the actor graph in GEXF only; ``raw`` to CSV only.
    """
    if fmt not in TABLE_FORMATS:
        raise UsageError(f"unknown table format {fmt!r}; formats: {', '.join(TABLE_FORMATS)}")
    if fmt == "gexf":
        with _open(out, binary=True) as stream:
            if name in GRAPH_TABLES:
                return write_actor_gexf(store, stream, level=level, kinds=kinds, filters=filters)[1]
            return _generic_gexf(store, name, stream)
    if name == "graph":
        raise UsageError("--table graph is the actor graph in GEXF; for rows use --table graph_nodes or graph_edges")
    _analysis, spec = table_spec(name)
    rows = iter_table(store, name)
    if fmt == "parquet":
        with _open(out, binary=True) as stream:
            return write_parquet(spec, rows, stream)
    with _open(out, binary=False) as stream:
        if fmt == "csv":
            return write_csv(spec, rows, stream, raw=raw)
        return write_jsonl(spec, rows, stream)
