"""The actor page's further sections: quotes about the actor, events by type, stance over time, neighbourhood.

The data comes from the library's reads (``corpus/browse.py``: bounded, indexed aggregates of the
``article_stances`` table and, when ``narrascope graph`` has computed them, the actor graph's
tables); without the graph, quotes about the actor come from the records the actor profile already
scanned (``corpus.browse.actor_profile``) and there is no neighbourhood. This module groups them
and draws them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..corpus.browse import (
    QUOTES_ABOUT,
    event_totals,
    neighbourhood,
    quotes_about,
    quotes_about_in,
    record_stances,
    stance_extremes,
    stance_series,
)
from ..corpus.graph import PLOVER_SCORES
from ..store import Store

__all__ = ["LEVELS", "actor_sections", "events_by_type", "neighbourhood", "quotes_about", "quotes_about_in",
           "record_stances", "stance_extremes", "stance_series"]

LEVELS = ("actor", "state")


# -- events grouped by type -----------------------------------------------------------------------

def events_by_type(events: list[dict[str, Any]], totals: dict[str, dict[str, Any]] | None = None
                   ) -> list[dict[str, Any]]:
    """The profile's events grouped by PLOVER type, most frequent first.

    ``totals`` (type -> {weight, count, articles}) are the whole corpus's, from the actor graph.
    """
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in events:
        groups[str(event.get("type") or "?")].append(event)
    for type_ in totals or {}:
        groups.setdefault(type_, [])
    out: list[dict[str, Any]] = []
    for type_, items in groups.items():
        total = (totals or {}).get(type_)
        out.append({"type": type_, "score": PLOVER_SCORES.get(type_), "shown": len(items),
                    "count": total["count"] if total else len(items),
                    "articles": total["articles"] if total else len({i["article"]["id"] for i in items}),
                    "items": items})
    out.sort(key=lambda g: (-g["count"], g["type"]))
    return out


def state_of(profile_actor: dict[str, Any]) -> str | None:
    """The state an actor rolls up to at the graph's state level (a state is itself)."""
    return profile_actor.get("id") if profile_actor.get("kind") == "state" else profile_actor.get("country")


# -- all of it ------------------------------------------------------------------------------------

def actor_sections(store: Store, profile: dict[str, Any], *, level: str = "actor") -> dict[str, Any]:
    """The sections the actor page and ``/api/actors/{id}`` add to ``queries.actor_profile``'s result.

    Takes the profile's private key ``_quotes_about`` out of it.
    """
    actor_id = str(profile["actor"]["id"])
    scanned_about = profile.pop("_quotes_about", None) or []
    from_graph = profile.get("from") == "graph"
    types: set[str] = set()
    if from_graph:
        about = quotes_about(store, actor_id)
        source_totals, target_totals = event_totals(store, actor_id, "source"), event_totals(store, actor_id, "target")
        types = set(source_totals) | set(target_totals)
        by_source = events_by_type(profile["events_as_source"], source_totals)
        by_target = events_by_type(profile["events_as_target"], target_totals)
    else:
        about = scanned_about[:QUOTES_ABOUT]
        by_source = events_by_type(profile["events_as_source"])
        by_target = events_by_type(profile["events_as_target"])
    centre = actor_id if level == "actor" else state_of(profile["actor"])
    graph = neighbourhood(store, centre, level=level, event_types=sorted(types)) if centre else \
        {"level": level, "centre": None, "nodes": [], "edges": []}
    return {"quotes_about": about, "events_by_type": {"as_source": by_source, "as_target": by_target},
            "stance_series": stance_series(store, actor_id),
            "stance_extremes": stance_extremes(store, actor_id), "neighbourhood": graph}


# -- what the page draws --------------------------------------------------------------------------

def stance_chart(series: dict[str, Any]) -> dict[str, Any] | None:
    """A Chart.js line chart of the mean polarity per period on the polarity axis (left, -1..1),
    with the number of stances per period as light bars on the count axis (right); None when there
    is no stance. Every dataset names its axis."""
    from .charts import PALETTE, line_chart

    if not series["stances"]:
        return None
    lines = [(s["label"], s["mean"]) for s in series["series"] if any(n for n in s["count"])]
    config = line_chart(series["periods"], lines, y_title="mean polarity (weighted by confidence)", y_min=-1,
                        y_max=1)
    for dataset in config["data"]["datasets"]:
        dataset["yAxisID"] = "y"  # the polarity axis; without it Chart.js may put a line on the count axis
    config["options"]["scales"]["y"]["position"] = "left"
    config["options"]["plugins"]["legend"]["display"] = True
    config["options"]["scales"]["count"] = {"position": "right", "beginAtZero": True,
                                            "title": {"display": True, "text": "stances"},
                                            "grid": {"drawOnChartArea": False}, "ticks": {"precision": 0}}
    counts = [sum(s["count"][i] for s in series["series"]) for i in range(len(series["periods"]))]
    config["data"]["datasets"].append({"type": "bar", "label": "stances", "data": counts, "yAxisID": "count",
                                       "backgroundColor": PALETTE[5] + "55", "borderColor": PALETTE[5] + "55",
                                       "order": 2})
    return config


def neighbourhood_picture(graph: dict[str, Any]) -> Any:
    """The neighbourhood as inline SVG markup (``graph_svg``), or None when there is nothing to draw."""
    from .graph_svg import neighbourhood_svg

    if not graph["nodes"]:
        return None
    centre = next(n for n in graph["nodes"] if n["centre"])
    others = [n for n in graph["nodes"] if not n["centre"]]
    return neighbourhood_svg(centre, others, graph["edges"], level=graph["level"])
