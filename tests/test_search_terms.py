"""Search finds what people type (issue 11): terms FTS5 would read as syntax, on a real store.

``COVID-19`` was NS503 "no such column: 19" on the CLI and a 400 on the web; ``U.S.``, ``Xi's``,
``SARS-CoV-2`` and ``anti-vax`` failed the same way. Each is now searched as the words typed, while
explicit syntax (phrases, OR, NOT, prefix*, parentheses) keeps its meaning. The default list (no
query) is newest published first, undated last, ties in storage order.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from conftest import run_cli
from narrascope import api
from narrascope.errors import SearchError
from narrascope.settings import load_settings
from narrascope.store import Filters, fts_query, open_store
from narrascope.web.app import create_app

FILLER = (" Officials in the capital said on Monday that the talks would go on, and analysts warned that the dispute"
          " could delay the summit planned for the spring. Reporters waited outside the hall for a statement.")

ARTICLES = {
    "covid": {"title": "COVID-19 cases rise again", "published": "2020-03-01", "url": "https://example.org/covid",
              "text": "Hospitals reported more COVID-19 patients this week." + FILLER},
    "decoy": {"title": "Numbers from the ministry", "published": "2020-03-02", "url": "https://example.org/decoy",
              "text": "Covid wards were quiet, and 19 beds stood empty in the east wing." + FILLER},
    "us": {"title": "Trade talks stall", "published": None, "url": "https://example.org/us",
           "text": "The U.S. delegation left the hall early." + FILLER},
    "xi": {"title": "A speech in Beijing", "published": "2021-07-01", "url": "https://example.org/xi",
           "text": "Xi's speech was broadcast on state television." + FILLER},
    "sars": {"title": "Lab origins debated", "published": "2021-07-01", "url": "https://example.org/sars",
             "text": "Scientists argued about where SARS-CoV-2 first spread." + FILLER},
    "antivax": {"title": "Protest in the square", "published": "2019-11-11", "url": "https://example.org/antivax",
                "text": "An anti-vax rally drew a few hundred people." + FILLER},
    "vaccine": {"title": "Vaccine rollout", "published": None, "url": "https://example.org/vaccine",
                "text": "The COVID-19 vaccine reached rural clinics." + FILLER},
}

NO_STAGES = '[pipeline]\nstages = ["language", "genre"]\n'


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A real store from a real JSONL ingest; returns its path and the article id of each key."""
    folder = tmp_path_factory.mktemp("search")
    source = folder / "terms.jsonl"
    source.write_text("".join(json.dumps({"outlet": "Test Wire", **{k: v for k, v in record.items() if v}}) + "\n"
                              for record in ARTICLES.values()), encoding="utf-8")
    config = folder / "fast.toml"
    config.write_text(NO_STAGES)
    db = folder / "terms.db"
    report = api.ingest([str(source)], db=db, settings=load_settings(str(config)))
    assert len(report.stored) == len(ARTICLES) and not report.rejected
    with open_store(db, create=False) as opened:
        by_url = {a.url: a.id for a in opened.iter_articles()}
    return db, {key: by_url[record["url"]] for key, record in ARTICLES.items()}


def found(db: Path, query: str) -> set[str]:
    with open_store(db, create=False) as opened:
        return {hit.article.id for hit in opened.search(query, limit=100)}


TYPED = [
    ("COVID-19", {"covid", "vaccine"}),
    ("U.S.", {"us"}),
    ("Xi's", {"xi"}),
    ("SARS-CoV-2", {"sars"}),
    ("anti-vax", {"antivax"}),
    ("covid-19 vaccine", {"vaccine"}),
    ("anti-vax*", {"antivax"}),
]


@pytest.mark.parametrize(("query", "keys"), TYPED)
def test_library_searches_the_words_typed(store: tuple[Path, dict[str, str]], query: str, keys: set[str]) -> None:
    db, ids = store
    assert found(db, query) == {ids[k] for k in keys}


EXPLICIT = [
    ('"SARS-CoV-2" OR "U.S."', {"sars", "us"}),
    ("COVID-19 NOT vaccine", {"covid"}),
    ("vacc*", {"vaccine"}),
    ("(rally OR speech) NOT Beijing", {"antivax"}),
    ('"covid wards"', {"decoy"}),
    ("title:vaccine", {"vaccine"}),
    ("Xi's OR anti-vax", {"xi", "antivax"}),
]


@pytest.mark.parametrize(("query", "keys"), EXPLICIT)
def test_explicit_syntax_still_works(store: tuple[Path, dict[str, str]], query: str, keys: set[str]) -> None:
    db, ids = store
    assert found(db, query) == {ids[k] for k in keys}


@pytest.mark.parametrize("query", ["NOT covid", "covid OR", "(covid", "covid)", "AND", "a OR OR b", "title:",
                                   'say "unclosed', "covid () hospitals", "NEAR(covid wards, 3)"])
def test_stray_syntax_is_no_error(store: tuple[Path, dict[str, str]], query: str) -> None:
    db, _ids = store
    found(db, query)  # no SearchError


def test_bytes_that_were_not_utf8_are_separators(store: tuple[Path, dict[str, str]]) -> None:
    db, ids = store
    assert found(db, "COVID-19\udcff") == {ids["covid"], ids["vaccine"]}  # surrogateescape of b"\xff" in argv
    result = run_cli("search", "vaccine\udcff", "--db", str(db), "--json")
    assert result.exit_code == 0 and [hit["id"] for hit in json.loads(result.stdout)] == [ids["vaccine"]]


def test_operators_with_nothing_to_join_are_words(store: tuple[Path, dict[str, str]]) -> None:
    db, ids = store
    assert found(db, "NOT covid") == set()  # "not" appears in no article
    assert found(db, "(covid") == {ids["decoy"], ids["covid"], ids["vaccine"]}


def test_a_query_without_words_is_a_coded_error(store: tuple[Path, dict[str, str]]) -> None:
    db, _ids = store
    with pytest.raises(SearchError, match="nothing to search for"):
        found(db, "& -- *")
    with pytest.raises(SearchError, match="nothing to search for"):
        found(db, "()")


@pytest.mark.parametrize(("typed", "fts"), [
    ("COVID-19", '"COVID-19"'),
    ("anti-vax*", '"anti-vax"*'),
    ('"fire and fury" OR Pyongyang', '"fire and fury" OR Pyongyang'),
    ("a (b OR c)", "a AND ( b OR c )"),
    ("NOT covid", '"NOT" AND covid'),
    ("title:COVID-19", 'title:"COVID-19"'),
    ('say ""hi', 'say AND hi'),
])
def test_fts_query_translation(typed: str, fts: str) -> None:
    assert fts_query(typed) == fts


@pytest.mark.parametrize("query", ["COVID-19", "U.S.", "Xi's", "SARS-CoV-2", "anti-vax"])
def test_cli_search_finds_the_terms(store: tuple[Path, dict[str, str]], query: str) -> None:
    db, ids = store
    result = run_cli("search", query, "--db", str(db), "--json")
    assert result.exit_code == 0, result.output
    expected = dict(TYPED)[query]
    assert {hit["id"] for hit in json.loads(result.stdout)} == {ids[k] for k in expected}


@pytest.mark.parametrize("query", ["COVID-19", "U.S.", "Xi's", "SARS-CoV-2", "anti-vax"])
def test_web_api_and_page_search_the_terms(store: tuple[Path, dict[str, str]], query: str) -> None:
    db, ids = store
    client = TestClient(create_app(db), base_url="http://127.0.0.1")
    response = client.get("/api/articles", params={"q": query})
    assert response.status_code == 200, response.text
    assert {item["id"] for item in response.json()["items"]} == {ids[k] for k in dict(TYPED)[query]}
    page = client.get("/", params={"q": query})
    assert page.status_code == 200
    assert ARTICLES[next(iter(dict(TYPED)[query]))]["title"] in page.text


NEWEST_FIRST = ["xi", "sars", "decoy", "covid", "antivax", "us", "vaccine"]  # same day: stored order; undated last


def test_the_default_list_is_newest_first(store: tuple[Path, dict[str, str]]) -> None:
    db, ids = store
    expected = [ids[k] for k in NEWEST_FIRST]
    assert [a.id for a in api.list_articles(db=db)] == expected
    listed = run_cli("list", "--db", str(db), "--json")
    assert [row["id"] for row in json.loads(listed.stdout)] == expected
    assert [line.split()[0] for line in run_cli("list", "--db", str(db)).stdout.splitlines()] == expected
    paged = run_cli("list", "--db", str(db), "--json", "--limit", "2", "--offset", "3")
    assert [row["id"] for row in json.loads(paged.stdout)] == expected[3:5]
    client = TestClient(create_app(db), base_url="http://127.0.0.1")
    assert [item["id"] for item in client.get("/api/articles").json()["items"]] == expected
    second = client.get("/api/articles", params={"limit": 3, "offset": 3}).json()
    assert [item["id"] for item in second["items"]] == expected[3:6] and second["has_more"]
    with open_store(db, create=False) as opened:  # exports keep storage order
        assert [a.id for a in opened.iter_articles(Filters())] == [ids[k] for k in ARTICLES]
        dated = [a.id for a in opened.iter_articles(Filters(since="2020"), order="newest")]
    assert dated == [ids[k] for k in ("xi", "sars", "decoy", "covid")]
