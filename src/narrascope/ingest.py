"""Ingest: inputs -> items -> articles (extract + pipeline) -> store, with nothing silently lost.

Every input ends in exactly one outcome, counted in the ``IngestReport``:

- ``stored``: a new article (``new_versions`` of them are changed copies of a stored URL);
- ``unchanged``: these exact bytes from this same location are stored already (a re-run);
- ``skipped``: a duplicate from elsewhere (NS301: same bytes; NS302: same URL, same text), recorded
  in ``rejects`` as skipped, not as an error;
- ``rejected``: an error with a code, recorded in ``rejects`` with its stage and reason (and the
  bytes, when they could be read, so ``reprocess --rejects`` can retry them later).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path

from .enrich import Pipeline, build_pipeline
from .errors import InputRejected
from .extract import extract
from .model import Article, RawItem, Reject
from .runners import make_runner
from .settings import Settings, load_settings
from .sources import Blob, expand_inputs, read_blob
from .store import Store, open_store

__all__ = ["IngestReport", "analyze_item", "ingest"]

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    inputs: int = 0
    stored: list[str] = field(default_factory=list)
    new_versions: int = 0
    unchanged: int = 0
    skipped: list[Reject] = field(default_factory=list)
    rejected: list[Reject] = field(default_factory=list)
    db: str = ""

    @property
    def ok(self) -> bool:
        return not self.rejected

    def summary(self) -> str:
        parts = [f"{len(self.stored)} stored"]
        if self.new_versions:
            parts[0] += f" ({self.new_versions} as new versions)"
        if self.unchanged:
            parts.append(f"{self.unchanged} already stored")
        if self.skipped:
            parts.append(f"{len(self.skipped)} duplicates skipped")
        parts.append(f"{len(self.rejected)} rejected")
        line = f"{self.inputs} inputs: " + ", ".join(parts) + f" in {self.db}"
        if self.rejected:
            line += f"; see `narrascope list --rejects --db {self.db}`"
        return line

    def to_dict(self) -> dict[str, object]:
        def reject(r: Reject) -> dict[str, object]:
            return {"location": r.location, "code": r.code, "reason": r.reason, "stage": r.stage}

        return {
            "db": self.db,
            "inputs": self.inputs,
            "stored": self.stored,
            "new_versions": self.new_versions,
            "unchanged": self.unchanged,
            "skipped": [reject(r) for r in self.skipped],
            "rejected": [reject(r) for r in self.rejected],
        }


@lru_cache(maxsize=4)
def _pipeline(settings: Settings) -> Pipeline:
    return build_pipeline(settings)


def analyze_item(item: RawItem, settings: Settings) -> Article | Reject:
    """Extract and enrich one item: pure computation, safe to run in a worker process."""
    try:
        article = extract(item, settings)
        return _pipeline(settings).run(article)
    except InputRejected as e:
        return Reject(location=item.location, code=e.code, reason=e.message, stage=e.stage,
                      source_kind=item.source_kind, item=item)
    except (RecursionError, LookupError, TypeError, ValueError, UnicodeError, AttributeError, IndexError) as e:
        # A bug or an input we did not foresee must cost this one item, never the batch.
        log.exception("internal error on %s", item.location)
        return Reject(location=item.location, code="NS901", reason=f"internal error: {type(e).__name__}: {e}",
                      stage="extract", source_kind=item.source_kind, item=item)


def ingest(
    paths: Iterable[str],
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    jobs: int = 1,
    progress: Callable[[int], Iterator[object]] | None = None,
    on_outcome: Callable[[str, str], None] | None = None,
) -> IngestReport:
    """Ingest files, folders or ``-`` (standard input) into the store at ``db``.

    ``progress`` wraps the list of input blobs (e.g. a progress bar); ``on_outcome(kind, text)``
    is told each outcome as it happens (kind: stored, unchanged, skipped, rejected).
    """
    settings = settings or load_settings()
    _pipeline(settings)  # unknown stage names fail before any input is read
    store = open_store(db, settings)
    report = IngestReport(db=str(store.path))
    notify = on_outcome or (lambda kind, text: None)
    try:
        blobs: list[Blob | Reject] = list(expand_inputs(paths, settings))
        wrapped = progress(len(blobs)) if progress else None

        def items() -> Iterator[RawItem | Reject]:
            for blob in blobs:
                if wrapped is not None:
                    next(wrapped, None)
                if isinstance(blob, Reject):
                    yield blob
                else:
                    yield from read_blob(blob, settings)

        seen_in_run: dict[str, str] = {}

        def fresh(stream: Iterable[RawItem | Reject]) -> Iterator[RawItem | Reject]:
            """Drop (and count) items whose bytes are stored already, before any extraction."""
            for thing in stream:
                report.inputs += 1
                if isinstance(thing, RawItem):
                    stored_at = store.article_location(thing.id) or seen_in_run.get(thing.id)
                    if stored_at == thing.location:
                        report.unchanged += 1
                        notify("unchanged", f"{thing.location}: already stored as {thing.id}")
                        continue
                    if stored_at is not None:
                        _skip(store, report, notify, Reject(
                            location=thing.location, code="NS301", stage="store", source_kind=thing.source_kind,
                            reason=f"duplicate: the same bytes are stored as {thing.id} (from {stored_at})"))
                        continue
                    seen_in_run[thing.id] = thing.location
                yield thing

        compute = partial(_analyze_or_pass, settings=settings)
        pending = 0
        store.conn.execute("BEGIN IMMEDIATE")
        try:
            for result in make_runner(jobs).map(compute, fresh(items())):
                if isinstance(result, Reject):
                    store.record_reject(result)
                    report.rejected.append(result)
                    notify("rejected", f"{result.location}: {result.code} {result.reason}")
                else:
                    _store_article(store, report, notify, result)
                pending += 1
                if pending >= settings.store.batch_size:
                    store.conn.execute("COMMIT")
                    store.conn.execute("BEGIN IMMEDIATE")
                    pending = 0
        except BaseException:
            if store.conn.in_transaction:  # a failed BEGIN leaves none, and ROLLBACK would hide the cause
                store.conn.execute("ROLLBACK")
            raise
        store.conn.execute("COMMIT")
        if wrapped is not None:
            for _ in wrapped:
                pass
    finally:
        store.close()
    return report


def _analyze_or_pass(thing: RawItem | Reject, *, settings: Settings) -> tuple[RawItem, Article] | Reject:
    if isinstance(thing, Reject):
        return thing
    result = analyze_item(thing, settings)
    return result if isinstance(result, Reject) else (thing, result)


def _skip(store: Store, report: IngestReport, notify: Callable[[str, str], None], reject: Reject) -> None:
    store.record_reject(reject, skipped=True)
    report.skipped.append(reject)
    notify("skipped", f"{reject.location}: {reject.code} {reject.reason}")


def _store_article(store: Store, report: IngestReport, notify: Callable[[str, str], None],
                   pair: tuple[RawItem, Article]) -> None:
    item, article = pair
    if article.url:
        previous = store.latest_for_url(article.url)
        if previous is not None and _same_text(previous[2], previous[3], article):
            _skip(store, report, notify, Reject(
                location=item.location, code="NS302", stage="store", source_kind=item.source_kind,
                reason=f"unchanged: {article.url} is stored as {previous[0]} with the same text"))
            return
    store.put_raw(item)
    store.add_article(article)
    store.clear_reject(article.id)
    report.stored.append(article.id)
    if article.version > 1:
        report.new_versions += 1
    notify("stored", f"{item.location}: stored as {article.id}"
           + (f" (version {article.version} of {article.url})" if article.version > 1 else ""))


def _same_text(title: str, text: str, article: Article) -> bool:
    return title == article.title and text == article.text
