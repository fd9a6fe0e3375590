#!/usr/bin/env python3
"""Workbench speed: latency of the search page and the JSON API, and the server's memory, on a large store.

The store: N articles (default 100,000) generated directly, without the analysis pipeline. The
bodies are sampled from the word bigram model ``benchmarks/reuse.py`` trains on the development
texts in ../shared/data (read, never copied); each article has one of 50 outlets, a genre, a date
in 2023-2024, a title from its first words, and about a third of them name actors (with mention
offsets) and carry a quote by one of them, so the article page has highlights to draw and the
actor page has something to find; techniques, topics and stances are drawn from skewed
distributions (a few dominate, as in real output), so the facet filters and counts have work.
A handful of made-up rare words are planted in ~10 articles each (the "rare term" searches). Records are written through the real store API
(``open_store`` + ``Store.add_article``, 5,000 articles a transaction), so the full-text index
and every trigger are the ones ``narrascope ingest`` maintains. ``--db FILE`` reuses a store
built before (it is built there when the file does not exist).

Then the real server runs as a subprocess (``narrascope serve --db FILE --port <free port>``)
and a client (httpx, keep-alive) measures, per endpoint: the first hit after start-up (cold:
the process's first request of that kind, the facet cache empty; the OS file cache is warm
from the build), then after a warm-up ``--requests`` sequential requests with varying
parameters (p50/p95/max), then the same with 2 concurrent clients. The server's resident memory
(VmRSS) is sampled every 20 ms: at start, peak (and VmHWM), at the end.

Endpoints: the search page with a common and a rare term, with facets (outlet and genre, with
and without a term; actor, technique and topic, state; a one-month date range), ``/api/articles?q=``,
``/api/articles`` with a technique and a topic, ``/api/articles?limit=20&offset=`` (offsets over the
whole store), ``/api/articles/ID``, the article page and the actor page (plus ``/api/actors/ID``).
The goal (issue 5): p95 under 200 ms on this machine for each.

Usage:
    .venv/bin/python benchmarks/serve.py                           # 100,000 articles
    .venv/bin/python benchmarks/serve.py --articles 5000           # a quick run
    .venv/bin/python benchmarks/serve.py --db /tmp/bench.db        # build once, then reuse
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import reuse  # noqa: E402  (benchmarks/reuse.py: the bigram model; importing it runs nothing)

NARRASCOPE = Path(sys.executable).parent / "narrascope"
OUTLETS = [f"outlet-{i:02d}.example" for i in range(50)]
GENRES = ["reporting"] * 6 + ["opinion"] * 3 + ["satire", "other"]
ACTORS = [
    ("person:anna-keller", "Anna Keller", "person", "DEU"), ("person:john-miller", "John Miller", "person", "USA"),
    ("person:maria-santos", "Maria Santos", "person", "BRA"), ("person:ivan-petrov", "Ivan Petrov", "person", "RUS"),
    ("person:li-wei", "Li Wei", "person", "CHN"), ("person:sarah-cohen", "Sarah Cohen", "person", "ISR"),
    ("person:ahmed-hassan", "Ahmed Hassan", "person", "EGY"), ("person:olga-kovalenko", "Olga Kovalenko", "person", "UKR"),
    ("org:un", "the United Nations", "organization", None), ("org:nato", "NATO", "organization", None),
    ("org:who", "the World Health Organization", "organization", None), ("org:eu", "the European Union", "organization", None),
    ("USA", "the United States", "state", "USA"), ("RUS", "Russia", "state", "RUS"), ("CHN", "China", "state", "CHN"),
    ("UKR", "Ukraine", "state", "UKR"), ("DEU", "Germany", "state", "DEU"), ("FRA", "France", "state", "FRA"),
] + [(f"person:official-{i:03d}", f"Official Number{i:03d}", "person", None) for i in range(200)]
TOPICS = ["alliances_security", "cyber", "diplomacy", "elections", "energy", "great_power_rivalry", "human_rights",
          "information_operations", "migration", "nuclear_proliferation", "regime_change", "sanctions", "terrorism",
          "trade_economy", "war"]
TECHNIQUES = ["Loaded_Language", "Name_Calling-Labeling", "Doubt", "Exaggeration-Minimisation", "Appeal_to_Fear-Prejudice",
              "Flag_Waving", "Repetition", "Causal_Oversimplification", "Questioning_the_Reputation", "Slogans",
              "Appeal_to_Authority", "Whataboutism", "Straw_Man", "Red_Herring", "Appeal_to_Hypocrisy"]
RARE = [f"quorvantine{c}" for c in "abcdefghij"]
COMMON = ["said", "government", "people", "president", "state"]
BATCH = 5_000
GOAL_MS = 200.0


# -- the store ------------------------------------------------------------------------------------

def article_record(i: int, paragraphs: list[str], rng: random.Random):  # -> narrascope.model.Article
    from narrascope.model import Article

    actors: dict[str, dict] = {}
    quotes: list[dict] = []
    parts: list[str] = []
    pos = 0

    def add(piece: str) -> int:
        nonlocal pos
        start = pos
        parts.append(piece)
        pos += len(piece)
        return start

    named = rng.random() < 0.35
    chosen = rng.sample(ACTORS, rng.randint(1, 4)) if named else []
    if i % 10_000 < 10:  # ~10 articles per rare word
        paragraphs = list(paragraphs)
        paragraphs[0] = f"{paragraphs[0]} The {RARE[(i // 10_000) % len(RARE)]} matter came up again."
    for p, paragraph in enumerate(paragraphs):
        if p:
            add("\n\n")
        if chosen and p < len(chosen):
            actor_id, name, kind, country = chosen[p]
            start = add(name)
            add(" said: \u201c")
            q_start = pos - 1
            add(paragraph)
            add("\u201d")
            entry = actors.setdefault(actor_id, {"id": actor_id, "name": name, "kind": kind, "country": country,
                                                 "role": None, "mentions": []})
            entry["mentions"].append({"start": start, "end": start + len(name), "text": name})
            quotes.append({"speaker": name, "speaker_actor": actor_id, "speaker_role": None, "cue": "said",
                           "content": paragraph, "start": q_start, "end": pos, "direct": True, "anonymous": False, "partial": False,
                           "speaker_span": {"start": start, "end": start + len(name)}})
        else:
            add(paragraph)
    text = "".join(parts)
    # Techniques (spans of the first words), topics and stances: what the facets and the actor
    # page's stance chart read. Skewed like real output: a few techniques and topics dominate.
    techniques = []
    for _ in range(min(len(TECHNIQUES), int(rng.expovariate(0.6)))):
        name = TECHNIQUES[min(len(TECHNIQUES) - 1, int(rng.expovariate(0.35)))]
        start = rng.randrange(max(1, len(text) - 40))
        techniques.append({"name": name, "start": start, "end": start + 30, "text": text[start:start + 30],
                           "score": round(rng.uniform(0.5, 1.0), 3)})
    topics = sorted({TOPICS[min(len(TOPICS) - 1, int(rng.expovariate(0.3)))] for _ in range(rng.randint(0, 3))})
    stances = [{"holder": actor_id, "target": rng.choice(ACTORS[12:18])[0], "polarity": round(rng.uniform(-1, 1), 2),
                "evidence": []} for actor_id in list(actors)[:2]]
    day = rng.randrange(730)
    published = (np.datetime64("2023-01-01") + np.timedelta64(day, "D")).astype(str)
    title = " ".join(paragraphs[0].split()[:9]).rstrip(".,;:!?")
    outlet = OUTLETS[rng.randrange(len(OUTLETS))]
    digest = hashlib.sha256(f"bench-serve-{i}".encode()).hexdigest()[:16]
    return Article(id=digest, source={"kind": "jsonl", "location": f"bench.jsonl:{i + 1}"}, text=text, title=title,
                   url=f"https://{outlet}/news/{i}", outlet=outlet, authors=[f"Author {rng.randrange(500)}"],
                   published=published, language="en", genre=GENRES[rng.randrange(len(GENRES))],
                   actors=list(actors.values()), quotes=quotes, techniques=techniques, topics=topics,
                   stances=stances,
                   pipeline={"version": "bench-serve", "stages": ["language", "genre"]})


def build_store(db: Path, n: int, seed: int, words: int) -> dict:
    from narrascope.store import open_store

    t0 = time.perf_counter()
    np_rng = np.random.default_rng(seed)
    rng = random.Random(seed)
    model = reuse.bigram_model(reuse.TRAINING)
    t_model = time.perf_counter() - t0
    stored = 0
    with open_store(db) as store:
        for lo in range(0, n, BATCH):
            hi = min(n, lo + BATCH)
            ids = reuse.sample(model, hi - lo, words, np_rng)
            articles = []
            for k in range(hi - lo):
                paragraphs = reuse.detokenize(model[0], ids[k], np_rng) or ["Nothing to report here today."]
                articles.append(article_record(lo + k, paragraphs, rng))
            with store.transaction():
                stored += sum(store.add_article(a) for a in articles)
            print(f"  built {hi:,}/{n:,} articles ({time.perf_counter() - t0:.0f} s)", flush=True)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.conn.execute("PRAGMA optimize")
    return {"stored": stored, "seconds": time.perf_counter() - t0, "model_seconds": t_model}


# -- the server -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class RssSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, rss_kb(self.pid))
            time.sleep(0.02)


def start_server(db: Path, port: int, log: Path) -> subprocess.Popen:
    with open(log, "wb") as err:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen([str(NARRASCOPE), "serve", "--db", str(db), "--port", str(port)],
                                stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/static/does-not-exist", timeout=1).status_code:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("the server did not answer within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- the measurement ------------------------------------------------------------------------------

def endpoints(db: Path, rng: random.Random) -> tuple[dict[str, list[str]], int]:
    """Per endpoint, a pool of URLs (paths) to cycle through, so no two consecutive requests are alike."""
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    total = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    ids = [r[0] for r in conn.execute("SELECT id FROM articles ORDER BY random() LIMIT 200")]
    window = conn.execute("SELECT MAX(rowid) FROM articles").fetchone()[0] - 2000
    named = [r[0] for r in conn.execute(
        "SELECT DISTINCT json_extract(j.value, '$.id') FROM articles, json_each(articles.record, '$.actors') j"
        " WHERE articles.rowid > ? LIMIT 300", (window,))]
    matches = {w: conn.execute("SELECT COUNT(*) FROM articles_fts WHERE articles_fts MATCH ?", (w,)).fetchone()[0]
               for w in COMMON + RARE[:1]}
    conn.close()
    print("terms (articles matching): " + ", ".join(f"{w} {k:,}" for w, k in matches.items()) + f", other rare"
          f" words alike; {len(named)} actors named in the newest 2,000 articles", flush=True)
    q = urlencode
    pool = {
        "search page, common term": [f"/?{q({'q': w})}" for w in COMMON],
        "search page, rare term": [f"/?{q({'q': w})}" for w in RARE],
        "search page, term + outlet + genre": [
            f"/?{q({'q': rng.choice(COMMON), 'outlet': rng.choice(OUTLETS), 'genre': rng.choice(GENRES)})}"
            for _ in range(50)],
        "search page, outlet + genre (no term)": [
            f"/?{q({'outlet': rng.choice(OUTLETS), 'genre': rng.choice(GENRES)})}" for _ in range(50)],
        "search page, term + actor": [
            f"/?{q({'q': rng.choice(COMMON), 'actor': rng.choice(ACTORS)[0]})}" for _ in range(50)],
        "search page, term + technique + topic": [
            f"/?{q({'q': rng.choice(COMMON), 'technique': rng.choice(TECHNIQUES), 'topic': rng.choice(TOPICS)})}"
            for _ in range(50)],
        "search page, term + one month": [
            f"/?{q({'q': rng.choice(COMMON), 'since': m, 'until': m})}"
            for m in (f"{2023 + rng.randrange(2)}-{1 + rng.randrange(12):02d}" for _ in range(50))],
        "search page, actor (no term)": [f"/?{q({'actor': rng.choice(ACTORS)[0]})}" for _ in range(50)],
        "search page, technique + state (no term)": [
            f"/?{q({'technique': rng.choice(TECHNIQUES), 'state': rng.choice(ACTORS[12:18])[0]})}" for _ in range(50)],
        "search page, topic, deep page": [
            f"/?{q({'topic': rng.choice(TOPICS), 'offset': rng.randrange(0, 2000)})}" for _ in range(50)],
        "/api/articles?q=common": [f"/api/articles?{q({'q': w})}" for w in COMMON],
        "/api/articles?technique=&topic=": [
            f"/api/articles?{q({'technique': rng.choice(TECHNIQUES), 'topic': rng.choice(TOPICS)})}" for _ in range(50)],
        "/api/articles?limit=20&offset=N": [
            f"/api/articles?limit=20&offset={rng.randrange(0, max(1, min(total - 20, 100_000)))}" for _ in range(50)],
        "/api/articles/ID": [f"/api/articles/{i}" for i in ids],
        "article page": [f"/articles/{i}" for i in ids],
        "actor page": [f"/actors/{a}" for a in named[:100]] or ["/actors/USA"],
        "/api/actors/ID": [f"/api/actors/{a}" for a in named[:100]] or ["/api/actors/USA"],
    }
    return pool, int(total)


def timed_get(client: httpx.Client, path: str) -> float:
    t0 = time.perf_counter()
    r = client.get(path)
    elapsed = (time.perf_counter() - t0) * 1000
    if r.status_code != 200:
        raise SystemExit(f"GET {path} -> {r.status_code}: {r.text[:300]}")
    return elapsed


def pct(values: list[float], p: float) -> float:
    return float(np.percentile(values, p)) if values else float("nan")


def measure(base: str, pool: dict[str, list[str]], requests: int, clients: int) -> dict[str, list[float]]:
    """``requests`` GETs per endpoint, spread over ``clients`` threads each with its own connection."""
    out: dict[str, list[float]] = {}
    for name, urls in pool.items():
        per = [urls[(c + k * clients) % len(urls)] for c in range(clients) for k in range(requests // clients)]
        chunks = [per[c * (requests // clients):(c + 1) * (requests // clients)] for c in range(clients)]

        def work(chunk: list[str]) -> list[float]:
            with httpx.Client(base_url=base, timeout=120) as client:
                return [timed_get(client, u) for u in chunk]

        with ThreadPoolExecutor(clients) as ex:
            out[name] = [t for part in ex.map(work, chunks) for t in part]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--words", type=int, default=450, help="Words sampled per article (default 450).")
    parser.add_argument("--db", type=Path, help="Store to use; built there (and kept) when the file does not exist.")
    parser.add_argument("--requests", type=int, default=60, help="Measured requests per endpoint (default 60).")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "serve.db"
        if db.exists():
            print(f"store: reusing {db}")
        else:
            print(f"store: building {args.articles:,} articles in {db}", flush=True)
            built = build_store(db, args.articles, args.seed, args.words)
            print(f"store: {built['stored']:,} articles in {built['seconds']:.0f} s"
                  f" (bigram model {built['model_seconds']:.0f} s), {db.stat().st_size / 2**20:.0f} MB")
        rng = random.Random(args.seed)
        pool, n = endpoints(db, rng)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = start_server(db, port, Path(tmp) / "server.log")
        try:
            rss_start = rss_kb(proc.pid)
            sampler = RssSampler(proc.pid)
            sampler.start()
            with httpx.Client(base_url=base, timeout=120) as client:
                cold = {name: timed_get(client, urls[0]) for name, urls in pool.items()}
                for urls in pool.values():  # warm-up
                    for u in urls[1:4]:
                        timed_get(client, u)
            sequential = measure(base, pool, args.requests, 1)
            concurrent = measure(base, pool, args.requests, 2)
            sampler.stop.set()
            sampler.join()
            rss_end, hwm = rss_kb(proc.pid), rss_kb(proc.pid, "VmHWM")
        finally:
            stop_server(proc)
    print(f"\nserver: narrascope serve on {n:,} articles, {os.cpu_count()} CPUs; {args.requests} requests per endpoint")
    print(f"{'endpoint':40} {'cold':>8} | {'p50':>7} {'p95':>7} {'max':>7} | {'2 clients p50':>13} {'p95':>7}"
          f" | goal p95 < {GOAL_MS:.0f} ms")
    for name in pool:
        s, c = sequential[name], concurrent[name]
        p95 = pct(s, 95)
        print(f"{name:40} {cold[name]:8.1f} | {pct(s, 50):7.1f} {p95:7.1f} {max(s):7.1f} | {pct(c, 50):13.1f}"
              f" {pct(c, 95):7.1f} | {'met' if p95 < GOAL_MS else 'NOT met'}"
              f"{'' if pct(c, 95) < GOAL_MS else ' (2 clients: not met)'}")
    print("(milliseconds, measured at the client over keep-alive connections)")
    worst = max(sequential, key=lambda k: pct(sequential[k], 95))
    print(f"slowest p95: {worst} {pct(sequential[worst], 95):.1f} ms = {pct(sequential[worst], 95) / GOAL_MS:.2f} x the"
          f" goal; all sequential p95 under goal: {'met' if pct(sequential[worst], 95) < GOAL_MS else 'NOT met'}")
    print(f"server memory (VmRSS): start {rss_start / 1024:.0f} MB, peak {max(sampler.peak, rss_end) / 1024:.0f} MB"
          f" (VmHWM {hwm / 1024:.0f} MB), end {rss_end / 1024:.0f} MB")
    print(f"whole run {time.perf_counter() - start:.0f} s; median of all sequential requests"
          f" {statistics.median([t for v in sequential.values() for t in v]):.1f} ms")


if __name__ == "__main__":
    main()
