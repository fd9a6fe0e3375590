"""Ingest: inputs -> items -> articles (extract + pipeline) -> store, with nothing silently lost.

Every input ends in exactly one outcome, counted in the ``IngestReport``:

- ``stored``: a new article (``new_versions`` of them are changed copies of a stored URL);
- ``unchanged``: these exact bytes from this same location are stored already (a re-run);
- ``skipped``: a duplicate from elsewhere (NS301: same bytes; NS302: same URL, same text), recorded
  in ``rejects`` as skipped, not as an error;
- ``rejected``: an error with a code, recorded in ``rejects`` with its stage and reason (and the
  bytes, when they could be read, so ``reprocess --rejects`` can retry them later). A reject the
  store holds already (same location, code and bytes, same reason: a re-run) is also listed in
  ``known_rejects``; only new rejects make the report not ``ok``, so a cron job re-reading a
  folder of known bad files is told of each bad file once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from .corpus import batched
from .enrich import Pipeline, apply_updates, build_pipeline, floor_field
from .errors import InputRejected, UsageError
from .extract import extract
from .model import Article, RawItem, Reject
from .runners import Budget, BudgetRunner, DaskRunner, Overrun, make_runner, open_cluster
from .settings import Settings, load_settings
from .sources import Blob, expand_inputs, read_blob
from .sources.csv import column_overrides, parse_columns
from .store import DEFAULT_DB, Store, open_store, store_files

__all__ = ["UPLOAD_PREFIX", "IngestReport", "analyze_item", "ingest", "ingest_bytes", "upload_location"]

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    inputs: int = 0
    stored: list[str] = field(default_factory=list)
    new_versions: int = 0
    #: ids of stored articles whose analysis stopped at the item budget (``provenance["analysis"]``)
    partial: list[str] = field(default_factory=list)
    unchanged: int = 0
    #: the longest an item took to extract and analyse (seconds, under a budget), and its location
    slowest: tuple[float, str] = (0.0, "")
    #: items computed again on another cluster worker after the one holding them was lost (``--cluster``)
    retried: int = 0
    skipped: list[Reject] = field(default_factory=list)
    rejected: list[Reject] = field(default_factory=list)
    #: The rejects among ``rejected`` recorded before with the same reason (a re-run over them).
    known_rejects: list[Reject] = field(default_factory=list)
    db: str = ""

    @property
    def new_rejects(self) -> list[Reject]:
        known = {id(r) for r in self.known_rejects}
        return [r for r in self.rejected if id(r) not in known]

    @property
    def ok(self) -> bool:
        """No new rejects: everything was stored, skipped, or rejected before for the same reason."""
        return len(self.rejected) == len(self.known_rejects)

    def summary(self) -> str:
        parts = [f"{len(self.stored)} stored"]
        if self.new_versions:
            parts[0] += f" ({self.new_versions} as new versions)"
        if self.partial:
            parts[0] += f" ({len(self.partial)} partly analysed: over the item budget)"
        if self.unchanged:
            parts.append(f"{self.unchanged} already stored")
        if self.skipped:
            parts.append(f"{len(self.skipped)} duplicates skipped")
        known = len(self.known_rejects)
        parts.append(f"{len(self.rejected) - known} rejected")
        if known:
            parts.append(f"{known} known {'reject' if known == 1 else 'rejects'}")
        if self.retried:
            parts.append(f"{self.retried} retried after a cluster worker was lost")
        line = f"{self.inputs} inputs: " + ", ".join(parts) + f" in {self.db}"
        if self.rejected:
            line += f"; see `narrascope list --rejects --db {self.db}`"
        return line

    def to_dict(self) -> dict[str, object]:
        known = {id(r) for r in self.known_rejects}

        def reject(r: Reject) -> dict[str, object]:
            return {"location": r.location, "code": r.code, "reason": r.reason, "stage": r.stage}

        return {
            "db": self.db,
            "inputs": self.inputs,
            "stored": self.stored,
            "new_versions": self.new_versions,
            "partial": self.partial,
            "slowest_seconds": round(self.slowest[0], 3),
            "slowest_location": self.slowest[1],
            "retried": self.retried,
            "unchanged": self.unchanged,
            "skipped": [reject(r) for r in self.skipped],
            "rejected": [{**reject(r), "known": id(r) in known} for r in self.rejected],
            "known_rejects": len(known),
        }


@lru_cache(maxsize=4)
def _pipeline(settings: Settings) -> Pipeline:
    return build_pipeline(settings)


def analyze_item(item: RawItem, settings: Settings, *,
                 checkpoint: Callable[[Any], None] | None = None) -> Article | Reject:
    """Extract and enrich one item: pure computation, safe to run in a worker process.

    ``checkpoint`` (from a ``BudgetRunner``) is handed the extracted article, then ``(stage,
    updates)`` after each stage, so an item stopped past its budget keeps what was done.
    """
    try:
        article = extract(item, settings)
        if checkpoint is None:
            return _pipeline(settings).run(article)
        checkpoint(("extracted", article))
        return _pipeline(settings).run(article, on_stage=lambda name, updates: checkpoint(("stage", name, updates)))
    except InputRejected as e:
        return Reject.from_error(e, item=item)
    except (RecursionError, LookupError, TypeError, ValueError, UnicodeError, AttributeError, IndexError) as e:
        # A bug or an input we did not foresee must cost this one item, never the batch.
        log.exception("internal error on %s", item.location)
        return Reject(location=item.location, code="NS901", reason=f"internal error: {type(e).__name__}: {e}",
                      stage="extract", source_kind=item.source_kind, item=item)


def over_budget(item: RawItem, states: list[Any], overrun: Overrun, settings: Settings) -> Article | Reject:
    """The outcome of ``item`` stopped past its budget, from the checkpoints it handed over.

    Stopped during extraction: a reject (NS204 time, NS205 memory; NS901 when its worker died).
    Stopped during an analysis stage: the article with the stages that finished, marked partial in
    ``provenance["analysis"]`` (which stage stopped, why, and which did not run); its ``pipeline``
    lists only the finished stages, so ``narrascope analyze`` sees it as out of date.
    """
    extracted = [s for s in states if s[0] == "extracted"]
    if not extracted:
        code = {"time": "NS204", "memory": "NS205"}.get(overrun.kind, "NS901")
        return Reject(location=item.location, code=code, reason=f"extraction stopped: {overrun.reason}",
                      stage="extract", source_kind=item.source_kind, item=item)
    article: Article = extracted[-1][1]
    finished: list[str] = []
    for state in states:
        if state[0] == "stage":
            _kind, name, updates = state
            apply_updates(article, updates)
            finished.append(name)
    pipeline = _pipeline(settings)
    names = [stage.name for stage in pipeline.stages]
    stopped = names[len(finished)] if len(finished) < len(names) else "(after the last stage)"
    article.pipeline = partial_pipeline(pipeline, article.pipeline.get("stages", {}), finished)
    article.provenance["analysis"] = (f"partial: stage {stopped} stopped, {overrun.reason};"
                                      f" not run: {', '.join(names[len(finished):])}")
    return article


def partial_pipeline(pipeline: Pipeline, extraction: dict[str, str], finished: list[str]) -> dict[str, Any]:
    """The ``pipeline`` record of an article on which only the ``finished`` stages ran."""
    described = pipeline.describe(extraction)
    ran = set(finished)
    described["stages"] = {k: v for k, v in described["stages"].items() if k.startswith("extract.") or k in ran}
    described["min_confidence"] = {k: v for k, v in described["min_confidence"].items()
                                   if any(floor_field(s) == k for s in pipeline.stages if s.name in ran)}
    return described


def warm(settings: Settings) -> None:
    """Load every model and table extraction and the pipeline use, once in this process, so that
    the workers forked from it start warm and share them."""
    text = ("The foreign minister said on Monday that talks with the United Nations would resume in Geneva. "
            "\"We will not give up,\" she told reporters.\n\n") * 3
    page = f"<html><head><title>Talks resume</title></head><body><article><p>{text}</p></article></body></html>"
    for data, media_type in ((f"Talks resume\n\n{text}".encode(), "text/plain"), (page.encode(), "text/html")):
        item = RawItem(data=data, media_type=media_type, source_kind="text", location="warm")
        try:
            _pipeline(settings).run(extract(item, settings))
        except InputRejected:
            pass  # a gate refusing the sample still loaded its models
        except Exception:  # noqa: BLE001 - warming is best effort: a stage that fails here fails per item
            log.warning("a pipeline stage failed on the warm-up sample; workers load it themselves",
                        exc_info=True)
            return


@dataclass(frozen=True)
class _Stored:
    """An item whose bytes were found stored before extraction: nothing to compute."""

    item_id: str
    location: str
    source_kind: str
    stored_at: str


Notify = Callable[[str, str], None]


def ingest(
    paths: Iterable[str],
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    jobs: int = 1,
    on_outcome: Notify | None = None,
    columns: str | Mapping[str, str] | None = None,
    cluster: str | None = None,
) -> IngestReport:
    """Ingest files, folders or ``-`` (standard input) into the store at ``db``.

    ``cluster`` (default: the ``cluster.address`` setting; "" for none) computes the items on a
    Dask cluster, ``tcp://HOST:PORT`` or ``local:N`` (see ``runners.DaskRunner``), instead of
    ``jobs`` local processes; this process still reads the inputs and writes the store.

    ``columns`` names the columns of CSV/TSV tables that hold article fields, as
    "text=body_text,title=headline" or {"text": "body_text"} (see ``narrascope.sources.csv``); it
    overrides the ``input.csv_columns`` setting for this run. A bad field name is NS403.

    ``on_outcome(kind, text)`` is told the outcome of every item as it is written (kind: stored,
    unchanged, skipped, rejected), so a caller can count items, e.g. for a progress bar.

    Items are read, checked against the store and extracted outside any transaction; each batch
    of ``store.batch_size`` results is then written in one short transaction that checks again,
    so an item another process stored meanwhile becomes "unchanged" or a skipped duplicate, never
    an error, and readers and other writers are never kept waiting for extraction.
    """
    return _ingest(lambda store, settings: _read_items(paths, settings, store), db=db, settings=settings, jobs=jobs,
                   on_outcome=on_outcome, columns=columns, cluster=cluster)


#: Prefix of the location of bytes ingested from memory (an upload): ``upload:NAME``.
UPLOAD_PREFIX = "upload:"
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


def upload_location(name: str) -> str:
    """``upload:NAME``, the location recorded for bytes ingested under ``name``; a bad name is a UsageError."""
    if not name or not name.strip() or len(name) > 200 or _BAD_NAME.search(name) or name in (".", ".."):
        raise UsageError(f"bad upload name {name[:200]!r}: a file name without '/', '\\' or control characters,"
                         " at most 200 characters")
    return UPLOAD_PREFIX + name


def ingest_bytes(
    data: bytes,
    name: str,
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    jobs: int = 1,
    on_outcome: Notify | None = None,
    columns: str | Mapping[str, str] | None = None,
) -> IngestReport:
    """Ingest in-memory ``data`` (e.g. an uploaded file) as if it were a file called ``name``.

    The format is detected from ``name`` and the bytes (text, HTML, feed, WARC, JSONL, gzip of any),
    like a file's. Its articles record ``source.location`` ``upload:NAME`` (``upload:NAME:LINE`` for
    a JSONL line, ``upload:NAME#entry=...`` for a feed entry...), never a temporary path, so sending
    the same bytes under the same name again is "unchanged", as re-reading a file is. A feed read
    from memory has no folder: the local pages its entries link to are not read.
    """
    blob = Blob(location=upload_location(name), name=name, data=bytes(data))
    return _ingest(lambda store, settings: read_blob(blob, settings), db=db, settings=settings, jobs=jobs,
                   on_outcome=on_outcome, columns=columns)


def _ingest(
    read: Callable[[Store, Settings], Iterable[RawItem | Reject]],
    *,
    db: str | Path | None,
    settings: Settings | None,
    jobs: int,
    on_outcome: Notify | None,
    columns: str | Mapping[str, str] | None = None,
    cluster: str | None = "",
) -> IngestReport:
    settings = settings or load_settings()
    if columns is not None:
        settings = replace(settings, input=replace(settings.input, csv_columns=parse_columns(columns)))
    column_overrides(settings.input.csv_columns)  # a bad column mapping fails before any input is read
    _pipeline(settings)  # unknown stage names and unmet requires (NS406) fail before any input is read
    store = open_store(db, settings)
    report = IngestReport(db=str(store.path))
    notify = on_outcome or (lambda kind, text: None)
    try:
        def timed(thing: RawItem | Reject | _Stored, seconds: float) -> None:
            if seconds > report.slowest[0]:
                report.slowest = (seconds, thing.location)

        with open_cluster(
                settings.cluster.address if cluster is None else cluster,
                connect_seconds=settings.cluster.connect_seconds) as runner:
            results = run_budgeted(_unstored(store, read(store, settings)), settings, jobs=jobs, timed=timed,
                                   cluster=runner)
            # Results come back once each, in input order, whatever the cluster retried.
            for batch in batched(results, settings.store.batch_size):
                # Nothing in this process reads or extracts while the write lock is held.
                with store.transaction():
                    outcomes = [_write(store, report, result) for result in batch]
                for kind, text in outcomes:
                    notify(kind, text)
            report.retried = runner.retried if runner is not None else 0
    finally:
        store.close()
    return report


def _read_items(paths: Iterable[str], settings: Settings, store: Store) -> Iterator[RawItem | Reject]:
    """Every item of every input (a ``Reject`` in place of each bad one).

    A folder walk skips the store's files and those of a default store in the current folder, so
    ``narrascope ingest .`` beside them reads only articles.
    """
    exclude = {*store_files(store.path), *store_files(DEFAULT_DB)}
    for blob in expand_inputs(paths, settings, exclude=exclude):
        if isinstance(blob, Reject):
            yield blob
        else:
            yield from read_blob(blob, settings)


def _unstored(store: Store, stream: Iterable[RawItem | Reject]) -> Iterator[RawItem | Reject | _Stored]:
    """Stand-ins for items whose bytes are stored already, so they are not extracted again.

    Only what is committed to the store counts: an item seen earlier in this run that was rejected
    is no reason to skip a later copy, which is extracted (and rejected) in its own right.
    """
    for thing in stream:
        if isinstance(thing, RawItem):
            stored_at = store.article_location(thing.id)
            if stored_at is not None:
                yield _Stored(thing.id, thing.location, thing.source_kind, stored_at)
                continue
        yield thing


_Result = tuple[RawItem, Article] | Reject | _Stored


def item_budget(settings: Settings) -> Budget:
    return Budget(seconds=settings.budget.item_seconds, memory_mb=settings.budget.item_memory_mb)


def run_budgeted(things: Iterable[RawItem | Reject | _Stored], settings: Settings, *, jobs: int,
                 timed: Callable[[Any, float], None] | None = None,
                 cluster: DaskRunner | None = None) -> Iterator[_Result]:
    """Extract and analyse every item, each within the budget of the settings (in a supervised
    worker), or in-process (``jobs`` 1) or plain worker processes when the budget is off; on the
    ``cluster``'s workers (each item still under its budget) when one is given."""
    budget = item_budget(settings)
    if cluster is not None:
        return cluster.map(partial(_analyze_or_pass, settings=settings), things, budget=budget,
                           over=partial(_over_budget_or_pass, settings=settings), prepare=partial(warm, settings),
                           inline=lambda thing: not isinstance(thing, RawItem), timed=timed)
    if not budget.limited:
        return make_runner(jobs).map(partial(_analyze_or_pass, settings=settings), things)
    runner = BudgetRunner(jobs, budget, prepare=partial(warm, settings))
    return runner.map(partial(_analyze_or_pass, settings=settings), things,
                      over=partial(_over_budget_or_pass, settings=settings),
                      inline=lambda thing: not isinstance(thing, RawItem), timed=timed)


def _analyze_or_pass(thing: RawItem | Reject | _Stored, checkpoint: Callable[[Any], None] | None = None, *,
                     settings: Settings) -> _Result:
    if not isinstance(thing, RawItem):
        return thing
    result = analyze_item(thing, settings, checkpoint=checkpoint)
    return result if isinstance(result, Reject) else (thing, result)


def _over_budget_or_pass(thing: RawItem | Reject | _Stored, states: list[Any], overrun: Overrun, *,
                         settings: Settings) -> _Result:
    if not isinstance(thing, RawItem):
        return thing
    result = over_budget(thing, states, overrun, settings)
    return result if isinstance(result, Reject) else (thing, result)


def _write(store: Store, report: IngestReport, result: _Result) -> tuple[str, str]:
    """Write one result (inside a transaction); return its outcome (kind, text)."""
    report.inputs += 1
    if isinstance(result, Reject):
        known = store.record_reject(result)
        report.rejected.append(result)
        if known:
            report.known_rejects.append(result)
        return "rejected", f"{result.location}: {result.code} {result.reason}" + (" (known)" if known else "")
    if isinstance(result, _Stored):
        return _already_stored(store, report, result)
    return _store_article(store, report, result)


def _already_stored(store: Store, report: IngestReport, found: _Stored) -> tuple[str, str]:
    if found.stored_at == found.location:
        report.unchanged += 1
        return "unchanged", f"{found.location}: already stored as {found.item_id}"
    return _skip(store, report, Reject(
        location=found.location, code="NS301", stage="store", source_kind=found.source_kind,
        reason=f"duplicate: the same bytes are stored as {found.item_id} (from {found.stored_at})"))


def _skip(store: Store, report: IngestReport, reject: Reject) -> tuple[str, str]:
    store.record_reject(reject, skipped=True)
    report.skipped.append(reject)
    return "skipped", f"{reject.location}: {reject.code} {reject.reason}"


def _store_article(store: Store, report: IngestReport, pair: tuple[RawItem, Article]) -> tuple[str, str]:
    """Store one extracted article (inside a transaction), unless the store has it by now."""
    item, article = pair
    # Checked again under the write lock: another process may have stored these bytes meanwhile.
    stored_at = store.article_location(item.id)
    if stored_at is not None:
        return _already_stored(store, report, _Stored(item.id, item.location, item.source_kind, stored_at))
    if article.url:
        previous = store.latest_for_url(article.url)
        if previous is not None and _same_text(previous[2], previous[3], article):
            return _skip(store, report, Reject(
                location=item.location, code="NS302", stage="store", source_kind=item.source_kind,
                reason=f"unchanged: {article.url} is stored as {previous[0]} with the same text"))
    store.put_raw(item)
    store.add_article(article)  # cannot conflict: the id was checked under this transaction's lock
    store.clear_reject(article.id)
    report.stored.append(article.id)
    if article.provenance.get("analysis", "").startswith("partial"):
        report.partial.append(article.id)
    if article.version > 1:
        report.new_versions += 1
    return "stored", (f"{item.location}: stored as {article.id}"
                      + (f" (version {article.version} of {article.url})" if article.version > 1 else ""))


def _same_text(title: str, text: str, article: Article) -> bool:
    return title == article.title and text == article.text
