"""The incremental-update loop that per-article corpus analyses share (graph, timelines).

An analysis whose rows each come from one article updates like this: start from the last run's
watermark (or from nothing: a full run, a first run, another version), take away the rows of the
articles that a newer version superseded, add the rows of every article stored after the
watermark in batches (each batch in its own transaction, with the new watermark recorded in it,
so an interrupted run resumes where it stopped), then finish (aggregates) and record the state.

The analysis gives only what differs: which tables a full run empties, how to take an article's
rows away, how to add a batch's rows, its state, and how to finish. Reuse and narratives do not
fit this shape (they compare articles with each other) and keep their own loops.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import batched, count_new_articles, new_articles, record_state, resume, superseded_rowids

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["Outcome", "update_incrementally"]

#: (rowid, record) of the articles of one batch
Batch = list[tuple[int, dict[str, Any]]]


@dataclass(frozen=True)
class Outcome:
    """What an incremental run did."""

    full: bool
    added: int      # articles whose rows were added
    removed: int    # superseded articles whose rows were taken away
    articles: int   # articles covered after the run
    watermark: int  # highest articles.rowid covered after the run
    finished: Any   # what ``finish`` returned


def update_incrementally(store: Store, *, name: str, version: str, inputs: dict[str, Any], full: bool = False,
                         tables: tuple[str, ...], add: Callable[[Batch], None],
                         remove: Callable[[list[int]], None] | None = None,
                         begin: Callable[[Any], None] | None = None, state: Callable[[], Any] | None = None,
                         finish: Callable[[], Any] | None = None, batch_size: int = 500,
                         progress: Callable[[int], Iterator[object]] | None = None) -> Outcome:
    """Bring analysis ``name`` up to date with the store (see the module docstring).

    ``begin(saved)`` receives the state the last run saved (None for a full run) before anything
    else; ``remove(rowids)`` runs in a transaction (with the rowids of the superseded articles,
    maybe none) unless the run is full, where ``tables`` are emptied instead (the default
    ``remove`` deletes the rows of ``tables`` whose ``article_rowid`` is one of them);
    ``add(batch)`` runs in one transaction per batch; ``finish()`` in the last one. ``state()``
    is what ``record_state`` saves after each batch and at the end.
    """
    start = resume(store, name, version, full=full)
    full, watermark, covered = start.full, start.watermark, start.covered
    if begin is not None:
        begin(start.state)
    current = state or (lambda: None)

    def delete_rows(rowids: list[int]) -> None:
        for table in tables:
            store.conn.executemany(f"DELETE FROM {table} WHERE article_rowid = ?",  # noqa: S608 - names from the analysis
                                   [(r,) for r in rowids])

    gone = [] if full else superseded_rowids(store, watermark)
    with store.transaction():
        if full:
            for table in tables:
                store.conn.execute(f"DELETE FROM {table}")  # noqa: S608 - names from the analysis
        else:
            (remove or delete_rows)(gone)
        covered -= len(gone)
    ticks = iter(progress(count_new_articles(store, watermark))) if progress else None
    added, last = 0, watermark
    for batch in batched(new_articles(store, watermark), batch_size):
        last = batch[-1][0]
        added += len(batch)
        with store.transaction():
            add(batch)
            record_state(store, name, version, inputs=inputs, watermark=last, articles=covered + added,
                         state=current())
        if ticks is not None:
            for _ in batch:
                next(ticks, None)
    if ticks is not None:
        for _ in ticks:  # close the bar
            pass
    with store.transaction():
        finished = finish() if finish is not None else None
        record_state(store, name, version, inputs=inputs, watermark=last, articles=covered + added, state=current())
    return Outcome(full, added, len(gone), covered + added, last, finished)
