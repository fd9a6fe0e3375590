"""The workbench: ``narrascope serve``, a read-only web UI and JSON API over one store.

``create_app(db_path)`` (in ``narrascope.web.app``) builds the ASGI app; ``serve`` runs it on
uvicorn (the ``narrascope serve`` command calls it through ``narrascope.api.serve``). Nothing here is imported by the rest of
narrascope, so the web dependencies (starlette, uvicorn, jinja2, python-multipart) are needed only
to serve.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..settings import Settings

__all__ = ["WILDCARD_HOSTS", "create_app", "serve"]

#: ``--host`` values that bind every interface: the server then answers any Host header.
WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def create_app(*args: Any, **kwargs: Any) -> Any:
    from .app import create_app as _create_app

    return _create_app(*args, **kwargs)


def serve(db: str | Path, *, host: str = "127.0.0.1", port: int = 8000, write_token: str | None = None,
          allow_hosts: Sequence[str] = (), settings: Settings | None = None,
          on_start: Callable[[], object] | None = None) -> None:
    """Build the app over ``db`` and run it on uvicorn until interrupted (see ``narrascope.api.serve``)."""
    from ..errors import UsageError

    try:
        import uvicorn

        from .app import LOCAL_HOSTS, create_app
    except ModuleNotFoundError as e:
        raise UsageError(f"`narrascope serve` needs the web extras ({e.name} is missing):"
                         " pip install 'narrascope[web]'") from e
    hosts = ["*"] if host in WILDCARD_HOSTS else [*LOCAL_HOSTS, host, *allow_hosts]
    app = create_app(db, write_token=write_token, settings=settings, allowed_hosts=hosts)
    if on_start is not None:
        on_start()
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False, proxy_headers=False)
