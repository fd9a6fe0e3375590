"""Facets (issue 5): migration 8's article_facets and article_stances, the --actor/--state/--technique/
--topic/--narrative filters in the library, the CLI, the JSON API and the search page.

The articles are hand-written records stored through the real store API (``Store.add_article``,
as ``ingest`` and ``import`` do), so every facet value is known; expectations come from a plain
Python scan of the records, never from the tables under test.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient

from conftest import run_cli
from legacy_schema import create_legacy_store
from narrascope.errors import UsageError
from narrascope.model import Article
from narrascope.settings import load_settings
from narrascope.store import FACETS, Filters, Store, open_store
from narrascope.store.migrations import CORE, schema_version
from narrascope.web.app import create_app

BODY = ("Talks in Geneva went on for a third day. {who} told reporters that the sanctions were a mistake,"
        " and delegates said the talks could end without a deal. {extra}")


def actor(actor_id: str, name: str, kind: str, country: str | None) -> dict[str, Any]:
    return {"id": actor_id, "name": name, "kind": kind, "country": country, "role": None, "mentions": []}


def technique(name: str, start: int = 0) -> dict[str, Any]:
    return {"name": name, "start": start, "end": start + 5, "text": "Talks", "score": 0.9}


def stance(holder: str, target: str, polarity: float) -> dict[str, Any]:
    return {"holder": holder, "target": target, "polarity": polarity, "evidence": []}


LAVROV = actor("person:sergey-lavrov", "Sergey Lavrov", "person", "RUS")
RUSSIA = actor("RUS", "Russia", "state", "RUS")
USA = actor("USA", "the United States", "state", "USA")
NATO = actor("org:nato", "NATO", "organization", None)
KIM = actor("person:kim-jong-un", "Kim Jong Un", "person", "PRK")
UN = actor("org:un", "the United Nations", "organization", None)
# A hostile name: the search page must print it as text.
UKRAINE = actor("UKR", "Ukraine", "state", None)  # a state actor whose record gives no country
EVIL = actor("org:evil", "<script>alert('x')</script> Bureau", "organization", None)

SPECS: list[dict[str, Any]] = [
    {"key": "a1", "outlet": "Test Wire", "published": "2020-01-05", "actors": [LAVROV, USA],
     "techniques": [technique("Loaded_Language"), technique("Loaded_Language", 20), technique("Doubt")],
     "topics": ["sanctions", "diplomacy"], "stances": [stance("person:sergey-lavrov", "USA", -0.6)]},
    {"key": "a2", "outlet": "Other Daily", "published": "2020-02-10", "actors": [RUSSIA],
     "techniques": [technique("Flag_Waving")], "topics": ["war"], "stances": [stance("author", "RUS", 0.2)]},
    {"key": "a3", "outlet": "Test Wire", "published": None, "actors": [NATO, EVIL, UKRAINE], "techniques": [], "topics": [],
     "stances": []},
    {"key": "a4", "outlet": "Other Daily", "published": "2021-07-01", "actors": [KIM],
     "techniques": [technique("Loaded_Language")], "topics": ["nuclear_proliferation"],
     "stances": [stance("person:kim-jong-un", "USA", -0.9), stance("author", "person:kim-jong-un", -0.4)]},
    {"key": "a5", "outlet": "Test Wire", "published": "2021-08-01", "actors": [LAVROV], "techniques": [],
     "topics": ["war"], "stances": [stance("author", "person:sergey-lavrov", 0.1)], "url": "https://example.org/five"},
]
# A newer version of a5's URL: the facets and stances of a5 are no longer the latest.
NEWER_A5 = {"key": "a5-v2", "outlet": "Test Wire", "published": "2021-08-02", "actors": [UN],
            "techniques": [technique("Doubt")], "topics": ["diplomacy"],
            "stances": [stance("org:un", "RUS", 0.3)], "url": "https://example.org/five"}


def make_article(spec: dict[str, Any]) -> Article:
    digest = hashlib.sha256(spec["key"].encode()).hexdigest()[:16]
    names = ", ".join(a["name"] for a in spec["actors"]) or "Nobody"
    return Article(id=digest, source={"kind": "jsonl", "location": f"facets.jsonl:{spec['key']}"},
                   text=BODY.format(who=names, extra=f"Marker {spec['key'].replace('-', '')}."),
                   title=f"Talks, part {spec['key']}", url=spec.get("url", f"https://example.org/{spec['key']}"),
                   outlet=spec["outlet"], published=spec["published"], language="en", genre="reporting",
                   actors=[dict(a) for a in spec["actors"]], techniques=list(spec["techniques"]),
                   topics=list(spec["topics"]), stances=list(spec["stances"]),
                   pipeline={"version": "test-facets", "stages": {}})


def store_articles(db: Path, specs: list[dict[str, Any]]) -> list[Article]:
    articles = [make_article(s) for s in specs]
    with open_store(db, load_settings()) as store, store.transaction():
        for article in articles:
            assert store.add_article(article)
    return articles


def expected_facets(record: dict[str, Any]) -> set[tuple[str, str]]:
    """(kind, value) of one record, by the rules migration 8 states, computed in Python."""
    out: set[tuple[str, str]] = set()
    for a in record.get("actors") or []:
        out.add(("actor", a["id"]))
        if a.get("country"):
            out.add(("state", a["country"]))
        if a.get("kind") == "state":
            out.add(("state", a["id"]))
    out |= {("technique", t["name"]) for t in record.get("techniques") or []}
    out |= {("topic", t) for t in record.get("topics") or []}
    return out


def table_facets(conn: sqlite3.Connection) -> dict[str, set[tuple[str, str]]]:
    rows = conn.execute("SELECT a.id, f.kind, f.value FROM article_facets f JOIN articles a ON a.rowid = f.article_rowid")
    out: dict[str, set[tuple[str, str]]] = {}
    for article_id, kind, value in rows:
        out.setdefault(article_id, set()).add((kind, value))
    return out


def records_of(conn: sqlite3.Connection, *, latest_only: bool) -> dict[str, dict[str, Any]]:
    sql = "SELECT id, record FROM articles" + (" WHERE latest = 1" if latest_only else "") + " ORDER BY rowid"
    return {i: json.loads(r) for i, r in conn.execute(sql)}


def expected_stances(conn: sqlite3.Connection) -> list[tuple[str, str | None, str, str, float]]:
    out = []
    for article_id, record in records_of(conn, latest_only=True).items():
        for s in record.get("stances") or []:
            out.append((article_id, record.get("published"), s["holder"], s["target"], float(s["polarity"])))
    return sorted(out)


def table_stances(conn: sqlite3.Connection) -> list[tuple[str, str | None, str, str, float]]:
    return sorted(conn.execute(
        "SELECT a.id, s.published, s.holder, s.target, s.polarity FROM article_stances s"
        " JOIN articles a ON a.rowid = s.article_rowid").fetchall())


def matches(record: dict[str, Any], kind: str, value: str) -> bool:
    """Whether a record has the facet (case-insensitive), by a scan of the record."""
    return (kind, value.lower()) in {(k, v.lower()) for k, v in expected_facets(record)}


@pytest.fixture(scope="module")
def facet_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("facets") / "facets.db"
    store_articles(db, SPECS)
    store_articles(db, [NEWER_A5])
    with open_store(db, load_settings()) as store, store.transaction():
        # What `narrascope narratives` writes (corpus/narratives.py): a narrative and its members.
        a1, a4 = (make_article(s).id for s in (SPECS[0], SPECS[3]))
        store.conn.execute("INSERT INTO narratives (id, label, terms, size, status) VALUES (7, ?, '[]', 2, 'active')",
                           ("Pressure on Pyongyang",))
        for article_id in (a1, a4):
            store.conn.execute("INSERT INTO narrative_members (narrative, article, date_source, period, score, evidence)"
                               " VALUES (7, ?, 'published', '2020-01-06', 0.8, '[]')", (article_id,))
    return db


# -- migration 8 ---------------------------------------------------------------------------------

def create_schema_7(db: Path) -> None:
    """A store as narrascope wrote it before migration 8 (the numbered migrations up to 7)."""
    create_legacy_store(db, up_to=7)


def test_migration_8_backfills_facets_and_stances_of_a_schema_7_store(tmp_path: Path, facet_db: Path) -> None:
    old = tmp_path / "old.db"
    create_schema_7(old)
    source = sqlite3.connect(facet_db)
    columns = [r[1] for r in source.execute("PRAGMA table_info(articles)")]
    rows = source.execute(f"SELECT {', '.join(columns)} FROM articles ORDER BY rowid").fetchall()
    source.close()
    conn = sqlite3.connect(old)
    assert conn.execute("SELECT MAX(number) FROM migrations").fetchone()[0] == 7
    assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'article_facets'").fetchone() is None
    conn.executemany(f"INSERT INTO articles ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows)
    conn.commit()
    conn.close()
    with open_store(old, load_settings()) as store:  # migrates
        assert schema_version(store.conn) == len(CORE.migrations)
        got = table_facets(store.conn)
        expected = {i: expected_facets(r) for i, r in records_of(store.conn, latest_only=False).items()}
        assert got == {i: f for i, f in expected.items() if f}
        assert table_stances(store.conn) == expected_stances(store.conn)
        # the superseded a5 keeps its facets (for --all-versions) but not its stances
        a5 = make_article(SPECS[4]).id
        assert ("actor", "person:sergey-lavrov") in got[a5]
        assert all(row[0] != a5 for row in table_stances(store.conn))
        # and the triggers are in place for what comes next
        store_articles_into(store, [{**SPECS[1], "key": "late", "url": "https://example.org/late"}])
        assert table_facets(store.conn)[make_article({**SPECS[1], "key": "late"}).id] == expected_facets(
            make_article(SPECS[1]).to_record())


def store_articles_into(store: Store, specs: list[dict[str, Any]]) -> None:
    with store.transaction():
        for spec in specs:
            assert store.add_article(make_article(spec))


def test_triggers_keep_facets_and_stances_in_step(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    with open_store(db, load_settings()) as store:
        def check() -> None:
            expected = {i: expected_facets(r) for i, r in records_of(store.conn, latest_only=False).items()}
            assert table_facets(store.conn) == {i: f for i, f in expected.items() if f}
            assert table_stances(store.conn) == expected_stances(store.conn)

        store_articles_into(store, SPECS)  # insert
        check()
        assert len(table_stances(store.conn)) == 5
        # reprocess: the record of a1 changes (update_article), its facets and stances follow
        a1 = make_article(SPECS[0])
        a1.actors, a1.topics, a1.techniques = [KIM], ["cyber"], []
        a1.stances, a1.published = [stance("person:kim-jong-un", "USA", 0.5)], "2020-01-06"
        with store.transaction():
            store.update_article(a1)
        check()
        assert table_facets(store.conn)[a1.id] == {("actor", "person:kim-jong-un"), ("state", "PRK"), ("topic", "cyber")}
        assert ("person:kim-jong-un", "USA", 0.5, "2020-01-06") in [
            (h, t, p, d) for _, d, h, t, p in table_stances(store.conn)]
        # a new version of a URL: both versions keep facets, only the latest has stances
        store_articles_into(store, [NEWER_A5])
        check()
        a5 = make_article(SPECS[4]).id
        assert store.conn.execute("SELECT latest FROM articles WHERE id = ?", (a5,)).fetchone()[0] == 0
        assert a5 in table_facets(store.conn)
        assert not any(row[0] == a5 for row in table_stances(store.conn))
        # an import that makes the old version latest again (importer.py sets latest back) brings them back
        with store.transaction():
            store.conn.execute("UPDATE articles SET latest = (id = ?) WHERE url = ?", (a5, NEWER_A5["url"]))
        check()
        assert any(row[0] == a5 for row in table_stances(store.conn))
        # deleting articles removes their rows
        with store.transaction():
            store.conn.execute("DELETE FROM articles WHERE outlet = 'Other Daily'")
        check()
        rowids = {r[0] for r in store.conn.execute("SELECT rowid FROM articles")}
        assert {r[0] for r in store.conn.execute("SELECT article_rowid FROM article_facets")} <= rowids
        assert {r[0] for r in store.conn.execute("SELECT article_rowid FROM article_stances")} <= rowids


def test_facet_values_compare_case_insensitively_and_records_without_facets_are_fine(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    spec = {**SPECS[0], "key": "case", "actors": [LAVROV, {**LAVROV, "id": "PERSON:SERGEY-LAVROV"}],
            "topics": ["Sanctions", "sanctions", ""], "techniques": [{"name": None, "start": 0, "end": 1}]}
    store_articles(db, [spec, {**SPECS[2], "key": "bare", "actors": [], "stances": []}])
    with open_store(db, load_settings()) as store:
        rows = store.conn.execute("SELECT kind, value FROM article_facets ORDER BY kind, value").fetchall()
        # one row per value whatever its case; empty and missing values give none
        assert [k for k, _ in rows].count("actor") == 1 and [k for k, _ in rows].count("topic") == 1
        assert ("technique", None) not in rows
        assert [a.id for a in store.iter_articles(Filters(actor="Person:Sergey-Lavrov"))] == [make_article(spec).id]
        assert [a.id for a in store.iter_articles(Filters(topic="SANCTIONS"))] == [make_article(spec).id]


# -- the filters: library, CLI, API ------------------------------------------------------------

CASES = [("actor", "person:sergey-lavrov"), ("actor", "USA"), ("actor", "org:nato"), ("actor", "org:un"),
         ("state", "RUS"), ("state", "usa"), ("state", "PRK"), ("state", "UKR"), ("technique", "Loaded_Language"),
         ("technique", "doubt"), ("topic", "war"), ("topic", "diplomacy"), ("topic", "nothing-like-this"),
         ("actor", "nobody")]


def newest_first(db: Path, ids: list[str]) -> list[str]:
    """``ids`` in the order ``list`` shows them: newest published first, undated last, then storage order."""
    conn = sqlite3.connect(db)
    rows = {i: (p, r) for i, p, r in conn.execute("SELECT id, published, rowid FROM articles")}
    conn.close()
    dated = sorted((i for i in ids if rows[i][0]), key=lambda i: rows[i][1])
    dated.sort(key=lambda i: rows[i][0], reverse=True)
    return dated + sorted((i for i in ids if not rows[i][0]), key=lambda i: rows[i][1])


def scan(db: Path, kind: str, value: str, *, all_versions: bool = False) -> list[str]:
    conn = sqlite3.connect(db)
    out = [i for i, r in records_of(conn, latest_only=not all_versions).items() if matches(r, kind, value)]
    conn.close()
    return out


@pytest.mark.parametrize("kind, value", CASES)
def test_cli_list_search_and_export_select_what_a_scan_of_the_records_selects(facet_db: Path, kind: str,
                                                                              value: str) -> None:
    expected = scan(facet_db, kind, value)
    listed = run_cli("list", "--db", str(facet_db), "--json", f"--{kind}", value)
    assert listed.exit_code == 0, listed.output
    assert [r["id"] for r in json.loads(listed.stdout)] == newest_first(facet_db, expected)
    exported = run_cli("export", "--db", str(facet_db), "--format", "jsonl", f"--{kind}", value)
    assert exported.exit_code == 0, exported.output
    assert [json.loads(line)["id"] for line in exported.stdout.splitlines()] == expected
    searched = run_cli("search", "talks", "--db", str(facet_db), "--json", f"--{kind}", value)
    assert searched.exit_code == 0, searched.output
    assert sorted(r["id"] for r in json.loads(searched.stdout)) == sorted(expected)
    if value != "nobody":
        all_versions = run_cli("list", "--db", str(facet_db), "--json", "--all-versions", f"--{kind}", value)
        assert [r["id"] for r in json.loads(all_versions.stdout)] == newest_first(
            facet_db, scan(facet_db, kind, value, all_versions=True))


def test_facets_combine_with_each_other_and_with_columns_and_dates(facet_db: Path) -> None:
    conn = sqlite3.connect(facet_db)
    records = records_of(conn, latest_only=True)
    conn.close()
    combos: list[tuple[list[str], Any]] = [
        (["--state", "RUS", "--technique", "Loaded_Language"],
         lambda r: matches(r, "state", "RUS") and matches(r, "technique", "Loaded_Language")),
        (["--technique", "Loaded_Language", "--outlet", "other daily"],
         lambda r: matches(r, "technique", "Loaded_Language") and r["outlet"] == "Other Daily"),
        (["--topic", "war", "--since", "2020-02", "--until", "2020"],
         lambda r: matches(r, "topic", "war") and "2020-02-01" <= (r["published"] or "") < "2021"),
        (["--actor", "org:nato", "--since", "2000"], lambda r: False),  # no date: never in a date range
    ]
    for options, keep in combos:
        expected = [i for i, r in records.items() if keep(r)]
        result = run_cli("list", "--db", str(facet_db), "--json", *options)
        assert [r["id"] for r in json.loads(result.stdout)] == newest_first(facet_db, expected), options
        searched = run_cli("search", "talks", "--db", str(facet_db), "--json", *options)
        assert sorted(r["id"] for r in json.loads(searched.stdout)) == sorted(expected), options
    assert any(keep(r) for _, keep in combos[:3] for r in records.values())  # the combinations select something


def test_narrative_filter_selects_its_members(facet_db: Path) -> None:
    members = [make_article(SPECS[0]).id, make_article(SPECS[3]).id]
    for command in (["list", "--json"], ["search", "talks", "--json"]):
        result = run_cli(*command, "--db", str(facet_db), "--narrative", "7")
        assert result.exit_code == 0, result.output
        assert sorted(r["id"] for r in json.loads(result.stdout)) == sorted(members)
    result = run_cli("list", "--db", str(facet_db), "--json", "--narrative", "8")
    assert json.loads(result.stdout) == []
    with open_store(facet_db, load_settings()) as store:
        assert [a.id for a in store.iter_articles(Filters(narrative=7, technique="Loaded_Language"))] == members


@pytest.mark.parametrize("value", ["seven", "7.5", "1e3", "", " ", "0x7", "99999999999999999999"])
def test_a_bad_narrative_is_a_clean_usage_error(facet_db: Path, value: str) -> None:
    result = run_cli("list", "--db", str(facet_db), "--narrative", value)
    if not value.strip():
        assert result.exit_code == 0  # an empty option is no filter
        return
    assert result.exit_code == 2
    assert "NS403" in result.output and "Traceback" not in result.output
    with pytest.raises(UsageError):
        Filters(narrative=value)  # type: ignore[arg-type]


def test_filters_refuse_values_of_the_wrong_type() -> None:
    with pytest.raises(UsageError):
        Filters(narrative=True)
    with pytest.raises(UsageError):
        Filters(actor=3)  # type: ignore[arg-type]
    assert set(FACETS) == {"actor", "state", "technique", "topic"}


@pytest.fixture(scope="module")
def client(facet_db: Path) -> TestClient:
    return TestClient(create_app(facet_db), base_url="http://127.0.0.1")


@pytest.mark.parametrize("params, filters", [
    ({"actor": "person:sergey-lavrov"}, Filters(actor="person:sergey-lavrov")),
    ({"state": "rus"}, Filters(state="rus")),
    ({"technique": "Loaded_Language", "topic": "sanctions"}, Filters(technique="Loaded_Language", topic="sanctions")),
    ({"narrative": "7"}, Filters(narrative=7)),
    ({"actor": "person:sergey-lavrov", "all_versions": "1"}, Filters(actor="person:sergey-lavrov", all_versions=True)),
    ({"topic": "war", "outlet": "other daily"}, Filters(topic="war", outlet="other daily")),
])
def test_api_filters_equal_the_library(client: TestClient, facet_db: Path, params: dict[str, str],
                                       filters: Filters) -> None:
    with open_store(facet_db, load_settings()) as store:
        listed = [a.id for a in store.iter_articles(filters, order="newest")]
        searched = [h.article.id for h in store.search("talks", filters)]
    response = client.get("/api/articles", params=params)
    assert response.status_code == 200, response.text
    assert [i["id"] for i in response.json()["items"]] == listed
    response = client.get("/api/articles", params={**params, "q": "talks"})
    assert [i["id"] for i in response.json()["items"]] == searched
    assert listed  # every case selects something
    assert set(searched) == set(listed)


@pytest.mark.parametrize("params", [{"narrative": "seven"}, {"narrative": "1.5"}, {"all_versions": "yes"},
                                    {"actor": "x" * 501}])
def test_api_and_page_refuse_bad_filter_values_cleanly(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/api/articles", params=params)
    assert response.status_code == 400
    assert "error" in response.json() and "Traceback" not in response.text
    page = client.get("/", params=params)
    assert page.status_code == 400 and "Traceback" not in page.text


# -- ranking -------------------------------------------------------------------------------------

def test_search_ranks_by_bm25_and_caps_very_common_queries_to_the_newest_matches(facet_db: Path) -> None:
    with open_store(facet_db, load_settings()) as store:
        oracle = [r[0] for r in store.conn.execute(
            "SELECT a.id FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
            " WHERE articles_fts MATCH 'talks' AND a.latest = 1 ORDER BY bm25(articles_fts, 5.0, 1.0), a.rowid")]
        assert len(oracle) == 5
        assert [h.article.id for h in store.search("talks", limit=50)] == oracle
        rows, capped = store.search_rows("talks", limit=50, rank_limit=None)
        assert not capped and [json.loads(r)["id"] for r, _, _ in rows] == oracle
        # more matches than the limit (5 stored versions match, 6 with the superseded one): the best
        # among the newest 3 latest ones, in the same order as the full ranking
        newest = [r[0] for r in store.conn.execute(
            "SELECT id FROM articles WHERE latest = 1 ORDER BY rowid DESC LIMIT 3")]
        rows, capped = store.search_rows("talks", limit=50, rank_limit=3)
        assert capped
        assert [json.loads(r)["id"] for r, _, _ in rows] == [i for i in oracle if i in newest]
        assert [h.article.id for h in store.search("talks", limit=50, rank_limit=3)] == \
            [i for i in oracle if i in newest]
        # a chosen condition that keeps few enough articles: no cap, the whole ranking of them
        other = [i for i in oracle if records_of(store.conn, latest_only=True)[i]["outlet"] == "Other Daily"]
        rows, capped = store.search_rows("talks", Filters(outlet="other daily"), limit=50, rank_limit=2)
        assert not capped and [json.loads(r)["id"] for r, _, _ in rows] == other and len(other) == 2
        rows, capped = store.search_rows("talks", Filters(genre="reporting"), limit=50, rank_limit=3)
        assert capped and [json.loads(r)["id"] for r, _, _ in rows] == [i for i in oracle if i in newest]


# -- the search page -------------------------------------------------------------------------------

class SelectParser(HTMLParser):
    """The search form's selects: name -> [(value, text, selected)]."""

    def __init__(self) -> None:
        super().__init__()
        self.selects: dict[str, list[tuple[str, str, bool]]] = {}
        self.links: list[str] = []
        self._select: str | None = None
        self._option: list[Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "select":
            self._select = a.get("name") or ""
            self.selects[self._select] = []
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value") or "", "", "selected" in a]
        elif tag == "a" and a.get("rel") in ("next", "prev"):
            self.links.append(a.get("href") or "")

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select is not None:
            self.selects[self._select].append((self._option[0], self._option[1].strip(), self._option[2]))
            self._option = None
        elif tag == "select":
            self._select = None


def page_selects(client: TestClient, params: dict[str, str]) -> SelectParser:
    response = client.get("/", params=params)
    assert response.status_code == 200, response.text
    parser = SelectParser()
    parser.feed(response.text)
    return parser


def test_search_page_shows_the_facets_with_names_and_whole_store_counts(client: TestClient, facet_db: Path) -> None:
    from narrascope.web.queries import clear_cache

    clear_cache()
    parser = page_selects(client, {})
    assert list(parser.selects) == ["outlet", "actor", "state", "technique", "genre", "topic", "narrative", "language"]
    conn = sqlite3.connect(facet_db)
    records = records_of(conn, latest_only=True)
    conn.close()
    for kind in FACETS:
        counted = {value: sum(matches(r, kind, value) for r in records.values())
                   for r in records.values() for k, value in expected_facets(r) if k == kind}
        shown = {value: text for value, text, _ in parser.selects[kind][1:]}
        assert set(shown) == set(counted), kind
        for value, n in counted.items():
            assert shown[value].endswith(f"({n})"), (kind, value, shown[value])
    actors = {value: text for value, text, _ in parser.selects["actor"]}
    assert actors["person:sergey-lavrov"] == "Sergey Lavrov (1)"  # the superseded a5 does not count
    assert actors["org:evil"].startswith("<script>alert('x')</script> Bureau")  # parsed back from escaped text
    states = {value: text for value, text, _ in parser.selects["state"]}
    assert states["RUS"] == "Russia (2)"  # Lavrov's article and Russia's own
    assert states["PRK"] == "PRK (1)"  # no record names the state itself: the id
    assert {v: t for v, t, _ in parser.selects["narrative"]}["7"] == "Pressure on Pyongyang (#7) (2)"
    raw = client.get("/").text
    assert "<script>alert" not in raw and "&lt;script&gt;alert(" in raw


def test_search_page_keeps_chosen_facets_selected_and_through_pagination(client: TestClient) -> None:
    params = {"q": "talks", "technique": "loaded_language", "genre": "reporting", "limit": "1"}
    parser = page_selects(client, params)
    selected = {name: [v for v, _, s in options if s] for name, options in parser.selects.items()}
    assert selected["technique"] == ["Loaded_Language"] and selected["genre"] == ["reporting"]
    assert selected["actor"] == [] and selected["outlet"] == []
    assert parser.links, "two articles match: a next page"
    query = parse_qs(urlsplit(parser.links[0]).query)
    assert query["technique"] == ["loaded_language"] and query["genre"] == ["reporting"] and query["q"] == ["talks"]
    second = page_selects(client, {k: v[0] for k, v in query.items()})
    assert [v for v, _, s in second.selects["technique"] if s] == ["Loaded_Language"]
    assert second.links and all("technique=loaded_language" in link for link in second.links)
    # an actor outside the listed values (a link from elsewhere) is kept, selected, by its name
    parser = page_selects(client, {"actor": "person:nobody-known"})
    assert [(v, s) for v, _, s in parser.selects["actor"] if s] == [("person:nobody-known", True)]
    parser = page_selects(client, {"actor": "person:sergey-lavrov", "all_versions": "0"})
    assert [t for v, t, s in parser.selects["actor"] if s] == ["Sergey Lavrov (1)"]


def test_search_page_hides_facets_with_no_values(tmp_path: Path) -> None:
    db = tmp_path / "bare.db"
    store_articles(db, [{**SPECS[2], "key": "bare", "actors": [], "stances": []}])
    from narrascope.web.queries import clear_cache

    clear_cache()
    client = TestClient(create_app(db), base_url="http://127.0.0.1")
    parser = page_selects(client, {})
    assert list(parser.selects) == ["outlet", "genre", "language"]


def test_facet_counts_past_their_time_are_served_stale_and_recomputed_in_the_background(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from narrascope.web import queries

    db = tmp_path / "stale.db"
    store_articles(db, [SPECS[1]])
    reader = queries.ReadOnlyStore(db, load_settings())
    queries.clear_cache()
    with reader.open() as store:
        assert dict((v, n) for v, _, n in queries.facets(store)["topic"]) == {"war": 1}
    store_articles(db, [{**SPECS[1], "key": "war-2", "url": "https://example.org/war-2"}])
    with reader.open() as store:  # still fresh: the cached counts
        assert dict((v, n) for v, _, n in queries.facets(store)["topic"]) == {"war": 1}
    monkeypatch.setattr(queries, "CACHE_SECONDS", 0.0)
    with reader.open() as store:  # past its time: the old value at once, a new one computed behind
        assert dict((v, n) for v, _, n in queries.facets(store)["topic"]) == {"war": 1}
    deadline = time.monotonic() + 10
    while True:
        with queries._cache_lock:
            value = queries._cache[(str(reader.path), "facets")][1]
            refreshing = bool(queries._refreshing)
        if not refreshing and dict((v, n) for v, _, n in value["topic"]) == {"war": 2}:
            break
        assert time.monotonic() < deadline, "the background refresh did not land"
        time.sleep(0.02)


def test_a_capped_ranking_is_said_on_the_page_and_in_the_api(client: TestClient, facet_db: Path) -> None:
    from narrascope.web.app import WebSettings

    assert "ranked_among" not in client.get("/api/articles", params={"q": "talks"}).json()
    assert 'class="capped"' not in client.get("/", params={"q": "talks"}).text
    with open_store(facet_db, load_settings()) as store:
        expected = [h.article.id for h in store.search("talks", rank_limit=3)]
        everything = [h.article.id for h in store.search("talks", limit=50)]  # the library's default: exact
    assert len(everything) > 3 and everything != expected
    cli = run_cli("search", "talks", "--db", str(facet_db), "--limit", "50", "--json")
    assert cli.exit_code == 0 and [hit["id"] for hit in json.loads(cli.output)] == everything
    client = TestClient(create_app(facet_db, web=WebSettings(search_rank_limit=3)), base_url="http://127.0.0.1")
    body = client.get("/api/articles", params={"q": "talks"}).json()
    assert body["ranked_among"] == 3 and [i["id"] for i in body["items"]] == expected and len(expected) == 3
    page = client.get("/", params={"q": "talks"}).text
    assert 'class="capped"' in page and "most recently stored" in page


def test_search_page_links_its_filters_to_the_exports_page(client: TestClient) -> None:
    page = client.get("/", params={"q": "talks", "topic": "war", "outlet": "Other Daily"}).text
    href = page.split('class="export-link" href="')[1].split('"')[0].replace("&amp;", "&")
    assert urlsplit(href).path == "/exports"
    assert parse_qs(urlsplit(href).query) == {"topic": ["war"], "outlet": ["Other Daily"]}
    assert "without the search words" in page
    exports = client.get(href)
    assert exports.status_code == 200 and "Other Daily" in exports.text
    plain = client.get("/").text
    assert 'class="export-link" href="/exports"' in plain and "without the search words" not in plain
