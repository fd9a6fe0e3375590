"""Persuasion-technique rules: word lists and patterns that are precise on their own.

The lists live in ``narrascope/data/techniques.tsv`` (technique, kind, term; its header explains
the kinds). Every rule is general: a lexicon entry or a pattern, never a phrase of one article.
A rule span carries its ``rule`` (its kind); how far to trust it is not the rule's to say: the
calibrated confidence model of ``narrascope.analysis.techniques`` weighs each kind on gold data.

- ``word``: the matched word or phrase (Loaded_Language "bellicose", Slogans "America First").
- ``label``: a pejorative label noun, spanning its noun phrase ("the dictatorship", "the Kim
  regime"); not a compound modifier ("regime change") nor a technical regime ("sanctions regime").
- ``figure`` + comparison ``pattern`` (Guilt_by_Association): a sentence comparing someone with
  reviled figures ("the same dish that it served Saddam Hussein, Slobodan Milosevic and ..."): the
  span runs from the comparison cue to the last figure; two or more figures listed together with
  a cue, or one figure right after the cue.
- ``source`` (Appeal_to_Authority): an unnamed source whose credibility the writer vouches for,
  used as proof ("a reliable diplomatic source told me", "well-informed sources say"). A plain
  attribution ("officials said", "a senior official told Reuters") is reporting, not an appeal:
  the source needs a credibility word (``credibility`` terms) or must be the writer's own ("told
  me", "told us").
- ``expert`` (Appeal_to_Authority): a person named with an expert's credentials in apposition,
  in a sentence that reports what they say or think ("Jennifer Lind, associate professor of
  government at Dartmouth College, wrote"); and quotes (from the quotes stage) whose speaker has
  such a role. Offices (minister, spokesman, official) are not credentials: "X, a spokesman for the
  ministry, said" is attribution.
- ``smear`` (Questioning_the_Reputation): a noun phrase with a smearing modifier ("A politician
  beset by an investigation into his electoral campaign"), to the end of the clause.
- ``pattern``: the regular expression's match (or its group named ``span``).
- ``sentence``: the whole sentence the regular expression occurs in (Appeal_to_Fear-Prejudice
  "could fall into the hands of", False_Dilemma-No_Choice "the only way", Appeal_to_Time...).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .nlp import doc_text, span_text

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

__all__ = ["LEXICON_PATH", "PRIOR_FACTS", "RULE_PRIORS", "Lexicon", "load_lexicon", "rule_kinds", "rule_prior",
           "rule_spans", "segments", "trim"]

LEXICON_PATH = Path(__file__).resolve().parent.parent / "data" / "techniques.tsv"

#: (technique or "*", kind) -> the precision a rule kind is expected to have before any gold is seen.
#: The confidence model starts each kind from it (``PRIOR_FACTS`` pseudo-facts at this precision,
#: ``narrascope.analysis.train.fit_confidence``): a kind the gold data shows often is judged by the
#: gold, one it hardly shows (a comparison with Saddam Hussein, a source "who told me") keeps its prior.
RULE_PRIORS: dict[tuple[str, str], float] = {
    ("Slogans", "word"): 0.7,
    ("Slogans", "pattern"): 0.7,
    ("Guilt_by_Association", "figure"): 0.7,
    ("Appeal_to_Authority", "source"): 0.7,
    ("Appeal_to_Fear-Prejudice", "sentence"): 0.6,
    ("*", "word"): 0.5,
    ("*", "label"): 0.5,
    ("*", "expert"): 0.5,
    ("*", "smear"): 0.5,
    ("*", "pattern"): 0.5,
    ("*", "sentence"): 0.5,
}
#: How many facts a rule kind's prior weighs in the fit.
PRIOR_FACTS = 10

_TRIM = " \n\t\r.,:;"
_RUNS_ON = re.compile(r"[ \t]+(?!(?:slogan|motto|mantra|chant|rallying)\b)[a-z]")
_SPEECH_LEMMAS = frozenset({
    "say", "tell", "write", "argue", "explain", "warn", "note", "point", "insist", "believe", "claim", "add",
    "confirm", "conclude", "predict", "suggest", "observe", "state", "stress", "assert", "contend", "think",
    "estimate", "caution", "acknowledge", "admit", "report", "reveal", "describe", "call"})
_TECHNICAL_REGIMES = frozenset({
    "sanction", "sanctions", "visa", "tax", "trade", "control", "inspection", "legal", "security", "ceasefire",
    "nonproliferation", "non-proliferation", "proliferation", "export", "customs", "monitoring", "regulatory",
    "treaty", "verification", "safeguards", "currency", "exchange", "training", "diet", "fitness", "drug",
    "treatment", "dosing", "climate", "tariff", "privacy"})
#: Words that may stand before a source noun; only the lexicon's ``credibility`` terms make it an appeal.
_SOURCE_ADJ = ("reliable|senior|informed|well-placed|well-informed|highly[- ]placed|high-ranking|high-level|"
               "knowledgeable|trusted|credible|independent|leading|top|respected|authoritative|impeccable|"
               "unimpeachable|diplomatic|government|military|intelligence|western|european|american|russian|"
               "chinese|official|administration|security|defense|defence|ministry|kremlin|white house|pentagon|"
               "state department|u\\.s\\.|us|un")
_SPEECH = ("told|tell|tells|said|say|says|confirmed|confirms|revealed|reveals|explained|explains|disclosed|"
           "warned|warns|believe|believes|insisted|insists|claimed|claims|noted|notes|argued|argues")


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """PTC's span convention: no leading or trailing space, newline, period, comma, colon, semicolon."""
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


@dataclass(frozen=True)
class Lexicon:
    """The compiled word lists and patterns of ``techniques.tsv``."""

    #: technique -> one alternation of its words
    words: dict[str, re.Pattern[str]]
    labels: re.Pattern[str] | None
    figures: re.Pattern[str] | None
    comparisons: tuple[re.Pattern[str], ...]
    experts: re.Pattern[str] | None
    source: re.Pattern[str] | None
    credibility: re.Pattern[str] | None
    smears: re.Pattern[str] | None
    #: (technique, compiled) for kind "pattern" (Guilt_by_Association comparisons excluded)
    patterns: tuple[tuple[str, re.Pattern[str]], ...]
    sentences: tuple[tuple[str, re.Pattern[str]], ...]


def _alternation(terms: Sequence[str], *, flags: int = re.I) -> re.Pattern[str] | None:
    if not terms:
        return None
    body = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in sorted(set(terms), key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", flags)


@lru_cache(maxsize=4)
def load_lexicon(path: str = "") -> Lexicon:
    """Read and compile ``techniques.tsv`` (or a file in the same format at ``path``)."""
    from .types import TECHNIQUES

    raw: dict[tuple[str, str], list[str]] = {}
    target = Path(path) if path else LEXICON_PATH
    for n, line in enumerate(target.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or parts[0] not in TECHNIQUES:
            raise ValueError(f"{target}:{n}: expected 'technique<TAB>kind<TAB>term' with a SemEval-2023 name")
        raw.setdefault((parts[0], parts[1]), []).append(parts[2])
    words: dict[str, re.Pattern[str]] = {}
    patterns: list[tuple[str, re.Pattern[str]]] = []
    sentences: list[tuple[str, re.Pattern[str]]] = []
    comparisons: tuple[re.Pattern[str], ...] = ()
    for (technique, kind), terms in raw.items():
        # Slogans are matched case-sensitively: "Never again" the slogan, not "never again" in a sentence.
        flags = 0 if technique == "Slogans" else re.I
        if kind == "word":
            compiled = _alternation(terms, flags=flags)
            if compiled is not None:
                words[technique] = compiled
        elif kind == "pattern" and technique == "Guilt_by_Association":
            comparisons = tuple(re.compile(t, re.I) for t in terms)
        elif kind == "pattern":
            patterns.extend((technique, re.compile(t, flags | re.M)) for t in terms)
        elif kind == "sentence":
            sentences.extend((technique, re.compile(t, flags)) for t in terms)
    expert_terms = raw.get(("Appeal_to_Authority", "expert"), [])
    source_terms = raw.get(("Appeal_to_Authority", "source"), [])
    source = None
    if source_terms:
        nouns = "|".join(re.escape(t) for t in sorted(set(source_terms), key=len, reverse=True))
        source = re.compile(
            rf"(?<![\w-])(?:(?:a|an|one|two|three|several|some|many|the|other)\s+)?"
            rf"(?P<adj>(?:(?:{_SOURCE_ADJ})[\s-]+){{0,3}})(?:{nouns})"
            rf"(?:\s+(?:close\s+to|familiar\s+with|in|at|from|inside|within|with\s+knowledge\s+of)(?:\s+[\w'’.-]+){{1,4}}?)?"
            rf",?\s+(?:{_SPEECH})(?![\w-])(?:\s+(?:(?P<own>me|us)|reporters|journalists)(?![\w-]))?", re.I)
    return Lexicon(
        words=words,
        labels=_alternation(raw.get(("Name_Calling-Labeling", "label"), [])),
        figures=_alternation(raw.get(("Guilt_by_Association", "figure"), []), flags=0),
        comparisons=comparisons,
        experts=_alternation(expert_terms),
        source=source,
        credibility=_alternation(raw.get(("Appeal_to_Authority", "credibility"), [])),
        smears=_alternation(raw.get(("Questioning_the_Reputation", "smear"), [])),
        patterns=tuple(patterns),
        sentences=tuple(sentences),
    )


def rule_prior(technique: str, kind: str) -> float:
    """The prior precision of a rule kind (``RULE_PRIORS``)."""
    return RULE_PRIORS.get((technique, kind), RULE_PRIORS.get(("*", kind), 0.5))


def rule_kinds(lexicon: Lexicon | None = None) -> list[tuple[str, str]]:
    """Every (technique, kind) the rules can emit with the lexicon."""
    lex = lexicon or load_lexicon()
    kinds = {(name, "word") for name in lex.words}
    kinds |= {(name, "pattern") for name, _ in lex.patterns} | {(name, "sentence") for name, _ in lex.sentences}
    if lex.labels is not None:
        kinds.add(("Name_Calling-Labeling", "label"))
    if lex.figures is not None and lex.comparisons:
        kinds.add(("Guilt_by_Association", "figure"))
    if lex.source is not None:
        kinds.add(("Appeal_to_Authority", "source"))
    if lex.experts is not None:
        kinds.add(("Appeal_to_Authority", "expert"))
    if lex.smears is not None:
        kinds.add(("Questioning_the_Reputation", "smear"))
    return sorted(kinds)


def _span(name: str, kind: str, start: int, end: int) -> dict[str, Any]:
    return {"name": name, "start": start, "end": end, "source": "rule:" + kind}


def segments(doc: Doc) -> list[Span]:
    """Sentences, cut again at line breaks (headlines, list items and paragraphs never run together)."""
    out: list[Span] = []
    for sent in doc.sents:
        begin = sent.start
        for tok in sent:
            if "\n" in tok.text:
                if tok.i > begin:
                    out.append(doc[begin:tok.i])
                begin = tok.i + 1
        if sent.end > begin:
            out.append(doc[begin:sent.end])
    return [s for s in out if any(not t.is_punct and not t.is_space for t in s)]


def rule_spans(doc: Doc, quotes: Sequence[dict[str, Any]] = (), *, lexicon: Lexicon | None = None,
               text: str | None = None, segs: Sequence[Span] | None = None) -> list[dict[str, Any]]:
    """Every rule's spans in ``doc`` (unsorted, possibly overlapping; ``find_techniques`` merges).

    ``text`` (``doc.text``) and ``segs`` (``segments(doc)``) may be passed in when the caller has them:
    spaCy rebuilds ``doc.text`` on every access."""
    lex = lexicon or load_lexicon()
    text = doc_text(doc) if text is None else text
    segs = segments(doc) if segs is None else segs
    out: list[dict[str, Any]] = []
    for name, pattern in lex.words.items():
        for m in pattern.finditer(text):
            if name == "Slogans" and _RUNS_ON.match(text, m.end()):
                continue  # "Never again did they meet": a slogan stands alone, quoted or before "slogan"
            out.append(_span(name, "word", m.start(), m.end()))
    for name, pattern in lex.patterns:
        for m in pattern.finditer(text):
            start, end = (m.start("span"), m.end("span")) if "span" in pattern.groupindex else (m.start(), m.end())
            out.append(_span(name, "pattern", start, end))
    for seg in segs:
        seg_text = span_text(seg)
        for name, pattern in lex.sentences:
            if pattern.search(seg_text):
                out.append(_span(name, "sentence", seg.start_char, seg.end_char))
    out.extend(_labels(doc, text, lex))
    out.extend(_guilt_by_association(segs, lex))
    out.extend(_authority(doc, text, lex, quotes))
    out.extend(_reputation(doc, segs, lex))
    return out


def _labels(doc: Doc, text: str, lex: Lexicon) -> list[dict[str, Any]]:
    if lex.labels is None:
        return []
    chunks: dict[int, Span] | None = None  # noun chunks, worked out at the first label only
    out = []
    for m in lex.labels.finditer(text):
        label = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if label is None:
            continue
        head = label[-1]
        if head.dep_ in ("compound", "amod") and head.head.i > head.i:
            continue  # "regime change", "dictator-style"
        modifiers = {t.lower_ for t in head.lefts} | {doc[head.i - 1].lower_ if head.i else ""}
        if head.lemma_.lower() == "regime" and modifiers & _TECHNICAL_REGIMES:
            continue
        if head.i + 1 < len(doc) and doc[head.i + 1].lower_ == "of" and head.lemma_.lower() == "regime":
            continue  # "a regime of sanctions", "the regime of the strait"
        if chunks is None:
            chunks = {tok.i: noun_chunk for noun_chunk in doc.noun_chunks for tok in noun_chunk}
        chunk = chunks.get(head.i)
        start, end = (chunk.start_char, chunk.end_char) if chunk is not None and chunk.root.i == head.i else (
            m.start(), m.end())
        span = _span("Name_Calling-Labeling", "label", start, end)
        if head.lemma_.lower() == "regime":
            span["detail"] = "regime"  # "the Iranian regime" is often plain usage, "the dictatorship" is not
        out.append(span)
    return out


def _guilt_by_association(segs: Sequence[Span], lex: Lexicon) -> list[dict[str, Any]]:
    if lex.figures is None or not lex.comparisons:
        return []
    out = []
    for seg in segs:
        seg_text = span_text(seg)
        figures = list(lex.figures.finditer(seg_text))
        if not figures:
            continue
        cues = [m for p in lex.comparisons for m in p.finditer(seg_text)]
        for cue in sorted(cues, key=lambda m: m.start()):
            after = [f for f in figures if f.start() >= cue.end()]
            if not after:
                continue
            # Figures listed together after the cue ("X, Y and Z"), or one right after it.
            near = [f for f in after if f.start() - cue.end() <= 60]
            if not near:
                continue
            last = near[0]
            for f in after[1:]:
                between = seg_text[last.end():f.start()]
                if len(between) <= 12 and re.fullmatch(r"[\s,]*(?:and|or|,)?[\s,]*(?:and\s+)?", between):
                    last = f
            listed = sum(1 for f in after if cue.end() <= f.start() <= last.start())
            if listed >= 2 or near[0].start() - cue.end() <= 25:
                out.append(_span("Guilt_by_Association", "figure", seg.start_char + cue.start(),
                                 seg.start_char + last.end()))
                break
    return out


def _authority(doc: Doc, text: str, lex: Lexicon, quotes: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    if lex.source is not None:
        for m in lex.source.finditer(text):
            # Proof, not attribution: the writer vouches for the source ("a reliable source", "told me").
            vouched = lex.credibility is not None and lex.credibility.search(m.group("adj") or "")
            if vouched or m.group("own"):
                out.append(_span("Appeal_to_Authority", "source", m.start(), m.end()))
    if lex.experts is not None:
        reporting: dict[int, bool] = {}  # sentence start -> whether it reports speech, worked out once
        sents = list(doc.sents)
        sent_starts = [sent.start for sent in sents]
        for ent in doc.ents:
            if ent.label_ != "PERSON" or ent.end >= len(doc) or doc[ent.end].text != ",":
                continue
            # The sentence of the name, by bisection (Span.sent walks the tokens to both ends of it);
            # a name across a sentence break keeps Span.sent's answer.
            sent = sents[bisect_right(sent_starts, ent.start) - 1]
            if ent.end > sent.end:
                sent = ent.sent
            # The appositive: after the comma, up to the next comma, bracket or sentence end (at most 20 tokens).
            stop = ent.end + 1
            while stop < min(sent.end, ent.end + 21) and doc[stop].text not in (",", ")", ";", "—", "–") \
                    and "\n" not in doc[stop].text:
                stop += 1
            if stop - ent.end < 3:
                continue
            appositive = doc[ent.end + 1:stop]
            if not lex.experts.search(appositive.text):
                continue
            reports = reporting.get(sent.start)
            if reports is None:  # once per sentence: a sentence of many names is not read once per name
                reports = reporting[sent.start] = any(
                    t.lemma_.lower() in _SPEECH_LEMMAS and t.pos_ == "VERB" for t in sent) or any(
                    t.text in ('"', "“", "”") for t in sent)
            if reports:
                out.append(_span("Appeal_to_Authority", "expert", ent.start_char, appositive.end_char))
    for q in quotes:
        speaker_span = q.get("speaker_span")
        role = q.get("speaker_role") or ""
        if not speaker_span or not role or lex.experts is None or not lex.experts.search(role):
            continue  # an anonymous or unqualified speaker is attribution, not an appeal to authority
        start, end = int(speaker_span["start"]), int(speaker_span["end"])
        if 0 <= start < end <= len(text):
            out.append(_span("Appeal_to_Authority", "expert", start, end))
    return out


def _reputation(doc: Doc, segs: Sequence[Span], lex: Lexicon) -> list[dict[str, Any]]:
    if lex.smears is None:
        return []
    out = []
    for seg in segs:
        for m in lex.smears.finditer(span_text(seg)):
            cue = doc.char_span(seg.start_char + m.start(), seg.start_char + m.end(), alignment_mode="expand")
            if cue is None:
                continue
            # Back to the start of the noun phrase the cue modifies ("A politician beset by ...").
            begin = cue.start
            for chunk in seg.noun_chunks:
                if chunk.end == cue.start or (chunk.end == cue.start - 1 and doc[chunk.end].text == ","):
                    begin = chunk.start
            # On to the end of the clause.
            stop = cue.end
            while stop < seg.end and doc[stop].text not in (",", ";", "—", "–", ".", "!", "?"):
                stop += 1
            out.append(_span("Questioning_the_Reputation", "smear", doc[begin].idx,
                             doc[stop - 1].idx + len(doc[stop - 1].text)))
    return out
