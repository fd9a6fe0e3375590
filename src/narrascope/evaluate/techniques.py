"""Persuasion-technique spans against a gold set in the PTC layout (``articles/`` + ``labels/``),
and technique density on ordinary news reports.

Gold labels are PTC classes (mapped to SemEval-2023 names, see ``narrascope.analysis.ptc``) or
SemEval-2023 names. Predictions are ``find_techniques`` spans whose confidence reaches the floor
(``analysis.min_confidence.techniques``, what the pipeline keeps; ``--min-confidence`` to try
another). Predicted names the gold scheme cannot hold (PTC has no Questioning_the_Reputation,
Appeal_to_Values, Appeal_to_Hypocrisy, Consequential_Oversimplification, Appeal_to_Time nor
Obfuscation) are left out of the scores, and the report counts them.

Where the predictions come from:

- ``--split heldout`` (default): the shipped (or given) model on PTC's fixed held-out split, which
  neither the model nor its confidence model saw;
- ``--cv K``: K-fold cross-validation over all the articles of the folder (folds by article): for
  each fold a model and its confidence model are trained on the other folds
  (``narrascope.analysis.train.fit_techniques``) and predict this one; the predictions are pooled.
  The technique tagger is not retrained per fold (that needs torch); instead every article's
  tagger candidates come from a tagger that never trained on it (``unseen_tagger_candidates``),
  both where the confidence models learn from them and where the folds are predicted.

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
- **Calibration**: a span is right when it overlaps a gold span accepting its name (span and
  technique right); the reliability curve is over every scored span, whatever its confidence.
- **Weak spans**: kept spans that are a lone token of three letters or fewer (must be 0).
- **Operating point chosen out of sample**: the articles are cut in two halves (md5 of the id); the
  floor giving the highest span F1 at span precision >= 0.55 on one half is applied to the other,
  both ways, and the counts pooled. Unlike "highest span F1 at span precision >= 0.55" over the
  floors, no article is scored at a floor read off itself.
- **Gold consistency**: how far the gold itself marks what it marks. For every annotated string
  (four characters or more; Repetition left out, as it is about repeats) that recurs verbatim, on
  word boundaries, elsewhere in the same article: the share of recurrences the gold marks with the
  same technique. A reader who marked exactly the annotators' strings wherever they recur would be
  "wrong" on the rest: precision against this gold is capped well below 1 by the gold's own recall.
- **Adjudication** (``--adjudication FILE``): the kept spans judged by readers who saw neither the
  gold nor which items came from narrascope: the items were shuffled with controls (gold spans,
  random stretches of matched length, and candidates whose confidence is below ``NEGATIVE_BELOW``).
  ``benchmarks/handcheck/ptc_adjudication.jsonl`` holds the verdicts, keyed by article id, offsets
  and technique, with a fingerprint of the words and no text. Over every kept span: right when the
  gold confirms it or else when every reader accepted it ("precision"); right when every reader
  accepted it ("readers only"); right by the gold ("gold only"). A span without a current verdict
  counts as not right. The controls' acceptance says how far to trust the readers.

**Density** (``--reports DIR``, repeatable): kept spans per 1,000 words on the scored PTC articles
and on the ordinary news reports among the pages of DIR (article-extraction-benchmark or WCXB
layout), extracted with narrascope's own extractor; a page is a report when its URL is on a wire
service's or newspaper's host (``REPORT_HOSTS``) and its path is not an opinion, sports,
entertainment, lifestyle, shopping or review section (``NOT_REPORTS``). Also the share of those
reports with no technique at all.

Counts are summed over articles (micro averages).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..analysis.confidence import CalibrationReport, calibration_report
from ..analysis.ptc import ACCEPTED, PTC_NAMES, PtcArticle, fold_of, read_ptc

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from ..analysis.techniques import TechniqueModel
    from ..settings import Settings

__all__ = ["ADJUDICATION_KINDS", "MATCHING_RULE", "NEGATIVE_BELOW", "NOT_REPORTS", "OPERATING_PRECISION", "REPORT_HOSTS", "DensityReport",
           "TechniquesReport", "adjudicate", "cross_fitted_floor", "cross_validate_techniques", "evaluate_techniques",
           "fingerprint", "gold_consistency", "is_news_report", "read_adjudication", "report_density",
           "score_article"]

MATCHING_RULE = (
    "spans match when they share at least one character; span P = predicted spans overlapping a gold "
    "span / predicted, span R = gold spans overlapped / gold; technique P = matched predicted spans whose "
    "name one of the overlapping gold spans accepts / matched predicted, technique R = matched gold spans "
    "accepting one overlapping predicted name / matched gold (PTC's merged classes accept every merged name); "
    "micro averages over all articles; a span is right for calibration when it overlaps a gold span "
    "accepting its name")

#: Hosts of wire services and newspapers (and their broadcasters' news sites) whose news pages
#: count as ordinary reports; a subdomain matches its parent (edition.cnn.com -> cnn.com).
REPORT_HOSTS = frozenset({
    "reuters.com", "apnews.com", "afp.com", "upi.com", "bbc.com", "bbc.co.uk", "cnn.com", "nbcnews.com",
    "cbsnews.com", "abcnews.go.com", "abc7ny.com", "nbcdfw.com", "npr.org", "news.sky.com", "aljazeera.com",
    "nytimes.com", "washingtonpost.com", "latimes.com", "usatoday.com", "wsj.com", "ft.com", "theguardian.com",
    "telegraph.co.uk", "independent.co.uk", "express.co.uk", "nypost.com", "newsweek.com", "jpost.com",
    "deccanherald.com", "cityam.com", "chron.com", "timesunion.com", "sfgate.com", "mysanantonio.com",
    "detroitnews.com", "commercialappeal.com", "msn.com", "foxnews.com", "economictimes.indiatimes.com",
    "timesofindia.indiatimes.com", "hindustantimes.com", "thehindu.com", "straitstimes.com", "scmp.com",
    "dw.com", "france24.com", "euronews.com"})
#: Sections whose pages are not ordinary news reports.
NOT_REPORTS = re.compile(
    r"/(?:opinion|opinions|commentisfree|comment|columnists?|columns?|editorials?|blogs?|letters|analysis|"
    r"sports?|nfl|nba|soccer|football|tennis|golf|entertainment|music|movies|tv|celebrity|life|life-?style|"
    r"living|travel|food|select|shopping|wirecutter|reviews?|podcasts?|fact-?check)(?:/|$|-)", re.I)

Span = tuple[int, int, str]
_WORDS = re.compile(r"\w+")


def is_news_report(url: str | None) -> bool:
    """True when ``url`` is a news page of a wire service or newspaper (module docstring)."""
    if not url:
        return False
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    on_host = any(host == h or host.endswith("." + h) for h in REPORT_HOSTS)
    return on_host and not NOT_REPORTS.search(parts.path or "/")


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


def _is_lone_short_token(text: str) -> bool:
    words = _WORDS.findall(text)
    return len(words) == 1 and sum(ch.isalpha() for ch in words[0]) <= 3 and len(text.split()) == 1


@dataclass
class DensityReport:
    """Technique density (kept spans per 1,000 words) on PTC articles and on ordinary news reports."""

    floor: float
    ptc_articles: int
    ptc_words: int
    ptc_spans: int
    reports: list[dict[str, Any]]
    skipped: int

    def figures(self) -> dict[str, Any]:
        words = sum(r["words"] for r in self.reports)
        spans = sum(r["spans"] for r in self.reports)
        clean = sum(1 for r in self.reports if r["spans"] == 0)
        return {"floor": self.floor,
                "ptc": {"articles": self.ptc_articles, "words": self.ptc_words, "spans": self.ptc_spans,
                        "per_1000_words": round(1000 * self.ptc_spans / self.ptc_words, 3) if self.ptc_words else None},
                "reports": {"articles": len(self.reports), "words": words, "spans": spans,
                            "per_1000_words": round(1000 * spans / words, 3) if words else None,
                            "share_without_technique": round(clean / len(self.reports), 4) if self.reports else None,
                            "skipped": self.skipped}}

    def to_dict(self) -> dict[str, Any]:
        return self.figures() | {"pages": self.reports}

    def format(self) -> str:
        d = self.figures()
        p, r = d["ptc"], d["reports"]
        lines = [f"technique density (confidence >= {self.floor:g}), spans per 1,000 words:",
                 f"  PTC articles            {p['per_1000_words'] if p['per_1000_words'] is not None else '-':>8}"
                 f"  ({p['spans']} spans, {p['words']} words, {p['articles']} articles)",
                 f"  news reports            {r['per_1000_words'] if r['per_1000_words'] is not None else '-':>8}"
                 f"  ({r['spans']} spans, {r['words']} words, {r['articles']} reports; {r['skipped']} pages "
                 "not extracted)"]
        if r["share_without_technique"] is not None:
            lines.append(f"  reports with no technique: {r['share_without_technique']:.1%}")
        for page in self.reports:
            if page["spans"]:
                shown = "; ".join(f"{s['name']} \"{s['text'][:40]}\" {s['confidence']:.2f}" for s in page["kept"][:3])
                lines.append(f"    {page['url'][:70]}: {page['spans']} ({shown})")
        return "\n".join(lines)


@dataclass
class TechniquesReport:
    folder: str
    split: str
    articles: int
    min_confidence: float
    model: str
    rules: bool
    counts: Counts
    unscored_predictions: int
    weak_spans: int = 0
    calibration: CalibrationReport | None = None
    #: span and technique figures at a few floors (what a lower or higher floor would give)
    floors: list[dict[str, Any]] = field(default_factory=list)
    density: DensityReport | None = None
    #: span figures at a floor chosen on the other half of the articles
    operating: dict[str, Any] | None = None
    #: how consistently the gold marks verbatim recurrences of what it marked
    consistency: dict[str, Any] | None = None
    #: precision with the readers' verdicts on spans the gold does not confirm (``adjudicate``)
    adjudication: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        c = self.counts
        per = {}
        for name in sorted(c.per_name):
            n = c.per_name[name]
            per[name] = {"predicted": n["predicted"], "gold": n["gold"],
                         **_prf(n["predicted_ok"], n["predicted"], n["gold_ok"], n["gold"])}
        out = {
            "folder": self.folder, "split": self.split, "articles": self.articles,
            "min_confidence": self.min_confidence, "model": self.model, "rules": self.rules,
            "gold_spans": c.gold, "predicted_spans": c.predicted, "unscored_predictions": self.unscored_predictions,
            "weak_spans": self.weak_spans,
            "span": _prf(c.predicted_matched, c.predicted, c.gold_matched, c.gold),
            "technique": _prf(c.predicted_label_ok, c.predicted_matched, c.gold_label_ok, c.gold_matched),
            "per_technique": per,
            "floors": self.floors,
            "operating_point": self.operating,
            "gold_consistency": self.consistency,
            "adjudication": self.adjudication,
            "matching_rule": MATCHING_RULE,
        }
        if self.calibration is not None:
            out["calibration"] = self.calibration.to_dict()
        if self.density is not None:
            out["density"] = self.density.to_dict()
        return out

    def format(self) -> str:
        d = self.to_dict()
        s, t = d["span"], d["technique"]
        lines = [
            f"{self.articles} articles ({self.split}), {d['gold_spans']} gold spans, {d['predicted_spans']} predicted "
            f"(confidence >= {self.min_confidence:g}; {self.unscored_predictions} with names the gold scheme lacks, "
            "not scored)",
            f"model: {self.model}; rules: {'on' if self.rules else 'off'}",
            "",
            f"{'':<34}{'P':>7}{'R':>7}{'F1':>7}",
            f"{'spans (any overlap, any label)':<34}{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f}",
            f"{'technique on matched spans':<34}{t['precision']:>7.3f}{t['recall']:>7.3f}{t['f1']:>7.3f}",
            f"spans on a lone token of three letters or fewer: {self.weak_spans}",
            "",
            f"{'per technique':<34}{'P':>7}{'R':>7}{'F1':>7}{'pred':>6}{'gold':>6}",
        ]
        for name, v in d["per_technique"].items():
            lines.append(f"{name:<34}{v['precision']:>7.3f}{v['recall']:>7.3f}{v['f1']:>7.3f}"
                         f"{v['predicted']:>6}{v['gold']:>6}")
        if self.floors:
            lines += ["", "at other floors:  floor  spans  span P  span R  span F1  technique P"]
            for f in self.floors:
                lines.append(f"{'':<17}{f['floor']:>6.3f}{f['predicted']:>7}{f['span']['precision']:>8.3f}"
                             f"{f['span']['recall']:>8.3f}{f['span']['f1']:>9.3f}{f['technique']['precision']:>13.3f}")
            best = max((f for f in self.floors if f["span"]["precision"] >= OPERATING_PRECISION), default=None,
                       key=lambda f: f["span"]["f1"])
            if best is not None:
                lines.append(f"highest span F1 at span precision >= {OPERATING_PRECISION}: {best['span']['f1']:.3f} "
                             f"(floor {best['floor']:.3f}, precision {best['span']['precision']:.3f}, technique "
                             f"{best['technique']['precision']:.3f})")
        if self.operating is not None and self.operating["halves"]:
            o = self.operating
            floors = ", ".join(f"{h['floor']:.3f}" for h in o["halves"])
            lines.append(f"at a floor chosen on the other half of the articles (the best span F1 at span precision "
                         f">= {OPERATING_PRECISION} there; floors {floors}): span P {o['span']['precision']:.3f}, "
                         f"R {o['span']['recall']:.3f}, F1 {o['span']['f1']:.3f}; technique "
                         f"{o['technique']['precision']:.3f}"
                         + (f" (precision below {OPERATING_PRECISION} here)"
                            if o['span']['precision'] < OPERATING_PRECISION else ""))
        if self.consistency is not None and self.consistency["recurrences"]:
            c = self.consistency
            lines += ["", f"gold consistency: of {c['recurrences']} verbatim recurrences of a string the gold marks "
                          f"(Repetition aside), the gold marks {c['marked_same_technique']} ({c['share_same']:.1%}) "
                          f"with the same technique, {c['marked_any_technique']} ({c['share_any']:.1%}) with any"]
        if self.adjudication is not None:
            a = self.adjudication
            ctl = a["controls"]
            lines += ["", f"adjudication: {a['items']} items read blind ({a['stale']} stale, not used; reader "
                          f"agreement {_fmt(a['reader_agreement'])}); controls accepted by every reader: gold spans "
                          f"{ctl['gold']['accepted_by_all']}/{ctl['gold']['items']}, random stretches "
                          f"{ctl['decoy']['accepted_by_all']}/{ctl['decoy']['items']}, candidates below confidence "
                          f"{NEGATIVE_BELOW} {ctl['negative']['accepted_by_all']}/{ctl['negative']['items']}",
                      "  a kept span is right when the gold confirms it, or else when every reader accepted it; "
                      "unjudged spans count as not right",
                      "  floor   kept  gold right  readers right  readers wrong  unjudged  precision  readers only"
                      "  gold only"]
            for f in a["at_floors"]:
                lines.append(f"  {f['floor']:5.3f}{f['kept']:>7}{f['gold_right']:>12}{f['readers_right']:>15}"
                             f"{f['readers_wrong']:>15}{f['unjudged']:>10}{_fmt(f['precision']):>11}"
                             f"{_fmt(f['readers_only_precision']):>14}{_fmt(f['gold_only_precision']):>11}")
        if self.calibration is not None:
            lines += ["", self.calibration.format()]
        if self.density is not None:
            lines += ["", self.density.format()]
        lines += ["", "Matching rule: " + MATCHING_RULE]
        return "\n".join(lines)


def gold_consistency(articles: Sequence[PtcArticle]) -> dict[str, Any]:
    """How often the gold marks a verbatim recurrence of a string it marked (module docstring)."""
    repeats = same = any_span = 0
    for article in articles:
        spans = [(s.start, s.end, s.name) for s in article.spans]
        seen: set[tuple[str, str]] = set()
        for start, end, name in spans:
            words = article.text[start:end]
            if name == "Repetition" or len(words.strip()) < 4 or (words, name) in seen:
                continue
            seen.add((words, name))
            for m in re.finditer(re.escape(words), article.text):
                if m.start() == start or (m.start() > 0 and article.text[m.start() - 1].isalnum()) or (
                        m.end() < len(article.text) and article.text[m.end()].isalnum()):
                    continue
                repeats += 1
                overlapping = [g for g in spans if _overlap((m.start(), m.end(), name), g)]
                any_span += bool(overlapping)
                same += any(_accepts(g[2], name) for g in overlapping)
    return {"recurrences": repeats, "marked_same_technique": same, "marked_any_technique": any_span,
            "share_same": round(same / repeats, 4) if repeats else None,
            "share_any": round(any_span / repeats, 4) if repeats else None}


def fingerprint(words: str) -> str:
    """The first 12 hex digits of the SHA-1 of a span's words: a judgement names what it judged
    without holding the text."""
    return hashlib.sha1(words.encode("utf-8")).hexdigest()[:12]


def _verdict(row: dict[str, Any]) -> dict[str, Any]:
    verdict = {"kind": str(row["kind"]), "article": str(row["article"]), "start": int(row["start"]),
               "end": int(row["end"]), "technique": str(row["technique"]),
               "readers": [bool(v) for v in row["readers"]], "shown": str(row["shown"])}
    if verdict["kind"] not in ADJUDICATION_KINDS:
        raise ValueError(f"kind {verdict['kind']!r} is none of {', '.join(ADJUDICATION_KINDS)}")
    return verdict


def read_adjudication(path: str | Path) -> list[dict[str, Any]]:
    """The verdicts of an adjudication file, one JSON object a line (module docstring)."""
    from .lines import read_json_lines

    return read_json_lines(path, "an adjudication line", _verdict)


#: Hard negatives among the adjudication's controls: candidates whose confidence is below this.
NEGATIVE_BELOW = 0.15

#: The kinds of adjudicated items: kept spans, and the controls shuffled among them.
ADJUDICATION_KINDS = ("model", "gold", "decoy", "negative")


def adjudicate(articles: Sequence[PtcArticle], predictions: Sequence[Sequence[dict[str, Any]]],
               verdicts: Sequence[dict[str, Any]], floors: Sequence[float]) -> dict[str, Any]:
    """At each of ``floors``, the kept spans right by the gold or else by every reader, and right by
    the readers alone, both over every kept span (a span without a verdict counts as not right); and
    the readers' acceptance of the controls (module docstring). A verdict whose words no longer
    match its offsets is not used."""
    texts = {a.id: a.text for a in articles}
    current = [v for v in verdicts if v["readers"] and v["article"] in texts
               and fingerprint(texts[v["article"]][v["start"]:v["end"]]) == v["shown"]]
    judged = {(v["article"], v["start"], v["end"], v["technique"]): all(v["readers"])
              for v in current if v["kind"] == "model"}
    at = []
    for floor in floors:
        kept = gold_right = accepted = rejected = unjudged = readers_right = 0
        for article, found in zip(articles, predictions, strict=True):
            gold = [(s.start, s.end, s.name) for s in article.spans]
            for t in found:
                if t["confidence"] < floor or t["name"] not in PTC_NAMES:
                    continue
                kept += 1
                verdict = judged.get((article.id, t["start"], t["end"], t["name"]))
                readers_right += bool(verdict)
                if any(_overlap((t["start"], t["end"], t["name"]), g) and _accepts(g[2], t["name"]) for g in gold):
                    gold_right += 1
                elif verdict is None:
                    unjudged += 1
                elif verdict:
                    accepted += 1
                else:
                    rejected += 1
        at.append({"floor": floor, "kept": kept, "gold_right": gold_right, "readers_right": accepted,
                   "readers_wrong": rejected, "unjudged": unjudged,
                   "precision": round((gold_right + accepted) / kept, 4) if kept else None,
                   "readers_only_precision": round(readers_right / kept, 4) if kept else None,
                   "gold_only_precision": round(gold_right / kept, 4) if kept else None})
    controls: dict[str, Any] = {}
    for kind in ADJUDICATION_KINDS[1:]:
        rows = [v for v in current if v["kind"] == kind]
        controls[kind] = {"items": len(rows), "accepted_by_all": sum(all(v["readers"]) for v in rows)}
    pairs = [v["readers"] for v in current if len(v["readers"]) >= 2]
    agree = sum(len(set(r)) == 1 for r in pairs)
    return {"at_floors": at, "controls": controls, "items": len(current), "stale": len(verdicts) - len(current),
            "reader_agreement": round(agree / len(pairs), 4) if pairs else None}


def _span_counts(counts: Counts) -> dict[str, Any]:
    return {"predicted": counts.predicted,
            "span": _prf(counts.predicted_matched, counts.predicted, counts.gold_matched, counts.gold),
            "technique": _prf(counts.predicted_label_ok, counts.predicted_matched, counts.gold_label_ok,
                              counts.gold_matched)}


#: The span precision an operating point must reach (the issue's target pairs it with span F1).
OPERATING_PRECISION = 0.55


def cross_fitted_floor(articles: Sequence[PtcArticle], predictions: Sequence[Sequence[dict[str, Any]]],
                       floors: Sequence[float]) -> dict[str, Any]:
    """Span figures at a floor chosen on the other half of the articles (module docstring)."""
    half = [fold_of(a.id, 2, salt="operating-point") for a in articles]
    pooled = Counts()
    chosen = []
    for h in (0, 1):
        other = [n for n in range(len(articles)) if half[n] != h]
        mine = [n for n in range(len(articles)) if half[n] == h]
        if not other or not mine:
            continue
        best: tuple[float, float] | None = None
        for f in floors:
            c, _u, _w = _score([articles[n] for n in other], [predictions[n] for n in other], f)
            fig = _span_counts(c)["span"]
            if fig["precision"] >= OPERATING_PRECISION and (best is None or fig["f1"] > best[1]):
                best = (f, fig["f1"])
        floor = best[0] if best is not None else max(floors)
        chosen.append({"half": h, "articles": len(mine), "floor": floor})
        c, _u, _w = _score([articles[n] for n in mine], [predictions[n] for n in mine], floor)
        pooled.add(c)
    return {"halves": chosen, **_span_counts(pooled)}


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _score(articles: Sequence[PtcArticle], predictions: Sequence[Sequence[dict[str, Any]]], floor: float,
           ) -> tuple[Counts, int, int]:
    """Counts, unscored and weak spans of the predictions kept at ``floor``."""
    total = Counts()
    unscored = weak = 0
    scored_names = set(PTC_NAMES) | {s.name for a in articles for s in a.spans}
    for article, found in zip(articles, predictions, strict=True):
        kept = [t for t in found if t["confidence"] >= floor]
        weak += sum(_is_lone_short_token(t["text"]) for t in kept)
        predicted = [(t["start"], t["end"], t["name"]) for t in kept if t["name"] in scored_names]
        unscored += len(kept) - len(predicted)
        total.add(score_article([(s.start, s.end, s.name) for s in article.spans], predicted))
    return total, unscored, weak


def _report(folder: str | Path, split: str, articles: Sequence[PtcArticle],
            predictions: Sequence[Sequence[dict[str, Any]]], *, floor: float, model_name: str, rules: bool,
            note: str) -> TechniquesReport:
    total, unscored, weak = _score(articles, predictions, floor)
    confidences: list[float] = []
    correct: list[bool] = []
    for article, found in zip(articles, predictions, strict=True):
        gold = [(s.start, s.end, s.name) for s in article.spans]
        for t in found:
            if t["name"] not in PTC_NAMES:
                continue
            confidences.append(float(t["confidence"]))
            correct.append(any(_overlap((t["start"], t["end"], t["name"]), g) and _accepts(g[2], t["name"])
                               for g in gold))
    grid = sorted({round(0.025 * k, 3) for k in range(4, 25)} | {round(floor, 3)})
    floors = [{"floor": f, **_span_counts(_score(articles, predictions, f)[0])} for f in grid]
    return TechniquesReport(str(folder), split, len(articles), floor, model_name, rules, total, unscored, weak,
                            calibration_report("techniques", confidences, correct, floor=floor, note=note),
                            floors, operating=cross_fitted_floor(articles, predictions, grid),
                            consistency=gold_consistency(articles))


def _parse(articles: Sequence[PtcArticle], progress: Callable[[int], Iterator[object]] | None) -> list[Doc]:
    from ..analysis.nlp import load_nlp

    ticks = iter(progress(len(articles))) if progress else None
    docs = []
    for doc in load_nlp().pipe((a.text for a in articles), batch_size=8):
        docs.append(doc)
        if ticks is not None:
            next(ticks, None)
    return docs


def evaluate_techniques(folder: str | Path, *, limit: int | None = None, split: str = "heldout",
                        min_confidence: float = 0.5, model_path: str = "", rules: bool = True, model: bool = True,
                        articles: Sequence[PtcArticle] | None = None, adjudication: str | Path | None = None,
                        progress: Callable[[int], Iterator[object]] | None = None) -> TechniquesReport:
    """Run ``find_techniques`` with a trained model on the articles of a PTC-layout folder and score
    the spans kept at ``min_confidence``; ``adjudication``: a file of readers' verdicts on spans the
    gold does not confirm (module docstring)."""
    from ..analysis.techniques import find_techniques, load_model

    if articles is None:
        articles = read_ptc(folder, limit=limit, split=split)
    loaded = load_model(model_path)  # fail early on a bad path
    model_name = (model_path or "shipped") if model else "none"
    docs = _parse(articles, progress)
    predictions = [find_techniques(doc, model=loaded, use_rules=rules, use_model=model) for doc in docs]
    report = _report(folder, split, articles, predictions, floor=min_confidence, model_name=model_name, rules=rules,
                     note="judged on articles the model and its confidence never saw" if split == "heldout" else "")
    report.density = _ptc_density(articles, predictions, min_confidence)
    if adjudication:
        floors = sorted({min_confidence} | {f["floor"] for f in report.floors if f["floor"] >= min_confidence})
        report.adjudication = adjudicate(articles, predictions, read_adjudication(adjudication), floors)
    return report


class UnseenTagger:
    """Stands in for the technique tagger when cross-validation predicts a fold: for an article the
    shipped tagger trained on (its text among ``out_of_fold``), the candidates one of the taggers
    trained without it made (``techniques_encoder.oof.json``), those starting in the sentences the
    pipeline would have it read, as ``analysis.train.fit_confidence`` takes them; for any other
    article, the shipped tagger itself on those sentences, as the pipeline runs it."""

    def __init__(self, tagger: Any, out_of_fold: dict[str, list[dict[str, Any]]]) -> None:
        self.tagger = tagger
        self.out_of_fold = out_of_fold

    def candidates(self, text: str, *, ranges: Sequence[tuple[int, int]] | None = None,
                   ) -> list[dict[str, Any]]:
        if text not in self.out_of_fold:
            return self.tagger.candidates(text, ranges=ranges)
        from ..analysis.techniques import starting_in

        found = self.out_of_fold[text]
        return [dict(c) for c in found] if ranges is None else starting_in(found, ranges)


def unseen_tagger_candidates(articles: Sequence[PtcArticle], *, say: Callable[[str], None] | None = None,
                             ) -> tuple[Any, dict[str, list[dict[str, Any]]], frozenset[str]] | None:
    """(the shipped technique tagger, article id -> its candidates made without that article, the
    ids of the articles it trained on): for the articles it was trained on, its out-of-fold
    candidates (``techniques_encoder.oof.json``: each from one of five taggers trained without the
    article, over whole lines); for every other article, the shipped tagger's own (it never saw
    them), over the whole text likewise. None when no tagger or no out-of-fold file ships."""
    from ..analysis.technique_encoder import load_technique_encoder
    from ..analysis.technique_encoder_train import read_oof

    tagger = load_technique_encoder()
    oof = read_oof()
    if tagger is None or oof is None:
        return None
    fresh = [a for a in articles if a.id not in oof]
    if say is not None and fresh:
        say(f"tagging {len(fresh)} articles the tagger never trained on")
    made = {a.id: [dict(c) for c in oof[a.id]] if a.id in oof else tagger.candidates(a.text) for a in articles}
    return tagger, made, frozenset(oof)


def cross_validate_techniques(folder: str | Path, *, folds: int = 5, limit: int | None = None,
                              min_confidence: float = 0.5, say: Callable[[str], None] | None = None,
                              tagger: bool = True) -> TechniquesReport:
    """K-fold cross-validation over every article of the folder (module docstring): models and
    confidence models trained on the other folds predict each fold; predictions are pooled.

    With ``tagger`` (and a shipped tagger) the technique tagger takes part without ever reading an
    article it trained on. It is not retrained per fold (that needs torch). The confidence models
    are fitted on candidates made without each article (``unseen_tagger_candidates``), as the
    shipped one was. A fold is predicted with ``UnseenTagger``: the shipped tagger on the gated
    sentences for the articles it never trained on, as the pipeline runs it, and the out-of-fold
    candidates for the others. The taggers behind the candidates a fold's confidence model learns
    from did train on some of that fold's articles: a second-order effect, not a leak of any
    article's own candidates."""
    from ..analysis.technique_encoder import ENCODER_PATH
    from ..analysis.techniques import find_techniques
    from ..analysis.train import fit_techniques

    note = say or (lambda _msg: None)
    articles = read_ptc(folder, limit=limit, split="all")
    note(f"parsing {len(articles)} articles")
    docs = _parse(articles, None)
    unseen = unseen_tagger_candidates(articles, say=note) if tagger else None
    fold = [fold_of(a.id, folds) for a in articles]
    predictions: list[list[dict[str, Any]]] = [[] for _ in articles]
    for k in range(folds):
        train = [n for n in range(len(articles)) if fold[n] != k]
        test = [n for n in range(len(articles)) if fold[n] == k]
        if not test or not train:
            continue
        note(f"fold {k + 1}/{folds}: training on {len(train)} articles")
        if unseen is None:
            fitted: TechniqueModel = fit_techniques([docs[n] for n in train], [articles[n] for n in train])
        else:
            shipped, made, trained_on = unseen
            fitted = fit_techniques([docs[n] for n in train], [articles[n] for n in train], encoder=ENCODER_PATH.name,
                                    encoder_oof={articles[n].id: made[articles[n].id] for n in train})
            fitted.tagger = UnseenTagger(shipped, {articles[n].text: made[articles[n].id] for n in test
                                                   if articles[n].id in trained_on})
        for n in test:
            predictions[n] = find_techniques(docs[n], model=fitted)
    with_tagger = "with the technique tagger, never on an article it trained on" if unseen is not None \
        else "without the technique tagger"
    report = _report(folder, f"{folds}-fold cross-validation", articles, predictions, floor=min_confidence,
                     model_name=f"retrained per fold ({folds} folds by article), {with_tagger}", rules=True,
                     note="each fold judged by a model and confidence trained on the other folds")
    report.density = _ptc_density(articles, predictions, min_confidence)
    return report


def _ptc_density(articles: Sequence[PtcArticle], predictions: Sequence[Sequence[dict[str, Any]]], floor: float,
                 ) -> DensityReport:
    words = sum(len(_WORDS.findall(a.text)) for a in articles)
    spans = sum(1 for found in predictions for t in found if t["confidence"] >= floor)
    return DensityReport(floor, len(articles), words, spans, [], 0)


def report_density(density: DensityReport, folders: Sequence[str | Path], *, settings: Settings,
                   model_path: str = "", limit: int | None = None) -> DensityReport:
    """Add the ordinary news reports among the pages of ``folders`` to ``density`` (module docstring)."""
    from ..analysis.nlp import load_nlp
    from ..analysis.techniques import find_techniques, load_model
    from ..errors import NarrascopeError
    from ..extract import extract
    from ..model import RawItem
    from .extraction import GoldPage, read_gold

    model = load_model(model_path)
    pages: list[GoldPage] = []
    for folder in folders:
        _layout, gold = read_gold(folder)
        pages.extend(p for p in gold if is_news_report(p.url))
    pages = pages[:limit] if limit else pages
    texts: list[tuple[str, str]] = []
    for page in pages:
        item = RawItem(data=page.html(), media_type="text/html", source_kind="html", location=str(page.path),
                       hints={"url": page.url})
        try:
            texts.append((page.url or "", extract(item, settings).text))
        except NarrascopeError:
            density.skipped += 1
    for (url, text), doc in zip(texts, load_nlp().pipe((t for _u, t in texts), batch_size=8), strict=True):
        kept = [t for t in find_techniques(doc, model=model) if t["confidence"] >= density.floor]
        density.reports.append({"url": url, "words": len(_WORDS.findall(text)), "spans": len(kept),
                                "kept": [{k: t[k] for k in ("name", "text", "confidence")} for t in kept]})
    return density


