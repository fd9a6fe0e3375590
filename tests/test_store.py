"""The SQLite store: migrations, versions by URL, rejects bookkeeping, FTS search, raw bytes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from legacy_schema import create_legacy_store
from narrascope.errors import SearchError, StoreError, UsageError
from narrascope.model import Article, RawItem, Reject
from narrascope.store import Filters, open_store
from narrascope.store.migrations import CORE, migration_sets


def make_article(article_id: str, *, url: str | None = None, title: str = "A title", text: str = "Body text.",
                 published: str | None = None, outlet: str | None = None) -> Article:
    return Article(id=article_id, source={"kind": "text", "location": f"/in/{article_id}.txt"}, text=text,
                   title=title, url=url, published=published, outlet=outlet,
                   pipeline={"version": "test", "stages": {}})


def test_new_store_is_migrated_and_in_wal_mode(db: Path, settings) -> None:
    with open_store(db, settings) as store:
        core = [n for (n,) in store.conn.execute("SELECT name FROM _migrations WHERE migration_set = 'core' ORDER BY rowid")]
        mode = store.conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert core == [m.name for m in CORE.migrations]
    assert mode == "wal"


def test_reopening_does_not_migrate_twice(db: Path, settings) -> None:
    open_store(db, settings).close()
    with open_store(db, settings) as store:
        rows = store.conn.execute("SELECT COUNT(*) FROM _migrations").fetchone()[0]
    assert rows == sum(len(s.migrations) for s in migration_sets()) > len(CORE.migrations)


def test_store_from_a_newer_narrascope_is_refused(db: Path, settings) -> None:
    open_store(db, settings).close()
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO _migrations VALUES ('core', 'from the future', '2030-01-01')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError) as info:
        open_store(db, settings)
    assert info.value.code == "NS502"


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path, settings) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n")
    with pytest.raises(StoreError, match="not a SQLite file"):
        open_store(path, settings)
    assert path.read_text() == "these are my notes, not a database\n"


def test_missing_store_is_not_created_by_readers(tmp_path: Path, settings) -> None:
    with pytest.raises(StoreError, match="no store"):
        open_store(tmp_path / "absent.db", settings, create=False)
    assert not (tmp_path / "absent.db").exists()


def test_same_url_becomes_a_new_version_not_an_overwrite(db: Path, settings) -> None:
    with open_store(db, settings) as store, store.transaction():
        store.add_article(make_article("a" * 16, url="https://example.org/x", text="First text."))
        store.add_article(make_article("b" * 16, url="https://example.org/x", text="Second text."))
    with open_store(db, settings) as store:
        latest = list(store.iter_articles())
        every = list(store.iter_articles(Filters(all_versions=True)))
    assert [a.id for a in latest] == ["b" * 16]
    assert latest[0].version == 2 and latest[0].supersedes == "a" * 16
    assert sorted(a.text for a in every) == ["First text.", "Second text."]


def test_rejects_are_counted_not_duplicated(db: Path, settings) -> None:
    reject = Reject(location="/in/bad.txt", code="NS101", reason="empty input", stage="read")
    with open_store(db, settings) as store:
        with store.transaction():
            store.record_reject(reject)
            store.record_reject(reject)
        rows = list(store.iter_rejects())
    assert len(rows) == 1
    assert rows[0]["seen"] == 2 and rows[0]["code"] == "NS101"


def test_storing_a_good_article_clears_the_open_reject_of_its_location(db: Path, settings) -> None:
    with open_store(db, settings) as store:
        with store.transaction():
            store.record_reject(Reject(location="/in/x.txt", code="NS202", reason="too short", stage="extract"))
            store.add_article(_at(make_article("c" * 16), "/in/x.txt"))
        assert list(store.iter_rejects()) == []


def _at(article: Article, location: str) -> Article:
    article.source = {"kind": "text", "location": location}
    return article


def test_raw_bytes_round_trip_compressed(db: Path, settings) -> None:
    item = RawItem(data=("word " * 5000).encode(), media_type="text/plain", source_kind="text",
                   location="/in/long.txt", hints={"url": "https://example.org/long"})
    with open_store(db, settings) as store:
        with store.transaction():
            store.put_raw(item)
        stored_size = store.conn.execute("SELECT LENGTH(data) FROM raw").fetchone()[0]
        back = store.raw_item(item.id)
    assert back is not None
    assert back.data == item.data and back.hints == item.hints and back.id == item.id
    assert stored_size < len(item.data) / 10


def test_search_ranks_title_hits_and_marks_snippets(db: Path, settings) -> None:
    with open_store(db, settings) as store:
        with store.transaction():
            store.add_article(make_article("d" * 16, title="Sanctions on Pyongyang", text="Nothing else here."))
            store.add_article(make_article("e" * 16, title="Weather", text="A note about Pyongyang in passing."))
        hits = store.search("pyongyang")
    assert [h.article.id for h in hits] == ["d" * 16, "e" * 16]
    assert "[Pyongyang]" in hits[1].snippet


def test_search_syntax_error_is_a_coded_error(db: Path, settings) -> None:
    with open_store(db, settings) as store, pytest.raises(SearchError) as info:
        store.search("( - )")  # no word to search for
    assert info.value.code == "NS503"


def test_filters_select_by_outlet_and_date(db: Path, settings) -> None:
    with open_store(db, settings) as store:
        with store.transaction():
            store.add_article(make_article("f" * 16, outlet="DW", published="2018-06-01"))
            store.add_article(make_article("0" * 16, outlet="The Moscow Times", published="2017-08-14"))
            store.add_article(make_article("1" * 16, outlet="DW", published=None))
        dw = [a.id for a in store.iter_articles(Filters(outlet="dw"))]
        recent = [a.id for a in store.iter_articles(Filters(since="2018-01-01"))]
    assert dw == ["f" * 16, "1" * 16]
    assert recent == ["f" * 16]


def test_id_prefixes_resolve_or_fail_clearly(db: Path, settings) -> None:
    with open_store(db, settings) as store:
        with store.transaction():
            store.add_article(make_article("abcd000000000000"))
            store.add_article(make_article("abcd111111111111"))
        assert store.resolve_id("abcd0") == "abcd000000000000"
        for given, message in (("abcd", "ambiguous"), ("ffff", "no article"), ("ab", "too short")):
            with pytest.raises(UsageError, match=message):
                store.resolve_id(given)


def test_filters_take_days_months_and_years_inclusive(db: Path, settings) -> None:
    with open_store(db, settings) as store:
        with store.transaction():
            store.add_article(make_article("2" * 16, published="2017-08-31"))
            store.add_article(make_article("3" * 16, published="2017-09-01T09:30:00+02:00"))
            store.add_article(make_article("4" * 16, published="2018-01-01"))

        def ids(**kw: str) -> list[str]:
            return [a.id[0] for a in store.iter_articles(Filters(**kw))]

        assert ids(until="2017-08") == ["2"]
        assert ids(since="2017-09", until="2017") == ["3"]
        assert ids(until="2017-09-01") == ["2", "3"]  # a time of day on the last day still counts
        assert ids(since="2018") == ["4"]


@pytest.mark.parametrize("value", ["2024-13-01", "2024-02-30", "yesterday", "14/05/2024", "2024-5-1", "20240514"])
def test_a_bad_date_filter_is_a_coded_usage_error(value: str) -> None:
    with pytest.raises(UsageError) as info:
        Filters(since=value)
    assert info.value.code == "NS403"
    assert "--since" in info.value.message and value in info.value.message


def test_rejects_are_indexed_by_digest_and_location(db: Path, settings) -> None:
    with open_store(db, settings) as store:
        indexed = {
            store.conn.execute(f"PRAGMA index_info({name})").fetchone()[2]
            for _seq, name, *_ in store.conn.execute("PRAGMA index_list(rejects)")
        }
        plan = " ".join(row[3] for row in store.conn.execute(
            "EXPLAIN QUERY PLAN DELETE FROM rejects WHERE digest = ?", ("x",)))
    assert {"digest", "location"} <= indexed
    assert "rejects_digest" in plan


def test_a_schema_1_store_is_migrated_to_the_latest_keeping_its_rows(db: Path, settings) -> None:
    create_legacy_store(db, up_to=1)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("INSERT INTO rejects (key, location, stage, code, reason, first_seen, last_seen)"
                 " VALUES ('k', '/in/a.txt', 'read', 'NS101', 'empty input', 'then', 'then')")
    conn.close()
    with open_store(db, settings) as store:
        core = [n for (n,) in store.conn.execute("SELECT name FROM _migrations WHERE migration_set = 'core' ORDER BY rowid")]
        rejects = list(store.iter_rejects())
        names = {row[1] for row in store.conn.execute("PRAGMA index_list(rejects)")}
    assert core == [m.name for m in CORE.migrations]
    assert [r["location"] for r in rejects] == ["/in/a.txt"]
    assert {"rejects_digest", "rejects_location"} <= names


def test_adding_an_article_stored_meanwhile_changes_nothing(db: Path, settings) -> None:
    with open_store(db, settings) as store, open_store(db, settings) as other:
        with other.transaction():
            assert other.add_article(make_article("5" * 16, url="https://example.org/y", text="Theirs."))
        with store.transaction():
            assert not store.add_article(make_article("5" * 16, url="https://example.org/y", text="Ours."))
        rows = store.conn.execute("SELECT text, version, latest FROM articles").fetchall()
    assert rows == [("Theirs.", 1, 1)]


def test_a_locked_store_is_a_coded_store_error(db: Path, tmp_path: Path) -> None:
    from narrascope.settings import load_settings

    config = tmp_path / "impatient.toml"
    config.write_text("[store]\nbusy_timeout_ms = 50\n")
    impatient = load_settings(str(config))
    open_store(db, impatient).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with open_store(db, impatient) as store, pytest.raises(StoreError) as info, store.transaction():
            store.record_reject(Reject(location="/in/x.txt", code="NS101", reason="empty input", stage="read"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert info.value.code == "NS501"
    assert "locked" in info.value.message and "busy_timeout_ms" in info.value.message
    assert "\n" not in str(info.value)


def test_facet_filters_use_an_index(tmp_path) -> None:
    """The outlet, genre and language filters compare case-insensitively; the indexes must match."""
    from narrascope.settings import load_settings
    from narrascope.store import Filters, open_store

    with open_store(tmp_path / "plan.db", load_settings()) as store:
        for column in ("outlet", "genre", "language"):
            where, params = Filters(**{column: "x"}).where("a")
            plan = " ".join(str(row[-1]) for row in store.conn.execute(
                f"EXPLAIN QUERY PLAN SELECT a.id FROM articles a WHERE {where}", params))
            assert f"articles_latest_{column} (latest=? AND {column}=?)" in plan, plan
