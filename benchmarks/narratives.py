"""Narratives benchmark: clustering agreement, time for 100,000 articles, incremental cost.

A labelled corpus is built from the development texts in ../shared/data (PTC, PolNeAR, WCXB and
AEB bodies): every source article is a *story*; its member articles are variants, each a random
4-10 of its sentences in a new order with a tenth of the words dropped, plus two sentences from
random other articles as noise. Each story lives a random 1-12 weeks inside one year; members are
dated uniformly across its life. Nothing from the data is copied into the repository.

Reported (Done-when 3 of issue 4):

- adjusted mutual information of the narratives against the stories (all articles; candidates
  under 3 articles count as their own clusters);
- the time of a full run of the library core (tokenise + hashed TF-IDF + streaming clustering +
  weekly split/merge + series and events) on N in-memory articles, default 100,000. The SQLite
  path (ingest + ``update_narratives`` with evidence) is timed separately on ``--store`` articles,
  since ingesting 100,000 articles through the pipeline is a benchmark of ingest, not of this;
- adding 1% new articles to the clustered corpus: the time (state reload + new articles +
  state save) over the full run, and the fraction of the existing articles whose narrative id
  is unchanged.

    .venv/bin/python benchmarks/narratives.py                  # 100,000 articles
    .venv/bin/python benchmarks/narratives.py --articles 10000 --store 2000
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sklearn.metrics import adjusted_mutual_info_score

from narrascope.corpus import narratives_model as nm
from narrascope.corpus.narratives import _tables, tunables
from narrascope.settings import Settings

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SENTENCE = re.compile(r"[^.!?\n]+[.!?]")
YEAR = date(2024, 1, 1)


def source_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted((DATA / "ptc" / "articles").glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8", errors="replace")
              for p in sorted((DATA / "polnear" / "train" / "text").glob("*.txt"))]
    for p in sorted((DATA / "wcxb" / "ground-truth").glob("*.json")):
        truth = json.loads(p.read_text(encoding="utf-8")).get("ground_truth", {})
        texts.append(truth.get("main_content") or "")
    aeb = json.loads((DATA / "aeb" / "ground-truth.json").read_text(encoding="utf-8"))
    texts += [v.get("articleBody") or "" for _, v in sorted(aeb.items())]
    return texts


def stories(min_sentences: int = 8) -> list[list[str]]:
    out = []
    for text in source_texts():
        sentences = [s.strip() for s in SENTENCE.findall(text) if len(s.split()) >= 6]
        if len(sentences) >= min_sentences:
            out.append(sentences)
    return out


def build_corpus(n: int, seed: int) -> tuple[list[tuple[int, str, str]], list[int]]:
    """(key, day, text) of ``n`` articles and their story labels."""
    rng = random.Random(seed)
    pool = stories()
    life = [(rng.randrange(52), rng.randint(1, 12)) for _ in pool]
    articles, labels = [], []
    for key in range(1, n + 1):
        story = rng.randrange(len(pool))
        sentences = pool[story]
        chosen = rng.sample(sentences, min(len(sentences), rng.randint(4, 10)))
        for _ in range(2):
            other = pool[rng.randrange(len(pool))]
            chosen.insert(rng.randrange(len(chosen) + 1), other[rng.randrange(len(other))])
        text = " ".join(" ".join(w for w in s.split() if rng.random() > 0.1) for s in chosen)
        start, weeks = life[story]
        day = YEAR + timedelta(days=7 * start + rng.randrange(7 * weeks))
        articles.append((key, day.isoformat(), text))
        labels.append(story)
    return articles, labels


def full_run(articles: list[tuple[int, str, str]], seed: int) -> tuple[nm.NarrativeModel, dict[int, tuple[int, float]]]:
    model = nm.NarrativeModel.from_settings(Settings().narratives, seed=seed)
    docs = [nm.make_doc(key, f"a{key}", day, text=text, keep_text=False, terms=model.terms)
            for key, day, text in articles]
    model.count_df(docs)
    assigned = model.add(docs, count_df=False)
    _tables(model, tunables(Settings()))
    return model, assigned


def store_run(n: int, seed: int) -> dict[str, float]:
    """The SQLite path on ``n`` articles: ingest (language, genre), full update, then +1%."""
    from narrascope.corpus.narratives import update_narratives
    from narrascope.ingest import ingest
    from narrascope.settings import load_settings
    from narrascope.store import open_store

    articles, _labels = build_corpus(n, seed)
    cut = n - max(1, n // 100)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = folder / "fast.toml"
        config.write_text('[pipeline]\nstages = ["language", "genre"]\n')
        settings = load_settings(str(config))
        for name, part in (("old.jsonl", articles[:cut]), ("new.jsonl", articles[cut:])):
            (folder / name).write_text("".join(
                json.dumps({"url": f"https://example.org/{k}", "title": t[:60], "published": d, "text": t}) + "\n"
                for k, d, t in part), encoding="utf-8")
        db = folder / "bench.db"
        t0 = time.perf_counter()
        ingest([str(folder / "old.jsonl")], db=db, settings=settings)
        ingested = time.perf_counter() - t0
        with open_store(db, settings) as store:
            t0 = time.perf_counter()
            update_narratives(store, settings, full=True, seed=seed)
            full = time.perf_counter() - t0
            before = dict(store.conn.execute("SELECT article, narrative FROM narrative_members").fetchall())
        ingest([str(folder / "new.jsonl")], db=db, settings=settings)
        with open_store(db, settings) as store:
            t0 = time.perf_counter()
            update_narratives(store, settings, seed=seed)
            incremental = time.perf_counter() - t0
            after = dict(store.conn.execute("SELECT article, narrative FROM narrative_members").fetchall())
    kept = sum(after.get(a) == n_ for a, n_ in before.items()) / max(1, len(before))
    return {"store_articles": n, "store_ingest_s": round(ingested, 2), "store_full_s": round(full, 2),
            "store_incremental_s": round(incremental, 2), "store_ratio": round(incremental / full, 4),
            "store_ids_kept": round(kept, 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--store", type=int, default=5000, help="articles for the SQLite path (0: skip)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    t0 = time.perf_counter()
    articles, labels = build_corpus(args.articles, args.seed)
    print(f"corpus: {len(articles)} articles from {len(set(labels))} stories"
          f" ({time.perf_counter() - t0:.1f} s to build)", file=sys.stderr)

    t0 = time.perf_counter()
    model, assigned = full_run(articles, args.seed)
    json.dumps(model.to_state())
    full_s = time.perf_counter() - t0
    predicted = [model.resolve(assigned[key][0]) for key, _, _ in articles]
    ami = adjusted_mutual_info_score(labels, predicted)
    statuses: dict[str, int] = {}
    for row in _tables(model, tunables(Settings()))[0]:
        statuses[row[10]] = statuses.get(row[10], 0) + 1

    # +1%: cluster 99%, save the state, then add the held-out 1% (a random sample, all weeks)
    rng = random.Random(args.seed)
    held = set(rng.sample(range(len(articles)), max(1, len(articles) // 100)))
    old = [a for i, a in enumerate(articles) if i not in held]
    new = [a for i, a in enumerate(articles) if i in held]
    base, base_assigned = full_run(old, args.seed)
    state = json.dumps(base.to_state())
    t0 = time.perf_counter()
    model2 = nm.NarrativeModel.from_state(json.loads(state))
    docs = [nm.make_doc(key, f"a{key}", day, text=text, keep_text=False, terms=model2.terms) for key, day, text in new]
    model2.add(docs)
    _tables(model2, tunables(Settings()))
    json.dumps(model2.to_state())
    incremental_s = time.perf_counter() - t0
    kept = sum(model2.resolve(n) == n for n, _ in base_assigned.values()) / len(base_assigned)

    report = {
        "articles": len(articles), "stories": len(set(labels)), "ami": round(ami, 4),
        "narratives": statuses, "full_run_s": round(full_s, 2),
        "incremental_articles": len(new), "incremental_s": round(incremental_s, 3),
        "incremental_ratio": round(incremental_s / full_s, 4), "ids_kept": round(kept, 4),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    if args.store:
        report.update(store_run(args.store, args.seed))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
