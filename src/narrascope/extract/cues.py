"""Cue words of cleaning and metadata in the languages beside English (``data/language_cues.tsv``).

The English cues are patterns of ``boilerplate`` and ``html``; these extend the same rules to the
other languages narrascope reads: a byline's lead word ("Автор:", "Von", "Par", "بقلم", "作者"), the
word joining two names, a related-link line ("Читайте также:", "Lesen Sie auch"), an opinion
disclaimer ("Мнение автора может не совпадать с позицией редакции") and the labels of a
publication or update date ("Опубликовано:", "Aktualisiert am"). Each kind is one regular
expression over every language (the language of a line is not known when it is read, and a cue
is distinctive enough on its own), matched case-insensitively.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

__all__ = ["Cues", "cues"]

KINDS = ("byline", "and", "related", "disclaimer", "disclaimer-hint", "published", "updated")


class Cues:
    """The compiled cue patterns."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        def alternation(kind: str) -> str:
            return "|".join(f"(?:{p})" for p in sorted(table.get(kind, []), key=len, reverse=True))

        # a byline's lead: the cue, then a colon or a space, then the names
        self.byline_lead = re.compile(rf"^(?:{alternation('byline')})(?:\s*[:：]\s*|\s+(?!\s*[:：]))", re.I)
        self.name_separators = re.compile(rf"\s*(?:,|;|&|\+|،|、|\band\b|(?<=\s)(?:{alternation('and')})(?=\s))\s*", re.I)
        related = alternation("related")
        # "Читайте также: <headline>" (a colon, a dash or nothing) on a short line
        self.related_line = re.compile(rf"^(?:{related})(?![^\W\d_])\s*[:：.–—-]?\s*", re.I)
        # the cue alone: a list of links follows
        self.related_header = re.compile(rf"^(?:{related})\s*[:：.]?$", re.I)
        self._disclaimer = re.compile(alternation("disclaimer"), re.I)
        self.disclaimer_hints = tuple(word for row in table.get("disclaimer-hint", []) for word in row.split())
        # the same labels anywhere in a short line ("Обновлено 15 августа | Опубликовано 14 августа")
        self.updated_word = re.compile(rf"(?<![^\W\d_])(?:{alternation('updated')})(?![^\W\d_])", re.I)
        self.published_word = re.compile(rf"(?<![^\W\d_])(?:{alternation('published')})(?![^\W\d_])", re.I)
        self.date_label = re.compile(
            rf"^(?:(?P<updated>{alternation('updated')})|(?:{alternation('published')}))(?![^\W\d_])\s*[:：\-–—]?\s*", re.I)


    def disclaimer(self, text: str) -> bool:
        """Whether ``text`` holds an opinion disclaimer of another language."""
        low = text.lower()
        return any(hint in low for hint in self.disclaimer_hints) and bool(self._disclaimer.search(text))


@cache
def cues() -> Cues:
    """The cues of ``data/language_cues.tsv``, compiled once."""
    table: dict[str, list[str]] = {}
    text = resources.files("narrascope").joinpath("data/language_cues.tsv").read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        language, kind, pattern = line.split("\t")
        if kind not in KINDS:
            raise ValueError(f"data/language_cues.tsv line {number}: unknown kind {kind!r} ({language})")
        table.setdefault(kind, []).append(pattern)
    return Cues(table)
