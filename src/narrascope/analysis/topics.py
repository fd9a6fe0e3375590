"""Topics: a small, documented taxonomy for this field, assigned per article from weighted terms.

The taxonomy is the data file ``narrascope/data/topics.tsv`` (topic id, label, weight, term); its
header says how terms match. A topic's score is the sum over its terms of weight x occurrences
(at most 3 per term, so one repeated word cannot carry a topic), title occurrences counting
twice. Topics scoring at least ``analysis.topic_min_score`` are candidates, best first, with the
terms that matched as evidence. Each candidate gets a calibrated ``confidence`` (``topic_features``
into a ``ConfidenceModel``: its score, the score per 1,000 words, distinct terms, a title hit, its
rank), fitted on a hand-labelled sample of development articles
(``benchmarks/labels/frames_topics.jsonl``, ``narrascope train topics``); the stage keeps the topics
whose confidence reaches ``analysis.min_confidence.topics``.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["Topic", "TopicScore", "assign_topics", "load_topics", "topic_features"]

MAX_PER_TERM = 3
TITLE_WEIGHT = 2


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    pattern: re.Pattern[str]
    #: regex group name -> (term as written in the taxonomy, weight)
    terms: dict[str, tuple[str, int]]


@dataclass
class TopicScore:
    id: str
    label: str
    score: float
    terms: dict[str, int] = field(default_factory=dict)
    #: whether a term matched in the title
    in_title: bool = False
    #: whether a term matched in the lead (the first two paragraphs)
    in_lead: bool = False
    #: share of the paragraphs with a term
    paragraph_share: float = 0.0
    #: distinct weight-2 terms (a term that alone says the topic) that matched
    strong_terms: int = 0
    #: the calibrated confidence (None until ``assign_topics`` gives one)
    confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "label": self.label, "score": self.score, "terms": self.terms}
        if self.confidence is not None:
            out["confidence"] = self.confidence
        return out


def _term_regex(term: str) -> str:
    body = re.escape(term.rstrip("*")).replace(r"\ ", r"\s+")
    if term.endswith("*"):
        body += r"\w*"
    return body if any(c.isupper() for c in term) else f"(?i:{body})"


@lru_cache(maxsize=1)
def load_topics() -> tuple[Topic, ...]:
    """The shipped taxonomy, compiled: one alternation regex per topic, longest terms first."""
    text = resources.files("narrascope").joinpath("data/topics.tsv").read_text(encoding="utf-8")
    rows: dict[str, tuple[str, dict[str, int]]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        topic, label, weight, term = line.split("\t")
        rows.setdefault(topic, (label, {}))[1][term] = int(weight)
    topics = []
    for topic, (label, weights) in rows.items():
        terms = sorted(weights, key=len, reverse=True)
        groups = "|".join(f"(?P<t{i}>{_term_regex(t)})" for i, t in enumerate(terms))
        pattern = re.compile(rf"(?<![\w-])(?:{groups})(?![\w-])")
        topics.append(Topic(topic, label, pattern, {f"t{i}": (t, weights[t]) for i, t in enumerate(terms)}))
    return tuple(topics)


def _counts(topic: Topic, text: str, starts: list[int] | None = None) -> dict[str, int]:
    """Matches per term group; ``starts`` collects where the topic's terms (not its weight-0
    phrases) matched."""
    counts: dict[str, int] = {}
    for match in topic.pattern.finditer(text):
        group = match.lastgroup
        if group is not None:
            counts[group] = counts.get(group, 0) + 1
            if starts is not None and topic.terms[group][1] > 0:
                starts.append(match.start())
    return counts


def _paragraph_starts(text: str) -> list[int]:
    """Where each non-empty paragraph (a line, or lines between blank lines) starts."""
    starts, at = [], 0
    for gap in _PARAGRAPHS.finditer(text):
        if text[at:gap.start()].strip():
            starts.append(at)
        at = gap.end()
    if text[at:].strip():
        starts.append(at)
    return starts


def assign_topics(title: str, text: str, *, min_score: float = 2.0, limit: int = 5, model: Any = None,
                  calibrated: bool = True) -> list[TopicScore]:
    """Topics of an article, best first, each with the terms (as written in the taxonomy) that
    matched and, when ``calibrated``, its confidence from ``model`` (default: the shipped one)."""
    out = []
    paragraphs = _paragraph_starts(text)
    for topic in load_topics():
        where: list[int] = []
        body, head = _counts(topic, text, where), _counts(topic, title)
        score = 0.0
        terms: dict[str, int] = {}
        strong = 0
        in_title = False
        for group in body.keys() | head.keys():
            term, weight = topic.terms[group]
            if weight <= 0:
                continue  # a phrase that is not the topic ("trade war" for war)
            n = min(body.get(group, 0) + TITLE_WEIGHT * head.get(group, 0), MAX_PER_TERM)
            score += weight * n
            terms[term] = body.get(group, 0) + head.get(group, 0)
            strong += weight >= 2
            in_title = in_title or group in head
        if score >= min_score:
            hit = {bisect_right(paragraphs, start) - 1 for start in where}
            out.append(TopicScore(topic.id, topic.label, score, dict(sorted(terms.items())), in_title=in_title,
                                  in_lead=bool(hit & {0, 1}),
                                  paragraph_share=len(hit - {-1}) / len(paragraphs) if paragraphs else 0.0,
                                  strong_terms=strong))
    out.sort(key=lambda t: (-t.score, t.id))
    out = out[:limit]
    if calibrated:
        from .confidence import load_confidence_model

        model = model if model is not None else load_confidence_model("topics")
        words = len(_WORD.findall(text))
        for rank, topic_score in enumerate(out):
            features = topic_features(topic_score, rank=rank, words=words)
            value = model(features) if model is not None else min(1.0, topic_score.score / 10.0)
            topic_score.confidence = round(value, 3)
    return out


_WORD = re.compile(r"\w+")
_PARAGRAPHS = re.compile(r"\n\s*\n|\n")


def topic_features(topic: TopicScore, *, rank: int, words: int) -> dict[str, float]:
    """Readable features of one candidate topic for its confidence: how much of the article is
    about it (score per 1,000 words, share of paragraphs), where (title, lead), how varied the
    evidence is (distinct terms, terms that alone say the topic), and its rank."""
    return {"log_score": math.log1p(topic.score), "per_1000_words": min(50.0, 1000.0 * topic.score / max(words, 100)),
            "log_terms": math.log1p(len(topic.terms)), "in_title": 1.0 if topic.in_title else 0.0,
            "in_lead": 1.0 if topic.in_lead else 0.0, "paragraph_share": topic.paragraph_share,
            "strong_terms": float(min(topic.strong_terms, 3)), "rank=" + (str(rank) if rank < 2 else "2+"): 1.0}
