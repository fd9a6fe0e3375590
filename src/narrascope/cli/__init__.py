"""The ``narrascope`` command: parses options, calls one function of the library
(``narrascope.api``) and renders its result; nothing else in the package imports click.

Exit status: 0 success; 1 an error stopped the command; 2 bad usage (click's, or NS403 a bad option
value, from any command); 3 ingest finished but
rejected at least one input (see ``narrascope list --rejects``).

The verbs live by theme: ``articles`` (ingest, list, show, search, export, reprocess, import, db,
stages, settings), ``corpus`` (reuse, narratives, graph, timelines), ``analysis`` (analyze),
``train``, ``evaluate`` (eval) and ``serve``. Third-party plugins add theirs through the
``narrascope_commands`` hook.
"""

from __future__ import annotations

from . import analysis, articles, corpus, evaluate, serve, train  # noqa: F401 - each adds its verbs to `cli`
from .common import (
    EXIT_REJECTS,
    EXIT_USAGE,
    USAGE_CODES,
    Context,
    db_option,
    emit_json,
    json_option,
    pass_ctx,
    terminal_text,
)
from .progress import ItemProgress, PlainProgress, progress_bar
from .root import cli

__all__ = ["EXIT_REJECTS", "EXIT_USAGE", "USAGE_CODES", "Context", "ItemProgress", "PlainProgress", "cli",
           "db_option", "emit_json", "json_option", "main", "pass_ctx", "progress_bar", "terminal_text"]


def _add_plugin_commands() -> None:
    """Commands of third-party plugins (``narrascope_commands``), added once at import."""
    from ..plugins import plugin_manager

    plugin_manager().hook.narrascope_commands(cli=cli)


_add_plugin_commands()


def main() -> None:
    cli(prog_name="narrascope")
