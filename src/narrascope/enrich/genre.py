"""The ``genre`` stage: opinion, reporting, satire or other, with the cues behind it and a confidence.

A genre is a claim made to an analyst ("this is an op-ed"), so it is made only on evidence and
carries a calibrated ``genre_confidence``; below ``analysis.min_confidence.genre`` the stage
says "other" (not determined) and keeps the cues in ``genre_evidence``.

The steps, in order:

1. **Satire** from what cannot be mistaken: a known satire outlet, a satire tag, a page that calls
   itself ``SatiricalArticle``.
2. **Cues**, each with the genre it points to and a strength (strong, medium, weak), read from
   what the article states about itself, richest first (the patterns are data:
   ``data/genre_cues.tsv``):

   - the URL path's section segments (``/opinion/``, ``/commentisfree/``, ``/news/``,
     ``/world/``; ``/blog/``, ``/guides/``, ``/newsroom/`` of a company site point away from
     news; a news section weighs less on a site the outlet table does not know) and a ``news.``
     host;
   - the section the page files it under (``article:section``, JSON-LD ``articleSection``);
   - the kinds the page says it is (``OpinionNewsArticle``, ``ReportageNewsArticle``,
     ``article:opinion``);
   - a label in the title ("Opinion:", "(Op-ed)", "The Guardian view on"), in the byline
     ("Guest columnist"), an author bio ("X is a senior fellow at ..."), a disclaimer ("The
     views expressed are the author's own");
   - in the body: a dateline ("WASHINGTON (Reuters) -"), wire credits, a wire service as the
     author, reporting formulas ("told reporters"), and rates: first-person voice outside
     quotes (opinion), attribution verbs ("said", "told") and days of the week (reporting),
     second-person address and commercial calls to action (a guide or a shop, not news).

   Plain-text scrapes and JSONL records have no URL section or page type: the same steps run on
   what they have (title labels, bios, disclaimers, datelines, the body's voice).
3. **Decision**: strong cues weigh 3, medium 2, weak 1. When only one news genre has strong
   cues (what the page states about itself), it is the claim: a column's disclaimer outweighs
   the "said" of the news it discusses. Otherwise the genre with the larger weight is the claim
   when it outweighs the other by ``MIN_MARGIN`` (by a strong cue more when both have strong
   cues: "/news/" against "X is a professor" is no claim) and a strong or medium cue backs it.
   A claim must also outweigh the cues of a non-news page; weak cues alone ("NewsArticle" and a
   weekday) are no claim.
4. **Confidence**: a ``ConfidenceModel`` over how many strong, medium and weak cues support the
   claim, contradict it or point away from news (``data/models/genre.confidence.json``, fitted
   by ``narrascope train genre`` on the training split of the labelled sample
   ``benchmarks/genre_sample.tsv``; see ``evaluate.genre.fit_confidence``).
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..extract.outlets import outlet_for_url
from ..model import Article
from ..plugins import hookimpl
from ..settings import Settings

__all__ = ["EVIDENCE_WEIGHTS", "GENRES", "Cue", "GenreResult", "GenreStage", "classify_genre", "confidence_features", "genre_cues"]

GENRES = ("opinion", "reporting", "satire", "other")
#: The genres a claim can be about (satire is decided before the cues are weighed).
CLAIMS = ("opinion", "reporting")
CUES_FILE = Path(__file__).resolve().parent.parent / "data" / "genre_cues.tsv"
WEIGHT = {"strong": 3, "medium": 2, "weak": 1}

SATIRE_TAG = re.compile(r"\b(satire|satirical|parody)\b", re.I)
SATIRE_OUTLETS = {"the onion", "the babylon bee", "the beaverton", "duffel blog", "the daily mash", "clickhole",
                  "the borowitz report", "newsthump", "waterford whispers news", "the shovel", "der postillon"}
#: A satire claim rests on a list of outlets or on the page's own word, not on weighed cues; its
#: confidence is the rule's (no satire page is in the labelled sample to calibrate it on).
SATIRE_CONFIDENCE = {"outlet": 0.95, "tag": 0.9, "type": 0.9}

# The body's voice, per 1,000 words; quoted speech is left out first.
QUOTED = re.compile(r"“[^”]{0,1500}”|\"[^\"\n]{0,1500}\"|«[^»]{0,1500}»")
FIRST_PERSON = re.compile(r"\b(I|I'm|I’m|I've|I’ve|I'd|I’d|I'll|I’ll|me|my|mine|myself)\b")
SECOND_PERSON = re.compile(r"\b(you|your|you're|you’re|yours|yourself)\b")  # on the lower-cased body
ATTRIBUTION = re.compile(r"\b(said|says|told|according to|announced|stated|confirmed|reported|added)\b")
WEEKDAY = re.compile(r"\b(on|late|early|last|this|next|since|by) (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
                     r"Sunday)\b")
#: rate thresholds per 1,000 words (outside quotes), from the training split of the labelled sample
FIRST_PERSON_RATE = 6.0
SECOND_PERSON_RATE = 12.0
#: a guide that talks to its reader this much is no news page whatever its section says
SECOND_PERSON_STRONG_RATE = 25.0
ATTRIBUTION_RATE = 5.0
ATTRIBUTION_WEAK_RATE = 3.0
#: A claim needs a strong or medium cue, and this much more weight than the other news genre
#: (a strong cue each way, "/news/" against "X is a professor", is no claim).
MIN_MARGIN = 2
#: how much of the body the rates and formulas read (its head; formulas also its last 2,000 characters)
SAMPLE_CHARS = 12000
#: the shortest body whose rates mean something
MIN_WORDS = 120


@dataclass(frozen=True)
class CuePattern:
    where: str
    genre: str
    strength: str
    pattern: re.Pattern[str]
    note: str


@dataclass(frozen=True)
class Cue:
    """One piece of evidence: the genre it points to, its strength and what was seen."""

    genre: str
    strength: str
    kind: str
    seen: str

    def describe(self) -> str:
        return f"{self.kind}: {self.seen}"


@dataclass
class GenreResult:
    """The claimed genre ("other" when nothing is claimed), its confidence and the cues."""

    genre: str
    confidence: float | None
    cues: list[Cue] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)

    @property
    def evidence(self) -> list[str]:
        """The cues for the claim first, then the others (each says which genre it points to)."""
        first = [c for c in self.cues if c.genre == self.genre]
        rest = [c for c in self.cues if c.genre != self.genre]
        return [c.describe() for c in first] + [f"{c.describe()} (points to {c.genre})" for c in rest]


@lru_cache(maxsize=1)
def genre_cues() -> tuple[CuePattern, ...]:
    """The cue patterns of ``data/genre_cues.tsv`` (where, genre, strength, pattern, note)."""
    with CUES_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return tuple(CuePattern(where=row["where"], genre=row["genre"], strength=row["strength"],
                            pattern=re.compile(row["pattern"], 0 if row["where"] in CASED else re.I),
                            note=row["note"]) for row in rows)


#: Cue sources matched as written: the dateline's capitals matter, and the body's formulas are
#: matched on the lower-cased body (ignoring case costs twice the time on a long body).
CASED = ("dateline", "text")


def _patterns(where: str) -> list[CuePattern]:
    return [c for c in genre_cues() if c.where == where]


# ---------------------------------------------------------------------------------------------
# The cues, one small step per source of evidence


def url_cues(url: str | None) -> list[Cue]:
    """Section segments of the URL path (the last segment, the slug, is not a section) and its host."""
    if not url:
        return []
    parts = urlsplit(url)
    segments = [unquote(s).lower() for s in parts.path.split("/") if s][:-1]
    cues: list[Cue] = []
    known_outlet = outlet_for_url(url) is not None
    for segment in segments[:4]:
        for pattern in _patterns("url"):
            if pattern.pattern.search(segment):
                strength = pattern.strength
                if pattern.genre == "reporting" and strength == "strong" and not known_outlet:
                    strength = "medium"  # a company's or a university's /news/ is its own announcements
                cues.append(Cue(pattern.genre, strength, "url section", f"/{segment}/"))
                break
    if not cues:  # the path's section is more specific than the host (news.example.com/opinion/)
        for pattern in _patterns("host"):
            if pattern.pattern.search(parts.netloc.lower()):
                cues.append(Cue(pattern.genre, pattern.strength, "url host", parts.netloc.lower()))
    return _best_per_genre(cues)


def section_cues(section: str | None) -> list[Cue]:
    if not section:
        return []
    return _first_match("section", section.strip(), "section")


def type_cues(page_types: list[str]) -> list[Cue]:
    cues = []
    for kind in page_types:
        cues += _first_match("type", kind, "page type")
    return _best_per_genre(cues)


def title_cues(title: str | None) -> list[Cue]:
    if not title:
        return []
    return _best_per_genre([cue for p in _patterns("title") if (m := p.pattern.search(title))
                            for cue in [Cue(p.genre, p.strength, "title", m.group(0).strip())]])


def byline_cues(article: Article) -> list[Cue]:
    lines = [r.text for r in article.removed if r.kind == "byline"]
    return _best_per_genre([c for line in lines for c in _first_match("byline", line, "byline", show=line)])


def bio_cues(article: Article) -> list[Cue]:
    """Author notes: an opinion role or an outside job says op-ed; a newsroom role says reporting."""
    bios = list(dict.fromkeys([*article.author_bios, *(r.text for r in article.removed if r.kind == "bio")]))
    cues: list[Cue] = []
    for bio in bios:
        found = _first_match("bio", bio[:400], "author bio", show=bio)
        cues += found[:1]
    return _best_per_genre(cues)


def disclaimer_cues(article: Article) -> list[Cue]:
    """Disclaimers set aside by extraction, and a disclaimer left as the body's last paragraphs."""
    notes = [r.text for r in article.removed if r.kind in ("disclaimer", "bio", "other")]
    notes += [p for p in article.text[-1500:].split("\n\n")[-3:] if len(p) < 600]
    return _best_per_genre([c for note in notes for c in _first_match("disclaimer", note, "disclaimer", show=note)])


def dateline_cues(text: str) -> list[Cue]:
    first = text.lstrip()[:300]
    # A dateline opens the first paragraph, or follows a short "News Flash"-type line.
    starts = [first, *(first.split("\n", 2)[1:2])]
    for start in starts:
        for pattern in _patterns("dateline"):
            match = pattern.pattern.match(start.lstrip())
            if match:
                return [Cue(pattern.genre, pattern.strength, "dateline", match.group(0).strip())]
    return []


def wire_cues(article: Article) -> list[Cue]:
    cues: list[Cue] = []
    head, tail = article.text[:600], article.text[-1500:]
    notes = " ".join(r.text for r in article.removed if r.kind in ("credit", "byline", "other"))
    for pattern in _patterns("wire"):
        match = pattern.pattern.search(head) or pattern.pattern.search(tail) or pattern.pattern.search(notes)
        if match:
            cues.append(Cue(pattern.genre, pattern.strength, "wire credit", match.group(0).strip()))
    for author in article.authors:
        cues += _first_match("author", author.strip(), "wire author")
    return _best_per_genre(cues)


def text_cues(text: str) -> list[Cue]:
    """Fixed formulas of the body: reporting formulas, commercial calls to action (searched in the
    body's head and tail, where they sit, so a long page costs no more than a short one)."""
    window = (text if len(text) <= SAMPLE_CHARS else f"{text[:SAMPLE_CHARS - 2000]}\n{text[-2000:]}").lower()
    return _best_per_genre([cue for p in _patterns("text") if (m := p.pattern.search(window))
                            for cue in [Cue(p.genre, p.strength, "phrase", m.group(0))]])


def voice_cues(text: str) -> list[Cue]:
    """Rates per 1,000 words outside quoted speech: first person (opinion), attribution verbs and
    weekdays (reporting), second person (a guide talking to its reader)."""
    sample = text[:SAMPLE_CHARS]  # a rate needs no more than the first few thousand words
    bare = QUOTED.sub(" ", sample)
    words = len(bare.split())
    if words < MIN_WORDS:
        return []
    per = 1000.0 / words
    first = len(FIRST_PERSON.findall(bare)) * per
    second = len(SECOND_PERSON.findall(bare.lower())) * per
    attribution = len(ATTRIBUTION.findall(sample)) * 1000.0 / max(1, len(sample.split()))
    cues: list[Cue] = []
    if first >= FIRST_PERSON_RATE:  # weak: personal blogs and product reviews speak in the first person too
        cues.append(Cue("opinion", "weak", "first person", f"{first:.1f} per 1,000 words"))
    if attribution >= ATTRIBUTION_RATE:
        cues.append(Cue("reporting", "medium", "attribution verbs", f"{attribution:.1f} per 1,000 words"))
    elif attribution >= ATTRIBUTION_WEAK_RATE:
        cues.append(Cue("reporting", "weak", "attribution verbs", f"{attribution:.1f} per 1,000 words"))
    if (weekday := WEEKDAY.search(sample)) and attribution >= ATTRIBUTION_WEAK_RATE:
        cues.append(Cue("reporting", "weak", "weekday", weekday.group(0)))
    if second >= SECOND_PERSON_RATE:
        strength = "strong" if second >= SECOND_PERSON_STRONG_RATE else "medium"
        cues.append(Cue("other", strength, "second person", f"{second:.1f} per 1,000 words"))
    return cues


def _first_match(where: str, value: str, kind: str, *, show: str | None = None) -> list[Cue]:
    for pattern in _patterns(where):
        match = pattern.pattern.search(value)
        if match:
            seen = (show if show is not None else value)[:100]
            return [Cue(pattern.genre, pattern.strength, kind, seen)]
    return []


def _best_per_genre(cues: list[Cue]) -> list[Cue]:
    """One cue per genre from one source of evidence (its strongest), so a source counts once."""
    best: dict[str, Cue] = {}
    for cue in cues:
        if cue.genre not in best or WEIGHT[cue.strength] > WEIGHT[best[cue.genre].strength]:
            best[cue.genre] = cue
    return list(best.values())


# ---------------------------------------------------------------------------------------------
# Decision and confidence


def collect_cues(article: Article, *, use_url: bool = True) -> list[Cue]:
    """Every cue of the article, source by source (``use_url=False`` hides the URL)."""
    cues = url_cues(article.url) if use_url else []
    cues += section_cues(article.section)
    cues += type_cues(article.page_types)
    cues += title_cues(article.title)
    cues += byline_cues(article)
    cues += bio_cues(article)
    cues += disclaimer_cues(article)
    cues += dateline_cues(article.text)
    cues += wire_cues(article)
    cues += text_cues(article.text)
    cues += voice_cues(article.text)
    return cues


def confidence_features(claim: str, cues: list[Cue]) -> dict[str, float]:
    """What the confidence model reads: the claim, and the strong, medium and weak cues for it,
    against it (the other news genre) and pointing away from news."""
    features: dict[str, float] = {f"claim={claim}": 1.0}
    for cue in cues:
        side = "for" if cue.genre == claim else "against" if cue.genre in CLAIMS else "non_news"
        key = f"{side}_{cue.strength}"
        features[key] = features.get(key, 0.0) + 1.0
    return features


#: How much each kind of cue says for a claim, before calibration: the score the confidence model
#: starts from (``narrascope train genre`` keeps these weights and fits the map from score to
#: confidence when the training claims hold too few wrong ones to fit weights of their own).
EVIDENCE_WEIGHTS = {"for_strong": 1.5, "for_medium": 0.8, "for_weak": 0.2,
                    "against_strong": -1.5, "against_medium": -0.8, "against_weak": -0.2,
                    "non_news_strong": -1.0, "non_news_medium": -0.6, "non_news_weak": -0.2}


def _satire(article: Article) -> GenreResult | None:
    outlet = (article.outlet or "").lower()
    if outlet in SATIRE_OUTLETS:
        return GenreResult("satire", SATIRE_CONFIDENCE["outlet"], [Cue("satire", "strong", "outlet", article.outlet or "")])
    tags = [t for t in article.tags if SATIRE_TAG.search(t)]
    if tags:
        return GenreResult("satire", SATIRE_CONFIDENCE["tag"], [Cue("satire", "strong", "tag", t) for t in tags])
    if any(c.genre == "satire" for c in type_cues(article.page_types)):
        return GenreResult("satire", SATIRE_CONFIDENCE["type"], [Cue("satire", "strong", "page type", "SatiricalArticle")])
    return None


def classify_genre(article: Article, *, use_url: bool = True, model_path: str = "") -> GenreResult:
    """The genre claim for ``article`` with its confidence (before any floor is applied).

    ``use_url=False`` hides the URL from the cues (used to measure how much the rest says).
    ``model_path`` names a confidence model other than the shipped one.
    """
    satire = _satire(article)
    if satire is not None:
        return satire
    cues = collect_cues(article, use_url=use_url)
    score = {g: sum(WEIGHT[c.strength] for c in cues if c.genre == g) for g in ("opinion", "reporting", "other")}
    strong = {g: any(c.genre == g and c.strength == "strong" for c in cues) for g in CLAIMS}
    if strong["opinion"] != strong["reporting"]:  # what the page states outweighs the body's voice
        claim = "opinion" if strong["opinion"] else "reporting"
        margin = MIN_MARGIN
    else:
        claim = "opinion" if score["opinion"] > score["reporting"] else "reporting"
        rival = "reporting" if claim == "opinion" else "opinion"
        margin = score[claim] - score[rival] - (WEIGHT["strong"] if strong[claim] else 0)
    backed = any(c.genre == claim and c.strength != "weak" for c in cues)
    if not backed or margin < MIN_MARGIN or score[claim] <= score["other"]:
        return GenreResult("other", None, cues)
    features = confidence_features(claim, cues)
    return GenreResult(claim, _confidence(features, model_path), cues, features)


def _confidence(features: dict[str, float], model_path: str) -> float:
    from ..analysis.confidence import load_confidence_model

    model = load_confidence_model("genre", model_path)
    if model is None:  # no model shipped: the evidence score itself, not calibrated
        z = sum(EVIDENCE_WEIGHTS.get(k, 0.0) * v for k, v in features.items())
        return round(1.0 / (1.0 + math.exp(-z)), 3)
    return model(features)


class GenreStage:
    name = "genre"
    version = "2"
    requires = ("title", "tags", "removed", "author_bios", "text", "url", "section", "page_types")
    sets = ("genre", "genre_confidence", "genre_evidence")

    def compute(self, article: Article, settings: Settings) -> dict[str, Any]:
        result = classify_genre(article)
        floor = settings.analysis.min_confidence.genre
        evidence = result.evidence
        if result.confidence is None or result.confidence < floor:
            if result.genre != "other":
                evidence = [f"not claimed: {result.genre} at confidence {result.confidence:g}, under the floor"
                            f" {floor:g} (analysis.min_confidence.genre)", *evidence]
            return {"genre": "other", "genre_confidence": None, "genre_evidence": evidence}
        return {"genre": result.genre, "genre_confidence": result.confidence, "genre_evidence": evidence}


@hookimpl
def narrascope_stages() -> list[GenreStage]:
    return [GenreStage()]
