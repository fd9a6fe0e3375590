"""Cleaning and metadata beyond English: bylines, dates with the month written out, wire
datelines, related-link lines and disclaimers in the languages of ``data/language_cues.tsv``
and ``data/month_names.tsv``. Small texts written for these tests; each case is one line or one
scrape, and a line of prose that only resembles a cue stays in the body."""

from __future__ import annotations

import pytest

from narrascope.extract import boilerplate as bp
from narrascope.extract.draft import Draft
from narrascope.extract.html import dateline_date
from narrascope.extract.text import extract_text, normalise
from narrascope.model import RawItem
from narrascope.settings import Settings
from narrascope.sources.dates import stated_date, written_dates

BYLINES = [
    ("ru", "Автор: Иван Петров", ["Иван Петров"]),
    ("ru", "Авторы: Анна Смирнова и Олег Кузнецов", ["Анна Смирнова", "Олег Кузнецов"]),
    ("uk", "Автор: Олена Коваленко та Андрій Шевчук", ["Олена Коваленко", "Андрій Шевчук"]),
    ("de", "Von Anna Schmidt und Peter Weber", ["Anna Schmidt", "Peter Weber"]),
    ("fr", "Par Jean Dupont et Marie Lefèvre", ["Jean Dupont", "Marie Lefèvre"]),
    ("es", "Por María García y José López", ["María García", "José López"]),
    ("pl", "Autor: Jan Kowalski", ["Jan Kowalski"]),
    ("ar", "بقلم: محمد علي", ["محمد علي"]),
    ("tr", "Yazar: Ahmet Yılmaz ve Mehmet Demir", ["Ahmet Yılmaz", "Mehmet Demir"]),
    ("zh", "作者：张伟", ["张伟"]),
    ("ro", "Autor: Andrei Popescu", ["Andrei Popescu"]),
    ("hu", "Szerző: Kovács Péter", ["Kovács Péter"]),
]


@pytest.mark.parametrize(("language", "line", "names"), BYLINES, ids=[f"{b[0]}-{i}" for i, b in enumerate(BYLINES)])
def test_a_byline_names_its_authors(language: str, line: str, names: list[str]) -> None:
    meta = bp.parse_meta_line(line)
    assert meta is not None and meta.authors == names
    assert bp.classify_paragraph(line) == ("byline", None)


@pytest.mark.parametrize("line", [
    "Автор романа давно живёт в Париже и пишет о своей семье.",
    "Von Montag an gelten in Berlin neue Regeln für den Nahverkehr.",
    "Par ailleurs, le gouvernement a annoncé de nouvelles mesures.",
    "Por otro lado, el ministro no quiso hacer comentarios.",
    "De ce a decis guvernul să amâne votul?",
])
def test_prose_that_opens_with_a_byline_word_is_no_byline(line: str) -> None:
    assert bp.parse_meta_line(line) is None
    assert bp.classify_paragraph(line) is None


DATES = [
    ("ru", "14 августа 2017", "2017-08-14"),
    ("ru", "Понедельник, 14 августа 2017 г., 12:30", "2017-08-14"),
    ("uk", "3 березня 2019 року", "2019-03-03"),
    ("be", "5 сакавіка 2020", "2020-03-05"),
    ("pl", "5 października 2020", "2020-10-05"),
    ("de", "3. März 2019", "2019-03-03"),
    ("fr", "1er mars 2019", "2019-03-01"),
    ("es", "12 de mayo de 2020", "2020-05-12"),
    ("ro", "3 martie 2019", "2019-03-03"),
    ("hu", "2019. március 3.", "2019-03-03"),
    ("lt", "2019 m. kovo 3 d.", "2019-03-03"),
    ("tr", "3 Mart 2019", "2019-03-03"),
    ("ka", "2019 წლის 3 მარტი", "2019-03-03"),
    ("ar", "3 مارس 2019", "2019-03-03"),
    ("ar", "٣ آذار/مارس ٢٠١٩", "2019-03-03"),
    ("fa", "۳ مارس ۲۰۱۹", "2019-03-03"),
    ("zh", "2019年3月3日", "2019-03-03"),
    ("sr", "14. августа 2017.", "2017-08-14"),
    ("bg", "14 август 2017 г.", "2017-08-14"),
]


@pytest.mark.parametrize(("language", "value", "iso"), DATES, ids=[f"{d[0]}-{i}" for i, d in enumerate(DATES)])
def test_a_date_with_its_month_written_out_is_read_in_every_reader(language: str, value: str, iso: str) -> None:
    assert [day for _s, _e, day in written_dates(value)] == [iso]
    assert stated_date(value) == iso  # a feed's or a JSONL field's date
    assert dateline_date(value) == iso  # a date an HTML page shows
    meta = bp.parse_meta_line(value)  # a date line in a scrape
    assert meta is not None and meta.published == iso


@pytest.mark.parametrize("value", ["14 августа", "3. März", "30 февраля 2017", "мая 2019", "2019年3月", "12 de mayo"])
def test_a_date_without_its_day_month_and_year_is_no_date(value: str) -> None:
    assert written_dates(value) == [] and stated_date(value) is None and dateline_date(value) is None


def test_date_labels_tell_publication_from_update() -> None:
    published = bp.parse_meta_line("Опубликовано: 14 августа 2017, 12:30")
    updated = bp.parse_meta_line("Aktualisiert am 5. März 2019 um 10:15 Uhr")
    assert published is not None and published.published == "2017-08-14" and published.labelled
    assert updated is not None and updated.published is None and updated.updated == "2019-03-05"
    assert dateline_date("Обновлено 15 августа 2017 | Опубликовано 14 августа 2017") == "2017-08-14"


RELATED = [
    ("ru", "Читайте также: Лавров встретился с коллегой из Франции"),
    ("uk", "Читайте також: Уряд затвердив нові правила"),
    ("de", "Lesen Sie auch: Merkel reist nach Paris"),
    ("fr", "Lire aussi : Le président reçoit son homologue"),
    ("es", "Lea también: El Gobierno aprueba el presupuesto"),
    ("pl", "Czytaj także: Rząd przyjął projekt ustawy"),
    ("ar", "اقرأ أيضا: الوزير يلتقي نظيره الفرنسي"),
    ("tr", "İlgili haberler: Bakan Paris'e gitti"),
    ("zh", "相关阅读：外交部长会见法国同行"),
]


@pytest.mark.parametrize(("language", "line"), RELATED, ids=[r[0] for r in RELATED])
def test_a_related_link_line_is_boilerplate(language: str, line: str) -> None:
    assert bp.classify_paragraph(line) == ("related", None)


DISCLAIMERS = [
    ("ru", "Мнение автора может не совпадать с позицией редакции."),
    ("uk", "Думка автора може не збігатися з позицією редакції."),
    ("de", "Die Meinung des Autors muss nicht mit der Meinung der Redaktion übereinstimmen."),
    ("fr", "Les opinions exprimées dans cette tribune n'engagent que leur auteur."),
    ("es", "Las opiniones expresadas en este artículo son responsabilidad exclusiva de su autor."),
    ("pl", "Redakcja nie musi podzielać opinii autora."),
    ("ar", "المقال يعبر عن رأي كاتبه ولا يعبر بالضرورة عن رأي الموقع."),
    ("tr", "Yazıda yer alan görüşler tamamen yazara aittir."),
    ("zh", "本文仅代表作者个人观点，不代表本网立场。"),
]


@pytest.mark.parametrize(("language", "line"), DISCLAIMERS, ids=[d[0] for d in DISCLAIMERS])
def test_an_opinion_disclaimer_is_boilerplate(language: str, line: str) -> None:
    assert bp.classify_paragraph(line) == ("disclaimer", None)


@pytest.mark.parametrize("line", [
    "Министр заявил, что мнение экспертов не совпадает с позицией правительства, и покинул зал.",
    "Читатели писали в редакцию о проблемах с транспортом всю неделю.",
    "Die Redaktion hat am Montag beschlossen, die Serie fortzusetzen.",
])
def test_prose_near_a_cue_stays(line: str) -> None:
    assert bp.classify_paragraph(line) is None


def scrape(text: str) -> tuple[Draft, list[tuple[str, str | None, str]]]:
    item = RawItem(data=text.encode(), media_type="text/plain", source_kind="text", location="x.txt")
    draft = extract_text(item, Settings())
    return draft, [(r.kind, r.label, r.text) for r in draft.removed]


def test_a_wire_dateline_opening_the_lede_is_read_and_kept_aside() -> None:
    body = ("Министр иностранных дел заявил в понедельник, что переговоры в Женеве не принесли результата."
            " По его словам, стороны не смогли договориться о графике.")
    draft, removed = scrape(f"Переговоры зашли в тупик\n\nМОСКВА, 14 августа 2017 — РИА Новости. {body}\n")
    assert draft.text == body
    assert draft.published == "2017-08-14" and draft.provenance["published"] == "dateline"
    assert ("other", "dateline", "МОСКВА, 14 августа 2017 — РИА Новости.") in removed
    # without the year the dateline states no date: none is guessed
    draft, _ = scrape(f"Переговоры зашли в тупик\n\nМОСКВА, 14 августа — РИА Новости. {body}\n")
    assert draft.text == body and draft.published is None


def test_a_scrape_in_arabic_keeps_its_body_and_reads_its_metadata() -> None:
    paragraphs = ["قال وزير الخارجية يوم الاثنين إن المحادثات في جنيف لم تحقق أي نتيجة.",
                  "ويرى الخبراء أن الاجتماع المقبل قد يعقد في الخريف."]
    draft, removed = scrape("محادثات جنيف تصل إلى طريق مسدود\n\nبقلم: محمد علي\n3 مارس 2019\n\n"
                            f"{paragraphs[0]}\n\nاقرأ أيضا: الوزير يلتقي نظيره الفرنسي\n\n{paragraphs[1]}\n")
    assert draft.title == "محادثات جنيف تصل إلى طريق مسدود"
    assert draft.text == "\n\n".join(paragraphs)
    assert draft.authors == ["محمد علي"] and draft.published == "2019-03-03"
    assert ("related", None, "اقرأ أيضا: الوزير يلتقي نظيره الفرنسي") in removed


def test_a_chinese_paragraph_under_the_title_is_body_not_a_caption() -> None:
    first = "周六，选民将就是否更改国名进行投票。"
    second = "这次投票旨在解决与邻国长达数十年的争端。"
    draft, _ = scrape(f"选民将就国名进行公投\n\n{first}\n\n{second}\n")
    assert draft.text == f"{first}\n\n{second}"


def test_a_chinese_sentence_ending_in_a_full_stop_is_body_not_a_title() -> None:
    # A lone paragraph (a JSONL text without a title): the whole text must not become the title.
    text = "四川省发生六级地震，震中位于山区。救援队伍已经赶到灾区，地震造成多座房屋倒塌。"
    draft, _ = scrape(f"{text}\n")
    assert draft.text == text and not draft.title


def test_the_shortest_body_counts_a_chinese_character_as_three() -> None:
    from narrascope.errors import ExtractionError
    from narrascope.extract import extract
    from narrascope.model import RawItem
    from narrascope.settings import Settings

    sentence = "四川省发生六级地震，震中位于山区，救援队伍已经赶到灾区。"  # 28 characters
    item = RawItem(data=("选民将就国名进行公投\n\n" + sentence * 3).encode(), media_type="text/plain",
                   source_kind="text", location="zh.txt")
    assert extract(item, Settings()).text == sentence * 3  # 84 characters, 75 Han: 234, kept
    short = RawItem(data=("选民将就国名进行公投\n\n" + sentence * 2).encode(), media_type="text/plain",
                    source_kind="text", location="zh.txt")
    with pytest.raises(ExtractionError) as caught:  # 56 characters, 50 of them Han: 156
        extract(short, Settings())
    assert caught.value.code == "NS202" and "156 counting" in str(caught.value)


def test_the_persian_zero_width_non_joiner_is_kept_inside_words() -> None:
    assert normalise("رأی\u200cدهندگان می\u200cگویند") == "رأی\u200cدهندگان می\u200cگویند"
    assert normalise("a\u200cb \u200c") == "ab"  # a stray one in Latin text still goes


def page(language: str, title: str, head: list[str], body: list[str]) -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in body)
    return (f'<!doctype html><html lang="{language}"><head><meta charset="utf-8"><title>{title}</title></head>'
            f'<body><article><h1>{title}</h1>{"".join(head)}{paragraphs}</article></body></html>').encode()


def html_draft(data: bytes) -> tuple[Draft, list[tuple[str, str | None, str]]]:
    from narrascope.extract.html import extract_html

    draft = extract_html(RawItem(data=data, media_type="text/html", source_kind="html", location="x.html"), Settings())
    return draft, [(r.kind, r.label, r.text) for r in draft.removed]


def test_an_html_page_in_german_gives_its_byline_date_and_clean_body() -> None:
    body = ["Die Bundesregierung hat am Dienstag erklärt, dass die Gespräche mit den Nachbarländern im nächsten"
            " Monat fortgesetzt werden sollen. Beobachter sprechen von einem schwierigen, aber notwendigen Schritt.",
            "Nach Angaben von Diplomaten gab es in mehreren Punkten keine Einigung. Die Delegationen wollen sich im"
            " Herbst erneut treffen, hieß es aus Regierungskreisen."]
    draft, removed = html_draft(page(
        "de", "Gespräche in Genf gescheitert",
        ['<div class="byline">Von Anna Schmidt und Peter Weber</div>', '<div class="date">3. März 2019</div>'],
        [body[0], "Lesen Sie auch: Außenminister trifft Amtskollegen in Paris", body[1],
         "Die Meinung des Autors muss nicht mit der Meinung der Redaktion übereinstimmen."]))
    assert draft.authors == ["Anna Schmidt", "Peter Weber"]
    assert draft.published == "2019-03-03"
    assert draft.text == "\n\n".join(body)
    assert ("related", None, "Lesen Sie auch: Außenminister trifft Amtskollegen in Paris") in removed
    assert any(kind == "disclaimer" for kind, _label, _text in removed)


def test_an_html_page_in_russian_reads_a_byline_line_and_a_wire_dateline() -> None:
    lede = ("Министр иностранных дел заявил в понедельник, что переговоры в Женеве не принесли результата."
            " По его словам, стороны не смогли договориться о графике.")
    rest = "Эксперты считают, что следующая встреча может состояться осенью, сообщает агентство."
    draft, removed = html_draft(page(
        "ru", "Переговоры в Женеве зашли в тупик", [],
        ["Автор: Иван Петров", f"МОСКВА, 14 августа 2017 — РИА Новости. {lede}",
         "Читайте также: Лавров встретился с коллегой из Франции", rest,
         "Мнение автора может не совпадать с позицией редакции."]))
    assert draft.authors == ["Иван Петров"] and draft.provenance["authors"] == "byline"
    assert draft.published == "2017-08-14" and draft.provenance["published"] == "dateline"
    assert draft.text == f"{lede}\n\n{rest}"
    assert ("other", "dateline", "МОСКВА, 14 августа 2017 — РИА Новости.") in removed
    assert [kind for kind, _label, _text in removed if kind in ("related", "disclaimer", "byline")] == [
        "byline", "related", "disclaimer"]
