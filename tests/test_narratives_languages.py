"""Narratives in every language (issue 13): each language's articles are compared in that
language's own terms, two languages never meet on shared names or numbers, and a translation
(a reuse pair of kind ``translation``) brings its two articles into one narrative.

Real SQLite stores, the CLI, and texts written for these tests.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from conftest import run_cli
from narrascope.corpus.narratives_model import claim_sentences, make_doc, tokens
from translation_rows import insert_translation

RU_TALKS = [
    "Министр иностранных дел России Сергей Лавров провёл переговоры с турецким коллегой в Анкаре. Лавров"
    " заявил, что зерновая сделка может быть возобновлена. Стороны обсудили поставки зерна через Чёрное море"
    " и безопасность судов. По словам Лаврова, Москва готова к диалогу.",
    "В Анкаре состоялись переговоры Лаврова и главы МИД Турции. Российский министр сообщил, что возобновление"
    " зерновой сделки возможно при выполнении условий Москвы. Турецкая сторона предложила гарантии"
    " безопасности судов с зерном в Чёрном море.",
]
RU_FLOOD = [
    "Сильные ливни вызвали наводнение в Краснодарском крае. Вода затопила сотни домов, жителей эвакуировали"
    " спасатели. Губернатор края объявил режим чрезвычайной ситуации. Реки вышли из берегов после трёх суток"
    " дождей.",
    "Наводнение на Кубани: спасатели эвакуировали жителей затопленных посёлков. В Краснодарском крае введён"
    " режим чрезвычайной ситуации, уровень воды в реках продолжает расти после проливных дождей. Сотни домов"
    " остаются под водой.",
]
ZH_QUAKE = [
    "四川省发生六级地震，震中位于山区。救援队伍已经赶到灾区，地震造成多座房屋倒塌。当地政府表示，地震救援工作正在进行。",
    "四川省地震发生后，救援队伍在倒塌的房屋中搜寻幸存者。灾区道路受损，地震救援物资正在运往震中附近的山区村庄。",
    "地震灾区的救援工作持续进行，四川省政府调集更多救援队伍前往山区，搜寻倒塌房屋中的幸存者。",
]
ZH_RATES = [
    "中国人民银行宣布下调贷款利率，以支持经济增长。分析人士认为，降息将降低企业融资成本。",
    "央行降息后，银行贷款利率随之下调。市场认为这一货币政策有助于稳定经济增长，降低融资成本。",
    "人民银行表示，下调贷款利率是为了降低企业融资成本，支持实体经济增长。",
]
#: one story in English and in Russian (the Russian a translation of the English), sharing the
#: Latin names and numbers a naive tokeniser would match across the two
EN_SUMMIT = ("NATO leaders met in Vilnius on 11 July 2024 to discuss air defence for Ukraine. Stoltenberg said"
             " the alliance would send more Patriot systems. The leaders agreed a new plan for ammunition.")
RU_SUMMIT = ("Лидеры NATO встретились в Вильнюсе 11 июля 2024 года, чтобы обсудить противовоздушную оборону"
             " Украины. Stoltenberg заявил, что альянс направит больше систем Patriot. Лидеры согласовали новый"
             " план поставок боеприпасов.")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "every-language.toml"
    path.write_text('[pipeline]\nstages = ["language", "genre"]\n\n[language]\naccept = []\n\n[extract]\nmin_chars = 20\n')
    return path


def store_articles(tmp_path: Path, db: Path, config: Path, items: list[tuple[str, str, str]]) -> None:
    """Ingest (url, language, text) articles, one a day from 4 March 2024."""
    path = tmp_path / "articles.jsonl"
    path.write_text("".join(json.dumps({"url": url, "language": language, "text": text, "title": "",
                                        "published": f"2024-03-{4 + i % 5:02d}"}, ensure_ascii=False) + "\n"
                            for i, (url, language, text) in enumerate(items)), encoding="utf-8")
    result = run_cli("--config", str(config), "ingest", str(path), "--db", str(db))
    assert result.exit_code == 0, result.output


def narratives(db: Path, *args: str) -> None:
    result = run_cli("narratives", "--db", str(db), "--json", *args)
    assert result.exit_code == 0, result.output


def membership(db: Path) -> dict[str, int]:
    """url -> narrative id."""
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT a.url, m.narrative FROM narrative_members m JOIN articles a"
                                 " ON a.id = m.article").fetchall())
    finally:
        conn.close()


def labels(db: Path) -> dict[int, str]:
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT id, label FROM narratives").fetchall())
    finally:
        conn.close()


def article_id(db: Path, url: str) -> str:
    conn = sqlite3.connect(db)
    try:
        (found,) = conn.execute("SELECT id FROM articles WHERE url = ?", (url,)).fetchone()
        return str(found)
    finally:
        conn.close()


def test_russian_stories_make_two_narratives_labelled_in_russian(tmp_path: Path, db: Path, config: Path) -> None:
    items = [(f"https://ru.example/talks/{i}", "ru", t) for i, t in enumerate(RU_TALKS)]
    items += [(f"https://ru.example/flood/{i}", "ru", t) for i, t in enumerate(RU_FLOOD)]
    store_articles(tmp_path, db, config, items)
    narratives(db)
    found = membership(db)
    talks = {found[f"https://ru.example/talks/{i}"] for i in range(2)}
    flood = {found[f"https://ru.example/flood/{i}"] for i in range(2)}
    assert len(talks) == 1 and len(flood) == 1 and talks != flood
    label_of = labels(db)
    for narrative in talks | flood:
        words = label_of[narrative].split(" · ")
        assert words and all(re.fullmatch(r"[а-яё-]+", w) for w in words), label_of[narrative]
    # the inflected forms of one name count as one term ("Лавров", "Лаврова")
    assert "лавров" in label_of[talks.pop()].split(" · ")


def test_chinese_corpus_clusters_by_story(tmp_path: Path, db: Path, config: Path) -> None:
    items = [(f"https://zh.example/quake/{i}", "zh", t) for i, t in enumerate(ZH_QUAKE)]
    items += [(f"https://zh.example/rates/{i}", "zh", t) for i, t in enumerate(ZH_RATES)]
    store_articles(tmp_path, db, config, items)
    narratives(db)
    found = membership(db)
    quake = {found[f"https://zh.example/quake/{i}"] for i in range(3)}
    rates = {found[f"https://zh.example/rates/{i}"] for i in range(3)}
    assert len(quake) == 1 and len(rates) == 1 and quake != rates
    label_of = labels(db)
    assert "地震" in label_of[quake.pop()].split(" · ")
    assert any(term in label_of[rates.pop()].split(" · ") for term in ("利率", "贷款", "降息"))
    conn = sqlite3.connect(db)
    evidence = [json.loads(e) for (e,) in conn.execute("SELECT evidence FROM narrative_members")]
    conn.close()
    assert all(evidence), "every Chinese article has claim sentences as evidence"


def test_languages_apart_unless_a_translation_links_them(tmp_path: Path, db: Path, config: Path) -> None:
    store_articles(tmp_path, db, config, [("https://en.example/summit", "en", EN_SUMMIT),
                                          ("https://ru.example/summit", "ru", RU_SUMMIT)])
    narratives(db)
    found = membership(db)
    assert found["https://en.example/summit"] != found["https://ru.example/summit"]

    english, russian = article_id(db, "https://en.example/summit"), article_id(db, "https://ru.example/summit")
    insert_translation(db, english, russian, pairs=[(0, 0, 0.91), (1, 1, 0.88), (2, 2, 0.9)], languages=("en", "ru"))
    narratives(db, "--full")
    found = membership(db)
    assert found["https://en.example/summit"] == found["https://ru.example/summit"]


def test_english_tokens_and_claims_unchanged_by_the_languages() -> None:
    text = "Officials said the reservoir was full. Is it?"
    assert tokens(text) == ["officials", "said", "the", "reservoir", "was", "full", "is", "it"]
    english = make_doc(1, "a", "2024-03-04", text=text)
    unstated = make_doc(1, "a", "2024-03-04", text=text, language="en-GB")
    russian = make_doc(1, "a", "2024-03-04", text=text, language="ru")
    assert english.features.tolist() == unstated.features.tolist()
    assert not set(english.features.tolist()) & set(russian.features.tolist())
    claim = "The minister said the dam was safe and sound today."
    assert claim_sentences(claim + " Is it?") == [(0, len(claim))]
    # no English claim verb needed in Russian; a question is never a claim
    claim = "Губернатор края объявил режим чрезвычайной ситуации сегодня."
    assert claim_sentences(claim + " Что же будет дальше с этими домами?", language="ru") == [(0, len(claim))]
    claim = "地震救援工作正在进行，救援队伍已经赶到。"
    assert claim_sentences(claim + "灾区还有多少人需要帮助？", language="zh") == [(0, len(claim))]


def test_inflected_forms_count_as_one_term_read_as_written() -> None:
    pytest.importorskip("Stemmer", reason="Snowball stemming needs PyStemmer")
    terms: dict[int, str] = {}
    one = make_doc(1, "a", "2024-03-04", text="Die Regierung verhandelt.", language="de", terms=terms)
    other = make_doc(2, "b", "2024-03-04", text="Den Regierungen fehlt Geld.", language="de", terms=terms)
    shared = set(one.features.tolist()) & set(other.features.tolist())
    assert len(shared) == 1 and terms[shared.pop()] == "regierung"   # the first form seen, not a stem


def test_a_translation_joins_its_original_clustered_in_an_earlier_run(tmp_path: Path, db: Path, config: Path
                                                                      ) -> None:
    store_articles(tmp_path, db, config, [("https://en.example/summit", "en", EN_SUMMIT)])
    narratives(db)
    (tmp_path / "more").mkdir()
    store_articles(tmp_path / "more", db, config, [("https://ru.example/summit", "ru", RU_SUMMIT)])
    english, russian = article_id(db, "https://en.example/summit"), article_id(db, "https://ru.example/summit")
    insert_translation(db, english, russian, pairs=[(0, 0, 0.91), (1, 1, 0.88), (2, 2, 0.9)], languages=("en", "ru"))
    narratives(db)   # incremental: the original is read back from the store
    found = membership(db)
    assert found["https://en.example/summit"] == found["https://ru.example/summit"]


def test_each_language_has_its_own_idf() -> None:
    from narrascope.corpus.narratives_model import NarrativeModel

    english = [make_doc(k, f"e{k}", "2024-03-04", text=f"The dam number {k} was inspected by engineers.")
               for k in range(10)]
    russian = [make_doc(10 + k, f"r{k}", "2024-03-04", text="Инженеры проверили плотину.", language="ru")
               for k in range(2)]
    model = NarrativeModel()
    model.count_df(english + russian)
    assert dict(model.language_docs) == {"": 10, "ru": 2}
    # a word in every Russian article is common in Russian, however few Russian articles there are
    assert model.idf(russian[0].features, "ru").tolist() == [1.0] * len(russian[0].features)
    assert (model.idf(english[0].features) >= 1.0).all()
