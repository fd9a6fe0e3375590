"""Speed of the article analysis: words per second for the whole pipeline and for bare spaCy parsing.

Both run in the same process tree on the same texts, on the same number of cores. The anchor is
bare parsing with the same spaCy pipeline (``nlp.pipe`` with ``--jobs`` processes): the least any
analysis built on it can cost. The narrascope figure is every analysis stage (actors, quotes,
events, techniques, frames, stance, topics) run through the local process runner with ``--jobs``
workers (default 1, so the ratio is per core); its time includes the workers' start-up and model
load. The goal: narrascope at >= 0.5x bare parsing, i.e. the analysis on top of the parse costs at
most as much as the parse itself.

Usage:
    python benchmarks/analyze.py [--texts DIR_OR_FILE ...] [--limit N] [--jobs N]

Default texts: the PolNeAR and PTC development articles in ../shared/data (read, never copied).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
ANALYSIS = ("actors", "quotes", "events", "techniques", "frames", "stance", "topics")


def load_texts(paths: list[Path], limit: int) -> list[str]:
    files: list[Path] = []
    for p in paths:
        files.extend(sorted(p.rglob("*.txt")) if p.is_dir() else [p])
    texts = [f.read_text(encoding="utf-8", errors="replace") for f in files[:limit]]
    return [t for t in texts if t.strip()]


def run_one(job: tuple[int, str]) -> int:
    """Analyse one text in a worker; return how many events, quotes... it found (kept honest)."""
    from narrascope.enrich import build_pipeline
    from narrascope.model import Article
    from narrascope.settings import load_settings

    i, text = job
    settings = load_settings()
    article = Article(id=f"bench{i}", source={"kind": "text", "location": f"bench/{i}"}, text=text)
    build_pipeline(settings, ANALYSIS).run(article)
    return len(article.actors) + len(article.quotes) + len(article.events) + len(article.techniques)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", nargs="*", type=Path,
                        default=[DATA / "polnear" / "train" / "text", DATA / "ptc" / "articles"])
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=1, help=f"cores for both sides (this machine has {os.cpu_count()})")
    args = parser.parse_args()

    from narrascope.analysis.nlp import load_nlp
    from narrascope.runners import make_runner

    texts = load_texts(args.texts, args.limit)
    if not texts:
        sys.exit("no texts found; pass --texts")
    words = sum(len(t.split()) for t in texts)
    print(f"{len(texts)} texts, {words} words, {args.jobs} core(s) for each side", flush=True)

    nlp = load_nlp()
    t0 = time.perf_counter()
    for _ in tqdm(nlp.pipe(texts, batch_size=16, n_process=args.jobs), total=len(texts), desc="bare spaCy", leave=False,
                  disable=not sys.stderr.isatty()):
        pass
    bare = time.perf_counter() - t0

    runner = make_runner(args.jobs)
    t0 = time.perf_counter()
    found = 0
    for n in tqdm(runner.map(run_one, list(enumerate(texts))), total=len(texts), desc="narrascope", leave=False,
                  disable=not sys.stderr.isatty()):
        found += n
    ours = time.perf_counter() - t0

    print(f"bare spaCy parsing ({args.jobs} process{'es' if args.jobs > 1 else ''}): {words / bare:,.0f} words/s")
    print(f"narrascope analysis ({args.jobs} jobs): {words / ours:,.0f} words/s ({found} items found)")
    print(f"ratio narrascope / bare parsing: {bare / ours:.2f}x (goal >= 0.5x)")


if __name__ == "__main__":
    main()
