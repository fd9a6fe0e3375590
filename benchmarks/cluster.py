"""Ingest-with-analysis on a Dask LocalCluster: throughput with 1 and 2 workers, and the scaling.

The same articles (every stage of the default pipeline, under the default item budget) are
ingested three times into fresh stores:

- the anchor: no cluster, this process and its one supervised worker (``ingest`` with defaults);
- ``--cluster`` on a LocalCluster of 1 worker, then of 2 workers.

Each cluster is started and its workers' models loaded before the clock starts (the start-up is
printed apart), so the figures are steady-state throughput. The scaling efficiency is
throughput(2) / (2 * throughput(1)); the goal is >= 0.8. The scheduler's overhead per item is a
map of a no-op function over many items through the same ``DaskRunner`` on the 2-worker cluster,
printed with its share of an article's analysis time.

On a machine shared with other jobs, two processes may not get twice the CPU of one. So the run
also measures what the machine gives: the same CPU-bound loop in 1 and then 2 plain processes
(``ProcessPoolExecutor``), whose efficiency is the ceiling for any runner at that moment, and
prints the cluster's efficiency against it.

Usage:
    python benchmarks/cluster.py [--texts DIR_OR_FILE ...] [--limit N] [--noop N]

Default texts: the PolNeAR development articles in ../shared/data, written at run time as text
files into a temporary folder (removed afterwards), never copied into the repository.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"


def load_texts(paths: list[Path], limit: int) -> list[str]:
    files: list[Path] = []
    for p in paths:
        files.extend(sorted(p.rglob("*.txt")) if p.is_dir() else [p])
    texts = []
    for f in files:
        text = f.read_text(encoding="utf-8", errors="replace").strip()
        if len(text) >= 400:
            texts.append(text)
        if len(texts) >= limit:
            break
    return texts


def noop(item: int) -> int:
    return item


def spin(item: int) -> int:
    total = 0
    for i in range(4_000_000):
        total += i ^ item
    return total


def machine_efficiency(rounds: int = 8) -> float:
    """Throughput of a CPU loop in 2 plain processes over twice that in 1: what the machine gives now."""
    from concurrent.futures import ProcessPoolExecutor

    rates = {}
    for workers in (1, 2):
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(spin, range(workers)))
            started = time.perf_counter()
            list(pool.map(spin, range(rounds * workers)))
            rates[workers] = rounds * workers / (time.perf_counter() - started)
    return rates[2] / (2 * rates[1])


def timed_ingest(folder: Path, db: Path, settings: object, cluster: str) -> tuple[float, int]:
    from narrascope.ingest import ingest

    started = time.perf_counter()
    report = ingest([str(folder)], db=db, settings=settings, cluster=cluster)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    if report.rejected:
        print(f"  note: {len(report.rejected)} rejected ({report.rejected[0].code})", flush=True)
    return seconds, len(report.stored) + len(report.rejected)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", nargs="*", type=Path, default=[DATA / "polnear" / "train" / "text"])
    parser.add_argument("--limit", type=int, default=200, help="articles (default 200)")
    parser.add_argument("--noop", type=int, default=2000, help="items of the no-op map (default 2000)")
    args = parser.parse_args()

    from distributed import Client

    from narrascope.ingest import warm
    from narrascope.runners import DaskRunner, local_cluster
    from narrascope.settings import load_settings

    texts = load_texts(args.texts, args.limit)
    if not texts:
        sys.exit(f"no texts under {', '.join(map(str, args.texts))}")
    settings = load_settings()
    words = sum(len(t.split()) for t in texts)
    print(f"{len(texts)} articles, {words:,} words; stages: {', '.join(settings.pipeline.stages)};"
          f" {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="narrascope-cluster-bench-") as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        for i, text in enumerate(texts):
            (folder / f"{i:04d}.txt").write_text(f"Article {i}\n\n{text}\n", encoding="utf-8")

        machine_before = machine_efficiency()
        print(f"the machine now: 2 plain processes give {machine_before:.2f} of twice one process's throughput",
              flush=True)
        warm(settings)
        seconds, items = timed_ingest(folder, Path(tmp) / "anchor.db", settings, "")
        anchor = items / seconds
        print(f"anchor (no cluster, 1 supervised worker): {anchor:.2f} articles/s ({seconds:.1f} s)", flush=True)

        throughput: dict[int, float] = {}
        overhead = 0.0
        for workers in (1, 2):
            started = time.perf_counter()
            with local_cluster(workers) as cluster, Client(cluster) as client:
                client.run(partial(warm, settings))
                ready = time.perf_counter() - started
                seconds, items = timed_ingest(folder, Path(tmp) / f"cluster{workers}.db", settings,
                                              cluster.scheduler_address)
                throughput[workers] = items / seconds
                print(f"local:{workers}: {throughput[workers]:.2f} articles/s ({seconds:.1f} s; start-up and"
                      f" model load {ready:.1f} s, not counted), {throughput[workers] / anchor:.2f}x the anchor",
                      flush=True)
                if workers == 2:
                    runner = DaskRunner(cluster.scheduler_address)
                    try:
                        list(runner.map(noop, range(50)))  # the connection and first tasks
                        started = time.perf_counter()
                        assert list(runner.map(noop, range(args.noop))) == list(range(args.noop))
                        overhead = (time.perf_counter() - started) / args.noop
                    finally:
                        runner.close()
    machine_after = machine_efficiency()
    machine = (machine_before + machine_after) / 2
    efficiency = throughput[2] / (2 * throughput[1])
    per_article = 2 / throughput[2]  # seconds of one worker per article
    print(f"scaling efficiency 1 -> 2 workers: {efficiency:.2f} (goal >= 0.8); the machine's own, before and after:"
          f" {machine_before:.2f}, {machine_after:.2f}; the cluster's against the machine's: {efficiency / machine:.2f}")
    print(f"scheduler overhead: {overhead * 1000:.2f} ms per item (a no-op map of {args.noop}),"
          f" {overhead / per_article:.1%} of an article's analysis time on a worker ({per_article:.2f} s)")


if __name__ == "__main__":
    main()
