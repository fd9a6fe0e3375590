"""Search in every language: stems per article language, unspaced scripts, folding, query language.

Real SQLite stores; the texts are written for these tests.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from conftest import run_cli
from narrascope import api
from narrascope.model import Article
from narrascope.store import Filters, Store, fulltext, open_store
from narrascope.store import _guess_language as guess_language
from narrascope.web.app import create_app

TEXTS = {
    "ru": ("Визит в Берлин", "Журналисты встретили Лаврова в аэропорту. Позже министр ответил на вопросы о ёлке."),
    "uk": ("Заява уряду", "Прем'єр-міністр України виступив перед урядом і відповів журналістам."),
    "de": ("Wahl in Hessen", "Die Regierungen beider Länder haben sich über die Verträge geeinigt."),
    "pl": ("Spotkanie", "Premier spotkał się z rządem w Warszawie, aby omówić budżet."),
    "ar": ("بيان", "أعلنت الحُكُومَة اليوم عن خطة جديدة، وقالت والحكومة ستعمل مع الوزارات."),
    "zh": ("外交新闻", "俄罗斯外交部发言人今天表示，双方将继续会谈。"),
    "ja": ("記者会見", "東京都知事は記者会見でロシア政府の発表について述べた。"),
    "tr": ("Açıklama", "Hükümetin açıklaması İstanbul'da yapılan toplantıdan sonra geldi."),
    "fr": ("Déclaration", "Les États-Unis ont déclaré que les négociations continueraient."),
    "en": ("Sanctions talk", "The ministers met in Brussels to discuss new sanctions against Russia."),
}


def make_article(article_id: str, language: str | None, title: str, text: str) -> Article:
    return Article(id=article_id, source={"kind": "text", "location": f"/in/{article_id}.txt"}, text=text,
                   title=title, language=language, pipeline={"version": "test", "stages": {}})


def fill(store: Store, texts: dict[str, tuple[str, str]] = TEXTS) -> None:
    with store.transaction():
        for language, (title, text) in texts.items():
            store.add_article(make_article(f"{language}000000", language, title, text))


@pytest.fixture
def store(db: Path, settings) -> Store:
    opened = open_store(db, settings)
    fill(opened)
    yield opened
    opened.close()


def found(store: Store, query: str, **kw: object) -> list[str]:
    return [hit.article.language or "" for hit in store.search(query, **kw)]  # type: ignore[arg-type]


@pytest.mark.parametrize(("query", "language"), [
    ("Лавров", "ru"),          # base form finds the genitive "Лаврова"
    ("елка", "ru"),            # ё is е
    ("уряд", "uk"),            # "уряду", "урядом"
    ("Україна", "uk"),         # "України"
    ("Regierung", "de"),       # "Regierungen"
    ("Vertrag", "de"),         # "Verträge": stem, then umlaut folded
    ("rząd", "pl"),            # "rządem"
    ("Warszawa", "pl"),        # "Warszawie"
    ("حكومة", "ar"),           # "الحُكُومَة" with harakat, "والحكومة" with a fused conjunction
    ("الحُكومة", "ar"),        # harakat in the query too
    ("俄罗斯", "zh"),           # no spaces in the text
    ("外交部", "zh"),
    ("記者会見", "ja"),
    ("ロシア", "ja"),
    ("hükümet", "tr"),         # "Hükümetin"
    ("Hukumet", "tr"),         # without the Turkish letters
    ("istanbul", "tr"),        # "İstanbul'da"
    ("etats-unis", "fr"),      # "États-Unis" without accents
    ("negociation", "fr"),     # "négociations"
    ("minister", "en"),        # "ministers"
])
def test_a_word_finds_other_forms_of_it_in_its_language(store: Store, query: str, language: str) -> None:
    assert found(store, query) == [language]


def test_the_snippet_of_a_stem_match_marks_the_words_as_written(store: Store) -> None:
    [hit] = store.search("Лавров")
    assert "[Лаврова]" in hit.snippet
    [hit] = store.search("俄罗斯")
    assert "[俄罗斯]" in hit.snippet and "[" not in hit.snippet.replace("[俄罗斯]", "")
    [hit] = store.search("حكومة")
    assert "[الحُكُومَة]" in hit.snippet and "[والحكومة]" in hit.snippet


def test_words_as_typed_rank_before_other_forms(db: Path, settings) -> None:
    texts = {"en": ("Talks", "The ministers talked about the minister of finance and other ministers.")}
    with open_store(db, settings) as store:
        fill(store, texts)
        with store.transaction():
            store.add_article(make_article("b" * 16, "en", "Plain", "The minister spoke."))
            store.add_article(make_article("c" * 16, "en", "Plural", "Several ministers spoke, ministers all."))
        hits = store.search("minister")
        # the two holding "minister" itself, in bm25 order as before, then the one holding "ministers" only
        assert [h.article.id for h in hits][2:] == ["c" * 16]
        assert {h.article.id for h in hits[:2]} == {"en000000", "b" * 16}
        assert "[ministers]" in hits[2].snippet
        assert store.search("minister", limit=2) == hits[:2]
        # page by page, across the two groups, the same hits in the same order
        assert [h for offset in range(4) for h in store.search("minister", limit=1, offset=offset)] == hits
        assert store.search("minister", limit=2, offset=1) == hits[1:3]
        assert store.search("minister", offset=3) == []


def test_an_exact_phrase_still_needs_its_words_in_a_row(store: Store) -> None:
    assert found(store, '"sanctions against Russia"') == ["en"]
    assert found(store, '"Russia against sanctions"') == []
    assert found(store, '"new sanction"') == ["en"]  # a phrase of stems: other forms in a row
    assert found(store, "Brussels NOT sanction") == []  # NOT excludes the other forms too
    assert found(store, "title:Визит Лавров") == ["ru"]
    assert found(store, "title:Лавров") == []


@pytest.mark.parametrize(("query", "text"), [
    ("випадок", "У цьому випадку уряд мовчав."),        # a vowel that comes and goes
    ("жовтень", "Зустріч відбулася в жовтні."),
    ("злочинність", "Боротьба зі злочинністю триває."),
    ("сказати", "Міністр сказав, що переговори тривають."),  # an infinitive finds the past forms
    ("емоція", "Без зайвих емоцій."),
    ("Лавров", "Журналісти зустріли Лаврова."),
])
def test_ukrainian_forms_meet(db: Path, settings, query: str, text: str) -> None:
    with open_store(db, settings) as store:
        fill(store, {"uk": ("Новини", text)})
        assert found(store, query, language="uk") == ["uk"]
        assert found(store, "солдат", language="uk") == []  # and no word of the text by accident


def test_cyrillic_short_i_is_not_folded_into_i() -> None:
    assert fulltext.index_keys("йод", None) == "йод"
    assert fulltext.index_keys("иод", None) != fulltext.index_keys("йод", None)
    assert fulltext.index_keys("ёж", None) == fulltext.index_keys("еж", None)


def test_persian_and_arabic_letter_forms_meet() -> None:
    assert fulltext.index_keys("ایران کشور", None) == fulltext.index_keys("ايران كشور", None)
    assert fulltext.index_keys("إلى أحمد", None) == fulltext.index_keys("الى احمد", None)
    assert fulltext.index_keys("الحُكُومَـــة", None) == fulltext.index_keys("الحكومة", None)


def test_the_given_language_overrides_the_guess(db: Path, settings) -> None:
    with open_store(db, settings) as store:
        fill(store, {"ru": ("Новости", "Журналисты писали о Лаврову и министре."),
                     "uk": ("Новини", "Журналісти писали про уряд.")})
    # "Лавровым" stemmed as Ukrainian keeps "лавров"; as Russian it meets "Лаврову"
    assert [h.article.language for h in api.search("Лавровым", db=db, language="ru")] == ["ru"]
    assert api.search("Лавровым", db=db, language="uk") == []
    assert [h.article.language for h in api.search("Лавровым", db=db)] == ["ru"]  # every Cyrillic language tried
    result = run_cli("search", "Лавровым", "--db", str(db), "--language", "ru", "--json")
    assert result.exit_code == 0, result.output
    assert [h["title"] for h in json.loads(result.output)] == ["Новости"]


def test_a_long_query_is_read_in_its_guessed_language() -> None:
    stored = {"ru": 10, "uk": 8, "bg": 3, "en": 20}
    assert fulltext.query_languages("министр иностранных дел России заявил", language=None, stored=stored,
                                    guess=guess_language) == ("ru", None)
    # one word: every stored language of its script that has a stemmer, most articles first
    assert fulltext.query_languages("Лавров", language=None, stored=stored, guess=guess_language) == ("ru", "uk", None)
    assert fulltext.query_languages("Лавров", language="UK", stored=stored) == ("uk", None)


def test_reprocess_and_delete_keep_the_stem_index_in_step(db: Path, settings) -> None:
    with open_store(db, settings) as store:
        fill(store, {"ru": ("Новости", "Журналисты встретили Лаврова.")})
        assert found(store, "Лавров") == ["ru"]
        article = store.get_article("ru000000")
        article.text = "Журналисты встретили министров."
        with store.transaction():
            store.update_article(article)
        assert found(store, "Лавров") == []
        assert found(store, "министр") == ["ru"]
        # a row written by another connection (no stemmer there) is indexed by the next store transaction
        other = sqlite3.connect(db)
        other.execute("UPDATE articles SET text = 'Визит Лаврову' WHERE id = 'ru000000'")
        other.commit()
        assert found(store, "Лаврову") == ["ru"]  # as typed: articles_fts is kept by its triggers
        assert store.conn.execute("SELECT COUNT(*) FROM articles_stem_pending").fetchone()[0] == 1
        with store.transaction():
            pass
        assert found(store, "Лавров") == ["ru"]
        assert found(store, "министр") == []
        other.execute("DELETE FROM articles WHERE id = 'ru000000'")
        other.commit()
        other.close()
        assert store.conn.execute("SELECT COUNT(*) FROM articles_stem").fetchone()[0] == 0
        assert found(store, "Лавров") == []


def test_an_older_store_gets_its_stem_index_in_place(db: Path, settings) -> None:
    with open_store(db, settings) as store:
        fill(store)
        name = store.conn.execute("SELECT name FROM _migrations WHERE name LIKE 'search in every language%'").fetchone()
    conn = sqlite3.connect(db, isolation_level=None)  # as a store made before the stem index
    for kind, obj in conn.execute("SELECT type, name FROM sqlite_master WHERE name LIKE 'articles_stem%'"
                                  " AND type IN ('table', 'trigger')").fetchall():
        if not obj.startswith("articles_stem_") or kind == "trigger" or obj == "articles_stem_pending":
            conn.execute(f"DROP {kind.upper()} IF EXISTS {obj}")
    conn.execute("DELETE FROM _migrations WHERE name = ?", name)
    conn.close()
    with open_store(db, settings) as store:
        assert store.conn.execute("SELECT COUNT(*) FROM articles_stem").fetchone()[0] == len(TEXTS)
        assert found(store, "Лавров") == ["ru"]
        assert found(store, "俄罗斯") == ["zh"]


def test_the_json_api_and_the_page_search_in_the_language_asked(store: Store) -> None:
    client = TestClient(create_app(store.path), base_url="http://127.0.0.1")
    body = client.get("/api/articles", params={"q": "Regierung", "language": "de"}).json()
    assert [i["title"] for i in body["items"]] == ["Wahl in Hessen"]
    assert [body["items"][0]["snippet"][s:e] for s, e in body["items"][0]["highlights"]] == ["Regierungen"]
    assert client.get("/api/articles", params={"q": "Regierung", "language": "ru"}).json()["items"] == []
    page = client.get("/", params={"q": "Лавров", "language": "ru"})
    assert page.status_code == 200 and "Визит в Берлин" in page.text
    assert [h.article.id for h in store.search("rząd", Filters(language="pl"))] == ["pl000000"]


def test_imported_records_are_indexed_for_stemmed_search(db: Path, tmp_path: Path, settings) -> None:
    with open_store(db, settings) as store:
        fill(store, {"pl": TEXTS["pl"], "de": TEXTS["de"]})
        records = "".join(json.dumps(a.to_record(), ensure_ascii=False) + "\n" for a in store.iter_articles())
    source = tmp_path / "records.jsonl"
    source.write_text(records, encoding="utf-8")
    other = tmp_path / "other.db"
    report = api.import_records(source, db=other, settings=settings)
    assert report.imported == 2
    with open_store(other, settings) as store:
        assert found(store, "rząd") == ["pl"]
        assert found(store, "Regierung") == ["de"]
        # the migration path indexes in chunks: a chunk smaller than the store gives the same index
        before = store.conn.execute("SELECT rowid, title, text FROM articles_stem ORDER BY rowid").fetchall()
        with store.transaction():
            store.conn.execute("INSERT INTO articles_stem_pending (rowid) SELECT rowid FROM articles")
            assert fulltext.index_pending(store.conn, chunk=1) == 2
        assert store.conn.execute("SELECT rowid, title, text FROM articles_stem ORDER BY rowid").fetchall() == before


def test_a_word_of_the_dek_finds_its_article(db: Path, settings) -> None:
    # The dek (subtitle) is in the record, not in articles_fts: the stem index holds it with the title.
    with open_store(db, settings) as store:
        with store.transaction():
            article = make_article("dek0000000", "en", "Quake strikes Sulawesi",
                                   "At least 384 people were killed when the tsunami hit the island on Friday.")
            article.subtitle = "Rescuers dig through collapsed hotels in Palu"
            store.add_article(article)
            store.add_article(make_article("other00000", "en", "Other", "Nothing about it here at all."))
        assert [hit.article.id for hit in store.search("hotels")] == ["dek0000000"]
        assert [hit.article.id for hit in store.search("hotel")] == ["dek0000000"]  # other forms too
        assert store.search("Rescuers") and not store.search("Palu Nothing")
