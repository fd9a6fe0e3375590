"""What an extractor returns: a ``Draft`` (its own module so the extractors, which the package
dispatches to, need not import the package)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model import Removed

__all__ = ["Draft"]


@dataclass
class Draft:
    """What an extractor found. Field meanings as in ``Article``."""

    text: str
    title: str = ""
    subtitle: str | None = None
    authors: list[str] = field(default_factory=list)
    author_bios: list[str] = field(default_factory=list)
    published: str | None = None
    outlet: str | None = None
    url: str | None = None
    republished_from: str | None = None
    tags: list[str] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    provenance: dict[str, str] = field(default_factory=dict)
    #: a language the input declares (``<html lang>``), a hint for the language stage
    language: str | None = None
    #: the section the page files the article under, and the kinds it says it is (genre signals)
    section: str | None = None
    page_types: list[str] = field(default_factory=list)

    def fill(self, name: str, value: Any, rung: str) -> None:
        """Set ``name`` to ``value`` if it is still empty and ``value`` is not, noting the rung."""
        if value in (None, "", []) or getattr(self, name) not in (None, "", []):
            return
        setattr(self, name, value)
        self.provenance[name] = rung
