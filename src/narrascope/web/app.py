"""The ASGI app behind ``narrascope serve``: JSON API under ``/api/``, server-rendered pages, static files.

Read-only unless a write token is given: then ``POST /api/ingest`` (and the ingest page) take an
uploaded file or pasted text, checked against the token in constant time. Every response carries
a strict Content-Security-Policy (scripts and styles only from ``/static/``, no inline script), and
errors are short pages or JSON objects that never show a stack trace.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import NarrascopeError, SearchError, StoreError
from ..settings import Settings, WebSettings, load_settings
from .queries import ReadOnlyStore
from .render import text_direction

__all__ = ["LOCAL_HOSTS", "SECURITY_HEADERS", "WebSettings", "create_app"]  # WebSettings: the [web] settings

STATIC_DIR = Path(__file__).parent / "static"

#: Host headers accepted by default: a server on 127.0.0.1 answers only to its own names, which
#: stops DNS-rebinding pages from reading it through a visitor's browser.
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")

#: Modules under narrascope.web whose ``ROUTES`` the app serves; each may describe its API routes
#: in ``OPENAPI_PATHS`` (merged into ``/api/openapi.json``). Plugins add theirs through the
#: ``narrascope_web_routes`` hook (and nav links through ``narrascope_web_nav``).
ROUTE_MODULES = ("json_api", "pages", "corpus_pages", "download_pages", "jobs")

SECURITY_HEADERS: dict[str, str] = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none';"
        " base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    # The workbench's own form posts carry its origin (the write routes check it, ``writes``);
    # other sites learn nothing of the workbench's URLs.
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


class SecurityHeadersMiddleware:
    """Adds ``SECURITY_HEADERS`` to every HTTP response (static files and errors included)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.decode("latin-1").lower() not in SECURITY_HEADERS]
                headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, status: int, message: str, code: str | None = None) -> Response:
    """A short error: JSON under /api/, a small page elsewhere. Never a traceback."""
    if wants_json(request):
        body: dict[str, Any] = {"error": message, "status": status}
        if code:
            body["code"] = code
        return JSONResponse(body, status_code=status)
    templates: Environment = request.app.state.templates
    html = templates.get_template("error.html").render(status=status, message=message, code=code,
                                                        writable=request.app.state.write_token is not None)
    return HTMLResponse(html, status_code=status)


STATUS_MESSAGES = {400: "Bad request.", 401: "A write token is required.", 403: "Forbidden.", 404: "Not found.",
                   405: "Method not allowed.", 413: "Upload too large.", 500: "Internal error."}


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)  # registered for HTTPException only
    message = exc.detail if isinstance(exc.detail, str) and exc.detail else STATUS_MESSAGES.get(exc.status_code, "Error.")
    response = error_response(request, exc.status_code, message, getattr(exc, "code", None))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def narrascope_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NarrascopeError)  # registered for NarrascopeError only
    if isinstance(exc, StoreError):
        status = 503
    elif exc.code == "NS402":
        status = 404
    else:
        status = 400
    # The message names the problem (a bad date, a query syntax error) without internals; store
    # errors may name server paths, so those stay generic.
    message = "The store cannot be read right now." if status == 503 else exc.message
    for path in {str(request.app.state.store.path), str(request.app.state.db_path)}:
        message = message.replace(path, "the store")  # e.g. NS402 "no article with id ... in PATH"
    return error_response(request, status, message, exc.code)


async def internal_error(request: Request, exc: Exception) -> Response:
    response = error_response(request, 500, STATUS_MESSAGES[500])
    response.headers.update(SECURITY_HEADERS)  # this response bypasses the middleware stack
    return response


def create_app(db_path: str | Path, *, write_token: str | None = None, settings: Settings | None = None,
               web: WebSettings | None = None, allowed_hosts: list[str] | tuple[str, ...] | None = None) -> Starlette:
    """The workbench app over the store at ``db_path`` (opened read-only).

    ``write_token`` enables the ingest endpoints (None: read-only server). ``web`` overrides the
    server tunables (default: the settings' ``[web]`` section when there is one, else
    ``WebSettings()``). ``allowed_hosts`` are the Host headers answered (default ``LOCAL_HOSTS``;
    ``["*"]`` for any).
    """
    import importlib

    settings = settings or load_settings()
    if write_token is not None and len(write_token) < 16:
        raise NarrascopeError("the write token must be at least 16 characters", code="NS403")
    store = ReadOnlyStore(db_path, settings)
    modules = [importlib.import_module(f".{name}", __package__) for name in ROUTE_MODULES]
    routes = [
        *(route for module in modules for route in module.ROUTES),
        *plugin_routes(),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR, follow_symlink=False), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeadersMiddleware),
                    Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts or LOCAL_HOSTS))],
        exception_handlers={HTTPException: http_error, NarrascopeError: narrascope_error, SearchError: narrascope_error,
                            500: internal_error},
    )
    app.state.store = store
    app.state.db_path = Path(db_path)
    app.state.settings = settings
    app.state.web = web or settings.web
    app.state.write_token = write_token
    app.state.templates = Environment(loader=PackageLoader("narrascope.web", "templates"), autoescape=True,
                                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    app.state.templates.globals["plugin_nav"] = plugin_nav()
    app.state.templates.globals["text_dir"] = text_direction  # dir="rtl" for Arabic, Persian...
    return app


def plugin_routes() -> list[BaseRoute]:
    """The routes plugins add (``narrascope_web_routes``); one that is no Starlette route is NS404."""
    from ..plugins import plugin_manager

    routes: list[BaseRoute] = []
    for batch in reversed(plugin_manager().hook.narrascope_web_routes()):
        for route in batch:
            if not isinstance(route, BaseRoute):
                raise NarrascopeError(f"a plugin's narrascope_web_routes gave {route!r}, not a Starlette route",
                                      code="NS404")
            routes.append(route)
    return routes


def plugin_nav() -> list[tuple[str, str]]:
    """(label, path) of the links plugins add to the navigation bar (``narrascope_web_nav``)."""
    from ..plugins import plugin_manager

    links = []
    for batch in reversed(plugin_manager().hook.narrascope_web_nav()):
        for label, path in batch:
            if not str(path).startswith("/") or str(path).startswith("//"):
                raise NarrascopeError(f"a plugin's nav link {label!r} -> {path!r} is not a path on this site",
                                      code="NS404")
            links.append((str(label), str(path)))
    return links
