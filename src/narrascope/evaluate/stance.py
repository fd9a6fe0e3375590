"""Stance quality on NewsMTSC-format gold: target-dependent polarity, sentence by sentence.

Each gold target (a mention in a sentence, negative / neutral / positive) is classified by the
stance model on the spaCy parse of its sentence, as the pipeline does. Figures:

- **macro-F1** over the three classes, **accuracy**, **non-neutral precision** (polar calls whose
  class is the gold one / polar calls) and **sign flips** (gold negative called positive or the
  reverse): first for the model's calls as they are, then **at the floor in force**
  (``analysis.min_confidence.stances``): a polar call whose confidence is below the floor is not
  shown by the pipeline, so it counts as no stance (neutral). The last line gives the same figures
  on the calls the floor keeps (coverage: the share of targets with a call kept).
- **Article level**: the pipeline reports one stance per holder and target, aggregated over the
  sentences (``narrascope.analysis.stance.aggregate``). NewsMTSC has no article-level gold, so
  targets are grouped by article and mention head word and the gold class is the majority of the
  sentence labels (groups without a strict majority are left out).
- The **reliability curve** of the confidences (sentence calls, and article-level stances).
- **Abstention** (step 5 of ``narrascope.analysis.stance``, ``admissible``): the pipeline drops a
  sentence's call when nothing in the parse ties it to the target. Applied here as for the author
  (the other named entities of the sentence standing for the other actors), the line gives the
  figures at the floor of the calls the rules keep and of those they abstain on.

``--split heldout`` (default) takes the sentences whose article key (``article_key``) is outside
the training split: the model and its calibration never saw them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..analysis.confidence import CalibrationReport, calibration_report
from ..analysis.stance import Piece, admissible, aggregate
from ..analysis.stance_encoder import load_encoder
from ..analysis.stance_model import CLASSES, StanceModel, load_stance_model
from ..analysis.stance_train import featurize, in_split, read_newsmtsc

__all__ = ["SPLITS", "StanceReport", "classification_figures", "evaluate_stance"]

SPLITS = ("heldout", "train", "all")
SIGN = {"negative": -1, "neutral": 0, "positive": 1}


def classification_figures(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Macro-F1, accuracy, non-neutral precision, sign flips and per-class P/R/F1."""
    per: dict[str, dict[str, float]] = {}
    for c in CLASSES:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p == c)
        n_pred = sum(1 for p in predicted if p == c)
        n_gold = sum(1 for g in gold if g == c)
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / n_gold if n_gold else 0.0
        per[c] = {"precision": round(prec, 4), "recall": round(rec, 4),
                  "f1": round(2 * prec * rec / (prec + rec), 4) if prec + rec else 0.0, "gold": n_gold,
                  "predicted": n_pred}
    polar = [(g, p) for g, p in zip(gold, predicted, strict=True) if p != "neutral"]
    n = len(gold)
    return {
        "targets": n,
        "macro_f1": round(sum(per[c]["f1"] for c in CLASSES) / 3, 4) if n else 0.0,
        "accuracy": round(sum(1 for g, p in zip(gold, predicted, strict=True) if g == p) / n, 4) if n else 0.0,
        "non_neutral_calls": len(polar),
        "non_neutral_precision": round(sum(1 for g, p in polar if g == p) / len(polar), 4) if polar else 0.0,
        "sign_flips": sum(1 for g, p in polar if SIGN[g] * SIGN[p] < 0),
        "per_class": per,
    }


@dataclass
class StanceReport:
    path: str
    split: str
    floor: float
    model: str
    skipped: int
    raw: dict[str, Any]
    at_floor: dict[str, Any]
    kept: dict[str, Any]
    coverage: float
    articles: dict[str, Any]
    calibration: CalibrationReport
    article_calibration: CalibrationReport
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "split": self.split, "floor": self.floor, "model": self.model,
                "skipped": self.skipped, "raw": self.raw, "at_floor": self.at_floor, "kept": self.kept,
                "coverage": round(self.coverage, 4), "articles": self.articles,
                "calibration": self.calibration.to_dict(), "article_calibration": self.article_calibration.to_dict(),
                **self.extra}

    def format(self) -> str:
        def row(name: str, d: dict[str, Any]) -> str:
            return (f"{name:<34}{d['targets']:>8}{d['macro_f1']:>10.3f}{d['accuracy']:>10.3f}"
                    f"{d['non_neutral_precision']:>14.3f}{d['non_neutral_calls']:>8}{d['sign_flips']:>8}")

        lines = [f"{self.raw['targets']} targets ({self.split} split of {self.path}; {self.skipped} skipped: "
                 f"span on no token); model {self.model}",
                 f"{'':<34}{'targets':>8}{'macro-F1':>10}{'accuracy':>10}{'non-neutral P':>14}{'calls':>8}"
                 f"{'flips':>8}",
                 *([row("feature model alone", self.extra["feature_model"])] if "feature_model" in self.extra else []),
                 row("model's calls", self.raw),
                 row(f"at the floor in force ({self.floor:g})", self.at_floor),
                 row(f"calls kept at the floor (cov {self.coverage:.2f})", self.kept),
                 "",
                 "per class at the floor: " + ", ".join(
                     f"{c} P {d['precision']:.3f} R {d['recall']:.3f} F1 {d['f1']:.3f}"
                     for c, d in self.at_floor["per_class"].items()),
                 f"article level ({self.articles['groups']} article-target groups with a majority label): "
                 f"accuracy {self.articles['accuracy']:.3f}; stances kept at the floor {self.articles['kept']}, "
                 f"their precision {self.articles['precision_kept']:.3f}",
                 *([self._abstention()] if "abstention" in self.extra else []),
                 "",
                 self.calibration.format(),
                 "",
                 self.article_calibration.format()]
        return "\n".join(lines)


    def _abstention(self) -> str:
        a = self.extra["abstention"]
        return (f"abstention at the floor (calls with no tie to their target): the rules keep {a['kept']['calls']} calls, right "
                f"{a['kept']['accuracy']:.3f} (non-neutral P {a['kept']['non_neutral_precision']:.3f}); they abstain "
                f"on {a['abstained']['calls']}, right {a['abstained']['accuracy']:.3f} (non-neutral P "
                f"{a['abstained']['non_neutral_precision']:.3f})")


#: Entity labels standing for the other actors of a sentence in the abstention figures.
RIVAL_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})


def abstention_figures(rows: Sequence[Any], docs: dict[str, Any], calls: Sequence[tuple[str, float, float]],
                       gold: Sequence[str], floor: float) -> dict[str, Any]:
    """Accuracy and non-neutral precision at the floor of the calls ``admissible`` keeps, and of those
    it abstains on (module docstring)."""
    groups: dict[str, list[tuple[str, str]]] = {"kept": [], "abstained": []}
    for t, call, g in zip(rows, calls, gold, strict=True):
        if call[1] < floor:
            continue
        doc = docs[t.sentence]
        span = doc.char_span(t.start, t.end, alignment_mode="expand")
        rivals = [e for e in doc.ents if e.label_ in RIVAL_LABELS and e.sent.start == span.sent.start
                  and not (e.start < span.end and span.start < e.end)]
        groups["kept" if admissible(call, span, rivals, author=True) else "abstained"].append((g, call[0]))
    out = {}
    for name, pairs in groups.items():
        polar = [(g, p) for g, p in pairs if p != "neutral"]
        out[name] = {"calls": len(pairs),
                     "accuracy": round(sum(g == p for g, p in pairs) / len(pairs), 4) if pairs else 0.0,
                     "non_neutral_precision": round(sum(g == p for g, p in polar) / len(polar), 4) if polar else 0.0}
    return out


def evaluate_stance(path: str, *, split: str = "heldout", floor: float | None = None, model_path: str = "",
                    encoder_path: str = "", use_encoder: bool = True, limit: int | None = None, progress: Callable[[str], None] | None = None) -> StanceReport:
    """Score the stance model on the NewsMTSC-format file (or folder) ``path``; module docstring."""
    if floor is None:  # the setting's default; the command passes the settings in force
        from ..settings import MinConfidence

        floor = float(MinConfidence().stances)
    model: StanceModel = load_stance_model(model_path)
    encoder = load_encoder(encoder_path) if use_encoder else None
    targets = [t for t in read_newsmtsc(path) if in_split(t, split)]
    if limit is not None:
        targets = targets[:limit]
    docs: dict[str, Any] = {}
    feats = featurize(targets, progress=progress, docs=docs)
    rows = [t for t, f in zip(targets, feats, strict=True) if f is not None]
    gold = [t.label for t in rows]
    feature_calls = [model.predict(f) for f in feats if f is not None]
    extra: dict[str, Any] = {}
    if encoder is not None:
        calls = encoder.predict([(t.sentence, t.start, t.end) for t in rows])
        extra["feature_model"] = classification_figures(gold, [c[0] for c in feature_calls])
    else:
        calls = feature_calls
    raw = [c[0] for c in calls]
    conf = [c[1] for c in calls]
    strength = [c[2] for c in calls]
    at_floor = [p if p == "neutral" or c >= floor else "neutral" for p, c in zip(raw, conf, strict=True)]
    kept_idx = [i for i, c in enumerate(conf) if c >= floor]
    correct = [g == p for g, p in zip(gold, raw, strict=True)]
    # Article level: targets grouped by article and the mention's last word.
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, t in enumerate(rows):
        groups[(t.key, t.mention.split()[-1].lower().removesuffix("'s").removesuffix("’s"))].append(i)
    art_conf: list[float] = []
    art_right: list[bool] = []
    for members in groups.values():
        votes = Counter(gold[i] for i in members).most_common()
        if len(votes) > 1 and votes[0][1] == votes[1][1]:
            continue
        stance = aggregate("author", "t", [Piece(0, 1, raw[i], conf[i], strength[i]) for i in members])
        if stance is None:
            continue
        sign = (stance["polarity"] > 0) - (stance["polarity"] < 0)
        art_conf.append(stance["confidence"])
        art_right.append(sign == SIGN[votes[0][0]])
    kept_art = [ok for c, ok in zip(art_conf, art_right, strict=True) if c >= floor]
    extra["abstention"] = abstention_figures(rows, docs, calls, gold, floor)
    articles = {"groups": len(art_conf), "accuracy": round(sum(art_right) / len(art_right), 4) if art_right else 0.0,
                "kept": len(kept_art),
                "precision_kept": round(sum(kept_art) / len(kept_art), 4) if kept_art else 0.0}
    return StanceReport(
        path=path, split=split, floor=floor, extra=extra,
        model=(f"encoder {encoder_path or 'data/models/stance_encoder.onnx'}" if encoder is not None
               else f"feature model {model_path or 'data/models/stance.npz'}"),
        skipped=len(targets) - len(rows), raw=classification_figures(gold, raw),
        at_floor=classification_figures(gold, at_floor),
        kept=classification_figures([gold[i] for i in kept_idx], [raw[i] for i in kept_idx]),
        coverage=len(kept_idx) / len(rows) if rows else 0.0, articles=articles,
        calibration=calibration_report("stances", conf, correct, floor=floor, note="sentence-level calls"),
        article_calibration=calibration_report("stances", art_conf, art_right, floor=floor,
                                               note="article-level stances (majority gold)"))


