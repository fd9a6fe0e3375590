"""The article verbs: ingest, list, show, search, export, reprocess, import, db info, stages, settings."""

from __future__ import annotations

import json
import sys
import textwrap
from typing import Any, TextIO

import click

from .. import api
from ..analysis.render import render_analysis
from ..model import Article
from .common import (
    EXIT_REJECTS,
    Context,
    check_columns,
    cluster_option,
    current_settings,
    db_option,
    emit_json,
    filter_options,
    json_option,
    make_filters,
    pass_ctx,
    terminal_text,
)
from .progress import ItemProgress, PlainProgress, progress_bar
from .root import cli


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@db_option
@json_option
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes for extraction.")
@cluster_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary line.")
@click.option("--verbose", "-v", is_flag=True, help="One line per input with its outcome.")
@click.option("--columns", metavar="FIELD=COLUMN,...", default=None, callback=check_columns,
              help="CSV/TSV tables: the column of each article field, e.g. text=body_text,title=headline"
                   " (fields: text title subtitle url published authors outlet tags language; FIELD= leaves"
                   " one unread). Other fields are found by their usual column names.")
@pass_ctx
def ingest(obj: Context, paths: tuple[str, ...], db: str, as_json: bool, jobs: int, cluster: str | None,
           quiet: bool, verbose: bool, columns: str | None) -> None:
    """Read articles from files, folders or - (standard input) into the store.

    Formats are detected from content: plain text and Markdown scrapes, HTML pages, RSS/Atom feeds,
    WARC(.gz) archives, JSONL (one article per line) and CSV/TSV tables (one article per row); any of
    them gzipped; folders recursively.
    Re-running is safe: stored bytes are never stored twice, and a changed copy of a stored URL
    becomes a new version. Bad inputs are recorded with a code (see `narrascope list --rejects`)
    and the exit status is 3 if any new input was rejected; rejects recorded before (same
    location, bytes and reason) are counted as known rejects and keep the exit status 0.

    \b
    Example:
      narrascope ingest examples/seeds --db demo.db
      cat page.html | narrascope ingest - --db demo.db
      narrascope ingest news.csv --columns text=body_text,title=headline
      narrascope ingest archive/ --cluster local:2
    """
    bar: ItemProgress | PlainProgress | None = None
    if not quiet and not as_json:
        interval = obj.settings.input.progress_seconds
        if sys.stderr.isatty():
            bar = ItemProgress("ingest")
        elif interval > 0:
            bar = PlainProgress("ingest", interval)

    def outcome(kind: str, text: str) -> None:
        if bar is not None:
            bar(kind, text)
        if verbose and not as_json:
            click.echo(f"{kind:9} {text}", err=True)

    try:
        report = api.ingest(paths, db=db, settings=obj.settings, jobs=jobs, on_outcome=outcome, columns=columns,
                            cluster=cluster)
    finally:
        if bar is not None:
            bar.close()
    if as_json:
        emit_json(report.to_dict())
    else:
        if not verbose:
            for reject in report.new_rejects:
                click.echo(terminal_text(f"rejected  {reject.location}: {reject.code} {reject.reason}", one_line=True),
                           err=True)
        if not quiet:
            click.echo(report.summary(), err=True)
    if not report.ok:
        sys.exit(EXIT_REJECTS)


def article_line(article: Article) -> str:
    """One line of ``list`` and ``search``: id, date, outlet, title (control characters escaped)."""
    date = terminal_text(article.published or "----------", one_line=True)
    outlet = terminal_text((article.outlet or "?")[:20], one_line=True)
    return f"{article.id}  {date}  {outlet:20}  {terminal_text(article.title[:80], one_line=True)}"


@cli.command("list")
@db_option
@json_option
@filter_options
@click.option("--rejects", is_flag=True, help="List rejected and skipped inputs instead of articles.")
@click.option("--limit", type=click.IntRange(1), default=None, help="At most this many.")
@click.option("--offset", type=click.IntRange(0), default=0, help="Skip this many first.")
@pass_ctx
def list_command(obj: Context, db: str, as_json: bool, rejects: bool, limit: int | None, offset: int,
                 **filters: Any) -> None:
    """List stored articles (id, date, outlet, title), newest first (undated last), or the rejected inputs.

    \b
    Example:
      narrascope list --outlet "The Moscow Times" --since 2017-01-01
      narrascope list --state RUS --technique Loaded_Language
      narrascope list --rejects
    """
    if rejects:
        rows = api.list_rejects(db=db, settings=obj.settings)
        if as_json:
            emit_json(rows)
            return
        for row in rows:
            status = "skipped " if row["skipped"] else "rejected"
            click.echo(terminal_text(f"{status}  {row['code']}  {row['stage']:8} {row['location']}: {row['reason']}",
                                     one_line=True))
        if not rows:
            click.echo("no rejects", err=True)
        return
    articles = api.list_articles(db=db, filters=make_filters(**filters), limit=limit, offset=offset,
                                 settings=obj.settings)
    if as_json:
        emit_json([{k: a.to_record()[k] for k in ("id", "published", "outlet", "title", "url", "authors", "genre",
                                                   "language", "version")} for a in articles])
        return
    for article in articles:
        click.echo(article_line(article))


def render_article(article: Article, *, full_text: bool) -> str:
    lines = [article.title or "(untitled)", "=" * min(len(article.title or "(untitled)"), 100)]
    if article.subtitle:
        lines.append(article.subtitle)
    lines.append("")
    facts = [
        ("id", article.id),
        ("authors", ", ".join(article.authors) or None),
        ("published", article.published),
        ("outlet", article.outlet),
        ("republished from", article.republished_from),
        ("url", article.url),
        ("tags", ", ".join(article.tags) or None),
        ("genre", f"{article.genre}"
         + (f" c {article.genre_confidence:.2f}" if article.genre_confidence is not None else "")
         + (f"  ({'; '.join(article.genre_evidence[:2])})" if article.genre_evidence else "")),
        ("language", article.language),
        ("source", f"{article.source['kind']}: {article.source['location']}"),
        ("version", f"{article.version}" + (f" (supersedes {article.supersedes})" if article.supersedes else "")),
        ("pipeline", f"{article.pipeline.get('version')} "
                     + ", ".join(f"{k}={v}" for k, v in article.pipeline.get("stages", {}).items())),
    ]
    lines += [f"{name + ':':18}{value}" for name, value in facts if value]
    for bio in article.author_bios:
        lines.append(f"{'author bio:':18}{bio}")
    words = len(article.text.split())
    lines += ["", f"--- text ({words} words, {len(article.text)} characters) ---"]
    paragraphs = article.text.split("\n\n")
    shown = paragraphs if full_text else paragraphs[:2]
    for paragraph in shown:
        lines += textwrap.wrap(paragraph, 100) + [""]
    if not full_text and len(paragraphs) > 2:
        lines.append(f"[... {len(paragraphs) - 2} more paragraphs; --full to show all]")
        lines.append("")
    if article.removed:
        lines.append(f"--- removed ({len(article.removed)}) ---")
        for item in article.removed:
            kind = item.kind + (f"/{item.label}" if item.label else "")
            lines.append(f"  [{kind}] {textwrap.shorten(item.text, 110)}")
    analysis = render_analysis(article, full=full_text)
    if analysis:
        lines += ["", "--- analysis (offsets [start:end] into the text) ---", *analysis]
    if article.extensions:
        lines += ["", "--- extensions (fields of plugin stages) ---"]
        for namespace, value in sorted(article.extensions.items()):
            text = json.dumps(value, ensure_ascii=False, sort_keys=True)
            lines.append(f"  {namespace}: {text if full_text else textwrap.shorten(text, 200)}")
    return "\n".join(lines)


@cli.command()
@click.argument("ids", nargs=-1)
@db_option
@json_option
@click.option("--all", "show_all", is_flag=True, help="Show every (latest) article.")
@click.option("--full", is_flag=True, help="Print the whole text and every analysis item, not the first ones.")
@pass_ctx
def show(obj: Context, ids: tuple[str, ...], db: str, as_json: bool, show_all: bool, full: bool) -> None:
    """Show articles readably: metadata, text, what was removed, and the analysis with its evidence.

    IDs may be prefixes. The analysis lists actors (with the words that name them), quotes
    (speaker, role, anonymous or not), events, persuasion techniques, frames, stances and topics,
    each with its character offsets into the text.

    \b
    Example:
      narrascope show 3d12 --full
      narrascope show --all --db demo.db
    """
    if not ids and not show_all:
        raise click.UsageError("give one or more article ids, or --all")
    settings = obj.settings
    articles = (api.list_articles(db=db, settings=settings) if show_all
                else [api.get_article(i, db=db, settings=settings) for i in ids])
    if as_json:
        emit_json([a.to_record() for a in articles])
        return
    click.echo(terminal_text("\n\n".join(render_article(a, full_text=full) for a in articles)))


@cli.command()
@click.argument("query")
@db_option
@json_option
@filter_options
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True, help="At most this many hits.")
@click.option("--offset", type=click.IntRange(0), default=0, help="Skip this many first.")
@pass_ctx
def search(obj: Context, query: str, db: str, as_json: bool, limit: int, offset: int, **filters: Any) -> None:
    """Full-text search over titles and bodies, best match first.

    QUERY: words (all must match), "exact phrases", OR, NOT, prefix*, (groups), title:word.
    Terms such as COVID-19, U.S. or Xi's are searched as the words they hold. Articles with the
    words as typed come first, then those with other forms of them (Лавров finds Лаврова,
    Regierung finds Regierungen; Chinese and Japanese need no spaces). The query is read in the
    --language given (which also keeps only articles in it), else in its guessed language.

    \b
    Example:
      narrascope search '"fire and fury" OR Pyongyang' --since 2017-01-01
      narrascope search sanctions --actor person:sergey-lavrov --topic diplomacy
      narrascope search Kyiv --narrative 3
      narrascope search Лавров --language ru
    """
    hits = api.search(query, db=db, filters=make_filters(**filters), limit=limit, offset=offset,
                      settings=obj.settings)
    if as_json:
        emit_json([{"id": h.article.id, "title": h.article.title, "published": h.article.published,
                    "outlet": h.article.outlet, "snippet": h.snippet, "rank": h.rank} for h in hits])
        return
    for hit in hits:
        click.echo(article_line(hit.article))
        click.echo("    " + terminal_text(" ".join(hit.snippet.split()), one_line=True))
    if not hits:
        click.echo("no matches", err=True)


@cli.command()
@db_option
@filter_options
@click.option("--format", "fmt", default="jsonl", show_default=True,
              help="Articles: jsonl (full records), csv (flat fields) or stix (a STIX 2.1 bundle). Tables: jsonl, csv, parquet, gexf.")
@click.option("--table", metavar="NAME", help="Export a derived table (reuse_pairs, narratives, graph_edges, "
              "timeline...; `graph` for the actor graph in GEXF) instead of the articles.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write here instead of standard output.")
@click.option("--raw", is_flag=True, help="CSV: write cells starting with = + - @ as stored (by default a single"
              " quote before them keeps spreadsheets from running them as formulas).")
@pass_ctx
def export(obj: Context, db: str, fmt: str, table: str | None, output: str | None, raw: bool, **filters: Any) -> None:
    """Export article records (../SCHEMA.md) as JSONL, CSV or a STIX 2.1 bundle, or a derived table.

    With -o, FILE is replaced only when the export succeeds; on an error it is left as it was.
    Parquet and GEXF are binary: give -o FILE for them. In CSV, a cell starting with = + - or @
    gets a single quote before it, so a spreadsheet shows it as text (--raw: as stored).

    \b
    Example:
      narrascope export --format jsonl -o articles.jsonl
      narrascope export --format csv --outlet DW > dw.csv
      narrascope export --format jsonl --state PRK --since 2017 -o prk-2017.jsonl
      narrascope export --table reuse_pairs --format parquet -o reuse.parquet
      narrascope export --table graph --format gexf -o actors.gexf
      narrascope export --format stix --outlet DW -o dw-stix.json
    """
    settings = obj.settings
    if table:
        if fmt in ("parquet", "gexf") and not output:
            raise click.UsageError(f"--format {fmt} is binary: give -o FILE")
        count = api.export_table(table, output or sys.stdout, format=fmt, db=db, settings=settings, raw=raw)
        if output:
            click.echo(f"{count} rows of {table} written to {output}", err=True)
        return
    if output:
        count = api.export_file(output, format=fmt, db=db, filters=make_filters(**filters), settings=settings,
                                raw=raw)
        click.echo(f"{count} articles written to {output}", err=True)
    else:
        api.export(sys.stdout, format=fmt, db=db, filters=make_filters(**filters), settings=settings, raw=raw)


@cli.command()
@click.argument("ids", nargs=-1)
@db_option
@json_option
@click.option("--force", is_flag=True, help="Reprocess even articles already made by this pipeline.")
@click.option("--rejects", "retry_rejects", is_flag=True, help="Also retry rejected inputs whose bytes were kept.")
@cluster_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary line.")
@pass_ctx
def reprocess(obj: Context, ids: tuple[str, ...], db: str, as_json: bool, force: bool, retry_rejects: bool,
              cluster: str | None, quiet: bool) -> None:
    """Re-extract and re-enrich stored articles from their kept raw bytes.

    Without IDS, every article whose pipeline version differs from the current one is redone;
    the original files are not needed.

    \b
    Example:
      narrascope reprocess                 # after upgrading narrascope
      narrascope reprocess --rejects --config accept-all-languages.toml
    """
    report = api.reprocess(db=db, settings=obj.settings, ids=ids, force=force, rejects=retry_rejects, cluster=cluster,
                           progress=progress_bar(not quiet and not as_json and sys.stderr.isatty(), "reprocess"))
    if as_json:
        emit_json(report.to_dict())
    elif not quiet:
        for reject in report.failed:
            click.echo(f"now rejected  {reject.location}: {reject.code} {reject.reason}", err=True)
        click.echo(report.summary(), err=True)


@cli.group()
def db() -> None:
    """Inspect the store.

    \b
    Example:
      narrascope db info --db demo.db
    """


@db.command()
@db_option
@json_option
@pass_ctx
def info(obj: Context, db: str, as_json: bool) -> None:
    """Counts, schema version, size, rejects by code, pipeline versions.

    \b
    Example:
      narrascope db info --json
    """
    data = api.db_info(db=db, settings=obj.settings)
    if as_json:
        emit_json(data)
        return
    click.echo(f"store:        {data['path']} ({data['size_bytes'] / 1e6:.1f} MB, schema {data['schema_version']})")
    click.echo(f"articles:     {data['articles']} latest, {data['versions']} versions in all")
    click.echo(f"raw inputs:   {data['raw_inputs']} ({data['raw_bytes'] / 1e6:.1f} MB uncompressed)")
    rejects = ", ".join(f"{c}: {n}" for c, n in data["rejects_by_code"].items())
    click.echo(f"rejects:      {data['rejects']}" + (f" ({rejects})" if rejects else ""))
    skipped = ", ".join(f"{c}: {n}" for c, n in data["skipped_by_code"].items())
    click.echo(f"skipped:      {data['skipped']}" + (f" ({skipped})" if skipped else ""))
    click.echo(f"outlets:      {data['outlets']}")
    click.echo(f"languages:    {', '.join(f'{k}: {v}' for k, v in data['languages'].items()) or '-'}")
    low, high = data["published_range"]
    undated = f" ({data['undated']} undated)" if data.get("undated") else ""
    click.echo(f"published:    {low or '?'} .. {high or '?'}{undated}")
    click.echo(f"pipelines:    {', '.join(f'{k}: {v}' for k, v in data['pipeline_versions'].items()) or '-'}")
    click.echo(f"settings:     {data['settings']}")


@cli.command()
@json_option
@pass_ctx
def stages(obj: Context, as_json: bool) -> None:
    """List the installed per-article stages: name, version, what each requires and sets.

    Stages named in the settings' [pipeline] stages run after extraction, in that order; the
    POS column gives each one's place (- when installed but not in the pipeline). LANGUAGES are
    the languages a stage runs on (all: every language); on an article in another language it
    does not run, and the record's provenance says why.

    \b
    Example:
      narrascope stages
      narrascope stages --json
    """
    rows = api.list_stages(settings=obj.settings)
    if as_json:
        emit_json(rows)
        return
    table = [("POS", "NAME", "VERSION", "REQUIRES", "LANGUAGES", "SETS")] + [
        (str(row["position"] or "-"), row["name"], row["version"], ", ".join(row["requires"]) or "-",
         ",".join(row["languages"]) if row["languages"] is not None else "all", ", ".join(row["sets"]) or "-")
        for row in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(5)]
    for line in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=False)) + "  " + line[5])


@cli.command("settings")
@click.option("--defaults", is_flag=True, help="Print the commented defaults file (a template for your own).")
@pass_ctx
def settings_command(obj: Context, defaults: bool) -> None:
    """Show the settings in force, or the commented defaults file.

    \b
    Example:
      narrascope settings --defaults > narrascope.toml
    """
    if defaults:
        click.echo(api.defaults_file(), nl=False)
        return
    emit_json(api.current_settings(settings=obj.settings))



@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
def import_command(file: str, **kw: Any) -> None:
    """Read a JSONL export back into a store, unchanged (ids, versions, pipeline kept).

    Nothing is re-extracted or re-analysed. Records already stored are left alone, so importing
    twice changes nothing. Every field is checked against the schema (types, a real published
    day, vocabularies, offsets within the text, confidences, finite numbers); a bad line is
    rejected (NS107, see `narrascope list --rejects`) and the rest is imported. FILE "-" reads
    standard input.

    \b
    Example:
      narrascope export -o articles.jsonl --db old.db
      narrascope import articles.jsonl --db new.db
    """
    settings = current_settings()
    source: str | TextIO = click.get_text_stream("stdin") if file == "-" else file
    report = api.import_records(source, db=kw["db"], settings=settings)
    if kw["as_json"]:
        emit_json(report.to_dict())
    else:
        for reject in report.rejects:
            click.echo(f"rejected  {reject['location']}: {reject['code']} {reject['reason']}", err=True)
        click.echo(report.summary(), err=True)
    if report.rejects:  # as `ingest` does, with or without --json
        sys.exit(EXIT_REJECTS)


cli.add_command(db_option(json_option(import_command)))
