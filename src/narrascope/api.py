"""The library API: every verb of the ``narrascope`` command is a function here, with keyword-only
options, returning data (the CLI only parses options, calls one of these and renders the result).

Articles: ``ingest``, ``ingest_bytes``, ``import_records``, ``reprocess``, ``analyze``,
``list_articles``, ``get_article``, ``search``, ``list_rejects``, ``export``, ``export_file``,
``export_table``, ``db_info``, ``list_stages``, ``current_settings``, ``defaults_file``, ``serve``.
Corpus analyses (update, then read): ``reuse``, ``reuse_clusters``, ``article_reuse``, ``narratives``,
``list_narratives``, ``narrative``, ``graph``, ``timelines``.
Models: ``evaluate_<model>`` (extraction, actors, quotes, events, techniques, stance, frames, topics,
genre) and ``train_<model>`` (actors, quotes, events, techniques, stance, frames, topics, genre).
Heavy modules (spaCy, the web server) are imported only when their function is called.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

from .errors import UsageError
from .ingest import IngestReport, ingest, ingest_bytes
from .model import Article, with_public_location
from .plugins import registry
from .reprocess import ReprocessReport, reprocess
from .settings import Settings, load_settings
from .store import Filters, SearchHit, Store, open_store

if TYPE_CHECKING:
    from .analysis.rerun import AnalyzeReport
    from .corpus.graph import ActorGraph
    from .importer import ImportReport

__all__ = [
    "Filters",
    "IngestReport",
    "ReprocessReport",
    "SearchHit",
    "analyze",
    "article_reuse",
    "current_settings",
    "db_info",
    "defaults_file",
    "evaluate_actors",
    "evaluate_events",
    "evaluate_extraction",
    "evaluate_frames",
    "evaluate_genre",
    "evaluate_quotes",
    "evaluate_stance",
    "evaluate_techniques",
    "evaluate_topics",
    "export",
    "export_file",
    "export_table",
    "get_article",
    "graph",
    "import_records",
    "ingest",
    "ingest_bytes",
    "list_articles",
    "list_narratives",
    "list_rejects",
    "list_stages",
    "narrative",
    "narratives",
    "reprocess",
    "reuse",
    "reuse_clusters",
    "reuse_pair",
    "search",
    "serve",
    "timelines",
    "train_actors",
    "train_events",
    "train_frames",
    "train_genre",
    "train_quotes",
    "train_stance",
    "train_techniques",
    "train_topics",
]


def list_articles(*, db: str | Path | None = None, filters: Filters | None = None, limit: int | None = None,
                  offset: int = 0, settings: Settings | None = None, order: str = "newest") -> list[Article]:
    """The selected articles, newest published first (undated last, ties in storage order);
    ``order="stored"`` gives storage order (see ``Store.iter_articles``)."""
    with open_store(db, settings or load_settings(), create=False) as store:
        return list(store.iter_articles(filters or Filters(), limit=limit, offset=offset, order=order))


def get_article(article_id: str, *, db: str | Path | None = None, settings: Settings | None = None) -> Article:
    """The latest version of one article (``article_id`` may be a prefix)."""
    with open_store(db, settings or load_settings(), create=False) as store:
        return store.get_article(article_id)


def search(query: str, *, db: str | Path | None = None, filters: Filters | None = None, limit: int = 20,
           offset: int = 0, settings: Settings | None = None, language: str | None = None) -> list[SearchHit]:
    """Full-text search over titles and bodies, best match first: each hit with its article,
    a snippet and its rank. Other forms of the words match too (after the words as typed):
    the query is stemmed in ``language`` (ISO 639-1; it selects no articles, ``filters`` do),
    else in the ``filters``' language, else in its guessed language (``Store.search``)."""
    with open_store(db, settings or load_settings(), create=False) as store:
        return store.search(query, filters or Filters(), limit=limit, offset=offset, language=language)


def list_rejects(*, db: str | Path | None = None, include_skipped: bool = True,
                 settings: Settings | None = None) -> list[dict[str, Any]]:
    """The rejected inputs (and the skipped ones, unless ``include_skipped`` is off): location,
    stage, code, reason."""
    with open_store(db, settings or load_settings(), create=False) as store:
        return list(store.iter_rejects(include_skipped=include_skipped))


def db_info(*, db: str | Path | None = None, settings: Settings | None = None) -> dict[str, Any]:
    """What the store holds: counts, schema version, size, rejects by code, pipeline versions, and
    where the settings came from."""
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
    from .corpus.table_writers import TABLE_FORMATS
    from .corpus.table_writers import export_table as write_table

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
    """Every installed per-article stage: name, version, requires, sets, the ``languages`` it runs
    on (None: every language; see ``analysis.languages``), and its place in the settings' pipeline
    (``position`` from 1, None when not in it); pipeline stages first."""
    settings = settings or load_settings()
    order = list(settings.pipeline.stages)
    rows = [
        {"name": stage.name, "version": stage.version, "requires": list(stage.requires), "sets": list(stage.sets),
         "languages": list(languages) if (languages := getattr(stage, "languages", None)) is not None else None,
         "position": order.index(name) + 1 if name in order else None}
        for name, stage in registry().stages.items()
    ]
    return sorted(rows, key=lambda r: (r["position"] is None, r["position"] or 0, r["name"]))


# -- corpus analyses: update, then read ------------------------------------------------------------

Progress = Callable[[int], Iterator[object]]


def reuse(*, db: str | Path | None = None, settings: Settings | None = None, full: bool = False, limit: int = 20,
          cluster: str | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Bring the reuse tables up to date (only the articles added since the last run, all with ``full``)
    and return the run's summary with ``top_clusters``: the ``limit`` largest clusters (``reuse_clusters``).

    ``cluster`` (default: the ``cluster.address`` setting; "" for none) fingerprints the articles and
    aligns the candidate pairs on a Dask cluster; this process reads and writes the store."""
    from .corpus.reading import reuse_clusters as read_clusters
    from .corpus.reuse import update_reuse
    from .runners import open_cluster

    settings = settings or load_settings()
    with open_store(db, settings) as store, open_cluster(
            settings.cluster.address if cluster is None else cluster,
            connect_seconds=settings.cluster.connect_seconds) as runner:
        summary = update_reuse(store, settings, full=full, progress=progress, runner=runner)
        return {**summary, "top_clusters": read_clusters(store, limit=limit)}


def reuse_clusters(*, db: str | Path | None = None, settings: Settings | None = None, limit: int | None = None,
                   members: int = 10) -> list[dict[str, Any]]:
    """The reuse clusters as stored, largest first: the original, then up to ``members`` others, each
    with the pair it came by and its first shared passage (read only; ``reuse`` updates them)."""
    from .corpus.reading import reuse_clusters as read_clusters

    with open_store(db, settings or load_settings(), create=False) as store:
        return read_clusters(store, limit=limit, members=members)


def article_reuse(article_id: str, *, db: str | Path | None = None, settings: Settings | None = None,
                  ) -> dict[str, Any]:
    """One article's reuse links (``article_id`` may be a prefix): its cluster, and every pair it is in
    with the other article and the shared passages' text."""
    from .corpus.reading import article_reuse as read_links

    with open_store(db, settings or load_settings(), create=False) as store:
        return read_links(store, store.resolve_id(article_id))


def reuse_pair(source: str, *, target: str, db: str | Path | None = None, settings: Settings | None = None,
               ) -> dict[str, Any]:
    """One reuse pair from ``source`` to ``target`` (ids or unique prefixes): the row, both articles
    with their languages, the passages and, for a translation, ``sentences``: the two texts
    sentence by sentence, each aligned pair with its similarity, unaligned sentences in order.
    A pair that does not exist is a ``UsageError``."""
    from .corpus.reading import pair_detail

    with open_store(db, settings or load_settings(), create=False) as store:
        source_id, target_id = store.resolve_id(source), store.resolve_id(target)
        detail = pair_detail(store, source_id, target_id)
    if detail is None:
        raise UsageError(f"no reuse pair from {source_id} to {target_id}: see `narrascope reuse show {source_id}`")
    return detail


def narratives(*, db: str | Path | None = None, settings: Settings | None = None, full: bool = False,
               seed: int | None = None, include_all: bool = False, limit: int | None = 30,
               cluster: str | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Bring the narratives up to date (the articles added since the last run, all with ``full``) and
    return the run's summary with ``list`` (``list_narratives``) and ``weeks``: the first and last
    week of any narrative's series ([None, None] when there is none).

    ``cluster`` (default: the ``cluster.address`` setting; "" for none) vectorises the articles and
    scores their claim sentences on a Dask cluster; this process clusters, and reads and writes the
    store."""
    from .corpus.narratives import update_narratives, week_span
    from .corpus.reading import list_narratives as read_list
    from .runners import open_cluster

    settings = settings or load_settings()
    with open_store(db, settings) as store, open_cluster(
            settings.cluster.address if cluster is None else cluster,
            connect_seconds=settings.cluster.connect_seconds) as runner:
        summary = update_narratives(store, settings, full=full, seed=seed, progress=progress, runner=runner)
        return {**summary, "list": read_list(store, include_all=include_all, limit=limit),
                "weeks": week_span(store)}


def list_narratives(*, db: str | Path | None = None, settings: Settings | None = None, include_all: bool = False,
                    limit: int | None = None) -> list[dict[str, Any]]:
    """The narratives as stored, biggest first (candidates and merged ones only with ``include_all``)."""
    from .corpus.reading import list_narratives as read_list

    with open_store(db, settings or load_settings(), create=False) as store:
        return read_list(store, include_all=include_all, limit=limit)


def narrative(narrative_id: int, *, db: str | Path | None = None, settings: Settings | None = None,
              members: int = 10) -> dict[str, Any]:
    """One narrative: its row, weekly series, events, and its ``members`` best-scored members with
    their evidence sentences. A missing narrative is a ``UsageError``."""
    from .corpus.reading import narrative_report

    with open_store(db, settings or load_settings(), create=False) as store:
        return narrative_report(store, narrative_id, members=members)


def graph(*, db: str | Path | None = None, settings: Settings | None = None, level: str = "actor",
          kinds: Sequence[str] | None = None, since: str | None = None, until: str | None = None,
          outlet: str | None = None, narrative: str | None = None, min_weight: float = 0.0, update: bool = True,
          full: bool = False, gexf: str | os.PathLike[str] | None = None, progress: Progress | None = None,
          ) -> tuple[dict[str, Any] | None, ActorGraph]:
    """The actor graph of the selected articles: brings the graph tables up to date first (unless
    ``update`` is off; all articles with ``full``), and writes the graph as GEXF 1.3 to ``gexf`` when
    given. Returns (the update's summary or None, the graph)."""
    from .corpus.graph import GraphFilters, update_and_build
    from .corpus.table_writers import write_graph_gexf

    filters = GraphFilters(since=since, until=until, outlet=outlet, narrative=narrative)
    with open_store(db, settings or load_settings()) as store:
        filters.where(store)  # a bad date or a missing narratives table fails before any work
        summary, built = update_and_build(store, store.settings, update=update, full=full, level=level, kinds=kinds,
                                          filters=filters, min_weight=min_weight, progress=progress)
    if gexf:
        with Path(gexf).open("wb") as stream:
            write_graph_gexf(built, stream)
    return summary, built


def timelines(*, db: str | Path | None = None, settings: Settings | None = None, by: str = "day",
              metrics: Sequence[str] | None = None, keys: Sequence[str] = (), outlet: str | None = None,
              by_outlet: bool = False, since: str | None = None, until: str | None = None, update: bool = True,
              full: bool = False, progress: Progress | None = None) -> dict[str, Any]:
    """Counts per day or week (``by``) of articles, actor mentions, quotes, events, techniques and
    narratives: brings the timeline table up to date first (unless ``update`` is off), then returns
    ``{"update": summary or None, "by": by, "rows": [...], "undated": articles without a date}``."""
    from .corpus.timelines import TimelineAnalysis, timeline, undated_articles

    with open_store(db, settings or load_settings()) as store:
        timeline(store, by=by, metrics=metrics, since=since, until=until)  # bad options fail before any work
        summary = TimelineAnalysis().update(store, store.settings, full=full, progress=progress) if update else None
        rows = timeline(store, by=by, metrics=metrics, keys=keys, outlet=outlet, since=since, until=until,
                        by_outlet=by_outlet)
        return {"update": summary, "by": by, "rows": rows, "undated": undated_articles(store)}


# -- articles: import, re-analysis, settings, the web server ---------------------------------------

def import_records(source: str | os.PathLike[str] | TextIO, *, db: str | Path | None = None,
                   settings: Settings | None = None) -> ImportReport:
    """Store every record of a JSONL export (a path or a text stream) as it is: nothing is re-extracted;
    records already stored are left alone; a bad line is rejected (NS107) and the rest imported."""
    from .importer import import_records as run

    return run(source, db=db, settings=settings)


def analyze(*, db: str | Path | None = None, settings: Settings | None = None, ids: Sequence[str] = (),
            stages: Sequence[str] | None = None, force: bool = False, jobs: int = 1,
            cluster: str | None = None, progress: Progress | None = None) -> AnalyzeReport:
    """Re-run the analysis ``stages`` (default: the settings' pipeline) on stored articles ``ids``
    (default: every article whose stage versions are not the current ones), from the stored record.
    ``cluster`` (default: the ``cluster.address`` setting; "" for none) computes on a Dask cluster."""
    from .analysis.rerun import analyze as run

    return run(db=db, settings=settings, ids=ids, stages=stages, force=force, jobs=jobs, cluster=cluster,
               progress=progress)


def current_settings(*, settings: Settings | None = None) -> dict[str, Any]:
    """The settings in force as a JSON-ready dict (``settings``, else the defaults and NARRASCOPE_CONFIG)."""
    from dataclasses import asdict

    return asdict(settings or load_settings())


def defaults_file() -> str:
    """The commented defaults file (TOML): a template for your own settings."""
    from .settings import defaults_text

    return defaults_text()


def serve(*, db: str | Path, host: str = "127.0.0.1", port: int = 8000, write_token: str | None = None,
          allow_hosts: Sequence[str] = (), settings: Settings | None = None,
          on_start: Callable[[], object] | None = None) -> None:
    """Serve the web workbench over ``db`` (opened read-only) until interrupted.

    ``write_token`` (16+ characters) opens the ingest page and POST /api/ingest; without it the
    server is read-only. Hosts other than the local ones must be named in ``allow_hosts`` (a
    wildcard ``host`` answers any). ``on_start`` is called once the app is built, just before serving.
    Needs the web extras (a ``UsageError`` says so when they are missing).
    """
    from .web import serve as run

    run(db, host=host, port=port, write_token=write_token, allow_hosts=allow_hosts, settings=settings,
        on_start=on_start)


# -- models: measure on gold sets, retrain ---------------------------------------------------------
# Each takes the gold data's path first and keyword-only options, and returns a report (``.to_dict()``,
# ``.format()``) or the model written. ``settings`` gives the floors in force (default: the settings').

Say = Callable[[str], None]


def evaluate_extraction(folder: str | Path, *, limit: int | None = None, settings: Settings | None = None,
                        progress: Progress | None = None) -> Any:
    """Score HTML extraction (narrascope, trafilatura, trafilatura without comments) on an
    article-extraction-benchmark or WCXB folder, with the metadata figures on WCXB."""
    from .evaluate.extraction import evaluate_extraction as run

    return run(folder, limit=limit, settings=settings, progress=progress)


def evaluate_actors(path: str | Path, *, texts: str | Path | None = None, limit: int | None = None,
                    actors_files: Sequence[str] = (), split: str = "heldout", settings: Settings | None = None,
                    progress: Progress | None = None) -> Any:
    """Score actor resolution on PLOVER records (state linking) or a seeds.json-shaped gold file, at the
    floor in force; ``actors_files`` default to the settings' ``analysis.actors_files``."""
    from .evaluate.actors import evaluate_actors as run

    if not actors_files:
        actors_files = tuple(settings.analysis.actors_files) if settings is not None else ()
    floor = float(settings.analysis.min_confidence.actors) if settings is not None else None
    return run(path, texts=texts, limit=limit, actors_files=tuple(actors_files), split=split, floor=floor,
               settings=settings, progress=progress)


def evaluate_quotes(folder: str | Path, *, split: str = "heldout", limit: int | None = None, jobs: int = 2,
                    settings: Settings | None = None, progress: Progress | None = None) -> Any:
    """Score quote attribution on brat standoff gold (PolNeAR layout) at the floor in force."""
    from .evaluate.quotes import evaluate_quotes as run

    settings = settings or load_settings()
    return run(folder, limit=limit, n_process=jobs, split=split, floor=float(settings.analysis.min_confidence.quotes),
               progress=progress)


def evaluate_events(path: str | Path, *, split: str = "heldout", floor: float | None = None, limit: int | None = None,
                    judged: str | Path | None = None, with_judged: bool = True, settings: Settings | None = None,
                    progress: Progress | None = None) -> tuple[Any, Any]:
    """Score event coding on the PLOVER records (``path``: the shared data folder or the records file)
    and, when their articles are there and ``with_judged``, on the judged real articles. Returns
    (the PLOVER report, the judged report or None)."""
    from .analysis.events_train import data_paths
    from .evaluate.events import evaluate_events as run
    from .evaluate.events import evaluate_judged

    records_file, data_dir = data_paths(path)
    if not records_file.is_file():
        raise UsageError(f"{path}: no PLOVER records file (plover-gsr/records.json)")
    floors = (settings or load_settings()).analysis.min_confidence
    floor = float(floors.events) if floor is None else floor
    actors_floor, quotes_floor = float(floors.actors), float(floors.quotes)
    report = run(records_file, limit=limit, split=split, floor=floor, actors_floor=actors_floor, progress=progress)
    judged_report = None
    if with_judged and all((data_dir / corpus).is_dir() for corpus in ("polnear", "ptc", "ntrex")):
        judged_report = evaluate_judged(data_dir, split=split, floor=floor, actors_floor=actors_floor,
                                        quotes_floor=quotes_floor, judged=judged)
    return report, judged_report


def evaluate_techniques(folder: str | Path, *, limit: int | None = None, split: str = "heldout",
                        cv: int | None = None, min_confidence: float | None = None, model_path: str | None = None,
                        rules: bool = True, reports: Sequence[str | Path] = (), settings: Settings | None = None,
                        adjudication: str | Path | None = None, progress: Progress | None = None,
                        say: Say | None = None) -> Any:
    """Score persuasion-technique spans on PTC-layout gold at ``min_confidence`` (default: the floor in
    force), or K-fold cross-validated with ``cv``; ``reports``: folders of news pages whose technique
    density is set beside PTC's; ``adjudication``: readers' verdicts on the kept spans the gold does
    not confirm (not with ``cv``)."""
    from .evaluate.techniques import cross_validate_techniques, report_density
    from .evaluate.techniques import evaluate_techniques as run

    settings = settings or load_settings()
    if min_confidence is None:
        min_confidence = settings.analysis.min_confidence.techniques
    if model_path is None:
        model_path = settings.analysis.techniques_model or ""
    if cv is not None and adjudication:
        raise UsageError("an adjudication judges the shipped model's spans on PTC's held-out split: not with cv")
    if cv is not None:
        report = cross_validate_techniques(folder, folds=cv, limit=limit, min_confidence=min_confidence, say=say)
    else:
        report = run(folder, limit=limit, split=split, min_confidence=min_confidence, model_path=model_path,
                     rules=rules, adjudication=adjudication, progress=progress)
    if reports and report.density is not None:
        report_density(report.density, reports, settings=settings, model_path=model_path)
    return report


def evaluate_stance(path: str, *, split: str = "heldout", model_path: str | None = None,
                    encoder_path: str | None = None, use_encoder: bool = True, limit: int | None = None,
                    settings: Settings | None = None, say: Say | None = None) -> Any:
    """Score target-dependent stance on NewsMTSC-format gold at the floor in force."""
    from .evaluate.stance import evaluate_stance as run

    floor = float(settings.analysis.min_confidence.stances) if settings is not None else None
    return run(path, split=split, floor=floor, model_path=model_path or "", encoder_path=encoder_path or "",
               use_encoder=use_encoder, limit=limit, progress=say)


def _labelled(samples: Sequence[str], data: str | Path, settings: Settings | None,
              progress: Progress | None = None) -> list[Any]:
    from .evaluate.labels import read_label_sample

    # In the order of their paths, whatever the order given: the same files always make the same model.
    return [a for sample in _sample_order(samples)
            for a in read_label_sample(sample, data, settings=settings, progress=progress)]


def _sample_order(samples: Sequence[str]) -> list[str]:
    """Label samples once each (``a.jsonl`` and ``./a.jsonl`` are one), in the order of their paths."""
    once = {str(Path(s).resolve()): s for s in samples}
    return [once[key] for key in sorted(once)]


def _evaluate_labels(field_name: str, samples: Sequence[str], data: str | Path, folds: int,
                     settings: Settings | None, progress: Progress | None) -> Any:
    from .evaluate.labels import evaluate_labels

    settings = settings or load_settings()
    articles = _labelled(samples, data, settings, progress)
    floor = float(getattr(settings.analysis.min_confidence, field_name))
    return evaluate_labels(field_name, articles, floor=floor, folds=folds)


def evaluate_frames(samples: Sequence[str], *, data: str | Path = "../shared/data", folds: int = 5,
                    settings: Settings | None = None, progress: Progress | None = None) -> Any:
    """Score frames against hand-labelled articles (JSONL ``samples`` naming pages under ``data``),
    cross-validated over ``folds``."""
    return _evaluate_labels("frames", samples, data, folds, settings, progress)


def evaluate_topics(samples: Sequence[str], *, data: str | Path = "../shared/data", folds: int = 5,
                    settings: Settings | None = None, progress: Progress | None = None) -> Any:
    """Score topics against hand-labelled articles, cross-validated (as ``evaluate_frames``)."""
    return _evaluate_labels("topics", samples, data, folds, settings, progress)


def evaluate_genre(sample: str | Path, *, data: str | Path = "../shared/data", split: str = "heldout",
                   floor: float | None = None, model_path: str | None = None, settings: Settings | None = None,
                   progress: Progress | None = None) -> Any:
    """Score the genre on a labelled TSV sample of pages, with the URL visible, hidden, and text only."""
    from .evaluate.genre import evaluate_genre as run

    return run(sample, data=data, split=split, floor=floor, settings=settings, model_path=model_path or "",
               progress=progress)


def train_actors(path: str | Path, *, output: str | Path | None = None, check: str | Path | None = None,
                 say: Say | None = None) -> Any:
    """Fit the actor mentions' confidence model on PLOVER records (training split) and the check file."""
    from .analysis.actors_train import train_actors as run

    return run(path, output=output, check=check, echo=say)


def train_quotes(folder: str | Path, *, output: str | Path | None = None, jobs: int = 1,
                 say: Say | None = None) -> Any:
    """Fit the quotes' confidence model on brat attribution gold (PolNeAR layout), training split."""
    from .analysis.quotes_train import train_quotes as run

    return run(folder, output=output, n_process=jobs, echo=say or (lambda line: None))


def train_events(path: str | Path, *, judged: str | Path | None = None, output: str | Path | None = None,
                 settings: Settings | None = None, say: Say | None = None) -> Any:
    """Fit the PLOVER events' confidence model on gold records and judged real articles (training splits)."""
    from .analysis.events_train import train_events as run

    floors = settings.analysis.min_confidence if settings is not None else None
    return run(path, judged=judged, output=output, actors_floor=float(floors.actors) if floors is not None else None,
               quotes_floor=float(floors.quotes) if floors is not None else None, echo=say)


def train_techniques(folder: str | Path, *, output: str | Path | None = None, all_articles: bool = False,
                     limit: int | None = None, jobs: int = 1, settings: Settings | None = None,
                     progress: Say | None = None, encoder: bool = False, epochs: int = 5) -> dict[str, Any]:
    """Train the persuasion-techniques model and its confidence on PTC-layout data (the training
    split, or every article with ``all_articles``), write it to ``output`` (default: the shipped
    file), and score the held-out split at the floor in force. Returns the model card with
    ``file``, and ``metrics`` (the held-out figures, None with ``all_articles``).

    The technique tagger (``techniques_encoder.onnx``) lies beside the model: ``encoder`` fine-tunes
    it first (``epochs``; needs the training extra, and always on the training split); without it the
    model runs the tagger already there, or a copy of the shipped one."""
    from .analysis.ptc import read_ptc
    from .analysis.technique_encoder import ENCODER_PATH, place_tagger
    from .analysis.techniques import MODEL_PATH
    from .analysis.train import save_model
    from .analysis.train import train_techniques as run
    from .evaluate.techniques import evaluate_techniques as score

    settings = settings or load_settings()
    floor = settings.analysis.min_confidence.techniques
    out = Path(output) if output else MODEL_PATH
    step = progress or (lambda message: None)
    tagger = out.parent / ENCODER_PATH.name
    if encoder:
        from .analysis.technique_encoder_train import train_technique_encoder

        train_technique_encoder(read_ptc(folder, split="train", limit=limit), output=tagger, epochs=epochs,
                                progress=step)
    else:
        place_tagger(tagger)
    model, _articles, _docs = run(folder, split="all" if all_articles else "train", limit=limit, progress=step,
                                  n_process=jobs, encoder=tagger if tagger.is_file() else "")
    metrics = None
    save_model(model, out)
    if not all_articles:
        heldout = read_ptc(folder, split="heldout")
        if heldout:
            step("scoring the held-out split")
            d = score(folder, articles=heldout, model_path=str(out), min_confidence=floor).to_dict()
            metrics = {"split": "heldout", "articles": d["articles"], "gold_spans": d["gold_spans"],
                       "floor": floor, "predicted_spans": d["predicted_spans"], "span": d["span"],
                       "technique": d["technique"], "weak_spans": d["weak_spans"],
                       "calibration": {k: d["calibration"][k] for k in ("kept", "precision_at_floor", "ece",
                                                                         "suggested_floor")},
                       "per_technique": {k: {m: v[m] for m in ("precision", "recall", "f1", "gold")}
                                         for k, v in d["per_technique"].items()}}
            save_model(model, out, metrics=metrics)
    return {"card": model.meta | {"file": str(out)}, "metrics": metrics, "floor": floor}


def train_stance(folder: str | Path, *, output: str | Path | None = None, c: float = 0.3, encoder: bool = False,
                 epochs: int = 4, say: Say | None = None) -> dict[str, Any]:
    """Rebuild the stance feature model (and with ``encoder`` the fine-tuned encoder, which needs the
    training extra) from NewsMTSC's training split. Returns ``{"features": meta, "encoder": info or None}``."""
    from .analysis.stance_train import train_stance as run

    meta = run(folder, output=output, c=c, progress=say)
    info = None
    if encoder:
        from .analysis.stance_encoder_train import train_encoder

        target = Path(output).with_name("stance_encoder.onnx") if output else None
        info = train_encoder(folder, output=target, epochs=epochs, progress=say)
    return {"features": meta, "encoder": info}


def _train_labels(field_name: str, samples: Sequence[str], data: str | Path, output: str | Path | None,
                  say: Say | None, settings: Settings | None) -> tuple[Any, Path]:
    from .analysis.confidence import MODELS
    from .evaluate.labels import fit_labels

    ordered = _sample_order(samples)
    articles = _labelled(ordered, data, settings)
    if say is not None:
        say(f"{len(articles)} labelled articles read from {', '.join(ordered)}")
    model = fit_labels(field_name, articles, source=", ".join(Path(s).name for s in ordered))
    target = Path(output) if output else MODELS / f"{field_name}.confidence.json"
    model.save(target)
    return model, target


def train_frames(samples: Sequence[str], *, data: str | Path = "../shared/data", output: str | Path | None = None,
                 settings: Settings | None = None, say: Say | None = None) -> tuple[Any, Path]:
    """Fit the frames' confidence model on hand-labelled articles; returns (the model, where it was written)."""
    return _train_labels("frames", samples, data, output, say, settings)


def train_topics(samples: Sequence[str], *, data: str | Path = "../shared/data", output: str | Path | None = None,
                 settings: Settings | None = None, say: Say | None = None) -> tuple[Any, Path]:
    """Fit the topics' confidence model on hand-labelled articles; returns (the model, where it was written)."""
    return _train_labels("topics", samples, data, output, say, settings)


def train_genre(sample: str | Path, *, data: str | Path = "../shared/data", output: str | Path | None = None,
                settings: Settings | None = None, say: Say | None = None) -> Any:
    """Fit the genre confidence on the training split of a labelled genre sample."""
    from .evaluate.genre import train_genre as run

    return run(sample, data=data, output=output, settings=settings, echo=say or print)
