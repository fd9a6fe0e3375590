"""CLI verbs of the article analysis, registered through the plugin seam (``narrascope_commands``).

``analyze`` re-runs stages on stored articles; ``train`` rebuilds the trained models. The core
registers these exactly as a third-party plugin would.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from ..plugins import hookimpl


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
    from ..analyze import analyze
    from ..cli import emit_json, progress_bar

    obj = click.get_current_context().find_object(_context_type())
    settings = obj.settings if obj is not None else None
    as_json = kw["as_json"]
    stages = [s.strip() for s in stage_list.split(",") if s.strip()] if stage_list else None
    report = analyze(db=kw["db"], settings=settings, ids=ids, stages=stages, force=force, jobs=jobs,
                     cluster=kw["cluster"],
                     progress=progress_bar(not quiet and not as_json and sys.stderr.isatty(), "analyze"))
    if as_json:
        emit_json(report.to_dict())
    elif not quiet:
        for failed in report.failed:
            click.echo(f"failed  {failed['id']}: {failed['code']} {failed['reason']}", err=True)
        click.echo(report.summary(), err=True)


def _context_type() -> type:
    from ..cli import Context

    return Context


@click.group("train")
def train_group() -> None:
    """Rebuild narrascope's trained models from your own data.

    \b
    Example:
      narrascope train techniques ../shared/data/ptc -o my-techniques.joblib
      narrascope train stance ../shared/data/newsmtsc
    """


@hookimpl
def narrascope_commands(cli: Any) -> None:
    from ..cli import cluster_option, db_option, json_option
    from ..evaluate.genre import train_genre_command
    from ..evaluate.labels import train_frames_command, train_topics_command
    from .actors_train import train_actors_command
    from .events_train import train_events_command
    from .quotes_train import train_quotes_command
    from .stance_train import train_stance_command
    from .train import train_techniques_command

    cli.add_command(cluster_option(db_option(json_option(analyze_command))))
    cli.add_command(train_group)
    for command in (train_actors_command, train_quotes_command, train_events_command, train_techniques_command,
                    train_stance_command, train_frames_command, train_topics_command, train_genre_command):
        train_group.add_command(command)
