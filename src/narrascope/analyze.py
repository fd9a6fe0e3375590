"""Analyze: re-run per-article stages on stored articles, without re-extracting them.

After an upgrade (a new quotes stage, a retrained techniques model, an extended actor file) the
stored records are out of date. ``analyze`` runs the chosen stages (default: every stage of the
pipeline in the settings) on the stored record and writes the result back. An article is up to
date when every chosen stage's version in its ``pipeline`` record is the current one; ``force``
redoes it anyway. A stage that fails on an article (it raised a coded error) leaves the old record
in place and is reported, never deleted. Stages not chosen keep their earlier output and version.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from . import __version__
from .enrich import Pipeline, build_pipeline
from .errors import InputRejected
from .ingest import item_budget, warm
from .model import Article
from .runners import BudgetRunner, Overrun, make_runner, open_cluster
from .settings import Settings, load_settings
from .store import Filters, open_store

__all__ = ["AnalyzeReport", "analyze", "analyze_article"]

log = logging.getLogger(__name__)


@dataclass
class AnalyzeReport:
    considered: int = 0
    updated: list[str] = field(default_factory=list)
    up_to_date: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    #: articles computed again on another cluster worker after the one holding them was lost
    retried: int = 0

    def summary(self) -> str:
        retried = f"; {self.retried} retried after a cluster worker was lost" if self.retried else ""
        return (f"{self.considered} considered: {len(self.updated)} analyzed, {self.up_to_date} up to date,"
                f" {len(self.failed)} failed (old record kept); stages: {', '.join(self.stages)}{retried}")

    def to_dict(self) -> dict[str, Any]:
        return {"considered": self.considered, "updated": self.updated, "up_to_date": self.up_to_date,
                "failed": self.failed, "stages": self.stages, "retried": self.retried}


def _is_current(article: Article, pipeline: Pipeline) -> bool:
    """Every chosen stage ran at its current version, under the confidence floors now in force."""
    done = article.pipeline.get("stages", {})
    floors = article.pipeline.get("min_confidence") or {}
    return all(done.get(stage.name) == stage.version for stage in pipeline.stages) and all(
        floors.get(name) == floor for name, floor in pipeline.floors().items())


def analyze_article(job: tuple[dict[str, Any], Settings, tuple[str, ...]],
                    checkpoint: Callable[[Any], None] | None = None) -> dict[str, Any]:
    """Run the named stages on one article record: pure computation, safe in a worker process.

    Returns ``{"record": ...}`` on success or ``{"id", "code", "reason"}`` when a stage refused it.
    ``checkpoint`` (from a ``BudgetRunner``) is told the name of each stage as it finishes.
    """
    record, settings, names = job
    article = Article.from_record(record)
    before = dict(article.pipeline.get("stages", {}))
    floors_before = dict(article.pipeline.get("min_confidence") or {})
    pipeline = build_pipeline(settings, names)
    try:
        pipeline.run(article, on_stage=(lambda name, _updates: checkpoint(name)) if checkpoint else None)
    except InputRejected as e:
        return {"id": article.id, "code": e.code, "reason": str(e)}
    # Stages that did not run this time keep their earlier version (and floor) in the record.
    stages = {**before, **{s.name: s.version for s in pipeline.stages}}
    article.pipeline = {"version": __version__, "stages": stages,
                        "min_confidence": {**floors_before, **pipeline.floors()}}
    return {"record": article.to_record()}


def analyze(
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    ids: Sequence[str] = (),
    stages: Sequence[str] | None = None,
    force: bool = False,
    jobs: int = 1,
    progress: Callable[[int], Iterator[object]] | None = None,
    cluster: str | None = None,
) -> AnalyzeReport:
    """Re-run ``stages`` (default: the settings' pipeline) on the stored articles ``ids`` (default: all).

    ``cluster`` (default: the ``cluster.address`` setting; "" for none) runs the stages on a Dask
    cluster instead of ``jobs`` local processes; this process alone writes the store."""
    settings = settings or load_settings()
    pipeline = build_pipeline(settings, stages)
    names = tuple(s.name for s in pipeline.stages)
    report = AnalyzeReport(stages=list(names))
    with open_store(db, settings, create=False) as store, \
            open_cluster(
                settings.cluster.address if cluster is None else cluster,
                connect_seconds=settings.cluster.connect_seconds) as runner:
        full_ids = tuple(store.resolve_id(i) for i in ids)
        articles = list(store.iter_articles(Filters(all_versions=True, ids=full_ids)))
        report.considered = len(articles)
        todo = []
        for article in articles:
            if not force and _is_current(article, pipeline):
                report.up_to_date += 1
            else:
                todo.append(article)
        ticker = progress(len(todo)) if progress else None
        jobs_iter = ((a.to_record(), settings, names) for a in todo)
        batch: list[Article] = []
        budget = item_budget(settings)
        if runner is not None:
            results = runner.map(analyze_article, jobs_iter, budget=budget, over=partial(_over_budget, names=names),
                                 prepare=partial(warm, settings))
        elif budget.limited:
            results = BudgetRunner(jobs, budget, prepare=partial(warm, settings)).map(
                analyze_article, jobs_iter, over=partial(_over_budget, names=names))
        else:
            results = make_runner(jobs).map(analyze_article, jobs_iter)
        for result in results:
            if ticker is not None:
                next(ticker, None)
            if "record" not in result:
                report.failed.append(result)
                continue
            batch.append(Article.from_record(result["record"]))
            if len(batch) >= settings.store.batch_size:
                _write(store, batch, report)
        _write(store, batch, report)
        report.retried = runner.retried if runner is not None else 0
        if ticker is not None:
            for _ in ticker:
                pass
    return report


def _over_budget(job: tuple[dict[str, Any], Settings, tuple[str, ...]], finished: list[str], overrun: Overrun, *,
                 names: tuple[str, ...]) -> dict[str, Any]:
    """An article whose stages ran past the item budget: reported, its stored record kept."""
    stopped = names[len(finished)] if len(finished) < len(names) else "(after the last stage)"
    code = {"time": "NS204", "memory": "NS205"}.get(overrun.kind, "NS901")
    return {"id": job[0]["id"], "code": code, "reason": f"stage {stopped} stopped: {overrun.reason}"}


def _write(store: Any, batch: list[Article], report: AnalyzeReport) -> None:
    if not batch:
        return
    with store.transaction():
        for article in batch:
            store.update_article(article)
    report.updated.extend(a.id for a in batch)
    batch.clear()
