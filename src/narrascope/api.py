"""The library API behind every CLI verb (and, later, the web API): plain functions over a store."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from .errors import UsageError
from .ingest import IngestReport, ingest, ingest_bytes
from .model import Article, with_public_location
from .plugins import registry
from .reprocess import ReprocessReport, reprocess
from .settings import Settings, load_settings
from .store import Filters, SearchHit, Store, open_store

__all__ = [
    "Filters",
    "IngestReport",
    "ReprocessReport",
    "SearchHit",
    "db_info",
    "export",
    "export_file",
    "export_table",
    "get_article",
    "ingest",
    "ingest_bytes",
    "list_articles",
    "list_rejects",
    "list_stages",
    "reprocess",
    "search",
]


def list_articles(*, db: str | Path | None = None, filters: Filters | None = None, limit: int | None = None,
                  offset: int = 0, settings: Settings | None = None, order: str = "newest") -> list[Article]:
    """The selected articles, newest published first (undated last, ties in storage order);
    ``order="stored"`` gives storage order (see ``Store.iter_articles``)."""
    with open_store(db, settings or load_settings(), create=False) as store:
        return list(store.iter_articles(filters or Filters(), limit=limit, offset=offset, order=order))


def get_article(article_id: str, *, db: str | Path | None = None, settings: Settings | None = None) -> Article:
    with open_store(db, settings or load_settings(), create=False) as store:
        return store.get_article(article_id)


def search(query: str, *, db: str | Path | None = None, filters: Filters | None = None, limit: int = 20,
           offset: int = 0, settings: Settings | None = None) -> list[SearchHit]:
    with open_store(db, settings or load_settings(), create=False) as store:
        return store.search(query, filters or Filters(), limit=limit, offset=offset)


def list_rejects(*, db: str | Path | None = None, include_skipped: bool = True,
                 settings: Settings | None = None) -> list[dict[str, Any]]:
    with open_store(db, settings or load_settings(), create=False) as store:
        return list(store.iter_rejects(include_skipped=include_skipped))


def db_info(*, db: str | Path | None = None, settings: Settings | None = None) -> dict[str, Any]:
    settings = settings or load_settings()
    with open_store(db, settings, create=False) as store:
        info = store.info()
    info["settings"] = settings.source
    return info


def export(stream: TextIO, *, format: str = "jsonl", db: str | Path | None = None, filters: Filters | None = None,
           settings: Settings | None = None, store: Store | None = None, raw: bool = False,
           public_locations: bool = False) -> int:
    """Write the selected articles to ``stream`` in ``format``; return how many.

    ``store``: an open store to read (e.g. the web server's read-only one) instead of ``db``.
    ``raw``: CSV cells a spreadsheet would run as formulas (``=``, ``+``, ``-``, ``@``...) are
    written as stored rather than neutralised with a leading single quote (other formats: no effect).
    ``public_locations``: each ``source.location`` is reduced to its file name, as the web API
    shows it (``model.public_location``), so no server path leaves the machine; the web's
    downloads set it, the CLI keeps full paths.
    """
    exporter = _exporter(format)
    if store is not None:
        return _write_articles(exporter, store, filters, stream, raw=raw, public_locations=public_locations)
    with open_store(db, settings or load_settings(), create=False) as opened:
        return _write_articles(exporter, opened, filters, stream, raw=raw, public_locations=public_locations)


def _write_articles(exporter: Any, store: Store, filters: Filters | None, stream: TextIO, *, raw: bool,
                    public_locations: bool) -> int:
    articles: Iterator[Article] = store.iter_articles(filters or Filters())
    if public_locations:
        articles = map(with_public_location, articles)
    options: dict[str, Any] = {"raw": raw} if getattr(exporter, "takes_raw", False) else {}
    if getattr(exporter, "uses_store", False):  # stix: narratives and ingest days come from the store
        return int(exporter.write(articles, stream, store=store, **options))
    return int(exporter.write(articles, stream, **options))


def export_file(path: str | os.PathLike[str], *, format: str = "jsonl", db: str | Path | None = None,
                filters: Filters | None = None, settings: Settings | None = None, raw: bool = False) -> int:
    """Export to the file ``path``, replacing it only on success; return how many articles.

    The records go to a temporary file in the same folder, renamed over ``path`` when complete,
    so an error (or an interruption) never leaves a truncated or half-written file behind.
    """
    _exporter(format)  # an unknown format fails before any file is touched

    def write(temporary: str) -> int:
        with open(temporary, "w", encoding="utf-8", newline="") as stream:
            return export(stream, format=format, db=db, filters=filters, settings=settings, raw=raw)

    return _replace_file(Path(path), write)


def export_table(name: str, out: str | os.PathLike[str] | TextIO | BinaryIO, *, format: str = "jsonl",
                 db: str | Path | None = None, settings: Settings | None = None, refresh: bool = True,
                 store: Store | None = None, raw: bool = False) -> int:
    """Export the derived table ``name`` (``reuse_pairs``, ``graph_edges``... or ``graph`` for GEXF).

    ``out`` is a stream, or a path written through a temporary file and renamed on success.
    With ``refresh`` (the default, the CLI's behaviour) the analysis that owns the table is
    brought up to date first (incrementally), which writes to the store; with ``refresh=False``
    the table is exported as stored (see ``derived_state`` for when it was computed), which only
    reads, e.g. from a read-only ``store`` such as the web server's. Returns the rows written
    (for GEXF, the edges). ``raw``: CSV cells that look like formulas are not neutralised (see ``export``).
    """
    from .corpus import table_spec
    from .corpus.export import TABLE_FORMATS
    from .corpus.export import export_table as write_table

    if format not in TABLE_FORMATS:
        raise UsageError(f"unknown table format {format!r}; formats: {', '.join(TABLE_FORMATS)}")
    settings = settings or load_settings()
    analysis, _spec = table_spec("graph_edges" if name == "graph" else name)  # an unknown name fails first

    def run(opened: Store) -> int:
        if refresh:
            # Bring the table up to date first: the CLI never exports a derived table stale.
            analysis.update(opened, settings)
        if not isinstance(out, str | os.PathLike):
            return write_table(opened, name, format, out, raw=raw)
        return _replace_file(Path(out), lambda temporary: write_table(opened, name, format, temporary, raw=raw))

    if store is not None:
        return run(store)
    with open_store(db, settings, create=False) as opened:
        return run(opened)


def _replace_file(target: Path, write: Callable[[str], int]) -> int:
    """Run ``write`` on a temporary file beside ``target`` and rename it over ``target`` on success.

    An error (or an interruption) never leaves a truncated or half-written ``target`` behind; the
    result keeps the permissions of the file it replaces. Returns what ``write`` returns.
    """
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    try:
        count = write(temporary)
        os.chmod(temporary, _mode_for(target))
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise
    return count


def _mode_for(target: Path) -> int:
    """The permissions the exported file should have: those of the file it replaces, else the umask's."""
    if target.exists():
        return target.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _exporter(format: str) -> Any:
    exporters = registry().exporters
    if format not in exporters:
        hint = "; parquet and gexf are for derived tables (--table NAME)" if format in ("parquet", "gexf") else ""
        raise UsageError(f"unknown export format {format!r} for articles; available: {', '.join(sorted(exporters))}"
                         + hint)
    return exporters[format]


def list_stages(*, settings: Settings | None = None) -> list[dict[str, Any]]:
    """Every installed per-article stage: name, version, requires, sets, and its place in the
    settings' pipeline (``position`` from 1, None when not in it); pipeline stages first."""
    settings = settings or load_settings()
    order = list(settings.pipeline.stages)
    rows = [
        {"name": stage.name, "version": stage.version, "requires": list(stage.requires), "sets": list(stage.sets),
         "position": order.index(name) + 1 if name in order else None}
        for name, stage in registry().stages.items()
    ]
    return sorted(rows, key=lambda r: (r["position"] is None, r["position"] or 0, r["name"]))
