"""Text reuse on a real store: the two seeds plus variants the test plants, ingested through the CLI.

Planted: the DW seed reposted with new boilerplate and a "first appeared on DW" line, and with a
paragraph cut; the Moscow Times seed reworded, reposted as HTML, and quoted (three sentences)
inside an unrelated article. Two more unrelated articles must not be paired with anything.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import export_records, run_cli
from narrascope.corpus import derived_state, iter_table
from narrascope.corpus.reuse_core import align, candidate_pairs, fingerprints, token_hashes, tokens
from narrascope.store import open_store

TOLERANCE = 40  # characters: a planted passage's ends may differ by a word or a closing mark

UNRELATED = [
    ("Farmers brace for a dry summer", "Agri Weekly", "2017-09-10",
     "Farmers across the southern plains are preparing for another dry summer, with reservoirs at their lowest"
     " level in a decade and grain prices climbing on commodity exchanges.\n\nAgronomists advise planting"
     " drought tolerant varieties of sorghum and millet, and many cooperatives have started sharing irrigation"
     " equipment to spread the cost among smaller holdings.\n\nThe regional ministry promised subsidies for"
     " water saving drip systems, though applications have piled up and payments are months behind schedule.\n\n"
     "Local bakers say flour has already become more expensive, and some have raised the price of bread twice"
     " since the spring."),
    ("City council approves new tram line", "Metro Courier", "2017-11-02",
     "The city council voted on Tuesday to approve a new tram line linking the railway station with the"
     " university campus and the growing technology district on the riverbank.\n\nConstruction is expected to"
     " begin next year and to take about three years, during which several streets in the old town will be"
     " closed to cars for months at a time.\n\nShopkeepers along the route worry about losing customers during"
     " the works, while student groups welcomed a faster and cheaper way to reach lectures in the morning.\n\n"
     "The transport department estimates that the line will carry forty thousand passengers a day once it is"
     " fully running."),
]

QUOTE_HOST = (
    "Global chess federations gathered in Oslo this week for their annual congress, where delegates argued"
    " over the calendar of tournaments and the rules for online play.\n\n"
    "Between sessions, several delegates discussed the news from Asia, and one of them read aloud a passage"
    " from a recent commentary: {quote}\n\n"
    "The congress then returned to its agenda, approving a new rating system for rapid games and electing a"
    " treasurer after a long and occasionally heated debate about membership fees and youth programmes."
)


def _jsonl(path: Path, items: list[dict]) -> None:
    path.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")


def _sentences(paragraph: str) -> list[str]:
    return re.split(r"(?<=[.?!])\s+", paragraph)


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    path = tmp_path / "fast.toml"
    path.write_text('[pipeline]\nstages = ["language", "genre"]\n', encoding="utf-8")
    return path


def _ingest(settings_file: Path, db: Path, *paths: Path) -> None:
    result = run_cli("--config", str(settings_file), "ingest", "--db", str(db), *map(str, paths))
    assert result.exit_code == 0, result.output


def _by_outlet(db: Path) -> dict[str, dict]:
    return {r["outlet"]: r for r in export_records(db)}


def _plant(tmp_path: Path, seeds: dict[str, dict]) -> tuple[list[dict], Path, dict]:
    """Write the variants; return the JSONL items, the HTML file and what was planted where."""
    dw, mt = seeds["DW"]["text"], seeds["The Moscow Times"]["text"]
    dw_paras, mt_paras = dw.split("\n\n"), mt.split("\n\n")
    cut = 4  # a paragraph of the DW seed the second republisher leaves out
    reworded_paras = []
    changes = 0
    for i, para in enumerate(mt_paras):
        sentences = _sentences(para)
        if i % 2 == 0:  # a few words changed in every other paragraph's first sentence
            words = sentences[0].split()
            if len(words) > 8:
                words[len(words) // 2] = "notably"
                changes += 1
            sentences[0] = " ".join(words)
        reworded_paras.append(" ".join(sentences))
    reworded = "\n\n".join(reworded_paras)
    quote = " ".join(_sentences(mt_paras[5])[:1] + _sentences(mt_paras[6])[:1] + _sentences(mt_paras[7])[:1])
    items = [
        {"title": "Kremlin courts North Korea", "outlet": "Kremlin Watch Daily", "published": "2018-06-20",
         "url": "https://kremlinwatch.example/kremlin-courts-north-korea",
         "text": "Kremlin Watch Daily brings you the best commentary on Russia every morning.\n\n" + dw
                 + "\n\nThis article first appeared on DW.\n\nSupport independent journalism: subscribe to"
                   " Kremlin Watch Daily for our morning briefing, with analysis you will not find elsewhere."},
        {"title": "How the Kremlin plays Korea", "outlet": "Baltic Reader", "published": "2018-06-25",
         "url": "https://balticreader.example/kremlin-korea",
         "text": "\n\n".join(dw_paras[:cut] + dw_paras[cut + 1:])},
        {"title": "Trump's Korea rhetoric and Russia", "outlet": "Global Affairs Digest", "published": "2017-08-20",
         "url": "https://gad.example/korea-rhetoric", "text": reworded},
        {"title": "Chess congress in Oslo", "outlet": "Board Games Today", "published": "2017-10-01",
         "url": "https://bgt.example/oslo-congress", "text": QUOTE_HOST.format(quote=quote)},
    ] + [{"title": t, "outlet": o, "published": d, "url": f"https://{o.lower().replace(' ', '')}.example/1",
          "text": text} for t, o, d, text in UNRELATED]
    body = "".join(f"<p>{p}</p>\n" for p in mt_paras)
    html = tmp_path / "repost.html"
    html.write_text(
        "<!doctype html><html><head><title>Why Trump's North Korea Rhetoric Irks Russia</title>"
        '<meta property="og:site_name" content="World Politics Mirror">'
        '<meta property="article:published_time" content="2017-09-03T10:00:00Z">'
        '<link rel="canonical" href="https://wpmirror.example/korea"></head><body>'
        '<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/about">About us</a></nav>'
        "<article><h1>Why Trump's North Korea Rhetoric Irks Russia</h1>" + body + "</article>"
        "<footer><p>Copyright World Politics Mirror. All rights reserved. Contact the newsroom.</p></footer>"
        "</body></html>", encoding="utf-8")
    planted = {"cut": cut, "quote": quote, "reworded": reworded, "changes": changes}
    return items, html, planted


@pytest.fixture
def corpus(tmp_path: Path, settings_file: Path, seeds_dir: Path) -> tuple[Path, dict]:
    db = tmp_path / "reuse.db"
    _ingest(settings_file, db, seeds_dir)
    seeds = _by_outlet(db)
    items, html, planted = _plant(tmp_path, seeds)
    _jsonl(tmp_path / "variants.jsonl", items)
    _ingest(settings_file, db, tmp_path / "variants.jsonl", html)
    records = _by_outlet(db)
    assert len(records) == 9, sorted(records)
    return db, {"records": records, **planted}


def _pairs(db: Path) -> dict[tuple[str, str], dict]:
    with open_store(db) as store:
        pairs = {(p["source"], p["target"]): p for p in iter_table(store, "reuse_pairs")}
        passages = list(iter_table(store, "reuse_passages"))
    for p in passages:
        pairs[(p["source"], p["target"])].setdefault("spans", []).append(p)
    return pairs


def _near(value: int, expected: int) -> bool:
    return abs(value - expected) <= TOLERANCE


def _covers(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Do the spans, taken together, run from ``start`` to ``end`` (within the tolerance)?"""
    spans = sorted(spans)
    return _near(spans[0][0], start) and _near(max(e for _s, e in spans), end)


def test_finds_every_planted_pair_with_offsets_and_direction(corpus: tuple[Path, dict]) -> None:
    db, planted = corpus
    result = run_cli("reuse", "--db", str(db), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    records = planted["records"]
    rid = {outlet: r["id"] for outlet, r in records.items()}
    text = {outlet: r["text"] for outlet, r in records.items()}
    pairs = _pairs(db)
    expected = {
        ("DW", "Kremlin Watch Daily"), ("DW", "Baltic Reader"), ("Kremlin Watch Daily", "Baltic Reader"),
        ("The Moscow Times", "Global Affairs Digest"), ("The Moscow Times", "World Politics Mirror"),
        ("The Moscow Times", "Board Games Today"), ("Global Affairs Digest", "World Politics Mirror"),
        ("Global Affairs Digest", "Board Games Today"), ("World Politics Mirror", "Board Games Today"),
    }
    # every planted pair is found in the right direction, and nothing else (the unrelated are unpaired)
    found = {(next(o for o, i in rid.items() if i == s), next(o for o, i in rid.items() if i == t))
             for s, t in pairs}
    assert found == expected
    assert summary["pairs"] == len(expected)
    assert summary["clusters"] == 2

    dw, kwd, baltic = text["DW"], text["Kremlin Watch Daily"], text["Baltic Reader"]
    # boilerplate repost: the whole DW text, found where it sits inside the republisher's text
    repost = pairs[(rid["DW"], rid["Kremlin Watch Daily"])]
    assert repost["kind"] == "repost"
    assert repost["direction_evidence"]["decided_by"] == "statement"
    assert repost["confidence"] >= 0.9
    at = kwd.find(dw[:80])
    assert at > 0
    assert _covers([(p["source_start"], p["source_end"]) for p in repost["spans"]], 0, len(dw))
    assert _covers([(p["target_start"], p["target_end"]) for p in repost["spans"]], at, at + len(dw))

    # paragraph cut: two passages, split where the paragraph was; the fuller text is the source
    cut = pairs[(rid["DW"], rid["Baltic Reader"])]
    assert cut["direction_evidence"]["decided_by"] == "containment"
    assert cut["direction_evidence"]["inner_unshared_words"]["source"] >= 30
    paragraphs = dw.split("\n\n")
    gap_start = dw.find(paragraphs[planted["cut"]])
    gap_end = gap_start + len(paragraphs[planted["cut"]])
    spans = sorted((p["source_start"], p["source_end"], p["target_start"], p["target_end"]) for p in cut["spans"])
    assert len(spans) == 2
    assert _near(spans[0][0], 0) and _near(spans[0][1], gap_start) and _near(spans[1][0], gap_end)
    assert _near(spans[1][1], len(dw))
    assert _near(spans[0][2], 0) and _near(spans[1][3], len(baltic))
    for s0, s1, t0, t1 in spans:
        assert dw[s0:s1][:60] == baltic[t0:t1][:60]

    mt, mirror, chess = text["The Moscow Times"], text["World Politics Mirror"], text["Board Games Today"]
    # reworded: one passage over (nearly) the whole text, not split at the changed words; direction by date
    reworded = pairs[(rid["The Moscow Times"], rid["Global Affairs Digest"])]
    assert reworded["kind"] == "repost" and reworded["direction_evidence"]["decided_by"] == "date"
    assert reworded["confidence"] == 0.8
    assert planted["changes"] >= 5
    assert _covers([(p["source_start"], p["source_end"]) for p in reworded["spans"]], 0, len(mt))
    assert len(reworded["spans"]) <= 2
    assert 0.7 < reworded["score"] < 1.0
    # HTML repost: navigation and footer differ; dates decide
    html = pairs[(rid["The Moscow Times"], rid["World Politics Mirror"])]
    assert html["kind"] == "repost" and html["direction_evidence"]["decided_by"] == "date"
    at = mirror.find(mt[:80])
    assert at >= 0
    assert _covers([(p["target_start"], p["target_end"]) for p in html["spans"]], at, at + len(mt))
    # the quoted passage: three sentences inside an unrelated article, with offsets on both sides
    quoted = pairs[(rid["The Moscow Times"], rid["Board Games Today"])]
    assert quoted["kind"] == "partial" and quoted["direction_evidence"]["decided_by"] == "date"
    (span,) = quoted["spans"]
    q_at = chess.find(planted["quote"])
    assert q_at > 0
    assert _near(span["target_start"], q_at) and _near(span["target_end"], q_at + len(planted["quote"]))
    first_sentence = _sentences(mt.split("\n\n")[5])[0]
    assert _near(span["source_start"], mt.find(first_sentence))
    assert span["source_end"] > span["source_start"] + len(planted["quote"]) - TOLERANCE

    # clusters: the original first, republishers and the quoting article with their roles
    with open_store(db) as store:
        clusters = {r["article"]: r for r in iter_table(store, "reuse_clusters")}
        outlets = {(r["source_outlet"], r["target_outlet"]): r for r in iter_table(store, "reuse_outlets")}
    assert clusters[rid["Kremlin Watch Daily"]]["original"] == rid["DW"]
    assert clusters[rid["DW"]]["role"] == "original"
    assert clusters[rid["Board Games Today"]]["role"] == "partial"
    assert clusters[rid["World Politics Mirror"]]["role"] == "republisher"
    assert clusters[rid["Global Affairs Digest"]]["original"] == rid["The Moscow Times"]
    assert rid["Agri Weekly"] not in clusters and rid["Metro Courier"] not in clusters
    assert outlets[("DW", "Kremlin Watch Daily")]["reposts"] == 1
    assert outlets[("The Moscow Times", "Board Games Today")]["partials"] == 1

    # the readable output and one article's links
    shown = run_cli("reuse", "show", rid["Board Games Today"][:8], "--db", str(db))
    assert shown.exit_code == 0, shown.output
    assert "<-" in shown.output and "partial" in shown.output
    printed = run_cli("reuse", "--db", str(db))
    assert printed.exit_code == 0
    assert "original" in printed.output and "republisher" in printed.output


def test_incremental_run_adds_only_new_pairs_and_equals_a_full_run(tmp_path: Path, settings_file: Path,
                                                                   seeds_dir: Path) -> None:
    db = tmp_path / "inc.db"
    _ingest(settings_file, db, seeds_dir)
    items, html, _planted = _plant(tmp_path, _by_outlet(db))
    _jsonl(tmp_path / "first.jsonl", items[:2] + items[4:])  # the DW reposts and the unrelated
    _jsonl(tmp_path / "second.jsonl", items[2:4])  # the reworded and quoting MT variants
    _ingest(settings_file, db, tmp_path / "first.jsonl")
    first = json.loads(run_cli("reuse", "--db", str(db), "--json").stdout)
    assert first["pairs"] == 3 and first["clusters"] == 1
    with open_store(db) as store:
        before = {(r[0], r[1]): r[2] for r in store.conn.execute("SELECT source, target, rowid FROM reuse_pairs")}
        mark = derived_state(store, "reuse").watermark
    again = json.loads(run_cli("reuse", "--db", str(db), "--json").stdout)
    assert again["new_articles"] == 0 and again["new_pairs"] == 0 and again["watermark"] == mark

    _ingest(settings_file, db, tmp_path / "second.jsonl", html)
    second = json.loads(run_cli("reuse", "--db", str(db), "--json").stdout)
    assert second["full"] is False and second["new_articles"] == 3
    assert second["new_pairs"] == 6 and second["pairs"] == 9 and second["clusters"] == 2
    with open_store(db) as store:
        state = derived_state(store, "reuse")
        assert state.watermark > mark
        after = {(r[0], r[1]): r[2] for r in store.conn.execute("SELECT source, target, rowid FROM reuse_pairs")}
        new_ids = {r[0] for r in store.conn.execute("SELECT id FROM articles WHERE rowid > ?", (mark,))}
        incremental = _snapshot(store)
    assert all(after[key] == rowid for key, rowid in before.items())  # existing pairs kept as they were
    assert all(s in new_ids or t in new_ids for s, t in set(after) - set(before))

    full = json.loads(run_cli("reuse", "--db", str(db), "--full", "--json").stdout)
    assert full["full"] is True and full["pairs"] == 9
    with open_store(db) as store:
        assert _snapshot(store) == incremental


def _snapshot(store) -> dict:
    return {table: sorted(json.dumps(row, sort_keys=True) for row in iter_table(store, table))
            for table in ("reuse_pairs", "reuse_passages", "reuse_clusters", "reuse_outlets")}


def test_core_offsets_and_boilerplate_cap() -> None:
    shared = ("The committee published its final report on Monday, concluding that the merger would reduce"
              " competition in regional markets and raise prices for consumers by several percent.")
    a = "Opening remarks about something else entirely, with weather and sport. " + shared + " Closing lines here."
    b = "A different start that talks about music festivals and summer travel plans. " + shared
    alignment = align(tokens(a), tokens(b), a_text=a, b_text=b)
    (p,) = alignment.passages
    assert a[p.a_start:p.a_end] == shared and b[p.b_start:p.b_end] == shared
    # a fingerprint every document holds is boilerplate: with a cap below the corpus size, no pairs
    docs = [f"Story number {i} about topic {i * 7} and more. " + shared for i in range(6)]
    fps = [fingerprints(token_hashes(d)) for d in docs]
    import numpy as np

    all_fps = np.concatenate(fps)
    all_docs = np.concatenate([np.full(len(f), i) for i, f in enumerate(fps)])
    assert len(candidate_pairs(all_fps, all_docs, max_postings=10)) == 15
    assert len(candidate_pairs(all_fps, all_docs, max_postings=5)) == 0


def test_an_outlets_own_boilerplate_pairs_nothing() -> None:
    import numpy as np

    footer = ("This story is part of our weekly newsletter. Sign up to receive it every Friday, and follow us on"
              " social media for the latest news from the region and beyond, free of charge for every reader.")
    bodies = ["The harbour reopened after the storm, and fishing boats returned to sea on Wednesday morning.",
              "A new library opens downtown with a large collection of maps, records and local history books.",
              "The football club signed a young striker from the second division on a three year contract.",
              "Researchers counted more migrating birds on the lake this autumn than in any of the last ten years."]
    docs = [body + " " + footer for body in bodies]
    fps = [fingerprints(token_hashes(d)) for d in docs]
    all_fps = np.concatenate(fps)
    all_docs = np.concatenate([np.full(len(f), i) for i, f in enumerate(fps)])
    same_outlet = np.zeros(4, dtype=np.int64)  # the outlet number of each document
    assert len(candidate_pairs(all_fps, all_docs)) == 6  # without outlets, the footer pairs everyone
    assert len(candidate_pairs(all_fps, all_docs, groups=same_outlet)) == 0
    # two outlets, two articles each: a footer shared by two articles of one outlet is still compared
    two_outlets = np.array([0, 1, 0, 1])
    assert len(candidate_pairs(all_fps, all_docs, groups=two_outlets)) == 6


def test_candidate_pairs_equal_a_brute_force_count() -> None:
    import numpy as np

    rng = np.random.default_rng(3)
    docs_fps = [np.unique(rng.integers(0, 400, size=int(rng.integers(5, 60))).astype(np.uint64)) for _ in range(40)]
    outlets = rng.integers(-1, 4, size=40)
    fps = np.concatenate(docs_fps)
    docs = np.concatenate([np.full(len(f), i) for i, f in enumerate(docs_fps)])
    holders = {h: {i for i, f in enumerate(docs_fps) if h in set(f.tolist())} for h in set(fps.tolist())}

    def boilerplate(h: int) -> bool:
        per_outlet = [sum(1 for i in holders[h] if outlets[i] == o) for o in range(4)]
        return len(holders[h]) > 12 or max(per_outlet) > 2

    expected: dict[tuple[int, int], int] = {}
    for h, ds in holders.items():
        if boilerplate(h):
            continue
        for a in ds:
            for b in ds:
                if a < b and b >= 10:
                    expected[(a, b)] = expected.get((a, b), 0) + 1
    expected = {k: v for k, v in expected.items() if v >= 2}
    got = candidate_pairs(fps, docs, groups=outlets, max_postings=12, min_shared=2, new_from=10)
    assert {(a, b): n for a, b, n in got.tolist()} == expected
    assert expected  # the check is not vacuous


def test_a_run_another_run_overtook_starts_again(corpus: tuple[Path, dict]) -> None:
    from narrascope.corpus.reuse import update_reuse

    db, _planted = corpus
    overtaken: list[bool] = []

    def progress(total: int):
        if not overtaken:  # while this run computes, another process's run writes its results
            overtaken.append(True)
            with open_store(db) as other:
                assert update_reuse(other, other.settings)["new_pairs"] == 9
        yield from range(total)

    with open_store(db) as store:
        summary = update_reuse(store, store.settings, progress=progress)
        rows = store.conn.execute("SELECT COUNT(*), COUNT(DISTINCT source || target || source_start)"
                                  " FROM reuse_passages").fetchone()
        fingerprints_rows = store.conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT hash || '-' || article) FROM reuse_fingerprints").fetchone()
    assert overtaken and summary["new_pairs"] == 0 and summary["pairs"] == 9
    assert rows[0] == rows[1] > 0  # nothing written twice
    assert fingerprints_rows[0] == fingerprints_rows[1]


def test_boilerplate_next_to_a_few_agreeing_words_is_no_passage() -> None:
    import numpy as np

    header = "Northern Ledger, your independent voice for the valley since nineteen hundred and twelve, every day."
    footer = ("Letters to the editor are welcome at our office on Main Street; we reserve the right to shorten"
              " them and publish them online.")
    bodies = ["The mayor said the new bridge will open in spring after two years of delays and rising costs.",
              "The mayor said a heatwave is expected this weekend, and the pools will stay open until midnight.",
              "Our reporters visited the county fair, where the pumpkin contest drew a record crowd of visitors."]
    docs = [f"{header}\n\n{body}\n\n{footer}" for body in bodies]
    toks = [tokens(d) for d in docs]
    fps = [fingerprints(t.hashes) for t in toks]
    all_fps = np.concatenate(fps)
    all_docs = np.concatenate([np.full(len(f), i) for i, f in enumerate(fps)])
    pairs, boilerplate = candidate_pairs(all_fps, all_docs, groups=np.zeros(3, dtype=np.int64), min_shared=1,
                                         with_boilerplate=True)
    assert len(boilerplate) > 0
    assert (0, 1) in {(a, b) for a, b, _n in pairs.tolist()}  # "The mayor said" next to the header
    assert align(toks[0], toks[1]).passages  # without knowing the boilerplate: a "passage"
    assert not align(toks[0], toks[1], boilerplate=boilerplate).passages
