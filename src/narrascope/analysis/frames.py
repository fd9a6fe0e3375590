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

from .nlp import doc_text
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
    """The cue terms of every frame, for one pass over the words of a text.

    A term is a sequence of words; a trailing ``*`` makes its last word a prefix. ``exact`` maps
    a term's words to the (frame, weight) pairs listing it; ``prefixes`` maps the leading words of
    a prefix term to {prefix: pairs}; ``prefix_lengths`` are the prefix lengths in use.
    """

    exact: dict[tuple[str, ...], list[tuple[str, float]]]
    prefixes: dict[tuple[str, ...], dict[str, list[tuple[str, float]]]]
    prefix_lengths: tuple[int, ...]
    longest: int
    #: every word sequence that a term of more words starts with (its words but the last, or the
    #: leading words of a prefix term and their own beginnings): the scan at a place stops at the
    #: first words that lead to no term. None: not worked out, the scan tries every length.
    leads: frozenset[tuple[str, ...]] | None = None

    def matches(self, words: tuple[str, ...]) -> list[tuple[str, float]]:
        """The (frame, weight) pairs of every term that is exactly ``words``."""
        found = list(self.exact.get(words, ()))
        by_prefix = self.prefixes.get(words[:-1])
        if by_prefix:
            last = words[-1]
            for length in self.prefix_lengths:
                if len(last) >= length:
                    found += by_prefix.get(last[:length], ())
        return found


@lru_cache(maxsize=4)
def load_frame_lexicon(path: str = "") -> FrameLexicon:
    target = Path(path) if path else FRAMES_PATH
    exact: dict[tuple[str, ...], list[tuple[str, float]]] = {}
    prefixes: dict[tuple[str, ...], dict[str, list[tuple[str, float]]]] = {}
    lengths: set[int] = set()
    longest = 1
    for n, line in enumerate(target.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("frame\t"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or parts[0] not in FRAMES:
            raise ValueError(f"{target}:{n}: expected 'frame<TAB>term<TAB>weight' with one of the 14 frames")
        frame, term, weight = parts[0], parts[1].lower(), float(parts[2])
        words = tuple(term.rstrip("*").split("_"))
        longest = max(longest, len(words))
        if term.endswith("*"):
            prefixes.setdefault(words[:-1], {}).setdefault(words[-1], []).append((frame, weight))
            lengths.add(len(words[-1]))
        else:
            exact.setdefault(words, []).append((frame, weight))
    leads = {term[:j] for term in exact for j in range(1, len(term))}
    leads |= {lead[:j] for lead in prefixes for j in range(1, len(lead) + 1)}
    return FrameLexicon(exact, prefixes, tuple(sorted(lengths, reverse=True)), longest, frozenset(leads))


_TOKEN = re.compile(r"[\w-]+")


def _frame_hits(text: str, lex: FrameLexicon) -> dict[str, tuple[float, set[str]]]:
    """Per frame: the summed weight of its cues in ``text`` and the distinct cues.

    Words are runs of word characters and hyphens ("anti-war" is one word, not "war"); a term of
    several words needs them separated by white space only. At each word, every frame takes its
    longest term starting there; the scan then moves past the longest match. A weight-0 term is a
    phrase that holds a frame's cue but is not the frame ("war of words"): that frame gets nothing
    there, while other frames' terms at that place still count ("trade" in "trade war")."""
    tokens = [(m.start(), m.end(), m.group().lower()) for m in _TOKEN.finditer(text)]
    words = [t[2] for t in tokens]
    leads = lex.leads
    totals: dict[str, float] = {}
    cues: dict[str, set[str]] = {}
    i, n = 0, len(tokens)
    while i < n:
        best: dict[str, tuple[int, float]] = {}
        span = 0
        for k in range(1, lex.longest + 1):
            if i + k > n or (k > 1 and text[tokens[i + k - 2][1]:tokens[i + k - 1][0]].strip()):
                break
            key = tuple(words[i:i + k])
            found = lex.matches(key)
            if found:
                span = k
                for frame, weight in found:
                    held = best.get(frame)
                    if held is None or k > held[0] or (k == held[0] and weight > held[1]):
                        best[frame] = (k, weight)
            if leads is not None and key not in leads:
                break  # no longer term starts with these words
        for frame, (k, weight) in best.items():
            if weight > 0:
                totals[frame] = totals.get(frame, 0.0) + weight
                cues.setdefault(frame, set()).add(" ".join(words[i:i + k]))
        i += max(span, 1)
    return {frame: (total, cues[frame]) for frame, total in totals.items()}


def score_frames(text: str, *, lexicon: FrameLexicon | None = None, cues: bool = False) -> list[dict[str, Any]]:
    """Frame scores of a text (module docstring); frames with no cue are left out. ``cues`` adds
    ``cues``: the number of distinct cue words that matched."""
    lex = lexicon or load_frame_lexicon()
    words = max(len(_WORD.findall(text)), 1)
    out: list[dict[str, Any]] = []
    hits = _frame_hits(text, lex)
    for frame in FRAMES:
        if frame not in hits:
            continue
        total, distinct = hits[frame]
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
    return frame_confidences(doc_text(doc))


def top_frames(frames: list[dict[str, Any]], *, top: int = TOP_FRAMES,
               min_score: float = FRAME_MIN_SCORE) -> list[str]:
    """The frames an article is said to have: the ``top`` best, and any other scoring ``min_score`` or more."""
    ranked = sorted(frames, key=lambda f: (-f["score"], f["name"]))
    return [f["name"] for n, f in enumerate(ranked) if n < top or f["score"] >= min_score]
