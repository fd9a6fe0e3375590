"""warc source: placeholder, filled in by its own module."""

from __future__ import annotations

from ..plugins import hookimpl


@hookimpl
def narrascope_sources() -> list[object]:
    return []
