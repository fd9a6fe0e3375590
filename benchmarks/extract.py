#!/usr/bin/env python3
"""Pages per second: narrascope's HTML extraction against trafilatura alone, on the same pages.

narrascope's side is ``extract_html``, what ingest runs per HTML page (decoding, trafilatura, the
metadata cascade and the cleaning); trafilatura's side is ``trafilatura.extract(html)`` with its
defaults. Both get the same decompressed page bytes. The two are timed in alternating rounds
(narrascope, trafilatura, narrascope, ...) so that a machine warming up or slowing down affects
both alike; each reports its best round, and the ratio narrascope / trafilatura is printed.

Example:
  .venv/bin/python benchmarks/extract.py                       # ../shared/data/aeb, 3 rounds
  .venv/bin/python benchmarks/extract.py /work/shared/data/wcxb --limit 200 --rounds 5
"""

from __future__ import annotations

import argparse
import gc
import gzip
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "aeb"


def read_pages(folder: Path, limit: int | None) -> list[bytes]:
    """Every ``html/*.html.gz`` page under ``folder`` (both gold-set layouts keep them there)."""
    paths = sorted((folder / "html").glob("*.html.gz"))[:limit] if limit else sorted((folder / "html").glob("*.html.gz"))
    if not paths:
        sys.exit(f"no html/*.html.gz pages under {folder}")
    return [gzip.decompress(path.read_bytes()) for path in paths]


def narrascope_runner() -> Callable[[bytes], object]:
    from narrascope.extract.html import extract_html
    from narrascope.model import RawItem
    from narrascope.settings import load_settings

    settings = load_settings()

    def run(page: bytes) -> object:
        return extract_html(RawItem(data=page, media_type="text/html", source_kind="html", location="bench"), settings)

    return run


def trafilatura_runner() -> Callable[[bytes], object]:
    import trafilatura

    return trafilatura.extract


def timed(run: Callable[[bytes], object], pages: list[bytes]) -> float:
    gc.collect()
    start = time.perf_counter()
    for page in pages:
        run(page)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Example:\n  .venv/bin/python benchmarks/extract.py ../shared/data/aeb --rounds 5",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA,
                        help=f"folder with html/<id>.html.gz pages (default: {DEFAULT_DATA})")
    parser.add_argument("--rounds", type=int, default=3, help="alternating timed rounds per system (default 3)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    args = parser.parse_args(argv)

    pages = read_pages(args.data, args.limit)
    systems = {"narrascope": narrascope_runner(), "trafilatura": trafilatura_runner()}
    for run in systems.values():  # warm up: imports, caches, lazily built regexes
        for page in pages[:3]:
            run(page)
    best = dict.fromkeys(systems, float("inf"))
    for _ in range(args.rounds):
        for name, run in systems.items():
            best[name] = min(best[name], timed(run, pages))
    rate = {name: len(pages) / seconds for name, seconds in best.items()}
    print(f"{len(pages)} pages from {args.data}, best of {args.rounds} alternating rounds")
    for name in systems:
        print(f"  {name:12} {rate[name]:8.1f} pages/s  ({best[name]:.2f} s)")
    print(f"  ratio narrascope/trafilatura: {rate['narrascope'] / rate['trafilatura']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
