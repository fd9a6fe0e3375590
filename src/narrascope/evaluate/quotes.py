"""Quote attribution quality on brat standoff gold data (the PolNeAR layout).

The folder holds ``text/<name>.txt`` and ``attributions/<name>_<annotator>.ann`` (or the two
under a ``train/``, ``dev/`` or ``test/`` subfolder, pointed at directly). Each ``Attribution``
event of an ``.ann`` file joins a ``Source`` (absent for ``Attribution-no-source``), a ``Cue`` and
a ``Content`` text-bound annotation; a discontinuous span (``start end;start end``) counts from
its first start to its last end. When several annotators annotated one text, the first
``.ann`` file in name order is the gold.

Matching rule (source-and-content overlap): a predicted quote matches a gold attribution when
their content spans overlap by at least one character and the predicted ``speaker_span``
overlaps the gold source span (a gold attribution without a source needs the content overlap
only). Each gold attribution matches at most one prediction and the other way round; pairs are
taken greedily by the size of the content overlap. Precision is matched predictions over
predictions, recall matched gold attributions over gold attributions.

Two scores are reported: all attributions, and direct quotes only, where the gold side is the
attributions whose content contains a double quote mark (``"“”«»``) and the predicted side the
quotes marked ``direct``, matched among themselves with the same rule.

Splits and the floor: ``split`` picks documents by ``in_training_split(document name)`` (the
confidence model of quotes is fitted on the ``train`` documents; ``heldout`` ones, the default,
are data it never saw). The figures count only the quotes whose confidence reaches the floor in
force (``analysis.min_confidence.quotes``), as the record keeps them; below them, the reliability
curve of every quote found, each judged right when the one-to-one matching above pairs it with
a gold attribution.

The texts are parsed with ``nlp.pipe`` (``n_process`` processes), and ``find_quotes`` runs
with no actor mentions, so spaCy's entities stand in for them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..analysis.confidence import CalibrationReport, calibration_report, in_training_split
from ..errors import UsageError

__all__ = ["SPLITS", "GoldAttribution", "QuoteScore", "QuotesReport", "evaluate_quotes",
           "judge_quotes", "match_quotes", "read_brat", "read_gold", "select_split"]

#: ``--split`` choices: documents by ``in_training_split(name)``.
SPLITS = ("heldout", "train", "all")

MATCHING_RULE = ("source-and-content overlap: a prediction matches a gold attribution when the content spans "
                 "overlap and the speaker span overlaps the gold source (content only when the gold has no "
                 "source); one-to-one, greedy by content overlap")
DIRECT_RULE = ("direct: gold content containing a double quote mark (typewriter pairs '' and `` included), "
               "predicted quotes marked direct")
QUOTE_MARK = re.compile(r"``|''|[\"“”«»„]")
SPAN = re.compile(r"^(\w[\w-]*) (\d+ \d+(?:;\d+ \d+)*)$")


@dataclass(frozen=True)
class GoldAttribution:
    content: tuple[int, int]
    source: tuple[int, int] | None
    cue: tuple[int, int] | None
    content_text: str

    @property
    def direct(self) -> bool:
        return QUOTE_MARK.search(self.content_text) is not None


def _span(offsets: str) -> tuple[int, int]:
    pieces = [tuple(int(x) for x in part.split()) for part in offsets.split(";")]
    return pieces[0][0], pieces[-1][1]


def read_brat(ann: str, text: str) -> list[GoldAttribution]:
    """The attributions of one ``.ann`` file (brat standoff) over ``text``."""
    spans: dict[str, tuple[str, tuple[int, int]]] = {}
    events: list[dict[str, str]] = []
    for line in ann.splitlines():
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        ident, body = parts[0], parts[1]
        if ident.startswith("T"):
            match = SPAN.match(body)
            if match:
                spans[ident] = (match.group(1), _span(match.group(2)))
        elif ident.startswith("E"):
            roles: dict[str, str] = {}
            for arg in body.split():
                role, _, ref = arg.partition(":")
                roles[role] = ref
            events.append(roles)
    out = []
    for roles in events:
        if not any(r.startswith("Attribution") for r in roles):
            continue
        content = spans.get(roles.get("Content", ""))
        if content is None:
            continue
        source = spans.get(roles.get("Source", ""))
        cue = spans.get(roles.get("Cue", ""))
        start, end = content[1]
        out.append(GoldAttribution(content[1], source[1] if source else None, cue[1] if cue else None,
                                   text[start:end]))
    return out


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _pairs(gold: list[GoldAttribution], predicted: list[dict[str, Any]]) -> dict[int, int]:
    """The one-to-one matching of the module docstring: predicted index -> gold index."""
    pairs = []
    for g_index, g in enumerate(gold):
        for p_index, p in enumerate(predicted):
            size = _overlap(g.content, (p["start"], p["end"]))
            if not size:
                continue
            if g.source is not None:
                span = p.get("speaker_span")
                if not span or not _overlap(g.source, (span["start"], span["end"])):
                    continue
            pairs.append((-size, g_index, p_index))
    pairs.sort()
    gold_used: set[int] = set()
    matched: dict[int, int] = {}
    for _, g_index, p_index in pairs:
        if g_index in gold_used or p_index in matched:
            continue
        gold_used.add(g_index)
        matched[p_index] = g_index
    return matched


def match_quotes(gold: list[GoldAttribution], predicted: list[dict[str, Any]]) -> int:
    """How many one-to-one pairs match under the source-and-content overlap rule."""
    return len(_pairs(gold, predicted))


def judge_quotes(gold: list[GoldAttribution], predicted: list[dict[str, Any]]) -> list[bool]:
    """Per predicted quote, whether the matching pairs it with a gold attribution (its correctness
    for calibration and for fitting the confidence model)."""
    matched = _pairs(gold, predicted)
    return [i in matched for i in range(len(predicted))]


@dataclass
class QuoteScore:
    name: str
    gold: int = 0
    predicted: int = 0
    matched: int = 0

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "gold": self.gold, "predicted": self.predicted, "matched": self.matched,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class QuotesReport:
    dataset: str
    documents: int
    rule: str = MATCHING_RULE
    scores: list[QuoteScore] = field(default_factory=list)
    split: str = "all"
    floor: float = 0.0
    calibration: CalibrationReport | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["scores"] = [s.to_dict() for s in self.scores]
        out["direct_rule"] = DIRECT_RULE
        out["calibration"] = self.calibration.to_dict() if self.calibration else None
        return out

    def format(self) -> str:
        lines = [f"quotes: {self.dataset} ({self.documents} documents, split {self.split})",
                 f"matching rule: {self.rule}", f"{DIRECT_RULE}",
                 f"quotes kept at the floor in force: analysis.min_confidence.quotes = {self.floor:g}", "",
                 f"{'subset':14} {'gold':>6} {'predicted':>9} {'matched':>7} {'precision':>9} {'recall':>7} {'F1':>7}"]
        for s in self.scores:
            lines.append(f"{s.name:14} {s.gold:6d} {s.predicted:9d} {s.matched:7d} {s.precision:9.4f} "
                         f"{s.recall:7.4f} {s.f1:7.4f}")
        if self.calibration is not None:
            lines += ["", self.calibration.format()]
        return "\n".join(lines)


def _layout(folder: Path) -> tuple[Path, Path]:
    for base in (folder, folder / "train"):
        if (base / "text").is_dir() and (base / "attributions").is_dir():
            return base / "text", base / "attributions"
    raise UsageError(f"{folder}: expected text/ and attributions/ folders (brat standoff, PolNeAR layout)")


def read_gold(folder: str | Path, *, limit: int | None = None) -> list[tuple[str, str, list[GoldAttribution]]]:
    """``(name, text, attributions)`` per document of the folder, sorted by name."""
    text_dir, ann_dir = _layout(Path(folder))
    anns: dict[str, Path] = {}
    for ann in sorted(ann_dir.glob("*.ann")):
        stem = ann.stem
        for candidate in (stem, stem.rpartition("_")[0]):
            if candidate and (text_dir / f"{candidate}.txt").is_file():
                anns.setdefault(candidate, ann)
                break
    names = sorted(anns)[:limit] if limit else sorted(anns)
    out = []
    for name in names:
        text = (text_dir / f"{name}.txt").read_text(encoding="utf-8")
        out.append((name, text, read_brat(anns[name].read_text(encoding="utf-8"), text)))
    return out


def select_split(documents: list[tuple[str, str, list[GoldAttribution]]], split: str,
                 ) -> list[tuple[str, str, list[GoldAttribution]]]:
    """The documents of ``split`` ("heldout", "train" or "all") by ``in_training_split(name)``."""
    if split not in SPLITS:
        raise UsageError(f"unknown split {split!r}: one of {', '.join(SPLITS)}")
    if split == "all":
        return documents
    return [d for d in documents if in_training_split(d[0]) == (split == "train")]


def evaluate_quotes(folder: str | Path, *, limit: int | None = None, n_process: int = 1,
                    progress: Callable[[int], Iterator[object]] | None = None, split: str = "all",
                    floor: float = 0.0) -> QuotesReport:
    """Score ``find_quotes`` on the brat attribution gold in ``folder`` (see the module docstring).

    ``split`` picks the documents; quotes below ``floor`` are left out of the figures, as the
    record leaves them out; the calibration report judges every quote found.
    """
    from ..analysis.nlp import load_nlp
    from ..analysis.quotes import find_quotes

    documents = select_split(read_gold(folder), split)
    documents = documents[:limit] if limit else documents
    every, direct = QuoteScore("all"), QuoteScore("direct")
    ticker = progress(len(documents)) if progress else None
    nlp = load_nlp()
    docs = nlp.pipe((text for _, text, _ in documents), batch_size=16, n_process=n_process)
    confidences: list[float] = []
    correct: list[bool] = []
    for (_, _, gold), doc in zip(documents, docs, strict=True):
        if ticker is not None:
            next(ticker, None)
        found = find_quotes(doc)
        confidences += [q["confidence"] for q in found]
        correct += judge_quotes(gold, found)
        predicted = [q for q in found if q["confidence"] >= floor]
        _add(every, gold, predicted)
        _add(direct, [g for g in gold if g.direct], [p for p in predicted if p["direct"]])
    calibration = calibration_report("quotes", confidences, correct, floor=floor,
                                     note="right = paired with a gold attribution by the matching rule")
    return QuotesReport(dataset=str(folder), documents=len(documents), scores=[every, direct], split=split,
                        floor=floor, calibration=calibration)


def _add(score: QuoteScore, gold: list[GoldAttribution], predicted: list[dict[str, Any]]) -> None:
    score.gold += len(gold)
    score.predicted += len(predicted)
    score.matched += match_quotes(gold, predicted)


