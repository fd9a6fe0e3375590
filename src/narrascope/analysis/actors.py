"""Who is in an article: mentions found by gazetteer and NER, resolved to actors, with coreference.

``find_actors(doc, kb, published)`` returns the article's actors (SCHEMA.md ``actors``) and the flat
list of mentions the later modules (quotes, events) build on. How a mention is found, in the order
that decides between overlapping candidates:

1. **coref** phrases that name an office holder or a state through a person: a title qualified by a
   state ("the US president", "the North Korean leader", "China's foreign minister") or after
   "the" ("the president"), resolved to the office holder mentioned in the article or in office on
   the article's date; a leader's name with "regime", "administration"... ("the Kim regime") and a
   dynasty's family name in the plural ("The Kims", not "the Clintons") resolve to the state.
2. **gazetteer**: a full name from the knowledge base (states with their adjectives, capitals and
   seats of power, organizations, office holders). A name inside a longer named entity that adds
   capitalised words ("Moscow" in "The Moscow Times") is not a mention of its own.
3. short forms and surnames ("Putin", "Kim", "Kofman"): the person named in full most recently
   before (else after) in the article, else the one person in office on ``published`` under that
   form (or the one person known by it when there is no date). Unresolved short forms are dropped.
4. **ner**: spaCy's PERSON, ORG, GPE, LOC and plural NORP entities not in the knowledge base become
   actors of their own (ids ``person:``, ``org:``, ``location:``, ``group:`` plus a slug), minus
   the knowledge base's non-actors, quoted phrases, handles, a lone capitalised word tagged ORG
   ("Juche") and a person named only as a modifier ("an old Billy Joel song"). A one-word entity
   that is the surname of someone named in the article is that person, whatever its label. A
   title the recogniser took into a PERSON entity ("Defence Secretary Tom King") is left out of
   the name. "Georgia" in a text that names US states is the US state.

People carry a role: the title before the name ("U.S. Secretary of State Rex Tillerson"), an
appositive after it ("Michael Kofman, a Global Fellow at the Wilson Center"), or "X is a ...";
else the knowledge base's role on the article's date ("former ..." once the term has ended, and
then no ``country``). A person or organization carries the state it acts for in ``country``: the
knowledge base's, the state named in a government title ("Russian Foreign Minister Andrei
Kozyrev"; not "the Russian journalist"), or for an organization outside the base the state whose
name or adjective opens its name ("Latvian Constitutional Court"; not the seat in "The Moscow
Times"). An actor outside the base also takes the state the text ties it to: a state's possessive
or adjective in an appositive ("Evo Morales, Bolivia's president - who"), a legislator's title or
party-state tag ("U.S. Rep.", "R-S.C."), a state body after a state's possessive ("China's State
Council"), "the department's spokeswoman" when one department with a state is named; a government
title tied to no state, a national institution or a party ("the Supreme Court", "Democrats") takes
the one state the article names, if it names exactly one (not only in someone's title). Two-letter
abbreviations ("AI"), adjectives ("Naval bases"), events and plans ("... Festival", "... Plan"),
ship classes, words of a quoted book title and "Latin America"'s "America" are no actors; names in
a list of people are people, "the Clintons" a group, and "DARPA" the agency it abbreviates.
A state's record lists its own mentions and those of every actor acting for it, so
"Lavrov" counts among Russia's mentions; the flat mention list names each span once, by its most
specific actor.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from .confidence import load_confidence_model
from .kb import FULL, SHORT, Actor, KnowledgeBase, default_kb, parse_date
from .nlp import doc_text
from .types import ActorRecord, Mention, acts_for

if TYPE_CHECKING:
    from spacy.matcher import Matcher
    from spacy.tokens import Doc, Span, Token
    from spacy.vocab import Vocab

__all__ = ["find_actors", "find_actors_with_features", "kept_records"]

#: entity labels whose names can contain a known name that is not a mention ("The Moscow Times")
ENCLOSING_LABELS = frozenset({"ORG", "FAC", "WORK_OF_ART", "EVENT", "LAW", "PRODUCT", "PERSON", "LANGUAGE"})
DETERMINERS = frozenset({"the", "The"})
POSSESSIVE = frozenset({"'s", "’s", "'", "’"})
#: what no actor name holds: quote marks (scare-quoted phrases), line breaks, handles and links
QUOTE_OR_BREAK = re.compile(r"[\"“”‘’«»\n@#]|'(?!s\b)|https?:")

#: title phrase -> the knowledge-base roles (lower case) it can refer to, in order of preference
TITLES: dict[str, tuple[str, ...]] = {
    "president": ("president", "acting president"),
    "vice president": ("vice president",),
    "prime minister": ("prime minister",),
    "premier": ("premier", "prime minister"),
    "chancellor": ("chancellor",),
    "foreign minister": ("foreign minister", "secretary of state", "foreign secretary"),
    "secretary of state": ("secretary of state",),
    "foreign secretary": ("foreign secretary",),
    "defence minister": ("defence minister", "secretary of defense", "defence secretary"),
    "defense minister": ("defence minister", "secretary of defense", "defence secretary"),
    "defense secretary": ("secretary of defense", "defence secretary"),
    "defence secretary": ("defence secretary", "secretary of defense"),
    "secretary of defense": ("secretary of defense",),
    "national security adviser": ("national security adviser",),
    "national security advisor": ("national security adviser",),
    "supreme leader": ("supreme leader",),
    "leader": ("supreme leader", "president", "prime minister", "chancellor", "premier", "leader", "king"),
    "king": ("king",),
    "queen": ("queen",),
    "emperor": ("emperor",),
    "crown prince": ("crown prince",),
    "secretary-general": ("secretary-general of the united nations", "secretary general of nato"),
    "secretary general": ("secretary-general of the united nations", "secretary general of nato"),
}
#: nouns after a leader's name that make the phrase name the state ("the Kim regime")
REGIME_WORDS = frozenset({"regime", "administration", "government", "cabinet", "dynasty", "clan", "family",
                          "junta", "camp"})
#: nouns that make the words before or around a name a role ("Russian journalist", "a Global Fellow at")
ROLE_NOUNS = frozenset({
    "president", "minister", "secretary", "adviser", "advisor", "chancellor", "premier", "leader", "king",
    "queen", "prince", "emperor", "ambassador", "envoy", "spokesman", "spokeswoman", "spokesperson",
    "general", "admiral", "commander", "chief", "director", "head", "senator", "governor", "mayor",
    "official", "diplomat", "lawmaker", "deputy", "chairman", "chairwoman", "chair", "negotiator",
    "representative", "journalist", "analyst", "professor", "fellow", "expert", "researcher", "economist",
    "editor", "columnist", "correspondent", "reporter", "founder", "ceo", "lawyer", "activist", "author",
    "historian", "scholar", "colonel", "officer", "judge", "member", "lecturer", "scientist", "politician",
    "candidate", "commentator", "strategist", "specialist", "dean", "associate", "partner", "blogger",
    "writer", "producer", "presenter", "host", "owner", "executive", "manager", "coordinator", "mp",
    "archbishop", "bishop", "cardinal", "pope", "sheikh", "ayatollah", "imam", "rabbi", "marshal",
    "congressman", "congresswoman", "assemblyman", "assemblywoman", "councilman", "councilwoman", "justice",
    "attorney", "anchor", "moderator", "hacker", "nominee", "challenger", "contender", "hopeful", "incumbent",
})
#: of these, the ones that make a person act for the state their title names
GOVERNMENT_NOUNS = frozenset({
    "president", "minister", "secretary", "adviser", "advisor", "chancellor", "premier", "leader", "king",
    "queen", "prince", "emperor", "ambassador", "envoy", "spokesman", "spokeswoman", "spokesperson",
    "general", "admiral", "commander", "senator", "governor", "official", "diplomat", "lawmaker",
    "negotiator", "representative", "colonel", "officer", "mp",
})
#: words before a name that are neither part of it nor a role
HONORIFICS = frozenset({"mr", "mrs", "ms", "dr", "sir", "dame", "lord", "lady", "gov", "sen", "rep", "gen", "col",
                        "lt", "sgt", "capt", "prof"})
#: roles whose holders rule a state: a family name shared by two of them names a dynasty ("The Kims")
HEAD_ROLES = frozenset({"president", "supreme leader", "king", "queen", "emperor", "leader", "prime minister",
                        "chancellor", "premier"})
ROLE_MAX_TOKENS = 14
#: the states of the USA: in a text naming one of them, "Georgia" is the US state, not the country
US_STATES = re.compile(r"\b(?:Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|"
                       r"Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|"
                       r"Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|"
                       r"New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|"
                       r"Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|"
                       r"Vermont|Virginia|Washington State|West Virginia|Wisconsin|Wyoming|Atlanta)\b")
SHARED_WITH_US_STATES = frozenset({"Georgia", "Georgian", "Georgians"})
HYPHENS = frozenset({"-", "‐", "‑"})
DIRECTIONS = frozenset({"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
                        "northeastern", "northwestern", "southeastern", "southwestern", "northeast", "northwest",
                        "southeast", "southwest"})
#: where ``_entity_at`` keeps its index in ``doc.user_data``
ENTITY_INDEX = "narrascope.actors.entity_index"
#: parts of speech of a sentence's first word that the entity recogniser wrongly takes into a name
OPENING_WORDS = frozenset({"ADV", "ADP", "SCONJ", "CCONJ", "INTJ", "VERB", "AUX", "PRON"})
#: a wire trailer is a short line: a trailer pattern's match takes its whole line up to this length
TRAILER_LINE = 120
#: a trailer pattern matching more than this is body text
TRAILER_MAX = 250
#: lower-case particles that belong to a family name ("de Blasio", "von der Leyen", "al-Assad")
SURNAME_PARTICLES = frozenset({"de", "da", "di", "del", "della", "van", "von", "der", "den", "ter", "la", "le", "du",
                               "dos", "das", "al", "el", "bin", "ibn", "abu", "st."})
NAME_SUFFIXES = frozenset({"Jr.", "Jr", "Sr.", "Sr", "III", "II", "IV"})
#: capitalised abbreviations of legislators' titles ("Sen. X", "U.S. Reps. X and Y"): government titles
LEGISLATOR_ABBREVIATIONS = frozenset({"sen", "sens", "rep", "reps"})
#: the United States' id: congressional party-state tags ("R-S.C.", "D-Calif.") name its legislators
USA = "USA"
#: a congressional party-state tag after a name: ", R-S.C.," "(D-Calif.)", "(R-Texas)", ", D-NY"
PARTY_STATE_TAG = re.compile(r"\s*[,(]\s*[RDI]-(?:[A-Z]\.(?:[A-Z]\.)+|[A-Z][a-z]{1,4}\.|W\.\s?Va\.|[A-Z]{2}\b|"
                             r"(?:New |North |South |West |Rhode )?[A-Z][a-z]{3,}\b)\s*[,)]")
#: words of a state's own bodies: an organization named by one after a state's possessive or
#: adjective acts for that state ("China's State Council", "the Syrian Foreign Ministry")
STATE_BODY_WORDS = frozenset({
    "council", "ministry", "department", "court", "parliament", "assembly", "army", "navy", "agency",
    "committee", "commission", "senate", "congress", "police", "guard", "service", "bureau", "office",
    "cabinet", "government", "forces", "embassy", "consulate", "legislature", "duma", "tribunal", "judiciary",
    "directorate", "authority", "command", "corps", "force", "enforcement", "administration", "military",
})
#: parties: groups of a state (their ``country``) that do not act for it
_PARTY_NAMES = r"(?:\w+ )+Party|Democrats|Republicans|GOP|Conservatives|Tories|Socialists"
PARTY = re.compile(rf"^(?:{_PARTY_NAMES})$")
#: a state's national institutions and parties, which belong to the one state an article names
#: ("the Supreme Court", "the Senate Judiciary Committee", "the Democratic Party", "Republicans")
NATIONAL_BODY = re.compile(r"^(?:Supreme Court|Constitutional Court|High Court|Senate(?: \w+)*|House of \w+(?: \w+)*|"
                           r"House(?: [A-Z]\w+)* Committee(?: on [\w ]+)?|Parliament|National Assembly|"
                           rf"{_PARTY_NAMES})$")
#: a role someone no longer holds
FORMER = re.compile(r"(?i)^(?:the )?(?:former|ex-|ex |onetime|one-time|erstwhile|late )")
#: words of organizations' names, never of a person's
ORGANIZATION_WORDS = frozenset({"company", "co", "inc", "corp", "corporation", "group", "bank", "university",
                                "institute", "foundation", "times", "news", "post", "press", "media", "party",
                                "association", "union", "club", "fund", "holdings", "partners", "capital",
                                "ventures", "labs", "research", "motors", "airlines", "systems", "network", "llc",
                                "ltd", "plc", "ag", "sa", "center", "centre", "school", "college", "church"})
#: last words of names of events, plans and programmes, which are not actors ("Texas Tribune
#: Festival", "Robotics Challenge", "... Development Plan", "Party Conference")
EVENT_WORDS = frozenset({"Conference", "Festival", "Challenge", "Plan", "Programme", "Program", "Summit",
                         "Games", "Olympics", "Championship", "Championships", "Cup", "Prize", "Award", "Awards",
                         "Expo", "Marathon", "Strategy", "Roadmap", "Agenda", "Week"})
#: words before a quoted title whose named entities are parts of the title, not actors
TITLE_WORDS = frozenset({"book", "books", "film", "movie", "novel", "documentary", "memoir", "song", "album",
                         "titled", "entitled", "play", "poem", "essay", "bestseller", "series", "show",
                         "podcast", "paper"})
DOUBLE_QUOTES = {"\"": "\"", "“": "”"}


@dataclass
class _Candidate:
    start: int  # token offsets
    end: int
    actor: str
    how: str
    rank: int  # lower wins when candidates overlap
    #: the rule that found it, finer than ``how`` (a confidence feature): "full_name", "short_form",
    #: "surname", "first_name", "ner", "title", "regime", "family"
    via: str = ""


@dataclass
class _Found:
    """Everything learned while reading one article."""

    doc: Doc
    kb: KnowledgeBase
    day: dt.date | None
    candidates: list[_Candidate] = field(default_factory=list)
    #: actors not in the knowledge base, by id
    local: dict[str, Actor] = field(default_factory=dict)
    #: (token start, person id) of every mention naming a person so far, in text order
    named: list[tuple[int, str]] = field(default_factory=list)
    #: token spans already claimed (matched names, dropped short forms) that NER must not reuse
    claimed: set[int] = field(default_factory=set)
    #: tokens of every knowledge-base match, full names and short forms
    known: set[int] = field(default_factory=set)
    #: state id found inside a longer organization name, by the organization's token start
    org_states: dict[int, str] = field(default_factory=dict)
    #: tokens inside things that are never actors (diseases, operations, products, slogans) and
    #: inside wire trailers ("Reporting by X; Editing by Y", "(END)", reporters' e-mails)
    blocked: set[int] = field(default_factory=set)
    #: each person's role, the state they act for and where it came from (``_person``)
    people: dict[str, tuple[str | None, str | None, str]] = field(default_factory=dict)
    #: the one state the article names ("" when none or several; None until worked out)
    home: str | None = None


# ---------------------------------------------------------------------------------------------
# The entry point


def find_actors(doc: Doc, kb: KnowledgeBase | None = None, published: str | dt.date | None = None,
                ) -> tuple[list[ActorRecord], list[Mention]]:
    """The actors of ``doc`` (records with their mentions) and the flat, sorted mention list.

    ``published`` (``YYYY-MM-DD``) picks who held an office on that day: "the US president" in
    2017 is Donald Trump, and "Kim" alone is Kim Jong Un. Without it, a title resolves only to
    someone the article names, and a short name alone to the one person the base knows by it.
    """
    records, scored = find_actors_with_features(doc, kb, published)
    return records, [m for m, _ in scored]


def find_actors_with_features(doc: Doc, kb: KnowledgeBase | None = None, published: str | dt.date | None = None,
                              ) -> tuple[list[ActorRecord], list[tuple[Mention, dict[str, float]]]]:
    """``find_actors``, with the readable features each mention's confidence was computed from
    (what ``narrascope train actors`` fits the confidence model on)."""
    found = _Found(doc=doc, kb=kb or default_kb(), day=parse_date(published))
    full, short = _kb_matches(found)
    found.known = {i for start, end in full + short for i in range(start, end)}
    found.blocked = _blocked_tokens(found, full)
    full = [(s, e) for s, e in full if _takeable(found, s, e)]
    short = [(s, e) for s, e in short if _takeable(found, s, e)]
    _add_full_names(found, full)
    _add_ner(found)
    _add_short_forms(found, short)
    _add_surnames(found)
    _add_coreference(found)
    _merge_people(found)
    _merge_acronyms(found)
    _add_home_states(found)
    scored = _select(found)
    mentions = [m for m, _ in scored]
    return _records(found, mentions), scored


# ---------------------------------------------------------------------------------------------
# What is never a mention: things that are not actors, wire trailers, parts of hyphenated words


def _blocked_tokens(found: _Found, full: list[tuple[int, int]]) -> set[int]:
    """Tokens inside listed non-entities, non-entity shapes and wire trailers (patterns.tsv)."""
    doc, kb = found.doc, found.kb
    blocked: set[int] = set()
    for _label, start, end in kb.not_entity_matcher(doc.vocab)(doc):
        blocked.update(range(start, end))
    names = set(full)
    text = doc_text(doc)
    for pattern in kb.patterns:
        for match in pattern.regex.finditer(text):
            start, end = match.span()
            if end <= start:
                continue
            if pattern.use == "trailer":
                if end - start > TRAILER_MAX:
                    continue
                line_start, line_end = text.rfind("\n", 0, start) + 1, text.find("\n", end)
                line_end = len(text) if line_end < 0 else line_end
                if line_end - line_start <= TRAILER_LINE:
                    start, end = line_start, line_end
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None or (pattern.use == "not_entity" and (span.start, span.end) in names):
                continue
            blocked.update(range(span.start, span.end))
    return blocked


def _takeable(found: _Found, start: int, end: int) -> bool:
    """Whether tokens start..end can be a mention: nothing blocked, and whole words (not glued by
    a hyphen to a word before: "Americans" in "African-Americans", "American" in "anti-American";
    a known name before the hyphen is a name of its own: "Russia-Ukraine")."""
    if any(i in found.blocked for i in range(start, end)):
        return False
    doc = found.doc
    if end + 1 < len(doc) and doc[end].text in HYPHENS and doc[end + 1].lower_ == "class" \
            and not doc[end - 1].whitespace_:
        return False  # a ship class: "Baden-Wuerttemberg-class frigates"
    return not _glued_before(doc, start, found.known)


def _glued_before(doc: Doc, start: int, known: set[int]) -> bool:
    if start < 2 or doc[start - 1].text not in HYPHENS or doc[start - 1].whitespace_ or doc[start - 2].whitespace_:
        return False
    return start - 2 not in known or doc[start].text.endswith("s")


def _glued_after(doc: Doc, end: int) -> bool:
    """"US-led", "Russian-backed": the name opens a hyphenated word."""
    return end + 1 < len(doc) and doc[end].text in HYPHENS and not doc[end - 1].whitespace_ \
        and not doc[end].whitespace_ and doc[end + 1].is_alpha


# ---------------------------------------------------------------------------------------------
# Gazetteer


def _kb_matches(found: _Found) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Full-name and short-form matches, longest first among overlapping full names."""
    from spacy.util import filter_spans

    doc = found.doc
    matches = found.kb.matcher(doc.vocab)(doc)
    full_label, short_label = doc.vocab.strings[FULL], doc.vocab.strings[SHORT]
    full_spans = filter_spans([doc[s:e] for label, s, e in matches if label == full_label])
    full = [(s.start, s.end) for s in full_spans]
    short = sorted({(s, e) for label, s, e in matches if label == short_label})
    return full, short


def _inside_longer_name(doc: Doc, start: int, end: int, known: set[int]) -> Span | None:
    """The named entity around tokens start..end that adds capitalised words of its own, if any.

    "Moscow" in "The Moscow Times" is part of another name; "Trump" in "Trump's "America First""
    is not (a possessor), nor "North Korea" in "North Korea's", "British" in a PERSON entity
    "British Defence Secretary Tom King" (a title, not the name), or "Bosnian" in a PERSON entity
    "Bosnian Serbs" whose other words are known names too (``known``: tokens of knowledge-base
    matches). A capitalised word opening the sentence ("Radical French farmers") is not a name.
    """
    ent = _entity_at(doc, start) if doc[start].ent_type_ else None
    if ent is None or ent.label_ not in ENCLOSING_LABELS or QUOTE_OR_BREAK.search(ent.text):
        return None
    if end < ent.end and doc[end].text in POSSESSIVE:
        return None
    if ent.label_ == "PERSON" and end <= _name_start(ent):
        return None
    extra = [t for t in ent if not start <= t.i < end and t.i not in known and t.text not in DETERMINERS
             and t.text not in POSSESSIVE and not (t.is_sent_start and t.pos_ != "PROPN")]
    return ent if any(t.text[:1].isupper() for t in extra) else None


def _end_of_region(doc: Doc, start: int, known: set[int]) -> bool:
    """A state's name ending a longer place name the recogniser found ("America" in "Latin America")."""
    ent = _entity_at(doc, start) if doc[start].ent_type_ in ("LOC", "GPE") else None
    return ent is not None and ent.start < start and doc[start - 1].text[:1].isupper() \
        and start - 1 not in known and doc[start - 1].text not in DETERMINERS


def _name_start(ent: Span) -> int:
    """Where the name begins in a PERSON entity that took the title along ("Defence Secretary Tom King")."""
    titles = [t.i for t in ent[:-1] if t.lower_ in ROLE_NOUNS or t.lower_.rstrip(".") in HONORIFICS]
    return titles[-1] + 1 if titles else ent.start


def _entity_at(doc: Doc, i: int) -> Span | None:
    """The named entity covering token ``i`` (an index built once per parse: ``doc.ents`` makes new
    Span objects on every access)."""
    index = doc.user_data.get(ENTITY_INDEX)
    if index is None:
        index = {}
        for ent in doc.ents:
            for k in range(ent.start, ent.end):
                index[k] = ent
        doc.user_data[ENTITY_INDEX] = index
    return index.get(i)


def _add_full_names(found: _Found, full: list[tuple[int, int]]) -> None:
    """Full-name matches, minus those inside longer unknown names and ethnic groups."""
    doc, kb = found.doc, found.kb
    adjective_ends: dict[int, str] = {}  # token end of each state adjective taken, with its state
    for start, end in full:
        text = doc[start:end].text
        ids = kb.full[text]
        actor_id = _pick(found, ids, start)
        enclosing = _inside_longer_name(doc, start, end, found.known)
        if enclosing is not None and kb[actor_id].kind != "person":
            if kb[actor_id].kind == "state" and text not in kb[actor_id].seats and _opens(enclosing, start):
                found.org_states.setdefault(enclosing.start, actor_id)
            continue
        if text in kb.not_actors or (text in SHARED_WITH_US_STATES and US_STATES.search(doc_text(doc))):
            continue
        if kb[actor_id].kind == "state" and _end_of_region(doc, start, found.known) \
                and (text != kb[actor_id].name or doc[start - 1].lower_ not in DIRECTIONS):
            continue  # "Latin America" (not "Western Cambodia": a part of the state)
        if _ethnic(found, start, text, actor_id, adjective_ends):
            continue
        if kb[actor_id].kind == "state" and text in kb[actor_id].adjectives:
            adjective_ends[end] = actor_id
        found.candidates.append(_Candidate(start, end, actor_id, "gazetteer", rank=1, via="full_name"))
        found.claimed.update(range(start, end))
        if kb[actor_id].kind == "person":
            found.named.append((start, actor_id))


def _ethnic(found: _Found, start: int, text: str, actor_id: str, adjective_ends: dict[int, str]) -> bool:
    """A state's adjective or demonym naming an ethnic group, not the state: after "ethnic"
    ("ethnic Albanians" in Macedonia) or after another state's adjective ("Bosnian Serbs": the
    Serbs of Bosnia; "Bosnian" stays a mention of Bosnia)."""
    actor = found.kb[actor_id]
    if actor.kind != "state" or text not in actor.adjectives or start == 0:
        return False
    before = found.doc[start - 1]
    return before.lower_ == "ethnic" or adjective_ends.get(start, actor_id) != actor_id


def _opens(ent: Span, start: int) -> bool:
    """Whether token ``start`` opens the entity's name (after a "the")."""
    return all(t.text in DETERMINERS for t in ent.doc[ent.start:start])


def _pick(found: _Found, ids: tuple[str, ...], at: int) -> str:
    """One actor among several sharing a name: the one in office on the day, else the first."""
    if len(ids) > 1 and found.day is not None:
        current = [i for i in ids if found.kb[i].term_at(found.day) is not None]
        if current:
            return current[0]
    return ids[0]


# ---------------------------------------------------------------------------------------------
# Short forms and surnames


def _add_short_forms(found: _Found, short: list[tuple[int, int]]) -> None:
    doc = found.doc
    for start, end in short:
        if any(i in found.claimed for i in range(start, end)):
            continue
        if _inside_longer_name(doc, start, end, found.known) is not None \
                or _part_of_longer_name(doc, start, end, found.known):
            continue
        actor_id, how = _resolve_short(found, doc[start:end].text, start)
        found.claimed.update(range(start, end))
        if actor_id is not None:
            _add_person_reference(found, start, end, actor_id, how, "short_form")


def _add_person_reference(found: _Found, start: int, end: int, actor_id: str, how: str, via: str) -> None:
    """A short form or surname resolved to a person: a mention, and the person's latest naming."""
    found.candidates.append(_Candidate(start, end, actor_id, how, rank=2, via=via))
    found.named.append((start, actor_id))
    found.named.sort()


def _part_of_longer_name(doc: Doc, start: int, end: int, known: set[int]) -> bool:
    """A short form inside an unknown longer name: "Jeb Bush", "Central Park", "Kim Yo Jong"
    (a neighbour that is itself a known name does not count: "the Obama White House")."""
    after = end < len(doc) and doc[end].pos_ == "PROPN" and doc[end].text[:1].isupper() \
        and doc[end].ent_iob_ == "I" and end not in known
    before = start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].text[:1].isupper() \
        and start - 1 not in known \
        and not doc[start - 1].is_sent_start and doc[start - 1].lower_.rstrip(".") not in HONORIFICS \
        and doc[start - 1].lower_ not in ROLE_NOUNS and doc[start - 1].text not in POSSESSIVE
    return bool(after or before)


def _resolve_short(found: _Found, form: str, at: int) -> tuple[str | None, str]:
    """The person a short form names at token ``at``: article context first, then the date."""
    kb = found.kb
    named = _named_in_article(found, form, at)
    if named is not None:
        return named, "coref"
    known = sorted(kb.short.get(form, ()))
    if found.day is not None:
        known = [i for i in known if kb[i].term_at(found.day) is not None]
    return (known[0], "gazetteer") if len(known) == 1 else (None, "")


def _named_in_article(found: _Found, form: str, at: int) -> str | None:
    """The person known by ``form`` named nearest before token ``at`` in the article, else after."""
    folded = form.casefold()
    ids = set(found.kb.short.get(form, ())) | {pid for pid, a in found.local.items()
                                               if a.kind == "person" and _surname(a.name).casefold() == folded}
    before = [pid for start, pid in found.named if start < at and pid in ids]
    if before:
        return before[-1]
    after = [pid for start, pid in found.named if start > at and pid in ids]
    return after[0] if after else None


def _surname(name: str) -> str:
    """The family name with its particles: "Bill de Blasio" -> "de Blasio", "Tom King Jr." -> "King"."""
    words = [w for w in name.split() if w not in NAME_SUFFIXES]
    if not words:
        return name
    start = len(words) - 1
    while start > 1 and words[start - 1].casefold() in SURNAME_PARTICLES:
        start -= 1
    return " ".join(words[start:])


def _add_surnames(found: _Found) -> None:
    """Surnames of people named in full who are not in the knowledge base ("Kofman" after
    "Michael Kofman", "de Blasio" after "Bill de Blasio"), where NER missed them."""
    surnames = {_surname(a.name).casefold(): pid for pid, a in found.local.items()
                if a.kind == "person" and " " in a.name}
    if not surnames:
        return
    doc = found.doc
    covered = {i for c in found.candidates for i in range(c.start, c.end)}
    longest = max(len(s.split()) for s in surnames)
    first_words = {s.split()[0] for s in surnames}
    i = 0
    while i < len(doc):
        if doc[i].lower_ not in first_words:
            i += 1
            continue
        for n in range(min(longest, len(doc) - i), 0, -1):
            span = doc[i:i + n]
            pid = surnames.get(span.text.casefold())
            if pid is not None and span[-1].text[:1].isupper() and not covered & set(range(i, i + n)) \
                    and _takeable(found, i, i + n):
                _add_person_reference(found, i, i + n, pid, "coref", "surname")
                i += n - 1
                break
        i += 1


# ---------------------------------------------------------------------------------------------
# Named entities not in the knowledge base


def _add_ner(found: _Found) -> None:
    # persons first, so that a surname the recogniser labelled otherwise ("De Blasio" ORG) before
    # the full name finds that person
    for ent in sorted(found.doc.ents, key=lambda e: (e.label_ != "PERSON", e.start)):
        if any(i in found.claimed or i in found.blocked for i in range(ent.start, ent.end)):
            continue
        span = _trim(ent)
        if span is None or span.text in found.kb.not_actors or QUOTE_OR_BREAK.search(span.text) \
                or span.text.casefold() in found.kb.not_entities or not _takeable(found, span.start, span.end) \
                or _not_an_actor(found, span):
            continue
        person = _named_in_article(found, span.text, span.start) if len(span) <= 3 else None
        if person is not None:  # a surname of someone named in full, whatever the label ("Petrova" GPE)
            _add_person_reference(found, span.start, span.end, person, "coref", "surname")
        elif ent.label_ == "PERSON" and _family(found, span):
            _add_local(found, span, "group")
        elif ent.label_ == "PERSON" or (ent.label_ == "ORG" and _person_named(found, span)):
            _add_person_entity(found, span)
        elif ent.label_ == "ORG":
            _add_organization_entity(found, span, found.org_states.get(ent.start) or _body_state(found, span))
        elif ent.label_ in ("GPE", "LOC"):
            _add_local(found, span, "location")
        elif ent.label_ == "NORP" and span.root.tag_ in ("NNPS", "NNS"):
            _add_local(found, span, "group")


def _not_an_actor(found: _Found, span: Span) -> bool:
    """Named entities that are no actors: an abbreviation of two letters the knowledge base does
    not know ("AI", "IP", "Q&A"), an adjective ("Naval bases"), an event, plan or programme ("Texas
    Tribune Festival"), a name opening with a state's adjective used as a modifier ("an American
    Othello player"), words of a quoted title of a book or film."""
    doc = found.doc
    if len(span) == 1 and span.text.isupper() and sum(c.isalpha() for c in span.text) <= 2:
        return True
    if len(span) == 1 and span[0].pos_ == "ADJ" and span.label_ != "PERSON" and span[0].ent_type_ != "PERSON":
        return True
    if span[-1].text in EVENT_WORDS and span[0].ent_type_ in ("ORG", "EVENT", "FAC", "WORK_OF_ART", "PRODUCT"):
        return True
    if span.start in found.org_states or (span.start > 0 and span.start - 1 in found.org_states
                                          and doc[span.start - 1].text in DETERMINERS):
        root = span.root
        if root.dep_ in ("compound", "amod") and root.head.i >= span.end and root.head.pos_ == "NOUN" \
                and root.head.text.islower():
            return True
    return _in_quoted_title(doc, span)


def _in_quoted_title(doc: Doc, span: Span) -> bool:
    """Whether the span sits inside double quotes opened right after a word for a title ("his
    book "X: the Y"", "the film "Z"")."""
    i = span.start - 1
    sentence = doc[span.start].sent
    while i >= sentence.start and doc[i].text not in DOUBLE_QUOTES and span.start - i < 40:
        i -= 1
    if i < sentence.start or doc[i].text not in DOUBLE_QUOTES:
        return False
    closing = DOUBLE_QUOTES[doc[i].text]
    opened = sum(1 for t in doc[sentence.start:i] if t.text in DOUBLE_QUOTES or t.text == closing)
    if doc[i].text == "\"" and opened % 2:
        return False  # that mark closes a quotation
    before = {t.lower_ for t in doc[max(sentence.start, i - 3):i]}
    return bool(before & TITLE_WORDS)


def _family(found: _Found, span: Span) -> bool:
    """"the Clintons", "both Rosenbergs": a family name in the plural (after "the" or "both", or
    the surname of someone the article names) names a family, not a person."""
    doc = span.doc
    if len(span) != 1 or not span.text.endswith("s") or len(span.text) < 4:
        return False
    if span.start > 0 and doc[span.start - 1].lower_ in ("the", "both") and span[0].tag_ in ("NNPS", "NNS"):
        return True
    singular = span.text[:-1].casefold()
    return any(_surname(e.text).casefold() == singular for e in doc.ents if e.label_ == "PERSON" and " " in e.text)


def _person_named(found: _Found, span: Span) -> bool:
    """An ORG entity that is a person's name: one in a list of people's names ("the families of A,
    B and C"), after an honorific ("Dr Christine Blasey Ford"), or whose last word the article
    uses alone as a person's name ("... Ford also said")."""
    doc = span.doc
    if not 2 <= len(span) <= 4 or not all((t.pos_ == "PROPN" and t.text[:1].isupper()) or t.text in HYPHENS
                                           for t in span):
        return False
    if any(t.lower_.rstrip(".") in STATE_BODY_WORDS or t.lower_.rstrip(".") in ORGANIZATION_WORDS
           or t.text in EVENT_WORDS for t in span):
        return False
    if span.start > 0 and doc[span.start - 1].lower_.rstrip(".") in {"mr", "mrs", "ms", "dr", "miss"}:
        return True
    if _listed_people(doc, span) >= 2:
        return True  # one name among a list of people's names
    last = span[-1].text
    return any(e.label_ == "PERSON" and e.text == last for e in doc.ents)


def _listed_people(doc: Doc, span: Span) -> int:
    """How many PERSON entities stand in the comma-separated list of names around ``span`` (the
    list runs through names the recogniser took for organizations)."""
    count = 0
    for step in (-1, 1):
        i = span.start - 1 if step < 0 else span.end
        while True:
            separators = ""
            while 0 <= i < len(doc) and doc[i].text in (",", "and"):
                separators += doc[i].text
                i += step
            ent = _entity_at(doc, i) if separators and 0 <= i < len(doc) else None
            if ent is None or ent.label_ not in ("PERSON", "ORG") or (separators == "and" and count == 0):
                break
            count += ent.label_ == "PERSON"
            i = ent.start - 1 if step < 0 else ent.end
    return count


def _body_state(found: _Found, span: Span) -> str | None:
    """The state whose possessive or adjective stands right before a state body's name outside
    the entity ("China's State Council", "the Syrian Foreign Ministry")."""
    if not any(t.lower_ in STATE_BODY_WORDS for t in span):
        return None
    end = span.start - 1 if span.start and found.doc[span.start - 1].text in POSSESSIVE else span.start
    state = _state_mention_ending_at(found, end)
    return state.actor if state is not None else None


def _add_home_states(found: _Found) -> None:
    """A state's national institution or party outside the knowledge base ("the Supreme Court",
    "Senate Judiciary Committee", "Democrats") acts for the one state the article names."""
    bodies = [a for a in found.local.values() if a.kind in ("organization", "group") and a.country is None
              and NATIONAL_BODY.match(a.name)]
    home = _home_state(found) if bodies else None
    if home is None:
        return
    for actor in bodies:
        actor.country = home
        if PARTY.match(actor.name):
            actor.kind = "group"


def _merge_acronyms(found: _Found) -> None:
    """An acronym made of the initials of an organization the article names in full is that
    organization ("DARPA" of "Defense Advanced Research Projects Agency", "NSF" of "National
    Science Foundation"), when exactly one such organization is named."""
    orgs = {c.actor for c in found.candidates if c.how == "ner" and c.actor in found.local
            and found.local[c.actor].kind == "organization"}
    initials: dict[str, set[str]] = {}
    for actor_id in orgs:
        words = found.local[actor_id].name.split()
        if len(words) > 1:
            letters = "".join(w[0] for w in words if w[:1].isupper())
            initials.setdefault(letters, set()).add(actor_id)
    into = {}
    for actor_id in orgs:
        name = found.local[actor_id].name
        targets = initials.get(name, set())
        if " " not in name and name.isupper() and len(targets) == 1:
            into[actor_id] = next(iter(targets))
    if not into:
        return
    for c in found.candidates:
        c.actor = into.get(c.actor, c.actor)


def _trim(ent: Span) -> Span | None:
    """The entity without a leading "the" and a trailing possessive; None if nothing named is left."""
    start, end = ent.start, ent.end
    while start < end and (ent.doc[start].text in DETERMINERS or ent.doc[start].is_punct
                           or (ent.doc[start].is_sent_start and ent.doc[start].pos_ in OPENING_WORDS)):
        start += 1  # "Later de Blasio": a sentence's opening adverb taken into the name
    while end > start and (ent.doc[end - 1].text in POSSESSIVE or ent.doc[end - 1].is_punct):
        end -= 1
    span = ent.doc[start:end]
    if not span or not any(c.isalpha() for c in span.text):
        return None
    if span.text[:1].isupper() or (span[0].lower_ in SURNAME_PARTICLES and len(span) > 1
                                   and span[-1].text[:1].isupper()):
        return span  # "de Blasio" opens with a particle
    return None


def _slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.lower()).strip("-")


def _add_local(found: _Found, span: Span, kind: str, country: str | None = None) -> str:
    prefix = {"person": "person", "organization": "org", "group": "group", "location": "location"}[kind]
    actor_id = f"{prefix}:{_slug(span.text)}"
    found.local.setdefault(actor_id, Actor(id=actor_id, name=span.text, kind=kind, country=country))
    found.candidates.append(_Candidate(span.start, span.end, actor_id, "ner", rank=3, via="ner"))
    return actor_id


def _add_person_entity(found: _Found, span: Span) -> None:
    start = _name_start(span)
    while start < span.end - 1 and span.doc[start].pos_ != "PROPN" and not (
            span.doc[start].lower_ in SURNAME_PARTICLES and span.doc[start + 1].text[:1].isupper()):
        start += 1  # "Follow Ian Hanchett": a sentence-initial verb taken into the name
    while start > 0 and span.end - start > 1 and _first_name_left_out(found, span.doc[start - 1], start, span.end):
        start -= 1  # "Sayfullo Habibullaevic Saipov" of which the recogniser took two words
    span = span.doc[start:span.end]
    root = span.root
    if root.dep_ == "compound" and root.head.pos_ == "NOUN" and root.head.lemma_.lower() not in ROLE_NOUNS \
            and root.head.lemma_.lower() not in REGIME_WORDS:
        return  # a name used as a modifier: "an old Billy Joel song"
    if len(span) == 1:
        if span.text in found.kb.short:
            return  # a known short form: resolved (or dropped as ambiguous) with the short forms
        actor_id, how = _resolve_short(found, span.text, span.start)
        via = "short_form" if actor_id else "first_name"
        actor_id = actor_id or _first_name_of(found, span.text)
        if actor_id is not None:
            _add_person_reference(found, span.start, span.end, actor_id, how or "coref", via)
            return
    actor_id = _add_local(found, span, "person")
    if len(span) > 1:
        found.named.append((span.start, actor_id))
        found.named.sort()


def _first_name_left_out(found: _Found, token: Token, start: int, end: int) -> bool:
    """A capitalised proper noun outside any entity modifying the name that follows it."""
    return token.pos_ == "PROPN" and token.ent_iob_ == "O" and token.text[:1].isupper() and token.is_alpha \
        and token.dep_ == "compound" and start <= token.head.i < end and not token.is_sent_start \
        and token.lower_ not in ROLE_NOUNS and token.lower_.rstrip(".") not in HONORIFICS \
        and token.i not in found.known and token.i not in found.claimed and token.i not in found.blocked


def _first_name_of(found: _Found, form: str) -> str | None:
    """The one person named in full in this article whose first name is ``form`` ("Saddam")."""
    people = {pid for _, pid in found.named
              if (found.kb[pid].name if pid in found.kb else found.local[pid].name).split()[0] == form}
    return people.pop() if len(people) == 1 else None


def _add_organization_entity(found: _Found, span: Span, state: str | None) -> None:
    """An organization not in the knowledge base; one whose name opens with a state's name or
    adjective ("Latvian Constitutional Court", "Palestinian Islamic Jihad") belongs to that state."""
    if len(span) == 1 and not (span.text.isupper() and len(span.text) > 1):
        return  # a lone capitalised word tagged ORG is seldom an organization ("Juche", "State")
    _add_local(found, span, "organization", state)


# ---------------------------------------------------------------------------------------------
# Titles, regimes and families


@dataclass(frozen=True)
class _Patterns:
    vocab: Vocab
    titles: Matcher


_PATTERNS: dict[int, _Patterns] = {}


def _title_matcher(vocab: Vocab) -> Matcher:
    cached = _PATTERNS.get(id(vocab))
    if cached is not None and cached.vocab is vocab:
        return cached.titles
    from spacy.matcher import Matcher

    matcher = Matcher(vocab)
    for title in TITLES:
        words = title.replace("-", " - ").split()
        matcher.add(title, [[{"LOWER": w} for w in words]])
    _PATTERNS[id(vocab)] = _Patterns(vocab, matcher)
    return matcher


def _add_coreference(found: _Found) -> None:
    _add_titles(found)
    _add_regimes(found)
    _add_families(found)


def _state_mention_ending_at(found: _Found, end: int) -> _Candidate | None:
    return next((c for c in found.candidates
                 if c.end == end and c.how == "gazetteer" and found.kb[c.actor].kind == "state"), None)


def _add_titles(found: _Found) -> None:
    """"the US president", "the North Korean leader", "China's foreign minister", "the president"."""
    from spacy.util import filter_spans

    doc = found.doc
    matcher = _title_matcher(doc.vocab)
    from spacy.tokens import Span

    for span in filter_spans([Span(doc, s, e, label=match_id) for match_id, s, e in matcher(doc)]):
        if span.end < len(doc) and doc[span.end].pos_ == "PROPN" and doc[span.end].text[:1].isupper():
            continue  # a title before a name: "President Donald Trump"
        qualifier_end = span.start - 1 if span.start and doc[span.start - 1].text in POSSESSIVE else span.start
        state = _state_mention_ending_at(found, qualifier_end)
        start = state.start if state is not None else span.start
        if start and doc[start - 1].lower_ == "the":
            start -= 1
        elif state is None:
            continue  # "a president", "presidents": not one person
        roles = TITLES[span.label_]
        person = _office_holder(found, roles, state.actor if state else None, span.start)
        actor_id = person or (state.actor if state else None)
        if actor_id is not None:
            found.candidates.append(_Candidate(start, span.end, actor_id, "coref", rank=0, via="title"))


def _office_holder(found: _Found, roles: tuple[str, ...], state: str | None, at: int) -> str | None:
    """The person holding one of ``roles`` (for ``state``): named in the article nearest before
    ``at`` (else after), else the one in office on the article's date."""
    kb = found.kb

    def holds(actor_id: str, day: dt.date | None) -> bool:
        if actor_id not in kb:
            return False
        terms = kb[actor_id].terms
        if day is not None:
            terms = [t for t in terms if t.covers(day)]
        return any(t.role.lower() in roles and (state is None or t.country == state) for t in terms)

    named = [(start, pid) for start, pid in found.named if holds(pid, found.day)]
    before = [pid for start, pid in named if start < at]
    if before:
        return before[-1]
    if named:
        return min(named)[1]
    if found.day is None or state is None:
        return None
    current = sorted(a.id for a in kb.people_holding(found.day) if holds(a.id, found.day))
    return current[0] if len(current) == 1 else None


def _leader_state(found: _Found, actor_id: str) -> str | None:
    if actor_id in found.kb:
        term = found.kb[actor_id].term_at(found.day) or found.kb[actor_id].term_at(None)
        return term.country if term else None
    return found.local[actor_id].country if actor_id in found.local else None


def _add_regimes(found: _Found) -> None:
    """"the Kim regime", "the Trump administration": a leader's name before a word for their rule."""
    doc = found.doc
    for c in list(found.candidates):
        if c.end >= len(doc) or doc[c.end].lower_ not in REGIME_WORDS or c.how == "ner":
            continue
        if not (c.actor.startswith("person:") and (state := _leader_state(found, c.actor))):
            continue
        start = c.start - 1 if c.start and doc[c.start - 1].lower_ == "the" else c.start
        found.candidates.append(_Candidate(start, c.end + 1, state, "coref", rank=0, via="regime"))


@lru_cache(maxsize=4)
def _dynasties(kb: KnowledgeBase) -> dict[str, frozenset[str]]:
    """Family names shared by two or more rulers of one state ("Kim": PRK), with the states."""
    rulers: dict[tuple[str, str], set[str]] = {}
    for actor in kb.actors.values():
        for term in actor.terms:
            if term.country and term.role.lower() in HEAD_ROLES:
                for form in actor.short:
                    rulers.setdefault((form, term.country), set()).add(actor.id)
    out: dict[str, set[str]] = {}
    for (form, state), people in rulers.items():
        if len(people) > 1:
            out.setdefault(form, set()).add(state)
    return {form: frozenset(states) for form, states in out.items()}


def _add_families(found: _Found) -> None:
    """"The Kims": the family name of a ruling dynasty in the plural names the state ("the Clintons" does not)."""
    doc, kb = found.doc, found.kb
    for token in doc:
        if not (token.text.endswith("s") and token.text[:1].isupper()) or token.i in found.claimed:
            continue
        states = _dynasties(kb).get(token.text[:-1], frozenset())
        if len(states) == 1:
            start = token.i - 1 if token.i and doc[token.i - 1].lower_ == "the" else token.i
            if _takeable(found, start, token.i + 1):
                found.candidates.append(_Candidate(start, token.i + 1, next(iter(states)), "coref", rank=0,
                                                   via="family"))


# ---------------------------------------------------------------------------------------------
# Choosing among overlapping candidates and building the records


def _merge_people(found: _Found) -> None:
    """One id per person: a person outside the knowledge base named by a shorter or longer form of
    another person's name in the same article is that person ("de Blasio" and "Bill de Blasio",
    "Vladimir Vladimirovich Putin" and "Vladimir Putin"). The target is the one person whose name
    ends with the shorter form's words (or shares its first and last word), preferring the
    knowledge base's; when two people qualify, nothing is merged."""
    people = sorted({c.actor for c in found.candidates if _kind(found, c.actor) == "person"})
    words = {pid: _name_words(_actor(found, pid).name) for pid in people}
    short_forms = {pid: {tuple(f.casefold().split()) for f in found.kb[pid].short} for pid in people if pid in found.kb}
    into: dict[str, str] = {}
    for pid in people:
        if pid in found.kb or not words[pid]:
            continue
        targets = {other for other in people if other != pid and words[other]
                   and _names_same_person(words[pid], words[other], short_forms.get(other, set()),
                                          known=other in found.kb)}
        in_kb = {t for t in targets if t in found.kb}
        targets = in_kb or targets
        if len(targets) == 1:
            into[pid] = targets.pop()
    if not into:
        return
    for c in found.candidates:
        c.actor = into.get(c.actor, c.actor)
    found.named = sorted((start, into.get(pid, pid)) for start, pid in found.named)


def _names_same_person(mine: tuple[str, ...], theirs: tuple[str, ...], short: set[tuple[str, ...]], *,
                       known: bool) -> bool:
    """Whether the name ``mine`` (outside the base) is a shorter or longer form of ``theirs``."""
    if len(mine) < len(theirs) and theirs[-len(mine):] == mine:
        return True  # "de Blasio" of "Bill de Blasio"
    if mine in short:
        return True
    return len(mine) > 1 and len(theirs) > 1 and mine[0] == theirs[0] and mine[-1] == theirs[-1] \
        and (known or len(theirs) > len(mine))  # "Vladimir Vladimirovich Putin" of "Vladimir Putin"


def _name_words(name: str) -> tuple[str, ...]:
    return tuple(w.casefold() for w in name.replace(".", " ").split()
                 if w not in NAME_SUFFIXES and w.casefold().rstrip(".") not in HONORIFICS)


def _actor(found: _Found, actor_id: str) -> Actor:
    return found.kb.actors.get(actor_id) or found.local[actor_id]


def _kind(found: _Found, actor_id: str) -> str:
    actor = found.kb.actors.get(actor_id) or found.local.get(actor_id)
    return actor.kind if actor is not None else "state"


def _select(found: _Found) -> list[tuple[Mention, dict[str, float]]]:
    """Non-overlapping mentions (lower rank first, then longer, then earlier), each with its
    confidence features and calibrated confidence."""
    doc, taken = found.doc, set[int]()
    chosen = []
    model = load_confidence_model("actors")
    counts: dict[str, int] = {}
    for c in found.candidates:
        counts[c.actor] = counts.get(c.actor, 0) + 1
    for c in sorted(found.candidates, key=lambda c: (c.rank, -(c.end - c.start), c.start)):
        tokens = set(range(c.start, c.end))
        if tokens & taken or tokens & found.blocked:
            continue
        taken |= tokens
        span = doc[c.start:c.end]
        features = _features(found, c, counts)
        confidence = model(features) if model is not None else 1.0
        chosen.append((Mention(span.start_char, span.end_char, span.text, c.actor, c.how, confidence), features))
    return sorted(chosen, key=lambda pair: (pair[0].start, pair[0].end))


def _features(found: _Found, c: _Candidate, counts: dict[str, int]) -> dict[str, float]:
    """Readable features of one mention, for its confidence: how it was found, what it names,
    the entity label spaCy gave its tokens, how ambiguous and how capitalised the form is."""
    doc, kb = found.doc, found.kb
    span = doc[c.start:c.end]
    kind = _kind(found, c.actor)
    text = span.text
    f: dict[str, float] = {f"how={c.how}": 1.0, f"via={c.via or c.how}": 1.0, f"kind={kind}": 1.0,
                           f"label={doc[span.end - 1].ent_type_ or 'none'}": 1.0}
    f[f"kind={kind}|via={c.via or c.how}"] = 1.0
    if c.actor in kb and c.via == "full_name":
        form_kind = kb.form_kind(c.actor, text)
        f[f"form={form_kind}"] = 1.0
        f[f"kind={kind}|form={form_kind}"] = 1.0
    names = len(kb.full.get(text, ())) + len(kb.short.get(text, ()))
    if names > 1:
        f["ambiguous_name"] = 1.0
    if c.actor not in kb:
        f["outside_kb"] = 1.0
    if len(span) == 1:
        f["one_token"] = 1.0
    if text.replace(".", "").isupper() and len(text) > 1:
        f["all_caps"] = 1.0
    if not text[:1].isupper():
        f["lower_case_start"] = 1.0
    if span[0].is_sent_start:
        f["sentence_start"] = 1.0
    if _glued_after(doc, span.end):
        f["hyphenated"] = 1.0
    if counts.get(c.actor, 0) > 1:
        f["named_again"] = 1.0
    if _state_of(found, c.actor) is None:
        f["no_state"] = 1.0
    if kind == "person":
        f[f"state_from={_person(found, _actor(found, c.actor))[2]}"] = 1.0
    return f


def _state_of(found: _Found, actor_id: str) -> str | None:
    """The state an actor is, acts for, or (an armed group) operates in."""
    actor = found.kb.actors.get(actor_id) or found.local.get(actor_id)
    if actor is None or actor.kind == "state":
        return actor_id
    if actor.kind == "person":
        return _person(found, actor)[1]
    return actor.country or actor.operates_in


def _records(found: _Found, mentions: list[Mention]) -> list[ActorRecord]:
    records: dict[str, ActorRecord] = {}
    for m in mentions:
        record = records.get(m.actor) or _record(found, m.actor)
        records[m.actor] = record
        record.mentions.append(m)
    for record in list(records.values()):
        # "Lavrov" is a mention of Russia too; "Democrats" or a private citizen is not the state's
        home = acts_for(record) if record.kind != "state" else None
        if home:
            state = records.get(home) or _record(found, home)
            records[home] = state
            state.mentions.extend(record.mentions)
    for record in records.values():
        record.mentions = sorted(set(record.mentions), key=lambda m: (m.start, m.end))
    return sorted(records.values(), key=lambda r: (r.mentions[0].start if r.mentions else 0, r.id))


def _record(found: _Found, actor_id: str) -> ActorRecord:
    actor = found.kb.actors.get(actor_id) or found.local.get(actor_id)
    if actor is None:  # a country code the knowledge base does not know
        return ActorRecord(id=actor_id, name=actor_id, kind="state")
    if actor.kind != "person":
        return ActorRecord(id=actor.id, name=actor.name, kind=actor.kind, country=actor.country,
                           operates_in=actor.operates_in)
    role, country, _source = _person(found, actor)
    return ActorRecord(id=actor.id, name=actor.name, kind="person", country=country, role=role)


def _person(found: _Found, actor: Actor) -> tuple[str | None, str | None, str]:
    """``_role`` once per person and article."""
    if actor.id not in found.people:
        found.people[actor.id] = _role(found, actor)
    return found.people[actor.id]


def _role(found: _Found, actor: Actor) -> tuple[str | None, str | None, str]:
    """The person's role, the state they act for, and where that state came from ("kb", "title",
    "sentence" or "none"): the text's words first, then the knowledge base on the article's date."""
    text_role, text_state, source = _role_in_text(found, actor.id)
    if text_role is not None and FORMER.match(text_role):
        # "former White House press secretary Ari Fleischer": no longer acts for the state
        return text_role, None, "none"
    if actor.id not in found.kb:
        return text_role, text_state, source
    if source != "title":  # the base knows better than a guess from the sentence
        text_state, source = None, "none"
    if found.day is None:  # no date, no dated office: the text's role, the state the person acts for
        return text_role, text_state or actor.country, source if text_state else "kb"
    term = actor.term_at(found.day)
    if term is not None:
        return text_role or term.role, term.country, "kb"
    if (last := actor.last_term_before(found.day)) is not None:
        return text_role or f"former {last.role}", None, "none"
    return text_role, text_state, source


def _role_in_text(found: _Found, actor_id: str) -> tuple[str | None, str | None, str]:
    """The first role the text gives the person that ties them to a state (a state named in a
    government title, a congressional party-state tag, the one state of the sentence), else the
    first role; a government title tied to no state takes the one state the article names."""
    doc = found.doc
    spans = sorted((c.start, c.end) for c in found.candidates
                   if c.actor == actor_id and c.how in ("gazetteer", "ner") and c.end - c.start > 1)
    first: tuple[str | None, str | None, str] | None = None
    government = False
    for start, end in spans:
        tagged = PARTY_STATE_TAG.match(doc_text(doc), doc[end - 1].idx + len(doc[end - 1].text)) is not None
        for role in (_title_before(doc, start), _apposition_after(doc, end)):
            if role is None:
                continue
            if not _government_title(role):
                first = first or (role.text, None, "none")
                continue
            government = True
            state = _government_state(found, role)
            if state is not None:
                return role.text, state, "title"
            state = _sentence_state(found, role) or _definite_body_state(found, role)
            if state is not None:
                return role.text, state, "sentence"
            first = first or (role.text, None, "none")
        if tagged and USA in found.kb:
            return (first[0] if first else None), USA, "title"
    if government and first is not None and (home := _home_state(found)) is not None:
        return first[0], home, "sentence"
    return first or (None, None, "none")


def _definite_body_state(found: _Found, role: Span) -> str | None:
    """"the department's spokeswoman": a state body named by its generic noun after "the" is the
    one body of that noun the article names with the state it acts for ("State Department")."""
    nouns = {t.lower_ for t in role if t.lower_ in STATE_BODY_WORDS and t.i > 0 and found.doc[t.i - 1].lower_ == "the"}
    if not nouns:
        return None
    states = set()
    for c in found.candidates:
        actor = found.kb.actors.get(c.actor)
        if actor is not None and actor.kind == "organization" and actor.country \
                and nouns & {w.casefold() for w in found.doc[c.start:c.end].text.split()}:
            states.add(actor.country)
    return states.pop() if len(states) == 1 else None


def _home_state(found: _Found) -> str | None:
    """The one state the article names (as itself, or through a known person or organization
    acting for it), else None."""
    if found.home is None:
        states: set[str] = set()
        qualifiers: set[str] = set()
        named = 0
        for c in found.candidates:
            if c.how == "ner" or c.actor not in found.kb:
                continue
            actor = found.kb[c.actor]
            named += 1
            if actor.kind == "state":
                if _qualifies_title(found.doc, c.end):
                    qualifiers.add(actor.id)  # the state of someone's title: not the article's by itself
                else:
                    states.add(actor.id)
            elif actor.kind == "person":
                term = actor.term_at(found.day) or actor.term_at(None)
                if term is not None and term.country:
                    states.add(term.country)
            elif actor.country:
                states.add(actor.country)
        found.home = next(iter(states)) if len(states) == 1 and qualifiers <= states and named > 1 else ""
    return found.home or None


def _sentence_state(found: _Found, role: Span) -> str | None:
    """The state a government title with no state in it belongs to, read from its sentence: the one
    state named there ("Planning Minister Tran Xuan Gia said Vietnam ..."), not counting a state
    that qualifies someone else's title ("... welcomed South African leader de Klerk")."""
    doc, kb = found.doc, found.kb
    sentence = doc[role.start].sent
    states = set()
    for c in found.candidates:
        if not (sentence.start <= c.start and c.end <= sentence.end) or c.how != "gazetteer" \
                or _kind(found, c.actor) != "state" or role.start <= c.start < role.end:
            continue
        if _qualifies_title(doc, c.end):
            continue
        states.add(kb[c.actor].id)
    return states.pop() if len(states) == 1 else None


def _qualifies_title(doc: Doc, end: int) -> bool:
    """Whether a state named up to token ``end`` qualifies someone's title ("South African leader")."""
    after = doc[end] if end < len(doc) else None
    return after is not None and (after.text in POSSESSIVE or after.lower_ in ROLE_NOUNS
                                  or (after.pos_ in ("NOUN", "PROPN", "ADJ") and _title_before_name(doc, end)))


def _title_before_name(doc: Doc, i: int) -> bool:
    """Whether the words from token ``i`` are a title before a name ("Foreign Minister Kozyrev")."""
    j = i
    while j < len(doc) and j - i < ROLE_MAX_TOKENS and doc[j].pos_ in ("NOUN", "PROPN", "ADJ") \
            and doc[j].lower_ not in ROLE_NOUNS:
        j += 1
    return j < len(doc) and doc[j].lower_ in ROLE_NOUNS


def _government_title(role: Span) -> bool:
    return any(t.lower_ in GOVERNMENT_NOUNS or t.lemma_.lower() in GOVERNMENT_NOUNS or _legislator(t) for t in role)


def _legislator(token: Token) -> bool:
    """"Sen.", "Reps": a legislator's abbreviated title (capitalised: not a "sales rep")."""
    return token.text[:1].isupper() and token.lower_.rstrip(".") in LEGISLATOR_ABBREVIATIONS


def _title_before(doc: Doc, start: int) -> Span | None:
    """"U.S. Secretary of State", "Foreign Minister", "the Russian journalist" (without "the")."""
    i = start
    while i > 0 and start - i < ROLE_MAX_TOKENS and _title_token(doc[i - 1]):
        i -= 1
    while i < start and doc[i].lower_ == "of":
        i += 1
    span = doc[i:start]
    return span if span and _has_role_noun(span) and doc[start - 1].pos_ != "ADP" else None


def _title_token(token: Token) -> bool:
    if token.text in POSSESSIVE:
        return True
    if token.text == "." and token.i and _legislator(token.doc[token.i - 1]):
        return True  # "Sens ." split by the tokenizer
    if token.pos_ in ("PROPN", "NOUN", "ADJ") and not token.is_punct and "\n" not in token.text_with_ws:
        return True
    return token.lower_ == "of"


def _apposition_after(doc: Doc, end: int) -> Span | None:
    """", associate professor of government at Dartmouth College," or "is a senior fellow with ..."."""
    if end >= len(doc):
        return None
    i = end + 1
    if doc[end].text != "," and not (doc[end].lower_ in ("is", "was") and end + 1 < len(doc)):
        return None
    sentence_end = doc[end].sent.end
    j = i
    while j < sentence_end and j - i < ROLE_MAX_TOKENS and doc[j].text not in (",", ";", "—", "–", "(", ")") \
            and doc[j].tag_ not in ("VBD", "VBZ", "VBP", "MD") and doc[j].lower_ not in ("who", "which", "that"):
        j += 1
    while i < j and doc[i].pos_ == "DET":
        i += 1
    stop = j
    while j > i and (doc[j - 1].is_punct or doc[j - 1].is_space):
        j -= 1  # the closing full stop, a paragraph break, a dash before "who"
    span = doc[i:j]
    if not span or "\n" in span.text or not (_has_role_noun(span[:4]) or _has_role_noun(span[-1:])):
        return None  # the role noun early, or closing the phrase ("Bolivia's popular indigenous president")
    closes = stop >= sentence_end or doc[stop].text in (",", ";", "—", "–", ")") or doc[stop].is_punct \
        or (j < stop and doc[j].is_punct)
    return span if closes else None


def _has_role_noun(span: Span | Iterable[Token]) -> bool:
    return any(t.lower_ in ROLE_NOUNS or t.lemma_.lower() in ROLE_NOUNS or _legislator(t) for t in span)


def _government_state(found: _Found, role: Span) -> str | None:
    """The state a government title names ("Russian Foreign Minister" -> RUS); None for other roles."""
    if not _government_title(role):
        return None
    for c in found.candidates:
        if role.start <= c.start and c.end <= role.end and c.actor in found.kb \
                and found.kb[c.actor].kind == "state":
            return c.actor
    return None


def kept_records(records: list[ActorRecord], floor: float) -> list[ActorRecord]:
    """The records with the mentions whose confidence reaches ``floor``; an actor left with no
    mention is dropped (``operates_in`` and every other attribute kept)."""
    from dataclasses import replace

    out = []
    for record in records:
        mentions = [m for m in record.mentions if m.confidence >= floor]
        if mentions:
            out.append(replace(record, mentions=mentions))
    return out
