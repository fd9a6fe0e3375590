"""Readable text of an article's analysis, every item with its evidence (for ``narrascope show``)."""

from __future__ import annotations

import textwrap
from typing import Any

from ..model import Article

__all__ = ["render_analysis"]

WIDTH = 100


def _clip(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _at(item: dict[str, Any]) -> str:
    return f"[{item['start']}:{item['end']}]"


def _conf(item: dict[str, Any]) -> str:
    """" c 0.83": the fact's calibrated confidence, when it has one."""
    value = item.get("confidence")
    return f" c {float(value):.2f}" if isinstance(value, int | float) else ""


def _actors(article: Article) -> list[str]:
    lines = []
    for a in sorted(article.actors, key=lambda a: (-len(a.get("mentions", [])), a["id"])):
        forms = sorted({m["text"] for m in a.get("mentions", [])}, key=str.lower)
        head = f"  {a['id']:<14} {a['name']} ({a['kind']}"
        head += f", for {a['country']}" if a.get("country") and a["country"] != a["id"] else ""
        head += f", in {a['operates_in']}" if a.get("operates_in") else ""
        head += f"): {len(a.get('mentions', []))} mentions{_conf(a)}"
        lines.append(head)
        if a.get("role"):
            lines.append(f"      role: {_clip(a['role'])}")
        if forms:
            lines.append(textwrap.fill("as: " + "; ".join(forms), WIDTH, initial_indent="      ",
                                       subsequent_indent="          "))
    return lines


def _quotes(article: Article) -> list[str]:
    lines = []
    for q in article.quotes:
        who = q.get("speaker") or "(unresolved)"
        if q.get("speaker_actor"):
            who += f" <{q['speaker_actor']}>"
        if q.get("speaker_role"):
            who += f", {_clip(q['speaker_role'], 50)}"
        flags = ", ".join(f for f, on in (("partial" if q.get("partial") else "direct", q.get("direct")),
                                          ("anonymous", q.get("anonymous"))) if on)
        lines.append(f"  {who}{' (' + flags + ')' if flags else ''} {_at(q)}{_conf(q)}")
        lines.append(f"      “{_clip(q['content'])}”")
    return lines


def _events(article: Article) -> list[str]:
    lines = []
    for e in article.events:
        flags = [f for f in ("negated", "hypothetical") if e.get(f)]
        if e.get("claimed_by"):
            flags.append(f"claimed by {e['claimed_by']}")
        lines.append(f"  {e['type']:<9} {e['source']} -> {e.get('target') or '-'}"
                     f"{' (' + ', '.join(flags) + ')' if flags else ''} {_at(e)}{_conf(e)}")
        lines.append(f"      {_clip(e['text'])}")
    return lines


def _techniques(article: Article) -> list[str]:
    return [f"  {t['name']:<34} {float(t.get('confidence', t.get('score', 0.0))):.2f} {_at(t)} “{_clip(t['text'], 60)}”"
            for t in article.techniques]


def _stances(article: Article, stances: list[dict[str, Any]]) -> list[str]:
    lines = []
    text = article.text
    for s in stances:
        ev = s.get("evidence") or []
        first = f" e.g. “{_clip(text[ev[0]['start']:ev[0]['end']], 60)}”" if ev else ""
        head = " (headline)" if s.get("headline") else ""
        lines.append(f"  {s['holder']} -> {s['target']}: {s['polarity']:+.2f}{_conf(s)}{head}{first}")
    return lines


#: Items per section unless the whole analysis is asked for (``show --full``).
SHORT = 10


def _cap(lines: list[str], items: int, full: bool) -> list[str]:
    if full or items <= SHORT:
        return lines
    kept: list[str] = []
    count = 0
    for line in lines:
        if not line.startswith("      "):
            count += 1
            if count > SHORT:
                break
        kept.append(line)
    return kept + [f"  [... {items - SHORT} more; --full to show all]"]


def render_analysis(article: Article, *, full: bool = True) -> list[str]:
    """Lines describing the analysis of ``article``; empty sections are left out. Every fact shows
    its calibrated confidence as ``c 0.83``.

    Without ``full`` each section shows its first ten items: actors by number of mentions,
    stances by strength, the others in text order. "Not run" lists the stages that did not run
    on the article and why (``provenance["stages"]``: no model for its language).
    """
    stances = sorted(article.stances, key=lambda s: -abs(s["polarity"]))
    sections: list[tuple[str, list[str]]] = [
        ("Actors", _cap(_actors(article), len(article.actors), full)),
        ("Quotes", _cap(_quotes(article), len(article.quotes), full)),
        ("Events", _cap(_events(article), len(article.events), full)),
        ("Techniques", _cap(_techniques(article), len(article.techniques), full)),
        ("Frames", ["  " + ", ".join(f"{f['name']}{_conf(f) or ' ' + format(f['score'], '.2f')}"
                                      for f in article.frames[:5])]
         if article.frames else []),
        ("Stances", _cap(_stances(article, stances), len(stances), full)),
        ("Topics", ["  " + ", ".join(f"{t['id']}{_conf(t)} ({t['score']:g}: {', '.join(t['terms'])})"
                                      for t in article.topic_evidence)] if article.topic_evidence else []),
    ]
    notes = article.provenance.get("stages")
    not_run = [f"  {name}: {note.get('reason') or 'no reason recorded'}" for name, note in sorted(notes.items())
               if isinstance(note, dict) and note.get("ran") is False] if isinstance(notes, dict) else []
    sections.append(("Not run", not_run))
    lines: list[str] = []
    for title, body in sections:
        if body:
            lines.append(f"{title}:")
            lines.extend(body)
    return lines
