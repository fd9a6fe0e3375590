"""Persuasion techniques as spans: precise rules and lexicons first, a small trained model for the rest.

``find_techniques(doc, quotes)`` returns SCHEMA.md ``techniques`` dicts:
``{"name", "start", "end", "text", "score"}`` with ``name`` one of the 23 SemEval-2023 names and
``text == doc.text[start:end]``, sorted by offset.

Two sources of spans, merged (an identical span and name from both keeps the higher score):

- **Rules** (``RULES``): patterns and word lists that are precise on their own, each scored with
  a fixed confidence (the rule's ``score``). Word lists live in ``narrascope/data/techniques.tsv``
  (technique, kind, term), readable and extendable. Rules cover the techniques the training
  corpus lacks (Questioning_the_Reputation, Guilt_by_Association by comparison with reviled
  figures, Appeal_to_Time, Appeal_to_Values, Appeal_to_Hypocrisy, Consequential_Oversimplification)
  and sharpen others (Appeal_to_Authority from quotes with an expert, official or anonymous
  source, Slogans, Name_Calling-Labeling, Appeal_to_Fear-Prejudice).
- **The model** (``narrascope/data/models/techniques.joblib``, trained by ``narrascope train
  techniques`` on the PTC corpus, see ``narrascope.analysis.train``): a token tagger for the
  short-span techniques (Loaded_Language, Name_Calling-Labeling, Repetition) and a multi-label
  sentence classifier for the sentence-long ones. Each span's score is its calibrated
  probability rescaled so that the model's tuned decision threshold lands on 0.5, so the
  default ``technique_min_score = 0.5`` keeps exactly the spans the model decided on.

Model files are joblib pickles: only the shipped file or one the user trained and named in the
settings (``analysis.techniques_model``) is ever loaded.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from .technique_rules import RULES, rule_spans, trim
from .types import TECHNIQUES

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = ["MODEL_PATH", "RULES", "TechniqueModel", "find_techniques", "load_model", "model_card", "segments",
           "token_features"]

DATA = Path(__file__).resolve().parent.parent / "data"
MODEL_PATH = DATA / "models" / "techniques.joblib"
MODEL_FORMAT = 1


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
    """What ``narrascope train techniques`` saves: the two classifiers, their labels and thresholds."""

    token_vectorizer: Any
    token_classifier: Any
    #: class order of ``token_classifier`` ("O" for no technique)
    token_labels: list[str]
    token_threshold: float
    sentence_vectorizer: Any
    sentence_classifier: Any
    sentence_labels: list[str]
    sentence_thresholds: dict[str, float]
    meta: dict[str, Any]

    def predict(self, doc: Doc) -> list[dict[str, Any]]:
        return self.predict_tokens(doc) + self.predict_sentences(doc)

    def predict_tokens(self, doc: Doc) -> list[dict[str, Any]]:
        indices, feats = token_features(doc)
        if not indices:
            return []
        probs = self.token_classifier.predict_proba(self.token_vectorizer.transform(feats))
        return token_spans(doc, indices, probs, self.token_labels, self.token_threshold)

    def predict_sentences(self, doc: Doc) -> list[dict[str, Any]]:
        segs = segments(doc)
        if not segs:
            return []
        probs = self.sentence_classifier.predict_proba(self.sentence_vectorizer.transform([s.text for s in segs]))
        return sentence_spans(doc, segs, probs, self.sentence_labels, self.sentence_thresholds)


def token_spans(doc: Doc, indices: Sequence[int], probs: Any, labels: Sequence[str], threshold: float,
                ) -> list[dict[str, Any]]:
    """Tagged tokens as spans: a token is tagged when P(not "O") >= threshold, with its likeliest
    technique; neighbours with the same technique (through a hyphen or apostrophe) join one span."""
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
        name = labels[max(others, key=lambda k: row[k])]
        tok = doc[i]
        joins = current is not None and current["name"] == name and all(
            doc[j].text in "-'’" for j in range(last_i + 1, i))
        if joins and current is not None:
            current["end"] = tok.idx + len(tok.text)
            current["p"] = max(current["p"], p_tech)
        else:
            current = {"name": name, "start": tok.idx, "end": tok.idx + len(tok.text), "p": p_tech}
            spans.append(current)
        last_i = i
    return [{"name": s["name"], "start": s["start"], "end": s["end"], "score": _rescale(s["p"], threshold)}
            for s in spans]


def sentence_spans(doc: Doc, segs: Sequence[Span], probs: Any, labels: Sequence[str],
                   thresholds: dict[str, float]) -> list[dict[str, Any]]:
    """Sentences whose probability for a technique reaches its threshold, as spans of that technique."""
    out = []
    text = doc.text  # built anew on every access: once per article
    for seg, row in zip(segs, probs, strict=True):
        start, end = trim(text, seg.start_char, seg.end_char)
        if start >= end:
            continue
        for k, name in enumerate(labels):
            thr = thresholds[name]
            if row[k] >= thr:
                out.append({"name": name, "start": start, "end": end, "score": _rescale(float(row[k]), thr)})
    return out


def _rescale(p: float, threshold: float) -> float:
    """Map a probability monotonically onto [0, 1] so that ``threshold`` becomes 0.5."""
    threshold = min(max(threshold, 1e-6), 1 - 1e-6)
    if p < threshold:
        return round(0.5 * p / threshold, 4)
    return round(0.5 + 0.5 * (p - threshold) / (1 - threshold), 4)


@lru_cache(maxsize=4)
def load_model(path: str = "") -> TechniqueModel:
    """The shipped model, or the user's model at ``path`` (a file ``narrascope train techniques`` wrote).

    Model files are pickles: load only the shipped file or one you trained yourself.
    """
    import joblib

    target = Path(path) if path else MODEL_PATH
    if not target.is_file():
        raise UsageError(f"techniques model {target} not found (train one with `narrascope train techniques`)")
    model = joblib.load(target)
    if not isinstance(model, TechniqueModel) or model.meta.get("format") != MODEL_FORMAT:
        raise UsageError(f"{target} is not a narrascope techniques model (format {MODEL_FORMAT})")
    return model


def model_card(path: str = "") -> dict[str, Any]:
    """The sidecar JSON of a model file (training data, split, versions, metrics)."""
    target = Path(path) if path else MODEL_PATH
    sidecar = target.with_suffix(".json")
    return json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.exists() else {}


# ---------------------------------------------------------------------------------------------
# Both together


def find_techniques(doc: Doc, quotes: Sequence[dict[str, Any]] = (), *, model_path: str = "",
                    use_model: bool = True, use_rules: bool = True) -> list[dict[str, Any]]:
    """Persuasion-technique spans of ``doc`` (module docstring); ``quotes`` as SCHEMA.md ``quotes``."""
    found: list[dict[str, Any]] = []
    text = doc.text
    if use_rules:
        found.extend(rule_spans(doc, quotes))
    if use_model:
        found.extend(load_model(model_path).predict(doc))
    return _merge(text, found)


def _merge(text: str, spans: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    best: dict[tuple[str, int, int], float] = {}
    for s in spans:
        start, end = trim(text, s["start"], s["end"])
        if start >= end or s["name"] not in TECHNIQUES:
            continue
        key = (s["name"], start, end)
        best[key] = max(best.get(key, 0.0), float(s["score"]))
    return [{"name": name, "start": start, "end": end, "text": text[start:end], "score": score}
            for (name, start, end), score in sorted(best.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0]))]

