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
   classifier for the sentence-long ones. The tagger reads words, their neighbours and syntax, how
   charged the word and its sentence are (VADER valences) and the parse's contextual vector of the
   token (``doc.tensor``: free, the parse has computed it). A model
   candidate is any span whose probability reaches the model's (low) candidate threshold: what is
   shown is decided by the confidence, not by the candidate threshold. When the model has a
   technique tagger (``narrascope.analysis.technique_encoder``, a small fine-tuned transformer), it
   tags the words of the sentences holding another candidate (``gated``) and adds its runs.
2. **Clean.** PTC's span convention (no leading or trailing space or punctuation); a tagged span
   loses a leading or trailing connective ("lie and" -> "lie"). **No span on a function word nor
   on a lone token of three letters or fewer** ("and", "a", "the", "he", "man"): such spans are
   dropped, whichever step found them. **A tagged span the parse rules out is dropped**
   (``unfit_reason``): one running across a sentence start ("P.D. Open the door"), and a
   Name_Calling-Labeling span that labels no one: no noun or adjective, an adverb or verb as its
   head ("obviously"), an act ("killing"), an adjective said of no person, group, organisation or
   state ("a physical fight", "a great day").
3. **Confidence.** Every candidate gets P(it overlaps a gold span of its technique), from readable
   features (which rule or model part found it, the model's probability, its length in words,
   whether another step found the same technique there, how loaded the whole article reads to
   the tagger, whether a tagged span has no charged word at all, ``is_uncharged``, whether the
   technique tagger reads no technique under another source's span) through a ``ConfidenceModel``
   (``narrascope.analysis.confidence``) fitted on out-of-fold candidates of the training articles only and saved beside the model
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
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import UsageError
from .confidence import TECHNIQUES_MODEL, ConfidenceModel, load_confidence_model
from .nlp import doc_text
from .technique_rules import rule_spans, segments, trim
from .types import TECHNIQUES

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = ["CALIBRATION_PROXY", "MODEL_PATH", "TechniqueModel", "clean_spans", "confidence_path", "find_techniques",
           "gated", "is_weak_span", "load_model", "model_card", "segments", "select_spans", "span_features", "strongest",
           "token_matrix", "token_rows", "valence"]

MODEL_PATH = TECHNIQUES_MODEL
MODEL_FORMAT = 3
FIELD = "techniques"

#: Token-tagger techniques learnt (so their words do not blur the others) but never emitted: a word
#: repeated in an article is not a technique an annotator signs by itself (held-out precision of the
#: tagger's Repetition spans was 0.13 to 0.2, on any article repeating its subject).
UNEMITTED = frozenset({"Repetition"})
#: The sources that tag words (the feature tagger and the technique tagger): their spans lose edge
#: connectives and must pass the parse's checks (``unfit_reason``).
TAGGED = frozenset({"model:token", "model:encoder"})

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


def _shape(text: str) -> str:
    if text.isupper() and len(text) > 1:
        return "UP"
    if text.istitle():
        return "Tt"
    if text.islower():
        return "lo"
    return "ot"


def _count_bucket(n: int) -> str:
    return "1" if n <= 1 else "2" if n == 2 else "3" if n <= 4 else "5"


@lru_cache(maxsize=1)
def valence() -> dict[str, float]:
    """Word -> |valence| / 4 in [0, 1] from VADER's lexicon (MIT, the ``vaderSentiment`` package): how
    charged a word is, whatever its sign. Loaded words PTC never shows still carry it."""
    from importlib import resources

    import vaderSentiment

    out: dict[str, float] = {}
    for line in resources.files(vaderSentiment).joinpath("vader_lexicon.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            try:
                out[parts[0]] = round(abs(float(parts[1])) / 4.0, 3)
            except ValueError:
                continue
    return out


#: Names of the numeric token features that come before the contextual vector (``token_rows``).
NUMERIC = ("valence", "valence_prev", "valence_next", "sentence_valence")
#: Width of spaCy's contextual token vectors (``doc.tensor`` of en_core_web_sm's tok2vec).
TENSOR_WIDTH = 96


def token_rows(doc: Doc) -> tuple[list[int], list[list[str]], np.ndarray]:
    """Indices of the tokens the tagger labels (words, not spaces or punctuation), their string
    features and their numeric features (``NUMERIC``, then the token's contextual vector from the
    parse, ``doc.tensor``; zeros when the parse has none).

    Strings, not a dict per token: the model maps them to columns itself (``TechniqueModel.token_matrix``).
    Every token attribute is read once, in one pass over the Doc, into plain lists: spaCy builds a
    new ``Token`` object on each iteration and index, which made this the costliest step of the stage.
    """
    charged = valence()
    n = len(doc)
    texts: list[str] = []
    lowers: list[str] = []
    lemmas: list[str] = []
    tags: list[str] = []
    poses: list[str] = []
    deps: list[str] = []
    ents: list[str] = []
    heads: list[int] = []
    alpha: list[bool] = []
    stop: list[bool] = []
    skip: list[bool] = []
    glued: list[bool] = []
    for tok in doc:
        texts.append(tok.text)
        lowers.append(tok.lower_)
        lemmas.append(tok.lemma_.lower())
        tags.append(tok.tag_)
        poses.append(tok.pos_)
        deps.append(tok.dep_)
        ents.append(tok.ent_type_)
        heads.append(tok.head.i)
        alpha.append(tok.is_alpha)
        stop.append(tok.is_stop)
        skip.append(tok.is_space or tok.is_punct)
        glued.append(tok.whitespace_ == "")
    lemma_counts = Counter(lemmas[i] for i in range(n) if alpha[i] and not stop[i])
    quote_depth = _quote_depth(texts, alpha, glued)
    word_valence = [charged.get(w, 0.0) for w in lowers]
    sentence_valence = [0.0] * n
    exclaims = [False] * n
    for sent in doc.sents:
        a, b = sent.start, sent.end
        words = [i for i in range(a, b) if alpha[i]]
        share = sum(1 for i in words if word_valence[i]) / len(words) if words else 0.0
        bang = "!" in texts[a:b]
        sentence_valence[a:b] = [share] * (b - a)
        exclaims[a:b] = [bang] * (b - a)
    indices: list[int] = []
    feats: list[list[str]] = []
    numeric: list[tuple[float, float, float, float]] = []
    for i in range(n):
        if skip[i]:
            continue
        lower = lowers[i]
        lemma = lemmas[i]
        text = texts[i]
        prev = lowers[i - 1] if i > 0 else "<s>"
        nxt = lowers[i + 1] if i + 1 < n else "</s>"
        f = ["w=" + lower, "l=" + lemma, "t=" + tags[i], "s=" + _shape(text), "suf=" + lower[-3:], "pre=" + lower[:4],
             "w-1=" + prev, "w+1=" + nxt, "w-2=" + (lowers[i - 2] if i > 1 else "<s>"),
             "w+2=" + (lowers[i + 2] if i + 2 < n else "</s>"), "bi-=" + prev + "|" + lower,
             "bi+=" + lower + "|" + nxt, "dep=" + deps[i], "hl=" + lemmas[heads[i]],
             "e=" + (ents[i] or "-"), "t-1=" + (tags[i - 1] if i > 0 else "<s>"),
             "t+1=" + (tags[i + 1] if i + 1 < n else "</s>")]
        if stop[i]:
            f.append("stop")
        else:
            bucket = _count_bucket(lemma_counts[lemma])
            f.append("rep=" + bucket)
            f.append("reptag=" + poses[i] + bucket)
        if quote_depth[i]:
            f.append("inquote")
        if text.isupper() and len(text) > 2:
            f.append("caps")
        if exclaims[i]:
            f.append("exclaim")
        v = word_valence[i] or charged.get(lemma, 0.0)
        if v:
            f.append("charged|" + poses[i])
        indices.append(i)
        feats.append(f)
        numeric.append((v, word_valence[i - 1] if i > 0 else 0.0, word_valence[i + 1] if i + 1 < n else 0.0,
                        sentence_valence[i]))
    dense = np.zeros((len(indices), len(NUMERIC) + TENSOR_WIDTH), dtype=np.float32)
    if indices:
        dense[:, :len(NUMERIC)] = numeric
        tensor = doc.tensor
        if getattr(tensor, "shape", (0,))[0] == n and tensor.shape[1] == TENSOR_WIDTH:
            dense[:, len(NUMERIC):] = tensor[indices]
    return indices, feats, dense


_OPEN_QUOTES = {"“", "‘", "«"}
_CLOSE_QUOTES = {"”", "’", "»"}


def _quote_depth(texts: Sequence[str], alpha: Sequence[bool], glued: Sequence[bool]) -> list[bool]:
    """Per token (its text, whether it is alphabetic, whether no space follows it): inside quote
    marks (straight marks toggle; curly ones open and close)."""
    inside = False
    out = []
    n = len(texts)
    for i, t in enumerate(texts):
        if t == '"' or t in _OPEN_QUOTES or t in _CLOSE_QUOTES:
            if t == '"':
                inside = not inside
            elif t in _OPEN_QUOTES:
                inside = True
            elif t == "’" and i + 1 < n and alpha[i + 1] and glued[i]:
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

    #: string feature of ``token_rows`` -> its column (features seen in fewer than two training tokens left out)
    token_vocab: dict[str, int]
    #: per numeric column of ``token_rows``: (mean, scale) it is standardised with before the classifier
    token_numeric_scale: Any
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
    #: the technique tagger's file name, beside the model ("" for none: a model trained without ``--encoder``)
    encoder: str = ""
    #: the loaded tagger (``technique_encoder.TechniqueEncoder``), attached by ``load_model``, never pickled
    tagger: Any = field(default=None, compare=False)

    def predict(self, doc: Doc, *, text: str | None = None, segs: Sequence[Span] | None = None,
                others: Sequence[dict[str, Any]] = ()) -> tuple[list[dict[str, Any]], float | None]:
        """Candidate spans (with ``source`` and ``p``) and the article's loadedness (see ``span_features``);
        ``text`` and ``segs`` as ``doc.text`` and ``segments(doc)`` when the caller has them. The
        technique tagger reads the sentences where the feature model or ``others`` (the rules'
        candidates) found a candidate (``gated``)."""
        text = doc_text(doc) if text is None else text
        segs = segments(doc) if segs is None else segs
        tokens, loaded = self.predict_tokens(doc)
        found = tokens + self.predict_sentences(doc, text=text, segs=segs)
        if self.tagger is not None:
            found.extend(self.tagger.candidates(text, ranges=gated(segs, [*found, *others])))
        return found, loaded

    def token_matrix(self, feats: Sequence[Sequence[str]], dense: np.ndarray) -> Any:
        """The classifier's input rows: one column per known string feature, then the standardised numbers."""
        return token_matrix(self.token_vocab, self.token_numeric_scale, feats, dense)

    def token_probabilities(self, doc: Doc) -> tuple[list[int], Any]:
        indices, feats, dense = token_rows(doc)
        if not indices:
            return [], None
        return indices, self.token_classifier.predict_proba(self.token_matrix(feats, dense))

    def predict_tokens(self, doc: Doc) -> tuple[list[dict[str, Any]], float | None]:
        indices, probs = self.token_probabilities(doc)
        if not indices:
            return [], None
        return (token_spans(doc, indices, probs, self.token_labels, self.token_candidate),
                loadedness(probs, self.token_labels))

    def predict_sentences(self, doc: Doc, *, text: str | None = None, segs: Sequence[Span] | None = None,
                          ) -> list[dict[str, Any]]:
        text = doc_text(doc) if text is None else text
        segs = segments(doc) if segs is None else segs
        if not segs:
            return []
        rows = [text[s.start_char:s.end_char] for s in segs]
        probs = self.sentence_classifier.predict_proba(self.sentence_vectorizer.transform(rows))
        return sentence_spans(text, segs, probs, self.sentence_labels, self.sentence_candidate)


def gated(segs: Sequence[Span], spans: Sequence[dict[str, Any]]) -> list[tuple[int, int]]:
    """The character ranges of the sentences holding a candidate of ``spans``: the technique tagger
    reads only those. On held-out PTC articles they hold half the words and every one of the 132
    tagger spans kept at the floor (37 of 37 on 40 PolNeAR news articles), at half the tagger's cost."""
    starts = sorted(s["start"] for s in spans)
    ends = sorted(s["end"] for s in spans)
    out = []
    for seg in segs:
        a, b = seg.start_char, seg.end_char
        # some span starts before b and ends after a: (starts < b) - (ends <= a) counts them
        if bisect_left(starts, b) - bisect_right(ends, a) > 0:
            out.append((a, b))
    return out


def starting_in(spans: Sequence[dict[str, Any]], ranges: Sequence[tuple[int, int]]) -> list[dict[str, Any]]:
    """Copies of the spans that start inside one of ``ranges`` (the gated sentences): the tagger
    candidates made over whole lines that the pipeline, reading only those sentences, could make."""
    return [dict(s) for s in spans if any(a <= s["start"] < b for a, b in ranges)]


def token_matrix(vocab: dict[str, int], scale: Any, feats: Sequence[Sequence[str]], dense: np.ndarray) -> Any:
    """A CSR matrix of ``token_rows`` output: string features by ``vocab`` (unknown ones dropped), then the
    numeric columns standardised by ``scale`` (rows of mean and scale). Built directly, without a
    dict per token: this is the hot path of the stage."""
    from scipy.sparse import csr_matrix

    width = len(vocab)
    n_dense = dense.shape[1]
    rows = len(feats)
    # Every string feature's column (-1: unknown), looked up in one pass; each row keeps its known
    # columns in order, then ends with its n_dense numeric columns.
    lengths = np.fromiter(map(len, feats), dtype=np.int64, count=rows)
    looked = np.fromiter(map(vocab.get, chain.from_iterable(feats), repeat(-1)), dtype=np.int64,
                         count=int(lengths.sum()))
    known = looked >= 0
    counts = np.bincount(np.repeat(np.arange(rows), lengths)[known], minlength=rows) + n_dense
    indptr = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    total = int(indptr[-1])
    cols = np.empty(total, dtype=np.int32)
    values = np.ones(total, dtype=np.float32)
    numeric = np.zeros(total, dtype=bool)
    if n_dense and rows:
        positions = (indptr[1:, None] - n_dense + np.arange(n_dense)[None, :]).ravel()
        numeric[positions] = True
        cols[positions] = np.tile(np.arange(width, width + n_dense, dtype=np.int32), rows)
        values[positions] = ((dense - scale[0]) / scale[1]).astype(np.float32).ravel()
    cols[~numeric] = looked[known]
    return csr_matrix((values, cols, indptr), shape=(rows, width + n_dense))


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


def sentence_spans(text: str, segs: Sequence[Span], probs: Any, labels: Sequence[str], threshold: float,
                   ) -> list[dict[str, Any]]:
    """Sentences whose probability for a technique reaches ``threshold``, as candidate spans of it."""
    out = []
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
    if model.encoder:
        from .technique_encoder import load_technique_encoder

        model.tagger = load_technique_encoder(str(target.parent / model.encoder))
        if model.tagger is None:
            raise UsageError(f"{target.parent / model.encoder} is missing: `narrascope train techniques --encoder` "
                             "writes it beside the model")
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


#: the end of a quotation (its last punctuation and closing mark) followed by more words
_QUOTE_END = re.compile(r"[,.!?][\"”](?=\s+\S)")


def _cut_attribution(text: str, start: int, end: int) -> int:
    """The end of a tagged span that runs out of a quotation into its attribution ("... a sham,"
    Grisham said): cut at the quotation's end when at most six words, none of them quoted, follow
    it in the span. Quoted phrases inside a sentence (a "classic" move) end without punctuation
    and are left whole, as PTC's annotators mark them."""
    for m in reversed(list(_QUOTE_END.finditer(text, start, end))):
        rest = text[m.end():end]
        if any(q in rest for q in '"“”') or len(_WORD.findall(rest)) > 6:
            break
        return m.start() + 1
    return end


def clean_spans(text: str, spans: Iterable[dict[str, Any]], doc: Doc | None = None) -> list[dict[str, Any]]:
    """Candidates trimmed to PTC's convention, tagged spans without edge connectives, and without
    the spans no technique may have (``is_weak_span``), tagged spans the parse rules out
    (``unfit_reason``, when ``doc`` is given) or names outside the SemEval-2023 list."""
    out = []
    for s in spans:
        if s["name"] not in TECHNIQUES:
            continue
        start, end = trim(text, s["start"], s["end"])
        if s.get("source") in TAGGED:
            start, end = _trim_edges(text, start, end)
        if start >= end or is_weak_span(text[start:end]):
            continue
        cleaned = s | {"start": start, "end": end}
        if doc is not None and unfit_reason(doc, cleaned) is not None:
            continue
        out.append(cleaned)
    return out


#: Entity types of the parse that name someone: a person, a group (nationality, religion, party),
#: an organisation, a state.
SOMEONE_ENTS = frozenset({"PERSON", "NORP", "ORG", "GPE"})
_NOT_SOMEONE = frozenset({"it", "its", "this", "that", "these", "those", "which", "what", "there"})


def _span_words(doc: Doc, start: int, end: int) -> list[Token]:
    """The words (no punctuation, no space) of the tokens inside ``doc.text[start:end]``."""
    span = doc.char_span(start, end, alignment_mode="expand")
    return [] if span is None else [t for t in span if not t.is_punct and not t.is_space]


def _label_word(words: Sequence[Token]) -> Token:
    """The word of a span its syntax hangs from: the last whose head lies outside the span."""
    inside = {t.i for t in words}
    roots = [t for t in words if t.head.i not in inside or t.head.i == t.i]
    return (roots or list(words))[-1]


def _names_someone(tok: Token) -> bool:
    """A word that refers to a person, group, organisation or state by the parse: an entity of
    ``SOMEONE_ENTS``, a proper noun, a personal pronoun."""
    if tok.ent_type_ in SOMEONE_ENTS or tok.pos_ == "PROPN":
        return True
    return tok.pos_ == "PRON" and tok.lower_ not in _NOT_SOMEONE


def _said_of(adj: Token) -> Token | None:
    """What an adjective is said of: the noun it modifies, the subject it is predicated of ("they are
    corrupt"), the object it is said of ("called them corrupt"); None when the parse shows nothing."""
    while adj.dep_ == "conj" and adj.head.i != adj.i:
        adj = adj.head
    if adj.dep_ == "amod":
        return adj.head
    if adj.dep_ in ("acomp", "attr", "oprd"):
        verb = adj.head
        deps = ("dobj", "nsubj", "nsubjpass") if adj.dep_ == "oprd" else ("nsubj", "nsubjpass")
        for dep in deps:
            found = [c for c in verb.children if c.dep_ == dep]
            if found:
                return found[0]
    return None


def _starts_sentence(prev: Token, tok: Token) -> bool:
    """``tok`` opens a sentence after ``prev``: the parse says so, a line break lies between, or a
    capitalised word that continues no entity follows a word ending a sentence ("P.D. Open the
    door", "Stop! Now"), not a title ("Mr. Smith")."""
    if tok.is_sent_start or "\n" in prev.whitespace_ or "\n" in prev.text:
        return True
    if not tok.text[:1].isupper() or tok.ent_iob_ == "I":
        return False
    if prev.text in ("!", "?"):
        return True
    return len(prev.text) > 1 and prev.text.endswith(".") and prev.text.lower() not in _TITLES


_TITLES = frozenset({"mr.", "mrs.", "ms.", "dr.", "st.", "gen.", "sen.", "rep.", "gov.", "lt.", "col.", "sgt.",
                     "capt.", "prof.", "rev.", "sr.", "jr.", "no.", "vs.", "v."})


def unfit_reason(doc: Doc, span: dict[str, Any]) -> str | None:
    """Why a tagged span (``model:token``, ``model:encoder``) is no technique the parse allows, or None:

    - it runs across the start of a sentence;
    - a Name_Calling-Labeling span labels no one: it has no noun or adjective, its head word is
      an adverb or a verb ("obviously", an act as "killing"), or it is an adjective said of no
      person, group, organisation or state (a "physical" fight, a "great" day); an adjective
      standing for people ("the corrupt") labels them.
    """
    if span.get("source") not in TAGGED:
        return None
    words = _span_words(doc, span["start"], span["end"])
    if not words:
        return "no word"
    if any(_starts_sentence(a, b) for a, b in zip(words, words[1:], strict=False)):
        return "crosses a sentence start"
    if span["name"] != "Name_Calling-Labeling":
        return None
    if not any(t.pos_ in ("NOUN", "PROPN", "ADJ") for t in words):
        return "no noun or adjective"
    label = _label_word(words)
    if label.pos_ in ("ADV", "VERB", "AUX", "ADP", "SCONJ", "CCONJ", "PART", "INTJ", "NUM", "DET"):
        return "labels no one: not a noun or adjective"
    if label.pos_ == "NOUN" and label.lower_.endswith("ing"):
        return "labels no one: an act"
    if label.pos_ == "ADJ":
        if label.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj", "conj") and any(
                c.dep_ == "det" for c in label.children):
            return None  # "the corrupt": the adjective stands for people
        target = _said_of(label)
        if target is None or not _names_someone(target):
            return "labels no one: an adjective said of no one"
    return None


def is_uncharged(doc: Doc, span: dict[str, Any]) -> bool:
    """No word of the span has a valence (``valence``): a loaded span without a charged word."""
    charged = valence()
    return not any(charged.get(t.lower_) or charged.get(t.lemma_.lower())
                   for t in _span_words(doc, span["start"], span["end"]))


# ---------------------------------------------------------------------------------------------
# Confidence and the choice of spans


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return round(math.log(p / (1 - p)), 4)


def _words_bucket(n: int) -> str:
    return "1" if n <= 1 else "2-3" if n <= 3 else "4-8" if n <= 8 else "9+"


def span_features(spans: Sequence[dict[str, Any]], text: str, *, loaded: float | None,
                  doc: Doc | None = None, tagger_ran: bool = False) -> list[dict[str, float]]:
    """The readable features the confidence model weighs, per span (module docstring, step 3); with
    the parse (``doc``), also whether a tagged span has no charged word (``is_uncharged``); when the
    technique tagger ran (``tagger_ran``), whether it reads no technique under another source's span."""
    by_name: dict[str, list[dict[str, Any]]] = {}
    for s in spans:
        by_name.setdefault(s["name"], []).append(s)
    # The technique tagger's candidates, when it ran: a span it reads no technique in is weaker.
    tagged = [s for s in spans if s["source"] == "model:encoder"] if tagger_ran else None
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
        if tagged is not None and source != "model:encoder" and not any(
                o["start"] < s["end"] and s["start"] < o["end"] for o in tagged):
            f["tagger_silent"] = 1.0
            f[f"tagger_silent|source={source}"] = 1.0
        if doc is not None and source in TAGGED and is_uncharged(doc, s):
            f["uncharged"] = 1.0
            f[f"uncharged|technique={name}"] = 1.0
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
    """The strongest spans as record dicts, in text order; a tagged span that runs out of a
    quotation into its attribution is shown without the attribution (``_cut_attribution``: its
    confidence, fitted on the whole run, is kept)."""
    out = []
    for s in sorted(strongest(spans), key=lambda s: (s["start"], s["end"], s["name"])):
        start, end = s["start"], s["end"]
        if s.get("source") in TAGGED:
            cut = trim(text, start, _cut_attribution(text, start, end))
            if cut[0] < cut[1] and not is_weak_span(text[cut[0]:cut[1]]):
                start, end = cut
        out.append({"name": s["name"], "start": start, "end": end, "text": text[start:end],
                    "confidence": s["confidence"], "score": s["confidence"]})
    return out


def candidates(doc: Doc, quotes: Sequence[dict[str, Any]] = (), *, model: TechniqueModel | None = None,
               use_rules: bool = True, text: str | None = None) -> tuple[list[dict[str, Any]], float | None]:
    """Steps 1 and 2: the cleaned candidates of rules and model, and the article's loadedness.

    The text and the segments are worked out once here (spaCy rebuilds ``doc.text`` on every access)."""
    text = doc_text(doc) if text is None else text
    segs = segments(doc)
    found: list[dict[str, Any]] = []
    loaded = None
    if use_rules:
        found.extend(rule_spans(doc, quotes, text=text, segs=segs))
    if model is not None:
        spans, loaded = model.predict(doc, text=text, segs=segs, others=found)
        found.extend(spans)
    return clean_spans(text, found, doc), loaded


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
    text = doc_text(doc)
    spans, loaded = candidates(doc, quotes, model=model if use_model else None, use_rules=use_rules, text=text)
    ran = use_model and model.tagger is not None
    for s, f in zip(spans, span_features(spans, text, loaded=loaded, doc=doc, tagger_ran=ran), strict=True):
        s["confidence"] = confidence(f)
    return select_spans(text, spans)
