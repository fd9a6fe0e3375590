"""What the narrative and reuse pages show (issue 5), built on the shared read queries of
``narrascope.corpus.reading`` (the CLI and the API read through the same ones): the pages' own
shapes (a cluster with its side-by-side pair, an article's links panel, charts, highlights).

Every list is paged and read through an index, and a page's rows are read in one query, never one
per row (see ``corpus/reading.py``). In a reuse pair, ``source`` is the likely original and
``target`` the republisher or the article that quotes it; ``direction_evidence`` records why.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from starlette.exceptions import HTTPException

from ..corpus import reading
from ..corpus.reading import (
    NARRATIVE_SORTS,
    NARRATIVE_STATUSES,
    REUSE_SORTS,
    analysis_computed,
    article_cluster,
    article_narratives,
    article_pairs,
    cluster_first_copy,
    cluster_members,
    has_table,
    incoming_pairs,
    narrative_detail,
    paged,
    pair_passages,
    titles,
)
from ..store import Store
from ..store.reads import article_texts
from .charts import line_chart, sparkline
from .render import Segment, segments

__all__ = ["CLUSTER_ID", "HIGHLIGHT", "NARRATIVE_ID", "NARRATIVE_SORTS", "NARRATIVE_STATUSES", "REUSE_SORTS",
           "aligned_rows", "analysis_computed", "article_corpus_context", "article_links", "explain_direction",
           "narrative_detail", "narratives_page", "reuse_cluster", "reuse_clusters_page", "reuse_pair_page"]

#: A narrative id (narratives.id) and a reuse cluster number (reuse_clusters.cluster).
NARRATIVE_ID = re.compile(r"[0-9]{1,9}")
CLUSTER_ID = re.compile(r"[0-9]{1,12}")
#: ``?hl=START-END`` on the article page: character offsets of a span to mark.
HIGHLIGHT = re.compile(r"([0-9]{1,9})-([0-9]{1,9})")


SPARK_POINTS = 52        # a sparkline has at most this many points (longer series are summed by blocks)
MAX_PASSAGES = 500       # passages of one pair
MAX_LINKS = 200          # reuse links of one article
COMMANDS = {"narratives": "narrascope narratives --db STORE", "reuse": "narrascope reuse --db STORE"}


def _weeks_between(first: str, last: str) -> list[str]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    start -= timedelta(days=start.weekday())
    out: list[str] = []
    while start <= end and len(out) < reading.MAX_WEEKS:
        out.append(start.isoformat())
        start += timedelta(days=7)
    return out


def filled_weeks(weeks: dict[str, int]) -> tuple[list[str], list[int]]:
    """The weekly counts from the first to the last week with articles, empty weeks as 0."""
    if not weeks:
        return [], []
    labels = _weeks_between(min(weeks), max(weeks))
    return labels, [weeks.get(week, 0) for week in labels]


def spark_config(weeks: dict[str, int]) -> dict[str, Any] | None:
    """A sparkline of a narrative's weekly counts over its own span, at most ``SPARK_POINTS`` points."""
    labels, values = filled_weeks(weeks)
    if not values:
        return None
    if len(values) > SPARK_POINTS:
        block = -(-len(values) // SPARK_POINTS)
        labels = [f"{labels[i]} +{block} weeks" for i in range(0, len(values), block)]
        values = [sum(values[i:i + block]) for i in range(0, len(values), block)]
    return sparkline(values, labels)


# -- narratives ---------------------------------------------------------------------------------

def narratives_page(store: Store, *, status: str = "current", sort: str = "size", limit: int,
                    offset: int) -> dict[str, Any]:
    """``reading.narratives_page``, with the command that computes the narratives (``command``)."""
    return {**reading.narratives_page(store, status=status, sort=sort, limit=limit, offset=offset),
            "command": COMMANDS["narratives"]}


def timeline_charts(series: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Line charts of the weekly articles and of their share of all the week's articles (%)."""
    if not series:
        return None, None
    counts = {s["period"]: s["articles"] for s in series}
    shares = {s["period"]: s["share"] for s in series}
    labels, values = filled_weeks(counts)
    articles = line_chart(labels, [("articles", values)], y_title="articles per week", y_min=0)
    share_values = [round(100 * shares[w], 1) if shares.get(w) is not None else (0 if w not in shares else None)
                    for w in labels]
    share = line_chart(labels, [("share", share_values)], y_title="% of the week's articles", y_min=0) \
        if any(v for v in share_values if v is not None) else None
    return articles, share


# -- reuse --------------------------------------------------------------------------------------

def reuse_clusters_page(store: Store, *, sort: str = "size", limit: int, offset: int) -> dict[str, Any]:
    """``reading.reuse_clusters_page``, with the command that computes the reuse tables (``command``)."""
    return {**reading.reuse_clusters_page(store, sort=sort, limit=limit, offset=offset), "command": COMMANDS["reuse"]}


def reuse_cluster(store: Store, cluster: int, *, copy: str | None, limit: int, offset: int) -> dict[str, Any] | None:
    """One cluster: its members (original first, then by date) each with the pair it came by, and the
    pair chosen for the side-by-side view (``copy``: a member's id; default the first copy), aligned.

    None when there is no such cluster; ``{"copy_missing": True}`` in the result when ``copy`` is
    not a member of the cluster with a pair.
    """
    found_members = cluster_members(store, cluster, limit=limit, offset=offset)
    if found_members is None:
        return None
    original, size, members = found_members["original"], found_members["size"], found_members["members"]
    links = incoming_pairs(store, [m["id"] for m in members if m["id"] != original], original)
    for member in members:
        member["pair"] = links.get(member["id"])
    if copy is None:
        copy = next((m["id"] for m in members if m["pair"] is not None), None)
        if copy is None and offset:
            copy = cluster_first_copy(store, cluster, original)
    chosen = None
    copy_missing = False
    if copy is not None:
        in_cluster = (article_cluster(store, copy) or {}).get("cluster") == cluster
        pair = (links.get(copy) or incoming_pairs(store, [copy], original).get(copy)) if in_cluster else None
        if pair is None:
            copy_missing = True
        else:
            chosen = side_by_side(store, pair)
            chosen["copy"] = copy
    found = titles(store, [original])
    return {"cluster": cluster, "size": size, "original": found.get(original, {"id": original}),
            "members": paged(members, found_members["fetched"], limit, offset),
            "pair": chosen, "copy_missing": copy_missing}


def aligned_rows(source_text: str, target_text: str, passages: list[tuple[int, int, int, int]]
                 ) -> list[dict[str, Any]]:
    """The two texts cut into aligned rows, passage by passage (in the source's order).

    Rows alternate: ``gap`` (the text of each side between the previous passage and this one:
    what the copy cut, on the left, or added, on the right) and ``passage`` (the shared passage,
    each side's own text). A passage whose target text comes before the previous one's (moved) has
    an empty target gap. Joined, the source pieces are the whole source text.
    """
    rows: list[dict[str, Any]] = []
    at_s = at_t = 0
    for s0, s1, t0, t1 in sorted(passages):
        if s0 < at_s:  # overlaps the previous passage in the source: show only what is new
            s0 = min(max(s0, at_s), s1)
        gap_t = target_text[at_t:t0] if t0 >= at_t else ""
        if s0 > at_s or gap_t:
            rows.append({"kind": "gap", "source": source_text[at_s:s0], "target": gap_t,
                         "source_start": at_s, "source_end": s0, "target_start": at_t if gap_t else None,
                         "target_end": t0 if gap_t else None})
        rows.append({"kind": "passage", "source": source_text[s0:s1], "target": target_text[t0:t1],
                     "source_start": s0, "source_end": s1, "target_start": t0, "target_end": t1})
        at_s = s1
        at_t = max(at_t, t1)
    if at_s < len(source_text) or at_t < len(target_text):
        rows.append({"kind": "gap", "source": source_text[at_s:], "target": target_text[at_t:],
                     "source_start": at_s, "source_end": len(source_text),
                     "target_start": at_t, "target_end": len(target_text)})
    for row in rows:
        if row["kind"] == "gap":
            row["source_words"] = len(row["source"].split())
            row["target_words"] = len(row["target"].split())
    return rows


def side_by_side(store: Store, pair: dict[str, Any]) -> dict[str, Any]:
    """A pair with both articles (title, outlet, date), its passages and the aligned rows."""
    source, target = pair["source"], pair["target"]
    if pair["kind"] == reading.TRANSLATION:   # sentence by sentence: the pair page's view
        detail = reading.pair_detail(store, source, target, limit=MAX_PASSAGES)
        if detail is not None:
            return {**detail, "explanation": explain_direction(detail)}
    texts = article_texts(store, [source, target])
    passages = pair_passages(store, source, target, limit=MAX_PASSAGES)
    meta = titles(store, [source, target])
    source_text, target_text = texts.get(source, ""), texts.get(target, "")
    return {**pair, "source_article": meta.get(source, {"id": source}), "target_article": meta.get(target, {"id": target}),
            "explanation": explain_direction(pair),
            "passages_list": [{"source_start": s0, "source_end": s1, "target_start": t0, "target_end": t1, "words": w,
                               "score": sc} for s0, s1, t0, t1, w, sc in passages],
            "rows": aligned_rows(source_text, target_text, [(s0, s1, t0, t1) for s0, s1, t0, t1, _w, _s in passages])}


_RUNG_WORDS = {"statement": "the republication statement", "date": "the publication dates",
               "containment": "the shared text", "republication": "a republication note", "order": "the ingest order"}


def reuse_pair_page(store: Store, source: str, target: str) -> dict[str, Any] | None:
    """``reading.pair_detail`` (at most ``MAX_PASSAGES`` passages) with the direction explained
    (``explanation``); None when there is no such pair."""
    pair = reading.reuse_pair(store, source, target)
    return side_by_side(store, pair) if pair is not None else None


def explain_direction(pair: dict[str, Any]) -> list[str]:
    """The direction evidence of a pair in plain words: why ``source`` is taken for the original."""
    evidence = pair.get("direction_evidence") or {}
    votes = evidence.get("votes") or {}
    lines: list[str] = []
    languages = evidence.get("languages")
    translation = pair.get("kind") == reading.TRANSLATION
    copy = "translation" if translation else "copy"
    the_copy = f"The {copy}"
    if pair.get("kind") == reading.TRANSLATION and isinstance(languages, list) and len(languages) == 2:
        lines.append(f"A translation: the original is taken to be the {languages[0]} text, the translation"
                     f" the {languages[1]} one.")
    statement = evidence.get("statement")
    if statement:
        who = the_copy if statement.get("article") == "target" else "The original"
        lines.append(f"{who} says it was first published by {statement.get('republished_from')}.")
    published = evidence.get("published") or {}
    s_date, t_date = published.get("source"), published.get("target")
    if s_date and t_date and s_date != t_date:
        if votes.get("date") == "source":
            lines.append(f"The original is dated {s_date}, before the {copy} ({t_date}).")
        else:
            lines.append(f"The dates point the other way: the original is dated {s_date}, the {copy} {t_date}.")
    elif s_date and t_date:
        lines.append(f"Both are dated {s_date}, so the dates do not tell.")
    else:
        lines.append("At least one of the two has no publication date.")
    coverage = evidence.get("coverage") or {}
    inner = evidence.get("inner_unshared_words") or {}
    if "containment" in votes:
        side = "original" if votes["containment"] == "source" else copy
        other = copy if side == "original" else "original"
        if inner.get(votes["containment"], 0):
            lines.append(f"The {side} has {inner.get(votes['containment'])} words between the shared passages that"
                         f" the {other} lacks (a cut), so the {side} looks like the fuller, earlier text.")
        else:
            lines.append(f"The {other} is almost wholly inside the {side} (an excerpt).")
    if coverage:
        lines.append(f"{'Aligned sentences' if translation else 'Shared passages'} cover"
                     f" {coverage.get('source', 0):.0%} of the original and {coverage.get('target', 0):.0%} of the {copy}.")
    republication = evidence.get("republication")
    if republication:
        who = the_copy if republication.get("article") == "target" else "The original"
        lines.append(f"{who} states a republication (from {republication.get('republished_from')}); the other none.")
    decided = evidence.get("decided_by")
    if decided == "order":
        lines.append("Nothing else decides: the article stored first is taken for the original (weak).")
    if decided:
        lines.append(f"Decided by {_RUNG_WORDS.get(decided, decided)}; confidence {pair.get('confidence', 0):.2f}.")
    contradicted = evidence.get("contradicted_by") or []
    if contradicted:
        lines.append("But " + " and ".join(_RUNG_WORDS.get(r, r) for r in contradicted) + " point the other way.")
    return lines


# -- the article page's panels ------------------------------------------------------------------

def article_links(store: Store, article_id: str, *, limit: int = MAX_LINKS, offset: int = 0,
                  with_sentences: bool = False) -> dict[str, Any]:
    """An article's reuse links (pairs where it is source or target, with the other article) and its
    narrative membership (with the evidence sentences); ``with_sentences``: each translation link
    with its ``sentences`` (``reading.aligned_sentences``)."""
    reuse_on = has_table(store, "reuse_pairs")
    fetched = article_pairs(store, article_id, limit=limit, offset=offset) if reuse_on else []
    pairs = fetched[:limit]
    others = titles(store, [p["target"] if p["source"] == article_id else p["source"] for p in pairs])
    cluster = article_cluster(store, article_id) if reuse_on else None
    links = []
    for pair in pairs:
        copied = pair["source"] == article_id
        other = pair["target"] if copied else pair["source"]
        links.append({"direction": "copied by" if copied else "copied from", "other": others.get(other, {"id": other}),
                      "kind": pair["kind"], "passages": pair["passages"], "shared_words": pair["shared_words"],
                      "coverage_source": pair["coverage_source"], "coverage_target": pair["coverage_target"],
                      "confidence": pair["confidence"], "decided_by": pair["direction_evidence"].get("decided_by"),
                      "copy": other if copied else article_id, "source": pair["source"], "target": pair["target"]})
    if with_sentences:
        sentences = reading.translations_sentences(store, [(p["source"], p["target"]) for p in pairs
                                                           if p["kind"] == reading.TRANSLATION])
        for link in links:
            if (link["source"], link["target"]) in sentences:
                link["sentences"] = sentences[(link["source"], link["target"])]
    narratives = article_narratives(store, article_id, limit=10)
    return {"article": article_id,
            "cluster": cluster,
            "reuse": paged(links, len(fetched), limit, offset),
            "narratives": narratives,
            "computed": {"reuse": analysis_computed(store, "reuse"),
                         "narratives": analysis_computed(store, "narratives")}}


def parse_highlight(value: str | None, length: int) -> tuple[int, int] | None:
    """``START-END`` -> (start, end) inside a text of ``length``; None when absent or outside the text.

    Raises ValueError when the value is not of the form ``START-END``.
    """
    if value is None or value == "":
        return None
    match = HIGHLIGHT.fullmatch(value)
    if not match:
        raise ValueError("hl must be START-END (character offsets)")
    start, end = int(match.group(1)), int(match.group(2))
    if not 0 <= start < end <= length:
        return None
    return start, end


def highlighted_segments(pieces: list[Segment], span: tuple[int, int] | None) -> list[Segment]:
    """The article's segments (``render.segments``) cut also at the span's ends; segments inside the
    span carry the extra layer ``target`` (the template marks them and anchors the first)."""
    if span is None:
        return pieces
    start, end = span
    out: list[Segment] = []
    for seg in pieces:
        cuts = sorted({seg.start, seg.end, *(x for x in (start, end) if seg.start < x < seg.end)})
        for left, right in zip(cuts, cuts[1:], strict=False):
            layers = {k: list(v) for k, v in seg.layers.items()}
            if start <= left and right <= end:
                layers["target"] = ["first"] if left == start else []
            out.append(Segment(left, right, seg.text[left - seg.start:right - seg.start], layers))
    return out


def article_corpus_context(store: Store, article: Any, hl: str | None, pieces: list[Segment] | None = None
                           ) -> dict[str, Any]:
    """What the article page adds for issue 5: its text segments (``pieces``, default
    ``render.segments(article)``, with the ``?hl=START-END`` span marked), the span, and the reuse and
    narrative panels' data. A malformed ``hl`` is a 400."""
    try:
        span = parse_highlight(hl, len(article.text))
    except ValueError as e:
        raise HTTPException(400, str(e)) from e
    return {"segments": highlighted_segments(segments(article) if pieces is None else pieces, span), "highlight": span,
            "corpus_links": article_links(store, article.id, limit=50)}
