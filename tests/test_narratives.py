"""Narratives over time on hand-built corpora: stories with their own words, spread over weeks.

Articles are written here from templates, ingested through the real CLI into a real store (the
cheap ``language`` and ``genre`` stages only), clustered by ``narrascope narratives``, and the
tables read back.
"""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import copy_store, isolated_env, run_cli
from narrascope.corpus import iter_table
from narrascope.corpus.narratives_model import claim_sentences
from narrascope.store import open_store

START = date(2024, 1, 1)  # a Monday


def words(text: str) -> list[str]:
    return text.split()

TEMPLATES = (
    "Officials said the {0} and the {1} would affect the {2} this month.",
    "According to the ministry, the {0} was linked to the {1} near the {2}.",
    "The government warned that the {0} could spread to the {1} within weeks.",
    "Critics argued that the {0} had ignored the {1} and the {2} for years.",
    "Is the {0} really the cause of the {1}?",
    "Local residents described the {0} as a serious threat to the {1}.",
    "The minister insisted that the {0} will not change the {1} or the {2}.",
    "Experts have said the {0} is connected with the {1} in the region.",
)

STORIES = {
    "dam": words("dam reservoir turbine floodgate hydropower spillway riverbank sluice engineers concrete silt levee"),
    "vaccine": words("vaccine clinic dose booster immunisation nurse pharmacy antibody trial pathogen syringe outbreak"),
    "election": words("ballot election candidate polling turnout campaign voter precinct recount debate incumbent manifesto"),
    "wildfire": words("wildfire blaze smoke firefighter evacuation ember scrubland drought helicopter arson ash hillside"),
    "strike": words("dockworker strike port wage union crane container picket shipping harbour stevedore terminal"),
}
#: the strike story later diverges: its articles add one of two new vocabularies
SUBSTORIES = {
    "strike-pay": words("pension overtime salary payslip bonus arrears payroll contract allowance"),
    "strike-ships": words("tanker freighter cargo anchorage vessel backlog queue warehouse congestion"),
}


def article(rng: random.Random, words: list[str], extra: list[str] | None, day: date, n: int, story: str) -> dict:
    sentences = []
    for _ in range(9):
        template = rng.choice(TEMPLATES)
        pool = words if extra is None else (extra + extra + words)
        sentences.append(template.format(*(rng.choice(pool) for _ in range(3))))
    title_words = rng.sample(words if extra is None else extra, 2)
    return {"url": f"https://example.org/{story}/{n}", "title": f"The {title_words[0]} and the {title_words[1]}",
            "published": day.isoformat(), "text": " ".join(sentences)}


def corpus(seed: int = 1) -> list[tuple[str, dict]]:
    """(story, article) over 12 weeks.

    dam and vaccine: every week; election: weeks 0-3 then nothing (fades); wildfire: one a week
    from week 5 (emerges with its third), four a week from week 8 (grows); strike: weeks 0-4 one story, weeks 5-11
    two sub-stories (splits).
    """
    rng = random.Random(seed)
    out: list[tuple[str, dict]] = []
    n = 0
    for week in range(12):
        monday = START + timedelta(days=7 * week)
        plan: list[tuple[str, str | None, int]] = [("dam", None, 2), ("vaccine", None, 2)]
        if week < 4:
            plan.append(("election", None, 2))
        if week >= 5:
            plan.append(("wildfire", None, 1 if week < 8 else 4))
        if week < 5:
            plan.append(("strike", None, 2))
        else:
            plan += [("strike", "strike-pay", 4), ("strike", "strike-ships", 3)]
        for story, sub, count in plan:
            for i in range(count):
                n += 1
                extra = SUBSTORIES[sub] if sub else None
                out.append((sub or story, article(rng, STORIES[story], extra, monday + timedelta(days=i % 5), n,
                                                  sub or story)))
    return out


def write_jsonl(path: Path, articles: list[dict]) -> Path:
    path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    return path


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "fast.toml"
    path.write_text('[pipeline]\nstages = ["language", "genre"]\n')
    return path


def ingest(db: Path, config: Path, path: Path) -> None:
    result = run_cli("--config", str(config), "ingest", str(path), "--db", str(db))
    assert result.exit_code == 0, result.output


def narratives(db: Path, *args: str) -> dict:
    result = run_cli("narratives", "--db", str(db), "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def membership(db: Path) -> dict[str, int]:
    """url -> narrative id."""
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT a.url, m.narrative FROM narrative_members m JOIN articles a ON a.id = m.article")
    return dict(rows.fetchall())


def stories_by_url(items: list[tuple[str, dict]]) -> dict[str, str]:
    return {a["url"]: story for story, a in items}


@pytest.fixture(scope="module")
def clustered_once(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, dict]]]:
    """The corpus ingested and clustered once for the module."""
    folder = tmp_path_factory.mktemp("clustered")
    db = folder / "clustered.db"
    items = corpus()
    with isolated_env(folder):
        config = folder / "fast.toml"
        config.write_text('[pipeline]\nstages = ["language", "genre"]\n')
        ingest(db, config, write_jsonl(folder / "all.jsonl", [a for _, a in items]))
        narratives(db)
    return db, items


@pytest.fixture
def clustered(db: Path, clustered_once: tuple[Path, list[tuple[str, dict]]]) -> tuple[Path, list[tuple[str, dict]]]:
    """The clustered corpus's store at ``db``: each test its own copy, to write as it likes."""
    template, _items = clustered_once
    return copy_store(template, db), corpus()  # the same items (a fixed seed), the test's own to change


def test_stories_become_narratives(clustered: tuple[Path, list[tuple[str, dict]]]) -> None:
    db, items = clustered
    story_of = stories_by_url(items)
    members = membership(db)
    assert set(members) == set(story_of)  # every article belongs to a narrative
    # each story's articles share one narrative; of the strike's two sub-stories, the larger
    # (pay) keeps the strike's narrative and the other (ships) splits off
    by_story: dict[str, set[int]] = {}
    for url, narrative in members.items():
        by_story.setdefault(story_of[url], set()).add(narrative)
    assert all(len(ids) == 1 for ids in by_story.values()), by_story
    assert by_story["strike"] == by_story["strike-pay"]
    others = [ids for story, ids in by_story.items() if story != "strike-pay"]
    assert len(set.union(*others)) == len(others)  # no two stories share one


def test_labels_evidence_and_series(clustered: tuple[Path, list[tuple[str, dict]]]) -> None:
    db, items = clustered
    story_of = stories_by_url(items)
    with open_store(db) as store:
        rows = {r["id"]: r for r in iter_table(store, "narratives")}
        texts = dict(store.conn.execute("SELECT id, text FROM articles").fetchall())
        urls = dict(store.conn.execute("SELECT id, url FROM articles").fetchall())
        members = list(iter_table(store, "narrative_members"))
        series = list(iter_table(store, "narrative_series"))
    dam = next(r for r in rows.values() if story_of[urls[r["sentence_article"]]] == "dam")
    assert set(dam["terms"][:4]) <= set(STORIES["dam"]) | {"floodgate", "engineer", "spillway"}
    assert dam["label"] == " · ".join(dam["terms"][:4])
    assert texts[dam["sentence_article"]][dam["sentence_start"]:dam["sentence_end"]] == dam["sentence"]
    assert dam["status"] == "active" and dam["size"] == 24
    assert dam["first_seen"] == "2024-01-01" and dam["last_seen"] == "2024-03-19"  # week 11, second day
    for member in members:
        assert member["date_source"] == "published"
        assert 1 <= len(member["evidence"]) <= 3
        for sentence in member["evidence"]:
            assert texts[member["article"]][sentence["start"]:sentence["end"]] == sentence["text"]
            assert not sentence["text"].endswith("?")
    weekly = [s for s in series if s["narrative"] == dam["id"] and s["unit"] == "week"]
    assert [s["articles"] for s in weekly] == [2] * 12
    assert all(0 < s["share"] < 1 for s in weekly)
    daily = [s for s in series if s["narrative"] == dam["id"] and s["unit"] == "day"]
    assert sum(s["articles"] for s in daily) == 24


def test_events_emerge_grow_fade_split(clustered: tuple[Path, list[tuple[str, dict]]]) -> None:
    db, items = clustered
    story_of = stories_by_url(items)
    members = membership(db)
    narrative_of = {story_of[url]: n for url, n in sorted(members.items(), key=lambda kv: kv[1], reverse=True)}
    with open_store(db) as store:
        events = list(iter_table(store, "narrative_events"))
        rows = {r["id"]: r for r in iter_table(store, "narratives")}
    kinds = {(e["narrative"], e["kind"]): e for e in events}
    election, wildfire = narrative_of["election"], narrative_of["wildfire"]
    assert kinds[(election, "fade")]["period"] == "2024-02-19"  # last seen week 3 (Jan 22) + 4 weeks
    assert rows[election]["status"] == "faded"
    assert kinds[(wildfire, "emerge")]["period"] == "2024-02-19"  # third article, week 7
    assert kinds[(wildfire, "grow")]["period"] == "2024-02-26"  # four a week from week 8
    # the strike story splits into two: one keeps the id, the other records it as parent
    strike_ids = {n for url, n in members.items() if story_of[url].startswith("strike")}
    assert len(strike_ids) == 2
    child = next(n for n in strike_ids if rows[n]["parent"] is not None)
    parent = rows[child]["parent"]
    assert parent in strike_ids
    assert (parent, "split") in kinds and kinds[(parent, "split")]["other"] == child
    assert kinds[(parent, "split")]["period"] == "2024-02-05"  # week 5, when the sub-stories start
    # the pure strike articles (weeks 0-4) stay with the parent
    assert {members[a["url"]] for s, a in items if s == "strike"} == {parent}


def test_incremental_run_keeps_ids(tmp_path: Path, db: Path, config: Path) -> None:
    items = corpus()
    early = [(s, a) for s, a in items if a["published"] < "2024-02-19"]
    late = [(s, a) for s, a in items if a["published"] >= "2024-02-19"]
    ingest(db, config, write_jsonl(tmp_path / "early.jsonl", [a for _, a in early]))
    first = narratives(db)
    assert first["full"] and first["articles_read"] == len(early)
    before = membership(db)
    ingest(db, config, write_jsonl(tmp_path / "late.jsonl", [a for _, a in late]))
    second = narratives(db)
    assert not second["full"] and second["articles_read"] == len(late)
    after = membership(db)
    assert {url: after[url] for url in before} == before  # nobody moved
    story_of = stories_by_url(items)
    for url, narrative in after.items():  # late articles joined their story's narrative
        if url not in before and story_of[url] in ("dam", "vaccine"):
            same = {before[u] for u in before if story_of[u] == story_of[url]}
            assert same == {narrative}
    third = narratives(db)
    assert third["articles_read"] == 0 and membership(db) == after
    reseeded = narratives(db, "--seed", "5")  # another seed is another clustering: a full run
    assert reseeded["full"] and reseeded["seed"] == 5 and reseeded["articles_read"] == len(items)
    assert not narratives(db)["full"]  # and the new seed sticks


def dump(db: Path) -> dict[str, list]:
    conn = sqlite3.connect(db)
    return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()  # noqa: S608
            for t in ("narratives", "narrative_members", "narrative_series", "narrative_events")}


def test_same_seed_same_tables(clustered: tuple[Path, list[tuple[str, dict]]]) -> None:
    db, _items = clustered
    once = dump(db)
    assert narratives(db, "--full", "--seed", "0")["full"]
    assert dump(db) == once
    assert once["narratives"] and once["narrative_events"]


def test_superseded_article_leaves_its_narrative(tmp_path: Path, db: Path, config: Path) -> None:
    items = corpus()[:30]
    ingest(db, config, write_jsonl(tmp_path / "a.jsonl", [a for _, a in items]))
    narratives(db)
    changed = dict(items[0][1], text=items[0][1]["text"] + " Officials said the dam was finally repaired.")
    ingest(db, config, write_jsonl(tmp_path / "b.jsonl", [changed]))
    summary = narratives(db)
    assert summary["removed"] == 1 and summary["articles_read"] == 1
    conn = sqlite3.connect(db)
    stale = conn.execute("SELECT COUNT(*) FROM narrative_members m JOIN articles a ON a.id = m.article"
                         " WHERE a.latest = 0").fetchone()[0]
    assert stale == 0
    assert conn.execute("SELECT COUNT(*) FROM narrative_members").fetchone()[0] == 30


def test_list_and_show(clustered: tuple[Path, list[tuple[str, dict]]]) -> None:
    db, _items = clustered
    listed = run_cli("narratives", "--db", str(db))
    assert listed.exit_code == 0, listed.output
    first = listed.stdout.splitlines()[0].split()
    assert first[0].isdigit() and int(first[1]) >= 24
    shown = run_cli("narratives", "show", first[0], "--db", str(db), "--json")
    assert shown.exit_code == 0, shown.output
    detail = json.loads(shown.stdout)
    assert detail["id"] == int(first[0]) and detail["members"] and detail["events"]
    missing = run_cli("narratives", "show", "999", "--db", str(db))
    assert missing.exit_code != 0 and "no narrative 999" in missing.output


def test_claim_sentences_skip_questions_and_fragments() -> None:
    text = "Is the dam safe? Officials said the dam would hold through the spring. Short one. The end"
    spans = claim_sentences(text)
    assert [text[s:e] for s, e in spans] == ["Officials said the dam would hold through the spring."]


def test_converging_stories_merge() -> None:
    """dam and vaccine articles mix both vocabularies from week 4: the younger narrative merges."""
    from narrascope.corpus.narratives_model import NarrativeModel, make_doc

    rng = random.Random(3)
    model = NarrativeModel(seed=0)
    docs, story_of = [], {}
    for week in range(8):
        for story in STORIES:
            for i in range(3):
                key = len(docs) + 1
                mixed = week >= 4 and story in ("dam", "vaccine")
                vocabulary = STORIES["dam"] + STORIES["vaccine"] if mixed else STORIES[story]
                a = article(rng, vocabulary, None, START + timedelta(days=7 * week + i), key, story)
                docs.append(make_doc(key, f"a{key}", a["published"], title=a["title"], text=a["text"],
                                     terms=model.terms))
                story_of[key] = story
    assigned = model.add(docs)
    dam = {n for key, (n, _) in assigned.items() if story_of[key] == "dam"}
    vaccine = {n for key, (n, _) in assigned.items() if story_of[key] == "vaccine"}
    assert dam == vaccine and len(dam) == 1  # every article of both now in the surviving narrative
    merges = [e for e in model.events if e["kind"] == "merge"]
    survivor = dam.pop()
    assert {(e["narrative"], e["other"]) for e in merges} == {(survivor, survivor + 1), (survivor + 1, survivor)}
    assert merges[0]["period"] == "2024-02-05"  # a week after the mixing starts
    retired = model.meta[model.rows[survivor + 1]]
    assert retired["merged_into"] == survivor and retired["size"] == 0
    assert model.meta[model.rows[survivor]]["size"] == 48
    assert not [e for e in model.events if e["kind"] == "split"]
    # the other stories keep one narrative each
    for story in ("election", "wildfire", "strike"):
        assert len({n for key, (n, _) in assigned.items() if story_of[key] == story}) == 1


def test_evidence_comes_from_each_members_own_latest_text(tmp_path: Path, db: Path, config: Path) -> None:
    """The clustering holds no article text; the evidence step reads the texts again by rowid. With
    undated articles, and a new version of an article stored among new ones, every member's
    evidence offsets and date still come from its own latest row."""
    items = corpus()
    undated = {items[3][1]["url"], items[7][1]["url"]}
    first = [{k: v for k, v in a.items() if k != "published" or a["url"] not in undated} for _, a in items[:30]]
    ingest(db, config, write_jsonl(tmp_path / "a.jsonl", first))
    narratives(db)
    # the new version starts with a new claim, so the old text's offsets no longer fit it
    changed = dict(items[0][1], text="Officials said the dam was finally repaired after years of silt. "
                   + items[0][1]["text"])
    ingest(db, config, write_jsonl(tmp_path / "b.jsonl", [a for _, a in items[30:35]] + [changed]
                                   + [a for _, a in items[35:40]]))
    summary = narratives(db)
    assert not summary["full"] and summary["removed"] == 1 and summary["articles_read"] == 11
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT a.url, a.text, a.published, m.date, m.date_source, m.evidence"
                        " FROM narrative_members m JOIN articles a ON a.id = m.article WHERE a.latest = 1").fetchall()
    assert len(rows) == 40
    for url, text, published, day, source, evidence in rows:
        assert source == ("undated" if url in undated else "published")
        assert day == (None if url in undated else published)  # never the ingest day
        sentences = json.loads(evidence)
        assert sentences
        for sentence in sentences:
            assert text[sentence["start"]:sentence["end"]] == sentence["text"]
        if url == changed["url"]:   # the offsets fit the new text, not the old one
            assert text.startswith("Officials said the dam was finally repaired")
            old = items[0][1]["text"]
            assert any(old[s["start"]:s["end"]] != s["text"] for s in sentences)


def test_vectorising_in_chunks_gives_the_docs_and_terms_of_one_pass() -> None:
    """``make_docs`` is what a cluster worker runs: its docs equal ``make_doc``'s, and the readable
    terms it hands back, merged chunk by chunk, are those one pass over all articles sees first."""
    from narrascope.corpus.narratives_model import make_doc, make_docs

    items = [(k, f"a{k}", "2024-03-0" + str(k), f"Title {k} floodgates", text, [{"id": "RUS", "name": "Russia"}], [])
             for k, text in enumerate(["The engineers said the floodgate and the turbines failed.",
                                       "Nurses warned the clinics lacked vaccines and boosters.",
                                       "The turbine engineers claimed the reservoir was full."], start=1)]
    whole, terms = make_docs(items)
    merged: dict[int, str] = {}
    chunked = []
    for chunk in (items[:1], items[1:]):
        docs, chunk_terms = make_docs(chunk)
        chunked.extend(docs)
        for bucket, term in chunk_terms.items():
            merged.setdefault(bucket, term)
    assert merged == terms
    assert [d.features.tolist() for d in chunked] == [d.features.tolist() for d in whole]
    for doc, (key, article, day, title, text, actors, quotes) in zip(whole, items, strict=True):
        single = make_doc(key, article, day, title=title, text=text, actors=actors, quotes=quotes, keep_text=False)
        assert doc.features.tolist() == single.features.tolist() and doc.weights.tolist() == single.weights.tolist()
        assert set(doc.features.tolist()) <= set(terms)  # every bucket has its readable term
    assert "turbine" in terms.values() and "Russia" in terms.values()
