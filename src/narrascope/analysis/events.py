"""Events: who does what to whom, in the 16 PLOVER types, read off the dependency parse.

A readable lexicon (``narrascope/data/plover_verbs.tsv``, its header explains the columns) names
the verbs and nouns that trigger each type, some only with given objects ("impose sanctions" is
SANCTION, "impose a curfew" COERCE). For every trigger in a sentence:

- the **source** is the actor mentioned in the verb's subject (the ``by`` agent of a passive; the
  subject of the governing verb for an infinitive, a conjunct or a noun trigger: "Trump erupted
  with threats"), or in a noun trigger's possessor, modifiers or ``of`` complement ("the deployment
  of U.S. missile defense");
- the **target** is the actor in the dative, the direct object, a prepositional object (to, with,
  against, on...), the passive subject, or, for verbs of saying and intending ("threatened to
  break relations with Russia", "demanded that the United States..."), the complement clause;
- pronouns ("it", "they", "he") take the nearest preceding compatible actor mention of the same
  or the previous sentence; "we" and "I" inside a quote take the quote's speaker;
- an actor id becomes the state it acts for when the actor record names one (persons and state
  bodies carry ``country``), so a source or target is a state code or an organisation id;
- ``negated``: a ``neg`` dependent ("not", "never"), "no longer", "no talks"; ``hypothetical``:
  would/could/might/may, an ``if``/``unless`` clause, or an action embedded under a verb of
  threatening, promising or demanding (the threat itself is real, what is threatened is not);
- intent: a future or intended action ("will send aid", "is willing to withdraw", "would meet")
  is coded as CAMEO codes intent: AGREE when cooperative, THREATEN when hostile;
- "X must do Y" inside a sentence where an actor says or insists so is REQUEST speaker -> X.

Each event's span is the sentence holding the trigger; ``cue`` is the trigger word and
``cue_span`` its offsets. ``source_state`` and ``target_state`` say which state each side stands
for: its own id for a state, and for an actor the knowledge base does not know and whose state the
text does not give ("the Constitutional Court", "La Prensa", "Cizre") the source's state, as CAMEO
codes unknown domestic actors; an intergovernmental body or a known actor with no state keeps its id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from .types import PLOVER_TYPES, ActorRecord, Mention

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = ["COOPERATIVE", "HOSTILE", "LexiconEntry", "find_events", "load_lexicon", "primary_event"]

#: types that an intended action turns into AGREE, and those it turns into THREATEN
COOPERATIVE = frozenset({"AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT"})
HOSTILE = frozenset({"PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"})
#: frame verbs whose type is decided by what they frame: a vow to fight threatens, a vow to help agrees
INTENT_FRAMES = frozenset({"vow", "swear", "promise", "pledge", "offer", "commit"})
#: verbs of saying: "Russia said that Sudan must return the helicopter" is a REQUEST of Russia to Sudan
SAY_VERBS = frozenset({"say", "insist", "state", "declare", "stress", "tell", "argue", "conclude", "reiterate",
                       "announce", "add", "write", "warn", "believe", "demand", "remind", "emphasize",
                       "emphasise", "repeat", "claim", "maintain"})
HYPOTHETICAL_MODALS = frozenset({"would", "could", "might", "may"})
FUTURE_AUX = frozenset({"will", "would", "shall", "'ll"})
#: adjectives and verbs whose infinitive complement is an intended action
INTENT_HEADS = frozenset({"willing", "ready", "prepared", "plan", "intend", "decide", "aim", "determined",
                          "poised", "set"})
OBLIGATION = frozenset({"must"})
TARGET_PREPS = ("to", "with", "against", "on", "toward", "towards", "at", "from", "into", "over", "upon", "for")
WEAK_TARGET_PREPS = ("in",)
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
MODIFIER_DEPS = ("poss", "compound", "amod", "nmod", "appos")
STATE_PRONOUNS = frozenset({"it", "its", "they", "them", "their", "itself"})
PERSON_PRONOUNS = frozenset({"he", "him", "his", "she", "her", "himself", "herself"})
SPEAKER_PRONOUNS = frozenset({"we", "us", "our", "i", "me", "my"})


# ---------------------------------------------------------------------------------------------
# The lexicon


@dataclass(frozen=True)
class LexiconEntry:
    kind: str  # "verb" or "noun"
    lemma: str
    particle: str | None  # "call for": "for"; for a noun, the compound before it ("arms sale": "arms")
    objects: frozenset[str] | None  # None: any object
    type: str
    role: str  # "", "frame", "of=agent", "of=patient", "of=theme"
    note: str = ""


@lru_cache(maxsize=1)
def load_lexicon() -> dict[tuple[str, str], tuple[LexiconEntry, ...]]:
    """The shipped lexicon keyed by (kind, lemma); within a key, the most specific entries first."""
    text = resources.files("narrascope").joinpath("data/plover_verbs.tsv").read_text(encoding="utf-8")
    table: dict[tuple[str, str], list[LexiconEntry]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("kind\t"):
            continue
        cols = line.split("\t") + [""] * 6
        kind, cue, objects, type_, role, note = (c.strip() for c in cols[:6])
        if kind not in ("verb", "noun") or type_ not in PLOVER_TYPES:
            raise ValueError(f"plover_verbs.tsv line {number}: bad kind or type: {line!r}")
        words = cue.split()
        if kind == "verb":
            lemma, particle = words[0], (" ".join(words[1:]) or None)
        else:
            lemma, particle = words[-1], (" ".join(words[:-1]) or None)
        entry = LexiconEntry(kind, lemma, particle, None if objects in ("", "*") else frozenset(objects.split("|")),
                             type_, role, note)
        table.setdefault((kind, lemma), []).append(entry)
    return {key: tuple(sorted(entries, key=lambda e: (e.particle is None, e.objects is None)))
            for key, entries in table.items()}


# ---------------------------------------------------------------------------------------------
# Actors in the parse


class _Actors:
    """Token -> actor lookups for one document, built once from the mentions."""

    def __init__(self, doc: Doc, mentions: Sequence[Mention], actors: Sequence[ActorRecord] | None,
                 quotes: Sequence[dict[str, Any]]) -> None:
        self.doc = doc
        self.records = {a.id: a for a in actors or ()}
        self.by_token: dict[int, Mention] = {}
        self.ordered: list[tuple[int, Mention]] = []  # (first token index, mention) in text order
        for m in sorted(mentions, key=lambda m: (m.start, m.end)):
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is None or len(span) == 0:
                continue
            for tok in span:
                self.by_token.setdefault(tok.i, m)
            self.ordered.append((span.start, m))
        #: actors found only by the entity recogniser: not in the knowledge base
        self.unknown = {m.actor for m in mentions} - {m.actor for m in mentions if m.how != "ner"}
        self.quotes: list[tuple[int, int, str]] = [(q["start"], q["end"], str(q["speaker_actor"])) for q in quotes
                                                   if q.get("speaker_actor") and q.get("start") is not None]

    def state(self, actor_id: str) -> str:
        """The id an event carries: the state a person or state body acts for, else the actor itself."""
        record = self.records.get(actor_id)
        if record is not None and record.kind != "state" and record.country:
            return record.country
        return actor_id

    def state_of_event(self, actor_id: str | None, source: str | None) -> str | None:
        """The state an event's actor stands for: its own, or, for an actor the knowledge base does
        not know and the text gives no state (a court, a newspaper, a town), the source's state,
        as CAMEO codes unknown domestic actors. Intergovernmental bodies stay themselves."""
        if actor_id is None:
            return None
        if self.kind(actor_id) == "state":
            return actor_id
        if actor_id in self.unknown and source is not None and self.kind(source) == "state":
            return source
        return actor_id

    def kind(self, actor_id: str) -> str:
        record = self.records.get(actor_id)
        if record is not None:
            return record.kind
        return "state" if len(actor_id) == 3 and actor_id.isupper() else "organization"

    def rank(self, actor_id: str) -> int:
        """How much an actor says about the side it is on: a state (or someone acting for one) first,
        then an organisation, then a person or place whose state the text does not give."""
        state = self.state(actor_id)
        if self.kind(state) == "state":
            return 0
        return 1 if self.kind(state) in ("organization", "group") else 2

    def in_phrase(self, head: Token, *, skip: int | None = None, avoid: str | None = None,
                  pronouns: bool = True) -> tuple[str, int] | None:
        """(actor id, token index) of the actor a phrase headed by ``head`` names.

        Breadth first through the phrase, nearest the head first, but a state beats an organisation
        and both beat a person or place with no known state: "British Defence Secretary Tom King" is
        Britain, "Doctors from two American aid groups" America. Clauses inside the phrase
        (relative clauses, participles) are not searched. Pronouns are resolved; ``avoid`` is an
        actor a pronoun should not resolve to (the source, when looking for a target).
        """
        queue = [head]
        best: tuple[int, str, int] | None = None
        while queue:
            tok = queue.pop(0)
            if tok.i != skip:
                found = None
                mention = self.by_token.get(tok.i)
                if mention is not None:
                    found = self.state(mention.actor)
                elif pronouns and tok.pos_ == "PRON" and tok.dep_ != "det":
                    found = self.pronoun(tok, avoid=avoid)
                if found is not None:
                    rank = self.rank(found) + (3 if found == avoid else 0)
                    if best is None or rank < best[0]:
                        best = (rank, found, tok.i)
                    if rank == 0:
                        break
            queue.extend(c for c in tok.children if c.dep_ not in ("relcl", "acl", "advcl", "ccomp", "punct"))
        return None if best is None else (best[1], best[2])

    @staticmethod
    def _phrase_head(tok: Token) -> Token:
        while tok.dep_ in ("compound", "flat", "amod", "nmod", "appos") and tok.head is not tok:
            tok = tok.head
        return tok

    def pronoun(self, tok: Token, *, avoid: str | None = None) -> str | None:
        """The actor a pronoun refers to, or None."""
        word = tok.lower_
        if word in SPEAKER_PRONOUNS:
            for start, end, speaker in self.quotes:
                if start <= tok.idx < end:
                    return self.state(speaker)
            return None
        if word in STATE_PRONOUNS:
            wanted: tuple[str, ...] = ("state", "organization", "group")
        elif word in PERSON_PRONOUNS:
            wanted = ("person",)
        else:
            return None
        sent = tok.sent
        floor = sent.start
        if sent.start > 0:
            floor = self.doc[sent.start - 1].sent.start
        fallback = None
        for first, mention in reversed(self.ordered):
            if first >= tok.i:
                continue
            if first < floor:
                break
            state = self.state(mention.actor)
            if state == avoid:
                continue
            if self.kind(mention.actor) in wanted:
                if self.rank(state) > 0:  # "King Hassan of Morocco ... he": the state of the phrase
                    phrase = self.in_phrase(self._phrase_head(self.doc[first]), pronouns=False)
                    if phrase is not None and self.rank(phrase[0]) < self.rank(state):
                        return phrase[0]
                return state
            if fallback is None and word in ("they", "them", "their"):
                fallback = state
        return fallback


# ---------------------------------------------------------------------------------------------
# The parse


def _children(tok: Token, *deps: str) -> list[Token]:
    return [c for c in tok.children if c.dep_ in deps]


def _objects(verb: Token, particle: str | None) -> list[Token]:
    """Heads of what a verb acts on: direct object, passive subject, the particle's object."""
    heads = _children(verb, "dobj", "nsubjpass", "attr", "oprd")
    if particle:
        for prep in _children(verb, "prep", "prt"):
            if prep.lower_ == particle.split()[-1]:
                heads.extend(_children(prep, "pobj"))
    else:
        for prep in _children(verb, "prep"):
            if prep.lower_ in ("to", "on", "for"):  # "agreed to a six-month extension"
                heads.extend(_children(prep, "pobj"))
    more = []
    for head in heads:
        more.extend(_children(head, "conj", "compound"))
        for prep in _children(head, "prep"):
            if prep.lower_ == "of":  # "a state of siege", "the rule of law"
                more.extend(_children(prep, "pobj"))
    return heads + more


def _has_particle(verb: Token, particle: str) -> bool:
    words = particle.split()
    kids = {c.lower_ for c in verb.children if c.dep_ in ("prt", "prep", "advmod", "dobj", "acomp")}
    return all(w in kids for w in words)


def _verb_entry(verb: Token) -> LexiconEntry | None:
    entries = load_lexicon().get(("verb", verb.lemma_.lower()))
    if not entries:
        return None
    best = None
    for entry in entries:
        if entry.particle and not _has_particle(verb, entry.particle):
            continue
        if entry.objects is not None:
            lemmas = {t.lemma_.lower() for t in _objects(verb, entry.particle)}
            if not lemmas & entry.objects:
                continue
        best = entry
        break
    return best


def _noun_entry(noun: Token) -> LexiconEntry | None:
    entries = load_lexicon().get(("noun", noun.lemma_.lower()))
    if not entries:
        return None
    for entry in entries:
        if entry.particle and not any(c.lower_ == entry.particle for c in noun.children
                                      if c.dep_ in ("compound", "amod", "nmod")):
            continue
        if entry.objects is not None:
            ofs = [p for p in _children(noun, "prep") if p.lower_ == "of"]
            lemmas = {t.lemma_.lower() for p in ofs for t in _children(p, "pobj")}
            if not lemmas & entry.objects:
                continue
        return entry
    return None


def _subject(verb: Token) -> tuple[Token | None, bool]:
    """The subject token of a verb and whether the verb is passive, following control and conjunction."""
    tok = verb
    for _ in range(8):
        for child in tok.children:
            if child.dep_ in ("nsubj", "csubj"):
                return child, False
            if child.dep_ == "nsubjpass":
                return child, True
        if tok.dep_ in ("relcl", "acl") and tok.head.pos_ in ("NOUN", "PROPN", "PRON"):
            return tok.head, tok.dep_ == "acl" and tok.tag_ == "VBN"
        if tok.dep_ in ("xcomp", "conj", "advcl", "pcomp") and tok.head is not tok:
            tok = tok.head
            if tok.pos_ in ("ADJ",) and tok.dep_ == "acomp":  # "is willing to send"
                tok = tok.head
            continue
        break
    return None, False


def _agent(verb: Token) -> Token | None:
    for prep in _children(verb, "agent"):
        objs = _children(prep, "pobj")
        if objs:
            return objs[0]
    return None


def _is_negated(tok: Token) -> bool:
    for child in tok.children:
        if child.dep_ == "neg":
            return True
        if child.lower_ == "longer" and any(g.lower_ == "no" for g in child.children):
            return True
        if child.dep_ == "det" and child.lower_ == "no":
            return True
    return False


def _governing_verb(tok: Token) -> Token | None:
    """The verb a noun hangs from ("erupted" for "threats" in "erupted with threats")."""
    cur = tok
    for _ in range(6):
        if cur.dep_ in ("ROOT",) or cur.head is cur:
            return None
        if cur.dep_ not in ("dobj", "pobj", "prep", "attr", "nsubj", "nsubjpass", "conj", "appos", "oprd"):
            return None
        cur = cur.head
        if cur.pos_ in ("VERB", "AUX"):
            return cur
    return None


def _clause_verb(tok: Token) -> Token:
    return tok if tok.pos_ in ("VERB", "AUX") else (_governing_verb(tok) or tok)


def _modals(verb: Token) -> set[str]:
    return {c.lower_ for c in verb.children if c.dep_ == "aux"}


def _conditional(tok: Token) -> bool:
    return tok.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether")
                                       for c in tok.children)


def _hypothetical(tok: Token, *, frame: bool = False) -> bool:
    """Would/could/might/may, inside an if/unless clause, or the consequent of one (a conditional
    threat, ``frame``, is still a real threat)."""
    verb = _clause_verb(tok)
    if _modals(verb) & HYPOTHETICAL_MODALS:
        return True
    if not frame and any(_conditional(c) for c in verb.children):  # the consequent: "if the talks fail, Chile will..."
        return True
    cur = tok
    for _ in range(12):
        if _conditional(cur):
            return True
        if cur.head is cur:
            break
        cur = cur.head
    return False


def _intended(verb: Token) -> bool:
    """A future or intended action: "will send", "is willing to withdraw", "plans to impose"."""
    if verb.pos_ not in ("VERB", "AUX"):
        return False
    if _modals(verb) & FUTURE_AUX:
        return True
    if verb.dep_ == "xcomp":
        head = verb.head
        if head.lemma_.lower() in INTENT_HEADS or head.lower_ in INTENT_HEADS:
            return True
        if head.lemma_.lower() == "go" and head.tag_ == "VBG":
            return True
    return False


def _framing(tok: Token) -> Token | None:
    """The frame verb (threaten, promise, demand...) an action is embedded under, if any."""
    if tok.dep_ not in ("xcomp", "ccomp") or tok.head is tok:
        return None
    head = tok.head
    entry = _verb_entry(head) if head.pos_ == "VERB" else None
    return head if entry is not None and entry.role == "frame" else None


def _sentence(doc: Doc, sent: Span) -> tuple[int, int]:
    start, end = sent.start_char, sent.end_char
    text = doc.text
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# ---------------------------------------------------------------------------------------------
# Finding events


@dataclass
class _Event:
    type: str
    source: str
    target: str | None
    cue: Token
    negated: bool
    hypothetical: bool


def _first_actor(actors: _Actors, heads: Iterable[Token], *, skip: int | None,
                 avoid: str | None = None) -> str | None:
    """The first actor named in ``heads`` other than ``avoid`` (else ``avoid`` itself, if named).

    When no phrase names one, the clauses inside the phrases are searched too ("aid to refugees
    fleeing the civil war in Liberia").
    """
    heads = list(heads)
    fallback = None
    for head in heads:
        found = actors.in_phrase(head, skip=skip, avoid=avoid)
        if found is None:
            continue
        if avoid is None or found[0] != avoid:
            return found[0]
        if fallback is None:
            fallback = found[0]
    if fallback is None:
        for head in heads:
            for tok in head.subtree:
                mention = actors.by_token.get(tok.i)
                if mention is not None and tok.i != skip:
                    state = actors.state(mention.actor)
                    if state != avoid:
                        return state
                    fallback = fallback or state
    return fallback


def _verb_targets(verb: Token) -> list[Token]:
    """Where a verb's target can be, best first."""
    heads = _children(verb, "dative")
    heads += _children(verb, "dobj")
    strong, weak = [], []
    for prep in _children(verb, "prep", "dative"):
        if prep.lower_ in TARGET_PREPS:
            strong.extend(_children(prep, "pobj", "pcomp"))
        elif prep.lower_ in WEAK_TARGET_PREPS:
            weak.extend(_children(prep, "pobj"))
    for prt in _children(verb, "prt"):  # "hand over to Great Britain"
        for prep in _children(prt, "prep"):
            strong.extend(_children(prep, "pobj"))
    for obj in _children(verb, "dobj"):
        for prep in _children(obj, "prep"):
            if prep.lower_ in TARGET_PREPS or prep.lower_ in WEAK_TARGET_PREPS:
                weak.extend(_children(prep, "pobj"))
    return heads + strong + weak


def _embedded(verb: Token) -> list[Token]:
    return _children(verb, "xcomp", "ccomp")


def _verb_event(verb: Token, entry: LexiconEntry, actors: _Actors) -> _Event | None:
    subject, passive = _subject(verb)
    agent = _agent(verb)
    source_tok = agent if passive and agent is not None else (None if passive and verb.dep_ != "acl" else subject)
    if passive and agent is None and subject is not None and verb.dep_ == "acl":
        source_tok = None
    source_hit = actors.in_phrase(source_tok) if source_tok is not None else None
    if source_hit is None:
        return None
    source, source_i = source_hit
    candidates: list[Token] = []
    if passive and subject is not None:
        candidates.append(subject)
    candidates += _verb_targets(verb)
    target = _first_actor(actors, candidates, skip=source_i, avoid=source)
    type_ = entry.type
    if entry.role == "frame":
        inner_target = None
        for clause in _embedded(verb):
            inner_subject = [c for c in clause.children if c.dep_ in SUBJECT_DEPS]
            inner_target = (_first_actor(actors, inner_subject, skip=source_i, avoid=source)
                            or _first_actor(actors, _verb_targets(clause), skip=source_i, avoid=source))
            if inner_target == source and inner_subject:
                inner_target = _first_actor(actors, _verb_targets(clause), skip=source_i, avoid=source) or inner_target
            if entry.lemma in INTENT_FRAMES:
                inner_entry = _verb_entry(clause) if clause.pos_ == "VERB" else None
                if inner_entry is not None and inner_entry.role != "frame":
                    type_ = "AGREE" if inner_entry.type in COOPERATIVE else "THREATEN"
            if inner_target is not None:
                break
        if inner_target is not None and (target is None or not _children(verb, "dative", "dobj")):
            target = inner_target
    if entry.lemma == "deploy" and target is None:
        type_ = "MOBILIZE"
    framed = _framing(verb)
    if framed is None and entry.role != "frame" and _intended(verb):
        if type_ in COOPERATIVE:
            type_ = "AGREE"
        elif type_ in HOSTILE:
            type_ = "THREATEN"
    hypothetical = _hypothetical(verb, frame=entry.role == "frame") or framed is not None
    return _Event(type_, source, target, verb, _is_negated(verb), hypothetical)


def _named(actors: _Actors, tok: Token) -> tuple[str, int] | None:
    """The actor a single token names (a mention, or a resolved pronoun), not searching its phrase."""
    mention = actors.by_token.get(tok.i)
    if mention is not None:
        return actors.state(mention.actor), tok.i
    if tok.pos_ == "PRON":
        found = actors.pronoun(tok)
        if found is not None:
            return found, tok.i
    return None


def _noun_event(noun: Token, entry: LexiconEntry, actors: _Actors) -> _Event | None:
    source_hit = None
    of_objects = [o for p in _children(noun, "prep") if p.lower_ == "of" for o in _children(p, "pobj")]
    for child in _children(noun, "poss", "compound", "amod", "nmod"):
        source_hit = actors.in_phrase(child)
        if source_hit is not None:
            break
    if source_hit is None and entry.role == "of=agent":
        for obj in of_objects:
            source_hit = actors.in_phrase(obj)
            if source_hit is not None:
                break
    if source_hit is None and entry.role == "of=theme":
        # the owner of what is deployed or withdrawn: "of U.S. missile defense", "of its troops";
        # not "air links with Serbia", which is where it goes
        for obj in of_objects:
            for child in [obj, *_children(obj, "poss", "compound", "amod", "nmod")]:
                source_hit = actors.in_phrase(child) if child is not obj else _named(actors, obj)
                if source_hit is not None:
                    break
            if source_hit is not None:
                break
    verb = _governing_verb(noun)
    if source_hit is None and verb is not None:
        subject, passive = _subject(verb)
        if subject is not None and not passive and subject.i != noun.i:
            source_hit = actors.in_phrase(subject)
    if source_hit is None:
        return None
    source, source_i = source_hit
    candidates: list[Token] = []
    if entry.role == "of=patient":
        candidates += of_objects
    if entry.role == "of=theme":
        candidates += [o for obj in of_objects for p in _children(obj, "prep") if p.lower_ in TARGET_PREPS
                       for o in _children(p, "pobj")]
    preps = _children(noun, "prep")
    candidates += [o for p in preps if p.lower_ in TARGET_PREPS for o in _children(p, "pobj")]
    for clause in _children(noun, "acl", "relcl"):  # "threats to unleash fire and fury on it"
        candidates += _verb_targets(clause)
    if verb is not None:
        # A prepositional phrase right after the noun phrase that the parser hung on the verb:
        # "dislike the deployment of U.S. missile defense (THAAD) to South Korea".
        after = noun.right_edge.i + 1
        candidates += [o for p in _children(verb, "prep") if p.i == after and p.lower_ in TARGET_PREPS
                       for o in _children(p, "pobj")]
    candidates += [o for p in preps if p.lower_ in WEAK_TARGET_PREPS for o in _children(p, "pobj")]
    target = _first_actor(actors, candidates, skip=source_i, avoid=source)
    if target is None:
        for tok in candidates:
            if tok.pos_ == "PRON":
                target = actors.pronoun(tok, avoid=source)
                if target is not None:
                    break
    type_ = entry.type
    if entry.lemma == "deployment" and target is None:
        type_ = "MOBILIZE"
    negated = _is_negated(noun) or (verb is not None and _is_negated(verb))
    return _Event(type_, source, target, noun, negated, _hypothetical(noun))


def _obligation_events(sent: Span, actors: _Actors) -> list[_Event]:
    """ "Washington insists ...: North Korea must show evidence" -> REQUEST USA -> PRK."""
    out: list[_Event] = []
    speakers = []
    for tok in sent:
        if tok.pos_ == "VERB" and tok.lemma_.lower() in SAY_VERBS:
            subject, passive = _subject(tok)
            hit = actors.in_phrase(subject) if subject is not None and not passive else None
            if hit is not None:
                speakers.append((tok, hit))
    if not speakers:
        return out
    for tok in sent:
        if tok.dep_ != "aux" or tok.lower_ not in OBLIGATION:
            continue
        verb = tok.head
        subject, _passive = _subject(verb)
        hit = actors.in_phrase(subject) if subject is not None else None
        if hit is None:
            continue
        for say, (speaker, _i) in speakers:
            if speaker != hit[0]:
                out.append(_Event("REQUEST", speaker, hit[0], say, _is_negated(say), _hypothetical(say)))
                break
    return out


def find_events(doc: Doc, mentions: list[Mention], quotes: list[dict[str, Any]],
                actors: list[ActorRecord] | None = None) -> list[dict[str, Any]]:
    """The PLOVER events of a parsed article (SCHEMA.md ``events``), in text order.

    ``mentions`` are the actor mentions found by ``find_actors``; ``actors`` their records, used to
    map persons and state bodies to the state they act for and to type pronoun antecedents;
    ``quotes`` give "we" inside a quote its speaker.
    """
    index = _Actors(doc, mentions, actors, quotes)
    if not index.by_token:
        return []
    lexicon = load_lexicon()
    found: list[_Event] = []
    for sent in doc.sents:
        for tok in sent:
            pos = tok.pos_
            lemma = tok.lemma_.lower()
            if pos == "VERB" and ("verb", lemma) in lexicon:
                entry = _verb_entry(tok)
                if entry is not None:
                    event = _verb_event(tok, entry, index)
                    if event is not None:
                        found.append(event)
            elif pos == "NOUN" and ("noun", lemma) in lexicon:
                head = tok.head
                # "imposed sanctions", "rejected calls": the verb already made this event
                if tok.dep_ in ("dobj", "nsubjpass") and head.pos_ == "VERB" and _verb_entry(head) is not None:
                    continue
                entry = _noun_entry(tok)
                if entry is not None:
                    event = _noun_event(tok, entry, index)
                    if event is not None:
                        found.append(event)
        found.extend(_obligation_events(sent, index))
    out: list[dict[str, Any]] = []
    seen = set()
    for event in sorted(found, key=lambda e: e.cue.i):
        start, end = _sentence(doc, event.cue.sent)
        key = (event.type, event.source, event.target, event.cue.i)
        if key in seen:
            continue
        seen.add(key)
        source_state = index.state_of_event(event.source, None)
        out.append({
            "type": event.type, "source": event.source, "target": event.target,
            "source_state": source_state, "target_state": index.state_of_event(event.target, source_state),
            "start": start, "end": end, "text": doc.text[start:end],
            "negated": event.negated, "hypothetical": event.hypothetical,
            "cue": event.cue.text,
            "cue_span": {"start": event.cue.idx, "end": event.cue.idx + len(event.cue.text)},
        })
    return out


def primary_event(doc: Doc, events: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The event a sentence is mainly about: a source and a target first, then the trigger nearest the root."""

    def depth(event: dict[str, Any]) -> int:
        span = doc.char_span(event["cue_span"]["start"], event["cue_span"]["end"], alignment_mode="expand")
        if span is None or not len(span):
            return 99
        tok, n = span[0], 0
        while tok.head is not tok and n < 50:
            tok, n = tok.head, n + 1
        return n

    if not events:
        return None
    return min(events, key=lambda e: (e["negated"], e["target"] is None, depth(e), e["cue_span"]["start"]))
