"""Persuasion techniques as spans, each with a calibrated confidence: rules and a small trained model.

``find_techniques(doc, quotes)`` returns SCHEMA.md ``techniques`` dicts:
``{"name", "start", "end", "text", "confidence", "score"}`` with ``name`` one of the 23 SemEval-2023
names, ``text == doc.text[start:end]``, ``score`` an alias of ``confidence``, sorted by offset. The
stage keeps the spans whose confidence reaches ``analysis.min_confidence.techniques``.

An ordered list of small steps:

1. **Candidates.** The rules (``narrascope.analysis.technique_rules``: word lists and patterns in
   ``narrascope/data/techniques.tsv``) and the trained model (``narrascope/data/models/techniques.joblib``,
   ``narrascope train techniques``): a token tagger for the short-span techniques (Loaded_Language,
   Name_Calling-Labeling; it learns Repetition too but never emits it, ``UNEMITTED``) and a sentence
   classifier for the sentence-long ones. A model
   candidate is any span whose probability reaches the model's (low) candidate threshold: what is
   shown is decided by the confidence, not by the candidate threshold.
2. **Clean.** PTC's span convention (no leading or trailing space or punctuation); a tagged span
   loses a leading or trailing connective ("lie and" -> "lie"). **No span on a function word nor
   on a lone token of three letters or fewer** ("and", "a", "the", "he", "man"): such spans are
   dropped, whichever step found them.
3. **Confidence.** Every candidate gets P(it overlaps a gold span of its technique), from readable
   features (which rule or model part found it, the model's probability, its length in words,
   whether another step found the same technique there, how loaded the whole article reads to
   the tagger) through a ``ConfidenceModel`` (``narrascope.analysis.confidence``) fitted on
   out-of-fold candidates of the training articles only and saved beside the model
   (``techniques.confidence.json``). Techniques PTC does not annotate are judged against the PTC
   class they were split from (``CALIBRATION_PROXY``).
4. **Fewer, stronger spans.** Of overlapping spans of the same technique only the most confident
   stays ("a reliable diplomatic source" inside "a reliable diplomatic source told me"), and one
   stretch of text carries one name (the most confident).

Model files are joblib pickles: only the shipped file or one the user trained and named in the
settings (``analysis.techniques_model``) is ever loaded.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from .confidence import ConfidenceModel, load_confidence_model
from .technique_rules import rule_spans, trim
from .types import TECHNIQUES

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = ["CALIBRATION_PROXY", "MODEL_PATH", "TechniqueModel", "clean_spans", "confidence_path", "find_techniques",
           "is_weak_span", "load_model", "model_card", "segments", "select_spans", "span_features", "strongest",
           "token_features"]

DATA = Path(__file__).resolve().parent.parent / "data"
MODEL_PATH = DATA / "models" / "techniques.joblib"
MODEL_FORMAT = 2
FIELD = "techniques"

#: Token-tagger techniques learnt (so their words do not blur the others) but never emitted: a word
#: repeated in an article is not a technique an annotator signs by itself (held-out precision of the
#: tagger's Repetition spans was 0.13 to 0.2, on any article repeating its subject).
UNEMITTED = frozenset({"Repetition"})

#: Techniques PTC does not annotate, judged for calibration against the PTC class SemEval-2023 split
#: them from (Questioning_the_Reputation was PTC's name calling and doubt about a person, Appeal_to_Hypocrisy
#: its whataboutism, Consequential_Oversimplification its causal oversimplification...).
CALIBRATION_PROXY: dict[str, frozenset[str]] = {
    "Questioning_the_Reputation": frozenset({"Name_Calling-Labeling", "Doubt"}),
    "Appeal_to_Hypocrisy": frozenset({"Whataboutism"}),
    "Consequential_Oversimplification": frozenset({"Causal_Oversimplification"}),
    "Appeal_to_Values": frozenset({"Flag_Waving"}),
    "Appeal_to_Time": frozenset({"Appeal_to_Fear-Prejudice", "Slogans"}),
    "Obfuscation-Vagueness-Confusion": frozenset({"Doubt"}),
}


# ---------------------------------------------------------------------------------------------
# Features shared by training and prediction


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


def _shape(tok: Token) -> str:
    text = tok.text
    if text.isupper() and len(text) > 1:
        return "UP"
    if text.istitle():
        return "Tt"
    if text.islower():
        return "lo"
    return "ot"


def _count_bucket(n: int) -> str:
    return "1" if n <= 1 else "2" if n == 2 else "3" if n <= 4 else "5"


def token_features(doc: Doc) -> tuple[list[int], list[dict[str, Any]]]:
    """Indices of the tokens the tagger labels (words, not spaces or punctuation) and their features."""
    lemma_counts = Counter(t.lemma_.lower() for t in doc if t.is_alpha and not t.is_stop)
    quote_depth = _quote_depth(doc)
    indices: list[int] = []
    feats: list[dict[str, Any]] = []
    n = len(doc)
    for tok in doc:
        if tok.is_space or tok.is_punct:
            continue
        lower = tok.lower_
        lemma = tok.lemma_.lower()
        prev = doc[tok.i - 1].lower_ if tok.i > 0 else "<s>"
        nxt = doc[tok.i + 1].lower_ if tok.i + 1 < n else "</s>"
        prev2 = doc[tok.i - 2].lower_ if tok.i > 1 else "<s>"
        nxt2 = doc[tok.i + 2].lower_ if tok.i + 2 < n else "</s>"
        f: dict[str, Any] = {
            "w=" + lower: 1, "l=" + lemma: 1, "t=" + tok.tag_: 1, "s=" + _shape(tok): 1,
            "suf=" + lower[-3:]: 1, "pre=" + lower[:4]: 1,
            "w-1=" + prev: 1, "w+1=" + nxt: 1, "w-2=" + prev2: 1, "w+2=" + nxt2: 1,
            "bi-=" + prev + "|" + lower: 1, "bi+=" + lower + "|" + nxt: 1,
            "dep=" + tok.dep_: 1, "hl=" + tok.head.lemma_.lower(): 1, "e=" + (tok.ent_type_ or "-"): 1,
            "t-1=" + (doc[tok.i - 1].tag_ if tok.i > 0 else "<s>"): 1,
            "t+1=" + (doc[tok.i + 1].tag_ if tok.i + 1 < n else "</s>"): 1,
        }
        if tok.is_stop:
            f["stop"] = 1
        else:
            f["rep=" + _count_bucket(lemma_counts[lemma])] = 1
            f["reptag=" + tok.pos_ + _count_bucket(lemma_counts[lemma])] = 1
        if quote_depth[tok.i]:
            f["inquote"] = 1
        if tok.text.isupper() and len(tok.text) > 2:
            f["caps"] = 1
        indices.append(tok.i)
        feats.append(f)
    return indices, feats


_OPEN_QUOTES = {"“", "‘", "«"}
_CLOSE_QUOTES = {"”", "’", "»"}


def _quote_depth(doc: Doc) -> list[bool]:
    """Per token: inside quote marks (straight marks toggle; curly ones open and close)."""
    inside = False
    out = []
    for tok in doc:
        t = tok.text
        if t == '"' or t in _OPEN_QUOTES or t in _CLOSE_QUOTES:
            if t == '"':
                inside = not inside
            elif t in _OPEN_QUOTES:
                inside = True
            elif t == "’" and tok.i + 1 < len(doc) and doc[tok.i + 1].is_alpha and tok.whitespace_ == "":
                pass  # an apostrophe inside a word
            else:
                inside = False
            out.append(False)
            continue
        if "\n" in t:
            inside = False
        out.append(inside)
    return out


# ---------------------------------------------------------------------------------------------
# The trained model


@dataclass
class TechniqueModel:
    """What ``narrascope train techniques`` saves: the two classifiers, their labels, candidate thresholds.

    ``confidence`` (the calibrated confidence model) is not pickled: it is the readable JSON file
    beside the model (``confidence_path``), attached by ``load_model``.
    """

    token_vectorizer: Any
    token_classifier: Any
    #: class order of ``token_classifier`` ("O" for no technique)
    token_labels: list[str]
    sentence_vectorizer: Any
    sentence_classifier: Any
    sentence_labels: list[str]
    meta: dict[str, Any]
    #: the least P(technique) of a tagged token, and of a sentence for a technique, to make a candidate
    token_candidate: float = 0.2
    sentence_candidate: float = 0.2
    confidence: ConfidenceModel | None = field(default=None, compare=False)

    def predict(self, doc: Doc) -> tuple[list[dict[str, Any]], float | None]:
        """Candidate spans (with ``source`` and ``p``) and the article's loadedness (see ``span_features``)."""
        tokens, loaded = self.predict_tokens(doc)
        return tokens + self.predict_sentences(doc), loaded

    def token_probabilities(self, doc: Doc) -> tuple[list[int], Any]:
        indices, feats = token_features(doc)
        if not indices:
            return [], None
        return indices, self.token_classifier.predict_proba(self.token_vectorizer.transform(feats))

    def predict_tokens(self, doc: Doc) -> tuple[list[dict[str, Any]], float | None]:
        indices, probs = self.token_probabilities(doc)
        if not indices:
            return [], None
        return (token_spans(doc, indices, probs, self.token_labels, self.token_candidate),
                loadedness(probs, self.token_labels))

    def predict_sentences(self, doc: Doc) -> list[dict[str, Any]]:
        segs = segments(doc)
        if not segs:
            return []
        probs = self.sentence_classifier.predict_proba(self.sentence_vectorizer.transform([s.text for s in segs]))
        return sentence_spans(doc, segs, probs, self.sentence_labels, self.sentence_candidate)


def loadedness(probs: Any, labels: Sequence[str]) -> float:
    """How loaded the article reads to the tagger: the mean P(some technique) of its words, as log-odds.

    Propaganda is dense; a stray loaded word in a sober wire report is less likely meant as one.
    """
    o = list(labels).index("O")
    mean = float(1.0 - probs[:, o].mean())
    mean = min(max(mean, 1e-4), 1 - 1e-4)
    return round(math.log(mean / (1 - mean)), 4)


def token_spans(doc: Doc, indices: Sequence[int], probs: Any, labels: Sequence[str], threshold: float,
                ) -> list[dict[str, Any]]:
    """Tagged tokens as candidate spans: a token is tagged when P(not "O") >= threshold, with its
    likeliest technique; neighbours with the same technique (adjacent, or through a hyphen or
    apostrophe) join one span, whose ``p`` is the highest of its tokens."""
    o = list(labels).index("O")
    others = [k for k in range(len(labels)) if k != o]
    spans: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    last_i = -10
    for row, i in zip(probs, indices, strict=True):
        p_tech = 1.0 - float(row[o])
        if p_tech < threshold:
            current = None
            continue
        name = str(labels[max(others, key=lambda k: row[k])])
        if name in UNEMITTED:
            current = None
            continue
        tok = doc[i]
        joins = current is not None and current["name"] == name and all(
            doc[j].text in "-'’" for j in range(last_i + 1, i))
        if joins and current is not None:
            current["end"] = tok.idx + len(tok.text)
            current["p"] = max(current["p"], p_tech)
        else:
            current = {"name": name, "start": tok.idx, "end": tok.idx + len(tok.text), "p": p_tech,
                       "source": "model:token"}
            spans.append(current)
        last_i = i
    for s in spans:
        s["p"] = round(s["p"], 4)
    return spans


def sentence_spans(doc: Doc, segs: Sequence[Span], probs: Any, labels: Sequence[str], threshold: float,
                   ) -> list[dict[str, Any]]:
    """Sentences whose probability for a technique reaches ``threshold``, as candidate spans of it."""
    out = []
    text = doc.text  # built anew on every access: once per article
    for seg, row in zip(segs, probs, strict=True):
        start, end = trim(text, seg.start_char, seg.end_char)
        if start >= end:
            continue
        for k, name in enumerate(labels):
            if row[k] >= threshold:
                out.append({"name": str(name), "start": start, "end": end, "p": round(float(row[k]), 4),
                            "source": "model:sentence"})
    return out


def confidence_path(model_path: str | Path = "") -> Path:
    """Where the confidence model of a techniques model file lives: beside it, ``<stem>.confidence.json``."""
    target = Path(model_path) if model_path else MODEL_PATH
    return target.with_suffix(".confidence.json")


@lru_cache(maxsize=4)
def load_model(path: str = "") -> TechniqueModel:
    """The shipped model, or the user's model at ``path`` (a file ``narrascope train techniques`` wrote),
    with its confidence model attached.

    Model files are pickles: load only the shipped file or one you trained yourself.
    """
    import joblib

    target = Path(path) if path else MODEL_PATH
    if not target.is_file():
        raise UsageError(f"techniques model {target} not found (train one with `narrascope train techniques`)")
    model = joblib.load(target)
    if not isinstance(model, TechniqueModel) or model.meta.get("format") != MODEL_FORMAT:
        raise UsageError(f"{target} is not a narrascope techniques model (format {MODEL_FORMAT}): retrain it "
                         "with `narrascope train techniques`")
    model.confidence = load_confidence_model(FIELD, str(confidence_path(target)))
    if model.confidence is None:
        raise UsageError(f"{confidence_path(target)} is missing: `narrascope train techniques` writes it beside "
                         "the model")
    return model


def model_card(path: str = "") -> dict[str, Any]:
    """The sidecar JSON of a model file (training data, split, versions, metrics)."""
    target = Path(path) if path else MODEL_PATH
    sidecar = target.with_suffix(".json")
    return json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.exists() else {}


# ---------------------------------------------------------------------------------------------
# Cleaning: no span on a function word or a lone short token


def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | {"’s", "'s", "n’t", "n't"}


FUNCTION_WORDS = _stop_words()
_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")
#: Connectives a tagged span neither starts nor ends with ("of ecclesial auto-demolition", "lie and").
_EDGE = frozenset({"and", "or", "but", "nor", "of", "to", "in", "on", "at", "for", "by", "with", "from", "as",
                   "that", "than", "so", "if", "into", "the", "a", "an", "’s", "'s"})
_EDGE_START = _EDGE - {"the", "a", "an"}


def is_weak_span(text: str) -> bool:
    """True for what no span may be: a lone token of three letters or fewer ("and", "man", "3d"),
    or nothing but function words ("a", "the", "he", "of the")."""
    words = _WORD.findall(text)
    if not words:
        return True
    if len(words) == 1 and sum(ch.isalpha() for ch in words[0]) <= 3:
        return True
    return all(w.lower() in FUNCTION_WORDS for w in words)


def _trim_edges(text: str, start: int, end: int) -> tuple[int, int]:
    """A tagged span without a leading connective or possessive, nor a trailing connective or article."""
    while start < end:
        m = re.match(r"(?:[^\W_]+|['’][a-z]+)(?=[\s,]|$)", text[start:end])
        if m is None or m.group(0).lower() not in _EDGE_START | {"’s", "'s"}:
            break
        start, end = trim(text, start + m.end(), end)
    while start < end:
        m = re.search(r"(?:^|[\s,])([^\W_]+)$", text[start:end])
        if m is None or m.group(1).lower() not in _EDGE:
            break
        start, end = trim(text, start, start + m.start(1))
    return start, end


def clean_spans(text: str, spans: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Candidates trimmed to PTC's convention, tagged spans without edge connectives, and without
    the spans no technique may have (``is_weak_span``) or names outside the SemEval-2023 list."""
    out = []
    for s in spans:
        if s["name"] not in TECHNIQUES:
            continue
        start, end = trim(text, s["start"], s["end"])
        if s.get("source") == "model:token":
            start, end = _trim_edges(text, start, end)
        if start >= end or is_weak_span(text[start:end]):
            continue
        out.append(s | {"start": start, "end": end})
    return out


# ---------------------------------------------------------------------------------------------
# Confidence and the choice of spans


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return round(math.log(p / (1 - p)), 4)


def _words_bucket(n: int) -> str:
    return "1" if n <= 1 else "2-3" if n <= 3 else "4-8" if n <= 8 else "9+"


def span_features(spans: Sequence[dict[str, Any]], text: str, *, loaded: float | None) -> list[dict[str, float]]:
    """The readable features the confidence model weighs, per span (module docstring, step 3)."""
    by_name: dict[str, list[dict[str, Any]]] = {}
    for s in spans:
        by_name.setdefault(s["name"], []).append(s)
    out = []
    for s in spans:
        source, name = s["source"], s["name"]
        f: dict[str, float] = {f"source={source}": 1.0, f"source={source}|technique={name}": 1.0}
        if s.get("detail"):
            f[f"source={source}|detail={s['detail']}"] = 1.0
        if s.get("p") is not None:
            z = _logit(float(s["p"]))
            f[f"logit_p|source={source}"] = z
            f[f"logit_p|source={source}|technique={name}"] = z
        words = len(_WORD.findall(text[s["start"]:s["end"]]))
        f[f"words={_words_bucket(words)}|source={source}"] = 1.0
        if any(o is not s and o["source"] != source and o["start"] < s["end"] and s["start"] < o["end"]
               for o in by_name[name]):
            f["agree"] = 1.0
            f[f"agree|source={source}"] = 1.0
        if loaded is not None:
            f["article_loadedness"] = loaded
        out.append(f)
    return out


def strongest(spans: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fewer, stronger spans (step 4): most confident first, a span is dropped when a kept one has
    the same technique and overlaps it, or covers exactly the same text."""
    kept: list[dict[str, Any]] = []
    order = sorted(spans, key=lambda s: (-s["confidence"], -(s["end"] - s["start"]), s["start"], s["name"]))
    for s in order:
        if any((k["name"] == s["name"] and k["start"] < s["end"] and s["start"] < k["end"])
               or (k["start"] == s["start"] and k["end"] == s["end"]) for k in kept):
            continue
        kept.append(s)
    return kept


def select_spans(text: str, spans: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The strongest spans as record dicts, in text order."""
    return [{"name": s["name"], "start": s["start"], "end": s["end"], "text": text[s["start"]:s["end"]],
             "confidence": s["confidence"], "score": s["confidence"]}
            for s in sorted(strongest(spans), key=lambda s: (s["start"], s["end"], s["name"]))]


def candidates(doc: Doc, quotes: Sequence[dict[str, Any]] = (), *, model: TechniqueModel | None = None,
               use_rules: bool = True) -> tuple[list[dict[str, Any]], float | None]:
    """Steps 1 and 2: the cleaned candidates of rules and model, and the article's loadedness."""
    found: list[dict[str, Any]] = []
    loaded = None
    if use_rules:
        found.extend(rule_spans(doc, quotes))
    if model is not None:
        spans, loaded = model.predict(doc)
        found.extend(spans)
    return clean_spans(doc.text, found), loaded


def find_techniques(doc: Doc, quotes: Sequence[dict[str, Any]] = (), *, model_path: str = "",
                    use_model: bool = True, use_rules: bool = True, model: TechniqueModel | None = None,
                    ) -> list[dict[str, Any]]:
    """Persuasion-technique spans of ``doc`` with their confidence (module docstring); ``quotes`` as
    SCHEMA.md ``quotes`` (a quote's expert speaker is an appeal to authority). ``model`` overrides
    the model file (an in-memory model with its ``confidence``, as cross-validation trains them)."""
    if model is None:
        model = load_model(model_path)
    confidence = model.confidence
    if confidence is None:
        raise UsageError("the techniques model has no confidence model")
    spans, loaded = candidates(doc, quotes, model=model if use_model else None, use_rules=use_rules)
    text = doc.text
    for s, f in zip(spans, span_features(spans, text, loaded=loaded), strict=True):
        s["confidence"] = confidence(f)
    return select_spans(text, spans)
