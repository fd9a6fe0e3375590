"""Narrative and reuse pages and their JSON API (issue 5)."""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute

__all__ = ["OPENAPI_PATHS", "ROUTES"]

ROUTES: list[BaseRoute] = []
OPENAPI_PATHS: dict[str, Any] = {}
