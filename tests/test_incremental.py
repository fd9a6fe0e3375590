"""The shared incremental-update loop (``corpus/incremental.py``) on a real store, with a small
analysis written here: one row per word of each article's title."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from narrascope.corpus import derived_state
from narrascope.corpus.incremental import update_incrementally
from narrascope.model import Article
from narrascope.store import Store, open_store


def store_articles(store: Store, titles: dict[str, str]) -> None:
    """Store one article per (url, title); a URL stored before gets a new version."""
    with store.transaction():
        for url, title in titles.items():
            store.add_article(Article(id=f"{url}|{title}", source={"kind": "text", "location": url}, url=url,
                                      title=title, text=f"{title}. Nothing else happened."))


def words(store: Store, *, full: bool = False, fail_on: str | None = None, batch_size: int = 2) -> Any:
    """Run the word analysis; ``fail_on`` makes the batch holding that title raise."""
    store.conn.execute("CREATE TABLE IF NOT EXISTS demo_words (article_rowid INTEGER, word TEXT)")
    seen: dict[str, int] = {}

    def begin(saved: Any) -> None:
        seen["batches"] = (saved or {}).get("batches", 0)

    def add(batch: list[tuple[int, dict[str, Any]]]) -> None:
        seen["batches"] += 1
        for rowid, record in batch:
            store.conn.executemany("INSERT INTO demo_words VALUES (?, ?)",
                                   [(rowid, w) for w in record["title"].lower().split()])
            if record["title"] == fail_on:
                raise RuntimeError("killed mid-run")

    return update_incrementally(store, name="demo", version="1", inputs={"fields": ["articles.title"]}, full=full,
                                tables=("demo_words",), begin=begin, add=add, state=lambda: dict(seen),
                                finish=lambda: store.conn.execute("SELECT COUNT(*) FROM demo_words").fetchone()[0],
                                batch_size=batch_size)


def table(store: Store) -> list[tuple[str, str]]:
    return sorted(store.conn.execute(
        "SELECT a.url, w.word FROM demo_words w JOIN articles a ON a.rowid = w.article_rowid"))


def test_incremental_runs_equal_a_full_run(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        store_articles(store, {"u1": "red fox", "u2": "blue whale", "u3": "green frog"})
        first = words(store)
        assert (first.full, first.added, first.removed, first.articles) == (True, 3, 0, 3)
        assert first.finished == 6
        # a new article and a new version of u1: u1's old words go, its new ones come
        store_articles(store, {"u4": "grey wolf", "u1": "black cat"})
        second = words(store)
        assert (second.full, second.added, second.removed, second.articles) == (False, 2, 1, 4)
        assert second.watermark > first.watermark
        incremental = table(store)
        assert ("u1", "fox") not in incremental and ("u1", "cat") in incremental
        again = words(store)  # nothing new: nothing changes
        assert (again.added, again.removed, again.articles) == (0, 0, 4) and table(store) == incremental
        full = words(store, full=True)
        assert full.full and full.articles == 4 and table(store) == incremental
        state = derived_state(store, "demo")
        assert state is not None and state.watermark == full.watermark and state.state == {"batches": 2}


def test_an_interrupted_run_resumes_after_its_last_batch(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        store_articles(store, {"u1": "one", "u2": "two", "u3": "three", "u4": "four", "u5": "five"})
        with pytest.raises(RuntimeError):
            words(store, fail_on="three")
        state = derived_state(store, "demo")
        # the first batch (one, two) is recorded; the failing batch left nothing behind
        assert state is not None and state.articles == 2 and state.state == {"batches": 1}
        assert [w for _u, w in table(store)] == ["one", "two"]
        resumed = words(store)
        assert (resumed.full, resumed.added, resumed.articles) == (False, 3, 5)
        assert sorted(w for _u, w in table(store)) == ["five", "four", "one", "three", "two"]
        assert derived_state(store, "demo").state == {"batches": 3}  # type: ignore[union-attr]
