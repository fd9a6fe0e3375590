"""Quotes and sources: who says what, from one spaCy parse, with rules on the dependency tree.

``find_quotes(doc, mentions, actors, authors=...)`` returns quote records in the SCHEMA.md
``quotes`` shape, in text order, each with a calibrated ``confidence``. Four passes:

1. **Direct quotes.** Quote-mark pairs are found in the text (straight ``"``, curly ``“ ”``,
   guillemets ``« »``, curly singles ``‘ ’``, and the typewriter pairs of two apostrophes or two
   backticks that the New York Times prints). A quote opened at the start of a paragraph, or
   after a colon, and not closed there continues into the next paragraph when that paragraph
   opens with a mark (the newspaper convention for quotes that run over several paragraphs).
   Each quote gets its cue and speaker from the sentences around it: a speech tag right after a
   whole-sentence quote, read from the word order (``"...," Brent Bozell III, founder of ...,
   tells``; ``"...," said David Brock``), else a cue verb right before a colon (``the heckler
   yelled: "..."``), else a cue word that governs the quote in the parse (a partial quote:
   ``threats to unleash "fire and fury"``; the outermost cue, so nested speech belongs to the
   outer speaker), else the clause before a colon, else a cue verb a few words before the mark
   (``a man yelled "Stay there!"``), else the nearest cue in the sentence outside the marks, else
   a short ``he said.`` sentence right after it. A quote that follows another in its paragraph
   with only that quote's tag between (``"A," X said at the school. "B."``), or a whole paragraph
   of quote with no cue, continues the previous quote's speaker. A short quote (at most
   ``SCARE_MAX_WORDS`` words) that no cue governs is a scare quote and is dropped ("New Cold War").
2. **Indirect speech.** A cue verb from ``CUE_VERBS`` with a subject and a clausal complement
   (``X said that ...``, ``X argued ...``, ``X wrote in ...``); a say-verb set after its content
   (``..., a reliable diplomatic source told me.``) or inside it (``A comic tone, she said, would
   ...``); ``according to X, ...`` (and beside ``"...," Walker said, according to an AP
   account``, the account's own attribution); a speech act and its object (``Trump attacked
   Romney``, ``accused X of Y``, ``called for Z``; ``OBJECT_CUES``, ``PREP_CUES``). Cues inside
   direct quotes are skipped: the quote already belongs to its speaker. What a speaker denies,
   rejects, dismisses or refuses to speak about (``X denied that Y``, ``rejected the idea that Y``,
   ``declined to comment on Y``, ``denounced allegations that Y``) is not their statement and is
   left out unless quote marks give their words (``WITHHELD_CUES``). A speech act whose object is
   a bare noun phrase, with no verb, no predicate and no quoted words, names a topic, a target or
   a source, not words (``defended his approach``, ``condemned X``, ``citing data from X``): no
   quote, unless the act is a demand, proposal or announcement (``SUBSTANCE_CUES``: ``called for
   a strike``); ``called on X to Y`` carries the infinitive.
3. **Speakers, by syntax.** The subject phrase as written is the ``speaker_span`` (a pronoun or
   "who" as well). Only a name that names the phrase's head speaks: ``supporters of Bernie
   Sanders`` and ``Castro's spokesman`` are not Sanders or Castro. A span overlapping an actor
   mention takes that actor (``speaker_actor``) and, for a person, the actor's full name (so
   "Kofman" is "Michael Kofman"). Without mentions, spaCy's PERSON/ORG/NORP/GPE entities stand
   in, and a surname takes the earlier full name. ``he``/``she`` resolve to a person of a
   compatible gender (a title or a first name says it) who is the subject or speaker of the same
   or a recent sentence, not to the nearest name, the subject of a main clause before that of an
   embedded one (``X denied that Y ...`` then ``he added`` is X); unresolved, they keep no name.
   A participle after a speech tag (``..., prosecutors said, describing ...``) is the tag's speaker's. ``I`` outside a
   quote is the article's author. A parse that runs over a paragraph break never carries a
   speaker or cue across it. An apposition (``Jennifer Lind, associate professor of ...``) or a
   title before the name (``the Russian journalist Konstantin Eggert``) is the
   ``speaker_role`` when it describes a person (never an age, a place, a bare "Mr." or a
   fragment). An unnamed source (``a reliable diplomatic source``, ``officials``, ``experts``) is
   ``anonymous``, unless an earlier sentence named the person it describes (``Hope Hicks, the
   campaign's spokeswoman`` ... ``the spokeswoman said``).
4. **Confidence.** Every quote's readable features (``quote_features``: direct or indirect, the
   rule that found it, the cue, how its speaker was found, lengths and distance) go through the
   shipped ``ConfidenceModel`` (``data/models/quotes.confidence.json``, ``narrascope train
   quotes``); the stage keeps the quotes that reach ``analysis.min_confidence.quotes``.

A quote is ``direct`` when its content is, or contains, words inside quote marks; ``partial``
when those are only a phrase in the reporter's paraphrase (less than 60% of the content). The word lists
are data: ``data/quote_words.tsv``. Every pass is linear in the document's tokens, names and
quotes (sorted lists and bisect lookups; line breaks counted once per parse).
"""

from __future__ import annotations

import re
from bisect import bisect_right, insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from .confidence import ConfidenceModel, load_confidence_model
from .nlp import doc_text

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from .types import ActorRecord, Mention

__all__ = ["ANONYMOUS_HEADS", "CUE_NOUNS", "CUE_VERBS", "SCARE_MAX_WORDS", "SPEAKER_HOW", "find_quotes",
           "quote_candidates", "quote_features", "quote_spans"]

def _word_lists() -> dict[str, frozenset[str]]:
    """The word lists of ``data/quote_words.tsv`` (its header says what each list is for)."""
    text = resources.files("narrascope").joinpath("data/quote_words.tsv").read_text(encoding="utf-8")
    lists: dict[str, set[str]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, _, words = line.partition("\t")
        lists.setdefault(kind.strip(), set()).update(words.split())
    return {kind: frozenset(words) for kind, words in lists.items()}


_LISTS = _word_lists()

#: A quoted span of at most this many words that no cue governs is a scare quote, not a quote.
SCARE_MAX_WORDS = 4
#: Verbs of speech, writing and cognition that introduce what someone says or thinks (lemmas).
CUE_VERBS = _LISTS["cue_verb"]
#: Cue verbs that need a clausal complement to be a cue at all (``He found that ...``, not
#: ``He found the keys``); the rest may also take a direct quote as object.
WEAK_CUES = _LISTS["weak_cue"]
#: Verbs that take their complement as an infinitive (``promised to ...``): the xcomp is content.
XCOMP_CUES = _LISTS["xcomp_cue"]
#: Nouns that carry someone's words (``threats to unleash "fire and fury"``, ``his claim that``).
CUE_NOUNS = _LISTS["cue_noun"]
#: Heads of subject phrases that name nobody: the source is anonymous when no name comes with them.
ANONYMOUS_HEADS = _LISTS["anonymous_head"]
#: Titles and first names that give a person's gender, for he/she agreement.
MALE_WORDS = _LISTS["honorific_male"] | _LISTS["first_name_male"]
FEMALE_WORDS = _LISTS["honorific_female"] | _LISTS["first_name_female"]
HONORIFICS = _LISTS["honorific_male"] | _LISTS["honorific_female"]
#: Words that never make a role on their own.
NOT_ROLE = _LISTS["not_role"]
#: Speech-act verbs whose object is the content ('Trump attacked Romney'), and verb_preposition
#: pairs whose prepositional object is ('called for a special prosecutor').
OBJECT_CUES = _LISTS["object_cue"]
#: Verbs that report words outright: the only cues of a clause set after its content.
SAY_CUES = _LISTS["say_cue"]
PREP_CUES = frozenset(tuple(pair.split("_", 1)) for pair in _LISTS["prep_cue"])
PREP_CUE_VERBS = frozenset(verb for verb, _ in PREP_CUES)

PERSONAL = {"he": "person", "she": "person", "him": "person", "her": "person"}
RELATIVE = frozenset({"who", "which", "that", "whom"})
FIRST_PERSON = frozenset({"i", "me"})
NP_LEFT_DEPS = frozenset({"det", "predet", "amod", "compound", "poss", "nmod", "nummod", "quantmod", "case"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
#: Punctuation a subject phrase never runs over to the left of its head.
NP_BOUNDARY = frozenset({",", ":", ";", "(", ")", "—", "–", "--"})
SPEAKER_ENTS = frozenset({"PERSON", "ORG", "NORP", "GPE"})
BOILERPLATE = re.compile(r"(?i)^\s*(related (articles?|stories|content)|read more|see also|more)\s*:")

OPEN_ONLY = {"“": "”", "«": "»", "„": "“", "‘": "’"}
#: Quote marks: the typographic ones, and the typewriter pairs of two apostrophes and two backticks
#: (the New York Times and Penn Treebank convention). A run of three apostrophes is a double mark
#: and a single one (a comma and three apostrophes close an inner and an outer quote).
MARKS = re.compile(r"``|'{2,3}|[\"“”«»„‘’]")
PARAGRAPH = re.compile(r"\n\s*\n|\n")
WORD = re.compile(r"\w+(?:[’'-]\w+)*")
DOUBLE_MARK = re.compile(r"``|''|[\"“”«»„]")
#: What may open a quoted paragraph (a quote running over several paragraphs reopens each one).
OPENING_MARK = re.compile(r"``|''|[\"“«„‘]")
#: Tokens that are quote marks, for the rules that walk the parse.
OPENING_TOKENS = frozenset({'"', "“", "«", "„", "``", "''"})
CLOSING_TOKENS = frozenset({'"', "”", "»", "’", "''", "'"})


# ---------------------------------------------------------------------------------------------
# Quote marks


@dataclass(frozen=True)
class QuoteSpan:
    """A quoted stretch of text: ``open``/``close`` are the marks' offsets, the content between."""

    open: int
    close: int  # offset of the closing mark (or the paragraph end when the quote was left open)
    start: int  # content start (after the opening mark)
    end: int  # content end (before the closing mark, trailing comma and space trimmed)
    paragraphs: int = 1
    close_width: int = 1  # characters of the closing mark (2 for a typewriter pair)

    @property
    def outer_end(self) -> int:
        return self.close + self.close_width


def _paragraphs(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for match in PARAGRAPH.finditer(text):
        if match.start() > start:
            out.append((start, match.start()))
        start = match.end()
    if start < len(text):
        out.append((start, len(text)))
    return out


def _is_apostrophe(text: str, i: int) -> bool:
    """A ``’`` or ``'`` between letters (don’t, Korea’s) or after an s (the Kims’) is an apostrophe."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isalnum() and after.isalnum()) or (before in "sS" and not after.isalnum() and after != ",")


def _marks_in(text: str, start: int, end: int) -> list[tuple[int, str, int]]:
    """The quote marks between ``start`` and ``end`` as (offset, mark, width), apostrophes left out.

    A typewriter pair reads as its typographic mark: two backticks open like ``“``, two
    apostrophes open or close like ``"``. In a run of three apostrophes the pair is the outer
    mark: the last two after a word (an inner quote closes, then the outer one), the first two
    before one.
    """
    marks = []
    for match in MARKS.finditer(text, start, end):
        i, ch = match.start(), match.group()
        if ch == "``":
            marks.append((i, "“", 2))
            continue
        if ch[0] == "'":
            if len(ch) == 3 and i > 0 and not text[i - 1].isspace():
                i += 1
            marks.append((i, '"', 2))
            continue
        if ch == "’" and _is_apostrophe(text, i):
            continue
        if ch == "‘" and i > 0 and text[i - 1].isalnum():
            continue
        marks.append((i, ch, 1))
    return marks


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;"):
        end -= 1
    return start, end


def quote_spans(text: str) -> list[QuoteSpan]:
    """Every quoted stretch of ``text``, outermost quotes only, in text order."""
    spans: list[QuoteSpan] = []
    paragraphs = _paragraphs(text)
    carried: tuple[int, int] | None = None  # (open offset, paragraphs so far) of a quote running on
    runs_on = False  # the carried quote goes on without a reopening mark (a text split by sentence)
    for index, (p_start, p_end) in enumerate(paragraphs):
        marks = _marks_in(text, p_start, p_end)
        opened: tuple[int, str, int] | None = None  # (offset, mark, width)
        if carried is not None and runs_on:
            opened = (carried[0], "", 1)
        elif carried is not None:
            if marks and marks[0][0] == _first_char(text, p_start, p_end) and marks[0][1] in "\"“«„‘":
                opened = (carried[0], "", 1)
                marks = marks[1:]
            else:
                carried = None
        runs_on = False
        for i, ch, width in marks:
            if opened is None:
                if ch in OPEN_ONLY or ch == '"':
                    opened = (i, ch, width)
                continue
            if opened[1] == "‘" and ch in "\"“«„":
                opened = (i, ch, width)  # an unclosed single mark ('90s, ‘em): the double quote wins
                continue
            closes = ch == "’" if opened[1] == "‘" else (ch in '"”»' or (ch == "“" and opened[1] == "„"))
            if not closes:
                continue
            paragraphs_spanned = 1 + (carried[1] if carried and opened[0] == carried[0] else 0)
            start, end = _trim(text, _content_start(text, opened), i)
            if end > start:
                spans.append(QuoteSpan(opened[0], i, start, end, paragraphs_spanned, width))
            opened, carried = None, None
        if opened is not None:
            # A quote opens its paragraph, or is introduced by a colon ('Obama said: "...'), when it may
            # be left open at the paragraph's end and run on (into the next one when that reopens).
            starts_paragraph = (opened[0] == _first_char(text, p_start, p_end) or opened[1] == ""
                                or text[p_start:opened[0]].rstrip().endswith(":"))
            next_opens = (index + 1 < len(paragraphs)
                          and OPENING_MARK.match(text, _first_char(text, *paragraphs[index + 1])) is not None)
            if starts_paragraph and next_opens:
                carried = (opened[0], (carried[1] if carried else 0) + 1)
            elif starts_paragraph and _closed_later(text, paragraphs, index):
                # '"Five weeks away from the elections.\n\nI'm not running," he said.': one quote
                # over lines that do not reopen it, closed by the first mark that follows
                carried, runs_on = (opened[0], (carried[1] if carried else 0) + 1), True
            elif starts_paragraph:
                # Left open to the end of its paragraph: quoted to there.
                start, end = _trim(text, _content_start(text, opened), p_end)
                if end > start:
                    paragraphs_spanned = 1 + (carried[1] if carried else 0)
                    spans.append(QuoteSpan(opened[0], p_end - 1, start, end, paragraphs_spanned))
                carried = None
            else:
                carried = None
    return spans


#: how many paragraphs a quote may run over without a reopening mark
RUN_ON_PARAGRAPHS = 3


def _closes(text: str, i: int, mark: str, width: int) -> bool:
    """A mark (``width`` characters, as ``_marks_in`` gives it) that can only close a quote: a
    closing mark, or a straight one right after a word or punctuation and before a space,
    punctuation or the end ('running," he said')."""
    if mark in "”»":
        return True
    if mark != '"':
        return False
    before = text[i - 1] if i > 0 else " "
    after = text[i + width] if i + width < len(text) else " "
    return not before.isspace() and (after.isspace() or after in ",.;:!?)")


def _closed_later(text: str, paragraphs: list[tuple[int, int]], index: int) -> bool:
    """Whether a quote left open at the end of paragraph ``index`` is closed in one of the next
    few paragraphs: the first quote mark after it closes, and no paragraph before it opens."""
    for p_start, p_end in paragraphs[index + 1:index + 1 + RUN_ON_PARAGRAPHS]:
        marks = _marks_in(text, p_start, p_end)
        if marks:
            return _closes(text, *marks[0])
    return False


def _content_start(text: str, opened: tuple[int, str, int]) -> int:
    """Where a quote's words begin: after its opening mark, or after the mark that reopened the
    last paragraph of a quote running over several (``opened`` then holds the first mark's offset)."""
    at, mark, width = opened
    if mark == "":
        return at + (2 if text.startswith(("``", "''"), at) else 1)
    return at + width


def _first_char(text: str, start: int, end: int) -> int:
    while start < end and text[start].isspace():
        start += 1
    return start


# ---------------------------------------------------------------------------------------------
# Speakers


#: How a speaker was found, the ``how`` of ``Speaker`` (a feature of the confidence model):
#: ``name`` a name in the subject phrase; ``surname`` a lone surname that takes an earlier full name;
#: ``organization`` a name of a body, party or place; ``pronoun`` he/she resolved to an antecedent;
#: ``pronoun_unresolved`` a pronoun with no compatible antecedent (they, we, or he/she alone);
#: ``relative`` "who" taking its antecedent; ``author`` "I" outside quotes; ``first_person`` "I"
#: with no byline; ``description_coref`` "the spokeswoman" resolving to the person an earlier
#: sentence described so; ``anonymous`` an unnamed source; ``description`` any other noun phrase.
SPEAKER_HOW = ("name", "surname", "organization", "pronoun", "pronoun_unresolved", "relative", "author",
               "first_person", "description_coref", "anonymous", "description")


@dataclass
class Speaker:
    start: int
    end: int
    name: str | None
    actor: str | None
    role: str | None
    anonymous: bool
    person: bool
    how: str = "description"
    gender: str | None = None  # "m", "f" or unknown


@dataclass(frozen=True)
class _Name:
    """A mention or a stand-in NER entity: where a speaker name may come from."""

    start: int
    end: int
    text: str
    actor: str | None
    person: bool
    full: str  # the full name (an actor's name, or the earlier full form of a surname)
    gender: str | None = None
    subject: bool = False  # the name is the subject of its clause
    main: bool = False  # the name is the subject of its sentence's main clause
    quoted: bool = False  # the name stands inside quote marks


#: How many sentences back a he/she looks for its antecedent (the pronoun's own sentence included).
PRONOUN_SENTENCES = 6
#: Most names looked at in one sentence for an antecedent (a list of 500 names costs no more).
PRONOUN_NAMES = 40
PRONOUN_GENDER = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "hers": "f"}


class _Context:
    """What the speaker rules look up in one document: names, sentences, quotes, authors.

    Built in one pass over the mentions and entities (sorted, with bisect lookups), so a document
    with many names costs linear time, not names x mentions.
    """

    def __init__(self, doc: Doc, mentions: Sequence[Mention], actors: Sequence[ActorRecord] | None,
                 authors: Sequence[str], quotes: list[QuoteSpan]) -> None:
        self.doc = doc
        self.text = doc_text(doc)
        self.authors = list(authors)
        self.quotes = quotes
        self.quote_starts = [q.open for q in quotes]
        records = {a.id: a for a in actors or ()}
        self.records = records
        found: list[tuple[int, int, str, str | None, bool, str]] = []
        for m in mentions:
            record = records.get(m.actor)
            person = record is not None and record.kind == "person"
            full = record.name if person and record is not None else m.text
            found.append((m.start, m.end, m.text, m.actor, person, full))
        # Mentions come sorted: an entity overlaps one when the furthest end among the mentions
        # starting before the entity's end passes the entity's start.
        starts = [f[0] for f in found]
        furthest: list[int] = []
        for f in found:
            furthest.append(max(f[1], furthest[-1]) if furthest else f[1])
        surnames: dict[str, str] = {}
        for ent in doc.ents:
            if ent.label_ not in SPEAKER_ENTS:
                continue
            if ent.label_ == "PERSON":
                words = [t.text for t in ent if t.is_alpha or "." in t.text]
                if len(words) >= 2:
                    surnames.setdefault(words[-1], ent.text)
            i = bisect_right(starts, ent.end_char - 1)
            if i > 0 and furthest[i - 1] > ent.start_char:
                continue
            full = ent.text
            if ent.label_ == "PERSON" and len(ent) == 1:
                full = surnames.get(ent.text, ent.text)
            found.append((ent.start_char, ent.end_char, ent.text, None, ent.label_ == "PERSON", full))
        found.sort(key=lambda f: (f[0], f[1]))
        genders = self._genders(found)
        names = []
        for start, end, text, actor, person, full in found:
            span = doc.char_span(start, end, alignment_mode="expand")
            subject = span is not None and span.root.dep_ in SUBJECT_DEPS
            main = subject and span is not None and _main_clause(span.root.head)
            gender = genders.get(full) or genders.get(text) if person else None
            names.append(_Name(start, end, text, actor, person, full, gender, subject, main,
                               self.in_quote(start) is not None))
        self.names = names
        self.name_starts = [n.start for n in names]
        self.sent_starts = [s.start_char for s in doc.sents] if doc.has_annotation("DEP") else [0]
        self.described = self._described()
        # (offset, Speaker) of person speakers found so far, in text order, for pronouns
        self.person_speakers: list[tuple[int, Speaker]] = []

    def _genders(self, found: list[tuple[int, int, str, str | None, bool, str]]) -> dict[str, str]:
        """A gender per person name the text gives one for: a title (Mr., Ms.) before or in the
        name, or a common first name; a surname takes the gender of its full names when they agree."""
        text = self.text
        evidence: dict[str, set[str]] = {}
        for start, _end, name, _actor, person, full in found:
            if not person:
                continue
            before = text[max(0, start - 6):start].split()
            words = name.split()
            for word in ([before[-1]] if before else []) + words[:1]:
                gender = "m" if word in MALE_WORDS else "f" if word in FEMALE_WORDS else None
                if gender:
                    for key in {name, full, words[-1]}:
                        evidence.setdefault(key, set()).add(gender)
        return {key: next(iter(values)) for key, values in evidence.items() if len(values) == 1}

    def _described(self) -> dict[str, list[tuple[int, _Name]]]:
        """Person names with a describing noun ('Hope Hicks, the campaign's spokeswoman', 'campaign
        spokeswoman Hope Hicks'), by that noun's lemma, in text order: 'the spokeswoman' later
        names her."""
        doc = self.doc
        out: dict[str, list[tuple[int, _Name]]] = {}
        for name in self.names:
            if not name.person:
                continue
            span = doc.char_span(name.start, name.end, alignment_mode="expand")
            if span is None:
                continue
            root = span.root
            nouns = [t for t in root.lefts if t.pos_ == "NOUN" and t.i < span.start]
            nouns += [c for c in root.rights if c.dep_ == "appos" and c.pos_ == "NOUN"]
            if root.dep_ == "appos" and root.head.pos_ == "NOUN":
                nouns.append(root.head)
            for noun in nouns:
                out.setdefault(noun.lemma_.lower(), []).append((name.start, name))
        return out

    def in_quote(self, offset: int) -> QuoteSpan | None:
        i = bisect_right(self.quote_starts, offset) - 1
        if i >= 0 and self.quotes[i].open <= offset < self.quotes[i].outer_end:
            return self.quotes[i]
        return None

    def names_in(self, start: int, end: int) -> list[_Name]:
        i = bisect_right(self.name_starts, end)
        return [n for n in self.names[max(0, i - 40):i] if n.start < end and start < n.end]

    def add_speaker(self, speaker: Speaker) -> None:
        insort(self.person_speakers, (speaker.start, speaker), key=lambda item: item[0])

    def antecedent(self, offset: int, gender: str | None) -> _Name | Speaker | None:
        """The person a he/she at ``offset`` refers to, by syntax rather than proximity.

        Sentences are searched from the pronoun's own backwards (at most ``PRONOUN_SENTENCES``);
        in each, a person of a compatible gender who is the subject of the main clause or the speaker
        of a quote comes first ('Calzadilla denied that Morales ...' then 'he added' is Calzadilla),
        then the subject of another clause, then the latest other person. In the pronoun's own sentence only
        subjects and speakers count ('Asked about Keith Scott, he said' is not about Scott), and a
        name inside quote marks never stands for a pronoun outside them.
        """
        inside = self.in_quote(offset) is not None
        k = bisect_right(self.sent_starts, offset) - 1
        for step in range(PRONOUN_SENTENCES):
            si = k - step
            if si < 0:
                break
            lo = self.sent_starts[si]
            hi = offset if step == 0 else self.sent_starts[si + 1]
            best: tuple[bool, bool, int, _Name | Speaker] | None = None
            first = bisect_right(self.name_starts, lo - 1)
            last = bisect_right(self.name_starts, hi)
            for n in self.names[max(first, last - PRONOUN_NAMES):last]:
                if not n.person or n.end > hi or n.start < lo or (n.quoted and not inside):
                    continue
                if (gender and n.gender and n.gender != gender) or (step == 0 and not n.subject):
                    continue
                if best is None or (n.main, n.subject, n.start) >= best[:3]:
                    best = (n.main, n.subject, n.start, n)
            j = bisect_right(self.person_speakers, lo - 1, key=lambda item: item[0])
            for at, speaker in self.person_speakers[j:]:
                if at >= hi:
                    break
                if gender and speaker.gender and speaker.gender != gender:
                    continue
                if best is None or (True, True, at) >= best[:3]:
                    best = (True, True, at, speaker)
            if best is not None:
                return best[3]
        return None

    def described_as(self, noun: Token) -> _Name | None:
        """The person an earlier sentence described with ``noun`` ('Hicks, his spokeswoman')."""
        earlier = self.described.get(noun.lemma_.lower(), [])
        i = bisect_right(earlier, noun.idx - 1, key=lambda item: item[0])
        return earlier[i - 1][1] if i > 0 else None


def _main_clause(verb: Token) -> bool:
    """Whether ``verb`` heads its sentence's main clause (the root, or a verb conjoined with it)."""
    if verb.dep_ == "conj" and verb.head.i != verb.i:
        verb = verb.head
    return verb.dep_ == "ROOT" or verb.head.i == verb.i


def _np_tokens(head: Token) -> tuple[int, int]:
    """The token range of a subject phrase without its apposition, relative clause and punctuation."""
    left = head.i
    for child in head.lefts:
        if child.dep_ in NP_LEFT_DEPS and not child.is_space:
            left = min(left, child.left_edge.i)
    right = head.i
    for child in head.rights:
        if child.dep_ in ("appos", "relcl", "acl", "punct", "advcl", "cc", "conj", "parataxis") or child.is_space:
            break
        right = max(right, child.right_edge.i)
    doc = head.doc
    for i in range(head.i - 1, left - 1, -1):
        if doc[i].text in NP_BOUNDARY or doc[i].text in OPENING_TOKENS or doc[i].text in CLOSING_TOKENS:
            left = i + 1  # '"It's unanimous," councilmember Mark Levine': the phrase starts after the mark
            break
    while left < head.i and (doc[left].is_punct or doc[left].is_space):
        left += 1
    for i in range(left, right + 1):
        if "\n" in doc[i].text:
            if i < head.i:
                left = i + 1
            else:
                right = i - 1
                break
    return left, right + 1


def _appositive(head: Token) -> Token | None:
    for child in head.rights:
        if child.dep_ == "appos":
            return child
    return None


def _appositive_role(head: Token) -> str | None:
    """The first apposition of ``head`` that describes a person ('John Smith, 56, a retired
    teacher': the teacher, not the age)."""
    for child in head.rights:
        if child.dep_ == "appos":
            role = _role_text(head.doc[child.left_edge.i:child.right_edge.i + 1])
            if role is not None:
                return role
    return None


def _span_text(doc: Doc, start: int, end: int) -> str:
    return doc[start:end].text.strip(" ,;:—–-")


#: Entity types a role is never made of alone: an age, a count, a date, a place ('Cruz, Texas').
NOT_ROLE_ENTS = frozenset({"CARDINAL", "DATE", "TIME", "PERCENT", "QUANTITY", "MONEY", "ORDINAL", "GPE", "LOC"})


def _role_text(span: Span) -> str | None:
    """A speaker's role from the words that describe them, or None when they describe no person.

    A role is a title, an office or an affiliation ('associate professor of government at
    Dartmouth College', 'Russian journalist', 'R-Pa.'): never an age ('56'), a share ('26
    percent'), a place or a date, a pronoun or bare honorific ('himself', 'Mr.'), nor a fragment
    ending on a preposition, an article or a possessive ('spokesman for', "Fox's").
    """
    tokens = [t for t in span if not t.is_space]
    while tokens and (tokens[0].dep_ in ("det", "cc") or tokens[0].is_punct):
        tokens = tokens[1:]
    while tokens and (tokens[-1].is_punct or tokens[-1].dep_ == "cc"):
        tokens = tokens[:-1]
    words = [t for t in tokens if not t.is_punct]
    if not words:
        return None
    last = tokens[-1]
    if last.pos_ in ("ADP", "DET", "CCONJ", "SCONJ", "PART") or last.tag_ == "POS" or last.dep_ == "poss":
        return None
    if all(t.lower_ in NOT_ROLE or t.text in HONORIFICS for t in words):
        return None
    if not any(t.pos_ in ("NOUN", "PROPN") and not t.like_num for t in words):
        return None
    if all(t.like_num or t.ent_type_ in NOT_ROLE_ENTS or t.lower_ in ("percent", "%", "years", "old", "year")
           for t in words):
        return None
    text = " ".join(span.doc[tokens[0].i:tokens[-1].i + 1].text.split())
    if text.count("(") != text.count(")") or text.count("[") != text.count("]"):
        return None
    return text


def _markup(text: str, start: int, end: int) -> bool:
    """Whether ``start:end`` is part of markup-like text: it holds ``<`` or ``>``, touches one
    (``<script>``, ``</b>``), or sits inside a ``<...>`` tag (``<a href=... title=x>``)."""
    if "<" in text[start:end] or ">" in text[start:end]:
        return True
    before = text[max(0, start - 2):start]
    if before.endswith("<") or before == "</" or text[end:end + 1] in ("<", ">"):
        return True
    opened = text.rfind("<", 0, start)
    if opened >= 0 and text.rfind(">", 0, start) < opened:
        closed = text.find(">", end)
        return closed >= 0 and (text.find("<", end) == -1 or closed < text.find("<", end))
    return False


def _head_names(names: list[_Name], head: Token, start: int, end: int) -> list[_Name]:
    """The names in a subject phrase that name its head: the head is part of them, or the head
    is a capitalised title the name closes ('Secretary of State John Kerry' parsed with
    'Secretary' as head). A name in a modifier ('supporters of Bernie Sanders', "Castro's
    spokesman", 'Clinton supporters') names someone else."""
    doc = head.doc
    out = [n for n in names if n.start <= head.idx < n.end]
    if out or head.pos_ != "PROPN":
        return out
    for n in names:
        if n.end < end or n.start <= start:
            continue
        before = doc.char_span(start, n.start, alignment_mode="contract")
        if before is not None and all(t.is_title or t.is_upper or t.is_punct or t.lower_ in ("of", "the", "for", "and")
                                      for t in before):
            out.append(n)
    return out


def _speaker(ctx: _Context, head: Token) -> Speaker | None:
    """The speaker a subject head token names, resolved as far as the text allows.

    A token of markup-like text (a tag name in ``<script>``, an attribute) never names a speaker.
    """
    doc = ctx.doc
    lower = head.lower_
    at, until = head.idx, head.idx + len(head)
    if _markup(ctx.text, at, until):
        return None
    if lower in PERSONAL or lower in ("they", "we"):
        gender = PRONOUN_GENDER.get(lower)
        resolved = ctx.antecedent(at, gender) if lower in PERSONAL else None
        if isinstance(resolved, Speaker):
            return Speaker(at, until, resolved.name, resolved.actor, resolved.role, False, True, "pronoun",
                           resolved.gender or gender)
        if isinstance(resolved, _Name):
            return Speaker(at, until, resolved.full, resolved.actor, _record_role(ctx, resolved.actor), False, True,
                           "pronoun", resolved.gender or gender)
        return Speaker(at, until, None, None, None, False, lower in PERSONAL, "pronoun_unresolved", gender)
    if lower in FIRST_PERSON:
        author = ctx.authors[0] if ctx.authors and ctx.in_quote(at) is None else None
        return Speaker(at, until, author, None, None, False, True, "author" if author else "first_person")
    if lower in ("that", "which") and head.tag_ in ("WP", "WDT"):
        return None  # 'a clause that promises', 'records that show': things, not speakers
    if lower in RELATIVE and head.tag_ in ("WP", "WDT"):
        antecedent = head.head.head if head.head.dep_ == "relcl" else None
        inner = _speaker(ctx, antecedent) if antecedent is not None and antecedent.i != head.i else None
        if inner is None:
            return Speaker(at, until, None, None, None, False, False, "pronoun_unresolved")
        return Speaker(at, until, inner.name, inner.actor, inner.role, inner.anonymous, inner.person, "relative",
                       inner.gender)
    if head.ent_type_ in NOT_SPEAKER_ENTS:
        return None
    left, right = _np_tokens(head)
    # Markup the parser hung on the phrase's edges ("alert('img')> Sergey Lavrov") is not part of
    # the name: trim it; markup left inside the phrase still disqualifies it.
    while left < head.i and _markup(ctx.text, doc[left].idx, doc[left].idx + len(doc[left])):
        left += 1
    while right - 1 > head.i and _markup(ctx.text, doc[right - 1].idx, doc[right - 1].idx + len(doc[right - 1])):
        right -= 1
    span = doc[left:right]
    start, end = span.start_char, span.end_char
    if BOILERPLATE.match(ctx.text, _line_start(ctx.text, start)) or _markup(ctx.text, start, end):
        return None
    role: str | None = None
    appos = _appositive(head)
    names = _head_names(ctx.names_in(start, end), head, start, end)
    person_names = [n for n in names if n.person]
    if not person_names and appos is not None:
        # "the Russian journalist Konstantin Eggert": the name is the apposition, the head the role.
        a_left, a_right = _np_tokens(appos)
        appos_names = [n for n in ctx.names_in(doc[a_left].idx, doc[a_right - 1].idx + 1)
                       if n.person and n.start <= appos.idx < n.end]
        if appos_names and head.pos_ == "NOUN":
            role = _role_text(span)
            return _from_name(ctx, appos_names[0], doc[a_left].idx, doc[a_right - 1].idx + len(doc[a_right - 1]),
                              role)
    if appos is not None:
        role = _appositive_role(head)
    if person_names:
        name = max(person_names, key=lambda n: (n.end - n.start))
        if role is None and name.start > start:
            # "U.S. Secretary of State Rex Tillerson": the words before the name are the role.
            before = doc.char_span(start, name.start, alignment_mode="contract")
            if before is not None:
                role = _role_text(before)
        return _from_name(ctx, name, start, end, role)
    # Unnamed unless a name names the head itself: 'supporters of Bernie Sanders' are unnamed.
    anonymous = head.lemma_.lower() in ANONYMOUS_HEADS or head.lower_ in ANONYMOUS_HEADS
    if anonymous and head.tag_ == "NN" and _definite(span, head):
        named = ctx.described_as(head)
        if named is not None:
            # "the spokeswoman" after "Hope Hicks, the campaign's spokeswoman": a named source.
            return Speaker(start, end, named.full, named.actor, _role_text(span) or _record_role(ctx, named.actor),
                           False, True, "description_coref", named.gender)
    actor_names = [n for n in names if n.actor is not None]
    if actor_names:
        name = max(actor_names, key=lambda n: (n.end - n.start))
        text = span.text if anonymous else name.full
        return Speaker(start, end, text, name.actor, role or _record_role(ctx, name.actor), anonymous, False,
                       "anonymous" if anonymous else "organization")
    if names and not anonymous:
        name = max(names, key=lambda n: (n.end - n.start))
        return Speaker(start, end, name.full if (name.end - name.start) * 2 >= end - start else span.text,
                       None, role, False, False, "organization")
    if head.pos_ not in ("NOUN", "PROPN", "PRON", "NUM", "ADJ"):
        return None
    return Speaker(start, end, span.text, None, role, anonymous, False, "anonymous" if anonymous else "description")


def _definite(span: Span, head: Token) -> bool:
    """Whether a noun phrase points back: 'the/this/that spokeswoman', 'his/Trump's spokeswoman'."""
    return any(t.head.i == head.i and (t.lower_ in ("the", "this", "that") or t.dep_ == "poss") for t in span)


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _record_role(ctx: _Context, actor: str | None) -> str | None:
    record = ctx.records.get(actor) if actor else None
    return record.role if record is not None else None


def _from_name(ctx: _Context, name: _Name, start: int, end: int, role: str | None) -> Speaker:
    how = "name" if not name.person else "surname" if name.full != name.text and " " not in name.text else "name"
    return Speaker(start, end, name.full, name.actor, role or _record_role(ctx, name.actor), False, name.person,
                   how if name.person else "organization", name.gender)


def _subject_of(verb: Token, avoid: tuple[int, int] | None = None) -> Token | None:
    """The subject of a cue verb, looking through conjunctions, xcomps and passives ("was told by").

    A subject inside ``avoid`` (the quote itself, which the parser sometimes hangs on the cue) is skipped.
    """
    before = verb.doc[verb.i - 1] if verb.i > 0 else None
    if before is not None and before.head.i == verb.i and before.dep_ in ("compound", "npadvmod", "dep") \
            and before.pos_ == "PROPN":
        return before  # 'Beck joked' parsed as a compound of the verb
    node: Token | None = verb
    for _ in range(4):
        if node is None:
            return None
        for child in node.children:
            if child.dep_ in SUBJECT_DEPS and child.dep_ != "nsubjpass" and not (
                    avoid and avoid[0] <= child.idx < avoid[1]) and not _apart(child, verb):
                return child
        for child in node.children:
            if child.dep_ == "agent":
                for grand in child.children:
                    if grand.dep_ == "pobj":
                        return grand
        if node.dep_ == "acl" and node.tag_ == "VBD" and node.head.pos_ in ("NOUN", "PROPN"):
            return node.head  # 'and a man yelled “...”' parsed as a reduced relative clause of "man"
        if node.dep_ in ("conj", "xcomp", "advcl") and node.head is not node:
            # "... and said", "went on to say": the subject of the verb it hangs on
            if (node.dep_ == "advcl" and node.tag_ != "VBG") or _apart(node.head, verb):
                break
            tag = _tag_subject(node) if node.tag_ == "VBG" else None
            if tag is not None:
                return tag
            node = node.head
            continue
        break
    return _adjacent_name(verb)


def _tag_subject(participle: Token) -> Token | None:
    """The subject of a speech tag set between a clause and a participle that continues the tag
    ('The attack required ..., prosecutors said, describing ...': the prosecutors describe, not the attack)."""
    head = participle.head
    for sibling in head.children:
        if sibling.dep_ == "parataxis" and sibling.i < participle.i and head.i < sibling.i and _is_cue_verb(sibling):
            for child in sibling.children:
                if child.dep_ in SUBJECT_DEPS and child.dep_ != "nsubjpass" and child.i < sibling.i:
                    return child
    return None


def _apart(a: Token, b: Token) -> bool:
    """Whether a paragraph break separates two tokens (a parse that ran over a headline into the
    first paragraph makes the headline's name the subject of the paragraph's verb)."""
    breaks = _breaks(a.doc)
    return breaks[a.i] != breaks[b.i]


def _breaks(doc: Doc) -> list[int]:
    """Per token, how many line breaks come before it (computed once per parse, kept in its user_data)."""
    cached = doc.user_data.get(BREAKS_KEY)
    if cached is None or len(cached) != len(doc):
        cached, seen = [], 0
        for token in doc:
            cached.append(seen)
            seen += token.text_with_ws.count("\n")
        doc.user_data[BREAKS_KEY] = cached
    return cached


#: Where ``_breaks`` keeps its count on a Doc.
BREAKS_KEY = "narrascope.quotes.breaks"


def _adjacent_name(verb: Token) -> Token | None:
    """A name or pronoun right next to a cue the parser left without a subject ('Beck joked', 'said Smith')."""
    doc = verb.doc
    if verb.tag_ not in ("VBD", "VBZ", "VBP"):
        return None
    i = verb.i - 1
    if i >= 0 and (doc[i].pos_ == "PROPN" or doc[i].lower_ in PERSONAL or doc[i].lower_ == "they"):
        return doc[i]
    if i >= 0 and doc[i].like_num and doc[i].head.i == verb.i:
        return doc[i]  # 'About 4 in 10 say ...': a share of people the parser left as a modifier
    i = verb.i + 1
    if i < len(doc) and doc[i].pos_ == "PROPN" and doc[i].ent_type_ not in NOT_SPEAKER_ENTS:
        while i + 1 < len(doc) and doc[i + 1].pos_ == "PROPN" and doc[i].dep_ == "compound":
            i += 1
        return doc[i] if doc[i].head.i in (verb.i, i) or doc[i].dep_ != "compound" else None
    return None


def _noun_speaker_token(noun: Token) -> Token | None:
    """Whose words a cue noun carries: its possessor, its "by"/"from" agent, or the subject of its verb."""
    for child in noun.children:
        if child.dep_ == "poss":
            return child
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ in ("by", "from", "of"):
            for grand in child.children:
                if grand.dep_ == "pobj" and (grand.ent_type_ in SPEAKER_ENTS or grand.pos_ in ("PROPN", "PRON")):
                    return grand
    node = noun
    for _ in range(3):
        node = node.head
        if _apart(node, noun):
            break
        if node.pos_ in ("VERB", "AUX"):
            return _subject_of(node)
        if node.head is node:
            break
    return None


# ---------------------------------------------------------------------------------------------
# Finding quotes


def _is_cue_verb(token: Token) -> bool:
    return token.pos_ in ("VERB", "AUX") and token.lemma_.lower() in CUE_VERBS


def _is_cue(token: Token) -> bool:
    return _is_cue_verb(token) or (token.pos_ == "NOUN" and token.lower_ in CUE_NOUNS)


def _make(ctx: _Context, speaker: Speaker | None, cue: str | None, start: int, end: int, direct: bool, *,
          rule: str, cue_token: Token | None = None) -> dict[str, Any]:
    """A quote record (SCHEMA.md ``quotes``); how it was found rides along in ``_``-keys, read by
    ``quote_features`` and dropped before the record leaves ``find_quotes``."""
    text = ctx.text
    if speaker is not None and speaker.person and speaker.name:
        ctx.add_speaker(speaker)
    cue_lemma = ("according to" if cue == "according to" else ":" if cue == ":" else
                 cue_token.lemma_.lower() if cue_token is not None else "")
    return {
        "speaker": speaker.name if speaker else None,
        "speaker_actor": speaker.actor if speaker else None,
        "speaker_role": speaker.role if speaker else None,
        "speaker_span": {"start": speaker.start, "end": speaker.end} if speaker else None,
        "cue": cue,
        "content": text[start:end],
        "start": start,
        "end": end,
        "direct": direct,
        "partial": False,
        "anonymous": bool(speaker and speaker.anonymous),
        "_rule": rule,
        "_how": speaker.how if speaker else "none",
        "_person": bool(speaker and speaker.person),
        "_cue_lemma": cue_lemma,
        "_cue_noun": cue_token is not None and cue_token.pos_ == "NOUN",
        "_cue_i": cue_token.i if cue_token is not None else -1,
        "_reported": False,
    }


def _cue_text(token: Token) -> str:
    """The cue as written: the verb with its particle ("pointed out") or "according to"."""
    parts = [token]
    for child in token.children:
        if child.dep_ == "prt" or (child.dep_ == "neg"):
            parts.append(child)
    parts.sort(key=lambda t: t.i)
    return " ".join(t.text for t in parts)


def _tokens(doc: Doc, start: int, end: int) -> Span | None:
    if end <= start:
        return None
    return doc.char_span(start, end, alignment_mode="expand")


def _governing_cue(ctx: _Context, inner: Span, outer: tuple[int, int]) -> tuple[Token, Token | None] | None:
    """A cue word among the ancestors of the quote (within its sentence), and the speaker token."""
    top = [t for t in inner if not (outer[0] <= t.head.idx < outer[1]) or t.head.i == t.i]
    for root in top:
        node = root
        for _ in range(6):
            if node.head.i == node.i:
                break
            node = node.head
            if outer[0] <= node.idx < outer[1]:
                continue
            if _across_paragraphs(ctx.text, outer, node.idx) or ctx.in_quote(node.idx) is not None:
                break  # a parse over a paragraph break, or a cue inside another quote, is not this quote's
            if _is_cue_verb(node):
                node = _outermost_cue(node, outer)
                return node, _speaking_subject(node, outer)
            if node.pos_ == "NOUN" and node.lower_ in CUE_NOUNS:
                verb = _judging_verb(node)
                if verb is not None:
                    # 'he described Trump's comments as "just part of the campaign"': his words, not Trump's
                    return verb, _speaking_subject(verb, outer)
                return node, _noun_speaker_token(node)
    # The quote is itself the clause a cue verb governs ("He said “...”" parsed with the cue inside).
    return None


def _across_paragraphs(text: str, outer: tuple[int, int], offset: int) -> bool:
    """Whether a paragraph break separates ``offset`` from the quote at ``outer``."""
    if offset >= outer[1]:
        return "\n" in text[outer[1]:offset]
    return "\n" in text[offset:outer[0]]


def _speaking_subject(verb: Token, outer: tuple[int, int]) -> Token | None:
    """The subject of a cue verb that governs a quote, unless the quote sits inside that subject
    ('Any "cleareyed" interpretation of his actions, said Michael Kofman, would ...': the speaker is
    the name after the verb, not the phrase holding the quote)."""
    subject = _subject_of(verb, outer)
    if subject is not None and not (subject.left_edge.i <= verb.i <= subject.right_edge.i) and (
            subject.left_edge.idx <= outer[0] and outer[1] <= subject.right_edge.idx + len(subject.right_edge)):
        after = verb.i + 1
        doc = verb.doc
        if after < len(doc) and doc[after].pos_ == "PROPN":
            return _adjacent_name(verb)
        return None
    return subject


def _judging_verb(noun: Token) -> Token | None:
    """A cue verb whose object is the cue noun ('described Trump's comments as ...', 'blasted
    Trump's call for ...'): the verb's subject speaks of the noun's words."""
    head = noun.head
    if noun.dep_ in ("dobj", "pobj") and head.i != noun.i and head.pos_ == "ADP":
        head = head.head
    if head.i == noun.i or _apart(head, noun):
        return None
    lemma = head.lemma_.lower()
    if head.pos_ == "VERB" and (lemma in OBJECT_CUES or _is_cue_verb(head)) and _subject_of(head) is not None:
        return head
    return None


#: Links through which a cue's clause is the content of a cue above it ('Cruz said he's certain ...').
CONTENT_DEPS = frozenset({"ccomp", "xcomp"})


def _outermost_cue(cue: Token, outer: tuple[int, int]) -> Token:
    """The outermost cue verb whose content holds ``cue``: 'Cruz said he's certain Rubio will continue
    to be “...”' is Cruz's, 'Obama said he expected ...' Obama's (nested speech belongs to the outer
    speaker, the inner cue being part of what is reported)."""
    best, node = cue, cue
    for _ in range(6):
        if node.dep_ not in CONTENT_DEPS or node.head.i == node.i:
            break
        node = node.head
        if outer[0] <= node.idx < outer[1]:
            break
        if node.sent.start != cue.sent.start or _apart(node, cue):
            break
        if _is_cue_verb(node) and _subject_of(node, outer) is not None:
            best = node
    return best


def _nearest_cue(ctx: _Context, sentences: list[Span], outer: tuple[int, int],
                 paragraph: tuple[int, int]) -> tuple[Token, Token | None] | None:
    best: tuple[int, int, Token, Token | None] | None = None
    for sent in sentences:
        for token in sent:
            if outer[0] <= token.idx < outer[1] or ctx.in_quote(token.idx) is not None:
                continue
            if not paragraph[0] <= token.idx < paragraph[1]:
                continue
            if not _is_cue_verb(token) and token.lower_ != "according":
                continue
            subject = _according_source(token) if token.lower_ == "according" else _subject_of(token, outer)
            distance = min(abs(token.idx - outer[0]), abs(token.idx - outer[1]))
            rank = (0 if subject is not None else 1, distance)
            if best is None or rank < (best[0], best[1]):
                best = (rank[0], rank[1], token, subject)
    if best is None:
        return None
    return best[2], best[3]


def _according_source(token: Token) -> Token | None:
    for child in token.children:
        if child.lower_ == "to":
            for grand in child.children:
                if grand.dep_ == "pobj":
                    return grand
    nxt = token.nbor(1) if token.i + 1 < len(token.doc) else None
    if nxt is not None and nxt.lower_ == "to":
        for grand in nxt.children:
            if grand.dep_ == "pobj":
                return grand
    return None


def _sentences_of(doc: Doc, start: int, end: int) -> list[Span]:
    span = _tokens(doc, start, end)
    if span is None:
        return []
    first, last = span[0].sent, span[-1].sent
    out = [first]
    if last.start != first.start:
        out.extend(s for s in doc[first.end:last.end].sents)  # type: ignore[attr-defined]
    return out


def _next_sentence(doc: Doc, sent: Span) -> Span | None:
    return doc[sent.end].sent if sent.end < len(doc) else None


def _colon_speaker(ctx: _Context, q: QuoteSpan) -> tuple[Token, Token | None] | None:
    """'Kasich: “...”' or 'the Board was conclusive in its findings: “...”': the clause before a colon."""
    text = ctx.text
    before = text[max(0, q.open - 400):q.open].rstrip()
    if not before.endswith(":"):
        return None
    colon = _tokens(ctx.doc, len(text[:q.open].rstrip()) - 1, len(text[:q.open].rstrip()))
    if colon is None:
        return None
    token = colon[0]
    first = token.sent.start
    for i in range(token.i - 1, first - 1, -1):
        t = ctx.doc[i]
        if "\n" in t.text or ctx.in_quote(t.idx) is not None:
            first = i + 1  # the clause before the colon starts after a paragraph break or another quote
            break
    if first >= token.i:
        return None
    segment = range(first, token.i)
    for root in ctx.doc[first:token.i]:
        if root.pos_ in ("VERB", "AUX") and (root.head.i not in segment or root.head.i == root.i):
            subject = _subject_of(root, (q.open, q.outer_end))
            if subject is not None and subject.i in segment and (
                    _is_cue_verb(root) or subject.ent_type_ in SPEAKER_ENTS or subject.pos_ in ("PROPN", "PRON")):
                return root, subject
    # A bare name before the colon (a headline "Kasich: ..."): the name is the speaker.
    chunk = ctx.doc[first:token.i]
    if 0 < len(chunk) <= 5 and all(t.pos_ == "PROPN" or t.is_punct for t in chunk):
        return token, chunk[-1]
    return None


def _colon_cue(ctx: _Context, q: QuoteSpan) -> tuple[Token, Token | None] | None:
    """'X said: "..."', 'the heckler yelled: "..."': a cue verb (and its particle or adverb) right
    before the colon, with its subject."""
    colon = _tokens(ctx.doc, len(ctx.text[:q.open].rstrip()) - 1, len(ctx.text[:q.open].rstrip()))
    if colon is None or colon[0].i == 0:
        return None
    i = colon[0].i - 1
    doc = ctx.doc
    while i > 0 and doc[i].pos_ in ("ADV", "PART", "ADP") and colon[0].i - i <= 3 and "\n" not in doc[i].text:
        i -= 1  # 'said simply:', 'wrote back:'
    verb = doc[i]
    if not _is_cue_verb(verb) or verb.lemma_.lower() in WEAK_CUES:
        return None
    subject = _subject_of(verb, (q.open, q.outer_end))
    return (verb, subject) if subject is not None else None


def _tail_verb(ctx: _Context, q: QuoteSpan) -> tuple[Token, Token | None] | None:
    """'"...," Toomey fumed.' / '"...?" reacted Trump.': any verb right after the closing mark with a subject.

    Outside the cue lexicon, a verb counts only in this position: within a few words of the closing
    mark, with its subject (or an inverted name) there too and nothing but a comma or the
    sentence end after the clause.
    """
    doc = ctx.doc
    after = _tokens(doc, q.close, q.outer_end)
    if after is None:
        return None
    i = after[-1].i + 1
    for token in doc[i:min(len(doc), i + 6)]:
        if "\n" in token.text or ctx.in_quote(token.idx) is not None:
            return None
        if token.i == i and (token.dep_ == "cc" or token.lower_ in ("and", "but", "or", "nor")):
            return None  # '"...," and the delegation left': a clause of its own, not a speech tag
        if token.pos_ == "VERB" and token.tag_ in ("VBD", "VBZ", "VBP"):
            subject = _subject_of(token, (q.open, q.outer_end))
            if subject is not None and not (q.open <= subject.idx < q.outer_end):
                return token, subject
            return None
    return None


#: Words that never name the speaker of a speech tag ('“Bathroom Bill,” which allows ...').
NOT_SPEAKERS = frozenset({"which", "that", "it", "this", "there", "what", "these", "those"})
#: Entity types that are never speakers ('6:50 p.m.', 'Tuesday' in 'said Tuesday').
NOT_SPEAKER_ENTS = frozenset({"DATE", "TIME"})
#: Most tokens a speech tag may run over before its verb ('Brent Bozell III, founder of ..., tells').
SPEECH_TAG_TOKENS = 30


def _finite(token: Token) -> bool:
    return token.tag_ in ("VBD", "VBZ", "VBP", "MD") and token.pos_ in ("VERB", "AUX")


def _tag_verb(tokens: Sequence[Token], j: int) -> Token | None:
    """The verb of a verb group starting at ``tokens[j]`` ('said', 'has said', 'will say')."""
    verb = tokens[j]
    while verb.pos_ == "AUX" or verb.tag_ == "MD":
        j += 1
        if j >= len(tokens) or tokens[j].pos_ not in ("VERB", "AUX", "ADV", "PART"):
            return verb if verb.pos_ == "VERB" else None
        verb = tokens[j]
    return verb if verb.pos_ == "VERB" else None


def _np_head(tokens: Sequence[Token]) -> Token | None:
    """The head of a short noun phrase read from the surface: its parse head, else its last noun."""
    if not tokens or len(tokens) > 8:
        return None
    inside = {t.i for t in tokens}
    nouns = [t for t in tokens if t.pos_ in ("NOUN", "PROPN", "PRON")]
    if not nouns:
        return None
    head = next((t for t in nouns if t.head.i not in inside and t.dep_ != "compound"), None)
    if head is None or head.pos_ not in ("NOUN", "PROPN", "PRON"):
        head = next((t for t in reversed(nouns) if t.dep_ != "compound"), nouns[-1])
    if head.lower_ in NOT_SPEAKERS or head.ent_type_ in NOT_SPEAKER_ENTS:
        return None
    return head


#: Tokens that may sit between a cue verb and the quote it introduces ('called Ford's plans “...”').
PRECEDING_CUE_TOKENS = 6


def _preceding_cue(ctx: _Context, q: QuoteSpan) -> tuple[Token, Token | None] | None:
    """A cue verb a few words before the opening mark, in the same clause ('a man yelled “Stay there!”',
    'Trump called Ford's plans “an absolute disgrace”'): the parser often starts a new sentence at the mark."""
    doc = ctx.doc
    opening = _tokens(doc, q.open, q.open + 1)
    if opening is None:
        return None
    first = opening[0].i
    for token in reversed(doc[max(0, first - PRECEDING_CUE_TOKENS):first]):
        if "\n" in token.text or token.text in (".", ";", "!", "?", "(", ")") or ctx.in_quote(token.idx) is not None:
            return None
        if token.pos_ in ("VERB", "AUX") and not _is_cue_verb(token):
            return None
        if _is_cue_verb(token) and (token.lemma_.lower() not in WEAK_CUES or token.lemma_.lower() == "call"):
            subject = _subject_of(token, (q.open, q.outer_end))
            return (token, subject) if subject is not None else None
    return None


def _speech_tag(ctx: _Context, q: QuoteSpan) -> tuple[Token, Token | None] | None:
    """The speech tag right after a quote that ends in a comma, "?" or "!", read from the surface.

    '“...,” Blackwell added', '“...?” asked Dunn, now a partner at ...', '“...,” Brent Bozell III,
    founder of the Media Research Center, tells Breitbart News'. The parser often hangs such a tag
    on a cue elsewhere in the sentence; the word order is reliable. Outside the cue lexicon a verb
    counts only right after a name or pronoun ('“...,” Trump went on').
    """
    text, doc = ctx.text, ctx.doc
    raw = text[q.start:q.close].rstrip()
    if not raw or raw[-1] not in ",?!—–-":
        return None
    after = _tokens(doc, q.close, q.outer_end)
    if after is None:
        return None
    tokens: list[Token] = []
    for token in doc[after[-1].i + 1:min(len(doc), after[-1].i + 1 + SPEECH_TAG_TOKENS)]:
        if "\n" in token.text or ctx.in_quote(token.idx) is not None or token.text in (".", ";", ":", "!", "?"):
            break
        tokens.append(token)
    while tokens and tokens[0].text == ",":
        tokens = tokens[1:]
    if not tokens:
        return None
    if _finite(tokens[0]):
        # '“...,” said David Brock, a Clinton confidant'
        verb = _tag_verb(tokens, 0)
        if verb is None or not _is_cue_verb(verb):
            return None
        rest = tokens[tokens.index(verb) + 1:]
        end = next((k for k, t in enumerate(rest) if t.text == "," or _finite(t)), len(rest))
        head = _np_head(rest[:end])
        return (verb, head) if head is not None else None
    j = 0
    while j < len(tokens) and tokens[j].text != "," and not _finite(tokens[j]):
        j += 1
    head = _np_head(tokens[:j])
    if head is None or j >= len(tokens):
        return None
    if tokens[j].text == ",":
        # an apposition between the name and the verb: the verb follows the next comma
        k = j + 1
        while k + 1 < len(tokens) and not (tokens[k].text == "," and _finite(tokens[k + 1])):
            k += 1
        if k + 1 >= len(tokens):
            return None
        verb = _tag_verb(tokens, k + 1)
        if verb is None or not _is_cue_verb(verb):
            return None
        return verb, head
    verb = _tag_verb(tokens, j)
    if verb is None:
        return None
    if not _is_cue_verb(verb) and not (head.pos_ == "PROPN" or head.lower_ in PERSONAL or head.lower_ == "they"):
        return None
    return verb, head


def _paragraph_of(text: str, offset: int) -> tuple[int, int]:
    start = _line_start(text, offset)
    end = text.find("\n", offset)
    return start, len(text) if end < 0 else end


def _direct_quotes(ctx: _Context, used: set[int], indirect: list[dict[str, Any]], *,
                   unattributed: bool) -> list[dict[str, Any]]:
    doc, text = ctx.doc, ctx.text
    out: list[dict[str, Any]] = []
    inside = sorted((q["start"], q["end"]) for q in indirect if not q["_reported"])
    for q in ctx.quotes:
        if q.open > 0 and text[q.open - 1] == "=":
            continue  # a markup attribute (author="..."), not a quote
        i = bisect_right(inside, (q.outer_end, len(text))) - 1
        if i >= 0 and q.open < inside[i][1] and inside[i][0] < q.outer_end:
            continue  # a partial quote in indirect speech already attributed ('X said it was "a disaster"')
        inner = _tokens(doc, q.start, q.end)
        if inner is None:
            continue
        words = len(WORD.findall(text, q.start, q.end))
        if _title_like(text, q.start, q.end, words) or _headline(text, q.open):
            continue
        outer = (q.open, q.outer_end)
        rule = "speech_tag"
        found = _speech_tag(ctx, q) if _stands_alone(text, q) else None
        tagged = found is not None
        if found is None and _stands_alone(text, q) and _continue_previous(ctx, out, q, same_paragraph=True):
            continue  # '"A," Clinton said at the school as she sat with children. "B."': still Clinton
        if found is None and text[:q.open].rstrip().endswith(":"):
            # 'the heckler yelled: "You suck!"': a cue verb right before the colon speaks, whatever the parse says
            rule = "colon"
            found = _colon_cue(ctx, q)
            tagged = found is not None
        if found is None:
            rule = "governing_cue"
            found = _governing_cue(ctx, inner, outer)
        governed = found is not None
        paragraph = (_paragraph_of(text, q.open)[0], _paragraph_of(text, q.close)[1])
        if found is None and words > SCARE_MAX_WORDS:
            rule = "colon"
            found = _colon_speaker(ctx, q)
        if found is None:
            rule = "preceding_cue"
            found = _preceding_cue(ctx, q)
            governed = found is not None
        if found is None and words > SCARE_MAX_WORDS:
            rule = "nearest_cue"
            sentences = [s for s in _sentences_of(doc, q.open, q.outer_end)]
            found = _nearest_cue(ctx, sentences, outer, paragraph)
            if found is None and sentences:
                # '"...," he said.' split off as a sentence of its own
                rule = "tail_sentence"
                tail = _next_sentence(doc, sentences[-1])
                if (tail is not None and "\n" not in text[q.outer_end:tail.start_char] and len(tail) <= 12
                        and ctx.in_quote(tail.start_char) is None):
                    found = _nearest_cue(ctx, [tail], outer, paragraph)
        if found is None and words > SCARE_MAX_WORDS:
            rule = "tail_verb"
            found = _tail_verb(ctx, q)

        if found is None and not governed and words <= SCARE_MAX_WORDS:
            continue
        if found is None:
            if _continue_previous(ctx, out, q):
                continue
            if unattributed and _stands_alone(text, q) and words >= UNATTRIBUTED_MIN_WORDS:
                out.append(_make(ctx, None, None, q.start, q.end, True, rule="unattributed"))
            continue
        cue, subject = found
        if not governed and not tagged and words <= SCARE_MAX_WORDS:
            continue
        speaker = _speaker(ctx, subject) if subject is not None else None
        if speaker is not None and speaker.start < q.outer_end and q.open < speaker.end:
            speaker = None
        if cue.i in used and _continue_previous(ctx, out, q, cue=cue):
            continue  # '"A," he said. "B."' parsed with the cue governing both
        used.add(cue.i)
        cue_text = ":" if cue.text == ":" else "according to" if cue.lower_ == "according" else _cue_text(cue)
        if speaker is None and _continue_previous(ctx, out, q):
            continue
        if speaker is None and not unattributed:
            continue
        out.append(_make(ctx, speaker, cue_text, q.start, q.end, True, rule=rule,
                         cue_token=cue if cue.text != ":" else None))
    return out


#: A quote with no cue and no speaker is kept (speaker null) only when it stands as its own sentences
#: and has at least this many words; shorter or embedded ones are mentions, titles or scare quotes.
UNATTRIBUTED_MIN_WORDS = 8
LOWER_WORDS = frozenset(["a", "an", "the", "and", "or", "of", "in", "on", "at", "to", "for", "with", "by", "from", "as", "is", "are", "be", "vs"])


def _stands_alone(text: str, q: QuoteSpan) -> bool:
    """Whether a quote is whole sentences: it opens a paragraph or follows a sentence end."""
    before = text[:q.open].rstrip()
    return not before or before[-1] in ".!?:\n”\"’" or before.endswith("''")


#: Most words of a quoted title ("13 Hours: The Secret Soldiers of Benghazi").
TITLE_MAX_WORDS = 12


def _title_like(text: str, start: int, end: int, words: int) -> bool:
    """A quoted span in Title Case ("Good Morning America", "Backfire: Carly Fiorina's High-Stakes
    Battle for the Soul of Hewlett-Packard"): the title of a show, book or film, not words said."""
    if words > TITLE_MAX_WORDS or words == 0:
        return False
    tokens = WORD.findall(text, start, end)
    capitalised = [w for w in tokens if w[0].isupper() or w[0].isdigit()]
    content = [w for w in tokens if w.lower() not in LOWER_WORDS]
    return len(content) >= 1 and all(w[0].isupper() or w[0].isdigit() for w in content) and len(capitalised) >= 2


def _headline(text: str, offset: int) -> bool:
    """Whether ``offset`` is in a short Title Case line (a headline or section head)."""
    start, end = _paragraph_of(text, offset)
    tokens = WORD.findall(text, start, end)
    if not tokens or len(tokens) > 25:
        return False
    content = [w for w in tokens if w.lower() not in LOWER_WORDS]
    upper = sum(1 for w in content if w[0].isupper() or w[0].isdigit())
    return upper >= 0.8 * len(content) and len(content) >= 2


#: Most characters between a quote and the next one that continues it ('," he said. "').
CONTINUATION_GAP = 120
#: Most characters of a speech tag between two quotes of one paragraph that make one attribution.
PARAGRAPH_GAP = 300


def _continue_previous(ctx: _Context, out: list[dict[str, Any]], q: QuoteSpan, *, cue: Token | None = None,
                       same_paragraph: bool = False) -> bool:
    """Extend the previous direct quote over ``q`` when ``q`` continues it with no cue of its own.

    '"A," Kofman said. "B."' and a following paragraph that is all quote are one attribution: the
    record's content runs from the first quoted word to the last, its ``parts`` list the quoted
    stretches. A quote that the previous quote's own cue governs ('"A," said X, a long
    description of X, "B."') continues it within its paragraph however long the tag between.
    """
    if not out or not out[-1]["direct"] or out[-1]["speaker"] is None and out[-1]["speaker_span"] is None:
        return False
    previous = out[-1]
    between = ctx.text[previous["end"]:q.open]
    same_cue = cue is not None and previous.get("_cue_i") == cue.i and "\n" not in between
    if same_paragraph:
        # Only the previous quote's own tag may stand between: no paragraph break, colon or other cue.
        if "\n" in between or ":" in between or len(between) > PARAGRAPH_GAP or previous.get("_cue_i", -1) < 0:
            return False
        span = _tokens(ctx.doc, previous["end"], q.open)
        if span is None or any(_is_cue_verb(t) and t.i != previous["_cue_i"] for t in span):
            return False
    elif (len(between) > CONTINUATION_GAP and not same_cue) or between.count("\n") > 2:
        return False
    if "\n" in between:
        # the next paragraph: only when the quote opens it and the previous paragraph ended in the quote's cue
        last_line = between.rsplit("\n", 1)[-1]
        if last_line.strip():
            return False
    parts = previous.setdefault("parts", [{"start": previous["start"], "end": previous["end"]}])
    parts.append({"start": q.start, "end": q.end})
    previous["end"] = q.end
    previous["content"] = ctx.text[previous["start"]:q.end]
    return True


def _clause_span(token: Token) -> tuple[int, int]:
    """Character span of a clause's subtree, without a leading "that" and trailing punctuation."""
    doc = token.doc
    left, right = token.left_edge.i, token.right_edge.i
    while left < right and (doc[left].dep_ == "mark" and doc[left].lower_ in ("that", "whether", "if")
                            or doc[left].is_punct and doc[left].text not in OPENING_TOKENS):
        left += 1
    while right > left and doc[right].is_punct and doc[right].text not in CLOSING_TOKENS:
        right -= 1
    return doc[left].idx, doc[right].idx + len(doc[right])


#: What may stand between a cue clause and the end of its sentence ('..., according to the poll.').
EDGE_PUNCT = " \n.,;:!?)]”’\"'"


def _minus(span: tuple[int, int], hole: tuple[int, int], text: str) -> tuple[int, int]:
    """``span`` without ``hole`` when the hole sits at one of its ends (the cue clause before or after)."""
    start, end = span
    if hole[0] <= start < hole[1] or (start < hole[0] and not text[start:hole[0]].strip(EDGE_PUNCT)):
        start = max(start, hole[1])
    if hole[0] < end <= hole[1] or (hole[1] < end and not text[hole[1]:end].strip(EDGE_PUNCT)):
        end = min(end, hole[0])
    while start < end and (text[start].isspace() or text[start] in ",;:—–-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—–-."):
        end -= 1
    return start, end


def _closes_sentence(verb: Token) -> bool:
    """Whether the clause of ``verb`` runs to the end of its sentence, with only punctuation after it."""
    doc = verb.doc
    end = verb.sent.end
    return all(t.is_punct or t.is_space for t in doc[verb.right_edge.i + 1:end])


#: Cue verbs whose object is the person told ('..., a source told me.').
TELL_CUES = frozenset({"tell", "inform", "assure", "remind", "advise", "warn", "brief"})
#: Words that may sit between a post-posed cue and the sentence end ("..., a source told me in March.").
TRAILING_DEPS = frozenset({"dobj", "dative", "prep", "pobj", "npadvmod", "advmod", "punct", "det", "amod",
                           "compound", "poss", "case", "nummod", "prt", "pcomp"})


def _misattached_clause(verb: Token) -> list[Token]:
    """'wrote in a recent piece that China had lived with it': the that-clause the parser gave the noun."""
    for prep in verb.children:
        if prep.dep_ != "prep" or prep.lower_ not in ("in", "on", "to", "during", "at"):
            continue
        for noun in prep.children:
            for clause in noun.children:
                if clause.dep_ in ("relcl", "acl", "ccomp") and clause.left_edge.lower_ == "that" and any(
                        c.dep_ in SUBJECT_DEPS and c.lower_ != "that" for c in clause.children):
                    return [clause]
    return []


def _postposed(token: Token) -> tuple[Token, tuple[int, int]] | None:
    """'<content>, a reliable diplomatic source told me.' and '<content>, said Smith.' read from the surface.

    The parser often hangs such a cue clause oddly (the source as an apposition of the content's
    subject); the word order is reliable: a comma, a short noun phrase and the cue verb closing
    the sentence, or a comma, the cue verb and a name closing it.
    """
    if token.tag_ not in ("VBD", "VBZ", "VBP") or token.lemma_.lower() not in SAY_CUES:
        return None
    doc = token.doc
    sent = token.sent
    tail = doc[token.i + 1:sent.end]
    # What is reported is a clause: a finite verb before the comma ('At a rally in Milwaukee, she
    # described ...' reports nothing).
    if not any(_finite(t) for t in doc[sent.start:token.i]):
        return None
    before = doc[token.i - 1] if token.i > sent.start else None
    if before is not None and before.text == "," and tail:
        # "..., said Smith."
        words = [t for t in tail if not t.is_punct and not t.is_space]
        if 0 < len(words) <= 8 and words[0].pos_ in ("PROPN", "DET", "ADJ", "NOUN") and not any(
                t.pos_ in ("VERB", "AUX") or (t.dep_ == "dobj" and t.head.i == token.i and t.pos_ == "NOUN")
                for t in words):  # '..., confirmed the meeting.': an object, not a speaker after its verb
            head = next((t for t in words if t.head.i == token.i or not (tail.start <= t.head.i < tail.end)),
                        words[-1])
            start, end = sent.start_char, before.idx
            return head, (start, end)
        return None
    if any(t.dep_ not in TRAILING_DEPS or t.pos_ in ("VERB", "AUX") for t in tail if not t.is_space):
        return None
    if token.lemma_.lower() not in TELL_CUES and any(t.dep_ == "dobj" for t in tail):
        return None  # '..., she described the plan.': the object is what she described
    i = token.i - 1
    while i > sent.start and doc[i].text != "," and token.i - i <= 9:
        if doc[i].pos_ in ("VERB", "AUX") and doc[i].dep_ != "amod":
            return None
        i -= 1
    if doc[i].text != "," or i - sent.start < 4 or i == token.i - 1:
        return None
    phrase = doc[i + 1:token.i]
    nouns = [t for t in phrase if t.pos_ in ("NOUN", "PROPN", "PRON")]
    if not nouns:
        return None
    head = next((t for t in reversed(phrase) if t.pos_ in ("NOUN", "PROPN", "PRON") and t.dep_ != "compound"),
                nouns[-1])
    return head, (sent.start_char, doc[i].idx)


#: Prepositions whose phrase after a speech act's object belongs to the content ('accused X of Y',
#: 'described X as Y', 'praised X for Y', 'blamed X on Y', 'compared X to Y', 'charged X with Y').
OBJECT_PREPS = frozenset({"of", "as", "for", "on", "to", "with"})


#: Speech acts whose object alone is the substance of what was said: what is demanded, proposed or
#: announced ('called for a special prosecutor', 'announced a $2 billion plan'). Any other speech act
#: with a bare noun phrase as its object ('defended his approach', 'condemned Democrats', 'cited data
#: from X', 'voiced his thoughts') names a topic, a target or a source, and is no quote.
SUBSTANCE_CUES = frozenset({"call for", "push for", "argue for", "insist on", "urge", "demand", "request", "propose",
                            "recommend", "announce"})


def _object_content(verb: Token) -> tuple[tuple[int, int] | None, str | None]:
    """The content of a speech act with an object ('attacked Romney', 'accused the media of
    distorting her message', 'called it "meritless"', 'called for a special prosecutor') and the
    cue as written; (None, None) for any other verb. Passives ('a practice criticized by X') are
    left out: their object is the subject."""
    lemma = verb.lemma_.lower()
    if lemma not in OBJECT_CUES and lemma not in PREP_CUE_VERBS:
        return None, None
    if any(c.dep_ in ("nsubjpass", "auxpass") or (c.dep_ == "prt" and c.lower_ != "out") for c in verb.children):
        return None, None  # passives, and other verbs than the speech act ('called off the talks')
    parts: list[Token] = []
    cue = _cue_text(verb)
    act = lemma  # the speech act: the verb, or the verb and its preposition ('call for')
    for child in verb.children:
        if child.dep_ == "prep" and (lemma, child.lower_) in PREP_CUES:
            objects = [c for c in child.children if c.dep_ in ("pobj", "pcomp") and c.ent_type_ not in NOT_SPEAKER_ENTS]
            if objects:
                # 'referred to X as "Y"': the as-phrase after the object belongs to it
                parts = objects + [c for c in verb.children if c.i > child.i and c.dep_ == "prep" and c.lower_ == "as"]
                # 'called on the US to stay away from ...': the infinitive says what the addressee is asked
                parts += [c for c in verb.children if c.i > child.i and c.dep_ in ("xcomp", "advcl")
                          and any(t.dep_ == "aux" and t.lower_ == "to" for t in c.children)]
                cue = f"{cue} {child.text}"
                act = f"{lemma} {child.lower_}"
                break
    if not parts and lemma in OBJECT_CUES:
        objects = [c for c in verb.children if c.dep_ in ("dobj", "ccomp") and c.i > verb.i]
        if objects:
            parts = objects + [c for c in verb.children if c.i > objects[0].i and (
                c.dep_ == "oprd" or (c.dep_ == "prep" and c.lower_ in OBJECT_PREPS))]
    if not parts:
        return None, None
    if act not in SUBSTANCE_CUES and all(_bare_noun_phrase(p) and (p.dep_ != "prep" or _adjunct(p)) for p in parts):
        return None, None  # 'defended his approach', 'citing data from X': a topic, a target or a source, not words
    start = min(p.left_edge.idx for p in parts)
    last = max((p.right_edge for p in parts), key=lambda t: t.i)
    return (start, last.idx + len(last)), cue


def _adjunct(prep: Token) -> bool:
    """Whether a prepositional phrase after a speech act's object only says when or where ('on
    Monday', 'on the radio'), not why or of what ('praised X for Y', 'accused X of Y', 'blamed X on
    Y', which make a judgement of the object)."""
    if prep.lower_ == "on" and prep.head.lemma_.lower() != "blame":
        return True
    return any(child.ent_type_ in NOT_SPEAKER_ENTS for child in prep.children)


def _bare_noun_phrase(head: Token) -> bool:
    """Whether the phrase of ``head`` is a bare noun phrase: a name, a thing or a topic, with no
    verb, no clause and no quoted words ('defended his approach', 'citing data from X')."""
    if head.dep_ == "oprd" or head.lower_ == "as":
        return False  # a predicate: 'called him divisive', 'described it as a lapse' say what X is
    if head.pos_ not in ("NOUN", "PROPN", "PRON", "NUM", "ADJ", "X", "ADP"):  # ADP: a prepositional phrase
        return False
    doc = head.doc
    tokens = doc[head.left_edge.i:head.right_edge.i + 1]
    return not any(t.pos_ in ("VERB", "AUX") or t.text in OPENING_TOKENS or t.text in CLOSING_TOKENS
                   or t.text in ("“", "”", "‘", "’") for t in tokens)


#: Most tokens of a cue clause set off by commas inside its content ('she said', 'a senior aide told me').
INSERTED_TOKENS = 8
SET_OFF = frozenset({",", "—", "–", "--"})


def _set_off(verb: Token) -> bool:
    """Whether the short clause of ``verb`` stands between commas or dashes ('X, she said, Y')."""
    doc = verb.doc
    left, right = verb.left_edge.i, verb.right_edge.i
    if doc[left].text in SET_OFF and left < verb.i:
        left += 1
    if doc[right].text in SET_OFF and right > verb.i:
        right -= 1
    return (left > 0 and right + 1 < len(doc) and right - left < INSERTED_TOKENS
            and doc[left - 1].text in SET_OFF and doc[right + 1].text in SET_OFF)


def _reports_speech(ctx: _Context, according: Token, content: tuple[int, int]) -> bool:
    """Whether the clause an "according to" phrase qualifies has a speech cue of its own outside
    quote marks ('"...," Walker said, according to an AP account')."""
    span = _tokens(ctx.doc, *content)
    return span is not None and any(
        _is_cue_verb(t) and t.i != according.i and ctx.in_quote(t.idx) is None for t in span)


def _mostly_quoted(ctx: _Context, start: int, end: int) -> bool:
    """Whether quote marks enclose most of ``start:end`` (a direct quote, left to the direct pass)."""
    quoted = 0
    i = max(0, bisect_right(ctx.quote_starts, start) - 1)
    for q in ctx.quotes[i:]:
        if q.open >= end:
            break
        quoted += max(0, min(end, q.outer_end) - max(start, q.open))
    return quoted * 5 >= (end - start) * 3


def _indirect_quotes(ctx: _Context, used: set[int]) -> list[dict[str, Any]]:
    doc, text = ctx.doc, ctx.text
    out: list[dict[str, Any]] = []
    taken: list[tuple[int, int]] = []  # contents so far, sorted and disjoint
    for token in doc:
        if token.i in used or ctx.in_quote(token.idx) is not None:
            continue
        content: tuple[int, int] | None = None
        subject: Token | None = None
        cue_text: str | None = None
        rule = ""
        if token.lower_ == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
            subject = _according_source(token)
            if subject is None:
                continue
            phrase = (token.idx, subject.right_edge.idx + len(subject.right_edge))
            clause = token.head
            while clause.pos_ not in ("VERB", "AUX") and clause.head.i != clause.i:
                clause = clause.head
            content = _minus((clause.left_edge.idx, clause.right_edge.idx + len(clause.right_edge)), phrase, text)
            cue_text = "according to"
            rule = "according_to"
        elif _is_cue_verb(token):
            lemma = token.lemma_.lower()
            comp = [c for c in token.children if c.dep_ == "ccomp" and not _apart(c, token)]
            rule = "ccomp"
            if not comp and lemma in XCOMP_CUES:
                comp = [c for c in token.children if c.dep_ == "xcomp" and not _apart(c, token)
                        and c.lemma_.lower() not in TALK_VERBS]
                rule = "xcomp"
            if not comp:
                comp = _misattached_clause(token)
                rule = "misattached"
            subject = _subject_of(token)
            if comp:
                content = _clause_span(comp[0])
                # The content may run on with a conjoined clause ("that X and that Y")
            elif token.dep_ in ("parataxis", "ccomp", "advcl") and token.head.i != token.i and token.i > token.head.i:
                # "..., a reliable diplomatic source told me." with the cue hanging on the content's verb
                if lemma not in SAY_CUES or subject is None:
                    continue
                if not any(t.is_punct for t in doc[token.head.right_edge.i if token.head.right_edge.i < token.left_edge.i
                                                  else token.left_edge.i - 1:token.left_edge.i]):
                    continue
                if not _closes_sentence(token):
                    continue  # the cue clause closes what it reports: nothing of another clause after it
                head = token.head
                content = _minus((head.left_edge.idx, head.right_edge.idx + len(head.right_edge)),
                                 (token.left_edge.idx, token.right_edge.idx + len(token.right_edge)), text)
                rule = "parenthetical"
            elif token.dep_ == "parataxis" and token.i < token.head.i and _set_off(token):
                # "A comic tone, she said, would make the subject accessible": the cue inside its content
                if lemma in WEAK_CUES or subject is None:
                    continue
                head = token.head
                content = (head.left_edge.idx, head.right_edge.idx + len(head.right_edge))
                rule = "inserted"
            else:
                found = _postposed(token)
                if found is not None:
                    subject, content = found
                    rule = "postposed"
                else:
                    content, cue_text = _object_content(token)
                    rule = "object"
                    if content is None:
                        continue
            cue_text = cue_text or _cue_text(token)
        elif token.pos_ == "VERB" and not token.dep_.startswith("aux"):
            # 'Trump attacked Romney', 'called for a special prosecutor': a speech act and its object
            content, cue_text = _object_content(token)
            if content is None:
                continue
            subject = _subject_of(token)
            rule = "object"
        else:
            continue
        if content is None or subject is None:
            continue
        paragraph = _paragraph_of(text, token.idx)
        content = _trim(text, max(content[0], paragraph[0]), min(content[1], paragraph[1]))
        # '"...," Walker said, according to an AP account': the account reports Walker's words; its
        # attribution (the whole clause) stands beside Walker's own, which the direct pass makes.
        reported = rule == "according_to" and _reports_speech(ctx, token, content)
        opening = ctx.in_quote(content[0])
        if not reported and (opening is not None and content[0] <= opening.start and opening.outer_end < content[1]
                and (text[opening.start:opening.close].rstrip()[-1:] in (",", ".", "!", "?", ";", ":")
                     or text[opening.outer_end:opening.outer_end + 1] in (",", ";", "."))):
            # The clause opens with a whole quote, closed by its own punctuation, and runs on past the
            # closing mark ('said: "...," and the delegation left'): what was said is the quote (the
            # direct pass attributes it). A partial quote running on ('that "I support" the law') stays.
            content = opening.start, opening.end
        if content[1] - content[0] < 3:
            continue
        if rule != "according_to" and _withheld(token) and DOUBLE_MARK.search(text, content[0], content[1]) is None:
            continue  # 'X denied that Y', 'X declined to comment on Y': Y is not X's statement
        if _overlaps(taken, content) or (_mostly_quoted(ctx, *content) and not reported):
            continue
        speaker = _speaker(ctx, subject)
        if speaker is None:
            continue
        if speaker.start < content[1] and content[0] < speaker.end and rule != "inserted":
            continue
        direct_inside = DOUBLE_MARK.search(text, content[0], content[1]) is not None
        out.append(_make(ctx, speaker, cue_text, content[0], content[1], direct_inside, rule=rule,
                         cue_token=token if rule != "according_to" else None))
        out[-1]["_reported"] = reported
        # a paraphrase around a quoted phrase ('Zinke described Russia as a "one trick pony" with an
        # economy...'): the speaker's own words are only the quoted part
        out[-1]["partial"] = direct_inside and not _mostly_quoted(ctx, *content)
        insort(taken, content)
        used.add(token.i)
    return out


#: Verbs whose object or clause is what the speaker denies, rejects or refuses to speak about:
#: 'X denied that Y', 'X rejected the idea that Y', 'X declined to comment on Y' do not say Y.
WITHHELD_CUES = frozenset({"deny", "reject", "dismiss", "refute", "dispute", "rebut", "disavow", "decline",
                           "refuse"})
#: Links through which a cue is part of what a denial covers ('denied ever saying', 'declined to comment').
WITHHELD_DEPS = frozenset({"xcomp", "ccomp", "pcomp"})


#: Verbs of talking whose infinitive says that someone speaks, not what ('agreed to discuss the
#: talks on condition of anonymity', 'promised to speak about it').
TALK_VERBS = frozenset({"discuss", "talk", "speak", "comment"})
#: Nouns of what others claim: a speech act attacking one ('denounced allegations that ...', 'mocked
#: claims that ...') disputes the claim, as a denial does.
CLAIM_NOUNS = frozenset({"allegation", "claim", "accusation", "charge", "report", "rumor", "rumour", "suggestion",
                         "idea", "notion", "assertion", "contention", "speculation"})
DISPUTING_CUES = frozenset({"denounce", "condemn", "decry", "criticize", "criticise", "attack", "slam", "blast",
                            "lambaste", "mock", "ridicule", "question", "scoff", "challenge", "contest"})


def _withheld(cue: Token) -> bool:
    """Whether ``cue`` is a denial or a refusal, or speech that one covers ('denied saying that ...',
    'declined to comment on ...', 'refused to say whether ...'): what follows is not the speaker's
    statement."""
    node = cue
    if cue.lemma_.lower() in DISPUTING_CUES and any(
            c.dep_ == "dobj" and c.lemma_.lower() in CLAIM_NOUNS and not (c.i < cue.i) for c in cue.children):
        return True  # 'denounced allegations that ...': the allegations are disputed, not stated
    for _ in range(3):
        if node.pos_ in ("VERB", "AUX") and node.lemma_.lower() in WITHHELD_CUES:
            return True
        if node.dep_ not in WITHHELD_DEPS or node.head.i == node.i or _apart(node.head, cue):
            return False
        node = node.head
    return False


def _overlaps(spans: list[tuple[int, int]], span: tuple[int, int]) -> bool:
    """Whether ``span`` overlaps one of ``spans`` (sorted and disjoint): its two neighbours decide."""
    i = bisect_right(spans, span)
    return (i > 0 and spans[i - 1][1] > span[0]) or (i < len(spans) and spans[i][0] < span[1])


#: Cue lemmas the confidence model knows by name; any other cue is a verb or a noun of the lexicon.
NAMED_CUES = _LISTS["named_cue"]


def _bucket(value: int, edges: Sequence[int]) -> str:
    """'<=e' for the first edge ``value`` does not pass, '>last' past them all."""
    for edge in edges:
        if value <= edge:
            return f"<={edge}"
    return f">{edges[-1]}"


def quote_features(record: dict[str, Any], text: str) -> dict[str, float]:
    """Readable features of a quote found by the rules, for its confidence model.

    Whether it is direct (or indirect speech with a quoted part), which rule found its cue, the
    cue, how the speaker was found (``SPEAKER_HOW``), the speaker phrase's length and distance from
    the content, the content's length, whether the quote runs over several quoted parts.
    """
    rule, how = record["_rule"], record["_how"]
    kind = ("indirect" if not record["direct"] else "partial" if rule in INDIRECT_RULES else "direct")
    lemma = record["_cue_lemma"]
    cue = lemma if lemma in NAMED_CUES or lemma in ("according to", ":") else (
        "noun" if record["_cue_noun"] else "other" if lemma else "none")
    out = {f"kind={kind}": 1.0, f"rule={rule}": 1.0, f"{kind}:rule={rule}": 1.0, f"cue={cue}": 1.0,
           f"speaker={how}": 1.0, f"{kind}:speaker={how}": 1.0}
    words = len(WORD.findall(text, record["start"], record["end"]))
    out[f"content_words{_bucket(words, (3, 8, 20, 40))}"] = 1.0
    span = record["speaker_span"]
    if span is not None:
        speaker_words = len(WORD.findall(text, span["start"], span["end"]))
        out[f"speaker_words{_bucket(speaker_words, (1, 3, 6))}"] = 1.0
        after = span["start"] >= record["end"]
        gap = span["start"] - record["end"] if after else record["start"] - span["end"]
        out[f"gap{_bucket(max(gap, 0), (3, 12, 40, 120))}"] = 1.0
        out["speaker_after"] = float(after)
        out["speaker_capitalised"] = float(text[span["start"]:span["start"] + 1].isupper())
        out["speaker_person"] = float(record["_person"])
    if record.get("parts"):
        out["parts>1"] = 1.0
    if record["speaker_role"]:
        out["role"] = 1.0
    if record["anonymous"]:
        out["anonymous"] = 1.0
    return out


#: The rules of the indirect-speech pass (a quote they find is direct only by a quoted part).
INDIRECT_RULES = frozenset({"according_to", "ccomp", "xcomp", "misattached", "parenthetical", "postposed"})
#: Confidence given when no confidence model is shipped (a fresh checkout before ``train quotes``).
DEFAULT_CONFIDENCE = 0.5


def quote_candidates(doc: Doc, mentions: Iterable[Mention] = (), actors: Sequence[ActorRecord] | None = None, *,
                     authors: Sequence[str] = (), unattributed: bool = False,
                     ) -> list[tuple[dict[str, Any], dict[str, float]]]:
    """Every quote the rules find, in text order, with its confidence features (no confidence yet).

    What ``find_quotes`` scores, and what ``narrascope train quotes`` fits the model on.
    """
    ctx = _Context(doc, sorted(mentions, key=lambda m: (m.start, m.end)), actors, authors, quote_spans(doc_text(doc)))
    used: set[int] = set()
    indirect = _indirect_quotes(ctx, used)
    direct = _direct_quotes(ctx, used, indirect, unattributed=unattributed)
    quotes = direct + indirect
    quotes.sort(key=lambda q: (q["start"], q["end"]))
    out = []
    for q in quotes:
        features = quote_features(q, ctx.text)
        out.append(({k: v for k, v in q.items() if not k.startswith("_")}, features))
    return out


def find_quotes(doc: Doc, mentions: Iterable[Mention] = (), actors: Sequence[ActorRecord] | None = None, *,
                authors: Sequence[str] = (), unattributed: bool = False,
                model: ConfidenceModel | None = None) -> list[dict[str, Any]]:
    """Quotes and indirect speech in ``doc``, each with its speaker, in text order (SCHEMA.md ``quotes``).

    ``mentions`` are the actor mentions found in the same text (speakers overlapping one take its
    actor); without them, spaCy's PERSON/ORG/NORP/GPE entities stand in. ``authors`` are the
    article's bylines: "I" outside quotes is the first author. Quotes whose speaker the text does not
    give are left out unless ``unattributed`` is set (then they come with ``speaker_span`` null).

    Every quote carries ``confidence``: the shipped confidence model (or ``model``) applied to its
    ``quote_features``. No floor is applied here; the quotes stage keeps what reaches
    ``analysis.min_confidence.quotes``.
    """
    scorer = model if model is not None else load_confidence_model("quotes")
    out = []
    for record, features in quote_candidates(doc, mentions, actors, authors=authors, unattributed=unattributed):
        record["confidence"] = scorer(features) if scorer is not None else DEFAULT_CONFIDENCE
        out.append(record)
    return out
