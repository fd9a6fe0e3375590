"""The workbench: ``narrascope serve``, a read-only web UI and JSON API over one store.

``create_app(db_path)`` (in ``narrascope.web.app``) builds the ASGI app; the ``serve`` command
(``narrascope.web.commands``) runs it on uvicorn. Nothing here is imported by the rest of
narrascope, so the web dependencies (starlette, uvicorn, jinja2, python-multipart) are needed only
to serve.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def create_app(*args: Any, **kwargs: Any) -> Any:
    from .app import create_app as _create_app

    return _create_app(*args, **kwargs)
