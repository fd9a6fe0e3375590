"""Events: who does what to whom, in the 16 PLOVER types, read off the dependency parse, precision first.

A readable lexicon (``narrascope/data/plover_verbs.tsv``, its header explains the columns) names
the verbs and nouns that trigger each type, some only with given objects ("impose sanctions" is
SANCTION, "impose a curfew" COERCE). Every trigger in a sentence goes through an ordered list of
small steps; a step that finds the evidence weak drops the event (an abstention is better than a
wrong claim):

1. **Cue.** A verb or noun of the lexicon; not a word inside an actor's name ("Rapid Support
   Forces"), not a noun used as a modifier ("riot police"), not a participle used as an adjective
   ("pledged delegates"), and not a cue that needs context it lacks ("exercise" needs a military
   word: "joint military exercises"). A naming verb that names its object ("called Yanukovych an
   outstanding leader") is no event; nor is a question ("asked whether..."), a claim of fact made
   with a verb of demanding ("insisted that he has expanded the party"), or a refusal only to speak
   ("declined to comment"). A vow or pledge whose content names no action the lexicon knows ("vowed
   that Bolivia is closer than ever to the sea") is nothing; one to answer in kind ("pledged to
   match US tariffs", ``retaliation``) is a conditional THREATEN.
2. **Figurative uses** (``data/plover_figurative.tsv``): "struck a reconciliatory tone", "a charm
   offensive", "fight the virus", "released a statement" are no events; "struck a deal" is AGREE,
   "attacked the plan" ACCUSE, "agreed with his assessment" and "a rally for Trump" nothing.
3. **Source**: the actor of the verb's subject (the ``by`` agent of a passive; the subject of the
   governing verb for an infinitive, a conjunct or a noun trigger: "Trump erupted with threats"), or
   a noun trigger's possessor, modifiers or ``of`` complement ("the deployment of U.S. missile
   defense"). Inside a phrase the head's own actor comes first, then its modifiers ("British
   Defence Secretary Tom King" is Britain; "Serbian President Kostunica" stands for Serbia whatever
   the knowledge base says), then an apposition, and only then prepositional phrases ("Doctors from
   two American aid groups"): "Esper, in Vietnam, accused China" is Esper's accusation. An
   actor that only qualifies a thing named as the subject ("trade war pressures from the United
   States could support China"; any noun but those of people and bodies, ``agent_noun``) is no source.
   A subject the parser made a clause ("The Red Cross operating in Iraq said") stands for its own
   subject; the object of a verb of persuading or asking is the source of its infinitive
   ("persuaded Germany to pull out": Germany's act, hypothetical; ``object_control``), and a
   possessive pronoun there is its own ("urged Israel to withdraw its troops").
4. **Political actors only.** The source must be a state, a government or one of its bodies, an
   office holder, an intergovernmental body, an armed group or a party (``political_actor``):
   not a place, a news outlet or platform, a person the knowledge base does not know and the text
   gives no political title, an organisation whose name says nothing political. People who act
   for no state ("French farmers", ``civilian_noun``) are sources only of PROTEST, REQUEST, ACCUSE
   and REJECT.
5. **Target**: the actor in the dative, the direct object, a prepositional object (to, with,
   against, on...), the passive subject, or, for verbs of saying and intending ("threatened to
   break relations with Russia", "demanded that the United States..."), the complement clause. It
   must be a political actor too, or, for material types (ASSAULT, COERCE, AID, MOBILIZE, RETREAT,
   PROTEST, SANCTION), a place. Candidates are tried in that order until one passes step 6. An
   actor named in a place phrase of the thing acted on ("praised the summit in Singapore",
   ``locative_prep``) is no target but of a material type or a meeting; one named in a topic phrase
   of what is praised or blamed ("denounced the lies about the United States", ``topic_prep``) is
   none; nor is an actor qualifying a thing asked for or promised ("asked to see the Russian
   report"), nor, for praise and blame, one named only inside a clause of the thing judged
   ("denounced allegations that her staff posted the data of U.S. senators"), nor whom a denied
   claim is about ("denied that Morales was using the issue"); the one named with the source of a
   meeting or agreement comes before a place. A measure imposed on or lifted from a whole country
   (martial law, a curfew, a state of emergency, ``domestic_measure``) with no one else named
   targets the source's own state, as CAMEO codes it.
6. **Source and target differ**: never the same actor (two mentions of one state qualifying
   different groups, "Palestinian police ... Palestinian armed groups", are distinct domestic
   actors, as CAMEO codes them); never a person or body acting for a state against that very state
   by name ("Pompeo said the United States..."), nor a state against one who acts for it ("Bolivia
   ... its president Morales"), but by force or coercion; and never the same state at all for the
   inter-state types (``INTERSTATE``: AGREE, CONSULT, SUPPORT, COOPERATE, AID, SANCTION,
   MOBILIZE). Two distinct actors of one state may accuse, demand, reject, coerce, attack or
   protest (domestic politics): such an event has ``source_state == target_state``.
7. **Types that take a target** (all but ``TARGET_OPTIONAL``: AGREE, RETREAT, PROTEST, MOBILIZE)
   are dropped without one; so is any event but a protest whose source is a person or an
   organisation of no known state and that names no target ("promising to campaign across the
   country": campaign talk far more often than a political event, on the judged articles).
8. **ASSAULT needs a material sense** for cues marked ``material`` ("attack", "strike", "fight"):
   soldiers or an armed group as the attacker, a weapon, a physical target or casualties in the
   clause, or a place hit by a state or an armed group ("Cruz captured Texas" is a primary won). Without any, a verbal setting ("in a speech", "on Twitter") makes an "attack" an
   ACCUSE; a state or armed group attacking another keeps a weak ASSAULT; anything else is dropped.
9. **Modality.** ``negated``: not, never, no longer, "no X", and any action under a verb of refusal
   ("declined to threaten", "refused to sanction", ``refusal``): refusing a cooperative action
   ("refused to lift the curfew") is itself a REJECT, refusing a hostile one is not. ``hypothetical``:
   would/could/might/may, an ``if``/``unless`` clause, or an action under a verb of threatening,
   promising, demanding or planning ("threatened to", "plans to", ``hypothetical``), or an intent
   ("is willing to"). Intent is coded as CAMEO codes it: an intended cooperative action is AGREE,
   a hostile one THREATEN ("will send aid", "would tighten the blockade"); with an ``unless`` it
   is an ultimatum, THREATEN; "will not accept" is a REJECT, and so is "there is no way we will
   disarm" (a clause of "no way", "no intention", ``negating_noun``, is negated); "would boycott
   all contact" is a THREATEN (``threat_reject``). "Would welcome help from Russia" is an appeal,
   a REQUEST (``appeal``); a forecast ("is likely to visit", "are expected to", ``speculation``) is
   hypothetical and no intent.
10. **Claims.** An event whose cue lies inside a quote (direct, or the content of indirect speech)
    is reported by that quote's speaker: ``claimed_by`` is the speaker's actor id (None for an
    unnamed source) and ``quoted`` is true. The narrator asserts only events outside quotes.
11. **Confidence**: a ``ConfidenceModel`` (``data/models/events.confidence.json``, fitted by
    ``narrascope train events`` on the training splits of the PLOVER records and of the events
    judged on real articles, ``data/plover_judged.jsonl``) over the readable features
    ``event_features`` lists: the type, the cue kind, how source and target were found (subject,
    object, pronoun, clause, fallback), their kinds, a place as target, a side found deep inside a
    phrase (``source_nested``, ``target_nested``: "the settlement of Russian immigrants") or a
    people named for a state (``target_qualifier``), the type of an event with no target, negation,
    modality, quotes.

Each event's span is the sentence holding the trigger; ``cue`` is the trigger word and
``cue_span`` its offsets. ``source``/``target`` are the actors named (SCHEMA.md: actor ids, so
the actor graph keeps persons and bodies; ``source_actor``/``target_actor`` repeat them for
older readers), and ``source_state``/``target_state`` which state each side stands for: its own
id for a state, the state a person or state body acts for, and for an actor the knowledge base
does not know and whose state the text does not give ("the Constitutional Court", "Cizre",
"Judge Alejandro Rivera") the other side's state, as CAMEO codes unknown domestic actors (never
between states, for the inter-state types); an intergovernmental body, an armed group or a known
actor with no state keeps its id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from .nlp import doc_text
from .types import PLOVER_TYPES, ActorRecord, Mention

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from .confidence import ConfidenceModel

__all__ = ["COOPERATIVE", "HOSTILE", "INTERSTATE", "TARGET_OPTIONAL", "FigurativeRow", "LexiconEntry",
           "event_features", "find_events", "find_events_with_features", "load_context", "load_figurative",
           "load_lexicon", "primary_event"]

#: types that an intended action turns into AGREE, and those it turns into THREATEN
COOPERATIVE = frozenset({"AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT"})
HOSTILE = frozenset({"PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"})
#: types coded without a target when the text names none ("Akayev agreed to resign", "Ugandan
#: rebels surrendered", a protest, a mobilisation); every other type needs one
TARGET_OPTIONAL = frozenset({"AGREE", "RETREAT", "PROTEST", "MOBILIZE"})
#: relations between states: never coded between two actors of the same state
INTERSTATE = frozenset({"AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "SANCTION", "MOBILIZE"})
#: types whose target may be a place (it stands for the state it lies in, or the source's own)
PLACE_TARGET = frozenset({"ASSAULT", "COERCE", "AID", "MOBILIZE", "RETREAT", "PROTEST", "SANCTION"})
#: types whose target may be anyone at all: the victims of force and coercion need not be political
#: actors ("arrested a journalist", "killed two villagers")
VICTIM_TARGET = frozenset({"ASSAULT", "COERCE"})
#: types where two actors named together as the subject act with each other: "France and Germany
#: signed a treaty", "Israel and Lebanon renewed negotiations"
SYMMETRIC = frozenset({"AGREE", "CONSULT", "SUPPORT", "COOPERATE"})
#: what people who act for no state ("Algerian landowners") may do to a government
CIVIL_SOURCE = frozenset({"PROTEST", "REQUEST", "ACCUSE", "REJECT"})
#: noun cues whose content clause is what is demanded, threatened or promised ("a demand that
#: Israel ease restrictions"): the action in that clause has not happened
FRAME_NOUN_TYPES = frozenset({"REQUEST", "THREATEN", "AGREE"})
#: frame verbs whose type is decided by what they frame: a vow to fight threatens, a vow to help agrees
INTENT_FRAMES = frozenset({"vow", "swear", "promise", "pledge", "offer", "commit"})
#: verbs of saying: "Russia said that Sudan must return the helicopter" is a REQUEST of Russia to Sudan
SAY_VERBS = frozenset({"say", "insist", "state", "declare", "stress", "tell", "argue", "conclude", "reiterate",
                       "announce", "add", "write", "warn", "believe", "demand", "remind", "emphasize",
                       "emphasise", "repeat", "claim", "maintain"})
HYPOTHETICAL_MODALS = frozenset({"would", "could", "might", "may"})
FUTURE_AUX = frozenset({"will", "would", "shall", "'ll"})
OBLIGATION = frozenset({"must"})
TARGET_PREPS = ("to", "with", "against", "on", "toward", "towards", "at", "from", "into", "over", "upon", "for")
WEAK_TARGET_PREPS = ("in",)
#: prepositions that give the reason of a verbal act ("blamed Israel for the bombing", "praised
#: India for its policy"): the actors inside them are not whom the act is aimed at
REASON_PREPS = ("for", "over")
#: types of judging acts, whose targets never come from their reason ("blamed X for...")
VERBAL = frozenset({"ACCUSE", "SUPPORT"})

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
#: the parts of a phrase searched for its actor, nearest first: modifiers, then appositions, then
#: prepositional phrases; clauses inside a phrase are never searched
MODIFIER_DEPS = frozenset({"compound", "amod", "nmod", "poss", "flat", "nummod", "quantmod", "npadvmod"})
ADJECTIVAL_DEPS = frozenset({"compound", "amod", "flat"})
CLAUSE_DEPS = frozenset({"relcl", "acl", "advcl", "ccomp", "xcomp", "punct", "cc"})
STATE_PRONOUNS = frozenset({"it", "its", "they", "them", "their", "itself"})
PERSON_PRONOUNS = frozenset({"he", "him", "his", "she", "her", "himself", "herself"})
SPEAKER_PRONOUNS = frozenset({"we", "us", "our", "i", "me", "my"})


# ---------------------------------------------------------------------------------------------
# The data: lexicon, figurative uses, word classes


@dataclass(frozen=True)
class LexiconEntry:
    kind: str  # "verb" or "noun"
    lemma: str
    particle: str | None  # "call for": "for"; for a noun, the compound before it ("arms sale": "arms")
    objects: frozenset[str] | None  # None: any object
    type: str
    role: str  # "", "frame", "of=agent", "of=patient", "of=theme"
    note: str = ""
    material: bool = False  # an ASSAULT cue that is often a metaphor: needs a material sense
    context: str = ""  # a plover_context.tsv class one of the cue's modifiers must belong to


def _data(name: str) -> str:
    return resources.files("narrascope").joinpath(f"data/{name}").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def load_lexicon() -> dict[tuple[str, str], tuple[LexiconEntry, ...]]:
    """The shipped lexicon keyed by (kind, lemma); within a key, the most specific entries first."""
    table: dict[tuple[str, str], list[LexiconEntry]] = {}
    for number, line in enumerate(_data("plover_verbs.tsv").splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("kind\t"):
            continue
        cols = line.split("\t") + [""] * 6
        kind, cue, objects, type_, roles, note = (c.strip() for c in cols[:6])
        if kind not in ("verb", "noun") or type_ not in PLOVER_TYPES:
            raise ValueError(f"plover_verbs.tsv line {number}: bad kind or type: {line!r}")
        words = cue.split()
        if kind == "verb":
            lemma, particle = words[0], (" ".join(words[1:]) or None)
        else:
            lemma, particle = words[-1], (" ".join(words[:-1]) or None)
        parts = [r.strip() for r in roles.split(",") if r.strip()]
        role = next((r for r in parts if r == "frame" or r.startswith("of=")), "")
        context = next((r.split("=", 1)[1] for r in parts if r.startswith("context=")), "")
        entry = LexiconEntry(kind, lemma, particle, None if objects in ("", "*") else frozenset(objects.split("|")),
                             type_, role, note, material="material" in parts, context=context)
        table.setdefault((kind, lemma), []).append(entry)
    return {key: tuple(sorted(entries, key=lambda e: (e.particle is None, e.objects is None)))
            for key, entries in table.items()}


@lru_cache(maxsize=1)
def load_context() -> dict[str, frozenset[str]]:
    """The word classes of ``data/plover_context.tsv``: class name -> lemmas."""
    classes: dict[str, set[str]] = {}
    for number, line in enumerate(_data("plover_context.tsv").splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("class\t"):
            continue
        cols = line.split("\t")
        if len(cols) < 2 or not cols[1].strip():
            raise ValueError(f"plover_context.tsv line {number}: a class needs words: {line!r}")
        classes.setdefault(cols[0].strip(), set()).update(w.strip() for w in cols[1].split("|") if w.strip())
    return {name: frozenset(words) for name, words in classes.items()}


def _words(name: str) -> frozenset[str]:
    return load_context().get(name, frozenset())


@dataclass(frozen=True)
class FigurativeRow:
    kind: str
    lemma: str
    particle: str | None
    relation: str
    words: frozenset[str] | None  # None: any word
    action: str  # "-" or a PLOVER type
    note: str = ""


@lru_cache(maxsize=1)
def load_figurative() -> dict[tuple[str, str], tuple[FigurativeRow, ...]]:
    """The figurative uses of ``data/plover_figurative.tsv`` keyed by (kind, lemma), in file order."""
    table: dict[tuple[str, str], list[FigurativeRow]] = {}
    for number, line in enumerate(_data("plover_figurative.tsv").splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("kind\t"):
            continue
        cols = line.split("\t") + [""] * 6
        kind, cue, relation, words, action, note = (c.strip() for c in cols[:6])
        if kind not in ("verb", "noun") or (action != "-" and action not in PLOVER_TYPES) or not relation:
            raise ValueError(f"plover_figurative.tsv line {number}: bad kind, relation or action: {line!r}")
        parts = cue.split()
        row = FigurativeRow(kind, parts[0], " ".join(parts[1:]) or None, relation,
                            None if words == "*" else frozenset(words.split("|")), action, note)
        table.setdefault((kind, parts[0]), []).append(row)
    return {key: tuple(rows) for key, rows in table.items()}


# ---------------------------------------------------------------------------------------------
# Actors in the parse


@dataclass(frozen=True)
class _Side:
    """One side of an event: the actor named and how the rules found it."""

    actor: str  # the actor id as named ("person:sergey-lavrov", "RUS", "org:un")
    state: str  # the id the event carries: the state a person or body acts for, else the actor
    token: int  # the token of the mention (or pronoun)
    form: str  # "name", "qualifier" ("Palestinian police"), "pronoun", "speaker" (we/I in a quote)
    found_by: str  # the mention's ``how``: gazetteer, ner, coref; "pronoun"
    noun: str = ""  # the lemma of the noun a qualifier qualifies ("police")
    how: str = ""  # where in the clause: subject, agent, object, dative, prep, clause...
    level: str = "head"  # where in its phrase: head, modifier, apposition, complement, subtree
    confidence: float = 1.0  # the mention's confidence


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
        #: actors the text somewhere names as a political body or armed group ("the Umma party",
        #: "FDD, the main rebel group"): so is a later "it" that refers to them
        self.qualifies_political: set[str] = set()
        political_nouns = _words("political_noun") | _words("armed_noun")
        for i, m in self.by_token.items():
            tok = doc[i]
            for near in (tok.head, *_children(tok, "appos"), *(_children(tok.head, "appos") if tok.dep_ != "appos" else [])):
                if near.i not in self.by_token and near.pos_ == "NOUN" and near.lemma_.lower() in political_nouns:
                    self.qualifies_political.add(m.actor)
        self.quotes: list[tuple[int, int, str | None, bool]] = [
            (int(q["start"]), int(q["end"]), q.get("speaker_actor"), bool(q.get("direct")))
            for q in quotes if q.get("start") is not None and q.get("end") is not None]

    # -- what an actor is

    def state(self, actor_id: str) -> str:
        """The id an event carries: the state a person or state body acts for, else the actor itself."""
        record = self.records.get(actor_id)
        if record is not None and record.kind != "state" and record.country:
            return record.country
        return actor_id

    def state_of_event(self, actor_id: str | None, source: str | None, *, qualifier: bool = False) -> str | None:
        """The state an event's side stands for: its own, or, for an actor the knowledge base does
        not know and the text gives no state (a court, a newspaper, "Darfur rebels"), the source's
        state, as CAMEO codes unknown domestic actors. A place named as such keeps its id (a town
        abroad is as likely as one at home); intergovernmental bodies stay themselves.
        ``qualifier``: the actor qualifies a group of people ("Darfur rebels"), not a place."""
        if actor_id is None:
            return None
        if self.kind(actor_id) == "state":
            return actor_id
        if self.kind(actor_id) == "location" and not qualifier:
            return actor_id
        if actor_id in self.unknown and source is not None and self.kind(source) == "state":
            return source
        return actor_id

    def kind(self, actor_id: str) -> str:
        record = self.records.get(actor_id)
        if record is not None:
            return record.kind
        if len(actor_id) == 3 and actor_id.isupper():
            return "state"
        prefix = actor_id.split(":", 1)[0]
        return {"person": "person", "group": "group", "location": "location"}.get(prefix, "organization")

    def rank(self, actor_id: str) -> int:
        """How much an actor says about the side it is on: a state (or someone acting for one) first,
        then an organisation, then a person or place whose state the text does not give."""
        state = self.state(actor_id)
        if self.kind(state) == "state":
            return 0
        return 1 if self.kind(state) in ("organization", "group") else 2

    def name_words(self, actor_id: str) -> set[str]:
        record = self.records.get(actor_id)
        name = record.name if record is not None else actor_id.split(":", 1)[-1].replace("-", " ")
        return {w.strip(".,()'\"").lower() for w in name.replace("-", " ").split()}

    def media(self, actor_id: str) -> bool:
        """A news outlet or a platform (by the words of its name): it reports events, it is no party."""
        return self.kind(actor_id) == "organization" and bool(self.name_words(actor_id) & _words("media_org"))

    def civilian(self, side: _Side) -> bool:
        """Someone who may protest though no political actor: a person or an organisation, not a
        place and not a news outlet."""
        return self.kind(side.actor) in ("person", "organization") and not self.media(side.actor)

    def political(self, side: _Side) -> bool:
        """A state, a government body, an office holder, an IGO, an armed group or a party."""
        kind = self.kind(side.actor)
        if kind in ("state", "group"):
            return True
        if side.form == "qualifier" and side.noun in _words("political_noun") | _words("armed_noun"):
            return True  # "Darfur rebels", "the government of Sindh province"
        if kind == "location":
            return False
        known = side.actor not in self.unknown
        if kind == "person":
            record = self.records.get(side.actor)
            if known or (record is not None and record.country):
                return True
            role = (record.role or "") if record is not None else ""
            role_words = {w.strip(".,").lower() for w in role.replace("-", " ").split()}
            # a title written before the name ("King Fahd", "General Aoun")
            role_words |= {c.lower_ for c in self.doc[side.token].children if c.dep_ in ("compound", "amod", "appos")}
            # "Arab League Secretary General Chadli Klibi": a person qualified by a political actor
            return bool(role_words & _words("political_role")) or side.state != side.actor
        if self.media(side.actor):
            return False
        if known:
            return True
        return bool(self.name_words(side.actor) & _words("political_org")) or side.state != side.actor \
            or side.actor in self.qualifies_political

    # -- finding the actor of a phrase

    def _token_side(self, tok: Token, *, avoid: str | None, pronouns: bool, level: str) -> _Side | None:
        mention = self.by_token.get(tok.i)
        if mention is not None:
            form, noun = "name", ""
            if tok.dep_ in ("amod", "compound", "poss", "nmod") and tok.head.i not in self.by_token \
                    and tok.head.pos_ in ("NOUN", "PROPN"):
                form, noun = "qualifier", tok.head.lemma_.lower()
            return _Side(mention.actor, self.state(mention.actor), tok.i, form, mention.how, noun, level=level,
                         confidence=mention.confidence)
        if pronouns and tok.pos_ == "PRON" and tok.dep_ != "det":
            found = self.pronoun(tok, avoid=avoid if tok.dep_ != "poss" else None)
            if found is not None and tok.dep_ == "poss" and avoid is not None and self.state(found) == avoid:
                # "urged Israel to withdraw its troops": "its" is Israel's own, no other actor
                found = None
            if found is not None:
                form = "speaker" if tok.lower_ in SPEAKER_PRONOUNS else "pronoun"
                return _Side(found, self.state(found), tok.i, form, "pronoun", level=level)
        return None

    def _ranked(self, found: list[_Side], avoid: str | None) -> list[_Side]:
        """Best first: a state, then an organisation or group, then the rest; ``avoid`` last."""
        return sorted(found, key=lambda s: self.rank(s.actor) + (3 if s.state == avoid else 0))

    def _search(self, roots: Iterable[Token], *, skip: int | None, avoid: str | None, pronouns: bool, level: str,
                deps: frozenset[str] | None, head_side: _Side | None = None) -> tuple[list[_Side], _Side | None]:
        """The actors named under ``roots`` (breadth first, only through ``deps`` when given, never
        into clauses), and the first state an adjective or a compound names."""
        found: list[_Side] = []
        adjectival: _Side | None = None
        queue = list(roots)
        while queue:
            tok = queue.pop(0)
            if tok.i != skip:
                side = self._token_side(tok, avoid=avoid, pronouns=pronouns, level=level)
                if side is not None and head_side is not None and side.actor == head_side.actor:
                    side = None  # the head's own name ("Tom" of "Tom King")
                if side is not None:
                    found.append(side)
                    if adjectival is None and tok.dep_ in ADJECTIVAL_DEPS and self.kind(side.state) == "state":
                        adjectival = side
            if deps is None:
                queue.extend(c for c in tok.children if c.dep_ not in CLAUSE_DEPS)
            elif tok.dep_ != "poss":
                queue.extend(c for c in tok.children if c.dep_ in deps)
            else:  # "Russia's ally Lukashenko": a possessor's own modifiers are no nationality
                queue.extend(c for c in tok.children if c.dep_ == "poss")
        return found, adjectival

    def phrase_sides(self, head: Token, *, skip: int | None = None, avoid: str | None = None,
                     pronouns: bool = True) -> list[_Side]:
        """Every actor a phrase headed by ``head`` names, the one it stands for first.

        The head's own actor, then its modifiers ("British Defence Secretary Tom King": Britain),
        then an apposition, then prepositional complements ("Doctors from two American aid
        groups"). Within a level a state beats an organisation and both beat a person or place
        with no known state. What the text says beats what the knowledge base or coreference
        guessed: a state an adjective or a compound gives ("Serbian President X") is the state the
        head acts for; a person or body with no known state acts for the state or body its
        modifiers or apposition name ("Arab League Secretary General Chadli Klibi"); "the
        president of Armenia" is Armenia's even when coreference took "the president" for someone
        else. Clauses inside the phrase are not searched. ``avoid`` is an actor a pronoun should not
        resolve to, and a state to pass over when another is named. An actor found below a common
        noun that names no actor itself qualifies it (``form`` "qualifier", ``noun`` its lemma).
        """
        head_side = None if head.i == skip else self._token_side(head, avoid=avoid, pronouns=pronouns, level="head")
        modifiers, adjectival = self._search([c for c in head.children if c.dep_ in MODIFIER_DEPS], skip=skip,
                                             avoid=avoid, pronouns=pronouns, level="modifier", deps=MODIFIER_DEPS,
                                             head_side=head_side)
        appositions, _ = self._search(_children(head, "appos"), skip=skip, avoid=avoid, pronouns=pronouns,
                                      level="apposition", deps=None, head_side=head_side)
        complements, _ = self._search(_children(head, "prep"), skip=skip, avoid=avoid, pronouns=pronouns,
                                      level="complement", deps=None, head_side=head_side)
        modifiers, appositions, complements = (self._ranked(x, avoid) for x in (modifiers, appositions, complements))
        if head.pos_ == "NOUN" and head_side is None:
            noun = head.lemma_.lower()
            appositions = [replace(x, form="qualifier", noun=noun) if x.form == "name" else x for x in appositions]
            complements = [replace(x, form="qualifier", noun=noun) if x.form == "name" else x for x in complements]
        ordered: list[_Side] = []
        if head_side is not None:
            primary = head_side
            kind = self.kind(head_side.actor)
            better = (modifiers or appositions)[0] if modifiers or appositions else None
            text_state = complements[0] if complements and self.kind(complements[0].state) == "state" else None
            if kind in ("person", "organization") and adjectival is not None and adjectival.state != avoid:
                primary = replace(head_side, state=adjectival.state)
            elif kind in ("person", "organization", "location") and better is not None and better.state != avoid \
                    and (self.rank(better.actor) < self.rank(head_side.actor)
                         or (head_side.found_by == "ner" and better.level == "modifier" and self.rank(better.actor) < 2)):
                # "the Bosnian town of Gorazde"; a person the knowledge base does not know acts for
                # the body its title names, whatever state the text around it suggested
                primary = replace(head_side, state=better.state)
            elif kind == "location" and text_state is not None and text_state.state != avoid:
                primary = replace(head_side, state=text_state.state)  # "Cizre in southeastern Turkey"
            elif head_side.found_by == "coref" and text_state is not None and text_state.state != head_side.state \
                    and text_state.state != avoid:
                primary = replace(text_state, level="head")  # "the president of Armenia"
            ordered.append(primary)
        for side in modifiers + appositions + complements:
            if all(side.actor != o.actor for o in ordered):
                ordered.append(side)
        return ordered

    def in_phrase(self, head: Token, *, skip: int | None = None, avoid: str | None = None,
                  pronouns: bool = True) -> _Side | None:
        """The actor a phrase stands for (the first of ``phrase_sides``), or None."""
        sides = self.phrase_sides(head, skip=skip, avoid=avoid, pronouns=pronouns)
        return sides[0] if sides else None

    @staticmethod
    def _phrase_head(tok: Token) -> Token:
        while tok.dep_ in ("compound", "flat", "amod", "nmod", "appos") and tok.head.i != tok.i:
            tok = tok.head
        return tok

    def pronoun(self, tok: Token, *, avoid: str | None = None) -> str | None:
        """The actor a pronoun refers to, or None."""
        word = tok.lower_
        if word in SPEAKER_PRONOUNS:
            for start, end, speaker, _direct in self.quotes:
                if start <= tok.idx < end and speaker:
                    return speaker
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
        if word == "it" and tok.dep_ in ("nsubj", "nsubjpass") and self._thing_subject(tok, floor):
            return None  # "Horowitz' report was released ... it does lambaste Comey": the report
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
                continuing = tok.dep_ in ("nsubj", "nsubjpass") and \
                    self._phrase_head(self.doc[first]).dep_ in ("nsubj", "nsubjpass")
                if word in ("it", "its") and not continuing and self._thing_between(first, tok):
                    return None  # "Clinton backed the deal, while Trump threatened to tear it up"
                if self.rank(state) > 0:  # "King Hassan of Morocco ... he": the state of the phrase
                    phrase = self.in_phrase(self._phrase_head(self.doc[first]), pronouns=False)
                    if phrase is not None and self.rank(phrase.state) < self.rank(state):
                        return phrase.state
                return mention.actor if self.kind(mention.actor) != "location" else state
            if fallback is None and word in ("they", "them", "their") and self.kind(mention.actor) != "location":
                fallback = mention.actor
        return fallback

    def _thing_subject(self, tok: Token, floor: int) -> bool:
        """The nearest subject before a subject "it" is a thing: a common noun that names no state,
        organisation or group, itself or through its modifiers."""
        for t in reversed(self.doc[floor:tok.i]):
            if t.dep_ not in ("nsubj", "nsubjpass"):
                continue
            if t.pos_ != "NOUN" or t.i in self.by_token:
                return False
            found, _ = self._search([c for c in t.children if c.dep_ in MODIFIER_DEPS], skip=None, avoid=None,
                                    pronouns=False, level="modifier", deps=MODIFIER_DEPS)
            return not any(self.kind(f.actor) in ("state", "organization", "group") for f in found)
        return False

    def _thing_between(self, first: int, tok: Token) -> bool:
        """A singular noun that names no actor, subject or object of another clause, stands between
        an actor mention and "it": the pronoun more likely refers to that thing (unless a subject
        "it" continues a subject actor: "Hungary held a vote. It then rejected...")."""
        own = _clause_verb(tok).i
        for t in self.doc[first + 1:tok.i]:
            if t.pos_ == "NOUN" and t.tag_ == "NN" and t.dep_ in ("dobj", "nsubj", "nsubjpass", "attr") \
                    and t.i not in self.by_token and _clause_verb(t).i != own \
                    and not (t.lemma_.lower() in _words("political_noun") and t.left_edge.i <= first):
                # "Iraq's government announced that it...": the government is the actor's own phrase
                return True
        return False

    def claim(self, char: int) -> tuple[bool, str | None, bool]:
        """(inside a quote, its speaker's actor id, a direct quote) for a character offset."""
        for start, end, speaker, direct in self.quotes:
            if start <= char < end:
                return True, speaker, direct
        return False, None, False


# ---------------------------------------------------------------------------------------------
# The parse


def _children(tok: Token, *deps: str) -> list[Token]:
    return [c for c in tok.children if c.dep_ in deps]


def _objects(verb: Token, particle: str | None) -> list[Token]:
    """Heads of what a verb acts on: direct object, passive subject, the particle's object, the
    noun a participle modifies."""
    heads = _children(verb, "dobj", "nsubjpass", "attr", "oprd") + _participle_head(verb)
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


def _object_heads(verb: Token, particle: str | None) -> list[Token]:
    """What a verb acts on, as ``_objects`` finds it, without the compounds and ``of`` complements
    ("abused immigrants" has no object "rights" in "a human rights organization charged")."""
    heads = _children(verb, "dobj", "nsubjpass", "attr", "oprd") + _participle_head(verb)
    if particle:
        for prep in _children(verb, "prep", "prt"):
            if prep.lower_ == particle.split()[-1]:
                heads.extend(_children(prep, "pobj"))
    else:
        for prep in _children(verb, "prep"):
            if prep.lower_ in ("to", "on", "for"):
                heads.extend(_children(prep, "pobj"))
    return heads + [c for h in heads for c in _children(h, "conj")]


def _participle_head(verb: Token) -> list[Token]:
    """The noun a past participle modifies is what it acts on ("the abuses committed by X")."""
    if verb.dep_ == "acl" and verb.tag_ == "VBN" and verb.head.pos_ in ("NOUN", "PROPN"):
        return [verb.head]
    return []


def _has_particle(verb: Token, particle: str) -> bool:
    words = particle.split()
    kids = {c.lower_ for c in verb.children if c.dep_ in ("prt", "prep", "advmod", "dobj", "acomp")}
    return all(w in kids for w in words)


def _verb_entry(verb: Token) -> LexiconEntry | None:
    entries = load_lexicon().get(("verb", verb.lemma_.lower()))
    if not entries:
        return None
    for entry in entries:
        if entry.particle and not _has_particle(verb, entry.particle):
            continue
        if entry.objects is not None:
            lemmas = {t.lemma_.lower() for t in _objects(verb, entry.particle)}
            if not lemmas & entry.objects:
                continue
        return entry
    return None


def _modifier_lemmas(tok: Token) -> set[str]:
    return {c.lemma_.lower() for c in tok.children if c.dep_ in ("compound", "amod", "nmod", "poss")} | \
           {c.lower_ for c in tok.children if c.dep_ in ("compound", "amod", "nmod", "poss")}


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
        if entry.context and not _modifier_lemmas(noun) & _words(entry.context):
            continue
        return entry
    return None


def _subject(verb: Token) -> tuple[Token | None, bool, bool]:
    """The subject token of a verb, whether the verb is passive, and whether the subject was found
    on a governing verb (control and conjunction) rather than on the verb itself."""
    tok = verb
    climbed = False
    for _ in range(8):
        for child in tok.children:
            if child.dep_ in ("nsubj", "csubj"):
                # "ISIS has been all but evicted": a passive auxiliary makes the subject a patient
                return child, any(c.dep_ == "auxpass" for c in tok.children), climbed
            if child.dep_ == "nsubjpass":
                return child, True, climbed
        if tok.dep_ in ("relcl", "acl") and tok.head.pos_ in ("NOUN", "PROPN", "PRON"):
            return tok.head, tok.dep_ == "acl" and tok.tag_ == "VBN", True
        if tok.dep_ == "xcomp" and tok.head.i != tok.i and tok.head.pos_ == "VERB" \
                and tok.head.lemma_.lower() in _words("object_control"):
            objects = _children(tok.head, "dobj")
            if objects:  # "persuade Germany to pull out": Germany pulls out, not the persuader
                return objects[0], False, True
        if tok.dep_ in ("xcomp", "conj", "advcl", "pcomp") and tok.head.i != tok.i:
            tok = tok.head
            climbed = True
            if tok.pos_ in ("ADJ",) and tok.dep_ == "acomp":  # "is willing to send"
                tok = tok.head
            continue
        break
    return None, False, climbed


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


def _negating_noun(verb: Token) -> bool:
    """An action in the clause of a noun that "no" negates: "there is no way Iran will disarm",
    "has no intention of attacking" (``negating_noun``; "no doubt" is not one)."""
    cur = verb
    if cur.dep_ == "pcomp" and cur.head.dep_ == "prep" and cur.head.head.i != cur.head.i:
        cur = cur.head  # "no intention of attacking"
    if cur.dep_ not in ("relcl", "acl", "ccomp", "xcomp", "prep") or cur.head.i == cur.i:
        return False
    head = cur.head
    return head.pos_ == "NOUN" and head.lemma_.lower() in _words("negating_noun") and \
        any(c.dep_ == "det" and c.lower_ == "no" for c in head.children)


def _speculative(verb: Token) -> bool:
    """An action forecast, by no one in particular: "is likely to visit", "are expected to
    continue" (``speculation``, an adjective or a passive): hypothetical, and no intent."""
    if verb.dep_ != "xcomp" or verb.head.i == verb.i:
        return False
    head = verb.head
    if head.lemma_.lower() not in _words("speculation") and head.lower_ not in _words("speculation"):
        return False
    return head.pos_ == "ADJ" or any(c.dep_ == "auxpass" for c in head.children) or head.tag_ == "VBN"


def _governing_verb(tok: Token, *, direct: bool = False) -> Token | None:
    """The verb a noun hangs from ("erupted" for "threats" in "erupted with threats"). ``direct``:
    only when no other noun stands between them ("imposed a blackout on the withdrawal" is no
    withdrawal by whoever imposed the blackout)."""
    cur = tok
    for _ in range(6):
        if cur.dep_ in ("ROOT",) or cur.head.i == cur.i:
            return None
        if cur.dep_ not in ("dobj", "pobj", "prep", "attr", "nsubj", "nsubjpass", "conj", "appos", "oprd"):
            return None
        through = cur.dep_
        cur = cur.head
        if cur.pos_ in ("VERB", "AUX"):
            return cur
        if direct and cur.pos_ in ("NOUN", "PROPN") and through not in ("conj", "appos"):
            return None
    return None


def _clause_verb(tok: Token) -> Token:
    return tok if tok.pos_ in ("VERB", "AUX") else (_governing_verb(tok) or tok)


def _modals(verb: Token) -> set[str]:
    """The auxiliaries of a verb and of the verbs whose infinitive it is ("would not hesitate to
    use force": "would" governs "use" too)."""
    found = {c.lower_ for c in verb.children if c.dep_ == "aux"}
    cur = verb
    for _ in range(2):
        if cur.dep_ != "xcomp" or cur.head.i == cur.i:
            break
        cur = cur.head
        found |= {c.lower_ for c in cur.children if c.dep_ == "aux"}
    return found


def _conditional(tok: Token, marks: tuple[str, ...] = ("if", "unless", "whether", "until")) -> bool:
    return tok.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in marks for c in tok.children)


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
        if cur.head.i == cur.i:
            break
        cur = cur.head
    return False


def _intent_head(verb: Token) -> Token | None:
    """The word that makes an infinitive an intended action: "willing" in "is willing to withdraw"."""
    if verb.dep_ != "xcomp" or verb.head.i == verb.i:
        return None
    head = verb.head
    if head.lemma_.lower() in _words("intent") or head.lower_ in _words("intent"):
        return head
    if head.lemma_.lower() == "go" and head.tag_ == "VBG":  # "is going to"
        return head
    return None


def _intended(verb: Token) -> bool:
    """A future or intended action: "will send", "is willing to withdraw", "plans to impose"."""
    if verb.pos_ not in ("VERB", "AUX"):
        return False
    return bool(_modals(verb) & FUTURE_AUX) or _intent_head(verb) is not None


def _embedding(tok: Token) -> Token | None:
    """The verb an action is the complement of ("threaten" for "attack" in "threatened to attack")."""
    if tok.head.i == tok.i or tok.head.pos_ not in ("VERB", "AUX", "ADJ"):
        return None
    if tok.dep_ in ("xcomp", "ccomp") or (tok.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ == "for"
                                                                      for m in tok.children)):
        return tok.head
    return None


def _framing(tok: Token) -> Token | None:
    """The frame verb (threaten, promise, demand, plan...) an action is embedded under, if any."""
    head = _embedding(tok)
    if head is None:
        return None
    lemma = head.lemma_.lower()
    if lemma in _words("hypothetical"):
        return head
    entry = _verb_entry(head) if head.pos_ == "VERB" else None
    return head if entry is not None and entry.role == "frame" else None


def _refused(tok: Token) -> Token | None:
    """The verb of refusal or denial an action is embedded under ("declined" in "declined to
    threaten", "denied" in "denied that its troops had attacked")."""
    verb = _clause_verb(tok)
    for cur in (verb, _embedding(verb)):
        if cur is None:
            continue
        head = _embedding(cur)
        if head is not None and head.lemma_.lower() in _words("refusal"):
            return head
        if head is not None and cur.dep_ == "ccomp" and head.lemma_.lower() in _words("denial"):
            return head
    return None


def _sentence(doc: Doc, sent: Span) -> tuple[int, int]:
    start, end = sent.start_char, sent.end_char
    text = doc_text(doc)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _depth(tok: Token) -> int:
    n = 0
    while tok.head.i != tok.i and n < 50:
        tok, n = tok.head, n + 1
    return n


# ---------------------------------------------------------------------------------------------
# Figurative uses and the material sense of ASSAULT


def _figurative(cue: Token, kind: str, particle: str | None) -> str | None:
    """The action of the first figurative row whose context the cue has: "-" (no event) or a type."""
    rows = load_figurative().get((kind, cue.lemma_.lower()))
    if not rows:
        return None
    for row in rows:
        if row.particle != particle:  # "call off" is a cue of its own: the rows of "call" are not its
            continue
        context = _context_words(cue, kind, row.relation, row.particle)
        if context and (row.words is None or context & row.words):
            return row.action
    return None


def _context_words(cue: Token, kind: str, relation: str, particle: str | None) -> set[str]:
    """The lemmas standing in ``relation`` to the cue (see plover_figurative.tsv)."""
    def lemmas(tokens: Iterable[Token]) -> set[str]:
        return {t.lemma_.lower() for t in tokens} | {t.lower_ for t in tokens}

    if relation == "obj":
        if kind == "verb":
            heads = _object_heads(cue, particle)
            # "one salient bit of counsel": a quantity's "of" complement is what is acted on
            heads += [o for h in heads if h.lemma_.lower() in _words("quantity") for p in _children(h, "prep")
                      if p.lower_ == "of" for o in _children(p, "pobj")]
            return lemmas(heads)
        return lemmas(o for p in _children(cue, "prep") if p.lower_ == "of" for o in _children(p, "pobj"))
    if relation == "obj_mod":
        heads = _object_heads(cue, particle) if kind == "verb" else [cue]
        return {w for h in heads for w in _modifier_lemmas(h)}
    if relation == "mod":
        return _modifier_lemmas(cue)
    if relation.startswith("prep:"):
        word = relation.split(":", 1)[1]
        if word == "that":
            return {"that"} if any(c.dep_ == "mark" and c.lower_ == "that" for k in _children(cue, "ccomp")
                                   for c in k.children) else set()
        found = [o for p in _children(cue, "prep", "dative", "prt") if p.lower_ == word
                 for o in _children(p, "pobj", "pcomp")]
        if not found and any(p.lower_ == word and not list(p.children) for p in _children(cue, "prep", "prt", "advmod")):
            return {"*"}
        return lemmas(found)
    if relation == "prt":
        return lemmas(_children(cue, "prt")) | lemmas(p for p in _children(cue, "prep", "advmod") if not list(p.children))
    if relation == "gov":
        if kind == "noun" and cue.dep_ in ("dobj", "attr", "nsubjpass", "oprd") and cue.head.i != cue.i:
            return lemmas([cue.head])
        return set()
    if relation == "oprd":
        return {"*"} if _children(cue, "oprd") or any(c.dep_ == "ccomp" and c.pos_ in ("ADJ", "NOUN") for c in cue.children) else set()
    return set()


#: auxiliaries of a stated fact, not of a demand ("has expanded", "was", "did")
INDICATIVE_AUX = frozenset({"has", "have", "had", "is", "are", "was", "were", "did", "does", "do", "'s", "'re", "'ve"})
DEMAND_AUX = frozenset({"must", "should", "need", "ought", "shall", "would", "will"})


WH_WORDS = frozenset({"whether", "if", "how", "what", "why", "who", "whom", "which", "when", "where"})


def _question(verb: Token) -> bool:
    """A verb of asking whose complement is a question ("asked whether...", "asked how Gillum
    would fund...", "asked who he was"), with no infinitive of what is asked for."""
    if _children(verb, "xcomp") or any(c.dep_ == "advcl" and _children(c, "aux") for c in verb.children):
        return False
    return any(any(c.lower_ in WH_WORDS and c.dep_ in ("mark", "advmod", "nsubj", "dobj", "attr") and c.i < clause.i
                   for c in clause.children)
               for clause in _children(verb, "ccomp"))


def _asserts(verb: Token) -> bool:
    """A verb of saying whose complement clause states a fact ("insisted that he has expanded the
    party", "insists the deal is good") rather than an action wanted ("insisted that Israel
    withdraw", "insists the talks must resume", "insisted on its demands")."""
    clauses = _children(verb, "ccomp")
    if not clauses or _children(verb, "xcomp", "dobj") or any(p.lower_ == "on" for p in _children(verb, "prep")):
        return False  # "demanded the withdrawal", "insisted on", "insisted to": what is wanted is named
    for clause in clauses:
        aux = {c.lower_ for c in clause.children if c.dep_ in ("aux", "auxpass")}
        if aux & DEMAND_AUX or (clause.tag_ == "VB" and not aux & INDICATIVE_AUX):
            return False  # "must resume", "that Israel withdraw" (a subjunctive)
        if not (aux & INDICATIVE_AUX or clause.tag_ in ("VBD", "VBZ")):
            return False  # "that the United States match...": a plural present may be a subjunctive
    return True


def _naming(verb: Token) -> bool:
    """A naming verb that names its object as something ("called Yanukovych, a former director,
    an outstanding leader", "called his actions a crucial step", "called her an Aunt Tom"): a
    second noun phrase beside the object, however the parser hung it."""
    if verb.lemma_.lower() not in _words("naming_verb"):
        return False
    objects = _children(verb, "dobj")
    if not objects:
        return False
    if _children(verb, "oprd", "npadvmod") or any(c.dep_ == "ccomp" and c.pos_ in ("NOUN", "ADJ") for c in verb.children):
        return True
    # "called Mr. Yanukovych, ..., an outstanding leader": an indefinite apposition names
    return any(any(d.dep_ == "det" and d.lower_ in ("a", "an") for d in a.children)
               for o in objects for a in _children(o, "appos") for a in [a, *_children(a, "appos")])


def _clause_lemmas(cue: Token) -> set[str]:
    """The lemmas of the clause an event's cue stands in (the sentence, for a noun cue's verb)."""
    return {t.lemma_.lower() for t in cue.sent}


def _material(cue: Token, source_tok: Token | None, target_tok: Token | None, source: _Side,
              target: _Side | None, actors: _Actors) -> str:
    """How material an ASSAULT reads: "strong" (an armed attacker, a weapon, a physical target or
    casualties), "verbal" (said somewhere, with none of those), "weak" (a state or armed group
    attacking another, nothing more) or "none"."""
    words = _clause_lemmas(cue)
    attacker = {source.noun} if source.noun else set()
    if source_tok is not None:
        attacker |= {source_tok.lemma_.lower()} | {t.lemma_.lower() for t in source_tok.subtree}
    if attacker & _words("military_noun") or actors.kind(source.actor) == "group":
        return "strong"
    if words & _words("weapon") or words & _words("casualty"):
        return "strong"
    hit: set[str] = set()
    if target_tok is not None:
        hit = {target_tok.lemma_.lower()} | {t.lemma_.lower() for t in target_tok.subtree}
    if target is not None and target.noun:
        hit.add(target.noun)
    for obj in _objects(cue, None) if cue.pos_ == "VERB" else [o for p in _children(cue, "prep")
                                                              for o in _children(p, "pobj")]:
        hit |= {obj.lemma_.lower()}
    if hit & _words("physical_target"):
        return "strong"
    if target is not None and actors.kind(target.actor) == "location" and actors.kind(source.actor) in ("state", "group"):
        return "strong"  # "Israel struck Gaza"; not "Cruz captured Texas" (a primary won)
    if words & _words("verbal_marker"):
        return "verbal"
    if actors.kind(source.state) in ("state", "group") and source.form == "name" and target is not None \
            and actors.kind(target.state) in ("state", "group"):
        return "weak"
    return "none"


# ---------------------------------------------------------------------------------------------
# Finding events


@dataclass
class _Event:
    type: str
    source: _Side
    target: _Side | None
    cue: Token
    kind: str  # "verb", "noun", "obligation"
    negated: bool
    hypothetical: bool
    notes: set[str] = field(default_factory=set)  # readable flags for the confidence features


def _target_candidates(actors: _Actors, heads: Iterable[Token], *, skip: int | None, avoid: str | None,
                       how: str) -> list[_Side]:
    """The actors named in ``heads``, in order, each phrase's best first; when no phrase names one,
    the clauses inside the phrases are searched too ("aid to refugees fleeing the war in Liberia")."""
    heads = list(heads)
    out: list[_Side] = []
    for head in heads:
        out.extend(replace(found, how=how) for found in actors.phrase_sides(head, skip=skip, avoid=avoid))
    if not out:
        for head in heads:
            for tok in _subtree_without(head, ("relcl",)):
                mention = actors.by_token.get(tok.i)
                if mention is not None and tok.i != skip:
                    side = actors._token_side(tok, avoid=avoid, pronouns=False, level="subtree")
                    if side is not None:
                        noun = side.noun or (head.lemma_.lower() if head.pos_ == "NOUN" else "")
                        out.append(replace(side, how=how, noun=noun))
    return out


def _subtree_without(head: Token, deps: tuple[str, ...]) -> list[Token]:
    """The tokens under ``head``, those under a child of one of ``deps`` left out."""
    out: list[Token] = []
    stack = [head]
    while stack:
        tok = stack.pop()
        out.append(tok)
        stack.extend(c for c in tok.children if c.dep_ not in deps)
    return sorted(out, key=lambda t: t.i)


def _verb_targets(verb: Token, particle: str | None = None) -> list[tuple[Token, str]]:
    """Where a verb's target can be, best first, with the name of the place: "prep_reason" for
    the reason of praise or blame ("blamed X for killing Y": Y is no target of the blame),
    "prep_against" for what an action is aimed at."""
    heads = [(t, "dative") for t in _children(verb, "dative") if t.pos_ != "ADP"]
    heads += [(t, "object") for t in _children(verb, "dobj")]
    strong: list[tuple[Token, str]] = []
    weak: list[tuple[Token, str]] = []
    for prep in _children(verb, "prep", "dative"):
        if prep.lower_ in TARGET_PREPS:
            own = prep.lower_ in (particle or "").split()[-1:]  # "call for": the cue's own preposition
            how = "prep_reason" if prep.lower_ in REASON_PREPS and not own else \
                "prep_against" if prep.lower_ in ("against", "at") else "prep"
            strong.extend((t, how) for t in _children(prep, "pobj", "pcomp"))
        elif prep.lower_ in WEAK_TARGET_PREPS:
            weak.extend((t, "prep_in") for t in _children(prep, "pobj"))
    for prt in _children(verb, "prt"):  # "hand over to Great Britain"
        for prep in _children(prt, "prep"):
            strong.extend((t, "prep") for t in _children(prep, "pobj"))
    for obj in _children(verb, "dobj"):
        for prep in _children(obj, "prep"):
            if prep.lower_ in TARGET_PREPS or prep.lower_ in WEAK_TARGET_PREPS:
                weak.extend((t, "object_prep") for t in _children(prep, "pobj"))
    # "allowed candidate Ouattara to participate": the subject of an infinitive complement
    clause = [(s, "clause") for c in _children(verb, "ccomp", "xcomp")
              if any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)
              for s in _children(c, "nsubj")]
    return heads + clause + strong + weak


def _candidates(actors: _Actors, places: Iterable[tuple[Token, str]], *, skip: int | None,
                avoid: str | None) -> list[_Side]:
    out: list[_Side] = []
    for tok, how in places:
        out.extend(_target_candidates(actors, [tok], skip=skip, avoid=avoid, how=how))
    return out


def _addressees(verb: Token, entry: LexiconEntry) -> list[Token]:
    """Whom a verb of asking or warning addresses: its dative or direct object, or the object of
    its particle ("called on the international community")."""
    if entry.lemma not in _words("addressing"):
        return []  # "offered concessions", "requested an inquiry": the object is the thing, not a person
    heads = _children(verb, "dative", "dobj")
    if entry.particle:
        heads += [o for p in _children(verb, "prep", "prt") if p.lower_ == entry.particle.split()[-1]
                  for o in _children(p, "pobj")]
    return [h for h in heads if h.pos_ in ("NOUN", "PROPN", "PRON")]


def _clause_has_cue(clause: Token) -> bool:
    """Whether a clause holds an action the lexicon knows (a verb or noun cue)."""
    lexicon = load_lexicon()
    return any((("verb" if t.pos_ == "VERB" else "noun"), t.lemma_.lower()) in lexicon
               for t in clause.subtree if t.pos_ in ("VERB", "NOUN"))


def _embedded(verb: Token) -> list[Token]:
    """A verb's complement clauses, "for X to do" ones included ("pushing hard for the US to support")."""
    return _children(verb, "xcomp", "ccomp") + [c for c in _children(verb, "advcl")
                                                if any(m.dep_ == "mark" and m.lower_ == "for" for m in c.children)]


def _source_in(actors: _Actors, tok: Token) -> _Side | None:
    """The actor a subject phrase stands for: the first political one it names, else the first.

    A subject the parser made a clause ("The Red Cross operating in Iraq said", with "Cross" the
    subject of "operating") stands for its own subject, not for a place its clause names."""
    if tok.pos_ in ("VERB", "AUX"):
        inner = _children(tok, "nsubj")
        if inner:
            tok = inner[0]
    sides = actors.phrase_sides(tok)
    return next((s for s in sides if actors.political(s)), sides[0] if sides else None)


def _controller(verb: Token) -> Token | None:
    """The object that controls a gerund complement: "blamed the MEK for killing" (the MEK killed),
    "accused Iraq of stealing", "praised India for helping"."""
    while verb.dep_ == "conj" and verb.head.i != verb.i:  # "for killing X, bombing Y and killing Z"
        verb = verb.head
    if verb.dep_ != "pcomp" or verb.head.dep_ != "prep" or verb.head.lower_ not in ("of", "for", "over") \
            or verb.head.head.pos_ != "VERB":
        return None
    judging = _verb_entry(verb.head.head)
    if judging is None or judging.type not in VERBAL:
        return None  # "released prisoners after signing the accord": Israel signed it
    objects = _children(verb.head.head, "dobj")
    return objects[0] if objects else None


def _participle(verb: Token) -> bool:
    """A past participle with no subject of its own ("When asked, Smith said"): passive, its
    governing subject is the one acted on."""
    return verb.tag_ == "VBN" and verb.dep_ in ("advcl", "acl") and not _children(verb, "nsubj", "nsubjpass", "aux")


def _verb_source(verb: Token, actors: _Actors) -> tuple[_Side, Token] | None:
    controller = _controller(verb)
    if controller is not None:
        side = _source_in(actors, controller)
        return (replace(side, how="object_control"), controller) if side is not None else None
    subject, passive, climbed = _subject(verb)
    passive = passive or _participle(verb)
    agent = _agent(verb)
    if passive:
        if agent is None:
            return None
        tok, how = agent, "agent"
    elif subject is None:
        return None
    else:
        tok, how = subject, ("governing_subject" if climbed else "subject")
    side = _source_in(actors, tok)
    if side is None:
        return None
    return replace(side, how=how), tok


def _inner_targets(verb: Token, actors: _Actors, source: _Side) -> list[_Side]:
    """Targets from a frame verb's complement clause: its subject, then its own targets, then
    those of the infinitives it governs in turn ("prepared to resume shelling the territory")."""
    out: list[_Side] = []
    clauses = _embedded(verb)
    clauses += [x for c in clauses for x in _children(c, "xcomp")]
    for clause in clauses:
        inner_subject = [c for c in clause.children if c.dep_ in SUBJECT_DEPS]
        subj = _target_candidates(actors, inner_subject, skip=source.token, avoid=source.state, how="clause")
        objs = _candidates(actors, _verb_targets(clause), skip=source.token, avoid=source.state)
        # the clause's object, dative and plain prepositions name whom the action is aimed at; its
        # locatives and the rest are weaker ("clause_weak")
        objs = [replace(s, how="clause" if s.how in ("object", "dative", "prep", "clause") else "clause_weak")
                for s in objs]
        if subj and subj[0].state == source.state and objs:
            out.extend(objs + subj)
        else:
            out.extend(subj + objs)
    return out


def _verb_event(verb: Token, entry: LexiconEntry, actors: _Actors) -> _Event | None:
    found = _verb_source(verb, actors)
    if found is None:
        return None
    source, source_tok = found
    subject, passive, _climbed = _subject(verb)
    candidates: list[_Side] = []
    if passive and subject is not None:
        candidates += _target_candidates(actors, [subject], skip=source.token, avoid=source.state,
                                         how="passive_subject")
    candidates += _candidates(actors, _verb_targets(verb, entry.particle), skip=source.token, avoid=source.state)
    type_ = entry.type
    notes: set[str] = set()
    if entry.lemma == "welcome" and type_ == "SUPPORT" and any(
            actors.kind(m.actor) == "person" for o in _children(verb, "dobj") if (m := actors.by_token.get(o.i))):
        type_ = "CONSULT"  # "welcomed Putin": a visit
    if entry.role == "frame":
        inner = _inner_targets(verb, actors, source)
        if entry.lemma in INTENT_FRAMES:
            decided = False
            for clause in _embedded(verb):
                inner_entry = _verb_entry(clause) if clause.pos_ == "VERB" else None
                if inner_entry is not None and inner_entry.role != "frame":
                    action = _figurative(clause, "verb", inner_entry.particle)
                    if action == "-":
                        return None  # "vowed to fight the virus": no threat to anyone
                    inner_type = action or inner_entry.type
                    type_ = "AGREE" if inner_type in COOPERATIVE else "THREATEN"
                    decided = True
                    break
            clauses = _embedded(verb)
            if not decided and any(c.lemma_.lower() in _words("retaliation") for c in clauses):
                type_ = "THREATEN"  # "pledged to match US tariffs shot for shot": an answer in kind
                notes.add("retaliation")
            elif not decided and clauses and not _children(verb, "dobj", "dative") \
                    and not any(_clause_has_cue(c) for c in clauses):
                # "vowed that Bolivia is closer than ever to the sea", "promised to make the country
                # great": the content names no action the lexicon knows; neither agreement nor threat
                return None
        if entry.lemma in _words("denial"):
            # "Calzadilla denied that Morales, one of Latin America's presidents, was using the
            # issue as a crutch": whom the denied claim is about (the clause's subject, and all
            # that describes it) is defended, not answered; the clause's objects may be
            # ("denied that its troops had attacked Iraqi villages")
            about = {t.i for c in _embedded(verb) for s in c.children if s.dep_ in SUBJECT_DEPS for t in s.subtree}
            inner = [c for c in inner if c.token not in about]
        if entry.lemma in _words("refusal"):
            # refusing a cooperative action rejects it; refusing a hostile one is no event of its own
            for clause in _embedded(verb):
                inner_entry = _verb_entry(clause) if clause.pos_ == "VERB" else None
                if inner_entry is not None and inner_entry.type not in COOPERATIVE:
                    return None
            said = [c for c in _embedded(verb) if c.lemma_.lower() in _words("speech_only")]
            if said and len(said) == len(_embedded(verb)):
                return None  # "declined to comment on Trump's appearance": keeping silent rejects no one
            if not any(c.lemma_.lower() in _words("speech_refusal") for c in _embedded(verb)):
                notes.add("refusal")
            if not any(_verb_entry(c) is not None for c in _embedded(verb) if c.pos_ == "VERB"):
                # "refused to attend talks with Ukraine" is a rejection of Ukraine; "refused to bring
                # up the allegations at the hearings" names no one rejected
                inner = [c for c in inner if c.how == "clause"]
        addressees = _addressees(verb, entry)
        if addressees and not _target_candidates(actors, addressees, skip=source.token, avoid=source.state,
                                                 how="object"):
            # "urged the department to process the Clinton emails": the one urged is named, and is
            # no actor; whom the clause mentions is not the addressee
            inner = []
        if type_ == "REQUEST" and _question(verb):
            return None  # "Tapper asked whether Republicans would hold the House": a question, not a request
        if type_ == "REQUEST" and entry.lemma in SAY_VERBS and _asserts(verb):
            return None  # "insisted that he has expanded the party": a claim, not a demand
        if entry.lemma in ("warn", "agree") and not candidates and not any(
                _clause_has_cue(c) for c in _embedded(verb)) and not _children(verb, "prep", "dative"):
            # "warned that the deal was a mistake", "agreed that a president should not": an opinion,
            # neither a threat nor a commitment
            return None
        if inner and (not candidates or not _children(verb, "dative", "dobj")):
            candidates = inner + candidates
    appeal = entry.lemma in _words("appeal") and type_ == "SUPPORT" and "would" in _modals(verb)
    if appeal:
        type_ = "REQUEST"  # "would welcome help from Russia": an appeal, neither agreement nor support
        notes.add("appeal")
    speculative = _speculative(verb)
    framed = _framing(verb)
    # intent, as CAMEO codes it: "will send aid", "is willing to withdraw", "plans to impose
    # sanctions", "would consider lifting them"; not an action a threat, a promise or a demand
    # frames (those are events of their own)
    intent_frame = framed is not None and framed.lemma_.lower() in _words("intent_frame")
    intent = entry.role != "frame" and not appeal and not speculative and \
        ((framed is None and _intended(verb)) or intent_frame)
    negated = _is_negated(verb) or _negating_noun(verb)
    if _refused(verb) is not None:
        negated = True
        notes.add("refused")
    if intent:
        notes.add("intent")
        ultimatum = any(_conditional(c, ("unless",)) for c in verb.children)
        if negated and type_ in COOPERATIVE and _modals(verb) & FUTURE_AUX:
            type_, negated = "REJECT", False  # "will not accept": a refusal announced
            notes.add("refusal")
        elif ultimatum:
            type_ = "THREATEN"  # "will withdraw its force unless...": an ultimatum
        elif type_ == "REJECT" and not negated and entry.lemma in _words("threat_reject"):
            type_ = "THREATEN"  # "would boycott all contact with the United States": a threat to cut relations
        elif type_ in COOPERATIVE:
            type_ = "AGREE"
        elif type_ in HOSTILE:
            type_ = "THREATEN"
    refusal = framed is not None and framed.lemma_.lower() in _words("refusal")
    embedding = _embedding(verb)
    controlled = embedding is not None and embedding.lemma_.lower() in _words("object_control") \
        and bool(_children(embedding, "dobj"))  # "persuade Germany to pull out": wanted, not done
    hypothetical = _hypothetical(verb, frame=entry.role == "frame") or (framed is not None and not refusal) or \
        controlled or \
        _intent_head(verb) is not None or _in_purpose(verb) or _noun_framed(verb) or _controller(verb) is not None \
        or speculative  # "pledged to match US tariffs shot for shot": the pledge, a threat, was made
    if appeal:
        hypothetical = any(_conditional(c) for c in verb.children)  # the appeal is made now
    event = _Event(type_, source, None, verb, "verb", negated, hypothetical, notes)
    return _settle(event, entry, candidates, actors, source_tok, subject if passive else None)


def _noun_event(noun: Token, entry: LexiconEntry, actors: _Actors) -> _Event | None:
    source: _Side | None = None
    source_tok: Token | None = None
    of_objects = [o for p in _children(noun, "prep") if p.lower_ == "of" for o in _children(p, "pobj")]
    for child in _children(noun, "poss", "compound", "amod", "nmod"):
        source = _source_in(actors, child)
        if source is not None:
            source, source_tok = replace(source, how="possessor" if child.dep_ == "poss" else "modifier"), child
            break
    if source is None and entry.role == "of=agent":
        for obj in of_objects:
            source = _source_in(actors, obj)
            if source is not None:
                source, source_tok = replace(source, how="of"), obj
                break
    if source is None and entry.role == "of=theme":
        # the owner of what is deployed or withdrawn: "of U.S. missile defense", "of its troops";
        # not "air links with Serbia", which is where it goes
        for obj in of_objects:
            for child in [obj, *_children(obj, "poss", "compound", "amod", "nmod")]:
                found = actors.in_phrase(child) if child is not obj else actors._token_side(
                    obj, avoid=None, pronouns=True, level="head")
                if found is not None:
                    source, source_tok = replace(found, how="of"), child
                    break
            if source is not None:
                break
    verb = _governing_verb(noun)
    if source is None and verb is not None and _governing_verb(noun, direct=True) == verb \
            and verb.lemma_.lower() not in _words("receiving"):  # "it will receive support": not its own
        subject, passive, _climbed = _subject(verb)
        if subject is not None and not passive and subject.i != noun.i:
            source = _source_in(actors, subject)
            if source is not None:
                source, source_tok = replace(source, how="governing_subject"), subject
    if source is None:
        return None
    skip, avoid = source.token, source.state
    candidates: list[_Side] = []
    if entry.role == "of=patient":
        candidates += _target_candidates(actors, of_objects, skip=skip, avoid=avoid, how="of")
    if entry.role == "of=theme":
        candidates += _target_candidates(actors, [o for obj in of_objects for p in _children(obj, "prep")
                                                  if p.lower_ in TARGET_PREPS for o in _children(p, "pobj")],
                                         skip=skip, avoid=avoid, how="prep")
    preps = _children(noun, "prep")
    candidates += _target_candidates(actors, [o for p in preps if p.lower_ in TARGET_PREPS for o in _children(p, "pobj")],
                                     skip=skip, avoid=avoid, how="prep")
    for clause in _children(noun, "acl", "relcl", "ccomp"):  # "threats to unleash fire and fury on it"
        inner_subject = [c for c in clause.children if c.dep_ in SUBJECT_DEPS and clause.dep_ != "relcl"]
        candidates += _target_candidates(actors, inner_subject, skip=skip, avoid=avoid, how="clause")
        candidates += [replace(s, how="clause") for s in _candidates(actors, _verb_targets(clause), skip=skip,
                                                                    avoid=avoid)]
    if verb is not None and noun.dep_ == "dobj" and entry.type in FRAME_NOUN_TYPES:
        # "reiterated its demand today that Israel ease restrictions": the content clause of the
        # noun, which the parser hung on the verb
        for clause in _children(verb, "ccomp"):
            inner_subject = [c for c in clause.children if c.dep_ in SUBJECT_DEPS]
            candidates += _target_candidates(actors, inner_subject, skip=skip, avoid=avoid, how="clause")
    if verb is not None:
        # A prepositional phrase after the noun phrase that the parser hung on the verb:
        # "dislike the deployment of U.S. missile defense (THAAD) to South Korea"; "issued a
        # reminder Saturday to Iraq".
        after = noun.right_edge.i + 1
        candidates += _target_candidates(actors, [o for p in _children(verb, "prep")
                                                  if after <= p.i <= after + 3 and p.lower_ in TARGET_PREPS
                                                  for o in _children(p, "pobj")],
                                         skip=skip, avoid=avoid, how="prep")
    candidates += _target_candidates(actors, [o for p in preps if p.lower_ in WEAK_TARGET_PREPS
                                              for o in _children(p, "pobj")], skip=skip, avoid=avoid, how="prep_in")
    type_ = entry.type
    notes: set[str] = set()
    negated = _is_negated(noun) or (verb is not None and _is_negated(verb))
    if verb is not None and _refused(verb) is not None:
        negated = True
        notes.add("refused")
    framing_verb = _verb_entry(verb) if verb is not None and verb.pos_ == "VERB" else None
    ordered = verb is not None and noun.dep_ == "dobj" and verb.lemma_.lower() in _words("command") \
        and not _intended(verb)  # "ordered an FBI investigation": the investigation is carried out
    hypothetical = _hypothetical(noun) or bool(_modifier_lemmas(noun) & _words("hypothetical_mod")) or (
        framing_verb is not None and framing_verb.role == "frame" and not ordered) or (  # "called for an Israeli withdrawal"
        verb is not None and (_framing(verb) is not None
                                                                 or _intent_head(verb) is not None
                                                                 or _in_purpose(verb)))
    if verb is not None and noun.dep_ == "dobj" and _intended(verb) and _framing(verb) is None:
        # "will extend the curfew", "would tighten the naval blockade": intent, as CAMEO codes it
        notes.add("intent")
        if any(_conditional(c, ("unless",)) for c in verb.children) or type_ in HOSTILE:
            type_ = "THREATEN"
        elif type_ in COOPERATIVE:
            type_ = "AGREE"
    event = _Event(type_, source, None, noun, "noun", negated, hypothetical, notes)
    return _settle(event, entry, candidates, actors, source_tok, None)


def _military_preparation(verb: Token) -> bool:
    """ "prepared to resume shelling", "prepared troops", "prepared for war": a preparation is a
    mobilisation only for force."""
    words = {t.lemma_.lower() for t in verb.subtree}
    inner = [_verb_entry(c) for c in _embedded(verb) for c in [c, *_children(c, "xcomp")] if c.pos_ == "VERB"]
    return bool(words & (_words("military_noun") | _words("weapon") | {"war", "attack", "offensive", "invasion"})) \
        or any(e is not None and e.type in HOSTILE for e in inner)


def _itself(side: _Side) -> bool:
    """A side that is a state as such or its government ("Iran", "Iranian officials"), not a
    group within it ("Iranian rebels", "Iranian workers")."""
    return side.form in ("name", "pronoun", "speaker") or side.noun in _words("political_noun")


def _hanging_prep(tok: Token) -> Token | None:
    """The preposition a name's phrase hangs from ("in" for "Singapore" in "the summit in
    Singapore", "about" for "the United States" in "the lies about the United States")."""
    cur = tok
    for _ in range(8):
        if cur.dep_ == "pobj" and cur.head.dep_ in ("prep", "agent") and cur.head.i != cur.i:
            return cur.head
        if cur.dep_ in ("compound", "flat", "amod", "nmod", "appos", "conj", "poss") and cur.head.i != cur.i:
            cur = cur.head
            continue
        return None
    return None


@lru_cache(maxsize=1)
def _agent_nouns() -> frozenset[str]:
    """Nouns of people and bodies that act: an actor qualifying one ("Iranian officials", "French
    farmers", "members of Congress") stands for the one acting."""
    return _acting_nouns() | _words("civilian_noun") | _words("political_role") | _words("agent_noun")


def _acceptable_target(event: _Event, target: _Side, actors: _Actors, base_type: str) -> bool:
    """Step 6: a political target (or a place, for material types; anyone, for force and
    coercion) that is not the source. ``base_type`` is the cue's own type, before intent made it
    AGREE or THREATEN ("will extend the curfew in Abidjan" is still about a place)."""
    source = event.source
    material = base_type in PLACE_TARGET or base_type in VICTIM_TARGET
    place = material and actors.kind(target.actor) == "location"
    if base_type == "PROTEST" and (target.how == "prep_in" or actors.doc[target.token].head.lower_ == "for"):
        return False  # where a protest happens, or for whom it is held, is not whom it is against
    if target.how == "object_prep" and (base_type in VERBAL or base_type == "REJECT"):
        return False  # "supported a ban on imports from Iran": a stance on a thing, not on the actors in it
    if not actors.political(target) and not place and base_type not in VICTIM_TARGET:
        return False
    if target.level in ("complement", "subtree") and target.how not in ("prep", "prep_against", "prep_in", "of"):
        # an actor named in a phrase of the thing acted on, not the thing's own name
        prep = _hanging_prep(actors.doc[target.token])
        word = prep.lower_ if prep is not None else ""
        if word in _words("locative_prep") and not material and base_type != "CONSULT":
            return False  # "praised the summit in Singapore": where it happened, not whom it is aimed at
        if word in _words("topic_prep") and base_type in VERBAL:
            return False  # "denounced the lies about the United States": what it is about
    if target.level == "subtree" and base_type in VERBAL:
        # "denounced allegations that her staff posted the data of U.S. senators": an actor named
        # only inside a clause of the thing judged is what it says, not whom the judgement is aimed at
        return False
    if target.how in ("clause", "clause_weak") and target.form == "qualifier" and event.type in ("REQUEST", "AGREE") \
            and target.noun not in _agent_nouns() and target.noun not in _words("physical_target"):
        return False  # "asked to display the ISIS flag", "asked to see the Russian report": a thing, no addressee
    if actors.kind(source.actor) == "state" and source.form in ("name", "pronoun", "speaker") \
            and target.actor != target.state and target.state == source.actor \
            and actors.kind(target.actor) in ("person", "organization") and base_type not in VICTIM_TARGET:
        return False  # a state and one who acts for it ("Bolivia ... its president Morales"): one side
    # One state named twice is one actor, unless one side is a group within it and the other the
    # state or another group ("Palestinian police ... Palestinian armed groups", "Afghan guerillas
    # ... Kabul"): distinct domestic actors, as CAMEO codes them.
    if target.actor == source.actor and (source.noun == target.noun or (_itself(source) and _itself(target))
                                          or actors.kind(source.actor) != "state"):
        return False  # only a state has groups within it; a person or body is one actor
    if target.how == "prep_in" and not material and base_type != "CONSULT":
        # "decried X in a speech to Y": a setting, not whom it is aimed at ("held talks in
        # Damascus" is a visit to Syria, though)
        return False
    if target.noun and target.noun == source.noun and len(_children(event.cue, "dobj")) > 1:
        return False  # "Soviet troops occupied the north and U.S. troops the south": a gapped clause
    locative = target.how == "prep_in" and material  # "extended the curfew in Abidjan": a place at home
    if target.form == "name" and actors.kind(target.actor) == "state" and target.actor == source.state \
            and source.actor != source.state and not locative:
        return False  # a person or body acting for a state against that very state by name
    # between states, an actor whose state the text does not give is not assumed to be at home
    return not (event.type in INTERSTATE and target.state == source.state)


def _purposes(tok: Token) -> list[Token]:
    """The purpose clauses of a cue's clause ("blocked roads to press their demands"), with the
    infinitives they govern ("to help defend")."""
    verb = _clause_verb(tok)
    out: list[Token] = []
    for clause in _children(verb, "advcl"):
        if any(c.dep_ == "aux" and c.lower_ == "to" for c in clause.children):
            out.append(clause)
            out.extend(_children(clause, "xcomp"))
    return out


def _noun_framed(tok: Token) -> bool:
    """An action in the content clause of a demand, a threat or a promise ("its demand that Israel
    ease restrictions"), the parser having hung the clause on the noun or on its verb."""
    verb = _clause_verb(tok)
    if verb.dep_ not in ("acl", "ccomp", "relcl") or verb.head.i == verb.i:
        return False
    heads = [verb.head] if verb.head.pos_ == "NOUN" else _children(verb.head, "dobj") if verb.dep_ == "ccomp" else []
    for head in heads:
        entry = _noun_entry(head) if head.pos_ == "NOUN" else None
        if entry is not None and entry.type in FRAME_NOUN_TYPES and verb.dep_ != "relcl":
            return True
    return False


def _in_purpose(tok: Token) -> bool:
    """An action in a purpose clause ("to demand the return of property") is intended, not done."""
    verb = _clause_verb(tok)
    for cur in (verb, verb.head if verb.dep_ == "xcomp" else None):
        if cur is not None and cur.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to"
                                                           for c in cur.children):
            return True
    return False


def _settle(event: _Event, entry: LexiconEntry, candidates: list[_Side], actors: _Actors,
            source_tok: Token | None, passive_subject: Token | None) -> _Event | None:
    """Steps 4 to 8 for one event: political source, target, differing sides, material sense."""
    source = event.source
    if entry.lemma in ("protest", "boycott") and event.type in ("ACCUSE", "REJECT") and (
            source.noun in _words("civilian_noun") or not actors.political(source)):
        event.type = "PROTEST"  # "Egyptian students protested against...": a demonstration, not a note;
        # a boycott by citizens is a protest (CAMEO 143), by a government a rejection
    if source.form == "qualifier" and source.how == "subject" and source.noun \
            and source.noun not in _agent_nouns() and event.type not in VICTIM_TARGET:
        # "trade war pressures from the United States could support China", "the Chinese economy
        # suffered": a thing does nothing; the actor qualifying it is no source
        return None
    protester = event.type == "PROTEST" and actors.civilian(source) and source.how in ("subject", "governing_subject")
    if not actors.political(source) and not protester:
        return None
    if source.form == "qualifier" and source.noun in _words("civilian_noun") and event.type not in CIVIL_SOURCE:
        return None
    if event.type in SYMMETRIC and source_tok is not None:
        # "France and Germany signed a treaty": the one named with the source is the other party
        conjuncts = _target_candidates(actors, _children(source_tok, "conj"), skip=source.token,
                                       avoid=source.state, how="conjunct")
        # "the United States and North Korea held a summit in Singapore": the one named with the
        # source comes before a place or a thing's complement
        strong = [c for c in candidates if c.level == "head" and c.how not in ("prep_in", "object_prep")]
        candidates = strong + conjuncts + [c for c in candidates if c not in strong]
    if event.type in VERBAL:
        candidates = [c for c in candidates if c.how != "prep_reason"]
    for candidate in candidates:
        if _acceptable_target(event, candidate, actors, entry.type):
            event.target = candidate
            break
    if entry.lemma in ("deploy", "deployment") and event.type == "AID" and (
            event.target is None or event.target.how != "prep" or event.target.level != "head"
            or actors.doc[event.target.token].head.lower_ not in ("to", "into", "in")):
        # troops sent to a state are aid to it ("the deployment of U.S. missile defense to South
        # Korea"); troops sent to a border, a region or nowhere named are a mobilisation
        event.type = "MOBILIZE"
    if event.target is None:
        # "blocked roads to press their demands from President Bouteflika's government": the
        # purpose names whom the action is aimed at
        for clause in _purposes(event.cue):
            for candidate in _candidates(actors, _verb_targets(clause), skip=source.token, avoid=source.state):
                if _acceptable_target(event, replace(candidate, how="purpose"), actors, entry.type):
                    event.target = replace(candidate, how="purpose")
                    break
            if event.target is not None:
                break
    if entry.material and event.type == "ASSAULT":
        target_tok = actors.doc[event.target.token] if event.target is not None else passive_subject
        sense = _material(event.cue, source_tok, target_tok, source, event.target, actors)
        event.notes.add(f"material={sense}")
        if sense == "verbal" and entry.lemma in ("attack", "assault"):
            event.type = "ACCUSE"
        elif sense in ("verbal", "none"):
            return None
    if event.type == "PROTEST" and event.target is None and actors.kind(source.actor) == "person" \
            and actors.political(source):
        return None  # "at a rally in Indiana, Trump...": an office holder's rally is a campaign event
    if entry.lemma == "prepare" and event.type == "MOBILIZE" and not _military_preparation(event.cue):
        return None  # "preparing his exit", "preparing models": no mobilisation
    if event.target is None and event.type == "REJECT" and "refusal" in event.notes:
        return event  # "Iran refused to suspend enrichment", "will not accept refugees": a refusal stated
    if event.target is None and _domestic_measure(event, entry, actors):
        # "the government imposed martial law", "Sudan lifted a state of emergency in West Darfur":
        # a measure on the source's own country, which is its target, as CAMEO codes it
        event.target = replace(source, actor=source.state, how="domestic", form="name", noun="", level="head")
    if event.target is None and event.type not in TARGET_OPTIONAL:
        return None
    if event.target is None and event.type != "PROTEST" and _kind_of(actors, source) in ("person", "organization") \
            and actors.kind(source.state) != "state":
        # "Clinton talked up her strategy, promising to campaign across the country", "Ayotte is
        # planning to withdraw from her race": an actor of no known state acting on no one is
        # campaign talk or private life far more often than a political event
        return None
    return event


def _domestic_measure(event: _Event, entry: LexiconEntry, actors: _Actors) -> bool:
    """A state (or its government) imposing or lifting a measure on a whole country, with no one
    else named: martial law, a curfew, a state of emergency (``domestic_measure``)."""
    if entry.type not in ("COERCE", "CONCEDE") or actors.kind(event.source.state) != "state" \
            or not (_itself(event.source) or actors.kind(event.source.actor) == "person"):
        return False
    cue = event.cue
    things = _objects(cue, entry.particle) if event.kind == "verb" else [cue]
    words = {t.lemma_.lower() for t in things} | {w for t in things for w in _modifier_lemmas(t)}
    return bool(words & _words("domestic_measure"))


def _obligation_events(sent: Span, actors: _Actors) -> list[_Event]:
    """ "Washington insists ...: North Korea must show evidence" -> REQUEST USA -> PRK."""
    out: list[_Event] = []
    speakers: list[tuple[Token, _Side]] = []
    for tok in sent:
        if tok.pos_ == "VERB" and tok.lemma_.lower() in SAY_VERBS:
            subject, passive, climbed = _subject(tok)
            hit = _source_in(actors, subject) if subject is not None and not passive else None
            if hit is not None:
                speakers.append((tok, replace(hit, how="governing_subject" if climbed else "subject")))
    if not speakers:
        return out
    for tok in sent:
        if tok.dep_ != "aux" or tok.lower_ not in OBLIGATION:
            continue
        verb = tok.head
        subject, passive, _climbed = _subject(verb)
        if passive:
            continue  # "ISIS must be defeated": ISIS is the one acted on, not the one asked
        hit = actors.in_phrase(subject) if subject is not None else None
        if hit is None:
            continue
        for say, speaker in speakers:
            event = _Event("REQUEST", speaker, None, say, "obligation", _is_negated(say), _hypothetical(say))
            if not actors.political(speaker):
                continue
            target = replace(hit, how="clause")
            if _acceptable_target(event, target, actors, "REQUEST"):
                event.target = target
                out.append(event)
                break
    return out


def _skip_cue(tok: Token, actors: _Actors) -> bool:
    """Words inside an actor's name ("Rapid Support Forces"), nouns used as modifiers ("riot
    police", "aid worker") and participles used as adjectives ("pledged delegates", "the
    attacking team") trigger nothing."""
    return tok.i in actors.by_token or tok.dep_ == "compound" or (tok.pos_ == "VERB" and tok.dep_ == "amod")


def _events_of(doc: Doc, actors: _Actors) -> list[tuple[_Event, LexiconEntry | None]]:
    lexicon = load_lexicon()
    found: list[tuple[_Event, LexiconEntry | None]] = []
    for sent in doc.sents:
        for tok in sent:
            pos = tok.pos_
            lemma = tok.lemma_.lower()
            if pos == "VERB" and ("verb", lemma) in lexicon and not _skip_cue(tok, actors):
                entry = _verb_entry(tok)
                if entry is None:
                    continue
                action = _figurative(tok, "verb", entry.particle)
                if action == "-" or (entry.particle is None and _naming(tok)):
                    continue
                if action is not None:
                    entry = replace(entry, type=action, role="" if entry.role != "frame" else entry.role,
                                    material=False)
                verb_event = _verb_event(tok, entry, actors)
                if verb_event is not None:
                    if action is not None:
                        verb_event.notes.add("retyped")
                    found.append((verb_event, entry))
            elif pos == "NOUN" and ("noun", lemma) in lexicon and not _skip_cue(tok, actors):
                head = tok.head
                # "imposed sanctions", "rejected calls": the verb already made this event
                head_entry = _verb_entry(head) if tok.dep_ in ("dobj", "nsubjpass") and head.pos_ == "VERB" else None
                if head_entry is not None and _figurative(head, "verb", head_entry.particle) != "-":
                    continue
                entry = _noun_entry(tok)
                if entry is None:
                    continue
                action = _figurative(tok, "noun", entry.particle)
                if action == "-":
                    continue
                if action is not None:
                    entry = replace(entry, type=action, material=False)
                noun_event = _noun_event(tok, entry, actors)
                if noun_event is not None:
                    if action is not None:
                        noun_event.notes.add("retyped")
                    found.append((noun_event, entry))
        found.extend((e, None) for e in _obligation_events(sent, actors))
    return found


# ---------------------------------------------------------------------------------------------
# Confidence features


def event_features(event: Mapping[str, Any]) -> dict[str, float]:
    """The readable features an event's confidence is computed from (``narrascope train events``
    fits the model on them). They name what makes a rule-coded event doubtful whatever its words:
    a side the knowledge base does not know or whose state the text does not give, a side found
    through a pronoun, a clause or a fallback, a state inferred for the target, a noun cue, an
    embedded or reworded cue (intent, figurative context), negation and modality, a claim inside a
    quote, other events competing in the same sentence, an actor mention of low confidence, a
    place as the target. The type is a feature too: on real articles (the judged events) some
    types are mostly figurative or campaign talk (AGREE from promises, CONCEDE, RETREAT) and others
    mostly right (ACCUSE, SUPPORT, COERCE), which the PLOVER records alone did not show."""
    f: dict[str, float] = {f"type={event['type']}": 1.0}
    how = event.get("how") or {}
    if how.get("cue") in ("noun", "obligation"):
        f[f"cue={how['cue']}"] = 1.0
    if how.get("source_found_by") == "ner":
        f["source_unknown"] = 1.0
    if how.get("source_form") in ("pronoun", "speaker"):
        f["source_pronoun"] = 1.0
    if how.get("source_form") == "qualifier" and how.get("source_noun") not in _acting_nouns():
        f["source_qualifier"] = 1.0  # "Algerian landowners": a state's people, not the state acting
    if how.get("source_state_from_target"):
        f["source_state_inferred"] = 1.0
    if event.get("source_state") and event["source_state"] == event.get("source_actor") and \
            how.get("source_kind") not in ("state", "igo", "group"):
        f["source_without_state"] = 1.0
    if how.get("source") not in ("subject", "agent", "possessor", "modifier"):
        f["source_indirect"] = 1.0
    if how.get("source_level") in ("complement", "subtree"):
        f["source_nested"] = 1.0  # "the Red Cross operating in Iraq": a place in the phrase, not its head
    target = how.get("target")
    if target is None:
        f["target_none"] = 1.0
        f[f"target_none:{event['type']}"] = 1.0  # a protest with no one protested against is rarely right
    else:
        if how.get("target_level") in ("complement", "subtree") and how.get("target_via") not in TARGET_PREPS:
            # "protested at the settlement of Russian immigrants": deep in a thing, not aimed at
            # ("lift the ban on the FIS" is aimed at the FIS)
            f["target_nested"] = 1.0
        if how.get("target_adjectival") and how.get("target_noun") not in _acting_nouns():
            f["target_qualifier"] = 1.0  # "Russian immigrants": a state's people, not the state acted on
        if how.get("target_state_from_source"):
            f["target_state_inferred"] = 1.0
        if event.get("target_state") and event["target_state"] == event.get("target_actor") and \
                how.get("target_kind") not in ("state", "igo", "group"):
            f["target_without_state"] = 1.0
        if how.get("target_form") in ("pronoun", "speaker"):
            f["target_pronoun"] = 1.0
        if how.get("target_kind") == "location":
            f["target_place"] = 1.0
        if target in ("clause", "clause_weak", "purpose", "conjunct", "object_prep", "prep_in"):
            f["target_indirect"] = 1.0
        if target == "domestic":
            f["target_domestic"] = 1.0  # no target named: a measure on the source's own country
        if event.get("source_state") == event.get("target_state"):
            f["same_state"] = 1.0
    for flag in ("negated", "hypothetical", "quoted"):
        if event.get(flag):
            f[flag] = 1.0
    notes = set(how.get("notes", ()))
    for note in ("intent", "retyped", "refused", "refusal", "material=weak"):
        if note in notes:
            f[f"note={note}"] = 1.0
    if int(how.get("depth", 0)) >= 2:
        f["deep"] = 1.0
    if int(how.get("competing", 0)) > 0:
        f["competing"] = 1.0
    if min(float(how.get("source_confidence") or 1.0), float(how.get("target_confidence") or 1.0)) < 0.9:
        f["low_mention_confidence"] = 1.0
    return f


@lru_cache(maxsize=1)
def _acting_nouns() -> frozenset[str]:
    """Nouns whose qualifier is the actor itself: "Russian troops", "Israeli jets", "U.S. missile
    defense", "Iranian officials" (not "Iranian workers")."""
    return _words("political_noun") | _words("armed_noun") | _words("military_noun") | _words("weapon") | {"defense", "defence"}


def _kind_of(actors: _Actors, side: _Side) -> str:
    kind = actors.kind(side.actor)
    if kind == "organization" and actors.kind(side.state) == "organization" and side.state == side.actor \
            and side.actor not in actors.unknown:
        record = actors.records.get(side.actor)
        return "igo" if record is None or not record.country else "organization"
    return kind


def _via(doc: Doc, side: _Side | None) -> str | None:
    """The preposition a side nested in a phrase hangs from ("of" in "the settlement of Russian
    immigrants", "on" in "the ban on the FIS"); None for a side that heads its phrase."""
    if side is None or side.level not in ("complement", "subtree"):
        return None
    prep = _hanging_prep(doc[side.token])
    return prep.lower_ if prep is not None else ""


def _record(doc: Doc, event: _Event, actors: _Actors) -> dict[str, Any]:
    start, end = _sentence(doc, event.cue.sent)
    source, target = event.source, event.target
    source_state = actors.state_of_event(source.state, None)
    target_state = None
    if target is not None:
        # CAMEO's domestic default for an actor of unknown state is no guess to make between states
        infer = source_state if event.type not in INTERSTATE else None
        target_state = actors.state_of_event(target.state, infer, qualifier=target.form == "qualifier")
    source_inferred = False
    if target_state is not None and event.type not in INTERSTATE and source.state in actors.unknown \
            and actors.kind(source.state) in ("person", "organization") and actors.kind(target_state) == "state" \
            and not actors.name_words(source.state) & _words("igo_org"):
        # and the other way round: a source the knowledge base does not know and whose state the text
        # does not give ("Judge Alejandro Rivera opened investigations against Chilean officials",
        # "the Umma party will boycott Algeria's elections") is a domestic actor of its target's state;
        # not an organisation whose name says it is international ("the International Labor Office")
        source_state, source_inferred = target_state, True
    quoted, speaker, direct = actors.claim(event.cue.idx)
    how: dict[str, Any] = {
        "cue": event.kind, "source": source.how, "source_form": source.form, "source_kind": _kind_of(actors, source),
        "source_noun": source.noun,
        "source_found_by": source.found_by, "source_level": source.level,
        "target": target.how if target is not None else None,
        "target_form": target.form if target is not None else None,
        "target_kind": _kind_of(actors, target) if target is not None else None,
        "target_noun": target.noun if target is not None else None,
        "target_level": target.level if target is not None else None,
        "target_via": _via(doc, target),
        "target_adjectival": bool(target is not None and target.form == "qualifier"
                                  and doc[target.token].dep_ in ("amod", "compound", "nmod", "poss")),
        "target_state_from_source": bool(target is not None and target_state != target.state),
        "source_state_from_target": source_inferred,
        "depth": _depth(event.cue), "notes": sorted(event.notes | ({"direct_quote"} if direct else set())),
        "source_confidence": source.confidence,
        "target_confidence": target.confidence if target is not None else None,
    }
    return {
        "type": event.type, "source": source.actor, "target": target.actor if target is not None else None,
        "source_actor": source.actor, "target_actor": target.actor if target is not None else None,
        "source_state": source_state, "target_state": target_state,
        "start": start, "end": end, "text": doc_text(doc)[start:end],
        "negated": event.negated, "hypothetical": event.hypothetical,
        "quoted": quoted, "claimed_by": speaker,
        "cue": event.cue.text,
        "cue_span": {"start": event.cue.idx, "end": event.cue.idx + len(event.cue.text)},
        "how": how,
    }


def find_events_with_features(doc: Doc, mentions: list[Mention], quotes: list[dict[str, Any]],
                              actors: list[ActorRecord] | None = None, *,
                              model: ConfidenceModel | None = None,
                              ) -> list[tuple[dict[str, Any], dict[str, float]]]:
    """``find_events``, with the readable features each event's confidence was computed from."""
    from .confidence import load_confidence_model

    index = _Actors(doc, mentions, actors, quotes)
    if not index.by_token:
        return []
    model = model if model is not None else load_confidence_model("events")
    records: list[dict[str, Any]] = []
    seen = set()
    for event, _entry in sorted(_events_of(doc, index), key=lambda pair: pair[0].cue.i):
        target = event.target.state if event.target is not None else None
        key = (event.type, event.source.state, target, event.cue.i)
        if key in seen:
            continue
        seen.add(key)
        records.append(_record(doc, event, index))
    per_sentence: dict[int, int] = {}
    for record in records:
        per_sentence[record["start"]] = per_sentence.get(record["start"], 0) + 1
    out: list[tuple[dict[str, Any], dict[str, float]]] = []
    for record in records:
        record["how"]["competing"] = per_sentence[record["start"]] - 1
        features = event_features(record)
        record["confidence"] = model(features) if model is not None else 0.5
        out.append((record, features))
    return out


def find_events(doc: Doc, mentions: list[Mention], quotes: list[dict[str, Any]],
                actors: list[ActorRecord] | None = None, *, model: ConfidenceModel | None = None,
                ) -> list[dict[str, Any]]:
    """The PLOVER events of a parsed article (SCHEMA.md ``events``), in text order, each with its
    ``confidence`` (the floor is applied by the stage, not here).

    ``mentions`` are the actor mentions found by ``find_actors``; ``actors`` their records, used to
    map persons and state bodies to the state they act for and to type pronoun antecedents;
    ``quotes`` give "we" inside a quote its speaker and every event inside a quote its claimant.
    """
    return [record for record, _features in find_events_with_features(doc, mentions, quotes, actors, model=model)]


def primary_event(doc: Doc, events: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The event a sentence is mainly about: a source and a target first, then the trigger nearest the root."""

    def depth(event: dict[str, Any]) -> int:
        span = doc.char_span(event["cue_span"]["start"], event["cue_span"]["end"], alignment_mode="expand")
        if span is None or not len(span):
            return 99
        return _depth(span[0])

    if not events:
        return None
    return min(events, key=lambda e: (e["negated"], e["target"] is None, depth(e), e["cue_span"]["start"]))
