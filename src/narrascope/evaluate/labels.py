"""Frames and topics against a hand-labelled sample: their confidence models, fitted and measured.

No public gold set for frames or for our topic taxonomy is available offline, so the development
pages of ``../shared/data/aeb`` and ``../shared/data/wcxb`` were labelled by reading
(``benchmarks/labels/frames_topics.jsonl``, described in ``benchmarks/labels/README.md``): per
article the frames and topics a reader finds in it, made without seeing narrascope's output. The
files hold page ids and labels only; the texts stay in ``../shared/data`` and are extracted here
by narrascope's own HTML extractor, as an ingest would.

- ``narrascope train frames|topics SAMPLE --data DIR`` fits the field's ``ConfidenceModel`` on
  every labelled article (its features: ``frames.frame_features`` / ``topics.topic_features``) and
  writes ``data/models/<field>.confidence.json``.
- ``narrascope eval frames|topics SAMPLE --data DIR`` measures by K-fold cross-validation over
  articles (default 5 folds): each fold's facts get their confidence from a model fitted on the
  other folds, so every figure is on articles the model did not see. A fact (an article's frame or
  topic) is right when the labels of its article have it. Printed: precision, recall and F1 of the
  facts kept at the floor in force, per label, and the reliability curve.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

from ..analysis.confidence import CalibrationReport, ConfidenceModel, calibration_report
from ..errors import InputRejected, UsageError
from ..settings import Settings

__all__ = ["LABEL_FIELDS", "LabelledArticle", "LabelsReport", "candidate_facts", "evaluate_labels",
           "fit_labels", "read_label_sample"]

LABEL_FIELDS = ("frames", "topics")
#: The candidates a topic needs to be considered at all (the stage's ``analysis.topic_min_score``
#: default); the confidence decides what is kept.
TOPIC_CANDIDATE_SCORE = 2.0
SEED = 13


@dataclass(frozen=True)
class LabelledArticle:
    dataset: str
    page: str
    url: str | None
    title: str
    text: str
    frames: frozenset[str]
    topics: frozenset[str]

    def gold(self, field_name: str) -> frozenset[str]:
        return self.frames if field_name == "frames" else self.topics


def read_label_sample(path: str | Path, data: str | Path, *, settings: Settings | None = None,
                      progress: Callable[[int], Iterator[object]] | None = None) -> list[LabelledArticle]:
    """The labelled articles of ``path`` (JSONL: dataset, page, frames, topics), their text
    extracted from the pages under ``data/<dataset>`` by narrascope's HTML extractor with
    ``settings`` (default: the defaults; PTC and PolNeAR articles are plain text, the title line
    then the body; NTREX documents are read from the line-aligned source file)."""
    from ..extract.html import extract_html
    from ..model import RawItem
    from .extraction import read_gold
    from .lines import read_json_lines

    rows = read_json_lines(path, "a labelled article", lambda row: (
        row["dataset"], row["page"], row.get("url"), frozenset(row.get("frames") or ()),
        frozenset(row.get("topics") or ())))
    pages = {}
    ntrex = _ntrex_documents(Path(data) / "ntrex") if any(r[0] == "ntrex" for r in rows) else {}
    for dataset in sorted({r[0] for r in rows} - PLAIN_TEXT):
        folder = Path(data) / dataset
        if not folder.is_dir():
            raise UsageError(f"{folder} not found: --data must hold the {dataset} pages")
        pages.update({(dataset, p.id): p for p in read_gold(folder)[1]})
    settings = settings or Settings()
    ticks = iter(progress(len(rows))) if progress else None
    out = []
    for dataset, page_id, url, frames, topics in rows:
        if dataset in PLAIN_TEXT:
            title, text = _plain_article(Path(data), dataset, page_id, ntrex, str(path))
            out.append(LabelledArticle(dataset, page_id, url, title, text, frames, topics))
            if ticks is not None:
                next(ticks, None)
            continue
        page = pages.get((dataset, page_id))
        if page is None:
            raise UsageError(f"page {dataset}/{page_id} of {path} is not in {data}")
        try:
            draft = extract_html(RawItem(data=page.html(), media_type="text/html", source_kind="html",
                                         location=str(page.path)), settings)
            title, text = draft.title or "", draft.text
        except InputRejected:
            title, text = "", ""
        out.append(LabelledArticle(dataset, page_id, url, title, text, frames, topics))
        if ticks is not None:
            next(ticks, None)
    return out


#: Datasets of plain-text articles (no HTML to extract): PTC and PolNeAR files hold the title on
#: their first line, then the body; an NTREX document is its lines in DOCUMENT_IDS order, the first
#: being the title.
PLAIN_TEXT = frozenset({"ptc", "polnear", "ntrex"})


def _ntrex_documents(folder: Path) -> dict[str, list[str]]:
    ids_file, source = folder / "DOCUMENT_IDS.tsv", folder / "newstest2019-src.eng.txt"
    if not ids_file.is_file() or not source.is_file():
        raise UsageError(f"{folder} does not hold NTREX's DOCUMENT_IDS.tsv and newstest2019-src.eng.txt")
    ids = [line.split("\t")[0].strip() for line in ids_file.read_text(encoding="utf-8").splitlines()]
    docs: dict[str, list[str]] = {}
    for doc, line in zip(ids, source.read_text(encoding="utf-8").split("\n"), strict=False):
        docs.setdefault(doc, []).append(line)
    return docs


def _plain_article(data: Path, dataset: str, page: str, ntrex: dict[str, list[str]], sample: str) -> tuple[str, str]:
    """(title, text) of a plain-text labelled article."""
    if dataset == "ntrex":
        lines = ntrex.get(page)
        if not lines:
            raise UsageError(f"document {page} of {sample} is not in {data / 'ntrex'}")
        return lines[0].strip(), "\n\n".join(x.strip() for x in lines[1:] if x.strip())
    file = (data / "ptc" / "articles" / f"article{page}.txt" if dataset == "ptc"
            else data / "polnear" / "train" / "text" / f"{page}.txt")
    if not file.is_file():
        raise UsageError(f"article {page} of {sample} is not in {file.parent}")
    title, _, text = file.read_text(encoding="utf-8").partition("\n")
    return title.strip(), text.strip()


def candidate_facts(field_name: str, article: LabelledArticle) -> list[tuple[str, dict[str, float]]]:
    """(label, features) of every candidate the stage would consider for the article."""
    if field_name == "frames":
        from ..analysis.frames import frame_features, score_frames

        scored = score_frames(article.text, cues=True)
        return [(f["name"], feats) for f, feats in zip(scored, frame_features(scored), strict=True)]
    from ..analysis.topics import _WORD, assign_topics, topic_features

    topics = assign_topics(article.title, article.text, min_score=TOPIC_CANDIDATE_SCORE, calibrated=False)
    words = len(_WORD.findall(article.text))
    return [(t.id, topic_features(t, rank=rank, words=words)) for rank, t in enumerate(topics)]


def _facts(field_name: str, articles: Sequence[LabelledArticle],
           ) -> tuple[list[dict[str, float]], list[bool], list[str], list[tuple[int, str]]]:
    features, correct, groups, where = [], [], [], []
    for i, article in enumerate(articles):
        gold = article.gold(field_name)
        for label, feats in candidate_facts(field_name, article):
            features.append(feats)
            correct.append(label in gold)
            groups.append(article.page)
            where.append((i, label))
    return features, correct, groups, where


def fit_labels(field_name: str, articles: Sequence[LabelledArticle], *, source: str = "") -> ConfidenceModel:
    """The field's confidence model fitted on every article of the sample."""
    features, correct, groups, _ = _facts(field_name, articles)
    return ConfidenceModel.fit(field_name, features, correct, groups=groups, meta={
        "data": source or "benchmarks/labels/frames_topics.jsonl", "articles": len(articles), "facts": len(correct),
        "right": sum(correct), "features": "analysis." + ("frames.frame_features" if field_name == "frames"
                                                          else "topics.topic_features")})


@dataclass
class LabelsReport:
    field: str
    articles: int
    folds: int
    floor: float
    #: facts kept at the floor, right among them, gold labels in all
    kept: int = 0
    right: int = 0
    gold: int = 0
    per_label: dict[str, dict[str, int]] = dc_field(default_factory=dict)
    calibration: CalibrationReport | None = None

    @property
    def precision(self) -> float:
        return self.right / self.kept if self.kept else 0.0

    @property
    def recall(self) -> float:
        return self.right / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "articles": self.articles, "folds": self.folds, "floor": self.floor,
                "kept": self.kept, "right": self.right, "gold": self.gold, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4), "per_label": self.per_label,
                "calibration": self.calibration.to_dict() if self.calibration else None}

    def format(self) -> str:
        lines = [f"{self.field}: {self.articles} hand-labelled articles, {self.folds}-fold cross-validation by"
                 " article (each fact's confidence from a model that did not see its article)",
                 f"kept at the floor (analysis.min_confidence.{self.field} = {self.floor:g}): {self.kept} facts,"
                 f" {self.right} right; gold labels {self.gold}",
                 f"precision {self.precision:.3f}  recall {self.recall:.3f}  F1 {self.f1:.3f}", "",
                 f"{'per label':<46} {'kept':>5} {'right':>6} {'gold':>5}"]
        for label, row in sorted(self.per_label.items(), key=lambda kv: (-kv[1]["gold"], kv[0])):
            lines.append(f"{label:<46} {row['kept']:>5} {row['right']:>6} {row['gold']:>5}")
        if self.calibration is not None:
            lines += ["", self.calibration.format()]
        lines += ["", "Matching rule: a fact is an article's frame (topic) with its confidence; it is right when"
                  " the article's hand labels have it; recall = right kept facts / gold labels (a label the"
                  " lexicon never proposes counts as missed)."]
        return "\n".join(lines)


def _fold(page: str, folds: int) -> int:
    return int(hashlib.md5(f"{SEED}:{page}".encode()).hexdigest(), 16) % folds


def evaluate_labels(field_name: str, articles: Sequence[LabelledArticle], *, floor: float, folds: int = 5,
                    ) -> LabelsReport:
    """Cross-validated precision, recall and calibration of the field's kept facts (module docstring)."""
    if field_name not in LABEL_FIELDS:
        raise UsageError(f"unknown labelled field {field_name!r}")
    features, correct, groups, where = _facts(field_name, articles)
    confidences = [0.0] * len(correct)
    for k in range(folds):
        train = [i for i, g in enumerate(groups) if _fold(g, folds) != k]
        test = [i for i, g in enumerate(groups) if _fold(g, folds) == k]
        if not test:
            continue
        model = ConfidenceModel.fit(field_name, [features[i] for i in train], [correct[i] for i in train],
                                    groups=[groups[i] for i in train])
        for i in test:
            confidences[i] = model(features[i])
    report = LabelsReport(field=field_name, articles=len(articles), folds=folds, floor=floor)
    per: dict[str, Counter[str]] = {}
    for article in articles:
        for label in article.gold(field_name):
            per.setdefault(label, Counter())["gold"] += 1
            report.gold += 1
    for (_, label), ok, conf in zip(where, correct, confidences, strict=True):
        if conf >= floor:
            report.kept += 1
            report.right += int(ok)
            per.setdefault(label, Counter())["kept"] += 1
            per[label]["right"] += int(ok)
    report.per_label = {k: {"kept": v["kept"], "right": v["right"], "gold": v["gold"]} for k, v in per.items()}
    report.calibration = calibration_report(field_name, confidences, correct, floor=floor,
                                            note=f"{folds}-fold cross-validated by article")
    return report
