"""An actor's neighbourhood in the actor graph, drawn as inline SVG on the server.

The layout is deterministic (no randomness, no iteration): the actor in the centre, its
neighbours on a ring, grouped by kind (states, persons, organisations...) and within a kind by
edge weight, heaviest first, then id. Edges are drawn for every pair of drawn nodes that the
graph connects, one line per pair and edge kind: events coloured by their cooperation-conflict
score (green cooperative, red conflictual), quotes by the speaker's polarity (same colours,
dashed), co-mentions grey; the line's width grows with the weight. Every node is a link to its
actor page with a ``<title>`` tooltip. Every text that reaches the SVG is escaped with
``markupsafe.escape``; colours, widths and positions are numbers this module computes, and the
styling that is not a presentation attribute lives in classes of ``static/app.css`` (the
Content-Security-Policy forbids inline styles).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

__all__ = ["KIND_ORDER", "WIDTH", "HEIGHT", "Placed", "edge_colour", "layout", "neighbourhood_svg"]

WIDTH, HEIGHT = 760, 520
RING = 185.0
#: Order of kinds around the ring (unknown kinds last, alphabetically).
KIND_ORDER = ("state", "person", "organization", "group", "location")
GREY = "#9ca3af"
NEUTRAL = (156, 163, 175)   # grey: score or polarity 0 or unknown
COOPERATIVE = (21, 128, 61)  # green
CONFLICTUAL = (185, 28, 28)  # red
KIND_FILL = {"state": "#0072b2", "person": "#e69f00", "organization": "#009e73", "group": "#cc79a7",
             "location": "#56b4e9"}


@dataclass(frozen=True)
class Placed:
    """A node with its position and radius."""

    id: str
    name: str
    kind: str | None
    x: float
    y: float
    r: float
    centre: bool
    articles: int


def _kind_rank(kind: str | None) -> tuple[int, str]:
    return (KIND_ORDER.index(kind), "") if kind in KIND_ORDER else (len(KIND_ORDER), kind or "~")


def layout(centre: dict[str, Any], neighbours: Sequence[dict[str, Any]], *, width: int = WIDTH,
           height: int = HEIGHT) -> list[Placed]:
    """Positions: the centre node in the middle, the neighbours on a ring by kind, then weight, then id.

    ``neighbours`` are dicts with ``id``, ``name``, ``kind``, ``weight`` and ``articles``; the
    result is the same for the same input, whatever its order.
    """
    ordered = sorted(neighbours, key=lambda n: (_kind_rank(n.get("kind")), -float(n.get("weight") or 0), str(n["id"])))
    cx, cy = width / 2, height / 2
    most = max([int(n.get("articles") or 0) for n in ordered] + [1])

    def radius(articles: int) -> float:
        return 7.0 + 9.0 * math.sqrt(max(0, articles) / most)

    placed = [Placed(str(centre["id"]), str(centre.get("name") or centre["id"]), centre.get("kind"), cx, cy, 20.0,
                     True, int(centre.get("articles") or 0))]
    count = len(ordered)
    for i, node in enumerate(ordered):
        angle = -math.pi / 2 + 2 * math.pi * i / max(count, 1)
        placed.append(Placed(str(node["id"]), str(node.get("name") or node["id"]), node.get("kind"),
                             round(cx + RING * math.cos(angle), 2), round(cy + RING * math.sin(angle), 2),
                             round(radius(int(node.get("articles") or 0)), 2), False, int(node.get("articles") or 0)))
    return placed


def _mix(low: tuple[int, int, int], high: tuple[int, int, int], t: float) -> str:
    r, g, b = (round(a + (b - a) * t) for a, b in zip(low, high, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def edge_colour(kind: str, value: float | None) -> str:
    """Events: ``value`` is the cooperation-conflict score in [-10, 10]; quotes: polarity in [-1, 1]."""
    if kind == "comention" or value is None or value == 0:
        return GREY
    t = min(1.0, abs(value) / (10.0 if kind == "event" else 1.0))
    t = 0.45 + 0.55 * t  # a mild score is still visibly green or red, a strong one fully so
    return _mix(NEUTRAL, COOPERATIVE, t) if value > 0 else _mix(NEUTRAL, CONFLICTUAL, t)


#: Bend of each kind's line, so the three kinds between the same two nodes stay apart.
_BEND = {"comention": 0.0, "event": 0.18, "quote": -0.18}


def _edge_path(a: Placed, b: Placed, kind: str) -> str:
    mx, my = (a.x + b.x) / 2, (a.y + b.y) / 2
    dx, dy = b.x - a.x, b.y - a.y
    bend = _BEND.get(kind, 0.0)
    qx, qy = mx - dy * bend, my + dx * bend
    return f"M{a.x:.1f},{a.y:.1f} Q{qx:.1f},{qy:.1f} {b.x:.1f},{b.y:.1f}"


def _label(node: Placed, width: int, height: int) -> tuple[float, float, str]:
    if node.centre:
        return node.x, node.y + node.r + 16, "middle"
    dx, dy = node.x - width / 2, node.y - height / 2
    length = math.hypot(dx, dy) or 1.0
    x, y = node.x + dx / length * (node.r + 6), node.y + dy / length * (node.r + 6) + 4
    anchor = "middle" if abs(dx) < 20 else ("start" if dx > 0 else "end")
    if anchor == "middle":
        y += 8 if dy > 0 else -6
    return x, y, anchor


def _short(text: str, size: int = 26) -> str:
    return text if len(text) <= size else text[:size - 1] + "…"


def neighbourhood_svg(centre: dict[str, Any], neighbours: Sequence[dict[str, Any]], edges: Sequence[dict[str, Any]],
                      *, level: str = "actor", width: int = WIDTH, height: int = HEIGHT) -> Markup:
    """The SVG (as safe markup: every text in it is escaped here).

    ``edges``: dicts with ``source``, ``target``, ``kind`` (event | quote | comention), ``weight``,
    ``value`` (score or polarity, or None) and ``label`` (the tooltip text); edges with an end
    not drawn are skipped.
    """
    placed = layout(centre, neighbours, width=width, height=height)
    at = {p.id: p for p in placed}
    drawn = [e for e in edges if e["source"] in at and e["target"] in at and e["source"] != e["target"]]
    heaviest = max([float(e.get("weight") or 0) for e in drawn] + [1.0])
    out: list[str] = [
        f'<svg class="actor-graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" role="img" aria-labelledby="actor-graph-title">',
        f'<title id="actor-graph-title">{escape(centre.get("name") or centre["id"])} and its strongest'
        f' neighbours ({escape(level)} level)</title>',
        '<g class="edges" fill="none">']
    # Light edges first, so the heavy ones are drawn on top.
    for edge in sorted(drawn, key=lambda e: (float(e.get("weight") or 0), e["kind"], e["source"], e["target"])):
        a, b = at[edge["source"]], at[edge["target"]]
        stroke = edge_colour(edge["kind"], edge.get("value"))
        width_px = 1.0 + 6.0 * math.sqrt(max(0.0, float(edge.get("weight") or 0)) / heaviest)
        dash = ' stroke-dasharray="6 4"' if edge["kind"] == "quote" else ""
        out.append(f'<path class="edge edge-{escape(edge["kind"])}" d="{_edge_path(a, b, edge["kind"])}"'
                   f' stroke="{stroke}" stroke-width="{width_px:.1f}" stroke-opacity="0.8"{dash}>'
                   f'<title>{escape(edge.get("label") or "")}</title></path>')
    out.append('</g><g class="nodes">')
    for node in placed:
        href = "/actors/" + quote(node.id, safe=":")
        if level == "state":
            href += "?level=state"
        fill = KIND_FILL.get(node.kind or "", "#6b7280")
        x, y, anchor = _label(node, width, height)
        tip = f"{node.name} ({node.id}{', ' + node.kind if node.kind else ''}): {node.articles} articles"
        out.append(f'<a class="node{" centre" if node.centre else ""}" href="{escape(href)}"'
                   f' data-actor="{escape(node.id)}"><title>{escape(tip)}</title>'
                   f'<circle cx="{node.x:.1f}" cy="{node.y:.1f}" r="{node.r:.1f}" fill="{fill}"'
                   f' stroke="#ffffff" stroke-width="2"/>'
                   f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(_short(node.name))}</text></a>')
    out.append("</g>")
    out.append(_legend(height))
    out.append("</svg>")
    return Markup("".join(out))


def _legend(height: int) -> str:
    rows = [("event, cooperative", edge_colour("event", 6.0), ""), ("event, conflictual", edge_colour("event", -8.0), ""),
            ("quote, positive", edge_colour("quote", 0.8), ' stroke-dasharray="6 4"'),
            ("quote, negative", edge_colour("quote", -0.8), ' stroke-dasharray="6 4"'),
            ("named together", GREY, "")]
    top = height - 16 * len(rows) - 6
    parts = ['<g class="legend">']
    for i, (text, colour, dash) in enumerate(rows):
        y = top + 16 * i
        parts.append(f'<line x1="8" y1="{y}" x2="34" y2="{y}" stroke="{colour}" stroke-width="3"{dash}/>'
                     f'<text x="40" y="{y + 4}">{escape(text)}</text>')
    parts.append("</g>")
    return "".join(parts)
