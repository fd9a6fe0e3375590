"""Narratives on many unrelated articles: the work stays linear, candidates close after some weeks.

A general news dump is mostly articles that match nothing: each one starts a candidate. Without
closing the old candidates, every article was compared with every earlier one (quadratic work;
100,000 unrelated articles did not finish in 13 CPU-minutes). These tests count the work
(``NarrativeModel.comparisons``: document-centroid pairs scored) rather than time it.
"""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import date, timedelta
from pathlib import Path

from conftest import run_cli
from narrascope.corpus import derived_state
from narrascope.corpus.narratives import update_narratives
from narrascope.corpus.narratives_model import NarrativeModel, make_doc
from narrascope.settings import NarrativesSettings, load_settings
from narrascope.store import open_store

START = date(2024, 1, 1)  # a Monday
WEEKS = 40
PER_WEEK = 60
SYLLABLES = ("ka", "lo", "mi", "ren", "tu", "sa", "vel", "dor", "pi", "nax", "qui", "bel", "tor", "fen", "gu")
COMMON = ("government", "minister", "country", "officials", "report", "security", "economy", "president",
          "policy", "region", "border", "talks")


def vocabulary(rng: random.Random, n: int = 4000) -> list[str]:
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def unrelated(seed: int = 3, weeks: int = WEEKS, per_week: int = PER_WEEK) -> list[tuple[int, str, str]]:
    """(key, day, text): ``per_week`` articles a week of random words (a few common ones), no stories."""
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    out = []
    for week in range(weeks):
        for i in range(per_week):
            text = " ".join(rng.choice(COMMON) if rng.random() < 0.15 else rng.choice(vocab) for _ in range(80))
            out.append((len(out) + 1, (START + timedelta(days=7 * week + i % 7)).isoformat(), text))
    return out


def cluster(articles: list[tuple[int, str, str]], **options: int) -> tuple[NarrativeModel, dict[int, int]]:
    model = NarrativeModel(seed=0, **options)
    assigned = model.add([make_doc(key, f"a{key}", day, text=text) for key, day, text in articles])
    return model, {key: narrative for key, (narrative, _score) in assigned.items()}   # key -> narrative id


def test_unrelated_articles_cost_linear_work() -> None:
    articles = unrelated()
    n = len(articles)
    model, assigned = cluster(articles)
    # nothing matches: one candidate per article, all kept with stable ids 1..n
    assert sorted(assigned.values()) == list(range(1, n + 1))
    assert all(meta["size"] == 1 and meta["merged_into"] is None for meta in model.meta)
    # but only the candidates of the last weeks stay open to new articles
    open_bound = (NarrativesSettings().candidate_weeks + 1) * PER_WEEK
    assert len(model._open) <= open_bound
    # each article is scored against at most those (and so is each touched centroid, for merges)
    assert model.comparisons <= 2 * n * open_bound
    # the old behaviour (never close a candidate) compares every article with every earlier one
    unbounded, _ = cluster(articles, candidate_weeks=0)
    assert len(unbounded._open) == n
    assert unbounded.comparisons > 3 * model.comparisons
    assert unbounded.comparisons > 2 * n * open_bound


def story(rng: random.Random, words: list[str]) -> str:
    return " ".join(rng.choice(words) for _ in range(60))


def test_candidate_closes_after_weeks_without_an_article() -> None:
    rng = random.Random(5)
    vocab = vocabulary(rng, 600)
    near, far = vocab[:40], vocab[40:80]   # two stories with their own words
    noise = unrelated(seed=9, weeks=8, per_week=5)
    day = {w: (START + timedelta(days=7 * w + 1)).isoformat() for w in range(8)}
    articles = [(1, day[0], story(rng, near)), (2, day[0], story(rng, far)),
                (3, day[3], story(rng, near)),   # 3 weeks after its last article: joins
                (4, day[6], story(rng, far))]    # 6 weeks after: the candidate has closed
    articles += [(100 + key, d, text) for key, d, text in noise]
    model, assigned = cluster(articles, candidate_weeks=4)
    assert assigned[3] == assigned[1]
    assert assigned[4] != assigned[2]
    assert model.meta[model.rows[assigned[2]]]["size"] == 1   # the closed candidate is kept as it was
    _, never = cluster(articles, candidate_weeks=0)
    assert never[3] == never[1] and never[4] == never[2]


def test_closing_survives_the_saved_state() -> None:
    articles = unrelated(weeks=12, per_week=20)
    model, _ = cluster(articles[:200], candidate_weeks=2)
    state = json.loads(json.dumps(model.to_state()))
    assert state["candidate_weeks"] == 2
    again = NarrativeModel.from_state(state)
    assert again.candidate_weeks == 2
    again.add([make_doc(key, f"a{key}", day, text=text) for key, day, text in articles[200:]])
    assert len(again._open) <= 3 * 20
    once, _ = cluster(articles, candidate_weeks=2)
    assert len(again.meta) == len(once.meta) == len(articles)


def test_candidate_weeks_setting_reaches_the_run(tmp_path: Path) -> None:
    config = tmp_path / "narr.toml"
    config.write_text('[pipeline]\nstages = ["genre"]\n[narratives]\ncandidate_weeks = 1\n')
    rows = unrelated(weeks=4, per_week=3)
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"url": f"https://example.org/{k}", "title": text[:40], "published": day,
                                          "text": text}) + "\n" for k, day, text in rows), encoding="utf-8")
    db = tmp_path / "n.db"
    result = run_cli("--config", str(config), "ingest", str(source), "--db", str(db))
    assert result.exit_code == 0, result.output
    settings = load_settings(config)
    assert settings.narratives.candidate_weeks == 1
    with open_store(db, settings) as store:
        summary = update_narratives(store, settings)
        state = derived_state(store, "narratives")
    assert summary["narratives"] == {"candidate": len(rows)}
    assert state is not None and state.inputs["candidate_weeks"] == 1 and state.state["candidate_weeks"] == 1
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM narratives").fetchone()[0] == len(rows)
