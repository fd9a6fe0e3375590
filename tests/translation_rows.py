"""Insert a translation pair into a store the way the contract between the reuse and the
narratives/web sides says ``reuse`` writes it (issue 13), for tests that must not wait for the
cross-lingual reuse itself: one ``reuse_pairs`` row of kind ``translation`` (source = the likely
original) and one ``reuse_passages`` row per aligned sentence pair, ordered by ``source_start``.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

SENTENCE = re.compile(r"[^.!?。！？؟\n]+[.!?。！？؟]*")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, trimmed of spaces."""
    spans = []
    for match in SENTENCE.finditer(text):
        start, end = match.span()
        piece = match.group()
        start += len(piece) - len(piece.lstrip())
        end -= len(piece) - len(piece.rstrip())
        if end > start:
            spans.append((start, end))
    return spans


def insert_translation(db: Path, source: str, target: str, *, pairs: list[tuple[int, int, float]],
                       languages: tuple[str, str], confidence: float = 0.8) -> None:
    """A translation pair from ``source`` to ``target`` (article ids): ``pairs`` aligns the
    ``i``-th sentence of the source with the ``j``-th of the target, with a similarity."""
    conn = sqlite3.connect(db)
    with conn:
        texts = dict(conn.execute("SELECT id, text FROM articles WHERE id IN (?, ?)", (source, target)).fetchall())
        s_spans, t_spans = sentence_spans(texts[source]), sentence_spans(texts[target])
        rows = []
        for i, j, score in sorted(pairs):
            (s0, s1), (t0, t1) = s_spans[i], t_spans[j]
            rows.append((source, s0, s1, target, t0, t1, len(texts[source][s0:s1].split()), score))
        s_words = sum(r[6] for r in rows)
        t_chars = sum(r[5] - r[4] for r in rows)
        evidence = {"languages": list(languages), "decided_by": "date", "votes": {"date": "source"},
                    "published": {"source": "2024-03-01", "target": "2024-03-02"}}
        conn.execute(
            "INSERT INTO reuse_pairs (source, target, kind, passages, shared_words, coverage_source, coverage_target,"
            " score, confidence, direction_evidence) VALUES (?, ?, 'translation', ?, ?, ?, ?, ?, ?, ?)",
            (source, target, len(rows), s_words, round(s_words / max(1, len(texts[source].split())), 4),
             round(t_chars / max(1, len(texts[target])), 4), round(sum(p[2] for p in pairs) / len(pairs), 4),
             confidence, json.dumps(evidence)))
        conn.executemany(
            "INSERT INTO reuse_passages (source, source_start, source_end, target, target_start, target_end, words,"
            " score) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.close()
