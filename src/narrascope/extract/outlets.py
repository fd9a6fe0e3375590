"""Outlet names from domains and from the names pages use for themselves.

The table is ``data/outlets.tsv`` (domain, outlet name, optional aliases). ``outlet_for_url`` is
the "url-domain" rung of the metadata cascade; ``outlet_by_name`` turns a name a page states
("Deutsche Welle", "the moscow times") into the table's spelling, or None when it is not listed.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

__all__ = ["outlet_by_name", "outlet_for_url"]


@cache
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    """(domain -> name, lower-cased name or alias -> name)."""
    by_domain: dict[str, str] = {}
    by_name: dict[str, str] = {}
    text = resources.files("narrascope").joinpath("data/outlets.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        domain, name = cols[0].strip().lower(), cols[1].strip()
        by_domain[domain] = name
        by_name.setdefault(name.lower(), name)
        for alias in (cols[2].split(";") if len(cols) > 2 else []):
            if alias.strip():
                by_name.setdefault(alias.strip().lower(), name)
    return by_domain, by_name


def _host(url: str) -> str:
    url = url.strip().strip("<>")
    if "://" not in url:
        url = "//" + url
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # a malformed netloc ("http://[::1") names no outlet
        return ""
    return host.lower().rstrip(".")


def outlet_for_url(url: str | None) -> str | None:
    """The outlet of ``url`` from its host or nearest listed parent domain, else None."""
    if not url:
        return None
    host = _host(url)
    if not host:
        return None
    by_domain, _ = _tables()
    # www.bbc.co.uk, edition.cnn.com, en.people.cn: the nearest listed parent domain
    labels = host.split(".")
    for i in range(len(labels) - 1):
        name = by_domain.get(".".join(labels[i:]))
        if name:
            return name
    return None


def outlet_by_name(name: str | None) -> str | None:
    """The listed spelling of the outlet called ``name`` (case-insensitive, aliases too), or None."""
    if not name:
        return None
    _, by_name = _tables()
    key = re.sub(r"\s+", " ", name).strip().strip(".,;:").lower()
    found = by_name.get(key)
    if found is None and key.startswith("the "):
        found = by_name.get(key[4:])
    return found
