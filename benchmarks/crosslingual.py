#!/usr/bin/env python3
"""Every language in, and translations found: narrascope on NTREX (../shared/data/ntrex, read at run
time, never copied).

NTREX holds English news documents (newstest2019) and professional translations of them in 17
languages, line-aligned; ``DOCUMENT_IDS.tsv`` groups the lines into documents. The benchmark makes
one article per document and language (title: the document's first line, cut at 100 characters;
text: its lines in paragraphs of three; one outlet per language; the English dated 2019-01-01, each
translation 2019-01-04), ingests them with the real library (stages ``language`` only, every
language accepted), runs ``api.reuse`` and prints:

- articles stored per language / expected;
- search hit rate per language: ``api.search`` for one longer word of each article (the longest
  word of its first sentence; for Chinese, its first three characters), passing ``language=`` when
  the api takes it; a hit is the article among the first 100 results;
- a Russian base-form query finding inflected forms: names whose base form (ending in a consonant)
  occurs in the Russian articles, queried alone; the articles holding only inflected forms
  (Трампа, Трампом) that the query finds;
- translation pairs linked with the English as source / all English-translation pairs (target >=
  0.85), and pairs linking two different documents (target 0);
- time (ingest, reuse; encoder seconds per sentence) and peak memory, with the reuse time over the
  ingest time of the same articles in the same run as the ratio to an anchor (one core, the
  encoder's threads as the machine gives them).

Example:
  .venv/bin/python benchmarks/crosslingual.py                            # all 18 languages, 71 documents
  .venv/bin/python benchmarks/crosslingual.py --languages rus,deu --docs 20   # a quick run
"""

from __future__ import annotations

import argparse
import inspect
import json
import re
import resource
import sys
import tempfile
import time
from collections import Counter, OrderedDict, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NTREX = ROOT.parent / "shared" / "data" / "ntrex"
ISO = {"eng": "en", "rus": "ru", "ukr": "uk", "deu": "de", "fra": "fr", "spa": "es", "pol": "pl", "bel": "be",
       "kat": "ka", "arb": "ar", "fas": "fa", "tur": "tr", "zho-CN": "zh", "srp-Cyrl": "sr", "bul": "bg",
       "ron": "ro", "hun": "hu", "lit": "lt"}
UNSPACED = {"zho-CN"}
RU_ENDINGS = ("а", "у", "ом", "е", "ы", "ой", "ем", "ю", "ым")


def load(languages: list[str], docs: int | None) -> tuple[list[str], dict[str, list[str]]]:
    """The document ids (in file order) and, per language, the lines."""
    ids = [line.split("\t")[0].strip() for line in (NTREX / "DOCUMENT_IDS.tsv").read_text().splitlines()]
    order = list(OrderedDict.fromkeys(ids))[:docs]
    lines = {}
    for lang in ["eng", *languages]:
        name = "newstest2019-src.eng.txt" if lang == "eng" else f"newstest2019-ref.{lang}.txt"
        text = (NTREX / name).read_text(encoding="utf-8").split("\n")
        lines[lang] = text[:len(ids)]
    return ids, {"order": order, **lines}  # type: ignore[dict-item]


def build_articles(ids: list[str], order: list[str], lines: dict[str, list[str]]) -> list[dict]:
    articles = []
    for lang, rows in lines.items():
        sep = "" if lang in UNSPACED else " "
        for d, doc in enumerate(order):
            own = [rows[i].strip() for i in range(len(ids)) if ids[i] == doc and rows[i].strip()]
            text = "\n\n".join(sep.join(own[k:k + 3]) for k in range(0, len(own), 3))
            articles.append({
                "url": f"https://ntrex-{lang.lower()}.example/{d}", "title": own[0][:100], "text": text,
                "outlet": f"NTREX {lang}", "language": ISO[lang],
                "published": "2019-01-01" if lang == "eng" else "2019-01-04",
                "_doc": doc, "_lang": lang})
    return articles


def probe_word(article: dict) -> str:
    text = article["text"]
    if article["_lang"] in UNSPACED:
        run = re.search(r"[\u4e00-\u9fff]{3}", text)
        return run.group() if run else ""
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    # the longest word of the first sentence, else of the whole text (a short headline-like first line)
    for part in (first, text):
        words = sorted(re.findall(r"[^\W\d_]{6,}", part), key=len, reverse=True)
        if words:
            return words[0]
    return ""


def russian_probes(russian: list[dict]) -> dict[str, set[int]]:
    """Base forms -> indexes of the Russian articles that hold an inflected form but not the base."""
    tokens = [Counter(re.findall(r"\b[А-ЯЁ][а-яё]{3,}\b", a["text"])) for a in russian]
    bases = Counter(w for t in tokens for w in t if w[-1] not in "аеёиоуыэюяйь")
    probes: dict[str, set[int]] = {}
    for base, _count in bases.most_common():
        inflected = {i for i, t in enumerate(tokens) if base not in t and any(base + e in t for e in RU_ENDINGS)}
        if inflected:
            probes[base] = inflected
        if len(probes) == 8:
            break
    return probes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--languages", default=",".join(k for k in ISO if k != "eng"),
                        help="NTREX language codes of the translations (comma-separated)")
    parser.add_argument("--docs", type=int, default=None, help="the first N documents only")
    parser.add_argument("--db", default=None, help="keep the store here (default: a temporary folder)")
    parser.add_argument("--show-wrong", type=int, default=10, help="list this many pairs that link two different documents")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from narrascope import api
    from narrascope.ingest import ingest
    from narrascope.settings import load_settings
    from narrascope.store import Filters

    if not NTREX.is_dir():
        print(f"no NTREX data at {NTREX}", file=sys.stderr)
        return 2
    languages = [x for x in args.languages.split(",") if x]
    ids, loaded = load(languages, args.docs)
    order = loaded.pop("order")
    articles = build_articles(ids, order, loaded)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = Path(args.db) if args.db else folder / "ntrex.db"
        config = folder / "ntrex.toml"
        config.write_text('[pipeline]\nstages = ["language"]\n[language]\naccept = []\n', encoding="utf-8")
        settings = load_settings(str(config))
        source = folder / "ntrex.jsonl"
        source.write_text("".join(json.dumps({k: v for k, v in a.items() if not k.startswith("_")},
                                             ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
        t0 = time.perf_counter()
        ingest([str(source)], db=db, settings=settings)
        ingest_s = time.perf_counter() - t0
        stored = {r.url: r for r in api.list_articles(db=db, limit=10 * len(articles))}
        print(f"NTREX: {len(order)} documents x {1 + len(languages)} languages = {len(articles)} articles")
        print("\nstored per language / expected:")
        per_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for a in articles:
            per_lang[a["_lang"]][1] += 1
            per_lang[a["_lang"]][0] += a["url"] in stored
        print("  " + ", ".join(f"{lang} {n}/{m}" for lang, (n, m) in per_lang.items()))
        total_stored = sum(n for n, _m in per_lang.values())
        print(f"  all: {total_stored}/{len(articles)}")

        print("\nsearch hit rate per language (one longer word of each article):")
        takes_language = "language" in inspect.signature(api.search).parameters
        hits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for a in articles:
            word = probe_word(a)
            if a["url"] not in stored or not word:
                hits[a["_lang"]][1] += 1
                continue
            extra = {"language": ISO[a["_lang"]]} if takes_language else {}
            found = api.search(word, db=db, filters=Filters(), limit=100, settings=settings, **extra)
            hits[a["_lang"]][0] += any(h.article.id == stored[a["url"]].id for h in found)
            hits[a["_lang"]][1] += 1
        print(f"  (api.search {'with' if takes_language else 'without'} language=)")
        print("  " + ", ".join(f"{lang} {n / m:.2f}" for lang, (n, m) in hits.items()))

        if "rus" in languages:
            russian = [a for a in articles if a["_lang"] == "rus"]
            probes = russian_probes(russian)
            found_n = want = 0
            detail = []
            for base, holders in probes.items():
                got = {h.article.id for h in api.search(base, db=db, filters=Filters(), limit=200, settings=settings)}
                ok = sum(stored[russian[i]["url"]].id in got for i in holders if russian[i]["url"] in stored)
                found_n, want = found_n + ok, want + len(holders)
                detail.append(f"{base} {ok}/{len(holders)}")
            print(f"\nRussian base form -> articles with inflected forms only: {found_n}/{want}"
                  f" ({'; '.join(detail)})")

        t0 = time.perf_counter()
        summary = api.reuse(db=db, settings=settings, full=True)
        reuse_s = time.perf_counter() - t0
        from narrascope.corpus import iter_table
        from narrascope.store import open_store

        with open_store(db, settings) as store:
            pairs = [p for p in iter_table(store, "reuse_pairs") if p["kind"] == "translation"]
            sentences = sum(len(json.loads(s)) for (s,) in store.conn.execute("SELECT spans FROM reuse_sentences"))
        by_id = {stored[a["url"]].id: a for a in articles if a["url"] in stored}
        english = {a["_doc"]: stored[a["url"]].id for a in articles if a["_lang"] == "eng" and a["url"] in stored}
        linked = {(p["source"], p["target"]) for p in pairs}
        expected = [(english[a["_doc"]], stored[a["url"]].id, a["_lang"]) for a in articles
                    if a["_lang"] != "eng" and a["url"] in stored and a["_doc"] in english]
        right = Counter(lang for s, t, lang in expected if (s, t) in linked)
        wrong_way = sum((t, s) in linked for s, t, _lang in expected)
        cross = [p for p in pairs if by_id[p["source"]]["_doc"] != by_id[p["target"]]["_doc"]]
        same_doc_other = sum(1 for p in pairs if by_id[p["source"]]["_doc"] == by_id[p["target"]]["_doc"]
                             and "eng" not in (by_id[p["source"]]["_lang"], by_id[p["target"]]["_lang"]))
        total = Counter(lang for _s, _t, lang in expected)
        print("\ntranslation pairs linked with the English as source / English-translation pairs:")
        print("  " + ", ".join(f"{lang} {right[lang]}/{total[lang]}" for lang in total))
        print(f"  all: {sum(right.values())}/{len(expected)} = {sum(right.values()) / max(1, len(expected)):.3f}"
              " (target >= 0.85)")
        print(f"  linked the other way round: {wrong_way}")
        print(f"  pairs linking two different documents: {len(cross)} (target 0)")
        print(f"  pairs linking two translations of one document: {same_doc_other}")
        for p in cross[:args.show_wrong]:
            s_art, t_art = by_id[p["source"]], by_id[p["target"]]
            print(f"    wrong: {s_art['_doc']} ({s_art['_lang']}) -> {t_art['_doc']} ({t_art['_lang']}):"
                  f" {p['passages']} sentences, coverage {p['coverage_source']:.2f}/{p['coverage_target']:.2f},"
                  f" similarity {p['score']:.3f}")
        print(f"  translation candidates: {summary.get('translation_candidates')}, embedded articles:"
              f" {summary.get('embedded_articles')}, sentences: {sentences}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\ntime: ingest {ingest_s:.1f} s, reuse {reuse_s:.1f} s"
              f" ({reuse_s / max(1, sentences) * 1000:.0f} ms a sentence embedded);"
              f" reuse / ingest of the same articles = {reuse_s / ingest_s:.1f}")
        print(f"peak memory: {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
