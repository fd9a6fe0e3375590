"""Genre quality on a labelled sample of development pages, and the fit of the genre confidence.

The sample (``benchmarks/genre_sample.tsv``, our own labels) is a TSV with the columns
``dataset`` (a gold folder under the data folder: ``aeb`` or ``wcxb``), ``id`` (the page id
there), ``label`` (``opinion``, ``reporting`` or ``other``) and ``reason`` (the URL path or stated
section that gives the label). It holds only pages whose URL or stated section gives the genre
unambiguously, so the classifier is measured in three views:

- ``url``: the page as ingested with its URL (the answer is often in the URL);
- ``no-url``: the URL hidden; the page's own section, types, title, bylines, bios and body remain;
- ``text-only``: what a plain-text scrape or a JSONL record gives (no URL, section, page types or
  tags): title, body, bios and disclaimers.

Per view: accuracy (the genre after the floor in force equals the label; "other" is right on an
``other`` page and wrong on a news page), the accuracy on the news pages alone (``opinion`` and
``reporting``), per-class precision and recall, the confusion table, and the reliability curve of
the claims (a claim is right when it equals the label). Pages are split by
``in_training_split("<dataset>/<id>")``: ``--split heldout`` (the default) are pages the
confidence model never saw.

``train_genre`` fits the confidence model (``ConfidenceModel`` over the cue counts of
``enrich.genre.confidence_features``) on the claims of the training split in all three views,
grouped by page so one page's views stay together (``fit_confidence`` says how).
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..analysis.confidence import (
    MODELS,
    Calibration,
    CalibrationReport,
    ConfidenceModel,
    calibration_report,
    in_training_split,
    precision_above,
)
from ..enrich.genre import CLAIMS, EVIDENCE_WEIGHTS, classify_genre, confidence_features
from ..errors import InputRejected, UsageError
from ..model import Article, RawItem
from ..settings import Settings, load_settings

__all__ = ["LABELS", "VIEWS", "GenreReport", "SampleRow", "ViewScore", "conservative_calibration",
           "evaluate_genre", "fit_confidence", "read_sample", "train_genre",
           "view_of", "wilson_lower"]

LABELS = ("opinion", "reporting", "other")
VIEWS = ("url", "no-url", "text-only")
SPLITS = ("heldout", "train", "all")
DEFAULT_MODEL = MODELS / "genre.confidence.json"


@dataclass(frozen=True)
class SampleRow:
    dataset: str
    id: str
    label: str
    reason: str

    @property
    def key(self) -> str:
        return f"{self.dataset}/{self.id}"


def read_sample(path: str | Path) -> list[SampleRow]:
    """The rows of a genre sample TSV (lines starting with ``#`` are comments)."""
    target = Path(path)
    try:
        lines = [line for line in target.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    except OSError as e:
        raise UsageError(f"cannot read the genre sample {target}: {e}") from e
    rows = []
    for number, row in enumerate(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE), start=2):
        if not row.get("dataset") or not row.get("id") or row.get("label") not in LABELS:
            raise UsageError(f"{target}: row {number} needs dataset, id and a label among {', '.join(LABELS)}")
        rows.append(SampleRow(row["dataset"], row["id"], row["label"], row.get("reason") or ""))
    if not rows:
        raise UsageError(f"{target} holds no labelled pages")
    return rows


def select_split(rows: list[SampleRow], split: str) -> list[SampleRow]:
    if split == "all":
        return rows
    return [r for r in rows if in_training_split(r.key) == (split == "train")]


def load_articles(rows: list[SampleRow], data: str | Path, settings: Settings,
                  progress: Callable[[int], Iterator[object]] | None = None) -> list[tuple[SampleRow, Article | None]]:
    """Each row's page, extracted as ingest would with its URL (None when the page yields no article)."""
    from .extraction import read_gold

    pages: dict[str, dict[str, Any]] = {}
    out: list[tuple[SampleRow, Article | None]] = []
    ticker = progress(len(rows)) if progress else None
    for row in rows:
        if ticker is not None:
            next(ticker, None)
        if row.dataset not in pages:
            folder = Path(data) / row.dataset
            pages[row.dataset] = {p.id: p for p in read_gold(folder)[1]}
        page = pages[row.dataset].get(row.id)
        if page is None:
            raise UsageError(f"page {row.key} of the genre sample is not in {Path(data) / row.dataset}")
        from ..extract import extract

        item = RawItem(data=page.html(), media_type="text/html", source_kind="html", location=str(page.path),
                       hints={"url": page.url} if page.url else {})
        try:
            out.append((row, extract(item, settings)))
        except InputRejected:
            out.append((row, None))
    return out


def view_of(article: Article, view: str) -> tuple[Article, bool]:
    """The article as the classifier sees it in ``view``, and whether the URL is visible."""
    if view == "text-only":
        return replace(article, url=None, section=None, page_types=[], tags=[]), False
    return article, view == "url"


# ---------------------------------------------------------------------------------------------
# Scores


@dataclass
class ViewScore:
    view: str
    pages: int = 0
    right: int = 0
    news_pages: int = 0
    news_right: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    confidences: list[float] = field(default_factory=list)
    correct: list[bool] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    calibration: CalibrationReport | None = None

    @property
    def accuracy(self) -> float:
        return self.right / self.pages if self.pages else 0.0

    @property
    def news_accuracy(self) -> float:
        return self.news_right / self.news_pages if self.news_pages else 0.0

    def precision(self, label: str) -> float | None:
        said = sum(n for (_gold, pred), n in self.confusion.items() if pred == label)
        return self.confusion[(label, label)] / said if said else None

    def recall(self, label: str) -> float | None:
        gold = sum(n for (g, _pred), n in self.confusion.items() if g == label)
        return self.confusion[(label, label)] / gold if gold else None

    def to_dict(self) -> dict[str, Any]:
        return {"view": self.view, "pages": self.pages, "accuracy": round(self.accuracy, 4),
                "news_pages": self.news_pages, "news_accuracy": round(self.news_accuracy, 4),
                "per_class": {label: {"precision": _r(self.precision(label)), "recall": _r(self.recall(label))}
                              for label in LABELS},
                "confusion": {f"{g}->{p}": n for (g, p), n in sorted(self.confusion.items())},
                "misses": self.misses,
                "calibration": self.calibration.to_dict() if self.calibration else None}


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


@dataclass
class GenreReport:
    sample: str
    split: str
    floor: float
    pages: int
    labels: dict[str, int]
    unreadable: list[str]
    views: list[ViewScore]

    def to_dict(self) -> dict[str, Any]:
        return {"sample": self.sample, "split": self.split, "floor": self.floor, "pages": self.pages,
                "labels": self.labels, "unreadable": self.unreadable, "views": [v.to_dict() for v in self.views]}

    def format(self) -> str:
        counts = ", ".join(f"{n} {label}" for label, n in self.labels.items())
        lines = [f"genre on {self.sample} ({self.split} split): {self.pages} pages ({counts}); floor in force "
                 f"analysis.min_confidence.genre = {self.floor:g}"]
        if self.unreadable:
            lines.append(f"  {len(self.unreadable)} pages gave no article: {', '.join(self.unreadable[:5])}")
        for v in self.views:
            lines.append("")
            lines.append(f"view {v.view}: accuracy {v.accuracy:.3f} ({v.right}/{v.pages}); news pages (opinion,"
                         f" reporting) {v.news_accuracy:.3f} ({v.news_right}/{v.news_pages})")
            lines.append("  class       precision  recall")
            for label in LABELS:
                p, r = v.precision(label), v.recall(label)
                lines.append(f"  {label:<10}  {'-' if p is None else f'{p:.3f}':>9}  {'-' if r is None else f'{r:.3f}':>6}")
            lines.append("  confusion (rows: label, columns: genre given)")
            lines.append("  " + " " * 10 + "".join(f"{p:>10}" for p in LABELS))
            for g in LABELS:
                lines.append(f"  {g:<10}" + "".join(f"{v.confusion[(g, p)]:>10}" for p in LABELS))
            if v.misses:
                lines.append("  misses: " + "; ".join(v.misses[:8]))
            if v.calibration is not None:
                lines.append("  " + v.calibration.format().replace("\n", "\n  "))
        return "\n".join(lines)


def evaluate_genre(sample: str | Path, *, data: str | Path, split: str = "heldout", floor: float | None = None,
                   settings: Settings | None = None, model_path: str = "",
                   progress: Callable[[int], Iterator[object]] | None = None) -> GenreReport:
    """Score the genre classifier on the ``split`` pages of ``sample`` in every view, at ``floor``
    (default: the setting in force)."""
    if split not in SPLITS:
        raise UsageError(f"unknown split {split!r}: choose among {', '.join(SPLITS)}")
    settings = settings or load_settings()
    floor = float(settings.analysis.min_confidence.genre if floor is None else floor)
    rows = select_split(read_sample(sample), split)
    loaded = load_articles(rows, data, settings, progress)
    scores = {view: ViewScore(view) for view in VIEWS}
    unreadable = []
    for row, article in loaded:
        if article is None:
            unreadable.append(row.key)
            continue
        for view in VIEWS:
            seen, use_url = view_of(article, view)
            result = classify_genre(seen, use_url=use_url, model_path=model_path)
            kept = result.confidence is not None and result.confidence >= floor
            given = result.genre if kept else "other"
            score = scores[view]
            score.pages += 1
            score.right += given == row.label
            score.confusion[(row.label, given)] += 1
            if row.label in CLAIMS:
                score.news_pages += 1
                score.news_right += given == row.label
            if given != row.label:
                score.misses.append(f"{row.id[:10]} {row.label}->{given}")
            if result.genre in CLAIMS and result.confidence is not None:
                score.confidences.append(result.confidence)
                score.correct.append(result.genre == row.label)
    for score in scores.values():
        score.calibration = calibration_report("genre", score.confidences, score.correct, floor=floor,
                                               note=f"claims in view {score.view}")
    labels = Counter(row.label for row, _a in loaded)
    return GenreReport(sample=str(sample), split=split, floor=floor, pages=len(loaded),
                       labels={label: labels[label] for label in LABELS}, unreadable=unreadable,
                       views=list(scores.values()))


# ---------------------------------------------------------------------------------------------
# Fitting the confidence


def training_claims(loaded: list[tuple[SampleRow, Article | None]]
                    ) -> tuple[list[dict[str, float]], list[bool], list[str]]:
    """(features, correct, page key) of every claim the classifier makes on the pages, in every view."""
    features, correct, groups = [], [], []
    for row, article in loaded:
        if article is None:
            continue
        for view in VIEWS:
            seen, use_url = view_of(article, view)
            result = classify_genre(seen, use_url=use_url)
            if result.genre not in CLAIMS:
                continue
            features.append(confidence_features(result.genre, result.cues))
            correct.append(result.genre == row.label)
            groups.append(row.key)
    return features, correct, groups


#: Fewer wrong training claims than this and the weights are not fitted (the prior
#: ``EVIDENCE_WEIGHTS`` stay); only the map from score to confidence is.
MIN_WRONG = 8
#: One-sided 95% normal quantile for the Wilson lower bound.
WILSON_Z = 1.645


def wilson_lower(right: float, n: float, z: float = WILSON_Z) -> float:
    """The Wilson score lower bound of a share ``right``/``n``: what ``n`` facts, ``right`` of them
    right, let one claim with 95% confidence (10 of 10 right claims 0.787, not 1.0)."""
    if n <= 0:
        return 0.0
    p = right / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (centre - spread) / (1 + z2 / n)


def conservative_calibration(scores: list[float], correct: list[bool]) -> Calibration:
    """A monotone map from score to the Wilson lower bound of the share right: blocks of equal
    scores, adjacent blocks pooled while a lower block's bound is not below the next (pool adjacent
    violators), and an anchor at score 0.5 -> 0.5 below the lowest block when that block reads
    surer (a claim with no net evidence is a coin toss between the two news genres)."""
    pairs = sorted(zip(scores, correct, strict=True))
    blocks: list[list[float]] = []  # [sum of scores, right, n]
    for score, ok in pairs:
        if blocks and abs(blocks[-1][0] / blocks[-1][2] - score) < 1e-9:
            blocks[-1][0] += score
            blocks[-1][1] += ok
            blocks[-1][2] += 1
        else:
            blocks.append([score, float(ok), 1.0])
    merged: list[list[float]] = []
    for block in blocks:
        merged.append(list(block))
        while len(merged) > 1 and wilson_lower(merged[-2][1], merged[-2][2]) >= wilson_lower(merged[-1][1], merged[-1][2]):
            last = merged.pop()
            for k in range(3):
                merged[-1][k] += last[k]
    xs = [round(b[0] / b[2], 6) for b in merged]
    ys = [round(wilson_lower(b[1], b[2]), 6) for b in merged]
    if not xs or (xs[0] > 0.5 and ys[0] >= 0.5):
        xs, ys = [0.5, *xs], [0.5, *ys]
    if len(xs) == 1:
        xs, ys = [xs[0], xs[0] + 1e-6], [ys[0], ys[0]]
    return Calibration(tuple(xs), tuple(ys))


def fit_confidence(features: list[dict[str, float]], correct: list[bool], groups: list[str], *,
                   meta: dict[str, Any]) -> ConfidenceModel:
    """The genre confidence from training claims.

    With ``MIN_WRONG`` or more wrong claims, the framework's ``ConfidenceModel.fit`` (a logistic
    regression over the cue counts, calibrated on out-of-fold predictions). With fewer, as on a
    sample where the URL states the genre, the data cannot weigh the cues: the prior
    ``EVIDENCE_WEIGHTS`` give the score and ``conservative_calibration`` maps it to the lower
    bound of the share of right claims, so a claim never reads surer than the sample shows.
    """
    wrong = sum(1 for ok in correct if not ok)
    if wrong >= MIN_WRONG:
        return ConfidenceModel.fit("genre", features, correct, groups=groups, meta={**meta, "weights": "fitted"})
    prior = ConfidenceModel("genre", dict(EVIDENCE_WEIGHTS), 0.0)
    calibration = conservative_calibration([prior.raw(f) for f in features], correct)
    return ConfidenceModel("genre", dict(EVIDENCE_WEIGHTS), 0.0, calibration,
                           {**meta, "weights": f"prior (EVIDENCE_WEIGHTS): {wrong} wrong claims, under {MIN_WRONG}",
                            "calibration": "Wilson lower bound (95%), pooled adjacent violators"})


def train_genre(sample: str | Path, *, data: str | Path, output: str | Path | None = None,
                settings: Settings | None = None, echo: Callable[[str], None] = print) -> ConfidenceModel:
    """Fit the genre confidence model on the training split of ``sample`` and save it (``settings``,
    default the defaults, extract the pages as ingest would)."""
    settings = settings or Settings()
    rows = select_split(read_sample(sample), "train")
    echo(f"train genre: reading {len(rows)} training pages of {sample}")
    loaded = load_articles(rows, data, settings)
    features, correct, groups = training_claims(loaded)
    echo(f"train genre: {len(features)} claims in {len(VIEWS)} views, {sum(correct)} right; fitting")
    model = fit_confidence(features, correct, groups,
                           meta={"sample": Path(sample).name, "split": "train", "pages": len(rows),
                                 "claims": len(features), "right": sum(correct), "views": list(VIEWS)})
    target = Path(output) if output else DEFAULT_MODEL
    model.save(target)
    fitted = [model(f) for f in features]
    n, p = precision_above(fitted, correct, 0.5)
    echo(f"train genre: wrote {target}; on the training claims, {n} reach 0.5 with precision "
         f"{'-' if p is None else f'{p:.3f}'}")
    return model


