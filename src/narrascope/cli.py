"""The ``narrascope`` command: parses options, calls the library, turns errors into exit codes.

Exit status: 0 success; 1 an error stopped the command; 2 bad usage (click's, or NS403 a bad option
value, from any command); 3 ingest finished but
rejected at least one input (see ``narrascope list --rejects``).
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any, TextIO, TypeVar

import click

from . import __version__, api
from .analysis.render import render_analysis
from .errors import NarrascopeError, SettingsError
from .model import Article
from .settings import Settings, defaults_text, load_settings
from .sources.csv import parse_columns
from .store import DEFAULT_DB, ENV_DB, Filters, date_bounds, narrative_id

EXIT_REJECTS = 3
F = TypeVar("F", bound=Callable[..., Any])


class Context:
    def __init__(self, config: str | None) -> None:
        self.config = config

    @property
    def settings(self) -> Settings:
        return load_settings(self.config)


pass_ctx = click.make_pass_decorator(Context)


def db_option(f: F) -> F:
    return click.option(
        "--db", "db", default=DEFAULT_DB, envvar=ENV_DB, show_default=True, type=click.Path(dir_okay=False),
        help=f"The store (SQLite file). Env: {ENV_DB}.",
    )(f)


def cluster_option(f: F) -> F:
    """``--cluster ADDRESS``: compute on a Dask cluster (default: the ``cluster.address`` setting)."""
    return click.option(
        "--cluster", "cluster", metavar="ADDRESS", default=None,
        help="Compute on a Dask cluster: tcp://HOST:8786 (a running `dask scheduler`) or local:N (N worker"
             " processes here); this process still reads the inputs and writes the store. Default: the"
             " cluster.address setting (\"\": none).",
    )(f)


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")(f)


def check_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A bad --since/--until is bad usage (exit 2), with narrascope's code in the message."""
    if value:
        try:
            date_bounds(value, option=f"--{param.name}")
        except NarrascopeError as e:
            raise click.BadParameter(str(e), ctx=ctx, param=param) from e
    return value


def check_columns(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A bad --columns (not FIELD=COLUMN, an unknown field) is bad usage (exit 2), with narrascope's code."""
    if value is not None:
        try:
            parse_columns(value)
        except NarrascopeError as e:
            raise click.BadParameter(str(e), ctx=ctx, param=param) from e
    return value


def check_narrative(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """A --narrative that is not a whole number is bad usage (exit 2), with narrascope's code."""
    if value is None or not value.strip():
        return None
    try:
        return narrative_id(value)
    except NarrascopeError as e:
        raise click.BadParameter(str(e), ctx=ctx, param=param) from e


def filter_options(f: F) -> F:
    for option in reversed((
        click.option("--outlet", help="Only this outlet (case-insensitive)."),
        click.option("--language", help="Only this ISO 639-1 language."),
        click.option("--genre", type=click.Choice(["opinion", "reporting", "satire", "other"]), help="Only this genre."),
        click.option("--since", metavar="YYYY-MM-DD", callback=check_date,
                     help="Published on or after this day (or YYYY-MM, YYYY: from its start)."),
        click.option("--until", metavar="YYYY-MM-DD", callback=check_date,
                     help="Published on or before this day (or YYYY-MM, YYYY: to its end)."),
        click.option("--all-versions", is_flag=True, help="Include older versions of changed URLs."),
        click.option("--actor", metavar="ID", help="Only articles naming this actor id (USA, person:sergey-lavrov)."),
        click.option("--state", metavar="ISO3", help="Only articles naming this state or an actor acting for it (RUS)."),
        click.option("--technique", metavar="NAME", help="Only articles using this persuasion technique"
                     " (Loaded_Language)."),
        click.option("--topic", metavar="TOPIC", help="Only articles with this topic (sanctions)."),
        click.option("--narrative", metavar="ID", callback=check_narrative,
                     help="Only members of this narrative (an id from `narrascope narratives`)."),
    )):
        f = option(f)
    return f


def make_filters(**kw: Any) -> Filters:
    return Filters(**{k: kw[k] for k in ("outlet", "language", "genre", "since", "until", "all_versions", "actor",
                                         "state", "technique", "topic", "narrative")})


#: What article metadata must never send to a terminal as is: C0 controls (ESC starts ANSI escape
#: sequences, CR overwrites a line), DEL, C1 controls (CSI, OSC...), bidirectional overrides and
#: isolates (text shown in another order than stored) and lone surrogates. Tab and newline are
#: kept in multi-line text (``show``); in a one-line listing they become spaces.
_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_LINE_BREAKS = re.compile("[\t\n\r]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str, *, one_line: bool = False) -> str:
    """``text`` safe to print: every control or escape character shown as an escape (``\\x1b``);
    with ``one_line``, tabs and line breaks become spaces."""
    if one_line:
        text = _LINE_BREAKS.sub(" ", text)
    return _TERMINAL_UNSAFE.sub(_escaped, text)


#: In JSON output: characters JSON may carry raw that a terminal would act on (C1 controls,
#: bidirectional controls) or cannot encode (lone surrogates), written as \u escapes.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def emit_json(data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2)
    click.echo(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def progress_bar(enabled: bool, label: str) -> Callable[[int], Iterator[object]] | None:
    if not enabled:
        return None

    def bar(total: int) -> Iterator[object]:
        from tqdm import tqdm

        yield from tqdm(range(total), desc=label, unit="input", file=sys.stderr, leave=False, dynamic_ncols=True)

    return bar


class ItemProgress:
    """A progress bar counting items (a feed, WARC or JSONL file holds many), total unknown.

    Called as ``on_outcome(kind, text)`` by ``ingest``; the postfix counts stored and rejected items.
    """

    def __init__(self, label: str, *, file: TextIO | None = None) -> None:
        from tqdm import tqdm

        self.counts: Counter[str] = Counter()
        self.bar = tqdm(total=None, desc=label, unit=" items", file=file or sys.stderr, leave=False,
                        dynamic_ncols=True)

    def __call__(self, kind: str, text: str) -> None:
        self.counts[kind] += 1
        self.bar.set_postfix(stored=self.counts["stored"], rejected=self.counts["rejected"], refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


#: Exit status of bad usage: click's own, and narrascope's "bad option value" (NS403) wherever it is raised.
EXIT_USAGE = 2
USAGE_CODES = ("NS403",)


class PlainProgress:
    """Progress for a log or a pipe: one plain line every ``interval`` seconds, no bar, no escapes.

    Called as ``on_outcome(kind, text)`` like ``ItemProgress``; a timer thread writes the lines, so
    a run stuck on one long item still shows it is alive.
    """

    def __init__(self, label: str, interval: float, *, file: TextIO | None = None) -> None:
        self.label, self.interval = label, interval
        self.file = file or sys.stderr
        self.done = self.stored = self.rejected = 0
        self.started = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"narrascope-{label}-progress", daemon=True)
        self._thread.start()

    def __call__(self, kind: str, text: str) -> None:
        self.done += 1
        self.stored += kind == "stored"
        self.rejected += kind == "rejected"

    def line(self) -> str:
        elapsed = int(time.monotonic() - self.started)
        return (f"{self.label}: {self.done} {'item' if self.done == 1 else 'items'} done ({self.stored} stored,"
                f" {self.rejected} rejected), {elapsed}s elapsed")

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.file.write(self.line() + "\n")
            self.file.flush()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


class NarrascopeGroup(click.Group):
    """Turns narrascope's coded errors into one clean line and exit status 1 (2 for bad usage: a bad
    option value, NS403, or bad settings, NS401)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NarrascopeError as e:
            click.echo(f"Error: {e}", err=True)
            ctx.exit(EXIT_USAGE if e.code in USAGE_CODES or isinstance(e, SettingsError) else 1)


@click.group(cls=NarrascopeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="narrascope")
@click.option("--config", type=click.Path(exists=True, dir_okay=False),
              help="Settings file (TOML) overriding the defaults. Env: NARRASCOPE_CONFIG.")
@click.pass_context
def cli(ctx: click.Context, config: str | None) -> None:
    """narrascope: clean, searchable records of news and opinion articles.

    \b
    Example:
      narrascope ingest examples/seeds
      narrascope list
      narrascope search "North Korea"
    """
    ctx.obj = Context(config)


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
    Terms such as COVID-19, U.S. or Xi's are searched as the words they hold.

    \b
    Example:
      narrascope search '"fire and fury" OR Pyongyang' --since 2017-01-01
      narrascope search sanctions --actor person:sergey-lavrov --topic diplomacy
      narrascope search Kyiv --narrative 3
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
    POS column gives each one's place (- when installed but not in the pipeline).

    \b
    Example:
      narrascope stages
      narrascope stages --json
    """
    rows = api.list_stages(settings=obj.settings)
    if as_json:
        emit_json(rows)
        return
    table = [("POS", "NAME", "VERSION", "REQUIRES", "SETS")] + [
        (str(row["position"] or "-"), row["name"], row["version"], ", ".join(row["requires"]) or "-",
         ", ".join(row["sets"]) or "-")
        for row in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(4)]
    for line in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=False)) + "  " + line[4])


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
        click.echo(defaults_text(), nl=False)
        return
    from dataclasses import asdict

    emit_json(asdict(obj.settings))


def _add_plugin_commands() -> None:
    """Commands from plugins (the core's own analysis verbs among them), added once at import."""
    from .plugins import plugin_manager

    plugin_manager().hook.narrascope_commands(cli=cli)


_add_plugin_commands()


def main() -> None:
    cli(prog_name="narrascope")


if __name__ == "__main__":
    main()
