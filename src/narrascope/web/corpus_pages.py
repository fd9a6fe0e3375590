"""Narrative and reuse pages and their JSON API (issue 5).

Pages: ``/narratives`` (list with weekly sparklines), ``/narratives/{id}`` (timeline, events,
members, evidence), ``/reuse`` (clusters), ``/reuse/{cluster}`` (members, direction evidence and
a side-by-side view of one pair), ``/reuse/pairs/{source}/{target}`` (one pair; a translation
sentence by sentence). The API serves the same data under ``/api/``, plus an article's
reuse and narrative links. When an analysis has not run, pages and API say which command to run,
with a 200.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import BaseRoute, Route

from .corpus_queries import (
    CLUSTER_ID,
    NARRATIVE_ID,
    NARRATIVE_SORTS,
    NARRATIVE_STATUSES,
    REUSE_SORTS,
    analysis_computed,
    article_links,
    narrative_detail,
    narratives_page,
    reuse_cluster,
    reuse_clusters_page,
    reuse_pair_page,
    spark_config,
    timeline_charts,
)
from .json_api import (
    _ERROR,
    _JSON,
    LIMIT_PARAM,
    OFFSET_PARAM,
    _path,
    _query,
    article_id_param,
    paging,
    path_param,
    text_param,
)
from .pages import render
from .queries import ARTICLE_ID

__all__ = ["OPENAPI_PATHS", "ROUTES"]


# -- parameters ---------------------------------------------------------------------------------

def _choice(request: Request, name: str, options: dict[str, Any], default: str) -> str:
    value = text_param(request, name) or default
    if value not in options:
        raise HTTPException(400, f"{name} must be one of: {', '.join(options)}")
    return value


def narrative_id_param(request: Request) -> int:
    return int(path_param(request, "narrative_id", NARRATIVE_ID, "No narrative with this id."))


def cluster_id_param(request: Request) -> int:
    return int(path_param(request, "cluster_id", CLUSTER_ID, "No reuse cluster with this number."))


def copy_param(request: Request) -> str | None:
    value = text_param(request, "copy")
    if value is not None and not ARTICLE_ID.fullmatch(value):
        raise HTTPException(400, "copy must be an article id")
    return value


def _url(path: str, **params: Any) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return path + ("?" + urlencode(kept) if kept else "")


def _pages(path: str, page: dict[str, Any], **params: Any) -> tuple[str | None, str | None]:
    limit, offset = page["limit"], page["offset"]
    next_url = _url(path, **params, offset=offset + limit, limit=limit) if page["has_more"] else None
    previous_url = _url(path, **params, offset=max(0, offset - limit), limit=limit) if offset else None
    return previous_url, next_url


# -- narratives -----------------------------------------------------------------------------------

def requested_narratives(request: Request) -> dict[str, Any]:
    status = _choice(request, "status", NARRATIVE_STATUSES, "current")
    sort = _choice(request, "sort", NARRATIVE_SORTS, "size")
    limit, offset = paging(request)
    with request.app.state.store.open() as store:
        return narratives_page(store, status=status, sort=sort, limit=limit, offset=offset)


def requested_narrative(request: Request) -> dict[str, Any]:
    narrative_id = narrative_id_param(request)
    limit, offset = paging(request)
    with request.app.state.store.open() as store:
        item = narrative_detail(store, narrative_id, limit=limit, offset=offset)
        if item is None:
            raise HTTPException(404, "No narrative with this id." if analysis_computed(store, "narratives") else
                                "No narratives yet: run `narrascope narratives --db STORE` first.")
    return item


def narratives_view(request: Request) -> HTMLResponse:
    page = requested_narratives(request)
    for item in page["items"]:
        item["spark"] = spark_config(item["weeks"])
    previous_url, next_url = _pages("/narratives", page, status=page["status"], sort=page["sort"])
    return render(request, "narratives.html", page=page, statuses=list(NARRATIVE_STATUSES),
                  sorts=list(NARRATIVE_SORTS), previous_url=previous_url, next_url=next_url)


def narrative_view(request: Request) -> HTMLResponse:
    item = requested_narrative(request)
    articles_chart, share_chart = timeline_charts(item["series"])
    previous_url, next_url = _pages(f"/narratives/{item['id']}", item["members"])
    return render(request, "narrative.html", n=item, articles_chart=articles_chart, share_chart=share_chart,
                  previous_url=previous_url, next_url=next_url)


def narratives_endpoint(request: Request) -> JSONResponse:
    return JSONResponse(requested_narratives(request))


def narrative_endpoint(request: Request) -> JSONResponse:
    return JSONResponse(requested_narrative(request))


# -- reuse ----------------------------------------------------------------------------------------

def requested_clusters(request: Request) -> dict[str, Any]:
    sort = _choice(request, "sort", REUSE_SORTS, "size")
    limit, offset = paging(request)
    with request.app.state.store.open() as store:
        return reuse_clusters_page(store, sort=sort, limit=limit, offset=offset)


def requested_cluster(request: Request) -> dict[str, Any]:
    cluster = cluster_id_param(request)
    copy = copy_param(request)
    limit, offset = paging(request)
    with request.app.state.store.open() as store:
        item = reuse_cluster(store, cluster, copy=copy, limit=limit, offset=offset)
        if item is None:
            raise HTTPException(404, "No reuse cluster with this number." if analysis_computed(store, "reuse") else
                                "No reuse clusters yet: run `narrascope reuse --db STORE` first.")
    if item["copy_missing"]:
        raise HTTPException(404, "That article is not a copy in this cluster.")
    return item


def reuse_view(request: Request) -> HTMLResponse:
    page = requested_clusters(request)
    previous_url, next_url = _pages("/reuse", page, sort=page["sort"])
    return render(request, "reuse.html", page=page, sorts=list(REUSE_SORTS), previous_url=previous_url,
                  next_url=next_url)


def reuse_cluster_view(request: Request) -> HTMLResponse:
    item = requested_cluster(request)
    copy = item["pair"]["copy"] if item["pair"] else None
    previous_url, next_url = _pages(f"/reuse/{item['cluster']}", item["members"], copy=text_param(request, "copy"))
    return render(request, "reuse_cluster.html", c=item, copy=copy, previous_url=previous_url, next_url=next_url)


def requested_pair(request: Request) -> dict[str, Any]:
    source = path_param(request, "source", ARTICLE_ID, "No article with this id.")
    target = path_param(request, "target", ARTICLE_ID, "No article with this id.")
    with request.app.state.store.open() as store:
        item = reuse_pair_page(store, store.resolve_id(source), store.resolve_id(target))
        if item is None:
            raise HTTPException(404, "No reuse pair from this article to that one." if analysis_computed(store, "reuse")
                                else "No reuse pairs yet: run `narrascope reuse --db STORE` first.")
    return item


def reuse_pair_view(request: Request) -> HTMLResponse:
    return render(request, "reuse_pair.html", p=requested_pair(request))


def pair_endpoint(request: Request) -> JSONResponse:
    return JSONResponse(requested_pair(request))


def clusters_endpoint(request: Request) -> JSONResponse:
    return JSONResponse(requested_clusters(request))


def cluster_endpoint(request: Request) -> JSONResponse:
    return JSONResponse(requested_cluster(request))


# -- an article's links ---------------------------------------------------------------------------

def article_links_endpoint(request: Request) -> JSONResponse:
    given = article_id_param(request)
    limit, offset = paging(request)
    with request.app.state.store.open() as store:
        article_id = store.resolve_id(given)
        links = article_links(store, article_id, limit=limit, offset=offset, with_sentences=True)
    return JSONResponse(links)


ROUTES: list[BaseRoute] = [
    Route("/narratives", narratives_view, methods=["GET"]),
    Route("/narratives/{narrative_id}", narrative_view, methods=["GET"]),
    Route("/reuse", reuse_view, methods=["GET"]),
    Route("/reuse/pairs/{source}/{target}", reuse_pair_view, methods=["GET"]),
    Route("/reuse/{cluster_id}", reuse_cluster_view, methods=["GET"]),
    Route("/api/narratives", narratives_endpoint, methods=["GET"]),
    Route("/api/narratives/{narrative_id}", narrative_endpoint, methods=["GET"]),
    Route("/api/reuse", clusters_endpoint, methods=["GET"]),
    Route("/api/reuse/pairs/{source}/{target}", pair_endpoint, methods=["GET"]),
    Route("/api/reuse/{cluster_id}", cluster_endpoint, methods=["GET"]),
    Route("/api/articles/{article_id}/links", article_links_endpoint, methods=["GET"]),
]

OPENAPI_PATHS: dict[str, Any] = {
    "/api/narratives": {"get": {
        "summary": "Narratives (from `narrascope narratives`), biggest or most recent first, each with its weekly"
                   " article counts. computed=false (and the command to run) when the analysis has not run.",
        "parameters": [
            _query("status", "Which narratives: current (active and faded), active, faded, merged, candidate, all.",
                   {"type": "string", "enum": list(NARRATIVE_STATUSES), "default": "current"}),
            _query("sort", "size (most articles first) or recent (latest article first).",
                   {"type": "string", "enum": list(NARRATIVE_SORTS), "default": "size"}),
            LIMIT_PARAM, OFFSET_PARAM],
        "responses": {"200": {"description": "{items: [{id, label, terms, sentence, sentence_article, sentence_start,"
                                             " sentence_end, size, first_seen, last_seen, status, parent, merged_into,"
                                             " weeks: {period: articles}, undated: members with no date (in no"
                                             " week)}], limit, offset, has_more, next_offset,"
                                             " status, sort, computed, command}", "content": _JSON},
                      "400": _ERROR}}},
    "/api/narratives/{narrative_id}": {"get": {
        "summary": "One narrative: its row, weekly series (articles and share), events with the other narrative,"
                   " related narratives (parent, children, merged into / from), and a page of member articles, best"
                   " score first, with their evidence sentences (offsets into the article's text).",
        "parameters": [_path("narrative_id", "A narrative id (narratives.id).", NARRATIVE_ID.pattern), LIMIT_PARAM, OFFSET_PARAM],
        "responses": {"200": {"description": "{id, label, terms, sentence..., series, undated (members with no"
                                             " date: in no week), events, related, members:"
                                             " {items: [{article, title, outlet, published, date (null when undated),"
                                             " date_source (published | undated), score,"
                                             " evidence: [{start, end, text, score}]}], limit, offset, has_more,"
                                             " next_offset}, sentence_source}", "content": _JSON},
                      "400": _ERROR, "404": _ERROR}}},
    "/api/reuse": {"get": {
        "summary": "Reuse clusters (from `narrascope reuse`), largest or most recent first: the likely original,"
                   " size, members per role and per outlet. computed=false when the analysis has not run.",
        "parameters": [
            _query("sort", "size (largest first) or recent (latest original first).",
                   {"type": "string", "enum": list(REUSE_SORTS), "default": "size"}),
            LIMIT_PARAM, OFFSET_PARAM],
        "responses": {"200": {"description": "{items: [{cluster, size, original: {id, title, outlet, published},"
                                             " roles: {role: n}, outlets: [{outlet, articles}]}], limit, offset,"
                                             " has_more, next_offset, sort, computed, command}", "content": _JSON},
                      "400": _ERROR}}},
    "/api/reuse/{cluster_id}": {"get": {
        "summary": "One reuse cluster: a page of members (original first, then by date) each with the pair it came"
                   " by, and one pair side by side: its passages and the two texts cut into aligned rows (passage"
                   " and gap rows, with character offsets into each article's text).",
        "parameters": [_path("cluster_id", "A cluster number (reuse_clusters.cluster).", CLUSTER_ID.pattern),
                       _query("copy", "The member whose pair to show side by side (default: the first copy)."),
                       LIMIT_PARAM, OFFSET_PARAM],
        "responses": {"200": {"description": "{cluster, size, original, members: {items: [{id, role, title, outlet,"
                                             " published, pair}], ...}, pair: {source, target, kind, coverage_source,"
                                             " coverage_target, confidence, direction_evidence, explanation,"
                                             " passages_list, rows, copy}}", "content": _JSON},
                      "400": _ERROR, "404": _ERROR}}},
    "/api/reuse/pairs/{source}/{target}": {"get": {
        "summary": "One reuse pair: the row, both articles with their languages, the passages and, for a"
                   " translation (kind translation), the two texts sentence by sentence: aligned sentence pairs"
                   " with their similarity, and the sentences no alignment holds in reading order.",
        "parameters": [_path("source", "The likely original's article id (or a unique prefix of 4+ hex digits).",
                             ARTICLE_ID.pattern),
                       _path("target", "The copy's or translation's article id (or a unique prefix).",
                             ARTICLE_ID.pattern)],
        "responses": {"200": {"description": "{source, target, kind, passages, shared_words, coverage_source,"
                                             " coverage_target, score, confidence, direction_evidence, explanation,"
                                             " languages: [source, target], source_article, target_article,"
                                             " passages_list, sentences (translations): [{kind: aligned | source |"
                                             " target, source: {start, end, text} | null, target: {...} | null,"
                                             " words, score}]}", "content": _JSON},
                      "404": _ERROR}}},
    "/api/articles/{article_id}/links": {"get": {
        "summary": "An article's reuse links (pairs where it is the original or the copy, with the other article)"
                   " and reuse cluster, and the narrative it belongs to with its evidence sentences.",
        "parameters": [_path("article_id", "An article id or a unique prefix of 4+ hex digits.", ARTICLE_ID.pattern),
                       LIMIT_PARAM, OFFSET_PARAM],
        "responses": {"200": {"description": "{article, cluster: {cluster, role, original, size} | null, reuse:"
                                             " {items: [{direction, other, kind, passages, shared_words,"
                                             " coverage_source, coverage_target, confidence, decided_by, copy,"
                                             " source, target, sentences (a translation's aligned sentences, as"
                                             " in /api/reuse/pairs)}],"
                                             " limit, offset, has_more, next_offset}, narratives: [{id, label, status,"
                                             " score, period, evidence}], computed: {reuse, narratives}}",
                              "content": _JSON},
                      "400": _ERROR, "404": _ERROR}}},
}
