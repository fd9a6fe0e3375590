"""Actors and quotes in Russian and Ukrainian, and stages that say they did not run.

The Russian and Ukrainian versions of the two bundled seed op-eds (tests/data/seeds_translated,
translated for these tests) must give the states, the Kremlin, Lavrov, Putin, Kim and Pompeo the
same canonical ids the English pipeline gives the English seeds, read from a real ingest of both
into a real store. Traps check precision: common words, other people of the same surname, a
word that only starts like a name. A stage with no model for a language does not run on it and
the record and the article page say so.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from conftest import ROOT, SEEDS
from narrascope import api
from narrascope.analysis.actors_intl import find_actors_in
from narrascope.analysis.kb import default_kb
from narrascope.analysis.languages import STAGE_LANGUAGES, phrase_forms
from narrascope.analysis.quotes_intl import find_quotes_in
from narrascope.settings import load_settings
from narrascope.store import open_store
from narrascope.web.app import create_app

TRANSLATED = ROOT / "tests" / "data" / "seeds_translated"
SEED_OF = {"000": "000_51152c32a183db19.txt", "001": "001_1c1e7d47ce9101b3.txt"}
#: the English seeds' dates as the English pipeline reads them (000 states none)
PUBLISHED = {"000": None, "001": "2017-08-14"}
#: English surface form (as the English pipeline finds it) -> its form in each translation (a regex
#: over the translated mention: inflected, so any case ending)
SAME_ACTOR = {
    "000": {"Kremlin": {"ru": r"Кремл", "uk": r"Кремл"}, "Moscow": {"ru": r"Москв", "uk": r"Москв"},
            "Lavrov": {"ru": r"^Лавров", "uk": r"^Лавров"}, "Vladimir Putin": {"ru": r"Путин", "uk": r"Путін"},
            "Kim Jong Un": {"ru": r"Ким Чен Ын", "uk": r"Кім Чен Ин"}, "Mike Pompeo": {"ru": r"Помпео", "uk": r"Помпео"},
            "Washington": {"ru": r"Вашингтон", "uk": r"Вашингтон"}, "White House": {"ru": r"Бел\w+ дом", "uk": r"Біл\w+ д"},
            "Pyongyang": {"ru": r"Пхеньян", "uk": r"Пхеньян"}, "North Korea": {"ru": r"Северн", "uk": r"Північн"},
            "Russia": {"ru": r"^Росси", "uk": r"^Росі"}, "John Bolton": {"ru": r"Болтон", "uk": r"Болтон"}},
    "001": {"Russia": {"ru": r"^Росси", "uk": r"^Росі"}, "Vladimir Putin": {"ru": r"Путин", "uk": r"Путін"},
            "Rex Tillerson": {"ru": r"Тиллерсон", "uk": r"Тіллерсон"}, "DPRK": {"ru": r"КНДР", "uk": r"КНДР"},
            "China": {"ru": r"Кита", "uk": r"Кита"}, "Seoul": {"ru": r"Сеул", "uk": r"Сеул"},
            "Germany": {"ru": r"Германи", "uk": r"Німеччин"}, "Donald Trump": {"ru": r"Дональд Трамп", "uk": r"Дональд Трамп"}},
}
ARABIC = ("قال وزير الخارجية الروسي سيرغي لافروف إن موسكو مستعدة للحوار مع واشنطن بشأن كوريا الشمالية. وأضاف أن"
          " الكرملين يرى أن العقوبات لن تحل الأزمة، وأن المفاوضات هي الطريق الوحيد. ويرى مراقبون في سيول أن"
          " المحادثات قد تستغرق أشهرا قبل التوصل إلى اتفاق.")
GERMAN = ("„Wir suchen keinen Regimewechsel“, sagte Tillerson in Washington. Die Bundesregierung in Berlin"
          " äußerte sich nicht zu den Gesprächen mit Nordkorea. Beobachter in Seoul rechnen damit, dass die"
          " Verhandlungen über das Atomprogramm noch Monate dauern werden, bevor es eine Einigung gibt.")


def _record(text: str, language: str, title: str, published: str | None) -> dict[str, Any]:
    return {"text": text, "title": title, "language": language, "published": published, "outlet": "Test"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The English seeds and their translations (and a German article), ingested with the full
    default pipeline, every language accepted."""
    folder = tmp_path_factory.mktemp("languages")
    config = folder / "every-language.toml"
    config.write_text("[language]\naccept = []\n", encoding="utf-8")
    lines = [_record((TRANSLATED / f"{language}-{seed}.txt").read_text(encoding="utf-8"), language,
                     f"{language}-{seed}", PUBLISHED[seed])
             for seed in SEED_OF for language in ("ru", "uk")]
    lines.append(_record(GERMAN, "de", "de-001", "2017-08-14"))
    lines.append(_record(ARABIC, "ar", "ar-001", "2017-08-14"))
    (folder / "translated.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines),
                                             encoding="utf-8")
    for name in SEED_OF.values():
        (folder / name).write_bytes((SEEDS / name).read_bytes())
    db = folder / "languages.db"
    report = api.ingest([str(folder / name) for name in (*SEED_OF.values(), "translated.jsonl")], db=db,
                        settings=load_settings(config))
    assert len(report.stored) == 8 and not report.rejected, report
    return db


@pytest.fixture(scope="module")
def records(store: Path) -> dict[str, dict[str, Any]]:
    """Records by key: "en-000", "ru-000", "uk-001", "de-001"..."""
    out = {}
    with open_store(store) as s:
        for article in s.iter_articles():
            record = article.to_record()
            name = Path(str(record["source"].get("location", ""))).name
            key = next((f"en-{seed}" for seed, file in SEED_OF.items() if name == file), record["title"])
            out[key] = record
    assert {"en-000", "en-001", "ru-000", "uk-000", "ru-001", "uk-001", "de-001", "ar-001"} <= set(out), sorted(out)
    return out


def _ids_of(record: dict[str, Any], pattern: str) -> set[str]:
    """Ids of the actors with an own mention (not one rolled up) whose text matches ``pattern``."""
    return {a["id"] for a in record["actors"] for m in a["mentions"]
            if "via" not in m and re.search(pattern, m["text"])}


@pytest.mark.parametrize("language", ["ru", "uk"])
@pytest.mark.parametrize("seed", sorted(SEED_OF))
def test_translated_actors_resolve_to_the_english_ids(records: dict[str, dict[str, Any]], seed: str,
                                                      language: str) -> None:
    english, translated = records[f"en-{seed}"], records[f"{language}-{seed}"]
    assert translated["language"] == language
    for form, translations in SAME_ACTOR[seed].items():
        expected = _ids_of(english, rf"^{re.escape(form)}$")
        assert len(expected) == 1, (form, expected)  # the English pipeline's answer, one actor
        got = _ids_of(translated, translations[language])
        assert got == expected, (form, translations[language], got)
    # precision: nothing the English pipeline does not find in the whole op-ed
    english_ids = {a["id"] for a in english["actors"]}
    assert {a["id"] for a in translated["actors"]} <= english_ids
    for actor in translated["actors"]:
        for m in actor["mentions"]:
            assert translated["text"][m["start"]:m["end"]] == m["text"]
            assert 0 < m["confidence"] <= 1


def test_states_count_their_people_as_in_english(records: dict[str, dict[str, Any]]) -> None:
    russia = next(a for a in records["ru-000"]["actors"] if a["id"] == "RUS")
    via = {m.get("via") for m in russia["mentions"]}
    assert {"person:sergey-lavrov", "person:vladimir-putin"} <= via
    tillerson = next(a for a in records["uk-001"]["actors"] if a["id"] == "person:rex-tillerson")
    english = next(a for a in records["en-001"]["actors"] if a["id"] == "person:rex-tillerson")
    assert (tillerson["country"], tillerson["role"]) == (english["country"], "Secretary of State")


KB = default_kb()


def _found(text: str, language: str, published: str | None = None) -> dict[str, list[str]]:
    return {r.id: [m.text for m in r.own_mentions] for r in find_actors_in(text, KB, language, published)}


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("Россия хочет мира, а весь мир следит за Москвой.", "ru", {"RUS": ["Россия", "Москвой"]}),
    ("Кремлёвская диета снова в моде. Кремлевская стена отреставрирована.", "ru", {}),
    ("Делегация прилетела в Киев, а затем из Киева в Одессу.", "ru", {"UKR": ["Киев", "Киева"]}),
    ("Делегація прилетіла до Києва, а потім залишила Київ.", "uk", {"UKR": ["Києва", "Київ"]}),
    ("На Камчатке началась путина.", "ru", {}),
    ("Бизнесмен Андрей Лавров открыл новый ресторан.", "ru", {}),
    ("Ким Ё Чжон посетила завод.", "ru", {}),
    ("Паломники посетили Лавру, монахи Лавры их встретили.", "ru", {}),
    ("Мир та спокій — головне. Світ змінився.", "uk", {}),
    ("Джордж Вашингтон был первым президентом. Радиостанция «Эхо Москвы» закрыта.", "ru", {}),
    ("Об этом написала газета Вашингтон Пост, а Москва промолчала.", "ru", {"RUS": ["Москва"]}),
    ("Дети катались на американских горках, а лекция была для них китайской грамотой.", "ru", {}),
    ("Американські гірки — найкращий атракціон.", "uk", {}),
    ("À Moscou, Poutine a parlé. En Ukraine, on attend.", "fr", {"RUS": ["Moscou"], "person:vladimir-putin": ["Poutine"],
                                                                 "UKR": ["Ukraine"]}),
    ("En Moscú habló Putin. Desde Washington, silencio.", "es", {"RUS": ["Moscú"], "person:vladimir-putin": ["Putin"],
                                                                 "USA": ["Washington"]}),
    ("Die Regierung Russlands schwieg, die Zeitung Washington Post nicht.", "de", {"RUS": ["Russlands"]}),
])
def test_traps_are_no_actors(text: str, language: str, expected: dict[str, list[str]]) -> None:
    assert _found(text, language, "2019-05-01") == expected


def test_a_surname_alone_resolves_by_the_office_held_on_the_date() -> None:
    text = "Вчера Лавров провёл переговоры."
    assert _found(text, "ru", "2019-05-01") == {"person:sergey-lavrov": ["Лавров"], "RUS": []}
    assert "person:sergey-lavrov" not in _found(text, "ru", "2003-01-01")  # not yet foreign minister
    assert _found("Трамп и Путин встретились в Хельсинки.", "ru", "2018-07-16").keys() == {
        "person:donald-trump", "person:vladimir-putin", "USA", "RUS"}


def test_names_are_declined_from_the_nominative() -> None:
    forms = {" ".join(f) for f in phrase_forms("Белый дом", "ru")}
    assert {"белый дом", "белого дома", "белом доме", "белым домом"} <= forms
    assert "кремлевская" not in {" ".join(f) for f in phrase_forms("Кремль", "ru")}
    assert {"сергію лаврову", "сергієві лаврову"} & {" ".join(f) for f in phrase_forms("Сергій Лавров", "uk")}
    assert "лавра" not in {f[0] for f in phrase_forms("Лавров", "ru")}


def _quote(record: dict[str, Any], contains: str) -> dict[str, Any]:
    found = [q for q in record["quotes"] if contains in q["content"]]
    assert len(found) == 1, (contains, record["quotes"])
    return found[0]


@pytest.mark.parametrize(("language", "content", "english"), [
    ("ru", "Мы не добиваемся смены режима", "We do not seek a regime change"),
    ("uk", "Ми не прагнемо зміни режиму", "We do not seek a regime change"),
])
def test_quotes_with_a_speech_verb_take_the_speaker_the_english_pipeline_gives(
        records: dict[str, dict[str, Any]], language: str, content: str, english: str) -> None:
    record = records[f"{language}-001"]
    quote = _quote(record, content)
    assert quote["speaker_actor"] == _quote(records["en-001"], english)["speaker_actor"] == "person:rex-tillerson"
    assert record["text"][quote["start"]:quote["end"]] == quote["content"]
    span = quote["speaker_span"]
    assert record["text"][span["start"]:span["end"]] in ("Тиллерсон", "Тіллерсон")
    assert quote["direct"] and quote["cue"] in ("подчеркнул", "наголосив") and 0 < quote["confidence"] <= 1
    kofman = _quote(record, "Китай")
    assert (kofman["speaker"], kofman["speaker_actor"]) == ("Майкл Кофман", None)
    # scare quotes and slogans without a speech verb are no quotes
    assert not [q for q in record["quotes"] if q["content"] in ("огонь и ярость", "вогонь і лють")]
    assert not [q for q in records[f"{language}-000"]["quotes"] if "Америка" in q["content"]]


def test_speaker_before_the_verb_and_a_colon() -> None:
    text = "Министр иностранных дел Сергей Лавров заявил: «Мы готовы к диалогу». Потом он уехал."
    actors = find_actors_in(text, KB, "ru", "2019-05-01")
    mentions = sorted((m for a in actors for m in a.own_mentions), key=lambda m: m.start)
    (quote,) = find_quotes_in(text, "ru", mentions, actors)
    assert (quote["speaker_actor"], quote["content"], quote["cue"]) == ("person:sergey-lavrov", "Мы готовы к диалогу",
                                                                         "заявил")
    assert find_quotes_in("Он назвал это «новой холодной войной».", "ru", [], []) == []


@pytest.mark.parametrize(("language", "text", "expected", "quote"), [
    ("de", "„Wir sind bereit“, sagte Außenminister Lawrow in Pjöngjang. Der Kreml schwieg, im Weißen Haus"
     " sagte Trump: „Feuer und Wut“. Andrej Lawrow, ein Geschäftsmann, widersprach.",
     {"person:sergey-lavrov": ["Lawrow"], "PRK": ["Pjöngjang"], "RUS": ["Kreml"], "USA": ["Weißen Haus"],
      "person:donald-trump": ["Trump"]},
     [("person:sergey-lavrov", "Wir sind bereit", "sagte"), ("person:donald-trump", "Feuer und Wut", "sagte")]),
    ("fr", "« Nous sommes prêts », a déclaré Sergueï Lavrov à Pyongyang. Au Québec, la poutine est un plat ;"
     " le Kremlin et la Maison-Blanche se taisent.",
     {"person:sergey-lavrov": ["Sergueï Lavrov"], "PRK": ["Pyongyang"], "RUS": ["Kremlin"], "USA": ["Maison-Blanche"]},
     [("person:sergey-lavrov", "Nous sommes prêts", "a déclaré")]),
    ("es", "«Estamos listos», dijo Serguéi Lavrov en Pyongyang. La china de porcelana se rompió, y la Casa"
     " Blanca guardó silencio. Vladímir Putin ha dicho: \"No cederemos\".",
     {"person:sergey-lavrov": ["Serguéi Lavrov"], "PRK": ["Pyongyang"], "USA": ["Casa Blanca"],
      "person:vladimir-putin": ["Vladímir Putin"]},
     [("person:sergey-lavrov", "Estamos listos", "dijo"), ("person:vladimir-putin", "No cederemos", "ha dicho")]),
])
def test_actors_and_quotes_in_german_french_and_spanish(language: str, text: str, expected: dict[str, list[str]],
                                                        quote: list[tuple[str, str, str]]) -> None:
    actors = find_actors_in(text, KB, language, "2019-05-01")
    assert {r.id: [m.text for m in r.own_mentions] for r in actors if r.own_mentions} == expected
    mentions = sorted((m for a in actors for m in a.own_mentions), key=lambda m: m.start)
    quotes = find_quotes_in(text, language, mentions, actors)
    assert [(q["speaker_actor"], q["content"], q["cue"]) for q in quotes] == quote
    for q in quotes:
        assert text[q["start"]:q["end"]] == q["content"]


def test_dialogue_after_a_dash() -> None:
    text = ("Переговоры шли всю ночь.\n— Мы готовы к диалогу, — заявил Сергей Лавров журналистам.\n"
            "— Без давления, — сказал он.\n— Россия — большая страна.\n"
            "— Ми готові, — заявив Майкл Кофман.")
    actors = find_actors_in(text, KB, "ru", "2019-05-01")
    mentions = sorted((m for a in actors for m in a.own_mentions), key=lambda m: m.start)
    quotes = find_quotes_in(text, "ru", mentions, actors)
    assert [(q["content"], q["speaker_actor"], q["speaker"]) for q in quotes] == [
        ("Мы готовы к диалогу", "person:sergey-lavrov", "Sergey Lavrov")]  # "ru": the Ukrainian verb is no cue
    assert text[quotes[0]["start"]:quotes[0]["end"]] == "Мы готовы к диалогу"
    (ukrainian,) = find_quotes_in(text, "uk", [], [])
    assert (ukrainian["content"], ukrainian["speaker"], ukrainian["speaker_actor"]) == ("Ми готові", "Майкл Кофман", None)
    assert find_quotes_in("— Мы готовы, — заявил Лавров.", "de", [], []) == []


def test_stages_without_a_model_for_the_language_do_not_run_and_say_why(records: dict[str, dict[str, Any]]) -> None:
    for key, language in (("ru-000", "ru"), ("uk-001", "uk"), ("de-001", "de"), ("ar-001", "ar")):
        record = records[key]
        notes = record["provenance"]["stages"]
        expected = {name for name, languages in STAGE_LANGUAGES.items() if language not in languages}
        assert set(notes) == expected, (key, notes)
        for name in expected:
            assert notes[name]["ran"] is False and f"'{language}'" in notes[name]["reason"]
        assert record["events"] == record["techniques"] == record["frames"] == record["stances"] == []
        assert set(record["pipeline"]["stages"]) >= set(STAGE_LANGUAGES)
    assert records["ru-000"]["actors"] and records["ar-001"]["actors"] == records["ar-001"]["quotes"] == []
    german = records["de-001"]
    assert {a["id"] for a in german["actors"]} >= {"person:rex-tillerson", "USA", "DEU", "KOR", "PRK"}
    assert [(q["speaker_actor"], q["content"]) for q in german["quotes"]] == [
        ("person:rex-tillerson", "Wir suchen keinen Regimewechsel")]
    for key in ("en-000", "en-001"):
        assert "stages" not in records[key]["provenance"]
        assert records[key]["events"] and records[key]["frames"]


def test_show_lists_the_stages_that_did_not_run(records: dict[str, dict[str, Any]]) -> None:
    from narrascope.analysis.render import render_analysis
    from narrascope.model import Article

    lines = render_analysis(Article.from_record(records["uk-000"]))
    assert "Not run:" in lines and "  events: no model for language 'uk' (runs on: en)" in lines
    assert lines.index("Actors:") < lines.index("Not run:")
    assert "Not run:" not in render_analysis(Article.from_record(records["en-000"]))


def test_a_stage_that_runs_again_drops_its_note(records: dict[str, dict[str, Any]]) -> None:
    from narrascope.enrich import build_pipeline
    from narrascope.model import Article

    article = Article.from_record(records["ru-001"])
    article.language = "en"  # say the language was corrected: every stage now runs
    settings = load_settings()
    build_pipeline(settings, ["frames", "topics"]).run(article)
    assert set(article.provenance["stages"]) == set(records["ru-001"]["provenance"]["stages"]) - {"frames", "topics"}


def test_the_article_page_says_which_analyses_ran(store: Path, records: dict[str, dict[str, Any]]) -> None:
    client = TestClient(create_app(store), base_url="http://127.0.0.1")
    page = client.get(f"/articles/{records['ru-000']['id']}").text
    section = page[page.index('id="analyses"'):]
    section = section[:section.index("</section>")]
    assert re.search(r'data-stage="actors"><strong>actors</strong>: ran \(v\d+\)', section)
    assert re.search(r'data-stage="events"><strong>events</strong>: did not run — no model for language'
                     r' &#39;ru&#39;', section)
    assert "not calibrated" in section
    english = client.get(f"/articles/{records['en-000']['id']}").text
    section = english[english.index('id="analyses"'):]
    section = section[:section.index("</section>")]
    assert "did not run" not in section and 'data-stage="events"><strong>events</strong>: ran' in section
    assert "not calibrated" not in section
