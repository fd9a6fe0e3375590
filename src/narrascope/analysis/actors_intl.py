"""Actors in languages other than English: the knowledge base's names, in every inflected form.

The languages: Russian and Ukrainian (names declined through pymorphy3), German, French and
Spanish (every form listed in ``names.tsv``).

``find_actors_in(text, kb, language, published)`` returns the article's actors in the record shape
of the English analysis (``ActorRecord``, SCHEMA.md ``actors``), with the same canonical ids: a
Russian "Кремля" is ``RUS`` as the English "Kremlin" is, "Лаврова" ``person:sergey-lavrov``.

How, in order (precision first: what is not known is not claimed):

1. **Full names** (``names.tsv``: names, adjectives, seats of power, office holders in full),
   matched through every declined form (``analysis.languages.phrase_forms``), the longest first.
   A capitalised form must be capitalised in the text ("Путина", not the fishing season
   "путина"); an all-capitals one ("США") as written; a lower-case one (an adjective) in either
   case, so "Российские" opens a sentence.
2. **Short forms** ("Лавров", "Ким"): the person named in full in the article, else the one
   person in office on ``published`` known by that form (the one person known by it when there
   is no date). A short form next to another capitalised word ("Андрей Лавров", "Ким Ё Чжон")
   names someone else and is left out, as is one that stays ambiguous; so is a one-word name
   inside a longer one ("Джордж Вашингтон", "Эхо Москвы", "Вашингтон Пост"), and a name or
   adjective inside a phrase of ``not_actors.txt`` ("американские горки", a roller coaster).
3. **Roll-up**: a person or state body acting for a state counts among the state's mentions
   ("Лавров" is a mention of Russia too), as in English.

There is no named-entity recogniser here: a person or body outside the knowledge base is not an
actor in these languages (natasha's Russian NER was measured and left out; see the README).
Confidence is fixed per kind of form (``CONFIDENCE``), not calibrated: there is no gold set in
these languages yet.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from .kb import KnowledgeBase, parse_date
from .languages import INFLECTED, analyzer, normal, phrase_forms, word_set, words
from .types import ActorRecord, Mention, acts_for

__all__ = ["CONFIDENCE", "find_actors_in"]

#: Capitalised words that stand before a name as its title, not as part of it (German nouns are
#: capitalised: "Außenminister Lawrow", "Kremlchef Putin", "Präsident Trump").
TITLE_BEFORE = {"de": re.compile(r"(?:minister|ministerin|präsident|präsidentin|chef|chefin|sprecher|sprecherin|kanzler"
                                 r"|kanzlerin|sekretär|sekretärin|diktator|machthaber|führer|berater|beraterin)$",
                                 re.IGNORECASE)}
#: Words that open a sentence before a surname without being a first name (languages without a
#: dictionary of first names here).
SENTENCE_OPENERS = {
    "de": word_set("auch aber als am an auf aus bei da dann dass dem den denn der des die doch durch ein eine einem"
                 " einen einer für gegen gestern heute im in jetzt laut mit nach nun noch ohne so über um und unter"
                 " von vor während wie zudem zum zur zwischen"),
    "fr": word_set("à alors après au aujourd'hui aux avec chez contre dans de depuis des donc du en entre et hier l'"
                 " la le les lorsque mais par pendant pour puis quand selon sur un une vers"),
    "es": word_set("a además ahora al ayer con contra cuando de del desde después durante el en entonces entre hacia"
                 " hoy la las los luego mientras para pero por según sobre también tras un una y"),
}
#: Which form wins among forms of the same length: a phrase that is no actor, then a full name.
PART_ORDER = {"not": 0, "full": 1, "short": 2}
#: Confidence of a mention by how it was found and what it names (fixed, not calibrated).
CONFIDENCE = {"name": 0.9, "adjective": 0.8, "short-named": 0.9, "short-office": 0.75}


@dataclass(frozen=True)
class _Form:
    """One declined form of a name: its words, which of them must be capitalised, whom it names."""

    words: tuple[str, ...]
    shape: tuple[str, ...]  # per word: "upper" (all capitals), "title" (capitalised) or "any"
    ids: tuple[str, ...]
    part: str  # "full", "short" or "not" (a phrase that is never an actor)
    written: str  # the name as names.tsv writes it


def _shape(word: str) -> str:
    if len(word) > 1 and word.isupper():
        return "upper"
    return "title" if word[:1].isupper() else "any"


@lru_cache(maxsize=16)
def _forms(kb: KnowledgeBase, language: str) -> dict[str, list[_Form]]:
    """First word (``normal``) -> the declined forms that start with it, longest first."""
    index: dict[str, list[_Form]] = {}
    # phrases of not_actors.txt ("американские горки": a roller coaster) take their words out of matching
    blocked: dict[str, tuple[str, ...]] = {form: () for form in kb.not_actors}
    parts: list[tuple[str, dict[str, tuple[str, ...]]]] = [*kb.names.get(language, {}).items(), ("not", blocked)]
    for part, names in parts:
        for written, ids in names.items():
            shape = tuple(_shape(w) for _s, _e, w in words(written))
            for declined in phrase_forms(written, language):
                if len(declined) == len(shape):
                    index.setdefault(declined[0], []).append(_Form(declined, shape, ids, part, written))
    for forms in index.values():
        forms.sort(key=lambda f: (-len(f.words), PART_ORDER[f.part], f.written))
    return index


def _fits(form: _Form, tokens: list[tuple[int, int, str]], i: int) -> bool:
    if i + len(form.words) > len(tokens):
        return False
    for k, (want, shape) in enumerate(zip(form.words, form.shape, strict=True)):
        word = tokens[i + k][2]
        if normal(word) != want or (shape == "upper" and not word.isupper()) or (shape == "title" and not word[:1].isupper()):
            return False
    return True


def _kind_of_form(kb: KnowledgeBase, actor_id: str, written: str) -> str:
    actor = kb.actors[actor_id]
    if actor.kind == "state" and written[:1].islower():
        return "adjective"
    return "name"


def find_actors_in(text: str, kb: KnowledgeBase, language: str, published: str | dt.date | None = None
                   ) -> list[ActorRecord]:
    """The actors of ``text`` (in ``language``), each with its mentions and the state roll-up."""
    index = _forms(kb, language)
    tokens = list(words(text))
    day = parse_date(published) if published else None
    found: list[tuple[int, int, _Form]] = []  # token span and form
    i = 0
    while i < len(tokens):
        form = next((f for f in index.get(normal(tokens[i][2]), ()) if _fits(f, tokens, i)), None)
        if form is None:
            i += 1
            continue
        found.append((i, i + len(form.words), form))
        i += len(form.words)
    # a one-word name inside a longer one is not a mention: "Джордж Вашингтон", "Эхо Москвы", "Вашингтон Пост"
    found = [(a, b, f) for a, b, f in found
             if not (f.part == "full" and b - a == 1 and f.shape == ("title",)
                     and _next_to_a_name(text, tokens, a, b, found, language, before=language != "de"))]
    found = [(a, b, f) for a, b, f in found if f.part != "not"]
    named = {actor_id for _a, _b, f in found if f.part == "full" for actor_id in f.ids}
    mentions: list[Mention] = []
    for a, b, form in found:
        start, end = tokens[a][0], tokens[b - 1][1]
        if form.part == "full":
            if len(form.ids) != 1:
                continue
            actor_id = form.ids[0]
            how = _kind_of_form(kb, actor_id, form.written)
            mentions.append(Mention(start, end, text[start:end], actor_id, "gazetteer", CONFIDENCE[how]))
            continue
        if _next_to_a_name(text, tokens, a, b, found, language):
            continue
        resolved = _resolve_short(kb, form.ids, named, day)
        if resolved is not None:
            actor_id, how = resolved
            mentions.append(Mention(start, end, text[start:end], actor_id, "coref" if how == "short-named" else "gazetteer",
                                    CONFIDENCE[how]))
    return _records(kb, mentions, day)


def _next_to_a_name(text: str, tokens: list[tuple[int, int, str]], a: int, b: int,
                    found: list[tuple[int, int, _Form]], language: str, *, before: bool = True) -> bool:
    """A name beside another capitalised word (only a space between, that word not itself a known
    name) belongs to a longer name: "Андрей Лавров", "Ким Ё Чжон", "Вашингтон Пост". A capitalised
    word opening the sentence before it counts only when it may be a first name ("Вчера Лавров" is
    Lavrov); ``before=False`` looks only after (German capitalises every noun: "Regierung Russlands")."""
    covered = {k for x, y, _f in found for k in range(x, y)}
    if b < len(tokens) and b not in covered and tokens[b][2][:1].isupper() \
            and text[tokens[b - 1][1]:tokens[b][0]] in (" ", "\u00a0"):
        return True
    k = a - 1
    if not before or k < 0 or k in covered or not tokens[k][2][:1].isupper() or text[tokens[k][1]:tokens[a][0]] not in (" ", "\u00a0"):
        return False
    if TITLE_BEFORE.get(language) and TITLE_BEFORE[language].search(tokens[k][2]):
        return False  # a German title is capitalised: "Außenminister Lawrow" is Lavrov
    return not _sentence_start(text, tokens[k][0]) or _first_name(tokens[k][2], language)


def _first_name(word: str, language: str) -> bool:
    """Whether a capitalised word opening a sentence may be a first name: in Russian and Ukrainian
    when the dictionary reads it as one; elsewhere unless it is a word that opens sentences
    ("Gestern Lawrow...", "Ayer Lavrov..."): precision first, an unknown word may be a name."""
    if language in INFLECTED:
        return any("Name" in p.tag for p in analyzer(language).parse(word))
    return word.lower() not in SENTENCE_OPENERS.get(language, frozenset())


def _sentence_start(text: str, at: int) -> bool:
    before = text[:at].rstrip(" \t«„“\"(—–-")
    return not before or before[-1] in ".!?…\n:"


def _resolve_short(kb: KnowledgeBase, ids: tuple[str, ...], named: set[str], day: dt.date | None
                   ) -> tuple[str, str] | None:
    in_article = [i for i in ids if i in named]
    if len(in_article) == 1:
        return in_article[0], "short-named"
    if in_article:
        return None
    holding = [i for i in ids if day is None or kb.actors[i].term_at(day) is not None]
    return (holding[0], "short-office") if len(holding) == 1 else None


def _records(kb: KnowledgeBase, mentions: list[Mention], day: dt.date | None) -> list[ActorRecord]:
    records: dict[str, ActorRecord] = {}
    for m in mentions:
        record = records.get(m.actor) or _record(kb, m.actor, day)
        records[m.actor] = record
        record.mentions.append(m)
    for record in list(records.values()):
        home = acts_for(record) if record.kind != "state" else None
        if home and home in kb:
            state = records.get(home) or _record(kb, home, day)
            records[home] = state
            state.mentions.extend(record.mentions)
    for record in records.values():
        record.mentions = sorted(set(record.mentions), key=lambda m: (m.start, m.end))
    return sorted(records.values(), key=lambda r: (r.mentions[0].start if r.mentions else 0, r.id))


def _record(kb: KnowledgeBase, actor_id: str, day: dt.date | None) -> ActorRecord:
    actor = kb.actors[actor_id]
    if actor.kind != "person":
        return ActorRecord(id=actor.id, name=actor.name, kind=actor.kind, country=actor.country,
                           operates_in=actor.operates_in)
    if day is None:  # no date: the state the person acts for, no dated role (as in English)
        return ActorRecord(id=actor.id, name=actor.name, kind="person", country=actor.country)
    term = actor.term_at(day)
    if term is not None:
        return ActorRecord(id=actor.id, name=actor.name, kind="person", country=term.country, role=term.role)
    last = actor.last_term_before(day)
    return ActorRecord(id=actor.id, name=actor.name, kind="person", country=None,
                       role=f"former {last.role}" if last else None)
