"""Reprocess: re-extract and re-enrich stored articles from their kept raw bytes.

An article is out of date when its ``pipeline`` record (package version and stage versions)
differs from what the current pipeline would write; ``force`` redoes all selected articles.
The article keeps its id, URL version chain and ingest time; its record is replaced. An article
that the current pipeline would reject keeps its old record and is reported, never deleted.
``rejects=True`` retries the recorded rejects whose bytes were kept (after a settings change,
say ``language.accept``), storing those that now pass.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .extract import extractor_for
from .ingest import IngestReport, _pipeline, _store_article, run_budgeted
from .model import Article, RawItem, Reject
from .runners import open_cluster
from .settings import Settings, load_settings
from .store import Filters, open_store

__all__ = ["ReprocessReport", "reprocess"]


@dataclass
class ReprocessReport:
    considered: int = 0
    updated: list[str] = field(default_factory=list)
    up_to_date: int = 0
    no_raw: list[str] = field(default_factory=list)
    failed: list[Reject] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    #: articles computed again on another cluster worker after the one holding them was lost
    retried: int = 0

    def summary(self) -> str:
        line = (f"{self.considered} considered: {len(self.updated)} reprocessed, {self.up_to_date} up to date,"
                f" {len(self.failed)} now rejected (old record kept), {len(self.no_raw)} without raw bytes")
        if self.recovered:
            line += f"; {len(self.recovered)} earlier rejects now stored"
        if self.retried:
            line += f"; {self.retried} retried after a cluster worker was lost"
        return line

    def to_dict(self) -> dict[str, object]:
        return {
            "considered": self.considered,
            "updated": self.updated,
            "up_to_date": self.up_to_date,
            "no_raw": self.no_raw,
            "failed": [{"location": r.location, "code": r.code, "reason": r.reason} for r in self.failed],
            "recovered": self.recovered,
            "retried": self.retried,
        }


def current_pipeline(settings: Settings, media_type: str) -> dict[str, object]:
    """The ``pipeline`` field an article of ``media_type`` would get now."""
    extractor = extractor_for(media_type)
    return _pipeline(settings).describe({extractor.name: extractor.version})


def reprocess(
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    ids: tuple[str, ...] = (),
    force: bool = False,
    rejects: bool = False,
    progress: Callable[[int], Iterator[object]] | None = None,
    cluster: str | None = None,
) -> ReprocessReport:
    """Re-extract and re-enrich the stored articles ``ids`` (default: all) that are out of date.

    ``cluster`` (default: the ``cluster.address`` setting; "" for none) computes them on a Dask
    cluster; this process alone writes the store.
    """
    settings = settings or load_settings()
    store = open_store(db, settings, create=False)
    report = ReprocessReport()
    try:
        with open_cluster(
                settings.cluster.address if cluster is None else cluster,
                connect_seconds=settings.cluster.connect_seconds) as runner:
            full_ids = tuple(store.resolve_id(i) for i in ids)
            articles = list(store.iter_articles(Filters(all_versions=True, ids=full_ids)))
            todo_rejects = [r for r in store.iter_rejects(include_skipped=False) if r["digest"]] if rejects else []
            ticker = progress(len(articles) + len(todo_rejects)) if progress else None
            waiting: deque[Article] = deque()  # the stored article of each item handed to the runner, in order

            def todo() -> Iterator[RawItem]:
                for article in articles:
                    if ticker is not None:
                        next(ticker, None)
                    report.considered += 1
                    item = store.raw_item(article.id)
                    if item is None:
                        report.no_raw.append(article.id)
                        continue
                    if not force and _comparable(article.pipeline) == _comparable(
                            current_pipeline(settings, item.media_type)):
                        report.up_to_date += 1
                        continue
                    waiting.append(article)
                    yield item

            for result in run_budgeted(todo(), settings, jobs=1, cluster=runner):
                article = waiting.popleft()
                if isinstance(result, Reject):
                    report.failed.append(result)
                    continue
                if isinstance(result, tuple):
                    new = result[1]
                    with store.transaction():
                        _keep_identity(new, article, versioned=store.url_is_versioned(article.id),
                                       url_taken=bool(new.url) and store.latest_for_url(new.url or "") is not None)
                        store.update_article(new)
                    report.updated.append(article.id)
            if todo_rejects:
                ingest_report = IngestReport(db=str(store.path))
                for row in todo_rejects:
                    if ticker is not None:
                        next(ticker, None)
                    item = store.raw_item(row["digest"])
                    # The same bytes may be rejected at several locations: store them once.
                    if item is None or store.article_location(item.id) is not None:
                        continue
                    result = next(iter(run_budgeted([item], settings, jobs=1, cluster=runner)))
                    if not isinstance(result, tuple):
                        continue
                    with store.transaction():
                        _store_article(store, ingest_report, result)
                    report.recovered.extend(ingest_report.stored[len(report.recovered):])
            if ticker is not None:
                for _ in ticker:
                    pass
            report.retried = runner.retried if runner is not None else 0
    finally:
        store.close()
    return report


def _comparable(pipeline: dict[str, object]) -> str:
    return json.dumps(pipeline, sort_keys=True)


def _keep_identity(new: Article, old: Article, *, versioned: bool, url_taken: bool) -> None:
    """A reprocessed article stays the same article: its id and version chain.

    Its URL follows the new extraction (a better extractor may find or correct it) unless the
    article is part of a version chain, which is held together by the stored URL, or another
    article is stored under the new URL; a URL is never lost because the new extraction found none.
    """
    new.id = old.id
    new.version = old.version
    new.supersedes = old.supersedes
    if not new.url or (new.url != old.url and (versioned or url_taken)):
        new.url = old.url
