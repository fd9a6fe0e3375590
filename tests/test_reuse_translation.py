"""Cross-lingual reuse on a real store: an English article, its Russian and German translations (one
whole, one of its passages only), an unrelated Russian article sharing its numbers; and, on the
library core, a Chinese article reposted (same-language reuse in a script without spaces). The
texts are the test's own.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import run_cli
from narrascope.corpus import iter_table
from narrascope.corpus import translation as tr
from narrascope.corpus.reuse_core import align, fingerprints, token_hashes, tokens
from narrascope.store import open_store

ENGLISH = [
    "The port of Klaipeda handled 47.5 million tonnes of cargo in 2019, a record for the Lithuanian harbour.",
    "Director Algis Latakas said that container traffic grew by 12 percent compared with the previous year.",
    "The port plans to invest 350 million euros in a new deep water terminal by 2025.",
    "Environmental groups warned that dredging the channel could harm fish stocks in the Curonian Lagoon.",
    "The government in Vilnius has promised to publish a full assessment before construction begins.",
    "Belarusian fertiliser exports, which pass through Klaipeda, made up almost a third of the total volume.",
]
RUSSIAN = [
    "Порт Клайпеды в 2019 году перевалил 47,5 миллиона тонн грузов, что стало рекордом для литовской гавани.",
    "Директор Альгис Латакас сообщил, что контейнерные перевозки выросли на 12 процентов по сравнению с предыдущим годом.",
    "Порт планирует вложить 350 миллионов евро в новый глубоководный терминал к 2025 году.",
    "Экологические организации предупредили, что углубление канала может навредить рыбным запасам Куршского залива.",
    "Правительство в Вильнюсе пообещало опубликовать полную оценку до начала строительства.",
    "Белорусский экспорт удобрений, который идёт через Клайпеду, составил почти треть общего объёма.",
]
GERMAN_PART = [  # the first two sentences and the last one only
    "Der Hafen von Klaipeda hat 2019 insgesamt 47,5 Millionen Tonnen Fracht umgeschlagen, ein Rekord für den"
    " litauischen Hafen.",
    "Direktor Algis Latakas sagte, der Containerverkehr sei im Vergleich zum Vorjahr um 12 Prozent gewachsen.",
    "Belarussische Düngemittelexporte, die über Klaipeda laufen, machten fast ein Drittel des Gesamtvolumens aus.",
]
UNRELATED_RU = [
    "В 2019 году в Новосибирске открылся новый ледовый дворец на 12 тысяч зрителей.",
    "Строительство обошлось городу в 350 миллионов рублей, сообщил мэр Анатолий Локоть.",
    "Хоккейный клуб Сибирь сыграет там свой первый матч в сентябре.",
    "Болельщики жалуются, что парковка рядом с дворцом рассчитана лишь на 47 машин.",
    "Городские власти обещают построить ещё одну стоянку к 2025 году.",
]
CHINESE = ("北京市政府周二宣布，将在未来三年内投资两百亿元建设新的地铁线路，以缓解城市交通拥堵。"
           "新线路将连接首都机场和城市中心的商业区，预计每天可运送乘客五十万人次。"
           "市民对此普遍表示欢迎，但也有专家担心施工期间会对周边居民的生活造成影响。"
           "政府表示将尽量减少噪音，并在夜间停止施工。")
CHINESE_OTHER = ("上海今年夏天气温创下历史新高，多个区县发布了高温红色预警。"
                 "气象部门提醒市民减少户外活动，注意防暑降温，老人和儿童尤其需要注意。"
                 "电力公司表示用电负荷已经达到峰值，但供电总体保持稳定。")


def _article(title: str, outlet: str, published: str, language: str, sentences: list[str], path: str,
             sep: str = " ") -> dict:
    half = (len(sentences) + 1) // 2
    text = sep.join(sentences[:half]) + "\n\n" + sep.join(sentences[half:]) if len(sentences) > 2 else \
        sep.join(sentences)
    return {"title": title, "outlet": outlet, "published": published, "language": language,
            "url": f"https://{outlet.lower().replace(' ', '')}.example/{path}", "text": text}


ARTICLES = {
    "en": _article("Klaipeda port sets a cargo record", "Baltic Times", "2020-01-10", "en", ENGLISH, "port"),
    "ru": _article("Порт Клайпеды установил рекорд", "Balt News", "2020-01-12", "ru", RUSSIAN, "port"),
    "de": _article("Rekord im Hafen Klaipeda", "Ostsee Zeitung", "2020-01-13", "de", GERMAN_PART, "hafen"),
    "ru-other": _article("Новый ледовый дворец", "Sib News", "2020-01-11", "ru", UNRELATED_RU, "ice"),
}


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    path = tmp_path / "fast.toml"
    path.write_text('[pipeline]\nstages = ["language"]\n[language]\naccept = []\n', encoding="utf-8")
    return path


def _ingest(settings_file: Path, db: Path, tmp_path: Path, keys: list[str], name: str) -> None:
    path = tmp_path / name
    path.write_text("".join(json.dumps(ARTICLES[k], ensure_ascii=False) + "\n" for k in keys), encoding="utf-8")
    result = run_cli("--config", str(settings_file), "ingest", "--db", str(db), str(path))
    assert result.exit_code == 0, result.output


def _reuse(settings_file: Path, db: Path, *extra: str) -> None:
    result = run_cli("--config", str(settings_file), "reuse", "--db", str(db), *extra)
    assert result.exit_code == 0, result.output


def _tables(db: Path) -> tuple[dict[str, dict], list[dict], dict[tuple[str, str], dict], dict[str, str]]:
    with open_store(db) as store:
        texts = {r["id"]: r for r in (
            {"id": i, "url": u, "text": t} for i, u, t in store.conn.execute("SELECT id, url, text FROM articles"))}
        pairs = {(p["source"], p["target"]): p for p in iter_table(store, "reuse_pairs")}
        passages = list(iter_table(store, "reuse_passages"))
    by_key = {k: next(i for i, r in texts.items() if r["url"] == a["url"]) for k, a in ARTICLES.items()}
    return texts, passages, pairs, by_key


def _comparable(db: Path) -> tuple[list[tuple], list[tuple]]:
    _, passages, pairs, _ = _tables(db)
    rows = sorted((p["source"], p["target"], p["kind"], p["passages"], p["coverage_source"], p["coverage_target"],
                   p["score"]) for p in pairs.values())
    spans = sorted((p["source"], p["target"], p["source_start"], p["source_end"], p["target_start"],
                    p["target_end"]) for p in passages)
    return rows, spans


def test_sentences_and_anchors_cross_scripts() -> None:
    text = "Mr. Johnson met the U.S. envoy on Monday. He said: “It went well.” 中国经济增长了。第二句。"
    assert [text[s:e] for s, e in tr.sentence_spans(text)] == [
        "Mr. Johnson met the U.S. envoy on Monday.", "He said: “It went well.”", "中国经济增长了。", "第二句。"]
    # a name keeps its skeleton through transliteration and case endings
    assert tr.skeleton("Trump") == tr.skeleton("Трампом") == tr.skeleton("ترامب") == tr.skeleton("ტრამპი")
    assert tr.skeleton("Johnson") == tr.skeleton("Джонсона")
    assert tr.skeleton("Trump") != tr.skeleton("Johnson")
    # numbers read the same whatever the separators and digits
    assert set(tr.anchors("1,5 million in 2019")) == set(tr.anchors("1.5 млн в ۲۰۱۹"))
    assert set(tr.anchors("1 500 человек")) == set(tr.anchors("1,500 people"))


def test_chinese_is_tokenised_by_character() -> None:
    toks = tokens(CHINESE)
    assert len(toks.hashes) == sum(1 for c in CHINESE if "\u4e00" <= c <= "\u9fff")
    assert CHINESE[toks.starts[0]:toks.ends[0]] == CHINESE[0]
    # a repost shares fingerprints; an unrelated article does not
    base = fingerprints(token_hashes(CHINESE))
    assert len(np.intersect1d(base, fingerprints(token_hashes("本文转载。" + CHINESE)))) >= len(base) - 2
    assert len(np.intersect1d(base, fingerprints(token_hashes(CHINESE_OTHER)))) == 0
    # aligned as a passage with character offsets (the store test has no Chinese article: ingest
    # is made to keep text without spaces by another change)
    repost = "本文转载自北京日报。\n\n" + CHINESE + "\n\n欢迎关注我们的公众号。"
    found = align(tokens(CHINESE), tokens(repost), a_text=CHINESE, b_text=repost)
    assert len(found.passages) == 1 and found.coverage("a") == 1.0
    p = found.passages[0]
    assert repost[p.b_start:p.b_end] == CHINESE[p.a_start:p.a_end] and p.a_end - p.a_start >= len(CHINESE) - 1
    assert not align(tokens(CHINESE), tokens(CHINESE_OTHER)).passages
    # English tokens are unchanged: words
    assert len(token_hashes("The port handled 47.5 million tonnes")) == 7


def test_translation_found_with_direction_and_sentence_offsets(tmp_path: Path, settings_file: Path) -> None:
    db = tmp_path / "x.db"
    _ingest(settings_file, db, tmp_path, list(ARTICLES), "all.jsonl")
    _reuse(settings_file, db)
    texts, passages, pairs, ids = _tables(db)
    en, ru, de, other = ids["en"], ids["ru"], ids["de"], ids["ru-other"]
    # the whole translation, English (dated first) as source
    pair = pairs.get((en, ru))
    assert pair is not None, sorted(pairs)
    assert pair["kind"] == "translation"
    evidence = pair["direction_evidence"]
    evidence = json.loads(evidence) if isinstance(evidence, str) else evidence
    assert evidence["languages"] == ["en", "ru"] and evidence["decided_by"] == "date"
    assert pair["coverage_source"] > 0.8 and pair["coverage_target"] > 0.8
    assert pair["passages"] >= 5 and 0.8 < pair["score"] <= 1
    rows = sorted((p for p in passages if (p["source"], p["target"]) == (en, ru)), key=lambda p: p["source_start"])
    assert len(rows) == pair["passages"]
    en_text, ru_text = texts[en]["text"], texts[ru]["text"]
    for row in rows:  # every row: one English sentence and its own translation
        k = ENGLISH.index(en_text[row["source_start"]:row["source_end"]])
        assert ru_text[row["target_start"]:row["target_end"]] == RUSSIAN[k]
    # a translation of passages: the German side is covered, the English only partly
    part = pairs.get((en, de))
    assert part is not None and part["kind"] == "translation"
    assert part["coverage_target"] > 0.8 and part["coverage_source"] < 0.7
    de_rows = [p for p in passages if (p["source"], p["target"]) == (en, de)]
    assert {texts[de]["text"][p["target_start"]:p["target_end"]] for p in de_rows} == set(GERMAN_PART)
    # the Russian and German translations are translations of each other too (of the English passages)
    assert (ru, de) in pairs or (de, ru) in pairs
    # the unrelated Russian article shares numbers, and is linked to nothing
    assert not [k for k in pairs if other in k]
    # the cache holds one row per embedded article
    with open_store(db) as store:
        cached = store.conn.execute("SELECT COUNT(*) FROM reuse_sentences").fetchone()[0]
    assert 3 <= cached <= len(ARTICLES)


def test_incremental_equals_full(tmp_path: Path, settings_file: Path) -> None:
    db = tmp_path / "inc.db"
    keys = list(ARTICLES)
    _ingest(settings_file, db, tmp_path, ["ru-other", "de"], "first.jsonl")
    _reuse(settings_file, db)
    _ingest(settings_file, db, tmp_path, ["en"], "second.jsonl")
    _reuse(settings_file, db)
    _ingest(settings_file, db, tmp_path, [k for k in keys if k not in ("ru-other", "de", "en")], "third.jsonl")
    _reuse(settings_file, db)
    incremental = _comparable(db)
    with open_store(db) as store:
        embedded_before = store.conn.execute("SELECT COUNT(*) FROM reuse_sentences").fetchone()[0]
    _reuse(settings_file, db, "--full")
    assert _comparable(db) == incremental
    assert any(row[2] == "translation" for row in incremental[0])
    with open_store(db) as store:  # the full run embedded nothing new: the cache served it
        assert store.conn.execute("SELECT COUNT(*) FROM reuse_sentences").fetchone()[0] == embedded_before


def test_translations_computed_on_a_cluster_equal_a_serial_run(tmp_path: Path, settings_file: Path) -> None:
    import sqlite3

    from distributed import Client

    from narrascope.corpus.reuse import update_reuse
    from narrascope.runners import DaskRunner, local_cluster
    from narrascope.settings import load_settings

    serial = tmp_path / "serial.db"
    _ingest(settings_file, serial, tmp_path, list(ARTICLES), "all.jsonl")
    clustered = tmp_path / "cluster.db"
    src, dst = sqlite3.connect(serial), sqlite3.connect(clustered)
    src.backup(dst)
    src.close()
    dst.close()
    settings = load_settings(str(settings_file))
    with open_store(serial, settings) as store:
        here = update_reuse(store, settings, full=True)
    # anchoring and embedding on the workers, one article per task
    with local_cluster(2) as local, Client(local), DaskRunner(local.scheduler_address) as runner, \
            open_store(clustered, settings) as store:
        there = update_reuse(store, settings, full=True, runner=runner, chunk_size=1)
    assert here["new_translations"] == there["new_translations"] >= 3
    assert _comparable(serial) == _comparable(clustered)


def _vectors(similarities: list[float], others: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors: sentence k of the short side matches sentence k of the long side with cosine
    ``similarities[k]``; every other pair is orthogonal."""
    dim = 2 * (len(similarities) + others) + 2
    long_side = np.eye(dim)[: len(similarities) + others]
    short = np.zeros((len(similarities), dim))
    for k, sim in enumerate(similarities):
        short[k, k] = sim
        short[k, dim - 1 - k] = (1 - sim * sim) ** 0.5
    return long_side, short


@pytest.mark.parametrize(("similarity", "partial_kept"), [(0.86, False), (0.93, True)])
def test_a_partial_translation_needs_close_sentences(similarity: float, partial_kept: bool) -> None:
    # A 4-sentence piece whose sentences match 4 of a 12-sentence article (one third of it): kept
    # as a translation of passages only when the sentences are close (a paraphrase of a short
    # report in another language reaches 0.85-0.91), while the same similarity over a whole
    # article is a translation.
    sentence = "Officials said the storm damaged hundreds of homes along the coast on Friday."
    for others, whole in ((8, False), (0, True)):
        long_vectors, short_vectors = _vectors([similarity] * 4, others)
        long_text = " ".join([sentence] * (4 + others))
        short_text = " ".join([sentence] * 4)
        long_spans = [(k * (len(sentence) + 1), k * (len(sentence) + 1) + len(sentence)) for k in range(4 + others)]
        short_spans = long_spans[:4]
        found = tr.translation_alignment(long_text, long_spans, long_vectors, short_text, short_spans, short_vectors)
        assert (found is not None) == (whole or partial_kept), (others, similarity)
