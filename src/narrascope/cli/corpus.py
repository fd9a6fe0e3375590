"""The corpus verbs: reuse, narratives, graph, timelines. Each brings its analysis up to date through
the library and renders what it returns."""

from __future__ import annotations

import json
import sys
import textwrap
from datetime import date, timedelta
from typing import Any

import click

from .. import api
from ..corpus.graph import EDGE_KINDS, LEVELS
from ..corpus.timelines import GRANULARITIES, METRICS
from .common import cluster_option, current_settings, db_option, emit_json, json_option, terminal_text
from .progress import progress_bar
from .root import cli


def _snippet(text: str, width: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _describe(article: dict[str, Any]) -> str:
    return (f"{article['id'][:12]}  {article.get('published') or '----------'}  {article.get('outlet') or '?'}"
            f"  {_snippet(article.get('title') or '', 60)}")


#: The bars of a narrative's weekly sparkline, lowest to highest.
SPARK = "▁▂▃▄▅▆▇█"


def sparkline(weeks: dict[str, int], first: str, last: str, *, width: int = 30) -> str:
    """The weekly counts from ``first`` to ``last`` as text, at most ``width`` characters."""
    if not weeks:
        return ""
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    values = []
    while start <= end:
        values.append(weeks.get(start.isoformat(), 0))
        start += timedelta(days=7)
    if len(values) > width:
        size = -(-len(values) // width)
        values = [sum(values[i:i + size]) for i in range(0, len(values), size)]
    top = max(values) or 1
    return "".join(" " if v == 0 else SPARK[min(len(SPARK) - 1, (v * len(SPARK) - 1) // top)] for v in values)


@click.group("reuse", invoke_without_command=True)
@click.option("--full", is_flag=True, help="Recompute from scratch instead of taking only new articles.")
@click.option("--limit", type=click.IntRange(0), default=20, show_default=True,
              help="Print at most this many clusters (0: none).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no clusters printed.")
def reuse_command(full: bool, limit: int, quiet: bool, db: str, as_json: bool, cluster: str | None) -> None:
    """Find text reuse: shared passages, reuse clusters, originals and republishers.

    Updates the reuse tables incrementally (only articles added since the last run are
    fingerprinted and compared), then prints the largest clusters: the likely original first,
    each republisher with how much it shares, the direction's evidence and a shared passage.
    Tables: reuse_pairs, reuse_passages, reuse_clusters, reuse_outlets
    (`narrascope export --table reuse_pairs`).

    \b
    Example:
      narrascope reuse --db corpus.db
      narrascope reuse --full --json
      narrascope reuse --cluster local:2
      narrascope reuse show 3d12
    """
    ctx = click.get_current_context()
    if ctx.invoked_subcommand is not None:
        return
    summary = api.reuse(db=db, settings=current_settings(), full=full, limit=limit, cluster=cluster,
                        progress=progress_bar(not quiet and not as_json and sys.stderr.isatty(), "reuse"))
    if as_json:
        emit_json(summary)
        return
    if quiet:
        return
    for shown in summary["top_clusters"]:
        click.echo(f"cluster {shown['cluster']} · {shown['size']} articles")
        for entry in shown["articles"]:
            click.echo(f"  {entry['role']:<11} {_describe(entry)}")
            for link in entry["links"]:
                if link["direction"] != "from":
                    continue
                evidence = link["direction_evidence"].get("decided_by")
                click.echo(f"      <- {link['other']['id'][:12]}  {link['kind']}, {link['shared_words']} words,"
                           f" {link['coverage_target']:.0%} of this text, direction by {evidence}"
                           f" ({link['confidence']:.2f})")
                for shared in link["shared"]:
                    click.echo(textwrap.indent(f'"{_snippet(shared["text"])}"', " " * 9))
        if shown["not_shown"]:
            click.echo(f"  … and {shown['not_shown']} more (narrascope reuse show ID)")
    click.echo(f"{summary['new_articles']} new articles, {summary['new_pairs']} new pairs;"
               f" {summary['pairs']} pairs in {summary['clusters']} clusters", err=True)


@click.command("show")
@click.argument("article_id")
def reuse_show_command(article_id: str, db: str, as_json: bool) -> None:
    """Show one article's reuse links: what it shares, with whom, in which direction.

    \b
    Example:
      narrascope reuse show 3d12
      narrascope reuse show 3d12 --json --db corpus.db
    """
    links = api.article_reuse(article_id, db=db, settings=current_settings())
    if as_json:
        emit_json(links)
        return
    click.echo(_describe(links))
    if links["cluster"]:
        click.echo(f"cluster {links['cluster']['cluster']}, {links['cluster']['role']};"
                   f" original {links['cluster']['original'][:12]}")
    if not links["links"]:
        click.echo("no reuse found (run `narrascope reuse` after ingesting)")
    for link in links["links"]:
        arrow = "->" if link["direction"] == "to" else "<-"
        click.echo(f"{arrow} {_describe(link['other'])}")
        click.echo(f"   {link['kind']}, {link['passages']} passages, {link['shared_words']} words, confidence"
                   f" {link['confidence']:.2f} by {link['direction_evidence'].get('decided_by')}")
        for shared in link["shared"]:
            click.echo(f"   [{shared['source_start']}:{shared['source_end']}] ->"
                       f" [{shared['target_start']}:{shared['target_end']}] \"{_snippet(shared['text'])}\"")


reuse_command.add_command(db_option(json_option(reuse_show_command)))
cli.add_command(cluster_option(db_option(json_option(reuse_command))))


def _check_seed(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    """``--seed`` overrides ``narratives.seed``: checked against that setting's range (NS401, exit 2)."""
    from ..errors import SettingsError
    from ..settings import Settings, check_setting

    if value is None:
        return None
    try:
        return int(check_setting(Settings(), "narratives.seed", value, source="--seed"))
    except SettingsError as e:
        raise click.BadParameter(str(e), ctx=ctx, param=param) from e


@click.group("narratives", invoke_without_command=True)
@click.option("--full", is_flag=True, help="Recompute from scratch instead of adding the new articles.")
@click.option("--seed", type=int, default=None, callback=_check_seed, help="Random seed of the split test (default: the last run's, else the setting narratives.seed).")
@click.option("--all", "include_all", is_flag=True, help="Also list candidates (under 3 articles) and merged narratives.")
@click.option("--limit", type=click.IntRange(1), default=30, show_default=True, help="List at most this many.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no list.")
@click.pass_context
def narratives_command(ctx: click.Context, full: bool, seed: int | None, include_all: bool, limit: int, quiet: bool,
                       **kw: Any) -> None:
    """Update the narratives (articles clustered over time) and list them.

    Each run adds the articles ingested since the last one, keeping narrative ids; the list shows
    id, size, first and last week, status, a weekly sparkline, key terms and a representative
    claim. Articles that state no date are in no week: they are counted apart ("undated N"), and
    a narrative fades against the newest dated article, not today. Tables: narratives, narrative_members, narrative_series, narrative_events.

    \b
    Example:
      narrascope narratives
      narrascope narratives --full --seed 7 --json
      narrascope narratives --cluster tcp://10.0.0.5:8786
      narrascope narratives show 12
    """
    if ctx.invoked_subcommand is not None:
        return
    settings = current_settings()
    as_json = kw["as_json"]
    summary = api.narratives(db=kw["db"], settings=settings, full=full, seed=seed, include_all=include_all,
                             limit=limit, cluster=kw["cluster"],
                             progress=progress_bar(not quiet and not as_json and sys.stderr.isatty(), "narratives"))
    listed, span = summary.pop("list"), summary.pop("weeks")
    if as_json:
        emit_json({**summary, "list": listed})
        return
    if quiet:
        return
    for item in listed:
        spark = sparkline(item["weeks"], span[0], span[1]) if span[0] else ""
        seen = f"{item['first_seen']} .. {item['last_seen']}" if item["first_seen"] else f"{'undated':^24}"
        undated = f"  (undated {item['undated']})" if item["undated"] else ""
        click.echo(f"{item['id']:>5}  {item['size']:>6}  {seen}  {item['status']:<9} {spark}  {item['label']}{undated}")
        if item["sentence"]:
            click.echo(f"{'':>15}“{_shorten(item['sentence'], 110)}”")
    counts = ", ".join(f"{n} {status}" for status, n in sorted(summary["narratives"].items())) or "none"
    click.echo(f"narratives: {counts}; {summary['articles_read']} new articles read"
               f"{' (full run)' if summary['full'] else ''}; {summary['events']} events", err=True)


@narratives_command.command("show")
@click.argument("narrative", type=int)
@click.option("--members", type=click.IntRange(1), default=10, show_default=True, help="Members to show.")
def show_command(narrative: int, members: int, **kw: Any) -> None:
    """Show one narrative: key terms, weekly series, events, and members with evidence sentences.

    \b
    Example:
      narrascope narratives show 12
      narrascope narratives show 12 --members 50 --json
    """
    settings = current_settings()
    item = api.narrative(narrative, db=kw["db"], settings=settings, members=members)
    if kw["as_json"]:
        emit_json(item)
        return
    seen = f"{item['first_seen']} .. {item['last_seen']}" if item["first_seen"] else "no dated article"
    click.echo(f"narrative {item['id']}  [{item['status']}]  {item['size']} articles, {seen}")
    click.echo(f"terms: {', '.join(item['terms'])}")
    if item["parent"]:
        click.echo(f"split from: {item['parent']}")
    if item["merged_into"]:
        click.echo(f"merged into: {item['merged_into']}")
    if item["sentence"]:
        click.echo(f"representative: “{item['sentence']}” ({item['sentence_article']})")
    click.echo("weeks: " + ", ".join(f"{p} {n}" for p, n in sorted(item["weeks"].items())))
    click.echo(f"undated: {item['undated']} (articles that state no date: in no week)")
    for event in item["events"]:
        other = f" ({event['other']})" if event["other"] else ""
        click.echo(f"  {event['period']}  {event['kind']}{other}  {json.dumps(event['detail'])}")
    for member in item["members"]:
        when = f"{member['date']} ({member['date_source']})" if member["date"] else "(undated)"
        click.echo(f"- {member['article']}  {when}  score {member['score']}")
        for sentence in member["evidence"]:
            click.echo(f"    [{sentence['start']}:{sentence['end']}] {_shorten(sentence['text'], 110)}")


def _shorten(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


for command in (narratives_command, show_command):
    db_option(json_option(command))
cluster_option(narratives_command)
cli.add_command(narratives_command)


@click.command("graph")
@click.option("--level", type=click.Choice(LEVELS), default="actor", show_default=True,
              help="Actors as named, or rolled up to the states they act for.")
@click.option("--kind", "kind_list", metavar="KIND[,KIND...]",
              help=f"Edge kinds to keep: {', '.join(EDGE_KINDS)} (default: all).")
@click.option("--since", help="Only articles published on or after this day, month or year.")
@click.option("--until", help="Only articles published on or before this day, month or year.")
@click.option("--outlet", help="Only articles of this outlet.")
@click.option("--narrative", help="Only member articles of this narrative (needs `narrascope narratives`).")
@click.option("--min-weight", type=float, default=0.0, show_default=True, help="Drop lighter edges.")
@click.option("--gexf", "gexf_path", type=click.Path(dir_okay=False, writable=True),
              help="Write the graph as GEXF 1.3 (Gephi) to this file.")
@click.option("--top", type=int, default=20, show_default=True, help="Edges to print, heaviest first.")
@click.option("--full", is_flag=True, help="Recompute the graph tables from every article.")
@click.option("--no-update", is_flag=True, help="Use the graph tables as they are.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
def graph_command(level: str, kind_list: str | None, since: str | None, until: str | None, outlet: str | None,
                  narrative: str | None, min_weight: float, gexf_path: str | None, top: int, full: bool,
                  no_update: bool, quiet: bool, **kw: Any) -> None:
    """The actor graph: events (by PLOVER type), quotes and co-mentions between actors.

    Brings the graph tables up to date with new articles, then prints the heaviest edges of the
    articles selected, or writes them as GEXF for Gephi.

    \b
    Example:
      narrascope graph --level state --kind event
      narrascope graph --since 2024-05 --outlet DW --gexf dw-may.gexf
      narrascope graph --narrative 12 --json --db corpus.db
    """
    settings = current_settings()
    as_json = kw["as_json"]
    kinds = [k.strip() for k in kind_list.split(",") if k.strip()] if kind_list else None
    summary, graph = api.graph(
        db=kw["db"], settings=settings, level=level, kinds=kinds, since=since, until=until, outlet=outlet,
        narrative=narrative, min_weight=min_weight, update=not no_update, full=full, gexf=gexf_path,
        progress=progress_bar(not quiet and not as_json and sys.stderr.isatty(), "graph"))
    if as_json:
        emit_json({"update": summary, **graph.to_dict()})
        return
    # With --gexf the graph goes to the file alone (the summary line below is on stderr).
    heaviest = [] if gexf_path else sorted(
        graph.edges, key=lambda e: (-e["weight"], e["kind"], e["type"], e["source"], e["target"]))
    for edge in heaviest[:top]:
        arrow = "--" if edge["kind"] == "comention" else "->"
        extra = f"  score {edge['score']:+g}" if edge["score"] is not None else ""
        extra += f"  polarity {edge['polarity']:+.2f}" if edge["polarity"] is not None else ""
        click.echo(terminal_text(f"{edge['source']} {arrow} {edge['target']}  {edge['kind']} {edge['type']}"
                                 f"  weight {edge['weight']:g}  articles {edge['articles']}{extra}", one_line=True))
    if not quiet:
        click.echo(f"{len(graph.nodes)} nodes, {len(graph.edges)} edges at {level} level"
                   + (f"; written to {gexf_path}" if gexf_path else ""), err=True)


cli.add_command(db_option(json_option(graph_command)))


@click.command("timelines")
@click.option("--by", type=click.Choice(GRANULARITIES), default="day", show_default=True,
              help="Count per day, or per ISO week (named by its Monday).")
@click.option("--metric", "metric_list", metavar="METRIC[,METRIC...]",
              help=f"Only these: {', '.join(METRICS)} (default: all).")
@click.option("--key", "key_list", metavar="KEY[,KEY...]",
              help="Only these keys: actor ids, event types, technique names, narrative ids.")
@click.option("--outlet", help="Only articles of this outlet.")
@click.option("--by-outlet", is_flag=True, help="One row per outlet rather than summed over outlets.")
@click.option("--since", help="From this day, month or year.")
@click.option("--until", help="To this day, month or year (inclusive).")
@click.option("--full", is_flag=True, help="Recount from every article (after `narrascope analyze`).")
@click.option("--no-update", is_flag=True, help="Use the timeline table as it is.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
def timelines_command(by: str, metric_list: str | None, key_list: str | None, outlet: str | None, by_outlet: bool,
                      since: str | None, until: str | None, full: bool, no_update: bool, quiet: bool,
                      **kw: Any) -> None:
    """Counts per day or week of articles, actor mentions, quotes, events, techniques, narratives.

    Brings the timeline table up to date with new articles, then prints one row per period,
    metric and key (tab-separated): period, [outlet,] metric, key, count. Articles that state no
    date are in no period: they are counted apart ("N without a date"; `undated` in --json).

    \b
    Example:
      narrascope timelines --by week --metric events
      narrascope timelines --metric actors --key RUS,PRK --by-outlet --since 2024-05
      narrascope timelines --json --db corpus.db
    """
    settings = current_settings()
    as_json = kw["as_json"]
    metrics = [m.strip() for m in metric_list.split(",") if m.strip()] if metric_list else None
    keys = [k.strip() for k in key_list.split(",") if k.strip()] if key_list else ()
    result = api.timelines(db=kw["db"], settings=settings, by=by, metrics=metrics, keys=keys, outlet=outlet,
                           by_outlet=by_outlet, since=since, until=until, update=not no_update, full=full,
                           progress=progress_bar(not quiet and not as_json and sys.stderr.isatty(), "timelines"))
    summary, rows = result["update"], result["rows"]
    if as_json:
        emit_json(result)
        return
    for row in rows:
        click.echo("\t".join(str(v) for v in row.values()))
    if not quiet and summary is not None:
        click.echo(f"{len(rows)} rows; {summary['articles']} articles counted, {summary['undated']} without a date",
                   err=True)


cli.add_command(db_option(json_option(timelines_command)))
