"""Quotes and sources: who says what, from one spaCy parse, with rules on the dependency tree.

``find_quotes(doc, mentions, actors, authors=...)`` returns quote records in the SCHEMA.md
``quotes`` shape, in text order. Three passes:

1. **Direct quotes.** Quote-mark pairs are found in the text (straight ``"``, curly ``“ ”``,
   guillemets ``« »`` and curly singles ``‘ ’``). A quote opened at the start of a paragraph and
   not closed there continues into the next paragraph when that paragraph opens with a mark (the
   newspaper convention for quotes that run over several paragraphs). Each quote gets its cue and
   speaker from the sentences around it: a speech tag right after a whole-sentence quote, read from
   the word order (``"...," Brent Bozell III, founder of ..., tells``; ``"...," said David Brock``),
   else a cue word that governs the quote in the parse (a partial quote: ``threats to unleash
   "fire and fury"``; the outermost cue, so nested speech belongs to the outer speaker), else the
   clause before a colon (``He said: "..."``), else a cue verb a few words before the mark
   (``a man yelled "Stay there!"``), else the nearest cue in the sentence outside the marks
   (``"...," Tillerson pointed out``), else a short ``he said.`` sentence right after it. A whole-paragraph quote with no cue continues the previous quote's speaker.
   A short quote (at most ``SCARE_MAX_WORDS`` words) that no cue governs is a scare quote and is
   dropped ("New Cold War").
2. **Indirect speech.** A cue verb from ``CUE_VERBS`` with a subject and a clausal complement
   (``X said that ...``, ``X argued ...``, ``X pointed out ...``, ``X wrote in ...``), the same
   clause put after its content (``..., a reliable diplomatic source told me.``), and
   ``according to X, ...``. Cues inside direct quotes are skipped: the quote already belongs to
   its speaker.
3. **Speakers.** The subject phrase as written is the ``speaker_span`` (a pronoun or "who" as
   well). A span overlapping an actor mention takes that actor (``speaker_actor``) and, for a
   person, the actor's full name (so "Kofman" is "Michael Kofman"). Without mentions, spaCy's
   PERSON/ORG/NORP/GPE entities stand in, and a surname takes the earlier full name.
   ``he``/``she`` resolve to the most recent person speaker or mention; ``I`` outside a quote is
   the article's author. An apposition (``Jennifer Lind, associate professor of ...``) or a title
   before the name (``the Russian journalist Konstantin Eggert``) is the ``speaker_role``. An
   unnamed source (``a reliable diplomatic source``, ``officials``, ``experts``) is ``anonymous``.

A quote is ``direct`` when its content is, or contains, words inside quote marks.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from .types import ActorRecord, Mention

__all__ = ["ANONYMOUS_HEADS", "CUE_NOUNS", "CUE_VERBS", "SCARE_MAX_WORDS", "find_quotes", "quote_spans"]

def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: A quoted span of at most this many words that no cue governs is a scare quote, not a quote.
SCARE_MAX_WORDS = 4

#: Verbs of speech, writing and cognition that introduce what someone says or thinks (lemmas).
CUE_VERBS = _words("""
say tell write add ask note report announce suggest argue explain acknowledge declare tweet post
state respond reply recall conclude claim insist warn predict promise pledge vow urge admit confirm
deny concede contend maintain assert stress emphasize emphasise reiterate testify speculate observe
remark mention indicate reveal disclose recount joke quip boast charge allege caution complain
counter retort inform remind assure believe think feel fear hope expect worry wonder suspect doubt
estimate guess reckon realize realise know agree disagree announce proclaim propose recommend
advise demand threaten blog write describe criticize criticise accuse praise lament acknowledge
signal imply hint insist summarize summarise conclude calculate figure predict project forecast
question answer continue begin open close interject chime shout yell scream whisper mutter
murmur exclaim cry sigh laugh snap grumble hold contend posit theorize surmise gather learn hear read
show find call point
""")

#: Cue verbs that need a clausal complement to be a cue at all (``He found that ...``, not
#: ``He found the keys``); the rest may also take a direct quote as object.
WEAK_CUES = _words("""
know feel find show hold gather learn hear read figure continue begin open close answer question
describe praise criticize criticise accuse signal calculate project
""")

#: Verbs that take their complement as an infinitive (``promised to ...``): the xcomp is content.
XCOMP_CUES = _words("promise pledge vow threaten urge warn ask demand agree refuse decline want plan hope "
                       "expect propose claim")

#: Nouns that carry someone's words (``threats to unleash "fire and fury"``, ``his claim that``).
CUE_NOUNS = _words("""
statement remark remarks comment comments claim claims threat threats warning warnings promise pledge
vow words word message speech interview tweet tweets post letter op-ed column announcement assertion
argument belief view views accusation accusations charge charges call appeal demand demands plea
testimony quip joke insult slogan rhetoric response reply answer question suggestion proposal
assessment prediction estimate report memo note email e-mail
""")

#: Heads of subject phrases that name nobody: the source is anonymous when no name comes with them.
ANONYMOUS_HEADS = _words("""
source sources official officials expert experts analyst analysts diplomat diplomats observer
observers insider insiders aide aides person people adviser advisers advisor advisors staffer
staffers spokesman spokeswoman spokesperson someone somebody critic critics lawmaker lawmakers
member members participant participants witness witnesses resident residents critic strategist
strategists operative operatives insider employee employees officer officers investigator
investigators researcher researchers scientist scientists economist economists academic academics
scholar scholars commentator commentators pundit pundits activist activists supporter supporters
""")

PERSONAL = {"he": "person", "she": "person", "him": "person", "her": "person"}
RELATIVE = frozenset({"who", "which", "that", "whom"})
FIRST_PERSON = frozenset({"i", "me"})
NP_LEFT_DEPS = frozenset({"det", "predet", "amod", "compound", "poss", "nmod", "nummod", "quantmod", "case"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
SPEAKER_ENTS = frozenset({"PERSON", "ORG", "NORP", "GPE"})
BOILERPLATE = re.compile(r"(?i)^\s*(related (articles?|stories|content)|read more|see also|more)\s*:")

OPEN_ONLY = {"“": "”", "«": "»", "„": "“", "‘": "’"}
MARKS = re.compile(r"[\"“”«»„‘’]")
PARAGRAPH = re.compile(r"\n\s*\n|\n")
WORD = re.compile(r"\w+(?:[’'-]\w+)*")
DOUBLE_MARK = re.compile(r"[\"“”«»„]")


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

    @property
    def outer_end(self) -> int:
        return self.close + 1


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


def _marks_in(text: str, start: int, end: int) -> list[tuple[int, str]]:
    marks = []
    for match in MARKS.finditer(text, start, end):
        i, ch = match.start(), match.group()
        if ch == "’" and _is_apostrophe(text, i):
            continue
        if ch == "‘" and i > 0 and text[i - 1].isalnum():
            continue
        marks.append((i, ch))
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
    for index, (p_start, p_end) in enumerate(paragraphs):
        marks = _marks_in(text, p_start, p_end)
        opened: tuple[int, str] | None = None
        if carried is not None:
            if marks and marks[0][0] == _first_char(text, p_start, p_end) and marks[0][1] in "\"“«„‘":
                opened = (carried[0], "")
                marks = marks[1:]
            else:
                carried = None
        for i, ch in marks:
            if opened is None:
                if ch in OPEN_ONLY or ch == '"':
                    opened = (i, ch)
                continue
            if opened[1] == "‘" and ch in "\"“«„":
                opened = (i, ch)  # an unclosed single mark ('90s, ‘em): the double quote wins
                continue
            closes = ch == "’" if opened[1] == "‘" else (ch in '"”»' or (ch == "“" and opened[1] == "„"))
            if not closes:
                continue
            paragraphs_spanned = 1 + (carried[1] if carried and opened[0] == carried[0] else 0)
            start, end = _trim(text, opened[0] + 1, i)
            if end > start:
                spans.append(QuoteSpan(opened[0], i, start, end, paragraphs_spanned))
            opened, carried = None, None
        if opened is not None:
            starts_paragraph = opened[0] == _first_char(text, p_start, p_end) or opened[1] == ""
            next_opens = (index + 1 < len(paragraphs)
                          and text[_first_char(text, *paragraphs[index + 1])] in "\"“«„‘")
            if starts_paragraph and next_opens:
                carried = (opened[0], (carried[1] if carried else 0) + 1)
            elif starts_paragraph:
                # Left open to the end of its paragraph: quoted to there.
                start, end = _trim(text, opened[0] + 1, p_end)
                if end > start:
                    paragraphs_spanned = 1 + (carried[1] if carried else 0)
                    spans.append(QuoteSpan(opened[0], p_end - 1, start, end, paragraphs_spanned))
                carried = None
            else:
                carried = None
    return spans


def _first_char(text: str, start: int, end: int) -> int:
    while start < end and text[start].isspace():
        start += 1
    return start


# ---------------------------------------------------------------------------------------------
# Speakers


@dataclass
class Speaker:
    start: int
    end: int
    name: str | None
    actor: str | None
    role: str | None
    anonymous: bool
    person: bool


@dataclass(frozen=True)
class _Name:
    """A mention or a stand-in NER entity: where a speaker name may come from."""

    start: int
    end: int
    text: str
    actor: str | None
    person: bool
    full: str  # the full name (an actor's name, or the earlier full form of a surname)


class _Context:
    """What the speaker rules look up in one document: names, quotes, authors."""

    def __init__(self, doc: Doc, mentions: Sequence[Mention], actors: Sequence[ActorRecord] | None,
                 authors: Sequence[str], quotes: list[QuoteSpan]) -> None:
        self.doc = doc
        self.text = doc.text
        self.authors = list(authors)
        records = {a.id: a for a in actors or ()}
        self.records = records
        names: list[_Name] = []
        for m in mentions:
            record = records.get(m.actor)
            person = record is not None and record.kind == "person"
            full = record.name if person and record is not None else m.text
            names.append(_Name(m.start, m.end, m.text, m.actor, person, full))
        covered = [(n.start, n.end) for n in names]
        surnames: dict[str, str] = {}
        for ent in doc.ents:
            if ent.label_ not in SPEAKER_ENTS:
                continue
            if ent.label_ == "PERSON":
                words = [t.text for t in ent if t.is_alpha or "." in t.text]
                if len(words) >= 2:
                    surnames.setdefault(words[-1], ent.text)
            if any(s < ent.end_char and ent.start_char < e for s, e in covered):
                continue
            full = ent.text
            if ent.label_ == "PERSON" and len(ent) == 1:
                full = surnames.get(ent.text, ent.text)
            names.append(_Name(ent.start_char, ent.end_char, ent.text, None, ent.label_ == "PERSON", full))
        names.sort(key=lambda n: (n.start, n.end))
        self.names = names
        self.name_starts = [n.start for n in names]
        self.quotes = quotes
        self.quote_starts = [q.open for q in quotes]
        # (offset, Speaker) of person speakers found so far, for pronouns
        self.person_speakers: list[tuple[int, Speaker]] = []

    def in_quote(self, offset: int) -> QuoteSpan | None:
        i = bisect_right(self.quote_starts, offset) - 1
        if i >= 0 and self.quotes[i].open <= offset <= self.quotes[i].close:
            return self.quotes[i]
        return None

    def names_in(self, start: int, end: int) -> list[_Name]:
        i = bisect_right(self.name_starts, end)
        return [n for n in self.names[max(0, i - 40):i] if n.start < end and start < n.end]

    def last_person_before(self, offset: int) -> _Name | Speaker | None:
        best: tuple[int, _Name | Speaker] | None = None
        i = bisect_right(self.name_starts, offset) - 1
        while i >= 0:
            n = self.names[i]
            if n.person and n.end <= offset:
                best = (n.start, n)
                break
            i -= 1
        for at, speaker in self.person_speakers:
            if at < offset and (best is None or at >= best[0]):
                best = (at, speaker)
        return best[1] if best else None


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


def _span_text(doc: Doc, start: int, end: int) -> str:
    return doc[start:end].text.strip(" ,;:—–-")


def _role_text(span: Span) -> str | None:
    tokens = [t for t in span]
    while tokens and (tokens[0].dep_ == "det" or tokens[0].is_punct):
        tokens = tokens[1:]
    while tokens and tokens[-1].is_punct:
        tokens = tokens[:-1]
    if not tokens:
        return None
    return span.doc[tokens[0].i:tokens[-1].i + 1].text


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


def _speaker(ctx: _Context, head: Token) -> Speaker | None:
    """The speaker a subject head token names, resolved as far as the text allows.

    A token of markup-like text (a tag name in ``<script>``, an attribute) never names a speaker.
    """
    doc = ctx.doc
    lower = head.lower_
    if _markup(ctx.text, head.idx, head.idx + len(head)):
        return None
    if lower in PERSONAL or lower in ("they", "we"):
        resolved = ctx.last_person_before(head.idx) if lower in PERSONAL else None
        if isinstance(resolved, Speaker):
            return Speaker(head.idx, head.idx + len(head), resolved.name, resolved.actor, resolved.role, False, True)
        if isinstance(resolved, _Name):
            return Speaker(head.idx, head.idx + len(head), resolved.full, resolved.actor,
                           _record_role(ctx, resolved.actor), False, True)
        return Speaker(head.idx, head.idx + len(head), None, None, None, False, lower in PERSONAL)
    if lower in FIRST_PERSON or lower == "we":
        author = ctx.authors[0] if ctx.authors and ctx.in_quote(head.idx) is None and lower != "we" else None
        return Speaker(head.idx, head.idx + len(head), author, None, None, False, True)
    if lower in RELATIVE and head.tag_ in ("WP", "WDT"):
        antecedent = head.head.head if head.head.dep_ == "relcl" else None
        inner = _speaker(ctx, antecedent) if antecedent is not None and antecedent.i != head.i else None
        if inner is None:
            return Speaker(head.idx, head.idx + len(head), None, None, None, False, False)
        return Speaker(head.idx, head.idx + len(head), inner.name, inner.actor, inner.role, inner.anonymous,
                       inner.person)
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
    name_head = head
    appos = _appositive(head)
    names = ctx.names_in(start, end)
    person_names = [n for n in names if n.person]
    if not person_names and appos is not None:
        # "the Russian journalist Konstantin Eggert": the name is the apposition, the head the role.
        a_left, a_right = _np_tokens(appos)
        appos_names = [n for n in ctx.names_in(doc[a_left].idx, doc[a_right - 1].idx + 1) if n.person]
        if appos_names and head.pos_ == "NOUN":
            role = _role_text(span)
            name = appos_names[0]
            return _from_name(ctx, name, doc[a_left].idx, doc[a_right - 1].idx + len(doc[a_right - 1]), role)
    if appos is not None:
        a_left, a_right = appos.left_edge.i, appos.right_edge.i + 1
        role = _role_text(doc[a_left:a_right])
    if person_names:
        name = max(person_names, key=lambda n: (n.end - n.start))
        if role is None and name.start > start:
            # "U.S. Secretary of State Rex Tillerson": the words before the name are the role.
            before = doc.char_span(start, name.start, alignment_mode="contract")
            if before is not None and any(t.pos_ in ("NOUN", "PROPN") for t in before):
                role = _role_text(before)
        return _from_name(ctx, name, start, end, role)
    del name_head
    actor_names = [n for n in names if n.actor is not None]
    anonymous = (head.lemma_.lower() in ANONYMOUS_HEADS or head.lower_ in ANONYMOUS_HEADS) and not any(
        t.pos_ == "PROPN" and t.ent_type_ == "PERSON" for t in span)
    if actor_names:
        name = max(actor_names, key=lambda n: (n.end - n.start))
        text = span.text if anonymous else name.full
        return Speaker(start, end, text, name.actor, role or _record_role(ctx, name.actor), anonymous, False)
    if names and not anonymous:
        name = max(names, key=lambda n: (n.end - n.start))
        return Speaker(start, end, name.full if (name.end - name.start) * 2 >= end - start else span.text,
                       None, role, False, False)
    if head.pos_ not in ("NOUN", "PROPN", "PRON", "NUM", "ADJ"):
        return None
    return Speaker(start, end, span.text, None, role, anonymous, False)


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _record_role(ctx: _Context, actor: str | None) -> str | None:
    record = ctx.records.get(actor) if actor else None
    return record.role if record is not None else None


def _from_name(ctx: _Context, name: _Name, start: int, end: int, role: str | None) -> Speaker:
    return Speaker(start, end, name.full, name.actor, role or _record_role(ctx, name.actor), False, name.person)


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
                    avoid and avoid[0] <= child.idx < avoid[1]):
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
            if node.dep_ == "advcl" and node.tag_ != "VBG":
                break
            node = node.head
            continue
        break
    return _adjacent_name(verb)


def _adjacent_name(verb: Token) -> Token | None:
    """A name or pronoun right next to a cue the parser left without a subject ('Beck joked', 'said Smith')."""
    doc = verb.doc
    if verb.tag_ not in ("VBD", "VBZ", "VBP"):
        return None
    i = verb.i - 1
    if i >= 0 and (doc[i].pos_ == "PROPN" or doc[i].lower_ in PERSONAL or doc[i].lower_ == "they"):
        return doc[i]
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


def _make(ctx: _Context, speaker: Speaker | None, cue: str | None, start: int, end: int, direct: bool) -> dict[str, Any]:
    text = ctx.text
    if speaker is not None and speaker.person and speaker.name:
        ctx.person_speakers.append((speaker.start, speaker))
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
        "anonymous": bool(speaker and speaker.anonymous),
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
            if _is_cue_verb(node):
                node = _outermost_cue(node, outer)
                return node, _subject_of(node, outer)
            if node.pos_ == "NOUN" and node.lower_ in CUE_NOUNS:
                return node, _noun_speaker_token(node)
    # The quote is itself the clause a cue verb governs ("He said “...”" parsed with the cue inside).
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
        if node.sent.start != cue.sent.start:
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
    inside = sorted((q["start"], q["end"]) for q in indirect)
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
        found = _speech_tag(ctx, q) if _stands_alone(text, q) else None
        tagged = found is not None
        if found is None:
            found = _governing_cue(ctx, inner, outer)
        governed = found is not None
        paragraph = (_paragraph_of(text, q.open)[0], _paragraph_of(text, q.close)[1])
        if found is None and words > SCARE_MAX_WORDS:
            found = _colon_speaker(ctx, q)
        if found is None:
            found = _preceding_cue(ctx, q)
            governed = found is not None
        if found is None and words > SCARE_MAX_WORDS:
            sentences = [s for s in _sentences_of(doc, q.open, q.outer_end)]
            found = _nearest_cue(ctx, sentences, outer, paragraph)
            if found is None and sentences:
                # '"...," he said.' split off as a sentence of its own
                tail = _next_sentence(doc, sentences[-1])
                if (tail is not None and "\n" not in text[q.outer_end:tail.start_char] and len(tail) <= 12
                        and ctx.in_quote(tail.start_char) is None):
                    found = _nearest_cue(ctx, [tail], outer, paragraph)
        if found is None and words > SCARE_MAX_WORDS:
            found = _tail_verb(ctx, q)

        if found is None and not governed and words <= SCARE_MAX_WORDS:
            continue
        if found is None:
            if _continue_previous(ctx, out, q):
                continue
            if unattributed and _stands_alone(text, q) and words >= UNATTRIBUTED_MIN_WORDS:
                out.append(_make(ctx, None, None, q.start, q.end, True))
            continue
        cue, subject = found
        if not governed and not tagged and words <= SCARE_MAX_WORDS:
            continue
        speaker = _speaker(ctx, subject) if subject is not None else None
        if speaker is not None and speaker.start < q.outer_end and q.open < speaker.end:
            speaker = None
        if cue.i in used and _continue_previous(ctx, out, q):
            continue  # '"A," he said. "B."' parsed with the cue governing both
        used.add(cue.i)
        cue_text = ":" if cue.text == ":" else "according to" if cue.lower_ == "according" else _cue_text(cue)
        if speaker is None and _continue_previous(ctx, out, q):
            continue
        if speaker is None and not unattributed:
            continue
        out.append(_make(ctx, speaker, cue_text, q.start, q.end, True))
    return out


#: A quote with no cue and no speaker is kept (speaker null) only when it stands as its own sentences
#: and has at least this many words; shorter or embedded ones are mentions, titles or scare quotes.
UNATTRIBUTED_MIN_WORDS = 8
LOWER_WORDS = _words("a an the and or of in on at to for with by from as is are be vs")


def _stands_alone(text: str, q: QuoteSpan) -> bool:
    """Whether a quote is whole sentences: it opens a paragraph or follows a sentence end."""
    before = text[:q.open].rstrip()
    return not before or before[-1] in ".!?:\n”\"’"


def _title_like(text: str, start: int, end: int, words: int) -> bool:
    """A short quoted span in Title Case ("Good Morning America", "This Week"): a title, not words said."""
    if words > 6 or words == 0:
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


def _continue_previous(ctx: _Context, out: list[dict[str, Any]], q: QuoteSpan) -> bool:
    """Extend the previous direct quote over ``q`` when ``q`` continues it with no cue of its own.

    '"A," Kofman said. "B."' and a following paragraph that is all quote are one attribution: the
    record's content runs from the first quoted word to the last, its ``parts`` list the quoted
    stretches.
    """
    if not out or not out[-1]["direct"] or out[-1]["speaker"] is None and out[-1]["speaker_span"] is None:
        return False
    previous = out[-1]
    between = ctx.text[previous["end"]:q.open]
    if len(between) > CONTINUATION_GAP or between.count("\n") > 2:
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
                            or doc[left].is_punct and doc[left].text not in "“\"«"):
        left += 1
    while right > left and doc[right].is_punct and doc[right].text not in "”\"’":
        right -= 1
    return doc[left].idx, doc[right].idx + len(doc[right])


def _minus(span: tuple[int, int], hole: tuple[int, int], text: str) -> tuple[int, int]:
    """``span`` without ``hole`` when the hole sits at one of its ends (the cue clause before or after)."""
    start, end = span
    if hole[0] <= start < hole[1]:
        start = hole[1]
    if hole[0] < end <= hole[1]:
        end = hole[0]
    while start < end and (text[start].isspace() or text[start] in ",;:—–-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—–-."):
        end -= 1
    return start, end


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
    if token.tag_ not in ("VBD", "VBZ", "VBP"):
        return None
    doc = token.doc
    sent = token.sent
    tail = doc[token.i + 1:sent.end]
    before = doc[token.i - 1] if token.i > sent.start else None
    if before is not None and before.text == "," and tail:
        # "..., said Smith."
        words = [t for t in tail if not t.is_punct and not t.is_space]
        if 0 < len(words) <= 8 and words[0].pos_ in ("PROPN", "DET", "ADJ", "NOUN") and not any(
                t.pos_ in ("VERB", "AUX") for t in words):
            head = next((t for t in words if t.head.i == token.i or not (tail.start <= t.head.i < tail.end)),
                        words[-1])
            start, end = sent.start_char, before.idx
            return head, (start, end)
        return None
    if any(t.dep_ not in TRAILING_DEPS or t.pos_ in ("VERB", "AUX") for t in tail if not t.is_space):
        return None
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
    taken: list[tuple[int, int]] = []
    for token in doc:
        if token.i in used or ctx.in_quote(token.idx) is not None:
            continue
        content: tuple[int, int] | None = None
        subject: Token | None = None
        cue_text: str | None = None
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
        elif _is_cue_verb(token):
            lemma = token.lemma_.lower()
            comp = [c for c in token.children if c.dep_ == "ccomp"]
            if not comp and lemma in XCOMP_CUES:
                comp = [c for c in token.children if c.dep_ == "xcomp"]
            if not comp:
                comp = _misattached_clause(token)
            subject = _subject_of(token)
            if comp:
                content = _clause_span(comp[0])
                # The content may run on with a conjoined clause ("that X and that Y")
            elif token.dep_ in ("parataxis", "ccomp", "advcl") and token.head.i != token.i and token.i > token.head.i:
                # "..., a reliable diplomatic source told me." with the cue hanging on the content's verb
                if lemma in WEAK_CUES or subject is None:
                    continue
                if not any(t.is_punct for t in doc[token.head.right_edge.i if token.head.right_edge.i < token.left_edge.i
                                                  else token.left_edge.i - 1:token.left_edge.i]):
                    continue
                head = token.head
                content = _minus((head.left_edge.idx, head.right_edge.idx + len(head.right_edge)),
                                 (token.left_edge.idx, token.right_edge.idx + len(token.right_edge)), text)
            else:
                found = _postposed(token)
                if found is None:
                    continue
                subject, content = found
            cue_text = _cue_text(token)
        else:
            continue
        if content is None or subject is None:
            continue
        paragraph = _paragraph_of(text, token.idx)
        content = _trim(text, max(content[0], paragraph[0]), min(content[1], paragraph[1]))
        opening = ctx.in_quote(content[0])
        if (opening is not None and content[0] <= opening.start and opening.outer_end < content[1]
                and (text[opening.start:opening.close].rstrip()[-1:] in (",", ".", "!", "?", ";", ":")
                     or text[opening.outer_end:opening.outer_end + 1] in (",", ";", "."))):
            # The clause opens with a whole quote, closed by its own punctuation, and runs on past the
            # closing mark ('said: "...," and the delegation left'): what was said is the quote (the
            # direct pass attributes it). A partial quote running on ('that "I support" the law') stays.
            content = opening.start, opening.end
        if content[1] - content[0] < 3:
            continue
        if any(s < content[1] and content[0] < e for s, e in taken) or _mostly_quoted(ctx, *content):
            continue
        speaker = _speaker(ctx, subject)
        if speaker is None:
            continue
        if speaker.start < content[1] and content[0] < speaker.end:
            continue
        direct_inside = DOUBLE_MARK.search(text, content[0], content[1]) is not None
        out.append(_make(ctx, speaker, cue_text, content[0], content[1], direct_inside))
        taken.append(content)
        used.add(token.i)
    return out


def find_quotes(doc: Doc, mentions: Iterable[Mention] = (), actors: Sequence[ActorRecord] | None = None, *,
                authors: Sequence[str] = (), unattributed: bool = False) -> list[dict[str, Any]]:
    """Quotes and indirect speech in ``doc``, each with its speaker, in text order (SCHEMA.md ``quotes``).

    ``mentions`` are the actor mentions found in the same text (speakers overlapping one take its
    actor); without them, spaCy's PERSON/ORG/NORP/GPE entities stand in. ``authors`` are the
    article's bylines: "I" outside quotes is the first author. Quotes whose speaker the text does not
    give are left out unless ``unattributed`` is set (then they come with ``speaker_span`` null).
    """
    ctx = _Context(doc, sorted(mentions, key=lambda m: (m.start, m.end)), actors, authors, quote_spans(doc.text))
    used: set[int] = set()
    indirect = _indirect_quotes(ctx, used)
    direct = _direct_quotes(ctx, used, indirect, unattributed=unattributed)
    quotes = direct + indirect
    quotes.sort(key=lambda q: (q["start"], q["end"]))
    return quotes
