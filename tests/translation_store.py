"""A store holding one translation pair (English original, Arabic translation), with the rows the
cross-lingual reuse writes (``translation_rows``) and a reuse cluster of the two, for the web tests
of the translation view (issue 13). Texts written for these tests."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from conftest import run_cli
from translation_rows import insert_translation

ENGLISH = ("The finance ministers met in Cairo on Monday to discuss food prices. They agreed to create a fund"
           " for wheat imports. The meeting was closed to journalists. The fund will start work next year.")
ARABIC = ("اجتمع وزراء المالية في القاهرة يوم الاثنين لمناقشة أسعار الغذاء. واتفقوا على إنشاء صندوق لواردات"
          " القمح. وقال مسؤول إن الأسعار ارتفعت كثيرا هذا العام. وسيبدأ الصندوق عمله في العام المقبل.")
ARABIC_TITLE = "وزراء المالية يتفقون على صندوق للقمح"
#: (source sentence, target sentence, similarity): the English third sentence and the Arabic third
#: sentence have no counterpart
ALIGNED = [(0, 0, 0.93), (1, 1, 0.88), (3, 3, 0.9)]


def build(tmp_path: Path) -> tuple[Path, str, str]:
    """(the store, the English article's id, the Arabic article's id)."""
    db = tmp_path / "translation.db"
    config = tmp_path / "every-language.toml"
    config.write_text('[pipeline]\nstages = ["language", "genre"]\n\n[language]\naccept = []\n\n'
                      '[extract]\nmin_chars = 20\n')
    path = tmp_path / "pair.jsonl"
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in (
        {"url": "https://en.example/fund", "language": "en", "title": "Ministers agree a wheat fund",
         "published": "2024-03-01", "text": ENGLISH},
        {"url": "https://ar.example/fund", "language": "ar", "title": ARABIC_TITLE, "published": "2024-03-02",
         "text": ARABIC})), encoding="utf-8")
    result = run_cli("--config", str(config), "ingest", str(path), "--db", str(db))
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db)
    ids = dict(conn.execute("SELECT url, id FROM articles").fetchall())
    conn.close()
    english, arabic = ids["https://en.example/fund"], ids["https://ar.example/fund"]
    insert_translation(db, english, arabic, pairs=ALIGNED, languages=("en", "ar"))
    conn = sqlite3.connect(db)
    with conn:
        conn.executemany("INSERT INTO reuse_clusters (article, cluster, role, original, size) VALUES (?, 1, ?, ?, 2)",
                         [(english, "original", english), (arabic, "republisher", english)])
    conn.close()
    return db, english, arabic
