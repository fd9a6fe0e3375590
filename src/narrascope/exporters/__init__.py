"""Exporters: write article records in a format, registered through the plugin seam.

An exporter has a ``name`` (the ``--format`` value), a ``description`` and
``write(records, stream)`` taking an iterable of ``Article`` and a text stream. JSONL writes the
full record of ../SCHEMA.md; CSV writes the flat fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TextIO

from ..model import Article

__all__ = ["Exporter"]


class Exporter(Protocol):
    name: str
    description: str

    def write(self, articles: Iterable[Article], stream: TextIO) -> int:
        """Write every article; return how many were written."""
        ...
