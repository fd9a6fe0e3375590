"""Stance: how the author and each quoted speaker lean toward the actors they write or speak about.

A lexicon method, chosen because every score must be explainable by the words it came from:

- Valence of a word comes from the VADER lexicon (shipped inside the pinned ``vaderSentiment``
  package, no download) overridden by ``narrascope/data/stance_lexicon.tsv``, our political-news
  additions ("dictatorship", "bellicose", "meddling"...). A word is negated when it or its head has
  a ``neg`` dependent or a negator stands in the three tokens before it. Words inside an actor's
  own name ("Islamic State") do not count.
- The author's stance toward an actor is the mean normalised valence (v / sqrt(v^2 + 15), as VADER
  normalises) of the author's own sentences that mention the actor: sentence text outside any
  quote. Words that judge the mention itself count ``LOCAL_WEIGHT`` times more: the noun the name
  modifies and its adjectives ("North Korea's regime", "the North Korean dictatorship"), or the
  predicate and verbs of a name that is the subject ("Assad looks lucky", "Moscow is trying to
  spoil"). A quoted speaker's stance toward an actor is the valence of the quote content that
  mentions it.
- Evidence: the spans (sentences or quote contents) that weighed most in the direction of the
  result, so an analyst can check the sign by reading them.

Stances toward persons and organisations come first, then states: a state's stance includes its
people's mentions (the actors stage records "Lavrov" as a mention of Russia too).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from .types import ActorRecord

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = ["find_stances", "lexicon", "span_valence"]

ALPHA = 15.0
NEGATORS = frozenset({"not", "no", "never", "n't", "nothing", "neither", "nor", "without", "hardly", "barely"})
MAX_EVIDENCE = 3
MIN_ABS = 0.05  # below this a stance is reported as 0 (neutral), never as a sign from noise
LOCAL_WEIGHT = 2.0  # a word that judges the mention itself weighs this much more than the sentence


@lru_cache(maxsize=1)
def lexicon() -> dict[str, float]:
    """Word -> valence in [-4, 4]: VADER's lexicon with our domain additions on top."""
    import vaderSentiment

    words: dict[str, float] = {}
    vader = resources.files(vaderSentiment).joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
    for line in vader.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            words[parts[0]] = float(parts[1])
    ours = resources.files("narrascope").joinpath("data/stance_lexicon.tsv").read_text(encoding="utf-8")
    for line in ours.splitlines():
        if line.strip() and not line.startswith("#"):
            word, value = line.split("\t")
            words[word] = float(value)
    return words


def _normalise(v: float) -> float:
    return v / math.sqrt(v * v + ALPHA)


def _token_valence(doc: Doc, tok: Token, floor: int) -> float:
    words = lexicon()
    value = words.get(tok.lower_)
    if value is None:
        value = words.get(tok.lemma_.lower())
    if value is None:
        return 0.0
    negated = any(c.dep_ == "neg" for c in tok.children) or any(c.dep_ == "neg" for c in tok.head.children) \
        or any(t.lower_ in NEGATORS for t in doc[max(floor, tok.i - 3):tok.i])
    return -0.74 * value if negated else value  # VADER's negation scalar


def span_valence(doc: Doc, start: int, end: int, skip: frozenset[int] = frozenset()) -> float:
    """Summed valence of the tokens of ``doc`` in characters [start, end), negation applied.

    ``skip`` holds token indices that do not count (actor names).
    """
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return 0.0
    return sum(_token_valence(doc, tok, span.start) for tok in span
               if tok.i not in skip and not tok.is_punct and not tok.is_space)


#: Dependencies by which a name modifies the noun that carries the judgement ("North Korea's
#: regime", "the North Korean dictatorship", "Kremlin propaganda").
MODIFIER_DEPS = frozenset({"poss", "compound", "amod", "nmod", "npadvmod"})
#: A subject's judgement sits in the predicate: "Assad looks lucky", "the regime is brutal".
PREDICATE_DEPS = frozenset({"acomp", "attr", "oprd"})


def local_tokens(doc: Doc, start: int, end: int) -> list[Token]:
    """The words that judge a mention directly: the noun it modifies and that noun's adjectives,
    or, for a subject, the predicate adjective or noun and the verbs of what it does."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return []
    inside = set(range(span.start, span.end))
    head = span.root
    if head.dep_ in MODIFIER_DEPS and head.head.i not in inside:
        head = head.head
    out = [head] if head.i not in inside else []
    out += [c for c in head.children if c.dep_ == "amod" and c.i not in inside]
    if head.dep_ in ("nsubj", "nsubjpass"):
        verb = head.head
        for pred in verb.children:
            if pred.dep_ in PREDICATE_DEPS:
                out.append(pred)
                out += [c for c in pred.children if c.dep_ == "amod"]
        # What the actor does: the verb and the verbs it chains to ("is trying to spoil").
        chain = [verb]
        while chain[-1].pos_ in ("VERB", "AUX") and len(chain) < 4:
            nxt = next((c for c in chain[-1].children if c.dep_ == "xcomp"), None)
            if nxt is None:
                break
            chain.append(nxt)
        out += [v for v in chain if v.pos_ == "VERB"]
    return out


@dataclass
class _Evidence:
    start: int
    end: int
    value: float


def _sentences_outside_quotes(doc: Doc, quotes: list[dict[str, Any]]) -> list[Span]:
    quoted = [(q["start"], q["end"]) for q in quotes]
    out = []
    for sent in doc.sents:
        inside = sum(max(0, min(sent.end_char, e) - max(sent.start_char, s)) for s, e in quoted)
        if inside < 0.5 * (sent.end_char - sent.start_char):
            out.append(sent)
    return out


def _stance(holder: str, target: str, pieces: list[_Evidence]) -> dict[str, Any] | None:
    if not pieces:
        return None
    polarity = sum(p.value for p in pieces) / len(pieces)
    if abs(polarity) < MIN_ABS:
        polarity = 0.0
    sign = 1 if polarity >= 0 else -1
    best = sorted((p for p in pieces if p.value * sign > 0), key=lambda p: -abs(p.value))[:MAX_EVIDENCE]
    return {"holder": holder, "target": target, "polarity": round(polarity, 3),
            "evidence": [{"start": p.start, "end": p.end} for p in sorted(best, key=lambda p: p.start)]}


def find_stances(doc: Doc, actors: list[ActorRecord], quotes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stances of the author and of quoted speakers toward the article's actors (SCHEMA ``stances``)."""
    name_tokens = frozenset(
        t.i for a in actors for m in a.mentions
        for t in (doc.char_span(m.start, m.end, alignment_mode="expand") or ()))
    author_sents = _sentences_outside_quotes(doc, quotes)
    sent_value = {s.start_char: span_valence(doc, s.start_char, s.end_char, name_tokens) for s in author_sents}
    quote_value = [(q, _normalise(span_valence(doc, q["start"], q["end"], name_tokens))) for q in quotes
                   if q.get("speaker_actor")]
    ordered = sorted(actors, key=lambda a: (a.kind == "state", a.id))
    out: list[dict[str, Any]] = []
    for actor in ordered:
        starts = [m.start for m in actor.mentions]
        pieces = []
        for sent in author_sents:
            mine = [m for m in actor.mentions if sent.start_char <= m.start < sent.end_char]
            if not mine:
                continue
            local = sum(_token_valence(doc, t, sent.start) for m in mine for t in local_tokens(doc, m.start, m.end)
                        if t.i not in name_tokens)
            pieces.append(_Evidence(sent.start_char, sent.end_char,
                                    _normalise(sent_value[sent.start_char] + LOCAL_WEIGHT * local)))
        stance = _stance("author", actor.id, pieces)
        if stance is not None:
            out.append(stance)
        by_speaker: dict[str, list[_Evidence]] = {}
        for quote, value in quote_value:
            if quote["speaker_actor"] != actor.id and any(quote["start"] <= x < quote["end"] for x in starts):
                by_speaker.setdefault(quote["speaker_actor"], []).append(_Evidence(quote["start"], quote["end"], value))
        for speaker, speaker_pieces in sorted(by_speaker.items()):
            stance = _stance(speaker, actor.id, speaker_pieces)
            if stance is not None:
                out.append(stance)
    return out
