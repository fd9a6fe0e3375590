"""Server-rendered pages: search, article, actor, ingest. Templates escape everything they print."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from .json_api import article_id_param, filters_from, paging, requested_actor, run_ingest, text_param
from .queries import FACET_FIELDS, actor_names, facets, list_page, search_page
from .render import segments, snippet_parts

__all__ = ["ROUTES"]

FILTER_NAMES = ("q", "outlet", "actor", "state", "technique", "genre", "topic", "narrative", "language", "since",
                "until")


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("writable", request.app.state.write_token is not None)
    html = request.app.state.templates.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status)


def search_view(request: Request) -> HTMLResponse:
    filters = filters_from(request)
    limit, offset = paging(request)
    query = text_param(request, "q")
    chosen = {name: text_param(request, name) or "" for name in FILTER_NAMES}
    with request.app.state.store.open() as store:
        if query:
            page = search_page(store, query, filters, limit=limit, offset=offset,
                               rank_limit=request.app.state.web.search_rank_limit or None)
        else:
            page = list_page(store, filters, limit=limit, offset=offset)
        options = facets(store)
        # A chosen value outside the listed ones (a link, a rare actor) stays in its list, selected,
        # so that changing another facet keeps it.
        for name, values in options.items():
            value = chosen.get(name, "")
            if value and not any(v.lower() == value.lower() for v, _, _ in values):
                label = actor_names(store, [value]).get(value, value) if name in ("actor", "state") else value
                options[name] = [(value, label, -1), *values]
    for item in page.items:
        if "snippet" in item:
            item["parts"] = snippet_parts(item["snippet"], item["highlights"])
    kept = {k: v for k, v in chosen.items() if v}
    next_url = "/?" + urlencode({**kept, "offset": offset + limit, "limit": limit}) if page.has_more else None
    previous_url = "/?" + urlencode({**kept, "offset": max(0, offset - limit), "limit": limit}) if offset else None
    fields = [(name, label) for name, label in FACET_FIELDS if options.get(name) or chosen.get(name)]
    export_url = "/exports" + ("?" + urlencode({k: v for k, v in kept.items() if k != "q"}) if set(kept) - {"q"} else "")
    return render(request, "search.html", page=page, query=query, chosen=chosen, facets=options, fields=fields,
                  next_url=next_url, previous_url=previous_url, export_url=export_url)


def article_view(request: Request) -> HTMLResponse:
    article_id = article_id_param(request)
    from .corpus_queries import article_corpus_context  # reuse and narrative panels, the ?hl= span (issue 5)

    with request.app.state.store.open() as store:
        article = store.get_article(article_id)
        corpus = article_corpus_context(store, article, request.query_params.get("hl"), segments(article))
    actors = {str(a.get("id")): a for a in article.actors}
    return render(request, "article.html", article=article, actors=actors, **corpus)


def actor_view(request: Request) -> HTMLResponse:
    from .actor_view import neighbourhood_picture, stance_chart

    profile = requested_actor(request)
    return render(request, "actor.html", **profile, stance_chart=stance_chart(profile["stance_series"]),
                  graph_svg=neighbourhood_picture(profile["neighbourhood"]))


async def ingest_view(request: Request) -> HTMLResponse:
    if request.method == "POST":
        result = await run_ingest(request)
        return render(request, "ingest.html", result=result, status=201 if result["stored"] else 200)
    return render(request, "ingest.html", result=None,
                  max_upload_bytes=request.app.state.web.max_upload_bytes)


ROUTES = [
    Route("/", search_view, methods=["GET"]),
    Route("/articles/{article_id}", article_view, methods=["GET"]),
    Route("/actors/{actor_id}", actor_view, methods=["GET"]),
    Route("/ingest", ingest_view, methods=["GET", "POST"]),
]
