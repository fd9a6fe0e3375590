"""The article-analysis stages: thin, versioned wrappers that put the analysis modules in the pipeline.

Every stage here follows ``narrascope.enrich.Stage``: ``compute(article, settings)`` returns the
fields it sets and touches nothing. The stages share one spaCy parse of the article text through
``parsed(article)``, a small per-process cache keyed by the text itself, so six stages cost one
parse. Later stages read what earlier ones wrote on the article (``actors`` before ``quotes``
before ``events``...), which is why the pipeline order in the settings matters and each stage
declares what it ``requires``.

Each stage also declares the ``languages`` it runs on (``analysis.languages.STAGE_LANGUAGES``): the
spaCy parse is English, so a stage runs on an article in another language only where it has its
own means there (actors and quotes in Russian, Ukrainian, German, French and Spanish:
``actors_intl``, ``quotes_intl``).
Elsewhere the pipeline does not run it and records why in ``provenance["stages"]``.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from ..model import Article
from ..plugins import hookimpl
from ..settings import Settings
from .confidence import keep
from .languages import INTL, stage_languages
from .nlp import parse
from .types import ActorRecord, Mention

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["ANALYSIS_STAGES", "actor_records", "mentions_of", "parsed"]

#: The last few parses, keyed by the text itself (a str caches its own hash, so a lookup by the
#: article's text costs nothing after the first).
_DOCS: OrderedDict[str, Doc] = OrderedDict()
_DOCS_KEPT = 4


def parsed(article: Article, settings: Settings | None = None) -> Doc:
    """The spaCy parse of ``article.text``, shared by every stage that runs on the same text (a long
    text parsed in pieces of ``analysis.parse_piece_chars``)."""
    doc = _DOCS.get(article.text)
    if doc is None:
        doc = parse(article.text, piece_chars=settings.analysis.parse_piece_chars) if settings else parse(article.text)
        _DOCS[article.text] = doc
        while len(_DOCS) > _DOCS_KEPT:
            _DOCS.popitem(last=False)
    else:
        _DOCS.move_to_end(article.text)
    return doc


def actor_records(article: Article) -> list[ActorRecord]:
    """The article's ``actors`` field back as ``ActorRecord`` objects (with their mentions)."""
    records = []
    for a in article.actors:
        mentions = [Mention(m["start"], m["end"], m["text"], m.get("via") or a["id"], m.get("how", "gazetteer"),
                            float(m.get("confidence", 1.0)))
                    for m in a.get("mentions", [])]
        records.append(ActorRecord(id=a["id"], name=a["name"], kind=a["kind"], country=a.get("country"),
                                   role=a.get("role"), mentions=mentions, operates_in=a.get("operates_in")))
    return records


def mentions_of(article: Article) -> list[Mention]:
    """Every actor mention of the article, once (a mention rolled up to a state is the mention of the
    actor it names), in text order."""
    return sorted((m for a in actor_records(article) for m in a.own_mentions), key=lambda m: (m.start, m.end))


class ActorsStage:
    name = "actors"
    version = "5"
    requires = ("text", "published")
    sets = ("actors",)
    languages = stage_languages("actors")

    def compute(self, article: Article, settings: Settings) -> dict[str, Any]:
        from .actors import find_actors, kept_records
        from .kb import load_kb

        kb = load_kb(tuple(settings.analysis.actors_files))
        if article.language in INTL:
            from .actors_intl import find_actors_in

            found = find_actors_in(article.text, kb, article.language, article.published)
            return {"actors": [r.to_dict() for r in kept_records(found, settings.analysis.min_confidence.actors)]}
        records, _mentions = find_actors(parsed(article, settings), kb, published=article.published)
        return {"actors": [r.to_dict() for r in kept_records(records, settings.analysis.min_confidence.actors)]}


class QuotesStage:
    name = "quotes"
    version = "6"
    requires = ("text", "actors", "authors")
    sets = ("quotes",)
    languages = stage_languages("quotes")

    def compute(self, article: Article, settings: Settings) -> dict[str, Any]:
        from .confidence import keep
        from .quotes import find_quotes

        if article.language in INTL:
            from .quotes_intl import find_quotes_in

            found = find_quotes_in(article.text, article.language, mentions_of(article), actor_records(article))
            return {"quotes": keep(found, settings.analysis.min_confidence.quotes)}

        quotes = find_quotes(parsed(article, settings), mentions_of(article), actor_records(article),
                             authors=tuple(article.authors))
        return {"quotes": keep(quotes, settings.analysis.min_confidence.quotes)}


class EventsStage:
    name = "events"
    version = "7"
    requires = ("text", "actors", "quotes")
    sets = ("events",)
    languages = stage_languages("events")

    def compute(self, article: Article, settings: Settings) -> dict[str, Any]:
        from .confidence import keep
        from .events import find_events

        events = find_events(parsed(article, settings), mentions_of(article), article.quotes, actor_records(article))
        return {"events": keep(events, settings.analysis.min_confidence.events)}


class TechniquesStage:
    name = "techniques"
    version = "7"
    requires = ("text", "quotes")
    sets = ("techniques",)
    languages = stage_languages("techniques")

    def compute(self, article: Article, settings: Settings) -> dict[str, Any]:
        from .confidence import keep
        from .techniques import find_techniques

        found = find_techniques(parsed(article, settings), article.quotes, model_path=settings.analysis.techniques_model)
        return {"techniques": keep(found, settings.analysis.min_confidence.techniques)}


class FramesStage:
    name = "frames"
    version = "3"
    requires = ("text",)
    sets = ("frames",)
    languages = stage_languages("frames")

    def compute(self, article: Article, settings: Settings) -> dict[str, Any]:
        from .frames import find_frames

        return {"frames": keep(find_frames(parsed(article, settings)), settings.analysis.min_confidence.frames)}


class StanceStage:
    name = "stance"
    version = "7"
    requires = ("text", "title", "outlet", "genre", "actors", "quotes")
    sets = ("stances",)
    languages = stage_languages("stance")

    def compute(self, article: Article, settings: Settings) -> dict[str, Any]:
        from .confidence import keep
        from .stance import find_stances

        stances = find_stances(parsed(article, settings), actor_records(article), article.quotes, title=article.title or "",
                               outlet=article.outlet, genre=article.genre)
        return {"stances": keep(stances, settings.analysis.min_confidence.stances)}


class TopicsStage:
    name = "topics"
    version = "3"
    requires = ("title", "text")
    sets = ("topics", "topic_evidence")
    languages = stage_languages("topics")

    def compute(self, article: Article, settings: Settings) -> dict[str, Any]:
        from .topics import assign_topics

        topics = assign_topics(article.title, article.text, min_score=settings.analysis.topic_min_score)
        kept = keep([t.to_dict() for t in topics], settings.analysis.min_confidence.topics)
        return {"topics": [t["id"] for t in kept], "topic_evidence": kept}


ANALYSIS_STAGES = (ActorsStage(), QuotesStage(), EventsStage(), TechniquesStage(), FramesStage(), StanceStage(),
                   TopicsStage())


@hookimpl
def narrascope_stages() -> tuple[Any, ...]:
    return ANALYSIS_STAGES
