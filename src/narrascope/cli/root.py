"""The ``narrascope`` group itself: version, ``--config``, and the settings context of every command."""

from __future__ import annotations

import click

from ..version import __version__
from .common import Context, NarrascopeGroup


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
