"""The ``narrascope eval`` group: measure narrascope on gold sets, through the plugin seam.

``eval extraction`` is defined here; the analysis evaluations (``actors``, ``quotes``,
``events``, ``techniques``) live beside their scoring code in this package and join the group here.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from ..cli import Context, emit_json, json_option, pass_ctx, progress_bar
from ..plugins import hookimpl


@click.group("eval")
def eval_group() -> None:
    """Measure narrascope on gold sets, beside the tools users know.

    \b
    Example:
      narrascope eval extraction ../shared/data/aeb
    """


@eval_group.command("extraction")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N pages (sorted by id).")
@json_option
@pass_ctx
def eval_extraction(obj: Context, folder: str, limit: int | None, as_json: bool) -> None:
    """Score HTML extraction on a gold set: narrascope, trafilatura, trafilatura without comments.

    FOLDER is laid out as the article-extraction-benchmark (html/<id>.html.gz and
    ground-truth.json; 4-token shingle precision, recall, F1) or as WCXB (html/<id>.html.gz and
    ground-truth/<id>.json; bag-of-words precision, recall, F1, and the metadata: title accuracy,
    author exact match, author precision and recall over normalised names, date accuracy, and
    false authors and dates, named on pages whose gold has none). The layout is detected; the
    settings in force apply to narrascope.

    \b
    Example:
      narrascope eval extraction ../shared/data/aeb
      narrascope eval extraction ../shared/data/wcxb --limit 100 --json
    """
    from .extraction import evaluate_extraction

    report = evaluate_extraction(folder, limit=limit, settings=obj.settings,
                                 progress=progress_bar(not as_json and sys.stderr.isatty(), "eval"))
    if as_json:
        emit_json(report.to_dict())
    else:
        click.echo(report.format())


@hookimpl
def narrascope_commands(cli: Any) -> None:
    from .actors import eval_actors_command
    from .events import eval_events_command
    from .genre import eval_genre_command
    from .labels import eval_frames_command, eval_topics_command
    from .quotes import eval_quotes_command
    from .stance import eval_stance_command
    from .techniques import eval_techniques_command

    for command in (eval_actors_command, eval_quotes_command, eval_events_command, eval_techniques_command,
                    eval_stance_command, eval_frames_command, eval_topics_command, eval_genre_command):
        eval_group.add_command(command)
    cli.add_command(eval_group)
