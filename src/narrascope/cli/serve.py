"""``narrascope serve``: the web workbench over a store.

Nothing web-related is imported until the command runs, so the CLI starts fast and works without
the web dependencies installed.
"""

from __future__ import annotations

import os
from typing import Any

import click

from .. import api
from ..errors import UsageError
from .common import current_settings, db_option
from .root import cli


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind. Anything but 127.0.0.1 exposes the store to the network.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--write-token-env", metavar="VAR",
              help="Name of an environment variable holding the write token (16+ characters). With it, "
                   "POST /api/ingest and the ingest page accept uploads; without it the server is read-only. "
                   "The token is read from the environment so it never shows in the process list.")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="Another Host header to answer (a name the server is reached by); repeatable.")
def serve_command(host: str, port: int, write_token_env: str | None, allow_hosts: tuple[str, ...], **kw: Any) -> None:
    """Serve the workbench: search, article, actor, narrative, reuse, export and ingest pages and a
    JSON API over the store.

    The store is opened read-only, so it can be served while another process ingests.

    \b
    Example:
      narrascope serve --db corpus.db                 # then open http://127.0.0.1:8000/
      NARRASCOPE_TOKEN=$(openssl rand -hex 24) narrascope serve --write-token-env NARRASCOPE_TOKEN
    """
    token = None
    if write_token_env:
        token = os.environ.get(write_token_env)
        if not token:
            raise UsageError(f"--write-token-env {write_token_env}: that environment variable is not set or empty")
    mode = "read-write (ingest with the token)" if token else "read-only"
    api.serve(db=kw["db"], host=host, port=port, write_token=token, allow_hosts=allow_hosts,
              settings=current_settings(),
              on_start=lambda: click.echo(f"narrascope serving {kw['db']} {mode} on http://{host}:{port}/"
                                          "  (Ctrl-C stops)", err=True))


cli.add_command(db_option(serve_command))
