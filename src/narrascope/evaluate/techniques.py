"""Persuasion-technique spans against a gold set in the PTC layout (``articles/`` + ``labels/``).

Gold labels are PTC classes (mapped to SemEval-2023 names, see ``narrascope.analysis.ptc``) or
SemEval-2023 names. Predictions are ``find_techniques`` spans with a score of at least
``min_score`` (the ``analysis.technique_min_score`` setting, what the pipeline keeps). Predicted
names the gold scheme cannot hold (PTC has no Questioning_the_Reputation, Appeal_to_Values,
Appeal_to_Hypocrisy, Consequential_Oversimplification, Appeal_to_Time nor Obfuscation) are left
out of the scores, and the report counts them.

Matching (two spans match when they share at least one character):

- **Span P/R/F1** (any overlap, any label): precision = predicted spans matching some gold span /
  predicted spans; recall = gold spans matched by some predicted span / gold spans.
- **Technique P/R/F1 on matched spans** (micro): precision = matched predicted spans whose name is
  accepted by one of the gold spans they overlap / matched predicted spans; recall = matched gold
  spans whose name accepts one of the predicted spans overlapping them / matched gold spans. A gold
  name accepts itself and, for PTC's merged classes, the other names of the merge.
- **Per technique** (in ``--json``): for name N, precision = predicted N spans overlapping a gold
  span that accepts N / predicted N spans; recall = gold N spans overlapped by a predicted span
  they accept / gold N spans.

Counts are summed over articles (micro averages).
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from ..analysis.ptc import ACCEPTED, PTC_TO_SEMEVAL, PtcArticle, read_ptc

__all__ = ["MATCHING_RULE", "TechniquesReport", "eval_techniques_command", "evaluate_techniques",
           "score_article"]

MATCHING_RULE = (
    "spans match when they share at least one character; span P = predicted spans overlapping a gold "
    "span / predicted, span R = gold spans overlapped / gold; technique P = matched predicted spans whose "
    "name one of the overlapping gold spans accepts / matched predicted, technique R = matched gold spans "
    "accepting one overlapping predicted name / matched gold (PTC's merged classes accept every merged name); "
    "micro averages over all articles")

#: Every SemEval-2023 name a PTC label can stand for: predictions outside it are not scored on PTC gold.
PTC_NAMES = frozenset(PTC_TO_SEMEVAL.values()) | frozenset(n for names in ACCEPTED.values() for n in names)

Span = tuple[int, int, str]


def _accepts(gold_name: str, predicted_name: str) -> bool:
    return predicted_name in ACCEPTED.get(gold_name, frozenset({gold_name}))


def _overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@dataclass
class Counts:
    predicted: int = 0
    gold: int = 0
    predicted_matched: int = 0
    gold_matched: int = 0
    predicted_label_ok: int = 0
    gold_label_ok: int = 0
    per_name: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, other: Counts) -> None:
        for name in ("predicted", "gold", "predicted_matched", "gold_matched", "predicted_label_ok",
                     "gold_label_ok"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name, c in other.per_name.items():
            self.per_name.setdefault(name, Counter()).update(c)


def score_article(gold: Sequence[Span], predicted: Sequence[Span]) -> Counts:
    """The counts of one article (module docstring for the rules)."""
    c = Counts(predicted=len(predicted), gold=len(gold))
    for p in predicted:
        overlapping = [g for g in gold if _overlap(p, g)]
        per = c.per_name.setdefault(p[2], Counter())
        per["predicted"] += 1
        if overlapping:
            c.predicted_matched += 1
            if any(_accepts(g[2], p[2]) for g in overlapping):
                c.predicted_label_ok += 1
                per["predicted_ok"] += 1
    for g in gold:
        overlapping = [p for p in predicted if _overlap(p, g)]
        per = c.per_name.setdefault(g[2], Counter())
        per["gold"] += 1
        if overlapping:
            c.gold_matched += 1
            if any(_accepts(g[2], p[2]) for p in overlapping):
                c.gold_label_ok += 1
                per["gold_ok"] += 1
    return c


def _prf(tp_p: int, n_p: int, tp_r: int, n_r: int) -> dict[str, float]:
    p = tp_p / n_p if n_p else 0.0
    r = tp_r / n_r if n_r else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


@dataclass
class TechniquesReport:
    folder: str
    split: str
    articles: int
    min_score: float
    model: str
    rules: bool
    counts: Counts
    unscored_predictions: int

    def to_dict(self) -> dict[str, Any]:
        c = self.counts
        per = {}
        for name in sorted(c.per_name):
            n = c.per_name[name]
            per[name] = {"predicted": n["predicted"], "gold": n["gold"],
                         **_prf(n["predicted_ok"], n["predicted"], n["gold_ok"], n["gold"])}
        return {
            "folder": self.folder, "split": self.split, "articles": self.articles, "min_score": self.min_score,
            "model": self.model, "rules": self.rules,
            "gold_spans": c.gold, "predicted_spans": c.predicted, "unscored_predictions": self.unscored_predictions,
            "span": _prf(c.predicted_matched, c.predicted, c.gold_matched, c.gold),
            "technique": _prf(c.predicted_label_ok, c.predicted_matched, c.gold_label_ok, c.gold_matched),
            "per_technique": per,
            "matching_rule": MATCHING_RULE,
        }

    def format(self) -> str:
        d = self.to_dict()
        s, t = d["span"], d["technique"]
        lines = [
            f"{self.articles} articles ({self.split}), {d['gold_spans']} gold spans, {d['predicted_spans']} predicted "
            f"(score >= {self.min_score}; {self.unscored_predictions} with names the gold scheme lacks, not scored)",
            f"model: {self.model}; rules: {'on' if self.rules else 'off'}",
            "",
            f"{'':<34}{'P':>7}{'R':>7}{'F1':>7}",
            f"{'spans (any overlap, any label)':<34}{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f}",
            f"{'technique on matched spans':<34}{t['precision']:>7.3f}{t['recall']:>7.3f}{t['f1']:>7.3f}",
            "",
            f"{'per technique':<34}{'P':>7}{'R':>7}{'F1':>7}{'pred':>6}{'gold':>6}",
        ]
        for name, v in d["per_technique"].items():
            lines.append(f"{name:<34}{v['precision']:>7.3f}{v['recall']:>7.3f}{v['f1']:>7.3f}"
                         f"{v['predicted']:>6}{v['gold']:>6}")
        lines += ["", "Matching rule: " + MATCHING_RULE]
        return "\n".join(lines)


def evaluate_techniques(folder: str | Path, *, limit: int | None = None, split: str = "all",
                        min_score: float = 0.5, model_path: str = "", rules: bool = True, model: bool = True,
                        articles: Sequence[PtcArticle] | None = None,
                        progress: Callable[[int], Iterator[object]] | None = None) -> TechniquesReport:
    """Run ``find_techniques`` on every article of a PTC-layout folder and score it (module docstring)."""
    from ..analysis.nlp import load_nlp
    from ..analysis.techniques import find_techniques, load_model

    if articles is None:
        articles = read_ptc(folder, limit=limit, split=split)
    model_name = (model_path or "shipped") if model else "none"
    if model:
        load_model(model_path)  # fail early on a bad path
    scored = set(PTC_NAMES) | {s.name for a in articles for s in a.spans}
    total = Counts()
    unscored = 0
    ticks = iter(progress(len(articles))) if progress else None
    nlp = load_nlp()
    for article, doc in zip(articles, nlp.pipe(a.text for a in articles), strict=True):
        found = [t for t in find_techniques(doc, (), model_path=model_path, use_rules=rules, use_model=model)
                 if t["score"] >= min_score]
        predicted = [(t["start"], t["end"], t["name"]) for t in found if t["name"] in scored]
        unscored += len(found) - len(predicted)
        total.add(score_article([(s.start, s.end, s.name) for s in article.spans], predicted))
        if ticks is not None:
            next(ticks, None)
    return TechniquesReport(str(folder), split, len(articles), min_score, model_name, rules, total, unscored)


@click.command("techniques")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N articles (sorted by id).")
@click.option("--split", type=click.Choice(["all", "train", "heldout"]), default="all", show_default=True,
              help="Only PTC's fixed training or held-out part (md5 of the article id; the shipped model "
                   "was trained on 'train', so 'heldout' is the honest number).")
@click.option("--min-score", type=click.FloatRange(0, 1), default=None,
              help="Keep spans scoring at least this (default: the analysis.technique_min_score setting).")
@click.option("--model", "model_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A model file from `narrascope train techniques` (default: the settings' or the shipped one).")
@click.option("--no-rules", is_flag=True, help="Score the trained model alone, without the rules.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output, with per-technique scores.")
def eval_techniques_command(folder: str, limit: int | None, split: str, min_score: float | None,
                            model_path: str | None, no_rules: bool, as_json: bool) -> None:
    """Score persuasion-technique spans on a gold set in the PTC layout.

    FOLDER holds articles/article<ID>.txt and labels/article<ID>.labels (id, technique, start, end;
    PTC classes or SemEval-2023 names). Prints span precision, recall and F1 (any overlap, any
    label), technique precision, recall and F1 on matched spans, and the matching rule.

    \b
    Example:
      narrascope eval techniques ../shared/data/ptc --split heldout
      narrascope eval techniques ../shared/data/ptc --limit 20 --json
    """
    import json

    from ..cli import progress_bar
    from ..settings import load_settings

    obj = click.get_current_context().obj
    settings = getattr(obj, "settings", None) or load_settings()
    if min_score is None:
        min_score = settings.analysis.technique_min_score
    if model_path is None:
        model_path = settings.analysis.techniques_model or ""
    report = evaluate_techniques(folder, limit=limit, split=split, min_score=min_score, model_path=model_path,
                                 rules=not no_rules, progress=progress_bar(not as_json and sys.stderr.isatty(), "eval"))
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(report.format())

