"""``narrascope analyze``: re-run the article analysis on stored articles."""

from __future__ import annotations

import sys
from typing import Any

import click

from .. import api
from .common import cluster_option, current_settings, db_option, emit_json, json_option
from .progress import progress_bar
from .root import cli


@click.command("analyze")
@click.argument("ids", nargs=-1)
@click.option("--stages", "stage_list", metavar="NAME[,NAME...]",
              help="Only these stages (default: the pipeline in the settings).")
@click.option("--force", is_flag=True, help="Re-run even on articles the current stages already made.")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary line.")
def analyze_command(ids: tuple[str, ...], stage_list: str | None, force: bool, jobs: int, quiet: bool,
                    **kw: Any) -> None:
    """Re-run the article analysis (actors, quotes, events, techniques...) on stored articles.

    Without IDS, every article whose stage versions differ from the current ones is redone,
    from the stored record (no re-extraction). Stages not chosen keep their output.

    \b
    Example:
      narrascope analyze                          # after upgrading narrascope
      narrascope analyze --stages quotes,stance --force 3d12
      narrascope analyze --jobs 2 --db corpus.db
      narrascope analyze --cluster tcp://10.0.0.5:8786
    """
    settings = current_settings()
    as_json = kw["as_json"]
    stages = [s.strip() for s in stage_list.split(",") if s.strip()] if stage_list else None
    report = api.analyze(db=kw["db"], settings=settings, ids=ids, stages=stages, force=force, jobs=jobs,
                         cluster=kw["cluster"],
                         progress=progress_bar(not quiet and not as_json and sys.stderr.isatty(), "analyze"))
    if as_json:
        emit_json(report.to_dict())
    elif not quiet:
        for failed in report.failed:
            click.echo(f"failed  {failed['id']}: {failed['code']} {failed['reason']}", err=True)
        click.echo(report.summary(), err=True)


cli.add_command(cluster_option(db_option(json_option(analyze_command))))
