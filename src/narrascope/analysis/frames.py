"""Frames per article (the 14 SemEval-2023 / Media Frames Corpus frames), scored from lexicons.

``find_frames(doc)`` returns every frame with a cue in the text, ``[{"name", "score"}]`` sorted by
score (highest first; ties by name). The lexicons are ``narrascope/data/frames.tsv`` (frame, term,
weight; 30+ terms per frame, written from the Media Frames Corpus codebook definitions).

Scoring: the weighted count of cue matches per frame, per 100 words, squashed into [0, 1) by
``1 - exp(-density / SCALE)``. Long and short articles score alike; a frame needs repeated cues
to score high.

Which frames does an article have? Each candidate frame gets a calibrated ``confidence``
(``frame_confidences``): a ``ConfidenceModel`` over its score, its rank among the article's frames,
its share of the best frame's score and the number of distinct cues, fitted on a hand-labelled
sample of development articles (``benchmarks/labels/frames_topics.jsonl``, ``narrascope train
frames``); the stage keeps the frames whose confidence reaches ``analysis.min_confidence.frames``.
``top_frames`` (the three highest-scoring ones, plus any other scoring at least
``FRAME_MIN_SCORE``) remains for callers that want a ranking without the calibration.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .types import FRAMES

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["FRAMES_PATH", "FRAME_MIN_SCORE", "SCALE", "TOP_FRAMES", "find_frames", "frame_confidences",
           "frame_features", "load_frame_lexicon", "score_frames", "top_frames"]

FRAMES_PATH = Path(__file__).resolve().parent.parent / "data" / "frames.tsv"
#: Weighted cues per 100 words that give a score of 1 - 1/e (0.63).
SCALE = 2.0
TOP_FRAMES = 3
FRAME_MIN_SCORE = 0.5
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class FrameLexicon:
    #: frame -> compiled alternation per weight
    patterns: dict[str, list[tuple[float, re.Pattern[str]]]]
    #: frame -> phrases that hold one of its cues but are not the frame (weight 0 in the file)
    exclusions: dict[str, re.Pattern[str]]


@lru_cache(maxsize=4)
def load_frame_lexicon(path: str = "") -> FrameLexicon:
    target = Path(path) if path else FRAMES_PATH
    terms: dict[str, dict[float, list[str]]] = {}
    for n, line in enumerate(target.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("frame\t"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or parts[0] not in FRAMES:
            raise ValueError(f"{target}:{n}: expected 'frame<TAB>term<TAB>weight' with one of the 14 frames")
        terms.setdefault(parts[0], {}).setdefault(float(parts[2]), []).append(parts[1])
    patterns: dict[str, list[tuple[float, re.Pattern[str]]]] = {}
    exclusions: dict[str, re.Pattern[str]] = {}
    for frame, by_weight in terms.items():
        for weight, words in by_weight.items():
            alts = []
            for w in sorted(set(words), key=len, reverse=True):
                prefix = w.endswith("*")
                body = re.escape(w.rstrip("*")).replace("_", r"\s+")
                alts.append(body + (r"[\w-]*" if prefix else ""))
            compiled = re.compile(r"(?<![\w-])(?:" + "|".join(alts) + r")(?![\w-])", re.I)
            if weight <= 0:
                exclusions[frame] = compiled
            else:
                patterns.setdefault(frame, []).append((weight, compiled))
    return FrameLexicon(patterns, exclusions)


def score_frames(text: str, *, lexicon: FrameLexicon | None = None, cues: bool = False) -> list[dict[str, Any]]:
    """Frame scores of a text (module docstring); frames with no cue are left out. ``cues`` adds
    ``cues``: the number of distinct cue words that matched."""
    lex = lexicon or load_frame_lexicon()
    words = max(len(_WORD.findall(text)), 1)
    out: list[dict[str, Any]] = []
    for frame in FRAMES:
        total = 0.0
        distinct: set[str] = set()
        excluded = lex.exclusions.get(frame)
        # Phrases that are not the frame are blanked out (same length, so nothing else moves).
        seen = excluded.sub(lambda m: " " * len(m.group(0)), text) if excluded is not None else text
        for weight, p in lex.patterns.get(frame, ()):
            found = [m.group(0).lower() for m in p.finditer(seen)]
            total += weight * len(found)
            distinct.update(found)
        if total <= 0:
            continue
        density = 100.0 * total / max(words, 100)
        item: dict[str, Any] = {"name": frame, "score": round(1.0 - math.exp(-density / SCALE), 4)}
        if cues:
            item["cues"] = len(distinct)
        out.append(item)
    out.sort(key=lambda f: (-float(f["score"]), str(f["name"])))
    return out


def frame_features(scored: list[dict[str, Any]]) -> list[dict[str, float]]:
    """Readable features of each scored frame (``score_frames(..., cues=True)``, best first) for
    its confidence: score, rank, share of the best score, distinct cues."""
    best = float(scored[0]["score"]) if scored else 1.0
    out = []
    for rank, frame in enumerate(scored):
        score = float(frame["score"])
        features = {"score": score, "ratio_to_best": score / best if best > 0 else 0.0,
                    "log_cues": math.log1p(float(frame.get("cues", 1)))}
        features["rank=" + (str(rank) if rank < 3 else "3+")] = 1.0
        out.append(features)
    return out


def frame_confidences(text: str, *, model: Any = None) -> list[dict[str, Any]]:
    """Every candidate frame of ``text`` with its calibrated ``confidence`` (``score`` kept as the
    lexicon's figure), best score first. ``model``: a ``ConfidenceModel`` (default: the shipped one)."""
    from .confidence import load_confidence_model

    scored = score_frames(text, cues=True)
    model = model if model is not None else load_confidence_model("frames")
    out = []
    for frame, features in zip(scored, frame_features(scored), strict=True):
        confidence = model(features) if model is not None else float(frame["score"])
        out.append({"name": frame["name"], "score": frame["score"], "confidence": round(confidence, 3)})
    return out


def find_frames(doc: Doc) -> list[dict[str, Any]]:
    """SCHEMA.md ``frames`` of a parsed article: ``[{"name", "score", "confidence"}]``, highest score first."""
    return frame_confidences(doc.text)


def top_frames(frames: list[dict[str, Any]], *, top: int = TOP_FRAMES,
               min_score: float = FRAME_MIN_SCORE) -> list[str]:
    """The frames an article is said to have: the ``top`` best, and any other scoring ``min_score`` or more."""
    ranked = sorted(frames, key=lambda f: (-f["score"], f["name"]))
    return [f["name"] for n, f in enumerate(ranked) if n < top or f["score"] >= min_score]
