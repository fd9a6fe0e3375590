"""What every ``narrascope`` command shares: the settings context, the common options and their
checks, terminal-safe text, JSON output, and the group that turns coded errors into exit codes.

Exit status: 0 success; 1 an error stopped the command; 2 bad usage (click's, or NS403 a bad option
value, from any command); 3 ingest finished but
rejected at least one input (see ``narrascope list --rejects``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..errors import NarrascopeError, SettingsError
from ..settings import Settings, load_settings
from ..sources.csv import parse_columns
from ..store import DEFAULT_DB, ENV_DB, Filters, date_bounds, narrative_id

EXIT_REJECTS = 3
#: Exit status of bad usage: click's own, and narrascope's "bad option value" (NS403) wherever it is raised.
EXIT_USAGE = 2
USAGE_CODES = ("NS403",)
F = TypeVar("F", bound=Callable[..., Any])


class Context:
    def __init__(self, config: str | None) -> None:
        self.config = config

    @property
    def settings(self) -> Settings:
        return load_settings(self.config)


pass_ctx = click.make_pass_decorator(Context)


def current_settings() -> Settings | None:
    """The settings of the running command (``--config``), or None outside a ``narrascope`` command."""
    obj = click.get_current_context().find_object(Context)
    return obj.settings if obj is not None else None


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


class NarrascopeGroup(click.Group):
    """Turns narrascope's coded errors into one clean line and exit status 1 (2 for bad usage: a bad
    option value, NS403, or bad settings, NS401)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NarrascopeError as e:
            click.echo(f"Error: {e}", err=True)
            ctx.exit(EXIT_USAGE if e.code in USAGE_CODES or isinstance(e, SettingsError) else 1)
