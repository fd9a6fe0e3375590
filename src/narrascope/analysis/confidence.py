"""Calibrated confidence: what every analysis fact carries, and how it is fitted, measured and applied.

A fact shown is a claim made to an analyst. Every analysis fact (an actor mention, a quote, an
event, a technique span, a stance, a frame, a topic, the genre) carries ``confidence`` in [0, 1],
**calibrated**: among facts of a field with confidence >= c, a share of about c or more was
correct on held-out development gold. A per-field floor in the settings
(``analysis.min_confidence.<field>``) decides what the record keeps; a fact below it is left out
of the record, the exports and the workbench.

The pieces, shared by every field:

- ``Calibration``: a monotone map from a raw score to a probability of being right (isotonic
  regression, stored as breakpoints and applied by linear interpolation, so a shipped calibration
  is a few numbers in a JSON file, never a pickle).
- ``ConfidenceModel``: for facts found by rules, a small logistic regression over readable
  features of the fact ("direct quote", "speaker found by pronoun", "cue is a metaphor-prone
  verb"...) followed by a ``Calibration``; fitted by ``narrascope train <field>`` on the training
  split of a development gold set and saved as JSON beside the other models.
- ``CalibrationReport``: the reliability curve printed by every ``narrascope eval`` command:
  facts per confidence bin with their observed precision, the precision of the facts kept at
  each floor, and the figures at the field's floor in force.
- ``keep``: the floor applied to a list of facts.

Splits: ``in_training_split(key)`` is the one rule every ``train`` and ``eval`` command uses to
keep training and measuring apart (md5 of the item's key, first byte below 179: about 70% train,
30% held out), so figures printed with ``--split heldout`` are on data no model or calibration saw.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["FIELDS", "MODELS", "TECHNIQUES_MODEL", "TRAIN_BYTE", "Calibration", "CalibrationReport", "ConfidenceModel",
           "calibration_report", "choose_floor", "in_training_split", "keep", "load_confidence_model",
           "precision_above"]

#: The fields whose facts carry a confidence, with their floor setting ``analysis.min_confidence.<field>``.
FIELDS = ("actors", "quotes", "events", "techniques", "stances", "frames", "topics", "genre")
#: Where shipped models and calibrations live.
MODELS = Path(__file__).resolve().parent.parent / "data" / "models"
#: The shipped techniques model (here, not in ``techniques``, so the CLI's help names it without
#: importing spaCy and numpy).
TECHNIQUES_MODEL = MODELS / "techniques.joblib"
#: ``in_training_split``: md5(key)[0] below this is training data (179/256: about 70%).
TRAIN_BYTE = 179
#: The precision the default floors are chosen for.
TARGET_PRECISION = 0.80


def in_training_split(key: str) -> bool:
    """True when the item ``key`` (an article id, a document name, a record id) is training data."""
    return hashlib.md5(key.encode("utf-8")).digest()[0] < TRAIN_BYTE


# ---------------------------------------------------------------------------------------------
# Calibration: a monotone map from a raw score to a probability


@dataclass(frozen=True)
class Calibration:
    """A monotone non-decreasing map from a raw score to a calibrated probability.

    ``x`` and ``y`` are the breakpoints of an isotonic fit; a score between two breakpoints is
    interpolated linearly, one outside them takes the nearest end. ``identity()`` maps a score to
    itself (clipped to [0, 1]).
    """

    x: tuple[float, ...] = (0.0, 1.0)
    y: tuple[float, ...] = (0.0, 1.0)

    @classmethod
    def identity(cls) -> Calibration:
        return cls()

    @classmethod
    def fit(cls, scores: Sequence[float], correct: Sequence[bool], *, shrink: float = 2.0) -> Calibration:
        """Isotonic regression of ``correct`` on ``scores`` (pool adjacent violators).

        ``shrink`` pulls each pooled block toward the overall rate by that many pseudo-facts, so a
        block of three correct facts does not claim certainty.
        """
        if len(scores) != len(correct):
            raise ValueError("scores and correct differ in length")
        if not scores:
            return cls.identity()
        prior = sum(bool(c) for c in correct) / len(correct)
        pairs = sorted(zip((float(s) for s in scores), (1.0 if c else 0.0 for c in correct), strict=True))
        # Blocks of equal scores first, then pool adjacent violators.
        blocks: list[list[float]] = []  # [sum_x, sum_y, n]
        for s, c in pairs:
            if blocks and blocks[-1][0] / blocks[-1][2] == s:
                blocks[-1][0] += s
                blocks[-1][1] += c
                blocks[-1][2] += 1
            else:
                blocks.append([s, c, 1.0])
        merged: list[list[float]] = []
        for b in blocks:
            merged.append(list(b))
            while len(merged) > 1 and _rate(merged[-2], prior, shrink) >= _rate(merged[-1], prior, shrink):
                last = merged.pop()
                for k in range(3):
                    merged[-1][k] += last[k]
        xs = tuple(round(b[0] / b[2], 6) for b in merged)
        ys = tuple(round(_rate(b, prior, shrink), 6) for b in merged)
        if len(xs) == 1:
            return cls((xs[0], xs[0] + 1e-6), (ys[0], ys[0]))
        return cls(xs, ys)

    def __call__(self, score: float) -> float:
        x, y = self.x, self.y
        if score <= x[0]:
            return _clip(y[0])
        if score >= x[-1]:
            return _clip(y[-1])
        lo, hi = 0, len(x) - 1
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if x[mid] <= score:
                lo = mid
            else:
                hi = mid
        span = x[hi] - x[lo]
        t = (score - x[lo]) / span if span > 0 else 0.0
        return _clip(y[lo] + t * (y[hi] - y[lo]))

    def to_dict(self) -> dict[str, Any]:
        return {"x": list(self.x), "y": list(self.y)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibration:
        x, y = tuple(float(v) for v in data["x"]), tuple(float(v) for v in data["y"])
        if len(x) != len(y) or len(x) < 2 or any(b < a for a, b in zip(x, x[1:], strict=False)):
            raise ValueError("a calibration needs two or more increasing breakpoints")
        return cls(x, y)


def _rate(block: Sequence[float], prior: float, shrink: float) -> float:
    return (block[1] + shrink * prior) / (block[2] + shrink)


def _clip(v: float) -> float:
    return min(1.0, max(0.0, v))


# ---------------------------------------------------------------------------------------------
# A confidence model for facts found by rules


@dataclass(frozen=True)
class ConfidenceModel:
    """P(a fact is right) from readable features: a logistic regression, then a ``Calibration``.

    ``weights`` maps feature names to coefficients; a fact's features are a mapping of names to
    values (1.0 for a present indicator). Unknown features weigh nothing, so adding a feature to
    the rules never breaks a shipped model. ``meta`` says what it was fitted on and how it did.
    """

    field: str
    weights: Mapping[str, float]
    bias: float
    calibration: Calibration = Calibration()
    meta: Mapping[str, Any] = dc_field(default_factory=dict)

    def raw(self, features: Mapping[str, float]) -> float:
        z = self.bias + sum(self.weights.get(k, 0.0) * float(v) for k, v in features.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def __call__(self, features: Mapping[str, float]) -> float:
        return round(self.calibration(self.raw(features)), 3)

    def to_dict(self) -> dict[str, Any]:
        return {"format": 1, "field": self.field, "bias": self.bias,
                "weights": dict(sorted(self.weights.items())), "calibration": self.calibration.to_dict(),
                "meta": dict(self.meta)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConfidenceModel:
        if data.get("format") != 1:
            raise ValueError("not a narrascope confidence model (format 1)")
        return cls(field=str(data["field"]), weights={str(k): float(v) for k, v in data["weights"].items()},
                   bias=float(data["bias"]), calibration=Calibration.from_dict(data["calibration"]),
                   meta=dict(data.get("meta") or {}))

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def fit(cls, field_name: str, features: Sequence[Mapping[str, float]], correct: Sequence[bool], *,
            groups: Sequence[str] | None = None, c: float = 1.0, folds: int = 5, seed: int = 13,
            meta: Mapping[str, Any] | None = None) -> ConfidenceModel:
        """Fit on training facts: the calibration is fitted on out-of-fold predictions (folds by
        ``groups``, e.g. the article each fact comes from), the final regression on all of them."""
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        y = [1 if v else 0 for v in correct]
        if len(set(y)) < 2:
            rate = sum(y) / len(y) if y else 0.0
            return cls(field_name, {}, _logit(min(max(rate, 1e-3), 1 - 1e-3)),
                       Calibration((0.0, 1.0), (rate, rate)), dict(meta or {}))
        keys = list(groups) if groups is not None else [str(i) for i in range(len(y))]
        fold_of = {g: int(hashlib.md5(f"{seed}:{g}".encode()).hexdigest(), 16) % folds for g in set(keys)}
        oof = [0.0] * len(y)
        for k in range(folds):
            train = [i for i, g in enumerate(keys) if fold_of[g] != k]
            test = [i for i, g in enumerate(keys) if fold_of[g] == k]
            if not test or len({y[i] for i in train}) < 2:
                continue
            vec = DictVectorizer()
            clf = LogisticRegression(C=c, max_iter=2000, random_state=seed)
            clf.fit(vec.fit_transform([features[i] for i in train]), [y[i] for i in train])
            probs = clf.predict_proba(vec.transform([features[i] for i in test]))[:, 1]
            for i, p in zip(test, probs, strict=True):
                oof[i] = float(p)
        vec = DictVectorizer()
        clf = LogisticRegression(C=c, max_iter=2000, random_state=seed)
        clf.fit(vec.fit_transform(list(features)), y)
        weights = {name: round(float(w), 6) for name, w in zip(vec.get_feature_names_out(), clf.coef_[0], strict=True)
                   if abs(w) > 1e-9}
        return cls(field_name, weights, round(float(clf.intercept_[0]), 6), Calibration.fit(oof, correct),
                   dict(meta or {}))


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


@lru_cache(maxsize=16)
def load_confidence_model(field_name: str, path: str = "") -> ConfidenceModel | None:
    """The shipped confidence model of a field (``data/models/<field>.confidence.json``), or the
    file at ``path``; None when the field has none (its facts then keep their rule's own figure)."""
    target = Path(path) if path else MODELS / f"{field_name}.confidence.json"
    if not target.is_file():
        return None
    return ConfidenceModel.from_dict(json.loads(target.read_text(encoding="utf-8")))


# ---------------------------------------------------------------------------------------------
# Applying a floor


def keep(facts: Iterable[dict[str, Any]], floor: float, *, key: str = "confidence") -> list[dict[str, Any]]:
    """The facts whose confidence reaches ``floor`` (a fact without a confidence is not kept)."""
    return [f for f in facts if float(f.get(key, -1.0)) >= floor]


# ---------------------------------------------------------------------------------------------
# Measuring: the reliability curve


def precision_above(confidences: Sequence[float], correct: Sequence[bool], floor: float) -> tuple[int, float | None]:
    """(facts with confidence >= floor, their precision; None when there are none)."""
    kept = [c for conf, c in zip(confidences, correct, strict=True) if conf >= floor]
    return len(kept), (sum(bool(c) for c in kept) / len(kept) if kept else None)


def choose_floor(confidences: Sequence[float], correct: Sequence[bool], *, target: float = TARGET_PRECISION,
                 step: float = 0.05, min_facts: int = 20) -> float | None:
    """The lowest floor (on a grid of ``step``) at which the kept facts reach ``target`` precision
    and every higher floor with at least ``min_facts`` facts does too; None when none does."""
    grid = [round(k * step, 4) for k in range(int(round(1 / step)) + 1)]
    best: float | None = None
    for floor in reversed(grid):
        n, p = precision_above(confidences, correct, floor)
        if n < min_facts:
            continue
        if p is not None and p >= target:
            best = floor
        else:
            break
    return best


@dataclass
class CalibrationReport:
    """The reliability curve of one field's facts on gold data, for the eval output."""

    field: str
    facts: int
    correct: int
    #: per bin: lo, hi, facts, mean confidence, precision (None when empty)
    bins: list[dict[str, Any]]
    #: per floor c: facts with confidence >= c and their precision
    curve: list[dict[str, Any]]
    floor: float
    kept: int
    precision_at_floor: float | None
    #: expected calibration error: |mean confidence - precision| averaged over bins, weighted by facts
    ece: float
    suggested_floor: float | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "facts": self.facts, "correct": self.correct, "floor": self.floor,
                "kept": self.kept, "precision_at_floor": _r(self.precision_at_floor), "ece": round(self.ece, 4),
                "suggested_floor": self.suggested_floor, "bins": self.bins, "curve": self.curve, "note": self.note}

    def format(self) -> str:
        setting = f"analysis.min_confidence.{self.field}"
        lines = [f"calibration ({self.field}): {self.facts} facts judged against gold, {self.correct} right"
                 + (f"; {self.note}" if self.note else "")]
        lines.append("  confidence   facts  mean conf  precision")
        for b in self.bins:
            if not b["facts"]:
                continue
            bar = "#" * int(round(20 * (b["precision"] or 0.0)))
            lines.append(f"  {b['lo']:.1f}-{b['hi']:.1f}  {b['facts']:>8}  {b['mean']:>9.3f}  {b['precision']:>9.3f}  {bar}")
        kept = ", ".join(f">={c['floor']:.1f}: {c['precision']:.3f} ({c['facts']})" for c in self.curve
                         if c["precision"] is not None)
        lines.append(f"  precision of facts kept at each floor: {kept}")
        at = f"{self.precision_at_floor:.3f}" if self.precision_at_floor is not None else "-"
        lines.append(f"  at the floor in force ({setting} = {self.floor:g}): {self.kept} of {self.facts} kept,"
                     f" precision {at}; expected calibration error {self.ece:.3f}")
        if self.suggested_floor is not None:
            lines.append(f"  lowest floor reaching precision {TARGET_PRECISION:.2f}: {self.suggested_floor:g}")
        return "\n".join(lines)


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


def calibration_report(field_name: str, confidences: Sequence[float], correct: Sequence[bool], *, floor: float,
                       bins: int = 10, note: str = "") -> CalibrationReport:
    """The reliability curve of facts with ``confidences`` judged ``correct`` against gold."""
    if len(confidences) != len(correct):
        raise ValueError("confidences and correct differ in length")
    table = []
    ece = 0.0
    for k in range(bins):
        lo, hi = k / bins, (k + 1) / bins
        inside = [(c, ok) for c, ok in zip(confidences, correct, strict=True)
                  if (lo <= c < hi) or (k == bins - 1 and c == hi)]
        mean = sum(c for c, _ in inside) / len(inside) if inside else None
        prec = sum(bool(ok) for _, ok in inside) / len(inside) if inside else None
        if inside and mean is not None and prec is not None:
            ece += len(inside) * abs(mean - prec)
        table.append({"lo": lo, "hi": hi, "facts": len(inside), "mean": _r(mean), "precision": _r(prec)})
    curve = []
    for k in range(bins):
        c = k / bins
        n, p = precision_above(confidences, correct, c)
        curve.append({"floor": c, "facts": n, "precision": _r(p)})
    kept, p_floor = precision_above(confidences, correct, floor)
    total = len(confidences)
    return CalibrationReport(field=field_name, facts=total, correct=sum(bool(c) for c in correct), bins=table,
                             curve=curve, floor=floor, kept=kept, precision_at_floor=p_floor,
                             ece=ece / total if total else 0.0,
                             suggested_floor=choose_floor(confidences, correct), note=note)
