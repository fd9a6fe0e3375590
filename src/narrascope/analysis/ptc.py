"""The Propaganda Techniques Corpus (PTC, SemEval-2020 task 11) format, and its labels as SemEval-2023 names.

A PTC folder holds ``articles/article<ID>.txt`` (title, blank line, one sentence per line) and
``labels/article<ID>.labels`` (tab separated: id, technique, start, end; end exclusive). Offsets are
character offsets into the article file as read in UTF-8 with newlines kept as they are.

PTC has 14 classes; SemEval-2023 task 3 has 23 finer names. ``PTC_TO_SEMEVAL`` maps each PTC class
to the SemEval-2023 name narrascope predicts; two PTC classes merge several techniques:

- ``Bandwagon,Reductio_ad_hitlerum`` is split by a lexical cue: a span naming Hitler, Nazis, the
  Gestapo, Stalin, fascism, the KKK and the like (``REDUCTIO_CUE``) becomes
  ``Guilt_by_Association`` (reductio ad hitlerum), anything else ``Appeal_to_Popularity``
  (bandwagon).
- ``Whataboutism,Straw_Men,Red_Herring`` becomes ``Whataboutism``.

Because PTC does not tell the merged techniques apart, evaluation accepts any name of the merged
group (``ACCEPTED``): a predicted ``Straw_Man`` matches a gold ``Whataboutism,Straw_Men,Red_Herring``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError

__all__ = ["ACCEPTED", "PTC_NAMES", "PTC_TO_SEMEVAL", "REDUCTIO_CUE", "PtcArticle", "PtcSpan", "fold_of",
           "in_training_split", "read_ptc", "semeval_name"]

PTC_TO_SEMEVAL: dict[str, str] = {
    "Loaded_Language": "Loaded_Language",
    "Name_Calling,Labeling": "Name_Calling-Labeling",
    "Repetition": "Repetition",
    "Exaggeration,Minimisation": "Exaggeration-Minimisation",
    "Doubt": "Doubt",
    "Appeal_to_fear-prejudice": "Appeal_to_Fear-Prejudice",
    "Flag-Waving": "Flag_Waving",
    "Causal_Oversimplification": "Causal_Oversimplification",
    "Slogans": "Slogans",
    "Appeal_to_Authority": "Appeal_to_Authority",
    "Black-and-White_Fallacy": "False_Dilemma-No_Choice",
    "Thought-terminating_Cliches": "Conversation_Killer",
    "Whataboutism,Straw_Men,Red_Herring": "Whataboutism",
    "Bandwagon,Reductio_ad_hitlerum": "Appeal_to_Popularity",  # or Guilt_by_Association, by REDUCTIO_CUE
    # Spellings of other PTC releases.
    "Exaggeration,Minimization": "Exaggeration-Minimisation",
    "Obfuscation,Intentional_Vagueness,Confusion": "Obfuscation-Vagueness-Confusion",
    "Bandwagon": "Appeal_to_Popularity",
    "Reductio_ad_hitlerum": "Guilt_by_Association",
    "Whataboutism": "Whataboutism",
    "Straw_Men": "Straw_Man",
    "Red_Herring": "Red_Herring",
}

#: The SemEval-2023 names a gold label of a merged PTC class is matched by.
ACCEPTED: dict[str, frozenset[str]] = {
    "Whataboutism": frozenset({"Whataboutism", "Straw_Man", "Red_Herring"}),
    "Appeal_to_Popularity": frozenset({"Appeal_to_Popularity", "Guilt_by_Association"}),
    "Guilt_by_Association": frozenset({"Appeal_to_Popularity", "Guilt_by_Association"}),
}

#: Every SemEval-2023 name a PTC label can stand for: predictions outside it are not scored on PTC gold.
PTC_NAMES = frozenset(PTC_TO_SEMEVAL.values()) | frozenset(n for names in ACCEPTED.values() for n in names)

REDUCTIO_CUE = re.compile(
    r"\b(hitler|nazi|gestapo|third reich|ss\b|stalin|soviet|fascis|communis|bolshevik|kkk|ku klux|klan|"
    r"mussolini|pol pot|mao\b|maoist|totalitarian|isis|islamic state|al[- ]qaeda|taliban|terroris)", re.I)


@dataclass(frozen=True)
class PtcSpan:
    start: int
    end: int
    #: the label as written in the file
    label: str
    #: the SemEval-2023 name it maps to
    name: str


@dataclass
class PtcArticle:
    id: str
    text: str
    spans: list[PtcSpan] = field(default_factory=list)


def semeval_name(label: str, span_text: str = "") -> str:
    """The SemEval-2023 name of a PTC label; merged classes are split by lexical cue (module docstring)."""
    if label == "Bandwagon,Reductio_ad_hitlerum":
        return "Guilt_by_Association" if REDUCTIO_CUE.search(span_text) else "Appeal_to_Popularity"
    name = PTC_TO_SEMEVAL.get(label)
    if name is None:
        # Already a SemEval-2023 name (a user's own gold set in the same layout).
        from .types import TECHNIQUES

        if label in TECHNIQUES:
            return label
        raise UsageError(f"unknown technique label {label!r} (not a PTC class nor a SemEval-2023 name)")
    return name


def in_training_split(article_id: str) -> bool:
    """The fixed split: an article trains when the first byte of md5(id) is below 179 (about 70%);
    the same rule as ``narrascope.analysis.confidence.in_training_split``."""
    from .confidence import in_training_split as rule

    return rule(article_id)


def fold_of(article_id: str, folds: int, *, salt: str = "cv") -> int:
    """The cross-validation fold of an article (md5 of ``salt`` and the id): folds by article, fixed."""
    return int(hashlib.md5(f"{salt}:{article_id}".encode()).hexdigest(), 16) % folds


def read_ptc(folder: str | Path, *, limit: int | None = None, split: str = "all") -> list[PtcArticle]:
    """Articles and their labelled spans, sorted by id; ``split`` is "all", "train" or "heldout"."""
    root = Path(folder)
    articles_dir = root / "articles" if (root / "articles").is_dir() else root
    labels_dir = root / "labels" if (root / "labels").is_dir() else root
    if split not in ("all", "train", "heldout"):
        raise UsageError(f"unknown split {split!r}: all, train or heldout")
    paths = sorted(articles_dir.glob("article*.txt"))
    if not paths:
        raise UsageError(f"no PTC articles (articles/article<ID>.txt) in {root}")
    out: list[PtcArticle] = []
    for path in paths:
        aid = path.stem.removeprefix("article")
        if split != "all" and in_training_split(aid) != (split == "train"):
            continue
        with path.open(encoding="utf-8", newline="") as f:
            text = f.read()
        article = PtcArticle(aid, text)
        labels = labels_dir / f"article{aid}.labels"
        if not labels.exists():
            labels = labels_dir / f"article{aid}.task2-TC.labels"
        if labels.exists():
            for n, line in enumerate(labels.read_text(encoding="utf-8").splitlines(), 1):
                if not line.strip():
                    continue
                parts = line.split("\t")
                if len(parts) != 4 or not parts[2].isdigit() or not parts[3].isdigit():
                    raise UsageError(f"{labels}:{n}: expected 'id<TAB>technique<TAB>start<TAB>end'")
                start, end = int(parts[2]), min(int(parts[3]), len(text))
                if start >= end:
                    continue
                article.spans.append(PtcSpan(start, end, parts[1], semeval_name(parts[1], text[start:end])))
        article.spans.sort(key=lambda s: (s.start, s.end, s.name))
        out.append(article)
        if limit is not None and len(out) >= limit:
            break
    return out
