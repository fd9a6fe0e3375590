"""The ``genre`` stage: opinion, reporting, satire or other, with the cues that decided it."""

from __future__ import annotations

import re
from typing import Any

from ..model import Article
from ..plugins import hookimpl
from ..settings import Settings

OPINION_TITLE = re.compile(r"^\s*(opinion|op-ed|commentary|column|editorial|analysis|view|viewpoint)\s*[:|–—-]|\((op-ed|opinion|commentary)\)", re.I)
OPINION_TAG = re.compile(r"\b(opinion|op-?eds?|commentary|columns?|editorials?|viewpoints?)\b", re.I)
OPINION_DISCLAIMER = re.compile(r"views?\b.{0,40}\bexpressed in (this|opinion|these)", re.I)
OPINION_BIO = re.compile(r"\b(columnist|contributor|op-ed|guest writer|opinion writer)\b", re.I)
SATIRE_TAG = re.compile(r"\bsatire|satirical|parody\b", re.I)
SATIRE_OUTLETS = {"the onion", "the babylon bee", "the beaverton", "duffel blog", "the daily mash", "clickhole",
                  "the borowitz report", "newsthump", "waterford whispers news", "the shovel", "der postillon"}
REPORTING_DATELINE = re.compile(r"^[A-Z][A-Z .'-]{2,40}(, [A-Za-z .]+)?\s*(\([A-Za-z .]+\))?\s*[—–-]{1,2}\s")
REPORTING_VERBS = re.compile(r"\b(said on (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|told reporters|"
                             r"according to a statement|officials said|said in a statement)\b")


def classify_genre(article: Article) -> tuple[str, list[str]]:
    """(genre, evidence): the first matching rule in satire > opinion > reporting > other."""
    outlet = (article.outlet or "").lower()
    if outlet in SATIRE_OUTLETS:
        return "satire", [f"outlet: {article.outlet}"]
    satire_tags = [t for t in article.tags if SATIRE_TAG.search(t)]
    if satire_tags:
        return "satire", [f"tag: {t}" for t in satire_tags]
    evidence: list[str] = []
    match = OPINION_TITLE.search(article.title or "")
    if match:
        evidence.append(f"title: {match.group(0).strip()}")
    evidence += [f"tag: {t}" for t in article.tags if OPINION_TAG.search(t)]
    for removed in article.removed:
        if removed.kind == "disclaimer" and OPINION_DISCLAIMER.search(removed.text):
            evidence.append(f"disclaimer: {removed.text[:80]}")
    evidence += [f"author bio: {bio[:80]}" for bio in article.author_bios if OPINION_BIO.search(bio)]
    if evidence:
        return "opinion", evidence
    first = article.text[:300]
    match = REPORTING_DATELINE.match(first) or REPORTING_VERBS.search(article.text[:3000])
    if match:
        return "reporting", [f"news cue: {match.group(0).strip()}"]
    return "other", []


class GenreStage:
    name = "genre"
    version = "1"
    requires = ("title", "tags", "removed", "author_bios", "text")
    sets = ("genre", "genre_evidence")

    def compute(self, article: Article, settings: Settings) -> dict[str, Any]:
        genre, evidence = classify_genre(article)
        return {"genre": genre, "genre_evidence": evidence}


@hookimpl
def narrascope_stages() -> list[GenreStage]:
    return [GenreStage()]
