"""Export downloads from the workbench (issue 5): the ``/exports`` page and ``/api/export/...``.

- ``GET /api/export/articles?format=jsonl|csv|stix&<filters>``: the articles the filters select (the
  query parameters of ``/api/articles``, without ``q``), the bytes ``narrascope export
  --format FORMAT`` with the same filters writes, except that a ``source.location`` is reduced to
  its file name as everywhere on the web API (``model.public_location``): no server path is sent.
- ``GET /api/export/tables/{table}?format=jsonl|csv|parquet``: a derived table as stored, and
  ``GET /api/export/tables/graph?format=gexf&level=actor|state``: the actor graph for Gephi.

The server is read-only: tables are exported as the last ``narrascope`` run computed them (the
exports page says when), never brought up to date here, which would write. Each download is
written to a temporary file by a worker thread, sent as an attachment with a generated name, and
the file is deleted once sent (or on an error), so no export is ever held in memory whole
(except STIX, whose bundle the stix2 library builds in memory).
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import tempfile
import threading
from typing import Any
from urllib.parse import urlencode

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse
from starlette.routing import BaseRoute, Route

from .. import api as library
from ..corpus.reading import derived_runs, narratives_page
from ..errors import UsageError
from ..plugins import registry
from ..settings import WebSettings
from ..store import Filters, Store
from ..store.reads import count_articles, existing_tables, table_rows
from .json_api import _ERROR, OPENAPI, _query, filters_from

__all__ = ["ARTICLE_FORMATS", "MEDIA_TYPES", "OPENAPI_PATHS", "ROUTES", "STIX_AT_ONCE",
           "TABLE_FORMATS", "export_url", "filter_names", "table_catalogue"]

#: Article formats, each with its media type and file-name suffix.
ARTICLE_FORMATS: dict[str, tuple[str, str]] = {
    "jsonl": ("application/x-ndjson", "jsonl"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "stix": ("application/stix+json;version=2.1", "stix.json"),
}
#: Table formats (``gexf`` for the actor graph only).
TABLE_FORMATS: dict[str, tuple[str, str]] = {
    "jsonl": ("application/x-ndjson", "jsonl"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "parquet": ("application/vnd.apache.parquet", "parquet"),
    "gexf": ("application/gexf+xml", "gexf"),
}
MEDIA_TYPES = {**{f: m for f, (m, _) in ARTICLE_FORMATS.items()}, **{f: m for f, (m, _) in TABLE_FORMATS.items()}}
GRAPH = "graph"
#: A STIX bundle is built in memory by the stix2 library (5,000 articles: 7 s, 180 MB peak; 20,000:
#: 20 s, 520 MB): selections over the `web.max_stix_articles` setting are refused (400) rather than
#: tying up the server; the CLI has no limit.
#: STIX bundles built at once; another request meanwhile is a 503 (try again), so memory stays bounded.
STIX_AT_ONCE = 2
_STIX_LOCK = threading.Lock()
GRAPH_LEVELS = ("actor", "state")
ROW_FORMATS = ("csv", "jsonl", "parquet")


def filter_names() -> tuple[str, ...]:
    """The query parameters that select articles: the fields of ``Filters`` a request can set."""
    return tuple(f.name for f in dataclasses.fields(Filters) if f.name != "ids")


def kept_filters(request: Request) -> dict[str, str]:
    """The filter parameters of the request that have a value, in ``filter_names`` order."""
    return {name: request.query_params[name].strip() for name in filter_names()
            if request.query_params.get(name, "").strip()}


def export_url(kind: str, format: str, filters: dict[str, str] | None = None, **extra: str) -> str:
    """The download URL: ``kind`` is "articles" or a table name."""
    path = "/api/export/articles" if kind == "articles" else f"/api/export/tables/{kind}"
    return f"{path}?{urlencode({'format': format, **extra, **(filters or {})})}"


def _format(request: Request, allowed: tuple[str, ...] | list[str], default: str) -> str:
    value = request.query_params.get("format") or default
    if value not in allowed:
        raise HTTPException(400, f"format must be one of: {', '.join(allowed)}")
    return value


def _table_names() -> dict[str, str]:
    """Registered derived table -> the analysis that writes it."""
    return {spec.name: analysis.name for analysis in registry().analyses.values() for spec in analysis.tables}


def table_catalogue(store: Store) -> list[dict[str, Any]]:
    """Every registered derived table: its analysis, rows, and when the analysis last computed it."""
    existing = existing_tables(store)
    computed = derived_runs(store)
    rows = []
    for analysis in sorted(registry().analyses.values(), key=lambda a: a.name):
        at, version, articles = computed.get(analysis.name, (None, None, None))
        for spec in analysis.tables:
            count = None
            if spec.name in existing:
                count = table_rows(store, spec.name)
            rows.append({"name": spec.name, "doc": spec.doc, "analysis": analysis.name, "rows": count,
                         "computed_at": at, "version": version, "articles": articles,
                         "downloads": {f: export_url(spec.name, f) for f in ROW_FORMATS} if count is not None else {}})
    return rows


async def _send(request: Request, write: Any, *, media_type: str, filename: str) -> FileResponse:
    """Run ``write(store, path)`` on a temporary file in a worker thread; send it, then delete it."""
    handle, temporary = tempfile.mkstemp(prefix="narrascope-export-", suffix=".tmp")
    os.close(handle)

    def run() -> None:
        with request.app.state.store.open() as store:
            write(store, temporary)

    try:
        await run_in_threadpool(run)
    except BaseException:
        os.unlink(temporary)
        raise
    return FileResponse(temporary, media_type=media_type, filename=filename,
                        background=BackgroundTask(os.unlink, temporary),
                        headers={"cache-control": "no-store"})


def stix_limit(request: Request) -> int:
    return int(request.app.state.web.max_stix_articles)


def stix_slots(request: Request) -> threading.BoundedSemaphore:
    """The app's STIX build slots (made on first use)."""
    with _STIX_LOCK:
        slots = getattr(request.app.state, "stix_slots", None)
        if slots is None:
            slots = request.app.state.stix_slots = threading.BoundedSemaphore(STIX_AT_ONCE)
        return slots


async def articles_download(request: Request) -> FileResponse:
    fmt = _format(request, tuple(ARTICLE_FORMATS), "jsonl")
    filters = filters_from(request)
    media_type, suffix = ARTICLE_FORMATS[fmt]
    if fmt == "stix":
        with request.app.state.store.open() as store:
            selected = await run_in_threadpool(count_articles, store, filters)
        if selected > stix_limit(request):
            raise HTTPException(400, f"A STIX bundle from the server holds at most {stix_limit(request):,} articles;"
                                     f" this selection has {selected:,}. Narrow the filters, or use"
                                     " `narrascope export --format stix`.")

    def write(store: Store, path: str) -> None:
        with open(path, "w", encoding="utf-8", newline="") as stream:
            library.export(stream, format=fmt, filters=filters, store=store, public_locations=True)

    if fmt != "stix":
        return await _send(request, write, media_type=media_type, filename=f"narrascope-articles.{suffix}")
    slots = stix_slots(request)
    if not slots.acquire(blocking=False):
        raise HTTPException(503, "Other STIX bundles are being built: try again in a moment.",
                            headers={"retry-after": "10"})
    try:
        return await _send(request, write, media_type=media_type, filename=f"narrascope-articles.{suffix}")
    finally:
        slots.release()


async def table_download(request: Request) -> FileResponse:
    name = request.path_params["table"]
    tables = _table_names()
    if name != GRAPH and name not in tables:
        raise HTTPException(404, "No derived table by this name.")
    if name == GRAPH:
        fmt = _format(request, ("gexf",), "gexf")
        level = request.query_params.get("level") or "actor"
        if level not in GRAPH_LEVELS:
            raise HTTPException(400, f"level must be one of: {', '.join(GRAPH_LEVELS)}")
    else:
        fmt = _format(request, ROW_FORMATS, "csv")
        level = "actor"
    media_type, suffix = TABLE_FORMATS[fmt]

    def write(store: Store, path: str) -> None:
        source = "graph_edges" if name == GRAPH else name
        if source not in existing_tables(store):
            raise HTTPException(404, f"Table {source} is not in this store (its analysis never ran).")
        if name == GRAPH:
            from ..corpus.table_writers import write_actor_gexf

            with open(path, "wb") as stream:
                write_actor_gexf(store, stream, level=level)
            return
        with open(path, "wb") as stream:
            library.export_table(name, stream, format=fmt, refresh=False, store=store,
                                 settings=request.app.state.settings)

    filename = f"narrascope-{'actor-graph' if name == GRAPH else name}"
    filename += f"-{level}" if name == GRAPH and level != "actor" else ""
    try:
        return await _send(request, write, media_type=media_type, filename=f"{filename}.{suffix}")
    except sqlite3.OperationalError as e:  # a plugin's table whose columns the store does not have
        raise UsageError(f"table {name} cannot be read from this store") from e


def _narratives(store: Store, limit: int = 50) -> list[dict[str, Any]]:
    """The largest narratives, each with links to its member articles (``narrative`` filter) as STIX and JSONL."""
    if "narratives" not in existing_tables(store):
        return []
    page = narratives_page(store, status="all", sort="size", limit=limit)
    return [{"id": n["id"], "label": n["label"] or f"narrative {n['id']}", "size": n["size"],
             "first_seen": n["first_seen"], "last_seen": n["last_seen"],
             "stix": export_url("articles", "stix", {"narrative": str(n["id"])}),
             "jsonl": export_url("articles", "jsonl", {"narrative": str(n["id"])})}
            for n in page["items"]]


def exports_view(request: Request) -> HTMLResponse:
    filters = filters_from(request)  # a bad date is a 400 here too, before any link is made
    kept = kept_filters(request)
    with request.app.state.store.open() as store:
        selected = count_articles(store, filters)
        tables = table_catalogue(store)
        graph = next((t for t in tables if t["name"] == "graph_edges"), None)
        narratives = _narratives(store) if "narrative" in filter_names() else []
    articles = [{"format": fmt, "url": export_url("articles", fmt, kept), "media_type": media}
                for fmt, (media, _suffix) in ARTICLE_FORMATS.items()
                if fmt != "stix" or selected <= stix_limit(request)]
    graphs = [{"level": level, "url": export_url(GRAPH, "gexf", level=level)} for level in GRAPH_LEVELS] \
        if graph and graph["computed_at"] else []
    html = request.app.state.templates.get_template("exports.html").render(
        writable=request.app.state.write_token is not None, filters=kept, selected=selected, articles=articles,
        tables=tables, graph=graph, graphs=graphs, narratives=narratives, stix_limit=stix_limit(request),
        search_url="/?" + urlencode(kept) if kept else "/")
    return HTMLResponse(html)


ROUTES: list[BaseRoute] = [
    Route("/exports", exports_view, methods=["GET"]),
    Route("/api/export/articles", articles_download, methods=["GET"]),
    Route("/api/export/tables/{table}", table_download, methods=["GET"]),
]

#: The selection parameters of /api/articles (its filters, without q and paging).
_FILTERS = [p for p in OPENAPI["paths"]["/api/articles"]["get"]["parameters"] if p["name"] not in ("q", "limit", "offset")]


def _download(description: str, media: list[str]) -> dict[str, Any]:
    return {"description": description + " (Content-Disposition: attachment).",
            "content": {m: {"schema": {"type": "string", "format": "binary"}} for m in media}}


OPENAPI_PATHS: dict[str, Any] = {
    "/api/export/articles": {"get": {
        "summary": "Download the selected articles (the filters of /api/articles) as JSONL (SCHEMA.md records), CSV (flat fields) or a STIX 2.1 bundle:"
                   " the bytes `narrascope export` writes, with each source location reduced to its file name.",
        "parameters": [_query("format", "jsonl, csv or stix.", {"type": "string", "enum": list(ARTICLE_FORMATS),
                                                              "default": "jsonl"}), *_FILTERS],
        "responses": {"200": _download("The export", [m for m, _ in ARTICLE_FORMATS.values()]),
                      "400": {**_ERROR, "description": "A bad format or filter, or a STIX selection over"
                                                       " the setting web.max_stix_articles"
                                                       f" ({WebSettings().max_stix_articles:,} by default)."},
                      "503": {**_ERROR, "description": f"{STIX_AT_ONCE} STIX bundles are being built: retry."}}}},
    "/api/export/tables/{table}": {"get": {
        "summary": "Download a derived table as stored (never recomputed by the server; see /exports for when it"
                   " was computed) as CSV, JSONL or Parquet; table `graph`: the actor graph as GEXF.",
        "parameters": [
            {"name": "table", "in": "path", "required": True, "description": "A registered derived table"
             " (reuse_pairs, narratives, graph_edges, timeline...) or graph.",
             "schema": {"type": "string", "pattern": "^[a-z_]+$"}},
            _query("format", "csv, jsonl or parquet (tables); gexf (graph).",
                   {"type": "string", "enum": list(TABLE_FORMATS)}),
            _query("level", "graph only: actor or state.", {"type": "string", "enum": list(GRAPH_LEVELS),
                                                            "default": "actor"}),
        ],
        "responses": {"200": _download("The table", [m for m, _ in TABLE_FORMATS.values()]), "400": _ERROR,
                      "404": _ERROR}}},
}
