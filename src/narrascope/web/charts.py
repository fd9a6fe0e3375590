"""Chart configurations for the pages: plain data the vendored Chart.js draws (``static/charts.js``).

A page puts ``<canvas class="chart" data-chart="{{ config|tojson }}">`` in its HTML; the script
turns each into a chart. Configurations are data only (no functions), so they pass through JSON
and the Content-Security-Policy needs no inline script. Chart.js is vendored under
``static/vendor/`` (MIT licence beside it); nothing is fetched from a CDN.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["PALETTE", "bar_chart", "line_chart", "sparkline"]

#: Colour-blind-safe (Okabe-Ito) series colours.
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#f0e442", "#000000")


def _datasets(series: Sequence[tuple[str, Sequence[float | None]]], *, fill: bool = False) -> list[dict[str, Any]]:
    return [{"label": label, "data": list(values), "borderColor": PALETTE[i % len(PALETTE)],
             "backgroundColor": PALETTE[i % len(PALETTE)] + ("33" if fill else ""), "fill": fill,
             "spanGaps": True, "pointRadius": 2, "tension": 0.2}
            for i, (label, values) in enumerate(series)]


def line_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], *,
               y_title: str = "", y_min: float | None = None, y_max: float | None = None) -> dict[str, Any]:
    """A line chart: ``labels`` along x (periods), one line per ``(label, values)``; None is a gap."""
    y: dict[str, Any] = {"title": {"display": bool(y_title), "text": y_title}}
    if y_min is not None:
        y["min"] = y_min
    if y_max is not None:
        y["max"] = y_max
    return {"type": "line", "data": {"labels": list(labels), "datasets": _datasets(series)},
            "options": {"animation": False, "responsive": True, "maintainAspectRatio": False,
                        "interaction": {"mode": "index", "intersect": False},
                        "scales": {"y": y}, "plugins": {"legend": {"display": len(series) > 1}}}}


def bar_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], *,
              stacked: bool = False, y_title: str = "") -> dict[str, Any]:
    """A bar chart (stacked when asked): ``labels`` along x, one bar series per ``(label, values)``."""
    datasets = [{**d, "fill": True, "backgroundColor": d["borderColor"]} for d in _datasets(series)]
    return {"type": "bar", "data": {"labels": list(labels), "datasets": datasets},
            "options": {"animation": False, "responsive": True, "maintainAspectRatio": False,
                        "scales": {"x": {"stacked": stacked},
                                   "y": {"stacked": stacked, "title": {"display": bool(y_title), "text": y_title}}},
                        "plugins": {"legend": {"display": len(series) > 1}}}}


def sparkline(values: Sequence[float | None], labels: Sequence[str] | None = None) -> dict[str, Any]:
    """A small line without axes or legend (a list row's trend); tooltips still name the period."""
    labels = list(labels) if labels is not None else [str(i) for i in range(len(values))]
    dataset = {**_datasets([("", values)], fill=True)[0], "pointRadius": 0, "borderWidth": 1.5}
    return {"type": "line", "data": {"labels": labels, "datasets": [dataset]},
            "options": {"animation": False, "responsive": False, "maintainAspectRatio": False,
                        "scales": {"x": {"display": False}, "y": {"display": False, "beginAtZero": True}},
                        "plugins": {"legend": {"display": False}, "tooltip": {"enabled": True}}}}
