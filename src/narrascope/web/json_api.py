"""The JSON API under ``/api/``, described by ``OPENAPI`` (served at ``/api/openapi.json``).

Each endpoint calls the same store functions as the CLI, on a read-only connection. The ingest
endpoint is the one writer: it exists only when the server has a write token.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Message

from ..ingest import IngestReport, ingest_bytes
from ..model import public_location, public_reason
from ..store import Filters, narrative_id
from ..version import __version__
from .queries import ACTOR_ID, ARTICLE_ID, actor_profile, list_page, search_page, stats
from .writes import authorized_body, token_matches

__all__ = ["LIMIT_PARAM", "OFFSET_PARAM", "OPENAPI", "ROUTES", "UPLOAD_FORM", "actor_id_param", "article_id_param", "path_param", "filters_from", "int_param", "paging",
           "public_location", "public_reason", "receive_upload", "report_for_web", "run_ingest", "text_param"]

MAX_TEXT_PARAM = 500


def text_param(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    if value is None or not value.strip():
        return None
    if len(value) > MAX_TEXT_PARAM:
        raise HTTPException(400, f"{name} is longer than {MAX_TEXT_PARAM} characters")
    return value.strip()


def int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
        raise HTTPException(400, f"{name} must be a whole number")
    value = int(raw)
    if not low <= value <= high:
        raise HTTPException(400, f"{name} must be between {low} and {high}")
    return value


def filters_from(request: Request) -> Filters:
    """The CLI's filters from query parameters; a bad date or narrative id is a UsageError (400)."""
    narrative = text_param(request, "narrative")
    versions = request.query_params.get("all_versions") or "0"
    if versions not in ("0", "1", "true", "false"):
        raise HTTPException(400, "all_versions must be 0, 1, true or false")
    return Filters(outlet=text_param(request, "outlet"), language=text_param(request, "language"),
                   genre=text_param(request, "genre"), since=text_param(request, "since"),
                   until=text_param(request, "until"), all_versions=versions in ("1", "true"),
                   actor=text_param(request, "actor"), state=text_param(request, "state"),
                   technique=text_param(request, "technique"), topic=text_param(request, "topic"),
                   narrative=None if narrative is None else narrative_id(narrative, option="narrative"))


def paging(request: Request) -> tuple[int, int]:
    web = request.app.state.web
    return (int_param(request, "limit", web.page_size, 1, web.max_page_size),
            int_param(request, "offset", 0, 0, web.max_offset))


def path_param(request: Request, name: str, pattern: re.Pattern[str], not_found: str) -> str:
    """The path parameter ``name`` if it matches ``pattern`` whole; otherwise a 404 saying ``not_found``,
    so a traversal or injection attempt never reaches a query."""
    value = str(request.path_params[name])
    if not pattern.fullmatch(value):
        raise HTTPException(404, not_found)
    return value


def article_id_param(request: Request) -> str:
    return path_param(request, "article_id", ARTICLE_ID, "No article with this id.")


def actor_id_param(request: Request) -> str:
    return path_param(request, "actor_id", ACTOR_ID, "No actor with this id.")


def articles_endpoint(request: Request) -> JSONResponse:
    filters = filters_from(request)
    limit, offset = paging(request)
    query = text_param(request, "q")
    with request.app.state.store.open() as store:
        page = search_page(store, query, filters, limit=limit, offset=offset,
                                rank_limit=request.app.state.web.search_rank_limit or None) if query else \
            list_page(store, filters, limit=limit, offset=offset)
    return JSONResponse({**page.to_dict(), "q": query})


def article_endpoint(request: Request) -> JSONResponse:
    article_id = article_id_param(request)
    with request.app.state.store.open() as store:
        article = store.get_article(article_id)
    record = article.to_record()
    record["source"] = {**record["source"], "location": public_location(str(record["source"].get("location", "")))}
    return JSONResponse(record)


def requested_actor(request: Request) -> dict[str, Any]:
    """The profile of the actor the request names (page and API alike); 404 when there is none.

    With the sections of ``actor_view.actor_sections``; ``?level=state`` draws the neighbourhood
    among states (400 for any other level than actor or state).
    """
    from .actor_view import LEVELS, actor_sections

    actor_id = actor_id_param(request)
    level = request.query_params.get("level") or "actor"
    if level not in LEVELS:
        raise HTTPException(400, f"level must be one of: {', '.join(LEVELS)}")
    with request.app.state.store.open() as store:
        profile = actor_profile(store, actor_id, limit=request.app.state.web.actor_articles,
                                scan_window=request.app.state.web.actor_scan_window)
        if profile is None:
            raise HTTPException(404, "No actor with this id.")
        profile.update(actor_sections(store, profile, level=level))
    return profile


def actor_endpoint(request: Request) -> JSONResponse:
    return JSONResponse(requested_actor(request))


def stats_endpoint(request: Request) -> JSONResponse:
    with request.app.state.store.open() as store:
        info = stats(store)
    info["writable"] = request.app.state.write_token is not None
    info["narrascope"] = __version__
    return JSONResponse(info)


def openapi_endpoint(request: Request) -> JSONResponse:
    return JSONResponse(openapi_document())


def openapi_document() -> dict[str, Any]:
    """``OPENAPI`` plus the paths the other route modules describe (``OPENAPI_PATHS``)."""
    import importlib

    from .app import ROUTE_MODULES

    paths = dict(OPENAPI["paths"])
    for name in ROUTE_MODULES:
        paths.update(getattr(importlib.import_module(f".{name}", __package__), "OPENAPI_PATHS", {}))
    return {**OPENAPI, "paths": paths}


# -- ingest ----------------------------------------------------------------------------------

UPLOAD_NAME = re.compile(r"[^\w.\-]+")


def _token_matches(given: str, expected: str) -> bool:
    return token_matches(given, expected)


async def receive_upload(request: Request) -> tuple[str, bytes]:
    """Check the write (``writes.authorized_body``: no other site, the token before the body, the
    size) and take the uploaded file or pasted text: (name, bytes).

    The token comes in ``Authorization: Bearer TOKEN`` or, from the ingest page's form, a ``token``
    field first in the form. No token configured: 403; none given: 401; a wrong one: 403; a body
    over ``web.max_upload_bytes``: 413.
    """
    body = await authorized_body(request, request.app.state.web.max_upload_bytes)
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async with Request(request.scope, replay).form(max_files=1, max_fields=8) as form:
        upload = form.get("file")
        text = form.get("text")
        if isinstance(upload, UploadFile) and upload.filename:
            name = UPLOAD_NAME.sub("_", Path(upload.filename).name).lstrip("._")[:100] or "upload"
            data = await upload.read()
        elif isinstance(text, str) and text.strip():
            name, data = "pasted.txt", text.encode("utf-8")
        else:
            raise HTTPException(400, "Send a file (field 'file') or text (field 'text').")
    return name, data


def report_for_web(report: IngestReport, name: str) -> dict[str, Any]:
    """The ingest report as the API returns it: no store path; locations are ``upload:NAME...``,
    and no server path shows in a location or a reason (``public_location``, ``public_reason``)."""
    result = report.to_dict()
    result.pop("db", None)
    result["name"] = name
    for key in ("skipped", "rejected"):
        items: list[dict[str, Any]] = result[key]  # type: ignore[assignment]  # to_dict's reject rows
        result[key] = [{**item, "location": public_location(str(item["location"])),
                        "reason": public_reason(str(item["reason"]))} for item in items]
    return result


async def run_ingest(request: Request) -> dict[str, Any]:
    """Check the token and the size, take the uploaded file or pasted text, ingest it; the report.

    The articles record ``source.location`` ``upload:NAME`` (``ingest_bytes``), never a path of
    the server's, so the same bytes sent again under the same name are "unchanged".
    """
    name, data = await receive_upload(request)
    report = await run_in_threadpool(ingest_bytes, data, name, db=request.app.state.db_path,
                                     settings=request.app.state.settings)
    return report_for_web(report, name)


async def ingest_endpoint(request: Request) -> JSONResponse:
    result = await run_ingest(request)
    return JSONResponse(result, status_code=201 if result["stored"] else 200)


# -- routes and their description ------------------------------------------------------------

ROUTES = [
    Route("/api/articles", articles_endpoint, methods=["GET"]),
    Route("/api/articles/{article_id}", article_endpoint, methods=["GET"]),
    Route("/api/actors/{actor_id}", actor_endpoint, methods=["GET"]),
    Route("/api/stats", stats_endpoint, methods=["GET"]),
    Route("/api/openapi.json", openapi_endpoint, methods=["GET"]),
    Route("/api/ingest", ingest_endpoint, methods=["POST"]),
]


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


def _path(name: str, description: str, pattern: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "pattern": f"^{pattern}$"}}


#: The paging parameters of every paged endpoint.
LIMIT_PARAM = _query("limit", "Page size.", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20})
OFFSET_PARAM = _query("offset", "Items to skip.", {"type": "integer", "minimum": 0, "default": 0})

_ERROR = {"description": "An error: {error, status, code?}",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_JSON = {"application/json": {"schema": {"type": "object"}}}
#: The multipart upload form of /api/ingest and /api/ingest/jobs.
UPLOAD_FORM = {"multipart/form-data": {"schema": {"type": "object", "properties": {
    "file": {"type": "string", "format": "binary", "description": "A file in any readable format."},
    "text": {"type": "string", "description": "Pasted article text (when no file)."},
    "token": {"type": "string", "description": "The write token, if not in the Authorization header: the first"
                                               " field of the form (the server reads no further than 64 KiB"
                                               " for it)."}}}}}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "narrascope", "version": __version__,
             "description": "Read-only JSON API over a narrascope store; /api/ingest needs the write token,"
                            " and refuses (403, NS405) a request another site's page sent (its Origin,"
                            " Referer or Sec-Fetch-Site)."},
    "paths": {
        "/api/articles": {"get": {
            "summary": "Articles, newest published first (undated last), or full-text search results best first (with q).",
            "parameters": [
                _query("q", "Full-text query (words, \"phrases\", OR, NOT, prefix*, (groups); COVID-19 or U.S. are"
                       " searched as the words they hold). Adds snippet and"
                       " highlights ([start, end] in the snippet) to each item."),
                _query("outlet", "Only this outlet (case-insensitive)."),
                _query("language", "Only this language (ISO 639-1); with q, the query is also stemmed in it"
                       " (else in its guessed language)."),
                _query("genre", "Only this genre.", {"type": "string", "enum": ["opinion", "reporting", "satire",
                                                                               "other"]}),
                _query("since", "Published on or after: YYYY-MM-DD, YYYY-MM or YYYY."),
                _query("until", "Published on or before (inclusive): YYYY-MM-DD, YYYY-MM or YYYY."),
                _query("actor", "Only articles naming this actor id (USA, person:sergey-lavrov; case-insensitive)."),
                _query("state", "Only articles naming this state, or an actor acting for it (ISO alpha-3: RUS)."),
                _query("technique", "Only articles using this persuasion technique (Loaded_Language)."),
                _query("topic", "Only articles with this topic (sanctions)."),
                _query("narrative", "Only members of this narrative (its id).", {"type": "integer"}),
                _query("all_versions", "Include older versions of changed URLs.",
                       {"type": "string", "enum": ["0", "1", "true", "false"], "default": "0"}),
                LIMIT_PARAM, OFFSET_PARAM,
            ],
            "responses": {"200": {"description": "{items, limit, offset, has_more, next_offset, q}",
                                  "content": _JSON}, "400": _ERROR}}},
        "/api/articles/{article_id}": {"get": {
            "summary": "The full article record (the export contract, SCHEMA.md).",
            "parameters": [_path("article_id", "An article id or a unique prefix of 4+ hex digits.",
                                 ARTICLE_ID.pattern)],
            "responses": {"200": {"description": "The article record.", "content": _JSON}, "404": _ERROR}}},
        "/api/actors/{actor_id}": {"get": {
            "summary": "An actor: who they are, articles naming them (with mentions), their quotes, quotes about"
                       " them by others, events as source and as target (also grouped by PLOVER type), the"
                       " stance towards them per month or week, and their neighbourhood in the actor graph.",
            "parameters": [_path("actor_id", "An actor id: USA, person:donald-trump, org:un...", ACTOR_ID.pattern),
                           _query("level", "The neighbourhood's graph level: actor (as named) or state (rolled up"
                                  " to the states they act for).",
                                  {"type": "string", "enum": ["actor", "state"], "default": "actor"})],
            "responses": {"200": {"description": "{actor, articles, quotes, quotes_about, events_as_source,"
                                                 " events_as_target, events_by_type {as_source, as_target: [{type,"
                                                 " score, count, articles, shown, items}]}, stance_series"
                                                 " {granularity, periods, series [{holder author|quoted, label,"
                                                 " mean, count}], stances, undated (stances of undated articles: in no period), from}, stance_extremes {negative,"
                                                 " positive}, neighbourhood {level, centre, nodes, edges}, from,"
                                                 " limit}", "content": _JSON},
                          "400": _ERROR, "404": _ERROR}}},
        "/api/stats": {"get": {
            "summary": "What the store holds (as `narrascope db info`).",
            "parameters": [],
            "responses": {"200": {"description": "Counts, languages, date range, pipeline versions.",
                                  "content": _JSON}}}},
        "/api/openapi.json": {"get": {
            "summary": "This description.", "parameters": [],
            "responses": {"200": {"description": "OpenAPI 3.1 document.", "content": _JSON}}}},
        "/api/ingest": {"post": {
            "summary": "Ingest an uploaded file or pasted text (only when the server has a write token); its"
                       " articles record source.location upload:NAME. For progress, POST /api/ingest/jobs.",
            "security": [{"writeToken": []}],
            "parameters": [],
            "requestBody": {"required": True, "content": {
                **UPLOAD_FORM,
                "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                    "text": {"type": "string"}, "token": {"type": "string"}}}}}},
            "responses": {"201": {"description": "Stored: the ingest report.", "content": _JSON},
                          "200": {"description": "Nothing new stored (duplicate or rejected): the report.",
                                  "content": _JSON},
                          "400": _ERROR, "401": _ERROR, "403": _ERROR, "413": _ERROR}}},
    },
    "components": {
        "schemas": {"Error": {"type": "object", "required": ["error", "status"], "properties": {
            "error": {"type": "string"}, "status": {"type": "integer"}, "code": {"type": "string"}}}},
        "securitySchemes": {"writeToken": {"type": "http", "scheme": "bearer"}},
    },
}
