"""Extraction quality on a gold set of HTML pages: narrascope beside trafilatura, page by page.

Two dataset layouts are recognised from the folder's content:

- ``aeb``, the article-extraction-benchmark (scrapinghub): ``html/<id>.html.gz`` and one
  ``ground-truth.json`` mapping ids to ``{"articleBody": ..., "url": ...}``. Its metric: texts
  split into ``\\w+`` tokens, 4-token shingles counted as multisets; per page precision
  tp/(tp+fp) and recall tp/(tp+fn); precision and recall are averaged over the pages and F1 is the
  harmonic mean of the two averages. A page where both texts have no shingle scores 1 and 1; a
  page with no shared shingle scores 0 and 0 (the benchmark's own convention).
- ``wcxb``, the web content extraction benchmark: ``html/<id>.html.gz`` and
  ``ground-truth/<id>.json`` with ``ground_truth.main_content``, ``title``, ``author`` and
  ``publish_date``. Its metric: bag-of-words over lower-cased ``\\w+`` tokens, per page precision,
  recall and F1, each averaged over the pages (F1 is the mean of the per-page F1s). Pages without
  ``main_content`` count for the metadata only. The metadata, each scored only where the gold has it:

  - ``title``: share of pages with a gold title whose title is equal after case folding and
    whitespace collapsing;
  - ``author``: the whole author string equal (several predicted names joined with ", "), a null
    gold right only when nothing was predicted: the benchmark's own exact match, over all pages;
  - ``author_precision`` and ``author_recall``: over the names, on the pages whose gold names an
    author, micro-averaged. Names are split and normalised alike on both sides (``author_names``:
    credentials and roles after a name dropped, accents, case, punctuation and "Dr" ignored);
  - ``false_authors``: pages whose gold has no author where an author was named;
  - ``published``: share of pages with a gold date whose date is that day (a gold "2003-11" is
    matched by any day of that month);
  - ``false_dates``: pages whose gold has no date where a date was named (a guessed date).

Systems, all run on the same pages in the same run: ``narrascope`` (``extract_html``, what ingest
runs per HTML page, decoding included), ``trafilatura`` (``trafilatura.extract(html)`` with its
defaults, the anchor users know) and ``trafilatura-no-comments`` (the same with
``include_comments=False``). trafilatura's title, author and date come from
``bare_extraction(html, with_metadata=True)`` with its defaults.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import InputRejected, UsageError
from ..model import RawItem
from ..settings import Settings, load_settings

__all__ = [
    "ExtractionReport",
    "GoldPage",
    "SystemScore",
    "author_names",
    "bag_of_words_scores",
    "detect_layout",
    "evaluate_extraction",
    "read_gold",
    "same_date",
    "same_field",
    "shingle_scores",
]

TOKEN = re.compile(r"\w+")
SHINGLE = 4
LAYOUTS = ("aeb", "wcxb")
METRICS = {
    "aeb": "4-token shingles (multisets); precision and recall averaged over pages, F1 their harmonic mean",
    "wcxb": "bag of lower-cased words; precision, recall and F1 per page, averaged over pages",
}


# ---------------------------------------------------------------------------------------------
# Gold sets


@dataclass(frozen=True)
class GoldPage:
    id: str
    path: Path
    #: the gold body, None when the gold set has none for this page
    text: str | None
    url: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None

    def html(self) -> bytes:
        return gzip.decompress(self.path.read_bytes())


def detect_layout(folder: str | Path) -> str:
    """"aeb" or "wcxb" from what ``folder`` holds; ``UsageError`` (NS403) if neither."""
    root = Path(folder)
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder")
    if (root / "html").is_dir() and (root / "ground-truth.json").is_file():
        return "aeb"
    if (root / "html").is_dir() and (root / "ground-truth").is_dir():
        return "wcxb"
    raise UsageError(
        f"{root} is not an extraction gold set: expected html/<id>.html.gz with ground-truth.json "
        "(article-extraction-benchmark) or with ground-truth/<id>.json (WCXB)"
    )


def read_gold(folder: str | Path, *, limit: int | None = None) -> tuple[str, list[GoldPage]]:
    """The layout and the gold pages of ``folder``, sorted by id, at most ``limit`` of them."""
    root = Path(folder)
    layout = detect_layout(root)
    pages: list[GoldPage] = []
    if layout == "aeb":
        truth = _read_json(root / "ground-truth.json")
        for page_id in sorted(truth):
            entry = truth[page_id]
            path = root / "html" / f"{page_id}.html.gz"
            if path.is_file():
                pages.append(GoldPage(id=page_id, path=path, text=entry.get("articleBody") or "",
                                      url=entry.get("url")))
    else:
        for gold_path in sorted((root / "ground-truth").glob("*.json")):
            path = root / "html" / f"{gold_path.stem}.html.gz"
            if not path.is_file():
                continue
            entry = _read_json(gold_path)
            gold = entry.get("ground_truth") or {}
            pages.append(GoldPage(id=gold_path.stem, path=path, text=gold.get("main_content"), url=entry.get("url"),
                                  title=gold.get("title"), author=gold.get("author"),
                                  published=gold.get("publish_date")))
    if not pages:
        raise UsageError(f"{root} holds no gold pages (no html/<id>.html.gz matches the ground truth)")
    return layout, pages[:limit] if limit else pages


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise UsageError(f"cannot read gold file {path}: {e}") from e


# ---------------------------------------------------------------------------------------------
# Metrics


def tokens(text: str, *, lower: bool = False) -> list[str]:
    return TOKEN.findall(text.lower() if lower else text)


def _shingles(text: str, n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    words = tokens(text)
    return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def shingle_scores(gold: str, predicted: str) -> tuple[float, float]:
    """Per-page (precision, recall) of the article-extraction-benchmark."""
    true, found = _shingles(gold), _shingles(predicted)
    tp = sum((true & found).values())
    fp = sum((found - true).values())
    fn = sum((true - found).values())
    if fp == fn == 0:
        return 1.0, 1.0
    if tp == 0:
        return 0.0, 0.0
    return tp / (tp + fp), tp / (tp + fn)


def bag_of_words_scores(gold: str, predicted: str) -> tuple[float, float, float]:
    """Per-page (precision, recall, F1) of WCXB: lower-cased word multisets."""
    true, found = Counter(tokens(gold, lower=True)), Counter(tokens(predicted, lower=True))
    if not true and not found:
        return 1.0, 1.0, 1.0
    tp = sum((true & found).values())
    if tp == 0:
        return 0.0, 0.0, 0.0
    precision, recall = tp / sum(found.values()), tp / sum(true.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def _normal(value: str | None) -> str:
    return " ".join((value or "").casefold().split())


def same_field(gold: str | None, predicted: str | None) -> bool:
    """Exact match after case folding and whitespace collapsing; empty equals null."""
    return _normal(gold) == _normal(predicted)


def same_date(gold: str | None, predicted: str | None) -> bool:
    """The predicted day is the gold one; a gold month ("2003-11") is matched by any of its days."""
    gold, predicted = (gold or "").strip(), (predicted or "").strip()
    return bool(gold and predicted) and predicted[: len(gold)] == gold


HONORIFIC = re.compile(r"^(?:dr|prof|mr|mrs|ms)\s+")


def author_names(value: str | None) -> set[str]:
    """The normalised names in an author string: split as bylines are (``split_authors``: "A, B
    and C", credentials and roles after a name dropped), then accents, case, punctuation and a
    leading "Dr"/"Prof"/"Mr"... ignored."""
    from ..extract.html import split_authors

    names = set()
    for name in split_authors(value or ""):
        plain = unicodedata.normalize("NFKD", name)
        plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
        key = HONORIFIC.sub("", " ".join(TOKEN.findall(plain)))
        if key:
            names.add(key)
    return names


# ---------------------------------------------------------------------------------------------
# Systems


@dataclass
class Prediction:
    text: str
    title: str | None = None
    author: str | None = None
    published: str | None = None
    #: the authors one by one as the system names them (``author`` joins them)
    names: list[str] = field(default_factory=list)


def _narrascope(page: GoldPage, html: bytes, settings: Settings) -> Prediction:
    from ..extract.html import extract_html

    item = RawItem(data=html, media_type="text/html", source_kind="html", location=str(page.path))
    try:
        draft = extract_html(item, settings)
    except InputRejected:  # an undecodable page scores as an empty extraction
        return Prediction(text="")
    return Prediction(text=draft.text, title=draft.title or None, author=", ".join(draft.authors) or None,
                      published=draft.published, names=list(draft.authors))


def _trafilatura_text(html: bytes, **options: Any) -> str:
    import trafilatura

    return trafilatura.extract(html, **options) or ""


def _trafilatura_metadata(html: bytes) -> Prediction:
    import trafilatura

    document = trafilatura.bare_extraction(html, with_metadata=True)
    if document is None:
        return Prediction(text="")
    fields = document if isinstance(document, dict) else document.as_dict()
    names = [a.strip() for a in (fields.get("author") or "").split(";") if a.strip()]
    return Prediction(text="", title=fields.get("title"), author=", ".join(names) or None, published=fields.get("date"),
                      names=names)


SYSTEMS: dict[str, str] = {
    "narrascope": "narrascope extract_html (decoding, trafilatura, metadata cascade, cleaning)",
    "trafilatura": "trafilatura.extract(html), its defaults",
    "trafilatura-no-comments": "trafilatura.extract(html, include_comments=False)",
}


# ---------------------------------------------------------------------------------------------
# The report


@dataclass
class SystemScore:
    name: str
    description: str
    #: pages scored for the body (pages with a gold body)
    pages: int = 0
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    #: the metadata (WCXB only; None otherwise), each scored where the gold has it (see the module doc)
    title: float | None = None
    author: float | None = None
    author_pages: int | None = None
    author_precision: float | None = None
    author_recall: float | None = None
    false_authors: int | None = None
    date_pages: int | None = None
    published: float | None = None
    false_dates: int | None = None


@dataclass
class ExtractionReport:
    dataset: str
    layout: str
    metric: str
    pages: int
    systems: list[SystemScore] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def format(self) -> str:
        """A plain-text table, one line per system."""
        with_metadata = any(s.title is not None for s in self.systems)
        lines = [
            f"{self.layout}: {self.dataset} ({self.pages} pages)",
            f"metric: {self.metric}",
            "",
            f"{'system':26} {'precision':>9} {'recall':>7} {'F1':>7}"
            + (f" {'title':>7} {'author':>7} {'auth-P':>7} {'auth-R':>7} {'date':>7} {'false-authors':>13}"
               f" {'false-dates':>11}" if with_metadata else ""),
        ]
        for s in self.systems:
            line = f"{s.name:26} {s.precision:9.4f} {s.recall:7.4f} {s.f1:7.4f}"
            if with_metadata:
                line += "".join(f" {v:7.4f}" if v is not None else f" {'-':>7}"
                                for v in (s.title, s.author, s.author_precision, s.author_recall, s.published))
                line += f" {s.false_authors if s.false_authors is not None else '-':>13}"
                line += f" {s.false_dates if s.false_dates is not None else '-':>11}"
            lines.append(line)
        if with_metadata and self.systems:
            first = self.systems[0]
            lines += ["", f"title: exact match; author: the whole string, exact match (a null gold is right when "
                          f"none is named); auth-P/auth-R: names on the {first.author_pages} pages whose gold names "
                          f"an author; date: on the {first.date_pages} pages with a gold date; false-authors and "
                          f"false-dates: pages with no gold author (date) where one was named"]
        return "\n".join(lines)


def evaluate_extraction(
    folder: str | Path,
    *,
    limit: int | None = None,
    settings: Settings | None = None,
    progress: Callable[[int], Iterator[object]] | None = None,
) -> ExtractionReport:
    """Score narrascope and trafilatura on the gold set in ``folder`` (layout auto-detected).

    ``progress`` wraps the list of pages (e.g. a progress bar), as in ``ingest``.
    """
    settings = settings or load_settings()
    layout, pages = read_gold(folder, limit=limit)
    with_metadata = layout == "wcxb"
    text_scores: dict[str, list[tuple[float, ...]]] = {name: [] for name in SYSTEMS}
    field_scores: dict[str, FieldTally] = {name: FieldTally() for name in SYSTEMS}
    ticker = progress(len(pages)) if progress else None
    for page in pages:
        if ticker is not None:
            next(ticker, None)
        html = page.html()
        ours = _narrascope(page, html, settings)
        theirs_meta = _trafilatura_metadata(html) if with_metadata else Prediction(text="")
        predictions = {
            "narrascope": ours,
            "trafilatura": replace(theirs_meta, text=_trafilatura_text(html)),
            "trafilatura-no-comments": replace(theirs_meta, text=_trafilatura_text(html, include_comments=False)),
        }
        for name, predicted in predictions.items():
            if page.text is not None:
                score = (shingle_scores(page.text, predicted.text) if layout == "aeb"
                         else bag_of_words_scores(page.text, predicted.text))
                text_scores[name].append(score)
            if with_metadata:
                field_scores[name].add(page, predicted)
    report = ExtractionReport(dataset=str(folder), layout=layout, metric=METRICS[layout], pages=len(pages))
    for name, description in SYSTEMS.items():
        report.systems.append(_summarise(name, description, layout, text_scores[name],
                                         field_scores[name] if with_metadata else None))
    return report


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


@dataclass
class FieldTally:
    """Counts behind the metadata scores of one system."""

    pages: int = 0
    title_pages: int = 0
    title_right: int = 0
    author_right: int = 0
    author_pages: int = 0
    names_predicted: int = 0
    names_gold: int = 0
    names_shared: int = 0
    false_authors: int = 0
    date_pages: int = 0
    date_right: int = 0
    false_dates: int = 0

    def add(self, page: GoldPage, predicted: Prediction) -> None:
        self.pages += 1
        if page.title:
            self.title_pages += 1
            self.title_right += same_field(page.title, predicted.title)
        self.author_right += same_field(page.author, predicted.author)
        # each name the system gives, normalised (and split only if it holds several), so that
        # "Kev" and "Bob" are not read back as one "Kev, Bob" family-name-first
        gold_names = author_names(page.author)
        found_names = set().union(*map(author_names, predicted.names)) if predicted.names else author_names(
            predicted.author)
        if gold_names:
            self.author_pages += 1
            self.names_gold += len(gold_names)
            self.names_predicted += len(found_names)
            self.names_shared += len(gold_names & found_names)
        elif not (page.author or "").strip() and (predicted.author or "").strip():
            self.false_authors += 1
        if page.published:
            self.date_pages += 1
            self.date_right += same_date(page.published, predicted.published)
        elif (predicted.published or "").strip():
            self.false_dates += 1


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _summarise(name: str, description: str, layout: str, scores: list[tuple[float, ...]],
               tally: FieldTally | None) -> SystemScore:
    score = SystemScore(name=name, description=description, pages=len(scores))
    score.precision = _mean([s[0] for s in scores])
    score.recall = _mean([s[1] for s in scores])
    if layout == "aeb":
        total = score.precision + score.recall
        score.f1 = 2 * score.precision * score.recall / total if total else 0.0
    else:
        score.f1 = _mean([s[2] for s in scores])
    if tally is not None:
        score.title = _ratio(tally.title_right, tally.title_pages)
        score.author = _ratio(tally.author_right, tally.pages)
        score.author_pages = tally.author_pages
        score.author_precision = _ratio(tally.names_shared, tally.names_predicted)
        score.author_recall = _ratio(tally.names_shared, tally.names_gold)
        score.false_authors = tally.false_authors
        score.date_pages = tally.date_pages
        score.published = _ratio(tally.date_right, tally.date_pages)
        score.false_dates = tally.false_dates
    return score
