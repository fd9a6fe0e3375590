"""The target-dependent stance classifier: how one sentence leans toward one mention in it.

Learned from NewsMTSC (Hamborg & Donnay 2021, MIT): sentences from political news, each with one
or more marked persons and a gold polarity toward each (negative, neutral, positive). The model
reads the sentence **from the target's position**, never as a whole, so a word describing an
event ("a contagious disease") is not a judgement of whoever stands near it:

- the target's own tokens are masked, other named entities become ``ENT`` (a name carries no
  stance: "Trump" must not learn a polarity of its own);
- words of the sentence, and separately the words close to the target (left and right windows);
- the syntax around the target on the spaCy parse the pipeline already has: its dependency, the
  word it attaches to, the verb it is subject or object of and that verb's complements, its own
  modifiers (adjectives, appositions, relative clauses), its ancestors, negation of its verb;
- VADER valences (with our political-news lexicon on top) of the words attached to the target
  ("the **brutal** regime", "X **lied**") apart from those of the rest of the sentence.

A multinomial logistic regression over these readable features (``narrascope train stance``);
its probabilities are calibrated (isotonic, on out-of-fold predictions of the training split) into
the confidence that the predicted class is right. Weights ship as ``data/models/stance.npz``
(feature names and a 3 x n matrix) with a JSON sidecar (data, split, calibration, metrics): no
pickle, and a prediction is a sum of a few dozen weights.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .confidence import MODELS, Calibration
from .stance_lexicon import lexicon

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

__all__ = ["CLASSES", "StanceModel", "load_stance_model", "mention_features"]

#: The three classes, in the model's row order; ``POLARITY`` gives each its sign.
CLASSES = ("negative", "neutral", "positive")
POLARITY = {"negative": -1, "neutral": 0, "positive": 1}
#: Entity labels that stand for a nameable actor: masked to ``ENT`` in the features.
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"})
NEGATORS = frozenset({"not", "no", "never", "n't", "nothing", "neither", "nor", "without", "hardly", "barely"})
#: Dependencies that make a mention the doer of its verb, or what is done to.
SUBJECT_DEPS = frozenset({"nsubj", "csubj", "expl"})
OBJECT_DEPS = frozenset({"dobj", "nsubjpass", "pobj", "dative", "attr", "oprd"})
#: Complements of a verb that carry what it says of its subject.
COMPLEMENT_DEPS = frozenset({"dobj", "acomp", "attr", "oprd", "xcomp", "ccomp", "advmod", "prt", "agent"})
#: How a mention attaches to the noun it is part of ("Trump's **policy**", "the Russian **regime**").
MODIFIER_DEPS = frozenset({"poss", "compound", "amod", "nmod", "npadvmod"})
WINDOW = 4


def _word(tok: Token) -> str:
    if tok.ent_type_ in NAME_LABELS:
        return "ENT"
    if tok.like_num:
        return "NUM"
    return tok.lemma_.lower()


def _valence(tok: Token) -> float:
    words = lexicon()
    value = words.get(tok.lower_)
    if value is None:
        value = words.get(tok.lemma_.lower(), 0.0)
    if value and (any(c.dep_ == "neg" for c in tok.children) or any(c.dep_ == "neg" for c in tok.head.children)):
        value = -0.74 * value
    return value


def _attached(root: Token, inside: range) -> list[tuple[str, Token]]:
    """The words that say something of the mention, each with the role by which it does."""
    out: list[tuple[str, Token]] = []
    head = root
    # "Trump's policy", "the Russian regime": the noun the mention is part of speaks of it.
    while head.dep_ in MODIFIER_DEPS and head.head.i not in inside and head.head.i != head.i:
        head = head.head
        out.append(("noun", head))
    for c in head.children:
        if c.i in inside:
            continue
        if c.dep_ in ("amod", "appos", "acl", "relcl", "nmod", "compound"):
            out.append(("mod", c))
            if c.dep_ in ("relcl", "acl", "appos"):
                out += [("mod2", g) for g in c.children if g.dep_ in COMPLEMENT_DEPS | {"amod"}]
    verb = head.head
    if head.dep_ in SUBJECT_DEPS and verb.i != head.i:
        out.append(("does", verb))
        for c in verb.children:
            if c.dep_ in COMPLEMENT_DEPS:
                out.append(("does_" + c.dep_, c))
                out += [("does2", g) for g in c.children if g.dep_ in ("amod", "dobj", "acomp", "xcomp", "pobj")]
            elif c.dep_ == "prep":
                out += [("does_prep", g) for g in c.children if g.dep_ == "pobj"]
    elif head.dep_ in OBJECT_DEPS and verb.i != head.i:
        if head.dep_ == "pobj" and verb.dep_ == "prep":
            out.append(("prep_" + verb.lower_, verb.head))
        else:
            out.append(("undergoes", verb))
    return out


#: Dependencies that open a clause of their own.
CLAUSE_DEPS = frozenset({"ROOT", "ccomp", "advcl", "relcl", "xcomp", "conj", "acl", "pcomp", "csubj"})


def _clause_head(tok: Token) -> Token:
    """The verb (or root) of the clause a token belongs to."""
    while tok.dep_ not in CLAUSE_DEPS and tok.head.i != tok.i:
        tok = tok.head
    return tok


def _clause_heads(heads: Sequence[int], deps: Sequence[str], offset: int) -> list[int]:
    """``_clause_head(t).i`` of every token of a sentence (``heads`` as doc indices, from ``offset``)."""
    out: list[int] = [-1] * len(heads)
    for k in range(len(heads)):
        path = []
        j = k
        while out[j] < 0 and deps[j] not in CLAUSE_DEPS and heads[j] - offset != j:
            path.append(j)
            j = heads[j] - offset
        found = out[j] if out[j] >= 0 else j + offset
        out[j] = found
        for i in path:
            out[i] = found
    return out


@dataclass
class _Sentence:
    """What every mention of one sentence shares, worked out once: per token its index, word,
    valence, whether it is punctuation (or space) and the head of its clause."""

    start: int
    tokens: list[tuple[int, str, float, bool, bool, int]]  # i, word, valence, is_punct, is_space, clause head
    negation: bool
    quote_marks: bool


def _sentence(doc: Doc, start: int, cache: dict[int, _Sentence] | None) -> _Sentence:
    sent = doc[start].sent
    if cache is not None and sent.start in cache:
        return cache[sent.start]
    tokens = list(sent)
    clause = _clause_heads([t.head.i for t in tokens], [t.dep_ for t in tokens], sent.start)
    view = _Sentence(
        start=sent.start,
        tokens=[(t.i, _word(t), _valence(t), t.is_punct, t.is_space, c) for t, c in zip(tokens, clause, strict=True)],
        negation=any(t.lower_ in NEGATORS for t in sent),
        quote_marks=any(t.text in ("\"", "“", "”") for t in sent))
    if cache is not None:
        cache[sent.start] = view
    return view


def mention_features(doc: Doc, start: int, end: int, *, cache: dict[int, Any] | None = None) -> dict[str, float]:
    """The features of the mention ``doc[start:end]`` (token indices) in its sentence. ``cache``
    (one dict per doc) keeps what the mentions of a sentence share."""
    view = _sentence(doc, start, cache)
    target = doc[start:end]
    root = target.root
    f: dict[str, float] = {"bias": 1.0}
    words = [(i, w) for i, w, _v, punct, space, _c in view.tokens if not punct and not space and not start <= i < end]
    for _i, w in words:
        f["w:" + w] = 1.0
    seq = ["<T>" if i == start else w for i, w in
           sorted([*words, *((start, "<T>"),)])]
    for a, b in zip(seq, seq[1:], strict=False):
        f["b:" + a + "_" + b] = 1.0
    left = [w for i, w in words if start - WINDOW <= i < start]
    right = [w for i, w in words if end <= i < end + WINDOW]
    for w in left:
        f["l:" + w] = 1.0
    for w in right:
        f["r:" + w] = 1.0
    if left:
        f["l1:" + left[-1]] = 1.0
    if right:
        f["r1:" + right[0]] = 1.0
    f["dep:" + root.dep_] = 1.0
    f["pos_in_sent:" + ("first" if start - view.start <= 1 else "later")] = 1.0
    local_val = 0.0
    local_neg = False
    inside = range(start, end)
    for role, tok in _attached(root, inside):
        w = _word(tok)
        f[f"{role}:{w}"] = 1.0
        f["att:" + w] = 1.0
        v = _valence(tok)
        local_val += v
        if v:
            f["val_" + role.split("_")[0]] = f.get("val_" + role.split("_")[0], 0.0) + v / 4.0
        if any(c.dep_ == "neg" for c in tok.children):
            local_neg = True
            f["neg_" + role] = 1.0
    clause = _clause_head(root).i
    for i, w, _v, punct, _space, head in view.tokens:
        if head == clause and not punct and not start <= i < end:
            f["c:" + w] = 1.0
    for anc in list(root.ancestors)[:4]:
        if anc.pos_ in ("VERB", "AUX", "ADJ", "NOUN"):
            f["anc:" + _word(anc)] = 1.0
    sent_pos = sent_neg = 0.0
    for i, _w, v, _p, _s, _c in view.tokens:
        if start <= i < end:
            continue
        if v > 0:
            sent_pos += v
        elif v < 0:
            sent_neg -= v
    f["lex_local"] = local_val / math.sqrt(local_val * local_val + 15.0)
    f["lex_sent_pos"] = sent_pos / math.sqrt(sent_pos * sent_pos + 15.0)
    f["lex_sent_neg"] = sent_neg / math.sqrt(sent_neg * sent_neg + 15.0)
    if local_neg:
        f["local_negated"] = 1.0
    if view.negation:
        f["sent_negation"] = 1.0
    if view.quote_marks:
        f["quote_marks"] = 1.0
    return f


@dataclass(frozen=True)
class StanceModel:
    """Multinomial logistic regression over ``mention_features``, with a calibration of its
    top probability into the confidence that the predicted class is right."""

    index: Mapping[str, int]
    coef: Any  # numpy array, 3 x features
    intercept: Any  # numpy array, 3
    #: calibration of polar calls (P(negative) or P(positive) -> P(right)) and of neutral calls
    calibration: Calibration = Calibration()
    neutral_calibration: Calibration = Calibration()
    #: a non-neutral class is called only when its probability reaches this; else neutral
    min_polar: float = 0.0
    meta: Mapping[str, Any] = field(default_factory=dict)

    def probabilities(self, features: Mapping[str, float]) -> list[float]:
        weights = self._weights()
        z0, z1, z2 = (float(b) for b in self.intercept)
        for name, value in features.items():
            w = weights.get(name)
            if w is not None:
                z0 += w[0] * value
                z1 += w[1] * value
                z2 += w[2] * value
        top = max(z0, z1, z2)
        e = (math.exp(z0 - top), math.exp(z1 - top), math.exp(z2 - top))
        total = sum(e)
        return [v / total for v in e]

    def _weights(self) -> dict[str, tuple[float, float, float]]:
        """Feature name -> its three weights as plain floats (made once: numpy scalars are slow)."""
        cached = self.__dict__.get("_by_name")
        if cached is None:
            columns = self.coef.T.tolist()
            cached = {name: tuple(columns[j]) for name, j in self.index.items()}
            object.__setattr__(self, "_by_name", cached)
        return cached

    def decide(self, probs: Sequence[float]) -> tuple[str, float]:
        """(class, raw score): the likelier polar class when it reaches ``min_polar``, else neutral."""
        neg, neu, pos = probs
        polar = max(neg, pos)
        if polar >= self.min_polar and polar > neu:
            return ("negative" if neg >= pos else "positive"), polar
        return "neutral", neu

    def predict(self, features: Mapping[str, float]) -> tuple[str, float, float]:
        """(class, confidence that it is right, signed strength in [-1, 1])."""
        probs = self.probabilities(features)
        label, raw = self.decide(probs)
        calibration = self.neutral_calibration if label == "neutral" else self.calibration
        return label, round(calibration(raw), 3), probs[2] - probs[0]

    def save(self, path: str | Path) -> None:
        import numpy as np

        target = Path(path)
        names = sorted(self.index, key=lambda n: self.index[n])
        np.savez_compressed(target.with_suffix(".npz"), names=np.array(names), coef=np.asarray(self.coef, dtype=np.float32),
                            intercept=np.asarray(self.intercept, dtype=np.float64))
        sidecar = {"format": 1, "classes": list(CLASSES), "min_polar": self.min_polar,
                   "calibration": self.calibration.to_dict(),
                   "neutral_calibration": self.neutral_calibration.to_dict(), **dict(self.meta)}
        target.with_suffix(".json").write_text(json.dumps(sidecar, indent=1, ensure_ascii=False) + "\n",
                                               encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> StanceModel:
        import numpy as np

        target = Path(path)
        sidecar = json.loads(target.with_suffix(".json").read_text(encoding="utf-8"))
        if sidecar.get("format") != 1:
            raise ValueError("not a narrascope stance model (format 1)")
        with np.load(target.with_suffix(".npz")) as data:
            names = [str(n) for n in data["names"]]
            coef, intercept = data["coef"], data["intercept"]
        meta = {k: v for k, v in sidecar.items() if k not in ("format", "classes", "min_polar", "calibration", "neutral_calibration")}
        return cls(index={n: i for i, n in enumerate(names)}, coef=coef, intercept=intercept,
                   calibration=Calibration.from_dict(sidecar["calibration"]),
                   neutral_calibration=Calibration.from_dict(sidecar["neutral_calibration"]), min_polar=float(sidecar["min_polar"]),
                   meta=meta)


@lru_cache(maxsize=4)
def load_stance_model(path: str = "") -> StanceModel:
    """The shipped stance model (``data/models/stance.npz`` + ``stance.json``), or the one at ``path``."""
    return StanceModel.load(Path(path) if path else MODELS / "stance.npz")
